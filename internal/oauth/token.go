package oauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/ory/fosite"

	"usergraph/internal/clients"
)

// Meta is recorded on the sessions a grant creates, as on login sessions.
type Meta struct{ IP, UserAgent string }

type metaKey struct{}

// Tokens is a successful /oauth/token answer.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
}

// Token handles POST /oauth/token with a form body (the REST layer turns JSON bodies into
// forms first): the authorization_code, refresh_token and client_credentials grants.
func (s *Service) Token(ctx context.Context, r *http.Request, meta Meta) (*Tokens, *Error) {
	if r.Method != http.MethodPost {
		return nil, oauthError("invalid_request", "The token endpoint takes POST only.")
	}
	if err := readForm(r); err != nil {
		return nil, err
	}
	// fosite answers an unknown grant with invalid_request; RFC 6749 §5.2 and Liquid say
	// unsupported_grant_type.
	grant := r.PostForm.Get("grant_type")
	switch grant {
	case "":
		return nil, oauthError("invalid_request", "Missing parameter: grant_type.")
	case clients.GrantAuthorizationCode, clients.GrantRefreshToken, clients.GrantClientCredentials:
	default:
		return nil, oauthError("unsupported_grant_type", "The grant type is not supported.")
	}
	ctx = context.WithValue(ctx, metaKey{}, meta)
	ar, err := s.provider.NewAccessRequest(ctx, r, &Session{})
	if err != nil {
		return nil, s.fromFosite(ctx, err)
	}
	if grant == clients.GrantClientCredentials {
		// The client acts for itself and gets what it asked for; fosite checked the client may
		// request it. No default: RFC 6749 §3.3 lets a server refuse a missing scope.
		if len(ar.GetRequestedScopes()) == 0 {
			return nil, oauthError("invalid_scope", "Missing parameter: scope.")
		}
		for _, sc := range ar.GetRequestedScopes() {
			ar.GrantScope(sc)
		}
	}
	resp, err := s.provider.NewAccessResponse(ctx, ar)
	if errors.Is(err, errSpent) || errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) {
		// Another request spent the same code or refresh token a moment earlier. A credential
		// presented twice revokes what was issued from it, concurrently or not.
		if rerr := s.store.revokeRequest(ctx, ar.GetID()); rerr != nil {
			return nil, s.logged(ctx, serverError(rerr))
		}
		return nil, oauthError("invalid_grant", "The authorization code or refresh token was already used.")
	}
	if err != nil {
		return nil, s.fromFosite(ctx, err)
	}
	t := &Tokens{
		AccessToken: resp.GetAccessToken(),
		TokenType:   "Bearer",
		ExpiresIn:   int(s.cfg.OAuth.AccessTokenLifetime / time.Second),
		Scope:       strings.Join(ar.GetGrantedScopes(), " "),
	}
	if rt, ok := resp.GetExtra("refresh_token").(string); ok {
		t.RefreshToken = rt
	}
	return t, nil
}

// Revoke handles POST /oauth/revoke (RFC 7009): the client authenticates as at /oauth/token,
// and the session behind the token (access or refresh) is revoked, ending every token of its
// grant. Unknown tokens, and tokens of other clients, are answered like success so nobody can
// probe for tokens.
func (s *Service) Revoke(ctx context.Context, r *http.Request) *Error {
	if r.Method != http.MethodPost {
		return oauthError("invalid_request", "The revocation endpoint takes POST only.")
	}
	if err := readForm(r); err != nil {
		return err
	}
	if r.PostForm.Get("token") == "" {
		return oauthError("invalid_request", "Missing parameter: token.")
	}
	err := s.provider.NewRevocationRequest(ctx, r)
	if err == nil {
		return nil
	}
	e := s.fromFosite(ctx, err)
	switch e.Name {
	case "invalid_request", "invalid_client", "server_error":
		return e
	}
	return nil
}
