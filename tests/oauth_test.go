package tests

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"usergraph/ent/oauthtoken"
	"usergraph/ent/session"
	"usergraph/ent/user"
	"usergraph/internal/apitest"
	"usergraph/internal/clients"
	"usergraph/internal/config"
)

const (
	appClient   = "usergraph_app"
	appSecret   = "app-secret-0123456789"
	appCallback = "http://localhost:2000/callback"
	appState    = "st4te-xyz"
)

// oauthServer starts a server whose default client is a confidential internal client with
// scope "*" (or public, with public set).
func oauthServer(t *testing.T, public bool, configure ...func(*config.Config)) *apitest.Server {
	t.Helper()
	return apitest.New(t, func(cfg *config.Config) {
		cfg.DefaultClient = config.DefaultClient{ID: appClient, Secret: appSecret, DisplayName: "Usergraph App",
			RedirectURIs: []string{appCallback, "https://app.example.com/cb?src=ug"}, IsPublic: public}
		if public {
			cfg.DefaultClient.Secret = ""
		}
		for _, fn := range configure {
			fn(cfg)
		}
	})
}

// addClient registers another client straight in the database.
func addClient(t *testing.T, s *apitest.Server, id, role string, public bool, scope, grants []string) {
	t.Helper()
	c := s.App.DB.OAuthClient.Create().SetClientID(id).SetDisplayName(id + " display").SetRole(role).
		SetIsPublic(public).SetScope(scope).SetGrants(grants).SetRedirectUris([]string{appCallback})
	if !public {
		h, err := clients.HashSecret(id + "-secret")
		if err != nil {
			t.Fatal(err)
		}
		c.SetSecretHash(h)
	}
	if err := c.Exec(context.Background()); err != nil {
		t.Fatalf("add client: %v", err)
	}
}

// browserLogin logs in through POST /user/login and returns the connect.sid cookie value.
func browserLogin(t *testing.T, s *apitest.Server, u *apitest.User) string {
	t.Helper()
	r := s.Post(t, "/user/login", "", map[string]any{"username": u.Username, "password": u.Password, "userAgent": "oauth-test"}).Expect(t, http.StatusOK, "")
	c := r.Cookie("connect.sid")
	if c == nil || c.Value == "" || !c.Secure || !c.HttpOnly {
		t.Fatalf("login cookie: %+v", c)
	}
	return c.Value
}

func pkcePair(seed string) (verifier, challenge string) {
	verifier = strings.Repeat(seed, 64/len(seed)+1)[:64]
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func authzParams(client string, extra ...string) url.Values {
	v := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {appCallback},
		"state": {appState}, "scope": {"delegated:all"}}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			v.Del(extra[i])
		} else {
			v.Set(extra[i], extra[i+1])
		}
	}
	return v
}

func authorize(t *testing.T, s *apitest.Server, cookie string, params url.Values) *apitest.Response {
	t.Helper()
	return s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/oauth/authorize?" + params.Encode(), Cookie: cookie})
}

// redirected returns the query of a 302 to the callback.
func redirected(t *testing.T, r *apitest.Response) url.Values {
	t.Helper()
	if r.Status != http.StatusFound {
		t.Fatalf("want 302, got %d: %s", r.Status, r.Raw)
	}
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), appCallback+"?") {
		t.Fatalf("redirect to %q", r.Header.Get("Location"))
	}
	return loc.Query()
}

// codeOf authorizes in redirect mode and returns the code.
func codeOf(t *testing.T, s *apitest.Server, cookie string, params url.Values) string {
	t.Helper()
	q := redirected(t, authorize(t, s, cookie, params))
	if q.Get("code") == "" || q.Get("state") != appState || q.Get("error") != "" {
		t.Fatalf("authorize redirect: %v", q)
	}
	return q.Get("code")
}

func basic(id, secret string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}
}

func token(t *testing.T, s *apitest.Server, form url.Values, header map[string]string) *apitest.Response {
	t.Helper()
	return s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/oauth/token", Form: form, Header: header})
}

func exchange(t *testing.T, s *apitest.Server, code string, extra ...string) *apitest.Response {
	t.Helper()
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {appCallback}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return token(t, s, f, basic(appClient, appSecret))
}

// expectOAuthError checks Liquid's OAuth error answer: 401 {"error","error_description"}.
func expectOAuthError(t *testing.T, r *apitest.Response, name string) {
	t.Helper()
	if r.Status != http.StatusUnauthorized || r.Body["error"] != name || r.Body["error_description"] == nil {
		t.Fatalf("want 401 %s, got %d: %s", name, r.Status, r.Raw)
	}
}

func tokenPair(t *testing.T, r *apitest.Response) (access, refresh string) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("token: %d %s", r.Status, r.Raw)
	}
	access, _ = r.Body["access_token"].(string)
	refresh, _ = r.Body["refresh_token"].(string)
	if access == "" || r.Body["token_type"] != "Bearer" || r.Body["expires_in"] != float64(3600) {
		t.Fatalf("token answer: %s", r.Raw)
	}
	return access, refresh
}

// userTokens runs the whole code flow for u with the default client.
func userTokens(t *testing.T, s *apitest.Server, u *apitest.User) (access, refresh string) {
	t.Helper()
	code := codeOf(t, s, browserLogin(t, s, u), authzParams(appClient))
	return tokenPair(t, exchange(t, s, code))
}

func meStatus(t *testing.T, s *apitest.Server, access string) int {
	t.Helper()
	return s.Get(t, "/user/me", access).Status
}

func refreshForm(refresh string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {appClient}}
}

func TestOAuthCodeFlow(t *testing.T) {
	cases := []struct {
		name      string
		redirect  bool
		authorize string // GET (query), POST (form body) or JSON (POST with a JSON body)
		jsonBody  bool   // /oauth/token body
		basic     bool   // client authentication
	}{
		{"redirect, form body, Basic", true, http.MethodGet, false, true},
		{"redirect, POST authorize, JSON body, body credentials", true, http.MethodPost, true, false},
		{"JSON answer, form body, body credentials", false, http.MethodGet, false, false},
		{"JSON answer, JSON authorize, JSON body, Basic", false, "JSON", true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := oauthServer(t, false, func(cfg *config.Config) { cfg.OAuth.EnableRedirect = tc.redirect })
			u := s.NewUser(t, "flow_user")
			cookie := browserLogin(t, s, u)
			params := authzParams(appClient, "scope", "delegated:profile:read,delegated:profile:write")

			var r *apitest.Response
			switch tc.authorize {
			case http.MethodGet:
				r = authorize(t, s, cookie, params)
			case http.MethodPost:
				r = s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/oauth/authorize", Form: params, Cookie: cookie})
			default:
				body := map[string]any{}
				for k := range params {
					body[k] = params.Get(k)
				}
				r = s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/oauth/authorize", JSON: body, Cookie: cookie})
			}
			var code string
			if tc.redirect {
				q := redirected(t, r)
				code = q.Get("code")
				if q.Get("state") != appState || q.Has("scope") {
					t.Fatalf("redirect query: %v", q)
				}
			} else {
				if r.Status != http.StatusOK || r.Body["state"] != appState {
					t.Fatalf("authorize JSON: %d %s", r.Status, r.Raw)
				}
				code, _ = r.Body["code"].(string)
			}
			if code == "" {
				t.Fatalf("no code: %s", r.Raw)
			}

			form := map[string]string{"grant_type": "authorization_code", "code": code, "redirect_uri": appCallback}
			var header map[string]string
			if tc.basic {
				header = basic(appClient, appSecret)
			} else {
				form["client_id"], form["client_secret"] = appClient, appSecret
			}
			req := apitest.Req{Method: http.MethodPost, Path: "/oauth/token", Header: header}
			if tc.jsonBody {
				req.JSON = form
			} else {
				req.Form = url.Values{}
				for k, v := range form {
					req.Form.Set(k, v)
				}
			}
			access, refresh := tokenPair(t, s.Do(t, req))
			if refresh == "" {
				t.Fatal("no refresh token")
			}
			me := s.Get(t, "/user/me", access).Expect(t, http.StatusOK, "")
			if me.Data()["user"].(map[string]any)["username"] != "flow_user" {
				t.Fatalf("me: %s", me.Raw)
			}
			sess, err := s.App.DB.Session.Query().Where(session.KindEQ(session.KindOauth)).Only(context.Background())
			if err != nil || sess.ClientID == nil || *sess.ClientID != appClient || sess.UserID == nil || *sess.UserID != u.ID {
				t.Fatalf("oauth session: %+v %v", sess, err)
			}
			// An internal client gets the user's whole scope, whatever it asked for (Liquid §7.3).
			if strings.Join(sess.Scope, " ") != "delegated:all" {
				t.Fatalf("granted scope %v, want the user's delegated:all", sess.Scope)
			}
		})
	}
}

func TestOAuthTokenAnswerScope(t *testing.T) {
	s := oauthServer(t, false)
	u := s.NewUser(t, "scope_user")
	code := codeOf(t, s, browserLogin(t, s, u), authzParams(appClient))
	r := exchange(t, s, code)
	tokenPair(t, r)
	if r.Body["scope"] != "delegated:all" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token answer: %v %s", r.Header, r.Raw)
	}
}

func TestOAuthAuthorizeErrors(t *testing.T) {
	s := oauthServer(t, false)
	u := s.NewUser(t, "authz_user")
	cookie := browserLogin(t, s, u)
	// A client that may request only profile reads, and an external client that may request
	// admin scopes the user does not have.
	addClient(t, s, "narrow_client", "internal_client", false, []string{"delegated:profile:read"}, []string{"authorization_code"})
	addClient(t, s, "external_app", "external_client", false, []string{"delegated:all", "admin:all"}, []string{"authorization_code"})
	addClient(t, s, "machine_only", "internal_client", false, []string{"*"}, []string{"client_credentials"})
	_, plainChallenge := pkcePair("p")

	// Errors that cannot be sent to the redirect_uri: 401 JSON.
	jsonCases := []struct {
		name, cookie, want string
		params             url.Values
	}{
		{"unknown client", cookie, "invalid_client", authzParams("nobody")},
		{"missing client", cookie, "invalid_client", authzParams("", "client_id", "")},
		{"unregistered redirect_uri", cookie, "invalid_request", authzParams(appClient, "redirect_uri", "http://localhost:2000/other")},
		{"redirect_uri prefix", cookie, "invalid_request", authzParams(appClient, "redirect_uri", appCallback+"/x")},
		{"missing redirect_uri", cookie, "invalid_request", authzParams(appClient, "redirect_uri", "")},
		{"no session", "", "login_required", authzParams(appClient)},
		{"unknown session", "forged-cookie", "login_required", authzParams(appClient)},
	}
	for _, tc := range jsonCases {
		t.Run(tc.name, func(t *testing.T) {
			expectOAuthError(t, authorize(t, s, tc.cookie, tc.params), tc.want)
		})
	}

	// Errors once client and redirect_uri are good: back to the client, with the state.
	redirectCases := []struct {
		name, want string
		params     url.Values
	}{
		{"missing state", "invalid_request", authzParams(appClient, "state", "")},
		{"missing scope", "invalid_scope", authzParams(appClient, "scope", "")},
		{"unknown scope", "invalid_scope", authzParams(appClient, "scope", "delegated:nothing")},
		{"scope the client may not request", "invalid_scope", authzParams("narrow_client", "scope", "delegated:profile:write")},
		{"scope the user does not have (external client)", "invalid_scope", authzParams("external_app", "scope", "delegated:all admin:all")},
		{"client without the code grant", "unauthorized_client", authzParams("machine_only")},
		{"response_type token", "unsupported_response_type", authzParams(appClient, "response_type", "token")},
		{"PKCE plain", "invalid_request", authzParams(appClient, "code_challenge", plainChallenge, "code_challenge_method", "plain")},
		{"PKCE without method", "invalid_request", authzParams(appClient, "code_challenge", plainChallenge)},
	}
	for _, tc := range redirectCases {
		t.Run(tc.name, func(t *testing.T) {
			q := redirected(t, authorize(t, s, cookie, tc.params))
			if q.Get("error") != tc.want || q.Get("error_description") == "" || q.Get("code") != "" {
				t.Fatalf("want error %s, got %v", tc.want, q)
			}
			if tc.params.Get("state") != "" && q.Get("state") != appState {
				t.Fatalf("state not returned: %v", q)
			}
		})
	}

	t.Run("external client gets exactly the requested scope", func(t *testing.T) {
		q := redirected(t, authorize(t, s, cookie, authzParams("external_app", "scope", "delegated:profile:read")))
		f := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {appCallback}}
		r := token(t, s, f, basic("external_app", "external_app-secret"))
		tokenPair(t, r)
		if r.Body["scope"] != "delegated:profile:read" || r.Body["refresh_token"] != nil {
			t.Fatalf("token answer: %s", r.Raw)
		}
	})

	t.Run("registered redirect_uri with a query keeps it", func(t *testing.T) {
		r := authorize(t, s, cookie, authzParams(appClient, "redirect_uri", "https://app.example.com/cb?src=ug"))
		loc, _ := url.Parse(r.Header.Get("Location"))
		if r.Status != http.StatusFound || loc.Host != "app.example.com" || loc.Query().Get("src") != "ug" || loc.Query().Get("code") == "" {
			t.Fatalf("redirect: %d %s", r.Status, r.Header.Get("Location"))
		}
	})

	t.Run("JSON mode answers 401 JSON", func(t *testing.T) {
		s := oauthServer(t, false, func(cfg *config.Config) { cfg.OAuth.EnableRedirect = false })
		u := s.NewUser(t, "json_user")
		cookie := browserLogin(t, s, u)
		expectOAuthError(t, authorize(t, s, cookie, authzParams(appClient, "state", "")), "invalid_request")
		expectOAuthError(t, authorize(t, s, cookie, authzParams(appClient, "scope", "")), "invalid_scope")
	})
}

func TestOAuthPKCE(t *testing.T) {
	verifier, challenge := pkcePair("verifier-")
	withPKCE := func(client string) url.Values {
		return authzParams(client, "code_challenge", challenge, "code_challenge_method", "S256")
	}

	t.Run("public client", func(t *testing.T) {
		s := oauthServer(t, true)
		u := s.NewUser(t, "pkce_user")
		cookie := browserLogin(t, s, u)
		publicExchange := func(code string, extra ...string) *apitest.Response {
			f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {appCallback}, "client_id": {appClient}}
			for i := 0; i+1 < len(extra); i += 2 {
				f.Set(extra[i], extra[i+1])
			}
			return token(t, s, f, nil)
		}

		q := redirected(t, authorize(t, s, cookie, authzParams(appClient)))
		if q.Get("error") != "invalid_request" {
			t.Fatalf("a public client without PKCE: %v", q)
		}

		code := codeOf(t, s, cookie, withPKCE(appClient))
		expectOAuthError(t, publicExchange(code, "code_verifier", strings.Repeat("x", 64)), "invalid_grant")
		// A wrong verifier does not disable PKCE for the code.
		expectOAuthError(t, publicExchange(code), "invalid_grant")
		access, refresh := tokenPair(t, publicExchange(code, "code_verifier", verifier))
		if meStatus(t, s, access) != http.StatusOK {
			t.Fatal("PKCE token refused")
		}
		// A public client refreshes with its client_id only.
		tokenPair(t, token(t, s, refreshForm(refresh), nil))

		code = codeOf(t, s, cookie, withPKCE(appClient))
		expectOAuthError(t, publicExchange(code), "invalid_grant")
	})

	t.Run("confidential client", func(t *testing.T) {
		s := oauthServer(t, false)
		u := s.NewUser(t, "pkce_conf")
		cookie := browserLogin(t, s, u)
		code := codeOf(t, s, cookie, withPKCE(appClient))
		expectOAuthError(t, exchange(t, s, code, "code_verifier", strings.Repeat("y", 50)), "invalid_grant")
		// After a wrong verifier, leaving the verifier out does not skip the check.
		expectOAuthError(t, exchange(t, s, code), "invalid_grant")
		tokenPair(t, exchange(t, s, code, "code_verifier", verifier))
	})

	t.Run("require-pkce", func(t *testing.T) {
		s := oauthServer(t, false, func(cfg *config.Config) { cfg.OAuth.RequirePKCE = true })
		u := s.NewUser(t, "pkce_req")
		cookie := browserLogin(t, s, u)
		if q := redirected(t, authorize(t, s, cookie, authzParams(appClient))); q.Get("error") != "invalid_request" {
			t.Fatalf("require-pkce without a challenge: %v", q)
		}
		tokenPair(t, exchange(t, s, codeOf(t, s, cookie, withPKCE(appClient)), "code_verifier", verifier))
	})
}

func TestOAuthCodeRules(t *testing.T) {
	s := oauthServer(t, false)
	addClient(t, s, "other_app", "internal_client", false, []string{"*"}, []string{"authorization_code", "refresh_token"})
	u := s.NewUser(t, "code_user")
	cookie := browserLogin(t, s, u)

	t.Run("reuse revokes what the code gave", func(t *testing.T) {
		code := codeOf(t, s, cookie, authzParams(appClient))
		access, refresh := tokenPair(t, exchange(t, s, code))
		expectOAuthError(t, exchange(t, s, code), "invalid_grant")
		if meStatus(t, s, access) != http.StatusUnauthorized {
			t.Fatal("access token survived code reuse")
		}
		expectOAuthError(t, token(t, s, refreshForm(refresh), nil), "invalid_grant")
	})

	t.Run("expired", func(t *testing.T) {
		code := codeOf(t, s, cookie, authzParams(appClient))
		n, err := s.App.DB.OAuthToken.Update().Where(oauthtoken.KindEQ(oauthtoken.KindAuthorizeCode), oauthtoken.Active(true)).
			SetExpiresAt(time.Now().Add(-time.Second)).Save(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("expire code: %d %v", n, err)
		}
		expectOAuthError(t, exchange(t, s, code), "invalid_grant")
	})

	t.Run("stored hashed", func(t *testing.T) {
		code := codeOf(t, s, cookie, authzParams(appClient))
		rows, err := s.App.DB.OAuthToken.Query().All(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			if strings.Contains(row.SignatureHash, code) || strings.Contains(code, row.SignatureHash) || strings.Contains(row.Form, code) {
				t.Fatalf("code stored in the clear: %+v", row)
			}
		}
		tokenPair(t, exchange(t, s, code))
	})

	cases := []struct {
		name  string
		extra []string
		auth  map[string]string
		want  string
	}{
		{"different redirect_uri", []string{"redirect_uri", "https://app.example.com/cb?src=ug"}, basic(appClient, appSecret), "invalid_grant"},
		{"another client", nil, basic("other_app", "other_app-secret"), "invalid_grant"},
		{"wrong secret", nil, basic(appClient, "wrong-secret"), "invalid_client"},
		{"no client credentials", nil, nil, "invalid_client"},
		{"unknown code", []string{"code", "not-a-code"}, basic(appClient, appSecret), "invalid_grant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code := codeOf(t, s, cookie, authzParams(appClient))
			f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {appCallback}}
			for i := 0; i+1 < len(tc.extra); i += 2 {
				f.Set(tc.extra[i], tc.extra[i+1])
			}
			expectOAuthError(t, token(t, s, f, tc.auth), tc.want)
		})
	}

	t.Run("logout ends the code", func(t *testing.T) {
		cookie := browserLogin(t, s, u)
		code := codeOf(t, s, cookie, authzParams(appClient))
		s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/user/logout", Cookie: cookie}).Expect(t, http.StatusOK, "")
		expectOAuthError(t, exchange(t, s, code), "invalid_grant")
		expectOAuthError(t, authorize(t, s, cookie, authzParams(appClient)), "login_required")
	})
}

func TestOAuthRefreshRotation(t *testing.T) {
	s := oauthServer(t, false)
	u := s.NewUser(t, "rotate_user")
	access1, refresh1 := userTokens(t, s, u)

	// A confidential client refreshes with client_id alone (Liquid's requireClientAuthentication).
	access2, refresh2 := tokenPair(t, token(t, s, refreshForm(refresh1), nil))
	if refresh2 == "" || refresh2 == refresh1 || access2 == access1 {
		t.Fatal("refresh did not rotate")
	}
	if meStatus(t, s, access2) != http.StatusOK {
		t.Fatal("new access token refused")
	}
	// A secret, when sent, must be right; so must the client.
	f := refreshForm(refresh2)
	f.Set("client_secret", "wrong-secret")
	expectOAuthError(t, token(t, s, f, nil), "invalid_client")
	expectOAuthError(t, token(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh2}}, nil), "invalid_client")
	// With Basic auth and the right secret a refresh works too.
	access3, refresh3 := tokenPair(t, token(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh2}}, basic(appClient, appSecret)))

	// Reusing a spent refresh token revokes the whole chain.
	expectOAuthError(t, token(t, s, refreshForm(refresh1), nil), "invalid_grant")
	expectOAuthError(t, token(t, s, refreshForm(refresh3), nil), "invalid_grant")
	if meStatus(t, s, access3) != http.StatusUnauthorized || meStatus(t, s, access1) != http.StatusUnauthorized {
		t.Fatal("access tokens survived refresh-token reuse")
	}
	expectOAuthError(t, token(t, s, refreshForm("garbage"), nil), "invalid_grant")
}

func TestOAuthClientCredentials(t *testing.T) {
	s := oauthServer(t, false)
	addClient(t, s, "public_app", "internal_client", true, []string{"*"}, []string{"authorization_code", "client_credentials"})
	addClient(t, s, "reader_svc", "external_client", false, []string{"client:profile:read"}, []string{"client_credentials"})
	addClient(t, s, "code_only", "internal_client", false, []string{"*"}, []string{"authorization_code"})
	cc := func(scope string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	}

	r := token(t, s, cc("client:profile:read client:oauth:introspect"), basic(appClient, appSecret))
	access, refresh := tokenPair(t, r)
	if refresh != "" || r.Body["scope"] != "client:profile:read client:oauth:introspect" {
		t.Fatalf("client_credentials answer: %s", r.Raw)
	}
	sess, err := s.App.DB.Session.Query().Where(session.KindEQ(session.KindClient)).Only(context.Background())
	if err != nil || sess.UserID != nil || sess.ClientID == nil || *sess.ClientID != appClient {
		t.Fatalf("client session: %+v %v", sess, err)
	}
	// A client token is not a user: /user/me refuses it.
	if meStatus(t, s, access) != http.StatusUnauthorized {
		t.Fatal("client token accepted as a user")
	}
	// Body credentials and comma-separated scopes work too.
	f := cc("client:profile:read,client:profile:search")
	f.Set("client_id", appClient)
	f.Set("client_secret", appSecret)
	if r := token(t, s, f, nil); r.Body["scope"] != "client:profile:read client:profile:search" {
		t.Fatalf("body credentials, comma scopes: %s", r.Raw)
	}

	cases := []struct {
		name string
		form url.Values
		auth map[string]string
		want string
	}{
		{"wrong secret", cc("client:all"), basic(appClient, "nope"), "invalid_client"},
		{"unknown client", cc("client:all"), basic("ghost", "whatever"), "invalid_client"},
		{"no secret", url.Values{"grant_type": {"client_credentials"}, "scope": {"client:all"}, "client_id": {appClient}}, nil, "invalid_client"},
		{"public client", url.Values{"grant_type": {"client_credentials"}, "scope": {"client:all"}, "client_id": {"public_app"}}, nil, "unauthorized_client"},
		{"public client with a secret", cc("client:all"), basic("public_app", "anything"), "unauthorized_client"},
		{"client without the grant", cc("client:all"), basic("code_only", "code_only-secret"), "unauthorized_client"},
		{"scope the client may not request", cc("client:profile:write"), basic("reader_svc", "reader_svc-secret"), "invalid_scope"},
		{"unknown scope", cc("client:everything"), basic(appClient, appSecret), "invalid_scope"},
		{"missing scope", url.Values{"grant_type": {"client_credentials"}}, basic(appClient, appSecret), "invalid_scope"},
		{"unsupported grant", url.Values{"grant_type": {"password"}, "username": {"a"}, "password": {"b"}}, basic(appClient, appSecret), "unsupported_grant_type"},
		{"implicit grant", url.Values{"grant_type": {"implicit"}}, basic(appClient, appSecret), "unsupported_grant_type"},
		{"missing grant", url.Values{"scope": {"client:all"}}, basic(appClient, appSecret), "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectOAuthError(t, token(t, s, tc.form, tc.auth), tc.want)
		})
	}

	t.Run("GET is refused", func(t *testing.T) {
		r := s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/oauth/token?grant_type=client_credentials&scope=client:all", Header: basic(appClient, appSecret)})
		expectOAuthError(t, r, "invalid_request")
	})
	t.Run("JSON body with a scope array", func(t *testing.T) {
		r := s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/oauth/token", Header: basic(appClient, appSecret),
			JSON: map[string]any{"grant_type": "client_credentials", "scope": []string{"client:profile:read", "client:profile:search"}}})
		tokenPair(t, r)
		if r.Body["scope"] != "client:profile:read client:profile:search" {
			t.Fatalf("scope: %s", r.Raw)
		}
	})
	t.Run("malformed JSON body", func(t *testing.T) {
		r := s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/oauth/token", Header: basic(appClient, appSecret), JSON: `{"grant_type":`})
		expectOAuthError(t, r, "invalid_request")
	})
}

func TestOAuthLogoutAllKillsTokens(t *testing.T) {
	s := oauthServer(t, false)
	u := s.NewUser(t, "logout_user")
	access, refresh := userTokens(t, s, u)
	other, otherRefresh := userTokens(t, s, u)
	s.Get(t, "/user/logout-all", access).Expect(t, http.StatusOK, "")
	for _, tok := range []string{access, other} {
		if meStatus(t, s, tok) != http.StatusUnauthorized {
			t.Fatal("access token survived logout-all")
		}
	}
	for _, rt := range []string{refresh, otherRefresh} {
		expectOAuthError(t, token(t, s, refreshForm(rt), nil), "invalid_grant")
	}
}

func TestOAuthBannedUser(t *testing.T) {
	s := oauthServer(t, false)
	u := s.NewUser(t, "banned_user")
	cookie := browserLogin(t, s, u)
	access, refresh := tokenPair(t, exchange(t, s, codeOf(t, s, cookie, authzParams(appClient))))
	code := codeOf(t, s, cookie, authzParams(appClient))
	if err := s.App.DB.User.Update().Where(user.ID(u.ID)).SetIsBanned(true).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	expectOAuthError(t, authorize(t, s, cookie, authzParams(appClient)), "access_denied")
	s.Get(t, "/user/me", access).Expect(t, http.StatusForbidden, "Banned")
	expectOAuthError(t, token(t, s, refreshForm(refresh), nil), "invalid_grant")
	expectOAuthError(t, exchange(t, s, code), "invalid_grant")
}

func TestOAuthIntrospect(t *testing.T) {
	s := oauthServer(t, false)
	addClient(t, s, "no_introspect", "external_client", false, []string{"client:profile:read"}, []string{"client_credentials"})
	u := s.NewUser(t, "intro_user")
	access, refresh := userTokens(t, s, u)
	caller, _ := tokenPair(t, token(t, s, url.Values{"grant_type": {"client_credentials"}, "scope": {"client:oauth:all"}}, basic(appClient, appSecret)))
	weak, _ := tokenPair(t, token(t, s, url.Values{"grant_type": {"client_credentials"}, "scope": {"client:profile:read"}}, basic("no_introspect", "no_introspect-secret")))

	introspect := func(caller, tok string) *apitest.Response {
		return s.Post(t, "/oauth/introspect", caller, map[string]any{"token": tok})
	}
	info := func(r *apitest.Response) map[string]any {
		t.Helper()
		r.Expect(t, http.StatusOK, "")
		if _, ok := r.Data()["tokenInfo"]; !ok {
			t.Fatalf("no tokenInfo: %s", r.Raw)
		}
		m, _ := r.Data()["tokenInfo"].(map[string]any)
		return m
	}

	t.Run("active access token", func(t *testing.T) {
		ti := info(introspect(caller, access))
		// scope is Liquid's array (liquid-behaviour.md §7): its middleware's scope.includes(name)
		// would be a substring test on a string.
		if sc, _ := ti["scope"].([]any); len(sc) != 1 || sc[0] != "delegated:all" || ti["accessToken"] != access {
			t.Fatalf("scope, accessToken: %v", ti)
		}
		if ti["active"] != true || ti["client_id"] != appClient || ti["sub"] != u.ID ||
			ti["token_type"] != "Bearer" || ti["exp"] == nil || ti["iat"] == nil {
			t.Fatalf("tokenInfo: %v", ti)
		}
		if sc, _ := ti["scopes"].([]any); len(sc) != 1 || sc[0] != "delegated:all" {
			t.Fatalf("scopes: %v", ti["scopes"])
		}
		exp, err := time.Parse("2006-01-02T15:04:05.000Z", ti["accessTokenExpiresAt"].(string))
		if err != nil || exp.Unix() != int64(ti["exp"].(float64)) {
			t.Fatalf("accessTokenExpiresAt %v: %v", ti["accessTokenExpiresAt"], err)
		}
		usr := ti["user"].(map[string]any)
		if usr["_id"] != u.ID || usr["username"] != "intro_user" || usr["firstName"] != "Test" || usr["role"] != "user" {
			t.Fatalf("user: %v", usr)
		}
		for _, private := range []string{"email", "password", "passwordHash", "scope"} {
			if _, ok := usr[private]; ok {
				t.Fatalf("user leaks %s: %v", private, usr)
			}
		}
		cl := ti["client"].(map[string]any)
		if cl["id"] != appClient || cl["displayName"] != "Usergraph App" || cl["role"] != "internal_client" || cl["secret"] != nil {
			t.Fatalf("client: %v", cl)
		}
	})

	t.Run("refresh token, from the query", func(t *testing.T) {
		r := s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/oauth/introspect?token=" + url.QueryEscape(refresh), Token: caller})
		ti := info(r)
		if ti["active"] != true || ti["token_type"] != "refresh_token" || ti["sub"] != u.ID {
			t.Fatalf("refresh tokenInfo: %v", ti)
		}
	})

	t.Run("client token", func(t *testing.T) {
		ti := info(introspect(caller, caller))
		if ti["sub"] != appClient || ti["user"].(map[string]any)["username"] != appClient {
			t.Fatalf("client tokenInfo: %v", ti)
		}
	})

	t.Run("unknown token", func(t *testing.T) {
		if ti := info(introspect(caller, "not-a-token")); ti != nil {
			t.Fatalf("unknown token: %v", ti)
		}
	})

	t.Run("caller must be a client with the scope", func(t *testing.T) {
		introspect("", access).Expect(t, http.StatusUnauthorized, "Unauthorized")
		introspect("forged", access).Expect(t, http.StatusUnauthorized, "Unauthorized")
		introspect(access, access).Expect(t, http.StatusUnauthorized, "Unauthorized")
		introspect(weak, access).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
		s.Post(t, "/oauth/introspect", caller, map[string]any{}).Expect(t, http.StatusBadRequest, "ClientInputError")
	})

	t.Run("revoked and expired tokens are inactive", func(t *testing.T) {
		a2, r2 := userTokens(t, s, u)
		s.Get(t, "/user/logout", a2).Expect(t, http.StatusOK, "")
		if ti := info(introspect(caller, a2)); ti != nil {
			t.Fatalf("revoked access token: %v", ti)
		}
		if ti := info(introspect(caller, r2)); ti != nil {
			t.Fatalf("revoked refresh token: %v", ti)
		}
		_, r3 := userTokens(t, s, u)
		if err := s.App.DB.OAuthToken.Update().Where(oauthtoken.KindEQ(oauthtoken.KindRefreshToken)).
			SetExpiresAt(time.Now().Add(-time.Second)).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		if ti := info(introspect(caller, r3)); ti != nil {
			t.Fatalf("expired refresh token: %v", ti)
		}
	})
}

func TestOAuthRevoke(t *testing.T) {
	s := oauthServer(t, false)
	addClient(t, s, "other_app", "internal_client", false, []string{"*"}, []string{"authorization_code", "refresh_token"})
	u := s.NewUser(t, "revoke_user")
	revoke := func(form url.Values, auth map[string]string) *apitest.Response {
		return s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/oauth/revoke", Form: form, Header: auth})
	}

	t.Run("refresh token", func(t *testing.T) {
		access, refresh := userTokens(t, s, u)
		revoke(url.Values{"token": {refresh}}, basic(appClient, appSecret)).Expect(t, http.StatusOK, "")
		expectOAuthError(t, token(t, s, refreshForm(refresh), nil), "invalid_grant")
		if meStatus(t, s, access) != http.StatusUnauthorized {
			t.Fatal("access token survived revocation of its refresh token")
		}
	})

	t.Run("access token, JSON body with body credentials", func(t *testing.T) {
		access, refresh := userTokens(t, s, u)
		r := s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/oauth/revoke", JSON: map[string]any{
			"token": access, "token_type_hint": "access_token", "client_id": appClient, "client_secret": appSecret}})
		r.Expect(t, http.StatusOK, "")
		if meStatus(t, s, access) != http.StatusUnauthorized {
			t.Fatal("revoked access token still works")
		}
		expectOAuthError(t, token(t, s, refreshForm(refresh), nil), "invalid_grant")
	})

	t.Run("another client's token is left alone", func(t *testing.T) {
		access, _ := userTokens(t, s, u)
		revoke(url.Values{"token": {access}}, basic("other_app", "other_app-secret")).Expect(t, http.StatusOK, "")
		if meStatus(t, s, access) != http.StatusOK {
			t.Fatal("another client revoked the token")
		}
	})

	t.Run("errors", func(t *testing.T) {
		revoke(url.Values{"token": {"unknown"}}, basic(appClient, appSecret)).Expect(t, http.StatusOK, "")
		expectOAuthError(t, revoke(url.Values{"token": {"unknown"}}, basic(appClient, "wrong")), "invalid_client")
		expectOAuthError(t, revoke(url.Values{"token_type_hint": {"access_token"}}, basic(appClient, appSecret)), "invalid_request")
	})
}

// TestOAuthConcurrentSpend presents one code, then one refresh token, from several requests at
// once: exactly one wins, and the credential counts as used twice.
func TestOAuthConcurrentSpend(t *testing.T) {
	s := oauthServer(t, false)
	u := s.NewUser(t, "race_user")
	race := func(form url.Values, auth map[string]string) (wins int, access string) {
		const n = 6
		type result struct {
			status int
			access string
		}
		results := make(chan result, n)
		for range n {
			go func() {
				r := token(t, s, form, auth)
				a, _ := r.Body["access_token"].(string)
				results <- result{r.Status, a}
			}()
		}
		for range n {
			r := <-results
			switch r.status {
			case http.StatusOK:
				wins++
				access = r.access
			case http.StatusUnauthorized:
			default:
				t.Errorf("unexpected status %d", r.status)
			}
		}
		return wins, access
	}

	code := codeOf(t, s, browserLogin(t, s, u), authzParams(appClient))
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {appCallback}}
	if wins, access := race(f, basic(appClient, appSecret)); wins != 1 || meStatus(t, s, access) != http.StatusUnauthorized {
		t.Fatalf("code: %d winners; the winner's token must die with the reuse", wins)
	}

	_, refresh := userTokens(t, s, u)
	if wins, access := race(refreshForm(refresh), nil); wins != 1 || meStatus(t, s, access) != http.StatusUnauthorized {
		t.Fatalf("refresh: %d winners; the winner's token must die with the reuse", wins)
	}
}
