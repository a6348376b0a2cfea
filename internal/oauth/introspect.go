package oauth

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/ory/fosite"

	"usergraph/ent"
	"usergraph/internal/access"
	"usergraph/internal/apperr"
)

// Kinds of introspected token.
const (
	TokenAccess  = "access_token"
	TokenRefresh = "refresh_token"
)

// TokenInfo describes a live token.
type TokenInfo struct {
	Kind      string // TokenAccess or TokenRefresh
	ClientID  string // "" for a first-party token (GraphQL login)
	Subject   string // the user id, or the client id for client_credentials
	Scope     []string
	IssuedAt  time.Time
	ExpiresAt time.Time
	User      *ent.User        // nil for a client token
	Client    *ent.OAuthClient // nil for a first-party token
}

// Introspect handles /oauth/introspect (liquid-behaviour.md §7.3, RFC 7662). The caller is a
// client token (client_credentials) whose scope, and whose client's current scope, allow
// client:oauth:introspect. It returns nil for a token that is unknown, expired, revoked, or
// whose user is banned: exactly the tokens the API would refuse. location names where token
// was read from, for the validation error.
func (s *Service) Introspect(ctx context.Context, token, location string) (*TokenInfo, error) {
	// A client API: client tokens only, with the session check (the token's scope and the
	// client's current scope, so a scope removed from the client takes effect at once).
	if _, err := s.access.Through(ctx, access.ViaClient, access.Session(ScopeIntrospect)); err != nil {
		return nil, err
	}
	if token == "" {
		return nil, apperr.Field(location, "token")
	}
	return s.tokenInfo(ctx, token)
}

func (s *Service) tokenInfo(ctx context.Context, token string) (*TokenInfo, error) {
	// An access token is any JWT the API accepts, OAuth or first-party.
	id, claims, err := s.auth.Inspect(ctx, token)
	if err == nil {
		info := &TokenInfo{Kind: TokenAccess, ClientID: id.ClientID, Subject: claims.Subject, Scope: id.Scope,
			IssuedAt: claims.IssuedAt, ExpiresAt: claims.ExpiresAt, User: id.User}
		return s.withClient(ctx, info)
	}
	if !refused(err) {
		return nil, err
	}
	// A refresh token: found only while active, unexpired, with a live session.
	req, err := s.store.GetRefreshTokenSession(ctx, s.strategy.RefreshTokenSignature(ctx, token), nil)
	if err != nil {
		return nil, nil
	}
	if err := s.strategy.ValidateRefreshToken(ctx, req, token); err != nil {
		return nil, nil
	}
	sess := req.GetSession().(*Session)
	live, err := s.auth.LiveSession(ctx, sess.SessionID)
	if err != nil {
		if refused(err) {
			return nil, nil
		}
		return nil, err
	}
	info := &TokenInfo{Kind: TokenRefresh, ClientID: req.GetClient().GetID(), Subject: sess.UserID, Scope: req.GetGrantedScopes(),
		IssuedAt: req.GetRequestedAt(), ExpiresAt: sess.GetExpiresAt(fosite.RefreshToken), User: live.User}
	if info.Subject == "" {
		info.Subject = info.ClientID
	}
	return s.withClient(ctx, info)
}

func (s *Service) withClient(ctx context.Context, info *TokenInfo) (*TokenInfo, error) {
	if info.ClientID == "" {
		return info, nil
	}
	c, err := s.findClient(ctx, info.ClientID)
	if err != nil {
		return nil, err
	}
	if c != nil {
		info.Client = c.c
	}
	return info, nil
}

// refused reports whether err is the API refusing a token, rather than a failure.
func refused(err error) bool {
	return apperr.Is(err, apperr.Unauthorized) || apperr.Is(err, apperr.Banned)
}

// IntrospectForClient handles /oauth/introspect for a client that authenticates with its own
// credentials (RFC 7662 §2.1: HTTP Basic, or client_id and client_secret in the form), as
// standard resource servers do. The client must be confidential and its current scope (its own
// and its role's) must allow client:oauth:introspect. It returns nil for an inactive token.
func (s *Service) IntrospectForClient(ctx context.Context, r *http.Request) (*TokenInfo, *Error) {
	if r.Method != http.MethodPost {
		return nil, &Error{Name: "invalid_request", Description: "The introspection endpoint takes POST only.", Status: http.StatusBadRequest}
	}
	if err := readForm(r); err != nil {
		err.Status = http.StatusBadRequest
		return nil, err
	}
	form := url.Values{}
	for k, v := range r.PostForm {
		// No grant_type: authenticateClient must not apply a grant's exceptions here.
		if k != "grant_type" {
			form[k] = v
		}
	}
	fc, err := s.authenticateClient(ctx, r, form)
	if err != nil {
		e := s.fromFosite(ctx, err)
		if e.Status < 500 {
			e.Status = http.StatusUnauthorized
		}
		return nil, e
	}
	c := fc.(*client)
	if c.IsPublic() {
		// A public client has no secret, so nothing proves who is asking.
		return nil, &Error{Name: "invalid_client", Description: "A public client cannot introspect tokens.", Status: http.StatusUnauthorized}
	}
	if !s.scopes.Allowed(ScopeIntrospect, c.scope) {
		return nil, &Error{Name: "insufficient_scope", Description: "The client's scope does not allow " + ScopeIntrospect + ".", Status: http.StatusForbidden}
	}
	token := r.PostForm.Get("token")
	if token == "" {
		return nil, &Error{Name: "invalid_request", Description: "Missing parameter: token.", Status: http.StatusBadRequest}
	}
	info, ierr := s.tokenInfo(ctx, token)
	if ierr != nil {
		return nil, s.logged(ctx, serverError(ierr))
	}
	return info, nil
}
