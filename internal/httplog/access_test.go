package httplog

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type recorded struct {
	route, operation string
	status           int
}

type recorder struct{ got []recorded }

func (r *recorder) Request(route, operation string, status int, d time.Duration) {
	r.got = append(r.got, recorded{route, operation, status})
}

func TestMiddlewareRoutesAndStatuses(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("item")) })
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) })
	mux.HandleFunc("GET /quiet", func(w http.ResponseWriter, r *http.Request) {})
	tests := []struct {
		name, method, path string
		want               recorded
		bytes              string
	}{
		{"pattern, not path", "GET", "/items/42", recorded{"GET /items/{id}", "", 200}, "bytes=4"},
		{"explicit status", "POST", "/items", recorded{"POST /items", "", 201}, "bytes=0"},
		{"nothing written is a 200", "GET", "/quiet", recorded{"GET /quiet", "", 200}, "bytes=0"},
		{"wrong method", "DELETE", "/items/42", recorded{RouteUnmatched, "", 405}, ""},
		{"no route", "GET", "/nothing", recorded{RouteUnmatched, "", 404}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			rec := &recorder{}
			h := Middleware(slog.New(slog.NewTextHandler(&buf, nil)), rec, Routed(mux))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tt.method, tt.path, nil))
			if len(rec.got) != 1 || rec.got[0] != tt.want {
				t.Fatalf("recorded %+v, want %+v", rec.got, tt.want)
			}
			line := buf.String()
			if strings.Count(line, "\n") != 1 || !strings.Contains(line, "msg=request") || !strings.Contains(line, tt.bytes) {
				t.Fatalf("log %q: want one request line with %s", line, tt.bytes)
			}
			if strings.Contains(line, "/42") {
				t.Fatalf("raw path in the log: %q", line)
			}
		})
	}
}

// A request answered before the router (a rate limit, a CORS preflight) has no pattern.
func TestMiddlewareUnrouted(t *testing.T) {
	rec := &recorder{}
	h := Middleware(slog.New(slog.DiscardHandler), rec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/user/me", nil))
	if want := (recorded{RouteNone, "", 429}); len(rec.got) != 1 || rec.got[0] != want {
		t.Fatalf("recorded %+v, want %+v", rec.got, want)
	}
}
