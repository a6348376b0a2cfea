package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"usergraph/internal/apperr"
	"usergraph/internal/config"
	"usergraph/internal/secret"
)

// stores returns the stores to test: memory always, Redis when one answers at REDIS_URL
// (default redis://127.0.0.1:6379/0).
func stores(t *testing.T) map[string]Store {
	out := map[string]Store{"memory": NewMemory()}
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	r, err := NewRedis(url, "usergraph-test:"+secret.Token(4)+":")
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if r.Ping(ctx) == nil {
			out["redis"] = r
			t.Cleanup(func() { r.Close() })
		} else {
			t.Log("no Redis at", url, "- testing the memory store only")
		}
	}
	return out
}

func TestTakeAllowsUpToLimitPerKey(t *testing.T) {
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			for i := 0; i < 3; i++ {
				if ok, err := st.Take(ctx, "a", 3, time.Minute); err != nil || !ok {
					t.Fatalf("take %d: ok=%v err=%v", i, ok, err)
				}
			}
			if ok, _ := st.Take(ctx, "a", 3, time.Minute); ok {
				t.Fatal("fourth take within the window was allowed")
			}
			if ok, _ := st.Take(ctx, "b", 3, time.Minute); !ok {
				t.Fatal("another key was limited")
			}
		})
	}
}

func TestTakeRefillsAfterWindow(t *testing.T) {
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			window := 200 * time.Millisecond
			for i := 0; i < 2; i++ {
				st.Take(ctx, "k", 2, window)
			}
			if ok, _ := st.Take(ctx, "k", 2, window); ok {
				t.Fatal("over the limit was allowed")
			}
			time.Sleep(2 * window)
			if ok, _ := st.Take(ctx, "k", 2, window); !ok {
				t.Fatal("not allowed again after the window")
			}
		})
	}
}

func TestRouteTier(t *testing.T) {
	cases := []struct {
		path string
		tier Tier
		ok   bool
	}{
		{"/user/me", Medium, true},
		{"/user/admin-api/list", Light, true},
		{"/user/client-api/list", "", false},
		{"/oauth/token", Medium, true},
		{"/oauth/introspect", "", false},
		{"/graphql", "", false},
		{"/health", "", false},
	}
	for _, c := range cases {
		tier, ok := routeTier(c.path)
		if tier != c.tier || ok != c.ok {
			t.Errorf("routeTier(%q) = %q, %v", c.path, tier, ok)
		}
	}
}

// Past an account's limit every address is refused except those known reports as the owner's;
// other accounts are not affected.
func TestCheckAccount(t *testing.T) {
	l := New(NewMemory(), config.RateLimit{AccountMax: 3, AccountWindow: time.Hour}, slog.New(slog.DiscardHandler))
	owner := func(_ context.Context, ip string) (bool, error) { return ip == "203.0.113.1", nil }
	for i := 0; i < 3; i++ {
		ctx := WithClient(context.Background(), fmt.Sprintf("198.51.100.%d", i))
		if err := l.CheckAccount(ctx, "login", "victim", owner); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	ctx := WithClient(context.Background(), "198.51.100.99")
	if err := l.CheckAccount(ctx, "login", "victim", owner); !apperr.Is(err, apperr.RateLimitError) {
		t.Fatalf("fourth attempt from a new address: %v, want RateLimitError", err)
	}
	if err := l.CheckAccount(ctx, "login", "victim", nil); !apperr.Is(err, apperr.RateLimitError) {
		t.Fatalf("without known: %v, want RateLimitError", err)
	}
	if err := l.CheckAccount(WithClient(context.Background(), "203.0.113.1"), "login", "victim", owner); err != nil {
		t.Fatalf("the owner's address: %v", err)
	}
	if err := l.CheckAccount(ctx, "login", "someone-else", owner); err != nil {
		t.Fatalf("another account: %v", err)
	}
	if err := l.CheckAccount(ctx, "2fa", "victim", owner); err != nil {
		t.Fatalf("another action: %v", err)
	}
	off := New(NewMemory(), config.RateLimit{AccountMax: 0, AccountWindow: time.Hour}, slog.New(slog.DiscardHandler))
	for i := 0; i < 10; i++ {
		if err := off.CheckAccount(ctx, "login", "victim", nil); err != nil {
			t.Fatalf("limit off: %v", err)
		}
	}
}
