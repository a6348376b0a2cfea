package tests

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"usergraph/ent/loginhistory"
	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

func with2FA(c *config.Config) { c.TwoFactor.EmailEnabled = true }

// twoFactorUser signs up a user, logs in and switches 2FA on through POST /user/2fa.
func twoFactorUser(t *testing.T, s *apitest.Server, name string) *apitest.User {
	t.Helper()
	u := s.NewUser(t, name)
	r := s.Post(t, "/user/2fa", u.Token, map[string]any{"state": true}).Expect(t, http.StatusOK, "")
	if string(r.Raw) != `{"ok":1}`+"\n" {
		t.Fatalf("POST /user/2fa: %q", r.Raw)
	}
	return u
}

// challenge logs in through REST and returns the 2FA sessionHash and the mailed code.
func challenge(t *testing.T, s *apitest.Server, u *apitest.User) (sessionHash, code string) {
	t.Helper()
	r := restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusOK, "")
	d := r.Data()
	sessionHash, _ = d["sessionHash"].(string)
	if d["2faEnabled"] != true || len(sessionHash) != 64 {
		t.Fatalf("login did not ask for 2FA: %s", r.Raw)
	}
	info := obj(d, "userInfo")
	if info["_id"] != u.ID || info["username"] != u.Username || info["email"] != u.Email || len(info) != 3 {
		t.Fatalf("2FA userInfo: %s", r.Raw)
	}
	if r.Cookie("connect.sid") != nil {
		t.Fatalf("a 2FA challenge set a session cookie")
	}
	return sessionHash, s.Mail.Code(t, u.Email)
}

func doTwoFactor(t *testing.T, s *apitest.Server, target, code, hash string) *apitest.Response {
	t.Helper()
	return s.Post(t, "/user/do-2fa", "", map[string]any{"target": target, "code": code, "sessionHash": hash})
}

func TestTwoFactorREST(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, with2FA)
	u := twoFactorUser(t, s, "wendy_twofa")
	if meREST(t, s, u.Token)["2faEnabled"] != true {
		t.Fatal("2faEnabled not set")
	}

	hash, code := challenge(t, s, u)
	r := doTwoFactor(t, s, u.ID, code, hash).Expect(t, http.StatusOK, "")
	c := r.Cookie("connect.sid")
	if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie: %+v", c)
	}
	info := obj(r.Data(), "userInfo")
	checkUserDoc(t, info, r.Raw)
	if info["_id"] != u.ID || !jsonEqual(info, obj(r.Data(), "user")) {
		t.Fatalf("do-2fa: %s", r.Raw)
	}
	noSecrets(t, r, u.Password)
	s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/user/session-state", Cookie: c.Value}).Expect(t, http.StatusOK, "")
	// The code is spent.
	doTwoFactor(t, s, u.ID, code, hash).Expect(t, http.StatusBadRequest, "ClientInputError")

	// Switching it off: the next login is a plain one.
	s.Post(t, "/user/2fa", u.Token, map[string]any{"state": false}).Expect(t, http.StatusOK, "")
	r = restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusOK, "")
	if r.Data()["2faEnabled"] != false || r.Cookie("connect.sid") == nil {
		t.Fatalf("login after 2FA off: %s", r.Raw)
	}
}

func TestTwoFactorFailures(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, with2FA)
	u := twoFactorUser(t, s, "xena_twofa")

	t.Run("wrong code, wrong sessionHash, then success", func(t *testing.T) {
		hash, code := challenge(t, s, u)
		expectFieldError(t, doTwoFactor(t, s, u.ID, wrongCode(code), hash), "code", absent)
		doTwoFactor(t, s, u.ID, code, otherHash(hash)).Expect(t, http.StatusBadRequest, "ClientInputError")
		doTwoFactor(t, s, "0123456789abcdef01234567", code, hash).Expect(t, http.StatusBadRequest, "ClientInputError")
		doTwoFactor(t, s, strings.ToUpper(u.ID), code, hash).Expect(t, http.StatusOK, "")
	})

	t.Run("five wrong attempts kill the code", func(t *testing.T) {
		hash, code := challenge(t, s, u)
		for range 5 {
			doTwoFactor(t, s, u.ID, wrongCode(code), hash).Expect(t, http.StatusBadRequest, "ClientInputError")
		}
		doTwoFactor(t, s, u.ID, code, hash).Expect(t, http.StatusBadRequest, "ClientInputError")
	})

	t.Run("a new login replaces the code", func(t *testing.T) {
		oldHash, oldCode := challenge(t, s, u)
		hash, code := challenge(t, s, u)
		if oldCode != code {
			doTwoFactor(t, s, u.ID, oldCode, hash).Expect(t, http.StatusBadRequest, "ClientInputError")
		}
		doTwoFactor(t, s, u.ID, code, oldHash).Expect(t, http.StatusBadRequest, "ClientInputError")
		doTwoFactor(t, s, u.ID, code, hash).Expect(t, http.StatusOK, "")
	})

	t.Run("validation", func(t *testing.T) {
		expectFieldError(t, doTwoFactor(t, s, "nope", "123456", "abcdef"), "target", "nope")
		expectFieldError(t, s.Post(t, "/user/do-2fa", "", map[string]any{"target": u.ID, "sessionHash": "abcdef"}), "code", absent)
		expectFieldError(t, s.Post(t, "/user/do-2fa", "", map[string]any{"target": u.ID, "code": "123456"}), "sessionHash", absent)
		expectFieldError(t, s.Post(t, "/user/2fa", u.Token, map[string]any{"state": "yes"}), "state", "yes")
		expectFieldError(t, s.Post(t, "/user/2fa", u.Token, map[string]any{}), "state", absent)
	})

	t.Run("mfa_rejected is recorded", func(t *testing.T) {
		n := s.App.DB.LoginHistory.Query().Where(loginhistory.UserID(u.ID), loginhistory.Reason("mfa_rejected")).CountX(context.Background())
		if n < 7 {
			t.Fatalf("%d mfa_rejected rows", n)
		}
	})
}

func TestTwoFactorDisabledInConfig(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "yuri_nofa")
	s.Post(t, "/user/2fa", u.Token, map[string]any{"state": true}).Expect(t, http.StatusNotFound, "NotFound")
	doTwoFactor(t, s, u.ID, "123456", "abcdef").Expect(t, http.StatusNotFound, "NotFound")
	expectGQLError(t, s.GraphQL(t, u.Token, `mutation { setTwoFactor(enabled: true) }`, nil), "NOT_FOUND")
	expectGQLError(t, s.GraphQL(t, "", `mutation { completeTwoFactorLogin(userId: "0123456789abcdef01234567", code: "123456", sessionHash: "abcdef") { accessToken } }`, nil), "NOT_FOUND")
}

func TestTwoFactorEnforced(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.TwoFactor.EmailEnabled, c.TwoFactor.EmailEnforce = true, true })
	u := s.SignUp(t, "zara_enforced")
	hash, code := challenge(t, s, u)
	doTwoFactor(t, s, u.ID, code, hash).Expect(t, http.StatusOK, "")
}

func TestTwoFactorGraphQL(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, with2FA)
	u := s.NewUser(t, "adam_gqlfa")
	if expectGQLOK(t, s.GraphQL(t, u.Token, `mutation { setTwoFactor(enabled: true) }`, nil))["setTwoFactor"] != true {
		t.Fatal("setTwoFactor")
	}
	me := obj(expectGQLOK(t, s.GraphQL(t, u.Token, `{ me { twoFactorEnabled } }`, nil)), "me")
	if me["twoFactorEnabled"] != true {
		t.Fatalf("twoFactorEnabled: %v", me)
	}

	r := s.GraphQL(t, "", gqlLogin, map[string]any{"in": map[string]any{"username": u.Username, "password": u.Password}})
	p := obj(expectGQLOK(t, r), "login")
	if p["twoFactorRequired"] != true || p["userId"] != u.ID || p["accessToken"] != nil || p["user"] != nil {
		t.Fatalf("challenge: %s", r.Raw)
	}
	hash := p["sessionHash"].(string)
	code := s.Mail.Code(t, u.Email)

	const complete = `mutation($id: ID!, $c: String!, $h: String!) { completeTwoFactorLogin(userId: $id, code: $c, sessionHash: $h) {
		twoFactorRequired accessToken refreshToken user { id email } } }`
	expectGQLError(t, s.GraphQL(t, "", complete, map[string]any{"id": u.ID, "c": wrongCode(code), "h": hash}), "BAD_USER_INPUT")
	r = s.GraphQL(t, "", complete, map[string]any{"id": u.ID, "c": code, "h": hash})
	p = obj(expectGQLOK(t, r), "completeTwoFactorLogin")
	if p["twoFactorRequired"] != false || p["accessToken"] == nil || p["refreshToken"] == nil || obj(p, "user")["email"] != u.Email {
		t.Fatalf("completeTwoFactorLogin: %s", r.Raw)
	}
	s.Get(t, "/user/me", p["accessToken"].(string)).Expect(t, http.StatusOK, "")
	expectGQLError(t, s.GraphQL(t, "", complete, map[string]any{"id": u.ID, "c": code, "h": hash}), "BAD_USER_INPUT")

	expectGQLOK(t, s.GraphQL(t, u.Token, `mutation { setTwoFactor(enabled: false) }`, nil))
	s.Tokens(t, u.Username, u.Password)
}

// otherHash changes the first character of a sessionHash, always to a different one (a fixed
// replacement would equal it one time in 36).
func otherHash(hash string) string {
	if hash[0] == 'x' {
		return "y" + hash[1:]
	}
	return "x" + hash[1:]
}
