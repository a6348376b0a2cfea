package tests

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

func requestReset(t *testing.T, s *apitest.Server, email string) *apitest.Response {
	t.Helper()
	return s.Get(t, "/user/code?"+url.Values{"email": {email}}.Encode(), "")
}

// resetCode requests a reset for u and returns the mailed code.
func resetCode(t *testing.T, s *apitest.Server, u *apitest.User) string {
	t.Helper()
	requestReset(t, s, u.Email).Expect(t, http.StatusCreated, "")
	m := s.Mail.WaitFor(t, u.Email, 10*time.Second)
	code := strings.Fields(m.Subject)[0]
	if len(code) < 20 || m.Subject != code+" is your usergraph verification code" {
		t.Fatalf("reset mail subject %q", m.Subject)
	}
	return code
}

func TestPasswordResetRequestDoesNotEnumerate(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.SignUp(t, "hugo_reset")
	known := requestReset(t, s, u.Email).Expect(t, http.StatusCreated, "")
	unknown := requestReset(t, s, "nobody@example.com").Expect(t, http.StatusCreated, "")
	if string(known.Raw) != string(unknown.Raw) {
		t.Fatalf("answers differ:\n%s\n%s", known.Raw, unknown.Raw)
	}
	if strings.Contains(string(known.Raw), u.ID) {
		t.Fatalf("answer names the account: %s", known.Raw)
	}
	s.Mail.WaitFor(t, u.Email, 10*time.Second)
	s.App.Accounts.Wait()
	for _, m := range s.Mail.Messages() {
		for _, to := range m.To {
			if strings.Contains(to, "nobody") {
				t.Fatalf("mail sent to an unknown address: %v", m.To)
			}
		}
	}
	expectFieldError(t, requestReset(t, s, "not-an-email"), "email", "not-an-email")
	expectFieldError(t, s.Get(t, "/user/code", ""), "email", absent)

	g1 := s.GraphQL(t, "", `mutation($e: String!) { requestPasswordReset(email: $e) }`, map[string]any{"e": u.Email})
	g2 := s.GraphQL(t, "", `mutation($e: String!) { requestPasswordReset(email: $e) }`, map[string]any{"e": "nobody@example.com"})
	if expectGQLOK(t, g1)["requestPasswordReset"] != true || string(g1.Raw) != string(g2.Raw) {
		t.Fatalf("GraphQL answers differ:\n%s\n%s", g1.Raw, g2.Raw)
	}
	expectGQLFieldError(t, s.GraphQL(t, "", `mutation { requestPasswordReset(email: "bad") }`, nil), "email")
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "iris_reset")
	cookie := cookieLogin(t, s, u)
	code := resetCode(t, s, u)

	// Failures first: they leave the code usable.
	expectFieldError(t, s.Post(t, "/user/reset-password", "", map[string]any{"code": code, "password": "short"}), "password", "short")
	expectFieldError(t, s.Post(t, "/user/reset-password", "", map[string]any{"code": "wrong-code-123", "password": "brand-new-pass"}), "code", absent)
	expectFieldError(t, s.Post(t, "/user/reset-password", "", map[string]any{"password": "brand-new-pass"}), "code", absent)
	expectFieldError(t, s.Post(t, "/user/reset-password", "", map[string]any{"code": code, "password": "brand-new-pass", "target": "nope"}), "target", "nope")
	// A target that is not the code's account.
	s.Post(t, "/user/reset-password", "", map[string]any{"code": code, "password": "brand-new-pass", "target": "0123456789abcdef01234567"}).
		Expect(t, http.StatusBadRequest, "ClientInputError")

	r := s.Post(t, "/user/reset-password", "", map[string]any{"code": code, "password": "brand-new-pass", "target": u.ID}).Expect(t, http.StatusOK, "")
	if string(r.Raw) != `{"ok":1}`+"\n" {
		t.Fatalf("reset: %q", r.Raw)
	}
	// Once only.
	s.Post(t, "/user/reset-password", "", map[string]any{"code": code, "password": "another-pass-3"}).Expect(t, http.StatusBadRequest, "ClientInputError")

	// Every session ended; the new password works, the old does not.
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": u.RefreshToken}), "UNAUTHENTICATED")
	sessionState(t, s, cookie).Expect(t, http.StatusForbidden, "Forbidden")
	restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusUnauthorized, "Unauthorized")
	restLogin(t, s, u.Username, "brand-new-pass").Expect(t, http.StatusOK, "")
}

func TestPasswordResetWithoutTarget(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.SignUp(t, "jack_notarget")
	code := resetCode(t, s, u)
	s.Post(t, "/user/reset-password", "", map[string]any{"code": code, "password": "brand-new-pass"}).Expect(t, http.StatusOK, "")
	restLogin(t, s, u.Username, "brand-new-pass").Expect(t, http.StatusOK, "")
}

func TestPasswordResetExpired(t *testing.T) {
	t.Parallel()
	// Sign-up needs no code here: under load, a 50ms verification code could expire first.
	s := apitest.New(t, func(c *config.Config) {
		c.Account.CodeLifetime = 50 * time.Millisecond
		c.Account.RequireEmailVerification = false
	})
	u := s.SignUp(t, "kim_expired")
	code := resetCode(t, s, u)
	time.Sleep(100 * time.Millisecond)
	s.Post(t, "/user/reset-password", "", map[string]any{"code": code, "password": "brand-new-pass"}).Expect(t, http.StatusBadRequest, "ClientInputError")
	restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusOK, "")
}

// Unlike Liquid, the configured password rule also holds for a reset.
func TestPasswordResetPasswordRegex(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.Profile.PasswordRegex = regexp.MustCompile(`[0-9]`) })
	u := s.SignUp(t, "liam_regex")
	code := resetCode(t, s, u)
	expectFieldError(t, s.Post(t, "/user/reset-password", "", map[string]any{"code": code, "password": "no-digits-here"}), "password", "no-digits-here")
	s.Post(t, "/user/reset-password", "", map[string]any{"code": code, "password": "digits-4-here"}).Expect(t, http.StatusOK, "")
}

func TestPasswordResetGraphQL(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "mona_gqlreset")
	g := s.GraphQL(t, "", `mutation($e: String!) { requestPasswordReset(email: $e) }`, map[string]any{"e": u.Email})
	expectGQLOK(t, g)
	code := strings.Fields(s.Mail.WaitFor(t, u.Email, 10*time.Second).Subject)[0]

	const reset = `mutation($c: String!, $p: String!) { resetPassword(code: $c, password: $p) }`
	expectGQLFieldError(t, s.GraphQL(t, "", reset, map[string]any{"c": code, "p": "short"}), "password")
	expectGQLError(t, s.GraphQL(t, "", reset, map[string]any{"c": "not-the-code", "p": "brand-new-pass"}), "BAD_USER_INPUT")
	if expectGQLOK(t, s.GraphQL(t, "", reset, map[string]any{"c": code, "p": "brand-new-pass"}))["resetPassword"] != true {
		t.Fatal("resetPassword")
	}
	expectGQLError(t, s.GraphQL(t, "", reset, map[string]any{"c": code, "p": "brand-new-pass"}), "BAD_USER_INPUT")
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	s.Tokens(t, u.Username, "brand-new-pass")
}
