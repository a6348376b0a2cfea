// Package ratelimit counts requests per key and refuses those over a limit, Liquid's tiers:
// extreme (sign-up, codes, 2FA), heavy (login), medium (most REST routes) and light (admin
// APIs). Counters live in memory for one instance, or in Redis when several instances share
// the limits.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"usergraph/internal/apperr"
	"usergraph/internal/config"
	"usergraph/internal/metrics"
)

// Tier is a class of routes sharing a limit per window.
type Tier string

const (
	Light   Tier = "light"
	Medium  Tier = "medium"
	Heavy   Tier = "heavy"
	Extreme Tier = "extreme"
)

// Store counts requests.
type Store interface {
	// Take records one request under key and reports whether it is within limit per window.
	Take(ctx context.Context, key string, limit int, window time.Duration) (bool, error)
}

// Limiter applies the configured tiers.
type Limiter struct {
	store   Store
	cfg     config.RateLimit
	log     *slog.Logger
	metrics *metrics.Metrics
}

// SetMetrics makes the limiter count its rejections in m.
func (l *Limiter) SetMetrics(m *metrics.Metrics) { l.metrics = m }

// New returns a Limiter over store.
func New(store Store, cfg config.RateLimit, log *slog.Logger) *Limiter {
	return &Limiter{store: store, cfg: cfg, log: log}
}

func (l *Limiter) limit(t Tier) int {
	switch t {
	case Light:
		return l.cfg.Light
	case Heavy:
		return l.cfg.Heavy
	case Extreme:
		return l.cfg.Extreme
	default:
		return l.cfg.Medium
	}
}

type clientKey struct{}

// WithClient records who is calling (the client IP) for Check.
func WithClient(ctx context.Context, who string) context.Context {
	return context.WithValue(ctx, clientKey{}, who)
}

// Check counts one request of action by the caller recorded with WithClient against tier and
// returns a RateLimitError when it is over. A store failure lets the request through (and is
// logged): an outage of Redis must not take logins down with it.
func (l *Limiter) Check(ctx context.Context, tier Tier, action string) error {
	who, _ := ctx.Value(clientKey{}).(string)
	err := l.check(ctx, tier, action, who)
	if err != nil {
		l.metrics.RateLimited(string(tier), action)
	}
	return err
}

func (l *Limiter) check(ctx context.Context, tier Tier, action, who string) error {
	if l == nil {
		return nil
	}
	ok, err := l.store.Take(ctx, string(tier)+":"+action+":"+who, l.limit(tier), l.cfg.Window)
	if err != nil {
		l.log.Error("rate limit store failed; allowing the request", "err", err)
		return nil
	}
	if !ok {
		return apperr.New(apperr.RateLimitError, nil)
	}
	return nil
}

// CheckAccount counts one attempt of action against an account (a username, an email, a user
// id), whoever makes it: per-address limits alone let an attacker with many addresses guess at
// one account without end. To keep that attacker from locking the owner out, an attempt over
// the account's limit still passes when known reports that the caller's address is one the
// account has signed in from; known is asked only then, so the usual path costs one count.
func (l *Limiter) CheckAccount(ctx context.Context, action, account string, known func(ctx context.Context, ip string) (bool, error)) error {
	if l == nil || l.cfg.AccountMax <= 0 {
		return nil
	}
	// Hashed: the key must not put addresses into Redis, and its length stays bounded.
	sum := sha256.Sum256([]byte(account))
	key := "account:" + action + ":" + hex.EncodeToString(sum[:16])
	ok, err := l.store.Take(ctx, key, l.cfg.AccountMax, l.cfg.AccountWindow)
	if err != nil {
		l.log.Error("rate limit store failed; allowing the request", "err", err)
		return nil
	}
	if ok {
		return nil
	}
	if who, _ := ctx.Value(clientKey{}).(string); who != "" && known != nil {
		isKnown, err := known(ctx, who)
		if err != nil {
			return err
		}
		if isKnown {
			return nil
		}
	}
	l.metrics.RateLimited("account", action)
	return apperr.New(apperr.RateLimitError, nil)
}

// Middleware records the caller's IP for Check and applies Liquid's per-route tiers to the REST
// API: light for admin APIs, medium for the rest of /user, /client, /roles, /system and /oauth;
// client APIs and introspection are not limited. Sign-up, login and code operations are
// limited again, more strictly, by the domain, on REST and GraphQL alike.
func (l *Limiter) Middleware(ip func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := ip(r)
		r = r.WithContext(WithClient(r.Context(), who))
		if tier, ok := routeTier(r.URL.Path); ok {
			action := "all"
			if l.cfg.CountByRoute {
				action = r.Method + " " + r.URL.Path
			}
			if err := l.check(r.Context(), tier, action, who); err != nil {
				l.metrics.RateLimited(string(tier), "route")
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.Header().Set("Retry-After", strconv.Itoa(int(l.cfg.Window/time.Second)))
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"ok":0,"error":"RateLimitError"}` + "\n"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func routeTier(path string) (Tier, bool) {
	switch {
	case strings.Contains(path, "/client-api/") || strings.HasPrefix(path, "/oauth/introspect"):
		return "", false
	case strings.Contains(path, "/admin-api/"):
		return Light, true
	}
	for _, p := range []string{"/user/", "/client", "/roles/", "/system/", "/oauth/"} {
		if strings.HasPrefix(path, p) {
			return Medium, true
		}
	}
	return "", false
}

// Memory is a per-instance store: a token bucket per key that refills limit tokens per window.
type Memory struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{buckets: map[string]*bucket{}, swept: time.Now()} }

func (m *Memory) Take(_ context.Context, key string, limit int, window time.Duration) (bool, error) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.swept) > window {
		// Forget idle keys, so the map does not grow with every address ever seen.
		for k, b := range m.buckets {
			if now.Sub(b.seen) > window {
				delete(m.buckets, k)
			}
		}
		m.swept = now
	}
	b, ok := m.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(window/time.Duration(limit)), limit)}
		m.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1), nil
}

// Redis is a store shared by every instance: a fixed window counter per key.
type Redis struct {
	client *redis.Client
	prefix string
}

// NewRedis connects to the Redis named by url (redis:// or rediss://).
func NewRedis(url, prefix string) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	return &Redis{client: redis.NewClient(opt), prefix: prefix + "rate_limiter:"}, nil
}

// Ping checks the connection.
func (r *Redis) Ping(ctx context.Context) error { return r.client.Ping(ctx).Err() }

// Close closes the connection pool.
func (r *Redis) Close() error { return r.client.Close() }

// takeScript increments the window's counter, starting its expiry on the first hit.
var takeScript = redis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[1]) end
return n`)

func (r *Redis) Take(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	slot := time.Now().UnixMilli() / window.Milliseconds()
	k := r.prefix + key + ":" + strconv.FormatInt(slot, 10)
	n, err := takeScript.Run(ctx, r.client, []string{k}, window.Milliseconds()).Int64()
	if err != nil {
		return false, err
	}
	return n <= int64(limit), nil
}
