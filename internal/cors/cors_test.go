package cors

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMiddleware(t *testing.T) {
	p := New([]string{"http://localhost:3000", "https://app.example.com/path"}, func(context.Context) ([]string, error) {
		return []string{"https://client.example.org/callback"}, nil
	}, slog.Default())
	p.reload(context.Background())
	h := p.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	cases := []struct {
		name, method, origin string
		preflight            bool
		wantStatus           int
		wantAllow            string
	}{
		{"configured origin", "GET", "http://localhost:3000", false, http.StatusTeapot, "http://localhost:3000"},
		{"app host reduced to origin", "POST", "https://app.example.com", false, http.StatusTeapot, "https://app.example.com"},
		{"client redirect origin", "GET", "https://client.example.org", false, http.StatusTeapot, "https://client.example.org"},
		{"preflight", "OPTIONS", "http://localhost:3000", true, http.StatusNoContent, "http://localhost:3000"},
		{"unknown origin", "GET", "https://evil.example", false, http.StatusTeapot, ""},
		{"unknown origin preflight gets nothing", "OPTIONS", "https://evil.example", true, http.StatusTeapot, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, "/user/me", nil)
			r.Header.Set("Origin", c.origin)
			if c.preflight {
				r.Header.Set("Access-Control-Request-Method", "PATCH")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != c.wantStatus || w.Header().Get("Access-Control-Allow-Origin") != c.wantAllow {
				t.Fatalf("status %d allow %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
			}
		})
	}
}
