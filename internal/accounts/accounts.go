// Package accounts holds the account operations: sign-up, email verification, login and 2FA,
// logout, password reset and the user's own profile. REST handlers and GraphQL resolvers call
// these functions and nothing else; authorization (scopes, bans) is enforced here.
package accounts

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"usergraph/ent"
	"usergraph/internal/access"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/config"
	"usergraph/internal/db"
	"usergraph/internal/hashing"
	"usergraph/internal/mail"
	"usergraph/internal/metrics"
	"usergraph/internal/ratelimit"
	"usergraph/internal/rules"
	"usergraph/internal/scopes"
	"usergraph/internal/validate"
)

// Service runs the account operations.
type Service struct {
	db     *ent.Client
	cfg    *config.Config
	auth   *auth.Service
	scopes *scopes.Registry
	access *access.Service
	mailer mail.Sender
	limits *ratelimit.Limiter
	log    *slog.Logger
	now    func() time.Time
	social Social
	// metrics counts logins and sign-ups (nil: not counted).
	metrics *metrics.Metrics
	// rules are the input rules as the settings shape them.
	rules *rules.Set

	// outbox tracks mail being sent in the background, so shutdown can wait for it.
	outbox sync.WaitGroup
	// hashes bounds concurrent password hashing.
	hashes *hashing.Limiter
	// dummyHash is compared against when a login names no user, so both cases cost the same.
	dummyHash []byte
}

// New returns a Service.
// limits may be nil (no rate limiting).
func New(db *ent.Client, cfg *config.Config, a *auth.Service, acc *access.Service, m mail.Sender, limits *ratelimit.Limiter, log *slog.Logger) *Service {
	h, _ := bcrypt.GenerateFromPassword([]byte("usergraph-timing-equaliser"), hashing.Cost)
	return &Service{hashes: hashing.New(cfg.PasswordHash.Concurrency, cfg.PasswordHash.Queue), db: db, cfg: cfg, auth: a, scopes: acc.Scopes(), access: acc, mailer: m, limits: limits, log: log,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }, dummyHash: h,
		rules: rules.NewSet(cfg.Profile.UsernameRegex, cfg.Profile.NameRegex, cfg.Profile.PasswordRegex)}
}

// Rules are the input rules the operations check, shaped by the settings.
func (s *Service) Rules() *rules.Set { return s.rules }

// Scopes is the scope registry the service checks against.
func (s *Service) Scopes() *scopes.Registry { return s.scopes }

// Config is the configuration the service runs with.
func (s *Service) Config() *config.Config { return s.cfg }

// Fields is the raw input of an operation, as decoded from JSON (or built by a resolver), and
// where it came from ("body", "query" or "params"), which validation errors report.
type Fields struct {
	Location string
	Values   map[string]any
}

// Body wraps a JSON body.
func Body(v map[string]any) Fields { return Fields{Location: validate.Body, Values: v} }

// Query wraps query-string parameters.
func Query(v map[string]any) Fields { return Fields{Location: validate.Query, Values: v} }

func (f Fields) get(key string) any { return validate.Field(f.Values, key) }

func (f Fields) str(key string) string {
	s, _ := f.Values[key].(string)
	return s
}

// id reads an ObjectId-format id: ids are stored lowercase, and Liquid (Mongo) accepts either
// case.
func (f Fields) id(key string) string { return strings.ToLower(f.str(key)) }

func (f Fields) has(key string) bool {
	_, ok := f.Values[key]
	return ok
}

// Meta is what the transport knows about the request.
type Meta struct {
	IP        string
	UserAgent string
}

// Wait blocks until background mail has been handed to the mail server.
func (s *Service) Wait() { s.outbox.Wait() }

// send hands a message to the mailer in the background: the response must not wait for (or
// reveal, by its timing) whether a mail was sent.
func (s *Service) send(m mail.Message) {
	s.outbox.Add(1)
	go func() {
		defer s.outbox.Done()
		ctx, cancel := context.WithTimeout(context.Background(), mail.Timeout+5*time.Second)
		defer cancel()
		if err := s.mailer.Send(ctx, m); err != nil {
			s.log.Error("sending mail failed", "to", m.To, "err", err)
		}
	}()
}

// requireScope checks the caller may use scope (the session check, internal/access).
func (s *Service) requireScope(ctx context.Context, scope string) (*access.Caller, error) {
	return s.access.Require(ctx, access.Session(scope))
}

// requireUser is requireScope for operations only a user (not a client) can perform.
func (s *Service) requireUser(ctx context.Context, scope string) (*access.Caller, error) {
	return s.access.RequireUser(ctx, access.Session(scope))
}

// EffectiveScope is what a token granted to u may carry: u's own scopes and its role's, as the
// roles table has them now.
func (s *Service) EffectiveScope(ctx context.Context, u *ent.User) ([]string, error) {
	return s.access.EffectiveScope(ctx, u)
}

// Access is the authorization service the operations check with.
func (s *Service) Access() *access.Service { return s.access }

// Hashing is the bound every password hash runs behind (internal/hashing).
func (s *Service) Hashing() *hashing.Limiter { return s.hashes }

// hashPassword hashes with bcrypt (cost 10, as Liquid's, so migrated hashes verify alike),
// behind the hashing bound: it fails with 503 ServiceUnavailable when too many wait.
func (s *Service) hashPassword(ctx context.Context, p string) (string, error) {
	h, err := s.hashes.Hash(ctx, p)
	if err != nil && !apperr.Is(err, apperr.ServiceUnavailable) {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, err
}

// passwordMatches compares in constant time (bcrypt does), behind the hashing bound; an empty
// hash never matches. The error is only ever the bound's refusal (or ctx's end).
func (s *Service) passwordMatches(ctx context.Context, hash, password string) (bool, error) {
	if hash == "" {
		_, err := s.hashes.Compare(ctx, s.dummyHash, password)
		return false, err
	}
	return s.hashes.Compare(ctx, []byte(hash), password)
}

// withTx runs fn in one transaction, run again when it loses a deadlock or lock race with a
// concurrent change (sign-up locks rows the social graph also locks). fn must have no effects
// outside the transaction.
func withTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	return db.WithRetry(ctx, client, fn, nil)
}

func inputErr(c *validate.Checker) error {
	if errs := c.Errors(); errs != nil {
		return apperr.Input(errs)
	}
	return nil
}
