package tests

import (
	"net/http"
	"strings"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// Bad input to the account operations is named by its GraphQL path (an argument, or a field of
// the input object) with the rule it broke; nothing in the answer speaks Liquid's REST.
func TestAccountsGraphQLInputErrors(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.TwoFactor.EmailEnabled = true })
	u := s.NewUser(t, "gql_input_user")
	unverified := s.Post(t, "/user/create", "", signUpBody("gql_unverified")).Expect(t, http.StatusCreated, "").Data()["user"].(map[string]any)["_id"].(string)
	admin := s.NewAdmin(t, "gql_input_admin", "admin", "admin:profile:login-history:read")

	signUp := func(kv ...any) map[string]any { return map[string]any{"in": with(signUpBody("gql_new_user"), kv...)} }
	login := func(in map[string]any) map[string]any { return map[string]any{"in": in} }
	const (
		verify   = `mutation($id: ID!, $c: String!) { verifyEmail(userId: $id, code: $c) }`
		resend   = `mutation($id: ID!) { resendVerification(userId: $id) }`
		complete = `mutation($id: ID!, $c: String!, $h: String!) { completeTwoFactorLogin(userId: $id, code: $c, sessionHash: $h) { accessToken } }`
		reset    = `mutation($c: String!, $p: String!) { resetPassword(code: $c, password: $p) }`
		history  = `query($l: Int, $o: String) { loginHistory(limit: $l, offset: $o) { id } }`
	)
	cases := []struct {
		name, token, query string
		vars               map[string]any
		path, rule         string
	}{
		{"signUp short username", "", gqlSignUp, signUp("username", "abc"), "input.username", "username"},
		{"signUp short password", "", gqlSignUp, signUp("password", "short"), "input.password", "password"},
		{"signUp bad email", "", gqlSignUp, signUp("email", "not-an-email"), "input.email", "email"},
		{"signUp first name with a space", "", gqlSignUp, signUp("firstName", "Mary Ann"), "input.firstName", "name"},
		{"signUp phone without country code", "", gqlSignUp, signUp("phone", "5551234567"), "input.phoneCountryCode", "required"},
		{"login without a name", "", gqlLogin, login(map[string]any{"password": "correct-horse-1"}), "input.username", "required"},
		{"login bad email", "", gqlLogin, login(map[string]any{"email": "nope", "password": "correct-horse-1"}), "input.email", "email"},
		{"login short password", "", gqlLogin, login(map[string]any{"username": u.Username, "password": "short"}), "input.password", "password"},
		{"verifyEmail bad id", "", verify, map[string]any{"id": "x", "c": "123456"}, "userId", "id"},
		{"verifyEmail wrong code", "", verify, map[string]any{"id": unverified, "c": "not-the-code"}, "code", "rejected"},
		{"resendVerification bad id", "", resend, map[string]any{"id": "x"}, "userId", "id"},
		{"resendVerification verified account", "", resend, map[string]any{"id": u.ID}, "userId", "rejected"},
		{"completeTwoFactorLogin short code", "", complete, map[string]any{"id": u.ID, "c": "1", "h": "abcdef"}, "code", "code"},
		{"completeTwoFactorLogin short hash", "", complete, map[string]any{"id": u.ID, "c": "123456", "h": "a"}, "sessionHash", "sessionHash"},
		{"completeTwoFactorLogin no challenge", "", complete, map[string]any{"id": u.ID, "c": "123456", "h": "abcdef"}, "code", "rejected"},
		{"requestPasswordReset bad email", "", `mutation { requestPasswordReset(email: "bad") }`, nil, "email", "email"},
		{"resetPassword short code", "", reset, map[string]any{"c": "x", "p": "brand-new-pass"}, "code", "code"},
		{"resetPassword short password", "", reset, map[string]any{"c": "some-code", "p": "short"}, "password", "password"},
		{"resetPassword unknown code", "", reset, map[string]any{"c": "some-code", "p": "brand-new-pass"}, "code", "rejected"},
		{"user bad id", u.Token, `{ user(id: "x") { id } }`, nil, "id", "id"},
		{"node bad id", u.Token, `{ node(id: "x") { id } }`, nil, "id", "id"},
		{"loginHistory bad offset", u.Token, history, map[string]any{"o": "yesterday"}, "offset", "cursor"},
		{"loginHistory unknown offset", u.Token, history, map[string]any{"o": unknownID}, "offset", "cursor"},
		{"userLoginHistory bad id", admin.Token, `{ userLoginHistory(userId: "x") { id } }`, nil, "userId", "id"},
	}
	// A negative page size is refused before any resolver runs (the query's cost check).
	expectGQLError(t, s.GraphQL(t, u.Token, history, map[string]any{"l": -1}), "BAD_USER_INPUT")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.GraphQL(t, tc.token, tc.query, tc.vars)
			expectGQLRule(t, r, tc.path, tc.rule)
			if raw := string(r.Raw); strings.Contains(raw, `"location"`) || strings.Contains(raw, "additionalInfo") {
				t.Fatalf("GraphQL error speaks REST: %s", raw)
			}
		})
	}
}

// A rule the Liquid edge cannot check alone (it needs the database, or the domain's bounds) is
// written as express-validator writes its entries: Liquid's name, the value sent, its location.
func TestLiquidRendersDomainViolations(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "rest_domain_rules")
	admin := s.NewAdmin(t, "rest_domain_admin", "admin", "admin:profile:login-history:read")
	cases := []struct {
		name, path, token string
		field             string
		value             any
	}{
		{"negative limit", "/user/login-history?limit=-3", u.Token, "limit", "-3"},
		{"offset naming no record", "/user/login-history?offset=" + unknownID, u.Token, "offset", unknownID},
		{"admin: negative limit", "/user/admin-api/login-history?target=" + u.ID + "&limit=-1", admin.Token, "limit", "-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Get(t, tc.path, tc.token)
			expectFieldError(t, r, tc.field, tc.value)
			if loc := firstFieldError(t, r)["location"]; loc != "query" {
				t.Fatalf("location %v: %s", loc, r.Raw)
			}
		})
	}
}
