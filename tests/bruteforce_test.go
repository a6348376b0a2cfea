package tests

import (
	"fmt"
	"net/http"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// behindProxy trusts one reverse proxy, so each request can come "from" its own address.
func behindProxy(accountMax int) func(*config.Config) {
	return func(c *config.Config) {
		c.ReverseProxy, c.Proxy.Hops = true, 1
		c.RateLimit.AccountMax = accountMax
	}
}

// from sends a request as if from ip, through the trusted proxy.
func from(t *testing.T, s *apitest.Server, ip, method, path string, body any) *apitest.Response {
	t.Helper()
	return s.Do(t, apitest.Req{Method: method, Path: path, JSON: body, Header: map[string]string{"X-Forwarded-For": ip}})
}

// 60 wrong passwords from 60 addresses against one account: past the per-account limit they
// get 429, while the owner still signs in from the addresses it is known from. A new address
// waits for the window, even with the right password (the price of the limit).
func TestLoginLimitedPerAccountNotLockingOutOwner(t *testing.T) {
	const limit = 20 // ACCOUNT_RATE_LIMIT_MAX_ATTEMPTS's default
	s := apitest.New(t, behindProxy(limit))
	owner := s.SignUp(t, "guarded_owner") // from 127.0.0.1 (no X-Forwarded-For: the connection)
	login := func(password string) map[string]any {
		return map[string]any{"username": owner.Username, "password": password, "userAgent": testUA}
	}
	from(t, s, "203.0.113.60", "POST", "/user/login", login(owner.Password)).Expect(t, http.StatusOK, "")

	limited := 0
	for i := 0; i < 60; i++ {
		r := from(t, s, fmt.Sprintf("198.51.100.%d", i), "POST", "/user/login", login("wrong-password"))
		switch {
		case i < limit-1: // the owner's sign-in above was one attempt

			r.Expect(t, http.StatusUnauthorized, "Unauthorized")
		default:
			r.Expect(t, http.StatusTooManyRequests, "RateLimitError")
			limited++
		}
	}
	if limited != 60-limit+1 {
		t.Fatalf("%d attempts refused, want %d", limited, 60-limit+1)
	}
	// The owner: from the address of an earlier sign-in, and from the sign-up address.
	from(t, s, "203.0.113.60", "POST", "/user/login", login(owner.Password)).Expect(t, http.StatusOK, "")
	s.Post(t, "/user/login", "", login(owner.Password)).Expect(t, http.StatusOK, "")
	g := s.Do(t, apitest.Req{Method: "POST", Path: "/graphql", Header: map[string]string{"X-Forwarded-For": "203.0.113.60"},
		JSON: map[string]any{"query": `mutation { login(input: {username: "guarded_owner", password: "correct-horse-1"}) { accessToken } }`}})
	if g.GQLError() != "" {
		t.Fatalf("owner's GraphQL login: %s", g.Raw)
	}
	// Anyone else is refused, GraphQL included, even with the right password.
	from(t, s, "192.0.2.77", "POST", "/user/login", login(owner.Password)).Expect(t, http.StatusTooManyRequests, "RateLimitError")
	g = s.Do(t, apitest.Req{Method: "POST", Path: "/graphql", Header: map[string]string{"X-Forwarded-For": "192.0.2.78"},
		JSON: map[string]any{"query": `mutation { login(input: {username: "guarded_owner", password: "wrong-password"}) { accessToken } }`}})
	if g.GQLError() != "RATE_LIMITED" {
		t.Fatalf("GraphQL login from a new address past the limit: %s", g.Raw)
	}
	// By email the account is counted under its address, as typed.
	emailLogin := map[string]any{"email": owner.Email, "password": "wrong-password", "userAgent": testUA}
	from(t, s, "192.0.2.79", "POST", "/user/login", emailLogin).Expect(t, http.StatusUnauthorized, "Unauthorized")

	// An unknown account is limited alike, so a 429 tells nothing about whether one exists.
	nobody := map[string]any{"username": "nobody_here", "password": "wrong-password", "userAgent": testUA}
	for i := 0; i < limit; i++ {
		from(t, s, fmt.Sprintf("198.51.101.%d", i), "POST", "/user/login", nobody).Expect(t, http.StatusUnauthorized, "Unauthorized")
	}
	from(t, s, "198.51.101.200", "POST", "/user/login", nobody).Expect(t, http.StatusTooManyRequests, "RateLimitError")
}

// Code attempts (2FA, email verification) are limited per account the same way.
func TestCodeAttemptsLimitedPerAccount(t *testing.T) {
	const limit = 3
	t.Run("2fa", func(t *testing.T) {
		s := apitest.New(t, with2FA, behindProxy(limit))
		u := twoFactorUser(t, s, "guarded_twofa") // signed in from 127.0.0.1
		hash, code := challenge(t, s, u)
		body := func(c string) map[string]any {
			return map[string]any{"target": u.ID, "code": c, "sessionHash": hash}
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for i := 0; i < limit; i++ {
			from(t, s, fmt.Sprintf("198.51.100.%d", i), "POST", "/user/do-2fa", body(wrong)).Expect(t, http.StatusBadRequest, "ClientInputError")
		}
		from(t, s, "198.51.100.99", "POST", "/user/do-2fa", body(code)).Expect(t, http.StatusTooManyRequests, "RateLimitError")
		s.Post(t, "/user/do-2fa", "", body(code)).Expect(t, http.StatusOK, "")
	})
	t.Run("verify-email", func(t *testing.T) {
		s := apitest.New(t, behindProxy(limit))
		r := from(t, s, "203.0.113.70", "POST", "/user/create", map[string]any{
			"username": "guarded_verify", "password": "correct-horse-1", "email": "guarded_verify@example.com",
			"firstName": "Test", "lastName": "User"}).Expect(t, http.StatusCreated, "")
		id := r.Data()["user"].(map[string]any)["_id"].(string)
		code := s.Mail.Code(t, "guarded_verify@example.com")
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		path := func(c string) string { return fmt.Sprintf("/user/verify-email?target=%s&code=%s", id, c) }
		for i := 0; i < limit; i++ {
			from(t, s, fmt.Sprintf("198.51.100.%d", i), "GET", path(wrong), nil).Expect(t, http.StatusBadRequest, "ClientInputError")
		}
		from(t, s, "198.51.100.99", "GET", path(code), nil).Expect(t, http.StatusTooManyRequests, "RateLimitError")
		// The sign-up address is the owner's.
		from(t, s, "203.0.113.70", "GET", path(code), nil).Expect(t, http.StatusOK, "")
	})
}
