package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"usergraph/internal/apitest"
)

// The fuzz tests send arbitrary bodies to REST routes and arbitrary documents to /graphql and
// require that the server never answers with a server error: every input is either served or
// refused as the client's mistake. `go test` runs the seed corpus (below, and testdata/fuzz);
// to search for new failures run, for example,
//
//	go test ./tests -run '^$' -fuzz FuzzGraphQL -fuzztime 3m -parallel 1
//
// and add what it finds to the seeds.

// fuzzRoutes are REST routes that decode a body or query string, with the caller they need.
var fuzzRoutes = []struct {
	method, path string
	as           string // "", "user" or "admin"
}{
	{"POST", "/user/create", ""},
	{"POST", "/user/login", ""},
	{"POST", "/user/reset-password", ""},
	{"GET", "/user/verify-email", ""},
	{"GET", "/user/code", ""},
	{"PATCH", "/user/me", "user"},
	{"POST", "/user/search", "user"},
	{"POST", "/user/follow", "user"},
	{"POST", "/user/block", "user"},
	{"GET", "/user/followers", "user"},
	{"POST", "/user/admin-api/search", "admin"},
	{"POST", "/user/admin-api/create", "admin"},
	{"PATCH", "/user/admin-api/update", "admin"},
	{"POST", "/user/admin-api/access", "admin"},
	{"POST", "/user/admin-api/retrieve-user-info", "admin"},
	{"POST", "/roles/admin-api/create", "admin"},
	{"POST", "/client/admin-api/create", "admin"},
	{"POST", "/oauth/token", ""},
}

func FuzzREST(f *testing.F) {
	bodies := []string{
		`{"username":"fuzz_a","password":"correct-horse-1","email":"f@example.com","firstName":"F","lastName":"Z"}`,
		`{"bio":"a\u0000b"}`, `{"query":{"username":{"$regex":"(a+)+$"}}}`, `{"query":{"$and":[{"$or":[{"email":{"$in":["a","b"]}}]}]}}`,
		`{"target":"` + strings.Repeat("f", 24) + `"}`, `{"targets":[1,{},null]}`, `{"credits":1e400}`, `{"ranking":-9223372036854775809}`,
		`[{"username":"\ud800"}]`, `{"query":` + strings.Repeat(`{"$not":`, 40) + `1` + strings.Repeat(`}`, 40) + `}`,
		`grant_type=client_credentials&client_id=%00`, "{\"a\":\"\xff\xfe\"}", `[]`, `null`, `"x"`, ``,
	}
	for i := range fuzzRoutes {
		f.Add(uint8(i), "", []byte(`{}`), false)
		f.Add(uint8(i), "target=%00&email=a@b&offset=zz&limit=-1", []byte(nil), false)
	}
	for i, body := range bodies {
		f.Add(uint8(i*7), "", []byte(body), strings.Contains(body, "="))
	}
	s := apitest.New(f)
	user := s.NewUser(f, "fuzz_user")
	admin := s.NewSuperAdmin(f, "fuzz_admin")
	f.Fuzz(func(t *testing.T, route uint8, query string, body []byte, form bool) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		path := r.path
		if query != "" {
			path += "?" + query
		}
		if _, err := url.ParseRequestURI(path); err != nil || strings.ContainsAny(path, " \t\r\n#") {
			return // not a request line a client can send
		}
		req, err := http.NewRequest(r.method, s.URL+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		if form {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		switch r.as {
		case "user":
			req.Header.Set("Authorization", "Bearer "+user.Token)
		case "admin":
			req.Header.Set("Authorization", "Bearer "+admin.Token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", r.method, path, err)
		}
		var out bytes.Buffer
		_, _ = out.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s %q: %d %s", r.method, path, body, resp.StatusCode, out.Bytes())
		}
	})
}

func FuzzGraphQL(f *testing.F) {
	for _, seed := range []struct {
		query, vars string
	}{
		{`{ me { id username followers(first: 2) { totalCount edges { cursor node { source { username } } } } } }`, ``},
		{`query($id: ID!) { user(id: $id) { id isFollowing } }`, `{"id":"` + strings.Repeat("a", 24) + `"}`},
		{`query($q: JSON!) { searchUsers(query: $q, first: 5) { totalCount } }`, `{"q":{"username":{"$regex":"^a"}}}`},
		{`mutation($u: String!) { signUp(input: {username: $u, password: "correct-horse-1", email: "z@example.com", firstName: "Z", lastName: "Z"}) { id } }`, `{"u":"fuzz_gql"}`},
		{`mutation { login(input: {username: "fuzz_gql_user", password: "wrong"}) { accessToken } }`, ``},
		{`mutation($b: String) { updateProfile(input: {bio: $b}) { bio } }`, `{"b":"a\u0000b"}`},
		{`{ users(after: 9223372036854775808) { totalCount } }`, ``},
		{`{ users(first: 1, last: 1) { totalCount } }`, ``},
		{`{ users(after: "garbage", where: {createdAtGT: "yesterday"}) { totalCount } }`, ``},
		{`{ users(where: {not: {}}) { totalCount } }`, ``},
		{`{ users(where: {and: [], or: []}) { totalCount } }`, ``},
		{`{ users(orderBy: {field: USERNAME, direction: DESC}, last: 3, before: "x") { edges { cursor } } }`, ``},
		{`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, `{"ids":["a","b"]}`},
		{`{ retrieveUsers(targets: ["a"], field: "username") { id } }`, ``},
		{`{ loginHistory(limit: 0, offset: "not a date") { success } }`, ``},
		{`{ oauthClients(limit: 5, offset: "zz") { clientId } }`, ``},
		{`mutation { adminSetCredits(id: "x", operation: INCREMENT, value: 2147483647) { credits } }`, ``},
		{`mutation { adminSetCustomData(id: "x", customData: {a: [1, 2, {b: null}]}) { id } }`, ``},
		{`mutation { createRole(input: {id: "r", displayName: "R", ranking: -5, scope: ["*"]}) { id } }`, ``},
		{`{ __schema { types { name fields { name } } } }`, ``},
		{`query { ...F } fragment F on Query { ...F }`, ``},
		{`{ me { ... on User { id } ... on Node { id } } }`, ``},
		{"query{" + strings.Repeat("__typename ", 60) + "}", ``},
		{fragmentFanOut(30), ``},
		{`{ me { followers(first: 100) { edges { node { source { following(first: 100) { totalCount } } } } } } }`, ``},
		{`subscription { me { id } }`, ``},
		{`{ me { id } } { me { id } }`, ``},
		{`{ node(id: "` + "\u00ff" + `") { id } }`, ``},
		{`query($x: Int) { users(first: $x) { totalCount } }`, `{"x":1e400}`},
		{`query($x: Int) { users(first: $x) { totalCount } }`, `{"x":"1"}`},
	} {
		f.Add(seed.query, []byte(seed.vars), true)
	}
	s := apitest.New(f)
	admin := s.NewSuperAdmin(f, "fuzz_gql_admin")
	s.NewUser(f, "fuzz_gql_user")
	f.Fuzz(func(t *testing.T, query string, vars []byte, asAdmin bool) {
		body := map[string]any{"query": query}
		if len(vars) > 0 && json.Valid(vars) {
			body["variables"] = json.RawMessage(vars)
		}
		token := ""
		if asAdmin {
			token = admin.Token
		}
		r := s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/graphql", Token: token, JSON: body})
		if r.Status >= 500 {
			t.Fatalf("%q %q: %d %s", query, vars, r.Status, r.Raw)
		}
		// A 200 can carry a server fault too: no error may be an internal one.
		if errs, _ := r.Body["errors"].([]any); len(errs) > 0 {
			for _, e := range errs {
				ext, _ := e.(map[string]any)["extensions"].(map[string]any)
				if code := fmt.Sprint(ext["code"]); code == "INTERNAL_SERVER_ERROR" {
					t.Fatalf("%q %q: an internal error: %s", query, vars, r.Raw)
				}
			}
		}
	})
}
