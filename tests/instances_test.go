package tests

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
	"usergraph/internal/secret"
)

// twoInstances starts two servers on one database with one signing key, as a deployment with
// several instances runs.
func twoInstances(t *testing.T, configure func(*config.Config)) (*apitest.Server, *apitest.Server) {
	a := apitest.New(t, configure)
	b := apitest.New(t, func(c *config.Config) {
		c.DatabaseURL = a.App.Config.DatabaseURL
		c.TokenSecret = a.App.Config.TokenSecret
		c.Mail.SMTPURL = a.App.Config.Mail.SMTPURL
		if configure != nil {
			configure(c)
		}
	})
	return a, b
}

func TestLogoutAllTakesEffectOnEveryInstance(t *testing.T) {
	a, b := twoInstances(t, nil)
	u := a.NewUser(t, "two_instances")
	other, _ := b.Tokens(t, u.Username, u.Password)
	b.Get(t, "/user/me", u.Token).Expect(t, http.StatusOK, "")
	a.Get(t, "/user/me", other).Expect(t, http.StatusOK, "")

	b.Get(t, "/user/logout-all", other).Expect(t, http.StatusOK, "")
	for _, srv := range []*apitest.Server{a, b} {
		for _, tok := range []string{u.Token, other} {
			srv.Get(t, "/user/me", tok).Expect(t, http.StatusUnauthorized, "Unauthorized")
		}
	}
	g := a.GraphQL(t, "", `mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }`, map[string]any{"r": u.RefreshToken})
	if g.GQLError() != "UNAUTHENTICATED" {
		t.Fatalf("refresh after logout-all: %s", g.Raw)
	}
}

// With Redis configured, the instances share their rate-limit counters.
func TestRateLimitsAreSharedThroughRedis(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	rc := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rc.Close()
	if err := rc.Ping(ctx).Err(); err != nil {
		t.Skip("no Redis at 127.0.0.1:6379")
	}
	prefix := "usergraph-test:" + secret.Token(4) + ":"
	a, b := twoInstances(t, func(c *config.Config) {
		c.Redis.Configured, c.Redis.URL, c.Redis.KeyPrefix = true, "redis://127.0.0.1:6379/0", prefix
		c.RateLimit.Heavy = 2
	})
	u := a.SignUp(t, "shared_limits")
	body := map[string]any{"username": u.Username, "password": "wrong-password", "userAgent": "test"}
	a.Post(t, "/user/login", "", body).Expect(t, http.StatusUnauthorized, "Unauthorized")
	b.Post(t, "/user/login", "", body).Expect(t, http.StatusUnauthorized, "Unauthorized")
	a.Post(t, "/user/login", "", body).Expect(t, http.StatusTooManyRequests, "RateLimitError")
	b.Post(t, "/user/login", "", body).Expect(t, http.StatusTooManyRequests, "RateLimitError")
}
