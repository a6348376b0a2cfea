// Package oauth is usergraph's OAuth 2 server: /oauth/authorize, /oauth/token, /oauth/revoke
// and /oauth/introspect, built on github.com/ory/fosite. fosite parses and validates the
// requests (client authentication, redirect URIs, PKCE, code and refresh-token rotation and
// reuse detection); this package adds Liquid's rules (scopes, roles, the session cookie) and
// ties every token to an auth Session row, so the resource middleware (auth.Authenticate)
// accepts OAuth access tokens and revoking the session kills them at once.
package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/oauth2"
	fositehmac "github.com/ory/fosite/token/hmac"

	"usergraph/ent"
	"usergraph/internal/access"
	"usergraph/internal/auth"
	"usergraph/internal/config"
	"usergraph/internal/scopes"
)

// ScopeIntrospect is the scope a client token needs to call /oauth/introspect.
const ScopeIntrospect = "client:oauth:introspect"

// Service is the OAuth 2 server.
type Service struct {
	db       *ent.Client
	cfg      *config.Config
	auth     *auth.Service
	scopes   *scopes.Registry
	access   *access.Service
	log      *slog.Logger
	provider fosite.OAuth2Provider
	store    *store
	strategy *tokenStrategy
	now      func() time.Time
}

// New builds the server. key is the server's token signing key; the secret that signs
// authorization codes and refresh tokens is derived from it, so every instance agrees.
func New(db *ent.Client, cfg *config.Config, authSvc *auth.Service, acc *access.Service, reg *scopes.Registry, key []byte, log *slog.Logger) (*Service, error) {
	if len(key) < 32 {
		return nil, errors.New("oauth: signing key shorter than 32 bytes")
	}
	s := &Service{db: db, cfg: cfg, auth: authSvc, access: acc, scopes: reg, log: log, now: func() time.Time { return time.Now().UTC() }}
	s.store = &store{svc: s}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("usergraph oauth2 code and refresh token secret"))
	fc := &fosite.Config{
		AccessTokenLifespan:   cfg.OAuth.AccessTokenLifetime,
		RefreshTokenLifespan:  cfg.OAuth.RefreshTokenLifetime,
		AuthorizeCodeLifespan: cfg.OAuth.AuthorizationCodeLifetime,
		GlobalSecret:          mac.Sum(nil),
		// Liquid's hierarchical scope check instead of fosite's wildcard matching.
		ScopeStrategy: func(granted []string, scope string) bool { return reg.Allowed(scope, granted) },
		// PKCE: S256 only; always for public clients, for everyone with oauth.authorization.require-pkce.
		EnforcePKCE:                    cfg.OAuth.RequirePKCE,
		EnforcePKCEForPublicClients:    true,
		EnablePKCEPlainChallengeMethod: false,
		// Any non-empty state, as Liquid (allowEmptyState: false); Authorize refuses an empty one.
		MinParameterEntropy: 1,
		// Registered redirect URIs are used as registered; Authorize requires an exact match, so
		// fosite's https-or-localhost rule would only break clients Liquid accepts.
		RedirectSecureChecker: func(context.Context, *url.URL) bool { return true },
		// Liquid's redirect carries code and state only.
		OmitRedirectScopeParam: true,
		// Refresh tokens for every client holding the refresh_token grant, not only for "offline".
		RefreshTokenScopes:           []string{},
		ClientAuthenticationStrategy: s.authenticateClient,
		SendDebugMessagesToClients:   false,
	}
	s.strategy = &tokenStrategy{
		HMACSHAStrategyUnPrefixed: oauth2.NewHMACSHAStrategyUnPrefixed(&fositehmac.HMACStrategy{Config: fc}, fc),
		auth:                      authSvc,
	}
	s.provider = compose.Compose(fc, s.store, s.strategy,
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2TokenRevocationFactory,
		// After the explicit factory: the PKCE handler needs the code it issued.
		compose.OAuth2PKCEFactory,
	)
	return s, nil
}

// Error is an OAuth error answer, {"error":Name,"error_description":Description}.
type Error struct {
	Name, Description string
	// Status is the HTTP status of the JSON answer: 401 for every OAuth error, as Liquid (its
	// tests assert it); 500 for the server's own failures, which a client must not mistake for
	// bad credentials and throw its refresh token away.
	Status int
	// Redirect, when set, is where /oauth/authorize sends the browser instead: the client's
	// redirect_uri carrying error, error_description and state.
	Redirect string
	cause    error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return e.Name + ": " + e.Description + ": " + e.cause.Error()
	}
	return e.Name + ": " + e.Description
}

func (e *Error) Unwrap() error { return e.cause }

// Body is the JSON answer.
func (e *Error) Body() map[string]string {
	return map[string]string{"error": e.Name, "error_description": e.Description}
}

func oauthError(name, description string) *Error {
	return &Error{Name: name, Description: description, Status: http.StatusUnauthorized}
}

// fromFosite turns whatever fosite returned into an Error. Unexpected errors are logged with
// their debug detail, which never reaches the client.
func (s *Service) fromFosite(ctx context.Context, err error) *Error {
	var own *Error
	if errors.As(err, &own) {
		return own
	}
	rfc := fosite.ErrorToRFC6749Error(err)
	e := &Error{Name: rfc.ErrorField, Description: rfc.GetDescription(), Status: http.StatusUnauthorized, cause: err}
	if rfc.CodeField >= 500 {
		s.log.ErrorContext(ctx, "oauth request failed", "error", rfc.ErrorField, "debug", rfc.Debug(), "cause", err)
		e.Name, e.Description, e.Status = "server_error", "The server failed to handle the request.", http.StatusInternalServerError
	}
	return e
}

func serverError(err error) *Error {
	return &Error{Name: "server_error", Description: "The server failed to handle the request.", Status: http.StatusInternalServerError, cause: err}
}

// logged logs a server error once, where it is made.
func (s *Service) logged(ctx context.Context, e *Error) *Error {
	if e.Status >= 500 {
		s.log.ErrorContext(ctx, "oauth request failed", "cause", e.cause)
	}
	return e
}

// meet is the scopes both lists allow: each scope of one list that the other allows. A scope is
// allowed by meet(a, b) exactly when it is allowed by a and by b, because two scopes that both
// allow a third lie on its ancestor chain and the deeper one is allowed by the other.
func (s *Service) meet(a, b []string) []string {
	x, _ := s.scopes.Narrow(a, b)
	y, _ := s.scopes.Narrow(b, a)
	out := x
	for _, sc := range y {
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// PurgeExpired deletes expired codes and tokens. Spent refresh tokens stay until they expire,
// so presenting one again is still recognised as reuse.
func (s *Service) PurgeExpired(ctx context.Context) error {
	_, err := s.db.OAuthToken.Delete().Where(oauthTokenExpiredBefore(s.now())).Exec(ctx)
	if err != nil {
		return fmt.Errorf("purge oauth tokens: %w", err)
	}
	return nil
}
