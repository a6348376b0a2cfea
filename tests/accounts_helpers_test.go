package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"usergraph/graph"
	"usergraph/internal/apperr"

	"usergraph/internal/apitest"
)

// Shared helpers of the accounts tests (issue 2): sign-up, login, sessions, tokens, profile.

const testUA = "usergraph-tests/1.0 (accounts)"

var (
	objectIDRe = regexp.MustCompile(`^[0-9a-f]{24}$`)
	jsTimeRe   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	sixDigits  = regexp.MustCompile(`^\d{6}$`)
)

// absent stands for "the key is not there" in expectations of additionalInfo.errors[0].value.
type absentValue struct{}

var absent = absentValue{}

// signUpBody is a valid POST /user/create body for username.
func signUpBody(username string) map[string]any {
	return map[string]any{
		"username": username, "password": "correct-horse-1", "email": username + "@example.com",
		"firstName": "Test", "lastName": "User",
	}
}

// with returns a copy of m with kv applied (a nil value deletes the key).
func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// restLogin is POST /user/login with a username (or an email, when it has an @).
func restLogin(t *testing.T, s *apitest.Server, name, password string) *apitest.Response {
	t.Helper()
	body := map[string]any{"password": password, "userAgent": testUA}
	if strings.Contains(name, "@") {
		body["email"] = name
	} else {
		body["username"] = name
	}
	return s.Post(t, "/user/login", "", body)
}

// cookieLogin logs u in through REST and returns the connect.sid cookie value.
func cookieLogin(t *testing.T, s *apitest.Server, u *apitest.User) string {
	t.Helper()
	r := restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusOK, "")
	c := r.Cookie("connect.sid")
	if c == nil || c.Value == "" {
		t.Fatalf("login set no connect.sid cookie: %v", r.Header)
	}
	return c.Value
}

// obj reads a nested object: obj(m, "data", "user").
func obj(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m, _ = m[p].(map[string]any)
	}
	return m
}

// firstFieldError returns additionalInfo.errors[0] of a REST response.
func firstFieldError(t *testing.T, r *apitest.Response) map[string]any {
	t.Helper()
	errs, _ := obj(r.Body, "additionalInfo")["errors"].([]any)
	if len(errs) == 0 {
		t.Fatalf("no additionalInfo.errors: %s", r.Raw)
	}
	e, _ := errs[0].(map[string]any)
	return e
}

// expectFieldError checks a 400 ClientInputError whose first field error has path and value
// (absent: no value key).
func expectFieldError(t *testing.T, r *apitest.Response, path string, value any) {
	t.Helper()
	r.Expect(t, http.StatusBadRequest, "ClientInputError")
	checkFieldError(t, r.Raw, firstFieldError(t, r), path, value)
}

func checkFieldError(t *testing.T, raw []byte, e map[string]any, path string, value any) {
	t.Helper()
	if e["path"] != path {
		t.Fatalf("errors[0].path = %v, want %q: %s", e["path"], path, raw)
	}
	if e["msg"] != "Invalid value" || e["type"] != "field" || e["location"] == nil {
		t.Fatalf("errors[0] is not express-validator shaped: %s", raw)
	}
	got, has := e["value"]
	if value == absent {
		if has {
			t.Fatalf("errors[0].value = %v, want no value: %s", got, raw)
		}
		return
	}
	if !has || !jsonEqual(got, value) {
		t.Fatalf("errors[0].value = %v, want %v: %s", got, value, raw)
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// gqlErr returns errors[0] of a GraphQL response.
func gqlErr(t *testing.T, r *apitest.Response) map[string]any {
	t.Helper()
	errs, _ := r.Body["errors"].([]any)
	if len(errs) == 0 {
		t.Fatalf("no GraphQL errors: %s", r.Raw)
	}
	e, _ := errs[0].(map[string]any)
	return e
}

// expectGQLError checks that the GraphQL answer failed with extensions.code = code.
func expectGQLError(t *testing.T, r *apitest.Response, code string) map[string]any {
	t.Helper()
	e := gqlErr(t, r)
	if got := r.GQLError(); got != gqlCode(code) {
		t.Fatalf("extensions.code = %q, want %q: %s", got, gqlCode(code), r.Raw)
	}
	return e
}

// expectGQLFieldError checks a GraphQL BAD_USER_INPUT whose first broken field has the
// GraphQL path (input.username, requestId) and a message saying what the rule wants.
func expectGQLFieldError(t *testing.T, r *apitest.Response, path string) {
	t.Helper()
	e := expectGQLError(t, r, "BAD_USER_INPUT")
	fields, _ := obj(e, "extensions")["fields"].([]any)
	if len(fields) == 0 {
		t.Fatalf("no extensions.fields: %s", r.Raw)
	}
	fe, _ := fields[0].(map[string]any)
	if fe["path"] != path || fe["rule"] == "" || fe["message"] == "" {
		t.Fatalf("fields[0] = %v, want path %q with a rule and a message: %s", fe, path, r.Raw)
	}
	if msg, _ := e["message"].(string); !strings.HasPrefix(msg, path+" ") {
		t.Fatalf("message %q does not name %s", msg, path)
	}
}

// expectGQLOK fails on any GraphQL error and returns data.
func expectGQLOK(t *testing.T, r *apitest.Response) map[string]any {
	t.Helper()
	if r.Status != http.StatusOK || r.Body["errors"] != nil {
		t.Fatalf("GraphQL failed (%d): %s", r.Status, r.Raw)
	}
	return r.Data()
}

// setUser changes a user row directly (what an admin operation would do).
func setScope(t *testing.T, s *apitest.Server, id string, scope ...string) {
	t.Helper()
	if err := s.App.DB.User.UpdateOneID(id).SetScope(scope).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func setBanned(t *testing.T, s *apitest.Server, id string) {
	t.Helper()
	if err := s.App.DB.User.UpdateOneID(id).SetIsBanned(true).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func setDeleted(t *testing.T, s *apitest.Server, id string) {
	t.Helper()
	if err := s.App.DB.User.UpdateOneID(id).SetIsDeleted(true).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// noSecrets fails if a response carries a password or its hash anywhere: no key naming a
// password, no bcrypt hash, not the password itself.
func noSecrets(t *testing.T, r *apitest.Response, password string) {
	t.Helper()
	var walk func(v any) string
	walk = func(v any) string {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if strings.Contains(strings.ToLower(k), "password") {
					return "key " + k
				}
				if bad := walk(e); bad != "" {
					return bad
				}
			}
		case []any:
			for _, e := range x {
				if bad := walk(e); bad != "" {
					return bad
				}
			}
		case string:
			if strings.HasPrefix(x, "$2a$") || strings.HasPrefix(x, "$2b$") || password != "" && strings.Contains(x, password) {
				return "value " + x
			}
		}
		return ""
	}
	if bad := walk(r.Body); bad != "" {
		t.Fatalf("response carries a secret (%s): %s", bad, r.Raw)
	}
}

// checkUserDoc checks the Liquid shape of a user document.
func checkUserDoc(t *testing.T, doc map[string]any, raw []byte) {
	t.Helper()
	if doc == nil {
		t.Fatalf("no user document: %s", raw)
	}
	if id, _ := doc["_id"].(string); !objectIDRe.MatchString(id) {
		t.Fatalf("_id %v is not 24 hex: %s", doc["_id"], raw)
	}
	for _, k := range []string{"createdAt", "updatedAt"} {
		if v, _ := doc[k].(string); !jsTimeRe.MatchString(v) {
			t.Fatalf("%s %v is not a JavaScript timestamp: %s", k, doc[k], raw)
		}
	}
}

// gqlUser is the selection the GraphQL tests read from a User.
const gqlUser = `id username firstName lastName middleName bio email emailVerified phone credits isPrivate twoFactorEnabled`

// meREST is GET /user/me's user document.
func meREST(t *testing.T, s *apitest.Server, token string) map[string]any {
	t.Helper()
	r := s.Get(t, "/user/me", token).Expect(t, http.StatusOK, "")
	return obj(r.Data(), "user")
}

// gqlCode is the GraphQL extensions.code of a domain code named as Liquid names it
// ("ClientInputError" → "BAD_USER_INPUT"), so tables shared by REST and GraphQL cases can name
// one code; a code already in GraphQL's UPPER_SNAKE_CASE is returned as it is.
func gqlCode(code string) string {
	if strings.ToUpper(code) == code {
		return code
	}
	return graph.Code(apperr.Code(code))
}
