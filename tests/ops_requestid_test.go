package tests

import (
	"net/http"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/httplog"
)

// Every answer, REST or GraphQL, carries X-Request-Id: the caller's own when it is sane, a fresh
// one otherwise, so a report from a user can be found in the logs.
func TestRequestIDOnEveryAPI(t *testing.T) {
	s := apitest.New(t)
	u := s.NewUser(t, "reqid_user")
	tests := []struct {
		name string
		req  apitest.Req
	}{
		{"REST", apitest.Req{Method: http.MethodGet, Path: "/user/me", Token: u.Token}},
		{"REST error", apitest.Req{Method: http.MethodGet, Path: "/user/me"}},
		{"REST unknown route", apitest.Req{Method: http.MethodGet, Path: "/no/such/route"}},
		{"GraphQL", apitest.Req{Method: http.MethodPost, Path: "/graphql", Token: u.Token, JSON: map[string]any{"query": "{ me { id } }"}}},
		{"health", apitest.Req{Method: http.MethodGet, Path: "/health"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh := s.Do(t, tt.req).Header.Get(httplog.Header)
			if len(fresh) != 26 {
				t.Fatalf("generated X-Request-Id = %q, want 26 characters", fresh)
			}
			tt.req.Header = map[string]string{httplog.Header: "lb-7f3a9c"}
			if got := s.Do(t, tt.req).Header.Get(httplog.Header); got != "lb-7f3a9c" {
				t.Fatalf("incoming X-Request-Id not returned: got %q", got)
			}
			tt.req.Header = map[string]string{httplog.Header: "bad id with spaces"}
			if got := s.Do(t, tt.req).Header.Get(httplog.Header); got == "bad id with spaces" || len(got) != 26 {
				t.Fatalf("unsafe X-Request-Id echoed or not replaced: got %q", got)
			}
		})
	}
}
