package tests

import (
	"net/http"
	"testing"

	"usergraph/internal/apitest"
)

func sessionState(t *testing.T, s *apitest.Server, cookie string) *apitest.Response {
	t.Helper()
	return s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/user/session-state", Cookie: cookie})
}

func TestLogoutToken(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "bella_logout")
	other, _ := s.Tokens(t, u.Username, u.Password)

	r := s.Get(t, "/user/logout", u.Token).Expect(t, http.StatusOK, "")
	if string(r.Raw) != `{"ok":1}`+"\n" {
		t.Fatalf("logout: %q", r.Raw)
	}
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	expectGQLError(t, s.GraphQL(t, u.Token, `{ me { id } }`, nil), "UNAUTHENTICATED")
	expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": u.RefreshToken}), "UNAUTHENTICATED")
	// Only that session ended.
	s.Get(t, "/user/me", other).Expect(t, http.StatusOK, "")
}

func TestLogoutCookie(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "carl_cookie")
	cookie := cookieLogin(t, s, u)
	sessionState(t, s, cookie).Expect(t, http.StatusOK, "")

	r := s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/user/logout", Cookie: cookie}).Expect(t, http.StatusOK, "")
	if c := r.Cookie("connect.sid"); c == nil || c.Value != "" || c.MaxAge >= 0 {
		t.Fatalf("logout did not clear the cookie: %v", r.Header.Values("Set-Cookie"))
	}
	sessionState(t, s, cookie).Expect(t, http.StatusForbidden, "Forbidden")
	// The user's token session is untouched.
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusOK, "")
}

func TestLogoutWithoutCredentials(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	s.Get(t, "/user/logout", "").Expect(t, http.StatusOK, "")
	s.Get(t, "/user/logout-all", "").Expect(t, http.StatusOK, "")
	sessionState(t, s, "").Expect(t, http.StatusForbidden, "Forbidden")
	sessionState(t, s, "garbage").Expect(t, http.StatusForbidden, "Forbidden")
}

func TestLogoutAll(t *testing.T) {
	t.Parallel()
	for _, via := range []string{"REST", "GraphQL"} {
		t.Run(via, func(t *testing.T) {
			t.Parallel()
			s := apitest.New(t)
			u := s.NewUser(t, "dina_everywhere")
			second, secondRefresh := s.Tokens(t, u.Username, u.Password)
			cookie := cookieLogin(t, s, u)
			bystander := s.NewUser(t, "ella_bystander")

			if via == "REST" {
				s.Get(t, "/user/logout-all", u.Token).Expect(t, http.StatusOK, "")
			} else {
				g := s.GraphQL(t, u.Token, `mutation { logoutAll }`, nil)
				if expectGQLOK(t, g)["logoutAll"] != true {
					t.Fatalf("logoutAll: %s", g.Raw)
				}
			}
			for _, tok := range []string{u.Token, second} {
				s.Get(t, "/user/me", tok).Expect(t, http.StatusUnauthorized, "Unauthorized")
			}
			for _, rt := range []string{u.RefreshToken, secondRefresh} {
				expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": rt}), "UNAUTHENTICATED")
			}
			sessionState(t, s, cookie).Expect(t, http.StatusForbidden, "Forbidden")
			// Other users keep their sessions; the user can log in again.
			s.Get(t, "/user/me", bystander.Token).Expect(t, http.StatusOK, "")
			fresh, _ := s.Tokens(t, u.Username, u.Password)
			s.Get(t, "/user/me", fresh).Expect(t, http.StatusOK, "")
		})
	}
}

func TestLogoutAllWithCookie(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "fred_cookieall")
	cookie := cookieLogin(t, s, u)
	s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/user/logout-all", Cookie: cookie}).Expect(t, http.StatusOK, "")
	sessionState(t, s, cookie).Expect(t, http.StatusForbidden, "Forbidden")
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
}

func TestLogoutGraphQL(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "gary_gqlout")
	if expectGQLOK(t, s.GraphQL(t, u.Token, `mutation { logout }`, nil))["logout"] != true {
		t.Fatal("logout")
	}
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": u.RefreshToken}), "UNAUTHENTICATED")
}
