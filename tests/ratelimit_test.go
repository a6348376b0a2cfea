package tests

import (
	"net/http"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// Login is limited per client address, on REST and GraphQL alike (one domain check), so
// GraphQL is no way around the limit.
func TestLoginRateLimitCoversRESTAndGraphQL(t *testing.T) {
	limited := apitest.New(t, func(c *config.Config) { c.RateLimit.Heavy = 3 })
	u := limited.SignUp(t, "limited_user")
	body := map[string]any{"username": u.Username, "password": "wrong-password", "userAgent": "test"}
	for i := 0; i < 2; i++ {
		limited.Post(t, "/user/login", "", body).Expect(t, http.StatusUnauthorized, "Unauthorized")
	}
	g := limited.GraphQL(t, "", `mutation { login(input: {username: "limited_user", password: "wrong-password"}) { accessToken } }`, nil)
	if g.GQLError() != "UNAUTHENTICATED" {
		t.Fatalf("third attempt: %s", g.Raw)
	}
	limited.Post(t, "/user/login", "", body).Expect(t, http.StatusTooManyRequests, "RateLimitError")
	g = limited.GraphQL(t, "", `mutation { login(input: {username: "limited_user", password: "correct-horse-1"}) { accessToken } }`, nil)
	if g.GQLError() != "RATE_LIMITED" {
		t.Fatalf("GraphQL login past the limit: %s", g.Raw)
	}
}

// The medium tier covers ordinary REST routes.
func TestMediumTierLimitsRESTRoutes(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.RateLimit.Medium = 2 })
	for i := 0; i < 2; i++ {
		s.Get(t, "/user/scopes", "").Expect(t, http.StatusOK, "")
	}
	r := s.Get(t, "/user/scopes", "").Expect(t, http.StatusTooManyRequests, "RateLimitError")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After header")
	}
	s.Get(t, "/health", "").Expect(t, http.StatusOK, "")
}
