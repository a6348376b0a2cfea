package tests

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// boundedHashing runs password hashes one at a time with at most queue waiting.
func boundedHashing(queue int) func(*config.Config) {
	return func(c *config.Config) { c.PasswordHash.Concurrency, c.PasswordHash.Queue = 1, queue }
}

// While every hashing slot is busy and the queue is full, a login, a sign-up or a GraphQL
// login is refused at once with 503 ServiceUnavailable and Retry-After; once a slot frees,
// the same login succeeds.
func TestPasswordHashingBoundRefusesWithRetryAfter(t *testing.T) {
	s := apitest.New(t, boundedHashing(0))
	u := s.NewUser(t, "hash_bound")

	release := make(chan struct{})
	running := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = s.App.Accounts.Hashing().Do(context.Background(), func() { close(running); <-release })
	}()
	<-running

	r := restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusServiceUnavailable, "ServiceUnavailable")
	if got := r.Header.Get("Retry-After"); got != "1" {
		t.Fatalf("login: Retry-After %q, want 1", got)
	}
	r = s.Post(t, "/user/create", "", map[string]any{"username": "hash_bound_2", "password": "correct-horse-1",
		"email": "hash_bound_2@example.com", "firstName": "Test", "lastName": "User"}).Expect(t, http.StatusServiceUnavailable, "ServiceUnavailable")
	if r.Header.Get("Retry-After") == "" {
		t.Fatalf("sign-up: no Retry-After: %v", r.Header)
	}
	g := s.GraphQL(t, "", `mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }`,
		map[string]any{"u": u.Username, "p": u.Password})
	e := expectGQLError(t, g, "ServiceUnavailable")
	if ext, _ := e["extensions"].(map[string]any); ext["retryAfter"] != float64(1) {
		t.Fatalf("GraphQL login: extensions %v, want retryAfter 1", ext)
	}
	// A token check needs no hash: it is served as usual.
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusOK, "")

	close(release)
	wg.Wait()
	restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusOK, "")
}

// A burst of concurrent logins against one slot and a tiny queue: each is answered 200 or 503
// with Retry-After, never 500.
func TestPasswordHashingBurstNeverFails(t *testing.T) {
	s := apitest.New(t, boundedHashing(1))
	u := s.NewUser(t, "hash_burst")
	const n = 12
	out := make([]*apitest.Response, n)
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = s.Post(t, "/user/login", "", map[string]any{"username": u.Username, "password": u.Password, "userAgent": testUA})
		}()
	}
	wg.Wait()
	ok := 0
	for _, r := range out {
		switch r.Status {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
			if r.Error() != "ServiceUnavailable" || r.Header.Get("Retry-After") != "1" {
				t.Fatalf("503 without its code or Retry-After: %v %s", r.Header, r.Raw)
			}
		default:
			t.Fatalf("login in a burst: %d %s", r.Status, r.Raw)
		}
	}
	if ok == 0 {
		t.Fatal("no login of the burst succeeded")
	}
}
