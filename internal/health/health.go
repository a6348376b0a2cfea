// Package health answers the orchestrator's probes: liveness (/livez: the process serves
// HTTP) and readiness (/readyz: it can also reach its database, so it should get traffic).
// Liquid's own /health is served by rest/liquid and stays as Liquid has it.
package health

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"
)

// PingTimeout bounds the readiness check: a database that does not answer within it counts as
// down, so a probe never hangs on a black-holed connection.
const PingTimeout = 2 * time.Second

// Live answers 200 while the process can serve requests at all.
func Live(w http.ResponseWriter, r *http.Request) {
	write(w, http.StatusOK, map[string]string{"status": "UP"})
}

// Ready answers 200 when db answers a ping within PingTimeout, else 503. The cause goes to
// the log, not to the (unauthenticated) caller.
func Ready(db *sql.DB, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), PingTimeout)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			log.Warn("readiness: database unreachable", "err", err)
			write(w, http.StatusServiceUnavailable, map[string]any{"status": "DOWN", "checks": map[string]string{"database": "DOWN"}})
			return
		}
		write(w, http.StatusOK, map[string]any{"status": "UP", "checks": map[string]string{"database": "UP"}})
	}
}

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
