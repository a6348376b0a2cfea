package tests

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"usergraph/internal/apitest"
)

// serverMetadata is the part of RFC 8414's document the tests read.
type serverMetadata struct {
	Issuer                        string   `json:"issuer"`
	AuthorizationEndpoint         string   `json:"authorization_endpoint"`
	TokenEndpoint                 string   `json:"token_endpoint"`
	IntrospectionEndpoint         string   `json:"introspection_endpoint"`
	RevocationEndpoint            string   `json:"revocation_endpoint"`
	GrantTypesSupported           []string `json:"grant_types_supported"`
	ResponseTypesSupported        []string `json:"response_types_supported"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported"`
	ScopesSupported               []string `json:"scopes_supported"`
}

// discover reads /.well-known/oauth-authorization-server (and checks that
// /.well-known/openid-configuration serves the same document).
func discover(t *testing.T, s *apitest.Server) serverMetadata {
	t.Helper()
	r := s.Get(t, "/.well-known/oauth-authorization-server", "").Expect(t, http.StatusOK, "")
	var m serverMetadata
	if err := json.Unmarshal(r.Raw, &m); err != nil {
		t.Fatal(err)
	}
	if oidc := s.Get(t, "/.well-known/openid-configuration", "").Expect(t, http.StatusOK, ""); string(oidc.Raw) != string(r.Raw) {
		t.Fatalf("openid-configuration differs:\n%s\n%s", oidc.Raw, r.Raw)
	}
	return m
}

// The metadata says what the server really does, with the endpoints under SYSTEM_APP_HOST.
func TestOAuthDiscovery(t *testing.T) {
	s := oauthServer(t, false)
	s.App.Config.AppHost = "https://auth.example.com/"
	m := discover(t, s)
	if m.Issuer != "https://auth.example.com" || m.TokenEndpoint != "https://auth.example.com/oauth/token" ||
		m.AuthorizationEndpoint != "https://auth.example.com/oauth/authorize" ||
		m.IntrospectionEndpoint != "https://auth.example.com/oauth/introspect" || m.RevocationEndpoint != "https://auth.example.com/oauth/revoke" {
		t.Fatalf("endpoints: %+v", m)
	}
	if strings.Join(m.GrantTypesSupported, " ") != "authorization_code refresh_token client_credentials" ||
		strings.Join(m.ResponseTypesSupported, " ") != "code" || strings.Join(m.CodeChallengeMethodsSupported, " ") != "S256" {
		t.Fatalf("capabilities: %+v", m)
	}
	if len(m.ScopesSupported) != 98 || m.ScopesSupported[0] != "*" {
		t.Fatalf("%d scopes: %v", len(m.ScopesSupported), m.ScopesSupported)
	}
	// Nothing of OpenID Connect is claimed: no ID tokens, userinfo or keys.
	r := s.Get(t, "/.well-known/openid-configuration", "")
	for _, field := range []string{"jwks_uri", "userinfo_endpoint", "id_token_signing_alg_values_supported"} {
		if _, ok := r.Body[field]; ok {
			t.Errorf("claims %s", field)
		}
	}
}

// A standard client library (golang.org/x/oauth2), configured from the discovery document,
// completes authorization code + PKCE, refresh, client credentials, and introspection.
func TestOAuthStandardClientLibrary(t *testing.T) {
	s := oauthServer(t, false)
	s.App.Config.AppHost = s.URL
	m := discover(t, s)
	if m.Issuer != s.URL {
		t.Fatalf("issuer %q", m.Issuer)
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, s.Client())
	conf := &oauth2.Config{ClientID: appClient, ClientSecret: appSecret, RedirectURL: appCallback, Scopes: []string{"delegated:all"},
		Endpoint: oauth2.Endpoint{AuthURL: m.AuthorizationEndpoint, TokenURL: m.TokenEndpoint}}
	u := s.NewUser(t, "std_client_user")
	cookie := browserLogin(t, s, u)

	// Authorization code with PKCE: the browser (logged in) follows the library's URL.
	verifier := oauth2.GenerateVerifier()
	code := browse(t, s, cookie, conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier)), "state-123")
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); !isOAuthError(err, "invalid_grant") {
		t.Fatalf("exchange with the wrong verifier: %v", err)
	}
	code = browse(t, s, cookie, conf.AuthCodeURL("state-456", oauth2.S256ChallengeOption(verifier)), "state-456")
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" || tok.Type() != "Bearer" || tok.Expiry.IsZero() {
		t.Fatalf("exchange: %+v %v", tok, err)
	}
	s.Get(t, "/user/me", tok.AccessToken).Expect(t, http.StatusOK, "")

	// Refresh: the library refreshes an expired token by itself, and the pair rotates.
	stale := &oauth2.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
	fresh, err := conf.TokenSource(ctx, stale).Token()
	if err != nil || fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken || fresh.RefreshToken == "" {
		t.Fatalf("refresh: %+v %v", fresh, err)
	}
	resp, err := conf.Client(ctx, fresh).Get(s.URL + "/user/me")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /user/me through the library's client: %v %v", resp, err)
	}
	resp.Body.Close()

	// Client credentials.
	cc := &clientcredentials.Config{ClientID: appClient, ClientSecret: appSecret, TokenURL: m.TokenEndpoint,
		Scopes: []string{"client:oauth:introspect", "client:profile:read"}}
	ctok, err := cc.Token(ctx)
	if err != nil || ctok.AccessToken == "" || ctok.RefreshToken != "" {
		t.Fatalf("client credentials: %+v %v", ctok, err)
	}

	// Introspection, RFC 7662: the resource server authenticates with its client credentials.
	info := introspect7662(t, s, m.IntrospectionEndpoint, fresh.AccessToken, appClient, appSecret)
	if info["active"] != true || info["scope"] != "delegated:all" || info["client_id"] != appClient || info["sub"] != u.ID ||
		info["username"] != u.Username || info["token_type"] != "Bearer" || info["iss"] != s.URL ||
		absDiff(int64(info["exp"].(float64)), fresh.Expiry.Unix()) > 2 ||
		info["iat"] == nil {
		t.Fatalf("introspection: %v", info)
	}
	if info := introspect7662(t, s, m.IntrospectionEndpoint, ctok.AccessToken, appClient, appSecret); info["active"] != true ||
		info["scope"] != "client:oauth:introspect client:profile:read" || info["sub"] != appClient {
		t.Fatalf("client token introspection: %v", info)
	}
	// The spent refresh token is inactive.
	if info := introspect7662(t, s, m.IntrospectionEndpoint, tok.RefreshToken, appClient, appSecret); len(info) != 1 || info["active"] != false {
		t.Fatalf("spent refresh token: %v", info)
	}

	// Liquid's form: the library's client-credentials HTTP client presents its bearer token.
	form := url.Values{"token": {fresh.AccessToken}}
	resp, err = cc.Client(ctx).PostForm(s.URL+"/oauth/introspect", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var liquid struct {
		OK   int `json:"ok"`
		Data struct {
			TokenInfo struct {
				AccessToken string   `json:"accessToken"`
				Scope       []string `json:"scope"`
			} `json:"tokenInfo"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&liquid); err != nil || liquid.OK != 1 ||
		liquid.Data.TokenInfo.AccessToken != fresh.AccessToken || strings.Join(liquid.Data.TokenInfo.Scope, " ") != "delegated:all" {
		t.Fatalf("Liquid introspection: %+v %v", liquid, err)
	}
}

func absDiff(a, b int64) int64 {
	if a > b {
		return a - b
	}
	return b - a
}

func isOAuthError(err error, code string) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == code
}

// browse plays the logged-in browser: it opens an authorization URL and returns the code from
// the redirect to the callback.
func browse(t *testing.T, s *apitest.Server, cookie, authURL, state string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, authURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "connect.sid", Value: cookie})
	noFollow := *s.Client()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("state") != state || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

// introspect7662 posts an RFC 7662 request with HTTP Basic client authentication.
func introspect7662(t *testing.T, s *apitest.Server, endpoint, token, id, secret string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("introspect: %d %v %v", resp.StatusCode, m, err)
	}
	return m
}

// RFC 7662 introspection refuses callers that are not confidential clients allowed
// client:oauth:introspect, with RFC 6749 error bodies.
func TestOAuthIntrospectRFC7662Errors(t *testing.T) {
	s := oauthServer(t, false)
	addClient(t, s, "no_introspect", "external_client", false, []string{"client:profile:read"}, []string{"client_credentials"})
	addClient(t, s, "public_spa", "internal_client", true, []string{"*"}, []string{"authorization_code"})
	u := s.NewUser(t, "rfc_intro_user")
	access, _ := userTokens(t, s, u)
	tests := []struct {
		name   string
		req    apitest.Req
		status int
		err    string
	}{
		{"wrong secret", apitest.Req{Method: http.MethodPost, Path: "/oauth/introspect", Form: url.Values{"token": {access}}, Header: basic(appClient, "wrong")}, 401, "invalid_client"},
		{"unknown client", apitest.Req{Method: http.MethodPost, Path: "/oauth/introspect", Form: url.Values{"token": {access}}, Header: basic("nobody", "x")}, 401, "invalid_client"},
		{"public client", apitest.Req{Method: http.MethodPost, Path: "/oauth/introspect", Form: url.Values{"token": {access}}, Header: basic("public_spa", "")}, 401, "invalid_client"},
		{"client without the scope", apitest.Req{Method: http.MethodPost, Path: "/oauth/introspect", Form: url.Values{"token": {access}}, Header: basic("no_introspect", "no_introspect-secret")}, 403, "insufficient_scope"},
		{"no token", apitest.Req{Method: http.MethodPost, Path: "/oauth/introspect", Form: url.Values{}, Header: basic(appClient, appSecret)}, 400, "invalid_request"},
		{"GET", apitest.Req{Method: http.MethodGet, Path: "/oauth/introspect?token=" + access, Header: basic(appClient, appSecret)}, 400, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Do(t, tc.req)
			if r.Status != tc.status || r.Body["error"] != tc.err {
				t.Fatalf("want %d %s, got %d %s", tc.status, tc.err, r.Status, r.Raw)
			}
			if tc.status == 401 && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic") {
				t.Fatalf("WWW-Authenticate: %q", r.Header.Get("WWW-Authenticate"))
			}
		})
	}

	// client_secret_post authenticates too; an unknown token is {"active":false} and nothing else.
	r := s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/oauth/introspect",
		Form: url.Values{"token": {"not-a-token"}, "client_id": {appClient}, "client_secret": {appSecret}}}).Expect(t, http.StatusOK, "")
	if len(r.Body) != 1 || r.Body["active"] != false {
		t.Fatalf("unknown token: %s", r.Raw)
	}
	r = s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/oauth/introspect",
		Form: url.Values{"token": {access}, "client_id": {appClient}, "client_secret": {appSecret}}}).Expect(t, http.StatusOK, "")
	if r.Body["active"] != true || r.Body["scope"] != "delegated:all" {
		t.Fatalf("client_secret_post: %s", r.Raw)
	}
}

// Liquid's middleware checks tokenInfo.scope.includes(name): on a string that is a substring
// test, so "admin:system:client:all" would pass for "client:all". tokenInfo.scope is an array.
func TestOAuthIntrospectLiquidScopeIsAnArray(t *testing.T) {
	s := oauthServer(t, false)
	caller, _ := tokenPair(t, token(t, s, url.Values{"grant_type": {"client_credentials"}, "scope": {"client:oauth:introspect"}}, basic(appClient, appSecret)))
	narrow, _ := tokenPair(t, token(t, s, url.Values{"grant_type": {"client_credentials"}, "scope": {"admin:system:client:all"}}, basic(appClient, appSecret)))
	r := s.Post(t, "/oauth/introspect", caller, map[string]any{"token": narrow}).Expect(t, http.StatusOK, "")
	ti := r.Data()["tokenInfo"].(map[string]any)
	sc, isArray := ti["scope"].([]any)
	if !isArray || len(sc) != 1 || sc[0] != "admin:system:client:all" {
		t.Fatalf("tokenInfo.scope = %#v", ti["scope"])
	}
	if ti["accessToken"] != narrow || ti["accessTokenExpiresAt"] == nil {
		t.Fatalf("tokenInfo: %v", ti)
	}
}
