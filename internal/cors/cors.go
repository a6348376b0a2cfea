// Package cors answers browsers' cross-origin checks for the configured origins
// (cors.allowed-origins), the app host, and the origins of every OAuth client's redirect URIs,
// as Liquid does. Other origins get no CORS headers, so browsers refuse them.
package cors

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Policy holds the allowed origins; clients' origins are reloaded periodically.
type Policy struct {
	static map[string]bool
	load   func(ctx context.Context) ([]string, error)
	log    *slog.Logger

	mu      sync.RWMutex
	dynamic map[string]bool
}

// New returns a policy allowing the given origins (or URLs, reduced to their origin) plus what
// load returns (redirect URIs of the OAuth clients).
func New(origins []string, load func(ctx context.Context) ([]string, error), log *slog.Logger) *Policy {
	p := &Policy{static: map[string]bool{}, load: load, log: log, dynamic: map[string]bool{}}
	for _, o := range origins {
		if o := origin(o); o != "" {
			p.static[o] = true
		}
	}
	return p
}

// Refresh reloads the clients' origins now and then every interval until ctx ends.
func (p *Policy) Refresh(ctx context.Context, interval time.Duration) {
	p.reload(ctx)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.reload(ctx)
		}
	}
}

func (p *Policy) reload(ctx context.Context) {
	if p.load == nil {
		return
	}
	uris, err := p.load(ctx)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Error("loading CORS origins from clients failed", "err", err)
		}
		return
	}
	next := map[string]bool{}
	for _, u := range uris {
		if o := origin(u); o != "" {
			next[o] = true
		}
	}
	p.mu.Lock()
	p.dynamic = next
	p.mu.Unlock()
}

// Allowed reports whether a browser page at origin may call the API.
func (p *Policy) Allowed(o string) bool {
	if p.static[o] {
		return true
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.dynamic[o]
}

// Middleware adds the CORS headers for allowed origins and answers their preflight requests.
func (p *Policy) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := r.Header.Get("Origin")
		if o == "" || !p.Allowed(o) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Allow-Origin", o)
		h.Set("Access-Control-Allow-Credentials", "true")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// origin reduces a URL to scheme://host[:port], or "" if it has none.
func origin(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// Reload reloads the clients' origins now, after a client changed.
func (p *Policy) Reload(ctx context.Context) { p.reload(ctx) }
