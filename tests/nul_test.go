package tests

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"usergraph/internal/apitest"
)

// A NUL character anywhere in a REST request (path, query string, JSON body including \u0000
// escapes, form body) is the client's mistake: 400 ClientInputError in Liquid's envelope (OAuth
// routes: invalid_request) before anything reaches the database, which on PostgreSQL would
// fail with "invalid byte sequence for encoding UTF8: 0x00" as a 500.
func TestRESTRefusesNULBytes(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "nul_user")
	admin := s.NewSuperAdmin(t, "nul_admin")
	for _, c := range []struct {
		name, method, path, token string
		body                      any // a JSON string as sent, or url.Values for a form
		location, field           string
	}{
		{name: "client lookup path", method: "GET", path: "/client/a%00b", location: "params", field: "clientId"},
		{name: "user path", method: "GET", path: "/user/a%00b", token: u.Token, location: "params", field: "userId"},
		{name: "user info path", method: "GET", path: "/user/info/a%00b", token: u.Token, location: "params", field: "userId"},
		{name: "follow-status path", method: "GET", path: "/user/follow-status/a%00", token: u.Token, location: "params", field: "userId"},
		{name: "client lookup query", method: "GET", path: "/client?id=a%00b", location: "query", field: "id"},
		{name: "verify-email query", method: "GET", path: "/user/verify-email?target=a%00&code=123456", location: "query", field: "target"},
		{name: "reset request query", method: "GET", path: "/user/code?email=a%00@example.com", location: "query", field: "email"},
		{name: "followers query", method: "GET", path: "/user/followers?offset=%00", token: u.Token, location: "query", field: "offset"},
		{name: "profile bio", method: "PATCH", path: "/user/me", token: u.Token, body: `{"bio":"a\u0000b"}`, location: "body", field: "bio"},
		{name: "sign-up username", method: "POST", path: "/user/create", body: `{"username":"nul\u0000x","password":"correct-horse-1","email":"n@example.com","firstName":"N","lastName":"U"}`, location: "body", field: "username"},
		{name: "login username", method: "POST", path: "/user/login", body: `{"username":"nul_user\u0000","password":"x"}`, location: "body", field: "username"},
		{name: "login user agent", method: "POST", path: "/user/login", body: `{"username":"nul_user","password":"correct-horse-1","userAgent":"curl\u0000"}`, location: "body", field: "userAgent"},
		{name: "login as a form", method: "POST", path: "/user/login", body: url.Values{"username": {"nul\x00"}, "password": {"x"}}, location: "body", field: "username"},
		{name: "reset code", method: "POST", path: "/user/reset-password", body: `{"code":"\u0000","password":"correct-horse-2"}`, location: "body", field: "code"},
		{name: "text search", method: "POST", path: "/user/search", token: u.Token, body: `{"query":"a\u0000"}`, location: "body", field: "query"},
		{name: "filter search", method: "POST", path: "/user/search", token: u.Token, body: `{"query":{"username":{"$regex":"\u0000"}}}`, location: "body", field: "query.username.$regex"},
		{name: "follow target", method: "POST", path: "/user/follow", token: u.Token, body: `{"target":"\u0000"}`, location: "body", field: "target"},
		{name: "block target", method: "POST", path: "/user/block", token: u.Token, body: `{"target":"x\u0000"}`, location: "body", field: "target"},
		{name: "role create", method: "POST", path: "/roles/admin-api/create", token: admin.Token, body: `{"id":"r\u0000","displayName":"R","ranking":5,"scope":[]}`, location: "body", field: "id"},
		{name: "access targets", method: "POST", path: "/user/admin-api/access", token: admin.Token, body: `{"targets":["\u0000"],"targetType":"user","scope":["x"],"operation":"add"}`, location: "body", field: "targets[0]"},
		{name: "retrieve user info", method: "POST", path: "/user/admin-api/retrieve-user-info", token: admin.Token, body: `{"targets":["a\u0000"]}`, location: "body", field: "targets[0]"},
		{name: "bulk create", method: "POST", path: "/user/admin-api/create", token: admin.Token, body: `[{"username":"b\u0000"}]`, location: "body", field: "[0].username"},
		{name: "client create", method: "POST", path: "/client/admin-api/create", token: admin.Token, body: `{"id":"c\u0000","displayName":"C"}`, location: "body", field: "id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rq := apitest.Req{Method: c.method, Path: c.path, Token: c.token}
			switch b := c.body.(type) {
			case string:
				rq.JSON = b
			case url.Values:
				rq.Form = b
			}
			r := s.Do(t, rq).Expect(t, http.StatusBadRequest, "ClientInputError")
			errs, _ := obj(r.Body, "additionalInfo")["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("additionalInfo.errors: %s", r.Raw)
			}
			e := errs[0].(map[string]any)
			if e["location"] != c.location || e["path"] != c.field {
				t.Fatalf("error at %v %v, want %s %s: %s", e["location"], e["path"], c.location, c.field, r.Raw)
			}
		})
	}
	// Nothing was stored: the bio is as it was, no role or client exists.
	if me := meREST(t, s, u.Token); me["bio"] != nil && me["bio"] != "" {
		t.Fatalf("bio changed: %v", me["bio"])
	}
	// OAuth routes answer in OAuth's format.
	r := s.Do(t, apitest.Req{Method: "POST", Path: "/oauth/token", Form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"a\x00"}, "client_secret": {"x"}}})
	if r.Status != http.StatusBadRequest || r.Body["error"] != "invalid_request" {
		t.Fatalf("oauth token with a NUL client id: %d %s", r.Status, r.Raw)
	}
}

// Go's HTTP server refuses header values holding a NUL before any handler runs, so a NUL
// User-Agent or cookie cannot reach the domain either.
func TestHeadersWithNULAreRefused(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write([]byte("GET /user/session-state HTTP/1.1\r\nHost: x\r\nUser-Agent: a\x00b\r\n\r\n"))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// A NUL character in any GraphQL string (literal, variable, input object, JSON scalar) is
// BAD_USER_INPUT before anything runs.
func TestGraphQLRefusesNULBytes(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "gnul_user")
	admin := s.NewSuperAdmin(t, "gnul_admin")
	for _, c := range []struct {
		name, token, query string
		vars               map[string]any
	}{
		{name: "user id literal", token: u.Token, query: `{ user(id: "a\u0000b") { id } }`},
		{name: "user id variable", token: u.Token, query: `query($id: ID!) { user(id: $id) { id } }`, vars: map[string]any{"id": "a\x00b"}},
		{name: "sign-up input", query: `mutation($u: String!) { signUp(input: {username: $u, password: "correct-horse-1", email: "g@example.com", firstName: "G", lastName: "N"}) { id } }`, vars: map[string]any{"u": "gnul\x00"}},
		{name: "login input", query: `mutation { login(input: {username: "gnul_user\u0000", password: "x"}) { accessToken } }`},
		{name: "profile bio", token: u.Token, query: `mutation($b: String) { updateProfile(input: {bio: $b}) { bio } }`, vars: map[string]any{"b": "a\x00b"}},
		{name: "text search", token: u.Token, query: `query($q: JSON!) { searchUsers(query: $q) { totalCount } }`, vars: map[string]any{"q": "a\x00"}},
		{name: "filter search key", token: u.Token, query: `query($q: JSON!) { searchUsers(query: $q) { totalCount } }`, vars: map[string]any{"q": map[string]any{"user\x00name": "x"}}},
		{name: "follow", token: u.Token, query: `mutation { follow(userId: "\u0000") { status } }`},
		{name: "retrieve users", token: admin.Token, query: `query($t: [String!]!) { retrieveUsers(targets: $t) { id } }`, vars: map[string]any{"t": []string{"ok", "\x00"}}},
		{name: "users where", token: admin.Token, query: `{ users(where: {usernameContains: "\u0000"}) { totalCount } }`},
		{name: "password reset request", query: `mutation { requestPasswordReset(email: "a\u0000@example.com") }`},
		{name: "oauth client lookup", query: `{ oauthClient(clientId: "\u0000") { clientId } }`},
	} {
		t.Run(c.name, func(t *testing.T) {
			expectRefused(t, s.GraphQL(t, c.token, c.query, c.vars), http.StatusUnprocessableEntity, "BAD_USER_INPUT")
		})
	}
	if me := meREST(t, s, u.Token); me["bio"] != nil && me["bio"] != "" {
		t.Fatalf("bio changed: %v", me["bio"])
	}
}
