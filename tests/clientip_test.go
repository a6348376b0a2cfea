package tests

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"usergraph/ent/loginhistory"
	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// Behind a reverse proxy the client address is read from the right of X-Forwarded-For: entries
// the client wrote itself (the leftmost) neither dodge the per-address limits nor change the
// address recorded in the login history and the access log, on REST and GraphQL alike.
func TestForgedForwardedForDoesNotChangeClientIP(t *testing.T) {
	tests := []struct {
		name      string
		configure func(*config.Config)
		// want is the address the server must see for "forged..., 203.0.113.9".
		want string
		// otherClient is whether a different rightmost entry counts as a different client.
		otherClient bool
	}{
		{"reverse-proxy mode (one hop)", func(c *config.Config) { c.ReverseProxy, c.Proxy.Hops = true, 1 }, "203.0.113.9", true},
		{"trusted networks", func(c *config.Config) { c.Proxy.Networks = []string{"127.0.0.0/8", "::1"} }, "203.0.113.9", true},
		{"no proxy", func(c *config.Config) {}, "127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := apitest.New(t, tt.configure, func(c *config.Config) {
				c.RateLimit.Heavy = 3
				c.Login.RecordFailed = true
			})
			u := s.SignUp(t, "proxied_user")
			body := map[string]any{"username": u.Username, "password": "wrong-password", "userAgent": "test"}
			xff := func(i int, client string) map[string]string {
				return map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d, %s", i, client)}
			}
			for i := 0; i < 2; i++ {
				s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/user/login", JSON: body, Header: xff(i, "203.0.113.9")}).
					Expect(t, http.StatusUnauthorized, "Unauthorized")
			}
			g := s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/graphql", Header: xff(2, "203.0.113.9"), JSON: map[string]any{
				"query": `mutation { login(input: {username: "proxied_user", password: "wrong-password"}) { accessToken } }`}})
			if g.GQLError() != "UNAUTHENTICATED" {
				t.Fatalf("third attempt: %s", g.Raw)
			}
			s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/user/login", JSON: body, Header: xff(3, "203.0.113.9")}).
				Expect(t, http.StatusTooManyRequests, "RateLimitError")

			other := s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/user/login", JSON: body, Header: xff(4, "203.0.113.10")})
			if tt.otherClient {
				other.Expect(t, http.StatusUnauthorized, "Unauthorized")
			} else {
				other.Expect(t, http.StatusTooManyRequests, "RateLimitError")
			}

			ips, err := s.App.DB.LoginHistory.Query().Where(loginhistory.UserID(u.ID), loginhistory.Success(false)).
				Order(loginhistory.ByID()).Select(loginhistory.FieldIPAddress).Strings(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(ips) < 3 {
				t.Fatalf("login history has %d failed attempts, want at least 3", len(ips))
			}
			for _, ip := range ips[:3] {
				if ip != tt.want {
					t.Errorf("login history address %q, want %q (all: %q)", ip, tt.want, ips)
				}
			}
			if len(s.Logs.Find("request", map[string]string{"ip": tt.want, "route": "POST /user/login"})) == 0 {
				t.Errorf("no access-log line with ip=%s", tt.want)
			}
		})
	}
}
