// usergraph is a user-management and social-graph server: GraphQL at /graphql, Liquid's REST
// API under /user, /oauth and friends. Run it with `go run .`; every setting is an environment
// variable (see README.md).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"usergraph/internal/app"
	"usergraph/internal/config"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "usergraph:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a, err := app.New(ctx, cfg, app.Options{Logger: log})
	if err != nil {
		return err
	}
	defer a.Close()

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() {
		db := "SQLite"
		if cfg.PostgreSQL() {
			db = "PostgreSQL"
		}
		log.Info("usergraph listening", "addr", cfg.Addr, "database", db)
		errc <- srv.ListenAndServe()
	}()

	servers := []*http.Server{srv}
	switch {
	case cfg.Metrics.Addr != "":
		ops := &http.Server{Addr: cfg.Metrics.Addr, Handler: a.Ops, ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
		servers = append(servers, ops)
		go func() {
			log.Info("metrics and probes listening", "addr", cfg.Metrics.Addr)
			errc <- ops.ListenAndServe()
		}()
	case cfg.Metrics.Token == "":
		log.Info("metrics are counted but not served: set METRICS_TOKEN or METRICS_ADDR to scrape /metrics")
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return nil
}
