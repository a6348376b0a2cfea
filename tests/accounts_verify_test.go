package tests

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// pendingUser signs up without verifying and returns the id and the mailed code.
func pendingUser(t *testing.T, s *apitest.Server, username string) (id, code string) {
	t.Helper()
	r := s.Post(t, "/user/create", "", signUpBody(username)).Expect(t, http.StatusCreated, "")
	return obj(r.Data(), "user")["_id"].(string), s.Mail.Code(t, username+"@example.com")
}

// verify sends the code by GET (query) or POST (JSON body).
func verify(t *testing.T, s *apitest.Server, method, target, code string) *apitest.Response {
	t.Helper()
	if method == http.MethodGet {
		q := url.Values{"target": {target}, "code": {code}}
		return s.Get(t, "/user/verify-email?"+q.Encode(), "")
	}
	return s.Post(t, "/user/verify-email", "", map[string]any{"target": target, "code": code})
}

func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestVerifyEmail(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			s := apitest.New(t)

			t.Run("success, then the code is spent", func(t *testing.T) {
				id, code := pendingUser(t, s, "ok_"+method)
				verify(t, s, method, id, wrongCode(code)).Expect(t, http.StatusBadRequest, "ClientInputError")
				r := verify(t, s, method, id, code).Expect(t, http.StatusOK, "")
				if r.Body["data"] != "Your email has been verified successfully. You can now login." {
					t.Fatalf("data: %s", r.Raw)
				}
				verify(t, s, method, id, code).Expect(t, http.StatusBadRequest, "ClientInputError")
				restLogin(t, s, "ok_"+method, "correct-horse-1").Expect(t, http.StatusOK, "")
			})

			t.Run("five wrong attempts kill the code", func(t *testing.T) {
				id, code := pendingUser(t, s, "brute_"+method)
				for range 5 {
					expectFieldError(t, verify(t, s, method, id, wrongCode(code)), "code", absent)
				}
				verify(t, s, method, id, code).Expect(t, http.StatusBadRequest, "ClientInputError")
				restLogin(t, s, "brute_"+method, "correct-horse-1").Expect(t, http.StatusUnauthorized, "ResourceNotActive")
				// A new code (resend) works again.
				s.Get(t, "/user/resend-verification?target="+id, "").Expect(t, http.StatusOK, "")
				verify(t, s, method, id, s.Mail.Code(t, "brute_"+method+"@example.com")).Expect(t, http.StatusOK, "")
			})

			t.Run("target in upper case", func(t *testing.T) {
				id, code := pendingUser(t, s, "upper_"+method)
				verify(t, s, method, strings.ToUpper(id), code).Expect(t, http.StatusOK, "")
				restLogin(t, s, "upper_"+method, "correct-horse-1").Expect(t, http.StatusOK, "")
			})

			t.Run("bad input", func(t *testing.T) {
				id, _ := pendingUser(t, s, "input_"+method)
				expectFieldError(t, verify(t, s, method, "not-an-id", "123456"), "target", "not-an-id")
				expectFieldError(t, verify(t, s, method, id, ""), "code", "")
				// A well-formed id nobody has: the same 400 as a wrong code.
				verify(t, s, method, "0123456789abcdef01234567", "123456").Expect(t, http.StatusBadRequest, "ClientInputError")
				r := s.Get(t, "/user/verify-email", "")
				expectFieldError(t, r, "target", absent)
				if firstFieldError(t, r)["location"] != "query" {
					t.Fatalf("location: %s", r.Raw)
				}
			})
		})
	}
}

func TestVerifyEmailExpiredCode(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.Account.CodeLifetime = 50 * time.Millisecond })
	id, code := pendingUser(t, s, "late_larry")
	time.Sleep(100 * time.Millisecond)
	verify(t, s, http.MethodGet, id, code).Expect(t, http.StatusBadRequest, "ClientInputError")
}

func TestResendVerification(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	id, old := pendingUser(t, s, "resend_rita")

	r := s.Get(t, "/user/resend-verification?target="+id, "").Expect(t, http.StatusOK, "")
	if r.Body["data"] != "Verification email resent successfully." {
		t.Fatalf("data: %s", r.Raw)
	}
	fresh := s.Mail.Code(t, "resend_rita@example.com")
	if !sixDigits.MatchString(fresh) {
		t.Fatalf("code %q", fresh)
	}
	if fresh != old {
		// The resend replaced the first code.
		verify(t, s, http.MethodGet, id, old).Expect(t, http.StatusBadRequest, "ClientInputError")
	}
	// POST with a JSON body works too, and GraphQL.
	s.Post(t, "/user/resend-verification", "", map[string]any{"target": id}).Expect(t, http.StatusOK, "")
	s.Mail.Code(t, "resend_rita@example.com")
	s.Get(t, "/user/resend-verification?target="+strings.ToUpper(id), "").Expect(t, http.StatusOK, "")
	s.Mail.Code(t, "resend_rita@example.com")
	g := s.GraphQL(t, "", `mutation($id: ID!) { resendVerification(userId: $id) }`, map[string]any{"id": id})
	if expectGQLOK(t, g)["resendVerification"] != true {
		t.Fatalf("resendVerification: %s", g.Raw)
	}
	latest := s.Mail.Code(t, "resend_rita@example.com")
	verify(t, s, http.MethodPost, id, latest).Expect(t, http.StatusOK, "")

	// Already verified, unknown and malformed targets are 400.
	expectFieldError(t, s.Get(t, "/user/resend-verification?target="+id, ""), "target", absent)
	s.Get(t, "/user/resend-verification?target=0123456789abcdef01234567", "").Expect(t, http.StatusBadRequest, "ClientInputError")
	expectFieldError(t, s.Get(t, "/user/resend-verification?target=xyz", ""), "target", "xyz")
	expectGQLError(t, s.GraphQL(t, "", `mutation($id: ID!) { resendVerification(userId: $id) }`, map[string]any{"id": id}), "BAD_USER_INPUT")
	expectGQLError(t, s.GraphQL(t, "", `mutation($id: ID!, $c: String!) { verifyEmail(userId: $id, code: $c) }`,
		map[string]any{"id": id, "c": latest}), "ClientInputError")
}
