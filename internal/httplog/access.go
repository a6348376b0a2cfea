package httplog

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"usergraph/internal/clientip"
)

// Recorder counts answered requests (internal/metrics implements it).
type Recorder interface {
	Request(route, operation string, status int, d time.Duration)
}

// Route labels of requests the router never saw: answered by a middleware before routing
// (rate limit, CORS preflight), or matched by no pattern (ServeMux's 405 and redirects).
const (
	RouteNone      = "unrouted"
	RouteUnmatched = "unmatched"
)

// maxOpName bounds the client-chosen GraphQL operation name in the log.
const maxOpName = 100

// Middleware gives the request an id (see RequestIDs), then writes one access-log line per
// request at level Info and counts it in rec: method, route pattern or GraphQL operation,
// status, duration, bytes written, request id, the client's address (internal/clientip), and
// the caller when a token identified one.
// Raw paths never appear (they hold ids and, for some routes, codes); neither do query strings.
func Middleware(log *slog.Logger, rec Recorder, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r, e := withEntry(w, r)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		route := e.route
		if route == "" {
			route = RouteNone
		}
		if rec != nil {
			rec.Request(route, e.operation, status, d)
		}
		if !log.Enabled(r.Context(), slog.LevelInfo) {
			return
		}
		attrs := make([]slog.Attr, 0, 12)
		attrs = append(attrs,
			slog.String("request_id", e.id),
			slog.String("method", r.Method),
			slog.String("route", route))
		if e.operation != "" {
			attrs = append(attrs, slog.String("operation", e.operation))
		}
		if e.opName != "" {
			attrs = append(attrs, slog.String("operation_name", e.opName))
		}
		attrs = append(attrs,
			slog.Int("status", status),
			slog.Duration("duration", d),
			slog.Int64("bytes", sw.bytes))
		if ip := clientip.FromContext(r.Context()); ip != "" {
			attrs = append(attrs, slog.String("ip", ip))
		}
		if e.user != "" {
			attrs = append(attrs, slog.String("user", e.user))
		}
		if e.client != "" {
			attrs = append(attrs, slog.String("client", e.client))
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

// Routed wraps the router so the access log learns the pattern that served the request.
// ServeMux sets Request.Pattern on the request it was given, which is this one.
func Routed(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if e := entryOf(r.Context()); e != nil {
			e.route = r.Pattern
			if e.route == "" {
				e.route = RouteUnmatched
			}
		}
	})
}

// SetOperation records the GraphQL operation: label, a bounded description fit for a metric
// label, and the name the client gave it (kept for the log only, truncated).
func SetOperation(ctx context.Context, label, name string) {
	if e := entryOf(ctx); e != nil {
		if len(name) > maxOpName {
			name = name[:maxOpName]
		}
		e.operation, e.opName = label, name
	}
}

// SetCaller records who is calling, for the log.
func SetCaller(ctx context.Context, user, client string) {
	if e := entryOf(ctx); e != nil {
		e.user, e.client = user, client
	}
}

// statusWriter remembers the status and counts the body bytes.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes flushes through for handlers that stream.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		f.Flush()
	}
}
