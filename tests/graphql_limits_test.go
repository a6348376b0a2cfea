package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// fragmentFanOut is issue 8's document: each fragment spreads the next twice, so a naive walk
// expands 2^n copies of a 1.2 KB document.
func fragmentFanOut(n int) string {
	var b strings.Builder
	b.WriteString("query{__typename ...F0} ")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { __typename ...F%d ...F%d } ", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query {__typename}", n)
	return b.String()
}

// expectRefused checks a GraphQL refusal: the HTTP status, extensions.code and no data.
func expectRefused(t *testing.T, r *apitest.Response, status int, code string) {
	t.Helper()
	if r.Status != status || r.GQLError() != code {
		t.Fatalf("want %d %s, got %d: %.400s", status, code, r.Status, r.Raw)
	}
	// A field refused while running is null (its parents stay, with nothing else in them).
	if answered(r.Body["data"]) {
		t.Fatalf("a refused operation answered data: %.400s", r.Raw)
	}
}

// answered reports whether v holds any non-null value.
func answered(v any) bool {
	m, isObject := v.(map[string]any)
	if !isObject {
		return v != nil
	}
	for _, x := range m {
		if answered(x) {
			return true
		}
	}
	return false
}

// Each attack of issue 8 on GraphQL is refused before it runs, with its own code.
func TestGraphQLAttacksRefused(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	admin := s.NewSuperAdmin(t, "limits_admin")
	ids := make([]string, 20000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%024x", i)
	}
	deepWhere := strings.Repeat("{not: ", 17) + `{username: "x"}` + strings.Repeat("}", 17)
	for _, c := range []struct {
		name, query string
		vars        map[string]any
		status      int
		code        string
	}{
		{name: "fragment fan-out, n=30", query: fragmentFanOut(30), status: 422, code: "QUERY_TOO_COMPLEX"},
		{name: "page-size multiplication, 1000 per page", query: `{ me { followers(first: 1000) { edges { node { source { following(first: 1000) { edges { node { target { followers(first: 1000) { edges { cursor } } } } } } } } } } } }`,
			status: 422, code: "PAGE_SIZE_TOO_LARGE"},
		{name: "page-size multiplication, 100 per page", query: `{ me { followers(first: 100) { edges { node { source { following(first: 100) { edges { node { target { followers(first: 100) { edges { cursor } } } } } } } } } } } }`,
			status: 422, code: "QUERY_TOO_COMPLEX"},
		{name: "two pages of 100 (cost 20,402)", query: `{ me { followers(first: 100) { edges { node { source { following(first: 100) { edges { cursor } } } } } } } }`,
			status: 422, code: "QUERY_TOO_COMPLEX"},
		{name: "quadratic validation, 16,000 fields", query: "query{" + strings.Repeat("__typename ", 16000) + "}", status: 422, code: "QUERY_TOO_LARGE"},
		{name: "quadratic validation under the token limit", query: "query{" + strings.Repeat("__typename ", 1900) + "}", status: 422, code: "QUERY_TOO_COMPLEX"},
		{name: "20,000 node ids", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": ids}, status: 422, code: "TOO_MANY_ITEMS"},
		{name: "20,000 retrieveUsers targets", query: `query($ids: [String!]!) { retrieveUsers(targets: $ids) { id } }`, vars: map[string]any{"ids": ids}, status: 422, code: "TOO_MANY_ITEMS"},
		{name: "an integer literal beyond 64 bits", query: `{ users(after: 9223372036854775808) { totalCount } }`, status: 422, code: "BAD_USER_INPUT"},
		{name: "first with last", query: `{ users(first: 2, last: 2) { totalCount } }`, status: 422, code: "BAD_USER_INPUT"},
		{name: "first with last on a social list", query: `{ me { followers(first: 1, last: 1) { totalCount } } }`, status: 422, code: "BAD_USER_INPUT"},
		{name: "a negative page", query: `{ users(last: -1) { totalCount } }`, status: 422, code: "BAD_USER_INPUT"},
		{name: "an over-deep where", query: `{ users(where: ` + deepWhere + `) { totalCount } }`, status: 422, code: "INPUT_TOO_DEEP"},
		{name: "an over-deep search query", query: `query($q: JSON!) { searchUsers(query: $q) { totalCount } }`,
			vars: map[string]any{"q": json.RawMessage(strings.Repeat(`{"$and":[`, 20) + `{"username":"x"}` + strings.Repeat(`]}`, 20))}, status: 422, code: "INPUT_TOO_DEEP"},
		{name: "a malformed cursor", query: `{ users(after: "garbage") { totalCount } }`, status: 200, code: "BAD_USER_INPUT"},
		{name: "a malformed cursor on a social list", query: `{ me { followers(after: "zzz") { totalCount } } }`, status: 200, code: "BAD_USER_INPUT"},
		{name: "a bad time", query: `{ users(where: {createdAtGT: "yesterday"}) { totalCount } }`, status: 200, code: "BAD_USER_INPUT"},
		{name: "a bad time in a variable", query: `query($t: Time) { users(where: {createdAtGT: $t}) { totalCount } }`, vars: map[string]any{"t": "13/13/2024"}, status: 200, code: "BAD_USER_INPUT"},
		{name: "an empty where inside not", query: `{ users(where: {not: {}}) { totalCount } }`, status: 200, code: "BAD_USER_INPUT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			expectRefused(t, s.GraphQL(t, admin.Token, c.query, c.vars), c.status, c.code)
		})
	}
	// The largest documents the limits still accept run.
	expectGQLOK(t, s.GraphQL(t, admin.Token, `{ me { followers(first: 100) { edges { node { source { following(first: 50) { edges { cursor } } } } } } } }`, nil))
	expectGQLOK(t, s.GraphQL(t, admin.Token, "query{"+strings.Repeat("__typename ", 50)+"}", nil))
	expectGQLOK(t, s.GraphQL(t, admin.Token, `{ users(where: `+strings.Repeat("{not: ", 15)+`{username: "x"}`+strings.Repeat("}", 15)+`) { totalCount } }`, nil))
}

// Bodies over GRAPHQL_MAX_BODY_BYTES get 413 before anything reads them whole.
func TestGraphQLBodyLimit(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.GraphQL.MaxBodyBytes = 4096 })
	post := func(t *testing.T, body io.Reader, length int64) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", body)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = length
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	expect413 := func(t *testing.T, resp *http.Response) {
		t.Helper()
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		r := &apitest.Response{Status: resp.StatusCode, Body: body}
		expectRefused(t, r, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE")
	}
	t.Run("100 MB declared", func(t *testing.T) {
		// The body is generated as it is sent: the server answers from the header.
		expect413(t, post(t, io.LimitReader(zeros{}, 100<<20), 100<<20))
	})
	t.Run("a chunked body that runs over", func(t *testing.T) {
		expect413(t, post(t, io.MultiReader(strings.NewReader(`{"query":"`), io.LimitReader(zeros{}, 8192)), -1))
	})
	t.Run("a GET query string that runs over", func(t *testing.T) {
		r := s.Get(t, "/graphql?"+url.Values{"query": {"{ me { id } }" + strings.Repeat(" ", 5000)}}.Encode(), "")
		expectRefused(t, r, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE")
	})
	t.Run("a body under the limit is served", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"query": "{ __typename }" + strings.Repeat(" ", 3000)})
		resp := post(t, bytes.NewReader(body), int64(len(body)))
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

// zeros reads as an endless run of '0' bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// A request that outlives GRAPHQL_TIMEOUT has its database work cancelled, and the fields that
// did not finish say TIMEOUT, not INTERNAL_SERVER_ERROR.
func TestGraphQLTimeout(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.GraphQL.Timeout = time.Nanosecond })
	// A token made directly: logging in through GraphQL would time out too.
	u := s.SignUp(t, "timeout_admin")
	if err := s.App.DB.User.UpdateOneID(u.ID).SetRole("super_admin").SetScope([]string{"*"}).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := s.GraphQL(t, s.UserToken(t, u.ID, "*"), `{ users(first: 1) { totalCount } }`, nil)
	if r.Status != http.StatusOK || r.GQLError() != "TIMEOUT" {
		t.Fatalf("want TIMEOUT, got %d: %s", r.Status, r.Raw)
	}
}
