// Package app assembles usergraph: it builds the services on an open database and returns one
// http.Handler serving REST, GraphQL, the playground and /health. server.go and the tests both
// start the server through New, so tests exercise exactly what runs in production.
package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"entgo.io/ent/dialect"

	"usergraph/ent"
	"usergraph/graph"
	"usergraph/internal/access"
	"usergraph/internal/accounts"
	"usergraph/internal/auth"
	"usergraph/internal/clientip"
	"usergraph/internal/clients"
	"usergraph/internal/config"
	"usergraph/internal/cors"
	"usergraph/internal/db"
	"usergraph/internal/health"
	"usergraph/internal/httplog"
	"usergraph/internal/mail"
	"usergraph/internal/metrics"
	"usergraph/internal/oauth"
	"usergraph/internal/playground"
	"usergraph/internal/ratelimit"
	"usergraph/internal/scopes"
	"usergraph/internal/social"
	"usergraph/rest/liquid"
)

// App is a running usergraph.
type App struct {
	Config   *config.Config
	DB       *ent.Client
	SQL      *sql.DB
	Auth     *auth.Service
	Accounts *accounts.Service
	OAuth    *oauth.Service
	Access   *access.Service
	Clients  *clients.Registry
	Social   *social.Service
	// Routes are the REST routes served (the scope tests walk them).
	Routes  []liquid.Route
	Handler http.Handler
	// Ops serves /metrics, /livez and /readyz without authentication, for METRICS_ADDR.
	Ops     http.Handler
	Metrics *metrics.Metrics
	Log     *slog.Logger

	stop    context.CancelFunc
	closers []func() error
}

// Options are the parts a caller may supply instead of the defaults built from Config.
type Options struct {
	Logger *slog.Logger
	Mailer mail.Sender
	// WrapDriver, if set, wraps the database driver (tests count queries with db.Counter).
	WrapDriver func(dialect.Driver) dialect.Driver
	// ObserveSQL, if set, sees the statements run outside ent (the prepared token check), so
	// tests count them with the rest.
	ObserveSQL db.Observer
}

// New opens the database named by cfg, migrates it, bootstraps the super admin and default
// client, and builds the handler.
func New(ctx context.Context, cfg *config.Config, opt Options) (*App, error) {
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	client, sqlDB, err := db.OpenPool(ctx, cfg.DatabaseURL, cfg.Pool, opt.WrapDriver)
	if err != nil {
		return nil, err
	}
	if cfg.PostgreSQL() {
		if err := db.EnsureSearchIndexes(ctx, sqlDB); err != nil {
			log.Warn("user search runs without its trigram indexes (it reads every user)", "err", err)
		}
	}
	a, err := build(ctx, cfg, client, sqlDB, opt, log)
	if err != nil {
		client.Close()
		return nil, err
	}
	return a, nil
}

func build(ctx context.Context, cfg *config.Config, client *ent.Client, sqlDB *sql.DB, opt Options, log *slog.Logger) (*App, error) {
	mailer := opt.Mailer
	key := []byte(cfg.TokenSecret)
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		log.Warn("TOKEN_SIGNING_KEY is not set: using a random key, so access tokens end with this process and are not accepted by other instances")
	}
	cookieLife := cfg.OAuth.RefreshTokenLifetime
	if cfg.Cookie.MaxAge > 0 {
		cookieLife = time.Duration(cfg.Cookie.MaxAge) * time.Second
	}
	authSvc, err := auth.New(client, auth.Settings{
		SigningKey:      key,
		AccessLifetime:  cfg.OAuth.AccessTokenLifetime,
		RefreshLifetime: cfg.OAuth.RefreshTokenLifetime,
		CookieLifetime:  cookieLife,
	})
	if err != nil {
		return nil, err
	}
	// The token check runs on every request: one statement, prepared once (docs/performance.md).
	if err := authSvc.Prepare(ctx, sqlDB, cfg.PostgreSQL(), opt.ObserveSQL); err != nil {
		return nil, err
	}
	reg := scopes.Default()
	if err := reg.LoadExtensionFile(cfg.ScopeExtensionFile); err != nil {
		return nil, err
	}
	if mailer == nil {
		mailer, err = mail.New(cfg.Mail.SMTPURL, cfg.Mail.From, log)
		if err != nil {
			return nil, err
		}
	}
	stats := metrics.New(sqlDB)
	mailer = stats.Mailer(mailer)
	ips, err := clientip.New(cfg.Proxy.Hops, cfg.Proxy.Networks)
	if err != nil {
		return nil, err
	}
	limits, closeLimits, err := newLimiter(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	limits.SetMetrics(stats)
	accessSvc := access.New(client, reg, cfg)
	if err := accessSvc.Seed(ctx); err != nil {
		return nil, fmt.Errorf("seed roles: %w", err)
	}
	acc := accounts.New(client, cfg, authSvc, accessSvc, mailer, limits, log)
	acc.SetMetrics(stats)
	soc := social.New(client, cfg, accessSvc, log, acc.HiddenFields)
	acc.SetSocial(soc)
	if err := acc.Bootstrap(ctx); err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	if err := clients.EnsureDefault(ctx, client, cfg.DefaultClient, log); err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}

	oauthSvc, err := oauth.New(client, cfg, authSvc, accessSvc, reg, key, log)
	if err != nil {
		return nil, err
	}

	origins := cors.New(append([]string{cfg.AppHost}, cfg.CORSAllowedOrigins...), func(ctx context.Context) ([]string, error) {
		return clients.RedirectURIs(ctx, client)
	}, log)
	registry := clients.NewRegistry(client, accessSvc, cfg, origins.Reload)

	mux := http.NewServeMux()
	api := &liquid.API{Accounts: acc, Social: soc, Clients: registry, Auth: authSvc, OAuth: oauthSvc, Config: cfg, Log: log}
	api.Register(mux)
	gql := graph.NewHandler(&graph.Resolver{Accounts: acc, Clients: registry, Social: soc}, cfg, log)
	mux.Handle("/graphql", graph.MetaMiddleware(func(r *http.Request) (string, string) {
		return clientip.From(r), r.UserAgent()
	}, gql))
	playground.Register(mux, "/graphql")
	ready := health.Ready(sqlDB, log)
	mux.HandleFunc("GET /livez", health.Live)
	mux.Handle("GET /readyz", ready)
	if cfg.Metrics.Token != "" {
		mux.Handle("GET /metrics", requireBearer(cfg.Metrics.Token, stats.Handler()))
	}
	ops := http.NewServeMux()
	ops.Handle("GET /metrics", stats.Handler())
	ops.HandleFunc("GET /livez", health.Live)
	ops.Handle("GET /readyz", ready)

	bg, stop := context.WithCancel(context.Background())
	go origins.Refresh(bg, 5*time.Minute)
	// Outermost first: the client's address, request id and access log (so every answer, even a recovered panic or
	// a rate-limit refusal, is logged and counted), panic recovery, CORS, rate limits, the
	// caller's identity, then the router.
	var h http.Handler = httplog.Routed(mux)
	h = noteCaller(h)
	h = authSvc.Middleware(accessSvc.Middleware(social.Middleware(h)))
	h = limits.Middleware(clientip.From, h)
	h = httplog.Middleware(log, stats, recoverer(log, origins.Middleware(h)))
	h = ips.Middleware(h) // the client's address, once, for everything inside
	a := &App{Config: cfg, DB: client, SQL: sqlDB, Auth: authSvc, Accounts: acc, OAuth: oauthSvc, Access: accessSvc, Clients: registry, Social: soc,
		Routes: api.Routes(), Log: log, Metrics: stats, Ops: ops, Handler: h, stop: stop, closers: []func() error{closeLimits, authSvc.Close}}
	go a.purgeLoop(bg)
	return a, nil
}

// newLimiter counts in Redis when it is configured (so every instance shares the limits),
// otherwise in memory.
func newLimiter(ctx context.Context, cfg *config.Config, log *slog.Logger) (*ratelimit.Limiter, func() error, error) {
	if !cfg.Redis.Configured {
		return ratelimit.New(ratelimit.NewMemory(), cfg.RateLimit, log), func() error { return nil }, nil
	}
	store, err := ratelimit.NewRedis(cfg.Redis.URL, cfg.Redis.KeyPrefix)
	if err != nil {
		return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	if err := store.Ping(ctx); err != nil {
		store.Close()
		return nil, nil, fmt.Errorf("connect to Redis: %w", err)
	}
	return ratelimit.New(store, cfg.RateLimit, log), store.Close, nil
}

// purgeLoop deletes expired codes, sessions and OAuth tokens every few minutes.
func (a *App) purgeLoop(ctx context.Context) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Accounts.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("purging expired codes and sessions failed", "err", err)
			}
			if err := a.OAuth.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("purging expired OAuth codes and tokens failed", "err", err)
			}
		}
	}
}

// Close waits for mail in flight and closes the database.
func (a *App) Close() error {
	a.stop()
	a.Accounts.Wait()
	for _, c := range a.closers {
		c()
	}
	return a.DB.Close()
}

// noteCaller tells the access log who is calling, once the token has been checked.
func noteCaller(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := auth.FromContext(r.Context()); id != nil {
			user := ""
			if id.User != nil {
				user = id.User.ID
			}
			httplog.SetCaller(r.Context(), user, id.ClientID)
		}
		next.ServeHTTP(w, r)
	})
}

// requireBearer guards next with a fixed bearer token, compared in constant time.
func requireBearer(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(auth.BearerToken(r)))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"ok":0,"error":"Unauthorized"}` + "\n"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic in a handler into a logged 500 instead of a dropped connection.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("handler panicked", "request_id", httplog.RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"ok":0,"error":"InternalServerError"}` + "\n"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
