package liquid

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"usergraph/internal/access"
	"usergraph/internal/auth"
	"usergraph/internal/clientip"
	"usergraph/internal/oauth"
)

// registerOAuth adds the OAuth 2 routes. /oauth/authorize, /oauth/token and /oauth/introspect
// take every method, as Liquid's router.all does; the domain refuses what does not fit.
func (a *API) oauthRoutes() []Route {
	if a.OAuth == nil {
		return nil
	}
	pub := access.Requirement{}
	return []Route{
		{"GET /oauth/authorize", a.oauthAuthorize, pub},
		{"POST /oauth/authorize", a.oauthAuthorize, pub},
		// GET is routed too, so it gets OAuth's invalid_request rather than a 404.
		{"GET /oauth/token", a.oauthToken, pub},
		{"POST /oauth/token", a.oauthToken, pub},
		{"POST /oauth/revoke", a.oauthRevoke, pub},
		{"GET /oauth/introspect", a.oauthIntrospect, access.Session(oauth.ScopeIntrospect)},
		{"POST /oauth/introspect", a.oauthIntrospect, access.Session(oauth.ScopeIntrospect)},
		{"GET /.well-known/oauth-authorization-server", a.wellKnown, pub},
		{"GET /.well-known/openid-configuration", a.wellKnown, pub},
	}
}

func (a *API) oauthAuthorize(w http.ResponseWriter, r *http.Request) {
	if e := formBody(r); e != nil {
		oauthFail(w, r, e)
		return
	}
	res, e := a.OAuth.Authorize(r.Context(), r, a.cookie(r))
	if e != nil {
		oauthFail(w, r, e)
		return
	}
	if res.Redirect != "" {
		http.Redirect(w, r, res.Redirect, http.StatusFound)
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, map[string]string{"code": res.Code, "state": res.State})
}

func (a *API) oauthToken(w http.ResponseWriter, r *http.Request) {
	if e := formBody(r); e != nil {
		oauthFail(w, r, e)
		return
	}
	t, e := a.OAuth.Token(r.Context(), r, oauth.Meta{IP: clientip.From(r), UserAgent: r.UserAgent()})
	if e != nil {
		oauthFail(w, r, e)
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, t)
}

func (a *API) oauthRevoke(w http.ResponseWriter, r *http.Request) {
	if e := formBody(r); e != nil {
		oauthFail(w, r, e)
		return
	}
	if e := a.OAuth.Revoke(r.Context(), r); e != nil {
		oauthFail(w, r, e)
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, map[string]any{})
}

// oauthIntrospect serves both forms of /oauth/introspect. A client presenting its own
// credentials (HTTP Basic, or client_id and client_secret in the body) gets RFC 7662's answer;
// a client token (Liquid's form) gets Liquid's envelope {"ok":1,"data":{"tokenInfo":...}}.
func (a *API) oauthIntrospect(w http.ResponseWriter, r *http.Request) {
	if clientCredentials(r) {
		a.introspectRFC7662(w, r)
		return
	}
	f, err := fields(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	token, _ := f.Values["token"].(string)
	if token == "" && f.Location != "query" {
		// Liquid reads the token from the body or the query.
		token = r.URL.Query().Get("token")
	}
	info, err := a.OAuth.Introspect(r.Context(), token, f.Location)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	noStore(w)
	ok(w, http.StatusOK, map[string]any{"tokenInfo": liquidTokenInfo(info, token)})
}

// clientCredentials reports whether the caller authenticates as a client (RFC 7662 §2.1) rather
// than with a bearer token: HTTP Basic, or a client_secret in a form body.
func clientCredentials(r *http.Request) bool {
	if _, _, basic := r.BasicAuth(); basic {
		return true
	}
	if auth.BearerToken(r) != "" || r.Method != http.MethodPost ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return false
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	return r.ParseForm() == nil && r.PostForm.Get("client_secret") != ""
}

func (a *API) introspectRFC7662(w http.ResponseWriter, r *http.Request) {
	if e := formBody(r); e != nil {
		e.Status = http.StatusBadRequest
		oauthFail(w, r, e)
		return
	}
	info, e := a.OAuth.IntrospectForClient(r.Context(), r)
	if e != nil {
		if e.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="usergraph"`)
		}
		oauthFail(w, r, e)
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, rfc7662TokenInfo(info, a.Config.AppHost))
}

// rfc7662TokenInfo is RFC 7662's answer: {"active":false} for an inactive token, otherwise
// active, scope as a space-separated string, and the token's client, subject and times.
func rfc7662TokenInfo(t *oauth.TokenInfo, issuer string) map[string]any {
	if t == nil {
		return map[string]any{"active": false}
	}
	m := map[string]any{
		"active":     true,
		"scope":      strings.Join(t.Scope, " "),
		"sub":        t.Subject,
		"exp":        t.ExpiresAt.Unix(),
		"iat":        t.IssuedAt.Unix(),
		"iss":        strings.TrimRight(issuer, "/"),
		"token_type": tokenType(t),
	}
	if t.ClientID != "" {
		m["client_id"] = t.ClientID
	}
	if t.User != nil {
		m["username"] = t.User.Username
	}
	return m
}

func tokenType(t *oauth.TokenInfo) string {
	if t.Kind == oauth.TokenAccess {
		return "Bearer"
	}
	return oauth.TokenRefresh
}

// liquidTokenInfo is Liquid's tokenInfo: its token record (accessToken, accessTokenExpiresAt,
// scope as an ARRAY, user, client) plus RFC 7662's fields. scope must be an array: Liquid's
// middleware checks scope.includes(name), a substring test on a string, so a string scope
// would let "admin:system:client:all" pass for "client:all". user is the public profile (for
// a client token, Liquid's pseudo-user: the client's id, client id and role).
func liquidTokenInfo(t *oauth.TokenInfo, token string) map[string]any {
	if t == nil {
		return nil
	}
	scopes := t.Scope
	if scopes == nil {
		scopes = []string{}
	}
	m := map[string]any{
		"active":     true,
		"scope":      scopes,
		"scopes":     scopes,
		"sub":        t.Subject,
		"exp":        t.ExpiresAt.Unix(),
		"iat":        t.IssuedAt.Unix(),
		"token_type": tokenType(t),
	}
	if t.Kind == oauth.TokenAccess {
		m["accessToken"] = token
		m["accessTokenExpiresAt"] = jsTime(t.ExpiresAt)
	}
	if t.ClientID != "" {
		m["client_id"] = t.ClientID
	}
	m["client"] = nil
	if t.Client != nil {
		m["client"] = map[string]any{"id": t.Client.ClientID, "displayName": t.Client.DisplayName, "role": t.Client.Role}
	}
	switch {
	case t.User != nil:
		m["user"] = map[string]any{"_id": t.User.ID, "username": t.User.Username, "firstName": t.User.FirstName,
			"lastName": t.User.LastName, "role": t.User.Role}
	case t.Client != nil:
		m["user"] = map[string]any{"_id": t.Client.ID, "username": t.Client.ClientID, "role": t.Client.Role}
	default:
		m["user"] = nil
	}
	return m
}

// wellKnown serves the authorization server metadata (RFC 8414), at both well-known names.
func (a *API) wellKnown(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSON(w, http.StatusOK, a.OAuth.Metadata(a.Config.AppHost))
}

func oauthFail(w http.ResponseWriter, r *http.Request, e *oauth.Error) {
	if e.Redirect != "" {
		http.Redirect(w, r, e.Redirect, http.StatusFound)
		return
	}
	noStore(w)
	writeJSON(w, e.Status, e.Body())
}

// noStore marks answers that carry credentials (RFC 6749 §5.1).
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// formBody caps the body and turns a JSON object body into a form body: Liquid's docs show
// JSON while its server (and fosite) read forms; usergraph takes both. Arrays become repeated
// values, except scope, which is joined with spaces.
func formBody(r *http.Request) *oauth.Error {
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return nil
	}
	bad := &oauth.Error{Name: "invalid_request", Description: "The body must be a JSON object of strings, or a form.", Status: http.StatusUnauthorized}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return bad
	}
	var m map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return bad
		}
	}
	form := url.Values{}
	for k, v := range m {
		switch v := v.(type) {
		case nil:
		case string, json.Number, bool:
			form.Set(k, fmt.Sprint(v))
		case []any:
			var vals []string
			for _, item := range v {
				switch item.(type) {
				case string, json.Number, bool:
					vals = append(vals, fmt.Sprint(item))
				default:
					return bad
				}
			}
			if k == "scope" {
				vals = []string{strings.Join(vals, " ")}
			}
			form[k] = vals
		default:
			return bad
		}
	}
	enc := form.Encode()
	r.Body = io.NopCloser(strings.NewReader(enc))
	r.ContentLength = int64(len(enc))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return nil
}
