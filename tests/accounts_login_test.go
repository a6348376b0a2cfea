package tests

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"usergraph/ent/loginhistory"
	"usergraph/internal/apitest"
	"usergraph/internal/auth"
	"usergraph/internal/config"
)

const gqlLogin = `mutation($in: LoginInput!) { login(input: $in) {
	twoFactorRequired sessionHash userId accessToken refreshToken tokenType expiresIn user { id username email } } }`

func TestLoginREST(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.SignUp(t, "lara_croft")

	for _, name := range []string{"lara_croft", "LARA_CROFT", "lara_croft@example.com", "Lara_Croft@Example.COM"} {
		t.Run(name, func(t *testing.T) {
			r := restLogin(t, s, name, u.Password).Expect(t, http.StatusOK, "")
			c := r.Cookie("connect.sid")
			if c == nil || c.Value == "" || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
				t.Fatalf("cookie: %+v (Set-Cookie %q)", c, r.Header.Values("Set-Cookie"))
			}
			d := r.Data()
			if d["2faEnabled"] != false {
				t.Fatalf("2faEnabled: %s", r.Raw)
			}
			info, user := obj(d, "userInfo"), obj(d, "user")
			checkUserDoc(t, info, r.Raw)
			if !jsonEqual(info, user) || info["_id"] != u.ID || info["email"] != u.Email {
				t.Fatalf("userInfo / user: %s", r.Raw)
			}
			noSecrets(t, r, u.Password)
			// The cookie is a live browser session.
			st := s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/user/session-state", Cookie: c.Value}).Expect(t, http.StatusOK, "")
			if obj(st.Data(), "userInfo")["_id"] != u.ID {
				t.Fatalf("session-state: %s", st.Raw)
			}
		})
	}
}

// Liquid's Express app also takes form-encoded bodies.
func TestLoginFormEncoded(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.SignUp(t, "fiona_form")
	r := s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/user/login",
		Form: url.Values{"username": {u.Username}, "password": {u.Password}, "userAgent": {testUA}}}).Expect(t, http.StatusOK, "")
	if obj(r.Data(), "userInfo")["_id"] != u.ID || r.Cookie("connect.sid") == nil {
		t.Fatalf("form login: %s", r.Raw)
	}
	s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/user/login",
		Form: url.Values{"username": {u.Username}, "password": {"wrong-password"}, "userAgent": {testUA}}}).Expect(t, http.StatusUnauthorized, "Unauthorized")
}

func TestLoginFailuresDoNotEnumerate(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.SignUp(t, "mike_known")
	pendingUser(t, s, "nora_pending")
	banned := s.SignUp(t, "oscar_banned")
	setBanned(t, s, banned.ID)
	deleted := s.SignUp(t, "paula_deleted")
	setDeleted(t, s, deleted.ID)

	unknown := restLogin(t, s, "nobody_here", "correct-horse-1").Expect(t, http.StatusUnauthorized, "Unauthorized")
	cases := []struct {
		name, user, password string
		status               int
		code                 string
	}{
		{"wrong password", u.Username, "wrong-password", http.StatusUnauthorized, "Unauthorized"},
		{"unknown email", "nobody@example.com", "correct-horse-1", http.StatusUnauthorized, "Unauthorized"},
		{"unverified, wrong password", "nora_pending", "wrong-password", http.StatusUnauthorized, "Unauthorized"},
		{"unverified, right password", "nora_pending", "correct-horse-1", http.StatusUnauthorized, "ResourceNotActive"},
		{"banned, wrong password", banned.Username, "wrong-password", http.StatusUnauthorized, "Unauthorized"},
		{"banned, right password", banned.Username, banned.Password, http.StatusForbidden, "Banned"},
		{"deleted, right password", deleted.Username, deleted.Password, http.StatusUnauthorized, "Unauthorized"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := restLogin(t, s, tc.user, tc.password).Expect(t, tc.status, tc.code)
			if r.Cookie("connect.sid") != nil {
				t.Fatalf("a failed login set a cookie")
			}
			if tc.code == "Unauthorized" && string(r.Raw) != string(unknown.Raw) {
				t.Fatalf("body differs from the unknown user's:\n%s\n%s", r.Raw, unknown.Raw)
			}
			in := map[string]any{"password": tc.password}
			if strings.Contains(tc.user, "@") {
				in["email"] = tc.user
			} else {
				in["username"] = tc.user
			}
			g := s.GraphQL(t, "", gqlLogin, map[string]any{"in": in})
			expectGQLError(t, g, tc.code)
			if obj(g.Body, "data")["login"] != nil {
				t.Fatalf("GraphQL login data: %s", g.Raw)
			}
		})
	}
}

func TestLoginValidation(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.SignUp(t, "quinn_valid")
	cases := []struct {
		name  string
		body  map[string]any
		path  string
		value any
	}{
		{"no user agent", map[string]any{"username": u.Username, "password": u.Password}, "userAgent", absent},
		{"user agent too long", map[string]any{"username": u.Username, "password": u.Password, "userAgent": strings.Repeat("x", 1025)}, "userAgent", strings.Repeat("x", 1025)},
		{"neither username nor email", map[string]any{"password": u.Password, "userAgent": testUA}, "username", absent},
		{"username too short", map[string]any{"username": "abc", "password": u.Password, "userAgent": testUA}, "username", "abc"},
		{"username object", map[string]any{"username": map[string]any{"$gt": ""}, "password": u.Password, "userAgent": testUA}, "username", map[string]any{"$gt": ""}},
		{"bad email", map[string]any{"email": "nope", "password": u.Password, "userAgent": testUA}, "email", "nope"},
		{"no password", map[string]any{"username": u.Username, "userAgent": testUA}, "password", absent},
		{"password too short", map[string]any{"username": u.Username, "password": "short", "userAgent": testUA}, "password", "short"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectFieldError(t, s.Post(t, "/user/login", "", tc.body), tc.path, tc.value)
		})
	}
	t.Run("GraphQL", func(t *testing.T) {
		expectGQLFieldError(t, s.GraphQL(t, "", gqlLogin, map[string]any{"in": map[string]any{"username": "abc", "password": u.Password}}), "input.username")
		expectGQLFieldError(t, s.GraphQL(t, "", gqlLogin, map[string]any{"in": map[string]any{"password": u.Password}}), "input.username")
	})
	t.Run("user agent optional when configured so", func(t *testing.T) {
		s := apitest.New(t, func(c *config.Config) { c.Login.RequireUserAgent = false })
		u := s.SignUp(t, "rosa_noagent")
		s.Post(t, "/user/login", "", map[string]any{"username": u.Username, "password": u.Password}).Expect(t, http.StatusOK, "")
	})
}

func TestLoginHistoryRecorded(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.SignUp(t, "sam_history")
	restLogin(t, s, u.Username, "wrong-password").Expect(t, http.StatusUnauthorized, "Unauthorized")
	restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusOK, "")
	s.Tokens(t, u.Username, u.Password)

	rows := s.App.DB.LoginHistory.Query().Where(loginhistory.UserID(u.ID)).Order(loginhistory.ByCreatedAt(), loginhistory.ByID()).AllX(context.Background())
	if len(rows) != 3 {
		t.Fatalf("%d login history rows, want 3", len(rows))
	}
	if rows[0].Success || rows[0].Reason == nil || *rows[0].Reason != "password_rejected" {
		t.Errorf("failed attempt: %+v", rows[0])
	}
	if !rows[1].Success || rows[1].UserAgent != testUA || rows[1].IPAddress != "127.0.0.1" || rows[1].Source != "password" {
		t.Errorf("REST login: %+v", rows[1])
	}
	if !rows[2].Success || rows[2].UserAgent == "" {
		t.Errorf("GraphQL login: %+v", rows[2])
	}
}

func TestLoginGraphQL(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.SignUp(t, "tina_tokens")
	for _, in := range []map[string]any{
		{"username": u.Username, "password": u.Password},
		{"email": strings.ToUpper(u.Email), "password": u.Password},
		{"username": "someone_else", "email": u.Email, "password": u.Password, "userAgent": testUA}, // email wins
	} {
		r := s.GraphQL(t, "", gqlLogin, map[string]any{"in": in})
		p := obj(expectGQLOK(t, r), "login")
		if p["twoFactorRequired"] != false || p["accessToken"] == nil || p["refreshToken"] == nil ||
			p["tokenType"] != "Bearer" || p["expiresIn"] != float64(3600) || p["sessionHash"] != nil {
			t.Fatalf("login payload: %s", r.Raw)
		}
		if me := obj(p, "user"); me["id"] != u.ID || me["email"] != u.Email {
			t.Fatalf("login user: %s", r.Raw)
		}
		// The access token works on REST and GraphQL.
		if meREST(t, s, p["accessToken"].(string))["_id"] != u.ID {
			t.Fatal("token does not open /user/me")
		}
		g := expectGQLOK(t, s.GraphQL(t, p["accessToken"].(string), `{ me { id } }`, nil))
		if obj(g, "me")["id"] != u.ID {
			t.Fatalf("me: %v", g)
		}
		noSecrets(t, r, u.Password)
	}
}

const gqlRefresh = `mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken refreshToken tokenType expiresIn } }`

func TestRefreshTokenRotation(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "ursula_rotate")

	r := s.GraphQL(t, "", gqlRefresh, map[string]any{"r": u.RefreshToken})
	p := obj(expectGQLOK(t, r), "refreshToken")
	access, refresh := p["accessToken"].(string), p["refreshToken"].(string)
	if refresh == u.RefreshToken || access == u.Token {
		t.Fatalf("not rotated: %s", r.Raw)
	}
	s.Get(t, "/user/me", access).Expect(t, http.StatusOK, "")

	// Refresh once more with the newest token: still fine.
	p = obj(expectGQLOK(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": refresh})), "refreshToken")
	access2, refresh2 := p["accessToken"].(string), p["refreshToken"].(string)
	s.Get(t, "/user/me", access2).Expect(t, http.StatusOK, "")

	// Reusing a spent refresh token means it leaked: the whole session dies.
	expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": u.RefreshToken}), "UNAUTHENTICATED")
	s.Get(t, "/user/me", access2).Expect(t, http.StatusUnauthorized, "Unauthorized")
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": refresh2}), "UNAUTHENTICATED")

	// Garbage and empty refresh tokens are plain 401s.
	expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": "garbage"}), "UNAUTHENTICATED")
	expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": ""}), "UNAUTHENTICATED")

	// Another session of the same user is untouched by the leak of the first.
	other, otherRefresh := s.Tokens(t, u.Username, u.Password)
	s.Get(t, "/user/me", other).Expect(t, http.StatusOK, "")
	expectGQLOK(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": otherRefresh}))
}

func TestRefreshTokenBannedUser(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "victor_banned")
	setBanned(t, s, u.ID)
	expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": u.RefreshToken}), "BANNED")
}

// A refresh token issued to an OAuth client is that client's: the first-party refreshToken
// mutation, which authenticates no client, does not redeem it (and does not spend it).
func TestRefreshTokenOfOAuthClientSession(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.SignUp(t, "wally_oauth")
	// Tokens of a client are only as good as the client: it must exist.
	if err := s.App.DB.OAuthClient.Create().SetClientID("some-client-app").SetDisplayName("Some client app").
		SetScope([]string{"*"}).SetGrants([]string{"authorization_code", "refresh_token"}).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, toks, err := s.App.Auth.StartTokenSession(context.Background(), nil, auth.Start{
		Kind: auth.KindOAuth, UserID: u.ID, ClientID: "some-client-app", Scope: []string{"delegated:all"},
	})
	if err != nil {
		t.Fatal(err)
	}
	expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": toks.RefreshToken}), "UNAUTHENTICATED")
	s.Get(t, "/user/me", toks.AccessToken).Expect(t, http.StatusOK, "")
	if _, _, err := s.App.Auth.Refresh(context.Background(), toks.RefreshToken, "some-client-app"); err != nil {
		t.Fatalf("the client's own refresh failed: %v", err)
	}
}
