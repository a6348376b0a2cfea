package oauth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"usergraph/ent"
	"usergraph/internal/apperr"
	"usergraph/internal/clients"
	"usergraph/internal/scopes"
)

// Authorization is an issued authorization code.
type Authorization struct {
	Code, State string
	// Redirect is redirect_uri?code=…&state=… when oauth.authorization.enable-redirect is on;
	// otherwise the answer is JSON {code, state}.
	Redirect string
}

// Authorize handles /oauth/authorize (GET or POST; parameters from the query or a form body)
// for the user of the browser session cookie set by POST /user/login.
//
// Errors about the client or its redirect_uri are never redirected (the redirect target is
// what is in doubt), nor is a missing session: those are 401 JSON. Once both are known good,
// errors go back to redirect_uri with error, error_description and state (or are 401 JSON when
// redirects are off).
func (s *Service) Authorize(ctx context.Context, r *http.Request, cookie string) (*Authorization, *Error) {
	if err := readForm(r); err != nil {
		return nil, err
	}
	form := r.Form

	c, err := s.findClient(ctx, form.Get("client_id"))
	if err != nil {
		return nil, s.logged(ctx, serverError(err))
	}
	if c == nil {
		return nil, oauthError("invalid_client", "The client does not exist.")
	}
	redirectURI := form.Get("redirect_uri")
	target, perr := url.Parse(redirectURI)
	// Exact string match, as Liquid: no loopback port or prefix leniency.
	if redirectURI == "" || perr != nil || !target.IsAbs() || !slices.Contains(c.c.RedirectUris, redirectURI) {
		return nil, oauthError("invalid_request", "The redirect_uri is missing or is not registered for this client.")
	}
	state := form.Get("state")
	back := func(e *Error) *Error {
		if s.cfg.OAuth.EnableRedirect {
			e.Redirect = withQuery(target, "error", e.Name, "error_description", e.Description, "state", state)
		}
		return e
	}

	id, err := s.auth.CookieSession(ctx, cookie)
	switch {
	case apperr.Is(err, apperr.Banned):
		return nil, oauthError("access_denied", "The account is banned.")
	case apperr.Is(err, apperr.Unauthorized) || err == nil && id.User == nil:
		return nil, oauthError("login_required", "Log in with POST /user/login first; the session is missing, has ended or was revoked.")
	case err != nil:
		return nil, s.logged(ctx, serverError(err))
	}

	if state == "" {
		return nil, back(oauthError("invalid_request", "Missing parameter: state."))
	}
	if !clients.HasGrant(c.c, clients.GrantAuthorizationCode) {
		return nil, back(oauthError("unauthorized_client", "The client may not use the authorization_code grant."))
	}
	if len(scopes.Parse(form.Get("scope"))) == 0 {
		return nil, back(oauthError("invalid_scope", "Missing parameter: scope."))
	}
	// fosite checks response_type, that the client may request every scope, and PKCE.
	ar, err := s.provider.NewAuthorizeRequest(ctx, r)
	if err != nil {
		return nil, back(s.fromFosite(ctx, err))
	}
	granted, e := s.grantScope(ctx, c, id.User, ar.GetRequestedScopes())
	if e != nil {
		return nil, back(e)
	}
	for _, sc := range granted {
		ar.GrantScope(sc)
	}
	resp, err := s.provider.NewAuthorizeResponse(ctx, ar, &Session{UserID: id.User.ID, LoginSessionID: id.Session.ID})
	if err != nil {
		return nil, back(s.fromFosite(ctx, err))
	}
	out := &Authorization{Code: resp.GetCode(), State: state}
	if s.cfg.OAuth.EnableRedirect {
		out.Redirect = withQuery(target, "code", out.Code, "state", state)
	}
	return out, nil
}

// grantScope applies Liquid's rules (liquid-behaviour.md §7.3) once fosite has checked that the
// client may request every scope.
func (s *Service) grantScope(ctx context.Context, c *client, u *ent.User, requested []string) ([]string, *Error) {
	own, err := s.access.EffectiveScope(ctx, u)
	if err != nil {
		return nil, serverError(err)
	}
	if c.c.Role == clients.RoleInternal {
		// An internal client gets the user's whole scope whatever it asked for, as in Liquid,
		// limited to what the client itself may hold, so the token states what it can do
		// (every check also compares it with the client's current scope: docs/access.md).
		return s.meet(own, c.scope), nil
	}
	for _, sc := range requested {
		if !s.scopes.Allowed(sc, own) {
			return nil, oauthError("invalid_scope", fmt.Sprintf("The user may not grant scope '%s'.", sc))
		}
	}
	return requested, nil
}

// readForm parses the query and a form body, and rewrites scope with spaces: Liquid's docs
// separate scopes with commas, its server with spaces, and fosite splits on spaces only.
func readForm(r *http.Request) *Error {
	if err := r.ParseForm(); err != nil {
		return oauthError("invalid_request", "The request parameters could not be read.")
	}
	for _, f := range []url.Values{r.Form, r.PostForm} {
		if v, ok := f["scope"]; ok && len(v) > 0 {
			f["scope"] = []string{strings.Join(scopes.Parse(v[0]), " ")}
		}
	}
	return nil
}

// withQuery adds parameters to a registered redirect URI, keeping the query it already has.
func withQuery(u *url.URL, kv ...string) string {
	c := *u
	q := c.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	c.RawQuery = q.Encode()
	return c.String()
}
