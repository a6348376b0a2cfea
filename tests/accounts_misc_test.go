package tests

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/introspection"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

func TestScopes(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	r := s.Get(t, "/user/scopes", "").Expect(t, http.StatusOK, "")
	scopes := obj(r.Data(), "scopes")
	if len(scopes) != 98 {
		t.Fatalf("%d scopes, want 98", len(scopes))
	}
	for name, v := range scopes {
		sc, _ := v.(map[string]any)
		if sc["name"] != name || sc["description"] == nil || sc["description"] == "" {
			t.Fatalf("scope %s: %v", name, v)
		}
		if _, ok := sc["parent"]; ok == (name == "*") {
			t.Fatalf("scope %s: parent %v", name, sc["parent"])
		}
		if p, ok := sc["parent"].(string); ok && scopes[p] == nil {
			t.Fatalf("scope %s: unknown parent %s", name, p)
		}
	}
	if d := obj(scopes, "delegated:all"); d["parent"] != "*" || d["adminDescription"] == nil {
		t.Fatalf("delegated:all: %v", d)
	}
	g := expectGQLOK(t, s.GraphQL(t, "", `{ scopes { name description adminDescription parent } }`, nil))
	if list, _ := g["scopes"].([]any); len(list) != 98 {
		t.Fatalf("GraphQL scopes: %d", len(list))
	}
}

func TestHealthAndNotFound(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	r := s.Get(t, "/health", "").Expect(t, http.StatusOK, "")
	if string(r.Raw) != `{"status":"UP"}`+"\n" {
		t.Fatalf("health: %q", r.Raw)
	}
	for _, rq := range []apitest.Req{
		{Method: http.MethodGet, Path: "/nope"},
		{Method: http.MethodPost, Path: "/user/nope/deeper"},
		{Method: http.MethodDelete, Path: "/user/me"},
		{Method: http.MethodPut, Path: "/user/login"},
		{Method: http.MethodGet, Path: "/user/"},
	} {
		r := s.Do(t, rq).Expect(t, http.StatusNotFound, "NotFound")
		want := map[string]any{"ok": 0, "error": "NotFound", "additionalInfo": map[string]any{"method": rq.Method, "path": rq.Path}}
		if !jsonEqual(r.Body, want) {
			t.Fatalf("%s %s: %s", rq.Method, rq.Path, r.Raw)
		}
	}
}

func TestGraphQLLimits(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) {
		c.GraphQL.MaxDepth = 2
		c.GraphQL.MaxComplexity = 10
	})
	u := s.NewUser(t, "lena_limits")

	expectGQLOK(t, s.GraphQL(t, u.Token, `{ me { id username } }`, nil))
	// Depth 3, also through a fragment.
	expectGQLError(t, s.GraphQL(t, u.Token, `mutation { setPrivate(private: true) { user { id } } }`, nil), "QUERY_TOO_DEEP")
	expectGQLError(t, s.GraphQL(t, u.Token, `mutation { setPrivate(private: true) { ...P } } fragment P on SetPrivatePayload { user { id } }`, nil), "QUERY_TOO_DEEP")
	// Refused before running: the account is still public.
	if meREST(t, s, u.Token)["isPrivate"] != false {
		t.Fatal("a refused mutation ran")
	}
	// Complexity 12 > 10.
	expectGQLError(t, s.GraphQL(t, u.Token, `{ me { id username firstName lastName middleName bio pronouns gender role createdAt updatedAt } }`, nil),
		"QUERY_TOO_COMPLEX")
	expectGQLError(t, s.GraphQL(t, u.Token, `{ a: me { id } b: me { id } c: me { id } d: me { id } e: me { id } f: me { id } }`, nil),
		"QUERY_TOO_COMPLEX")
}

func TestGraphQLIntrospection(t *testing.T) {
	t.Parallel()
	const q = `{ __schema { queryType { name } } }`
	on := apitest.New(t)
	if obj(expectGQLOK(t, on.GraphQL(t, "", q, nil)), "__schema", "queryType")["name"] != "Query" {
		t.Fatal("introspection on")
	}
	off := apitest.New(t, func(c *config.Config) { c.GraphQL.Introspection = false })
	for _, q := range []string{q, `{ __type(name: "User") { name } }`, `{ scopes { name } ...F } fragment F on Query { __schema { types { name } } }`} {
		r := off.GraphQL(t, "", q, nil)
		expectGQLError(t, r, "INTROSPECTION_DISABLED")
		if r.Body["data"] != nil {
			t.Fatalf("introspection off answered: %s", r.Raw)
		}
	}
	r := off.Get(t, "/graphql?"+url.Values{"query": {q}}.Encode(), "")
	expectGQLError(t, r, "INTROSPECTION_DISABLED")
	// __typename is not introspection.
	expectGQLOK(t, off.GraphQL(t, "", `{ __typename }`, nil))
	// GraphiQL's own introspection query (13 deep) passes the default limits.
	r = on.GraphQL(t, "", introspection.Query, nil)
	if types, _ := obj(expectGQLOK(t, r), "__schema")["types"].([]any); len(types) == 0 {
		t.Fatalf("introspection query: %.300s", r.Raw)
	}
	// Ordinary queries still work.
	expectGQLOK(t, off.GraphQL(t, "", `{ scopes { name } }`, nil))
}

func TestGraphQLTransports(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "mia_transport")

	// GET with the query in the URL, and the token in the header.
	q := url.Values{"query": {`{ me { id } }`}}
	r := s.Get(t, "/graphql?"+q.Encode(), u.Token).Expect(t, http.StatusOK, "")
	if obj(r.Data(), "me")["id"] != u.ID {
		t.Fatalf("GET: %s", r.Raw)
	}
	// Mutations are not allowed over GET.
	q = url.Values{"query": {`mutation { logout }`}}
	r = s.Get(t, "/graphql?"+q.Encode(), u.Token)
	if r.Body["errors"] == nil {
		t.Fatalf("mutation over GET ran: %s", r.Raw)
	}
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusOK, "")

	// Errors: unknown fields and syntax errors carry a code, never a 500.
	r = s.GraphQL(t, "", `{ nope }`, nil)
	if c := r.GQLError(); c == "" || c == "INTERNAL_SERVER_ERROR" {
		t.Fatalf("unknown field: %s", r.Raw)
	}
	r = s.GraphQL(t, "", `{ me { `, nil)
	if c := r.GQLError(); c == "" || c == "INTERNAL_SERVER_ERROR" {
		t.Fatalf("syntax error: %s", r.Raw)
	}
}

func TestPlayground(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	r := s.Get(t, "/", "").Expect(t, http.StatusOK, "")
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("content type %q", ct)
	}
	body := strings.ToLower(string(r.Raw))
	if !strings.Contains(body, "graphiql") || !strings.Contains(body, "/graphql") {
		t.Fatalf("not the GraphiQL page: %.300s", r.Raw)
	}
}
