package cost

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

const testSchema = `
type Query {
  me: User
  user(id: ID!): User
  users(first: Int, last: Int, after: String, where: Where): UserConnection!
  nodes(ids: [ID!]!): [User]!
  roles: [Role!]!
  history(limit: Int): [Entry!]!
  search(query: JSON!, first: Int): UserConnection!
}
scalar JSON
input Where { not: Where, and: [Where!], name: String, nameIn: [String!] }
type User {
  id: ID!
  name: String
  tags: [String!]!
  followers(first: Int, last: Int): UserConnection!
}
type UserConnection { edges: [UserEdge], totalCount: Int! }
type UserEdge { node: User, cursor: String! }
type Role { name: String! }
type Entry { at: String! }
`

var limits = Limits{MaxCost: 5000, MaxDepth: 10, MaxPageSize: 100, DefaultPageSize: 10, MaxListLength: 100, MaxInputDepth: 4}

func measure(t *testing.T, query string, vars map[string]any) (Result, string) {
	t.Helper()
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: testSchema})
	doc, errs := gqlparser.LoadQuery(schema, query)
	if errs != nil {
		t.Fatalf("invalid test query %s: %v", query, errs)
	}
	op := doc.Operations[0]
	coerced, err := validator.VariableValues(schema, op, vars)
	if err != nil {
		t.Fatalf("variables: %v", err)
	}
	res, gerr := Measure(op, coerced, limits)
	if gerr != nil {
		return res, gerr.Extensions["code"].(string)
	}
	return res, ""
}

// fanOut is the attack: each fragment spreads the next twice, so expanding fragments
// naively visits 2^n of them.
func fanOut(n int) string {
	var b strings.Builder
	b.WriteString("query{__typename ...F0} ")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { __typename ...F%d ...F%d } ", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query {__typename}", n)
	return b.String()
}

func nested(levels int) string {
	return strings.Repeat("{not: ", levels) + `{name: "x"}` + strings.Repeat("}", levels)
}

func ids(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = fmt.Sprint(i)
	}
	return out
}

func TestMeasure(t *testing.T) {
	for _, c := range []struct {
		name, query string
		vars        map[string]any
		cost, depth int
		code        string
	}{
		{name: "fields cost one each", query: `{ me { id name tags } }`, cost: 4, depth: 2},
		{name: "a connection without first costs the default page", query: `{ users { edges { node { id } } } }`, cost: 1 + 10*3, depth: 4},
		{name: "first multiplies", query: `{ users(first: 5) { totalCount } }`, cost: 1 + 5, depth: 2},
		{name: "last multiplies", query: `{ users(last: 7) { totalCount } }`, cost: 1 + 7, depth: 2},
		{name: "first from a variable", query: `query($n: Int) { users(first: $n) { totalCount } }`, vars: map[string]any{"n": 20}, cost: 21, depth: 2},
		{name: "a null first is the default", query: `query($n: Int) { users(first: $n) { totalCount } }`, vars: map[string]any{"n": nil}, cost: 11, depth: 2},
		{name: "nested pages multiply", query: `{ me { followers(first: 10) { edges { node { followers(first: 10) { totalCount } } } } } }`,
			cost: 1 + 1 + 10*(1+1+(1+10*1)), depth: 6},
		{name: "limit is a page size", query: `{ history(limit: 20) { at } }`, cost: 21, depth: 2},
		{name: "limit defaults", query: `{ history { at } }`, cost: 11, depth: 2},
		{name: "a list argument multiplies", query: `{ nodes(ids: ["1", "2", "3"]) { id name } }`, cost: 1 + 3*2, depth: 2},
		{name: "a list variable multiplies", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": ids(40)}, cost: 41, depth: 2},
		{name: "small lists count once", query: `{ roles { name } }`, cost: 2, depth: 2},
		{name: "aliases count each", query: `{ a: me { id } b: me { id } }`, cost: 4, depth: 2},
		{name: "a fragment counts where it is spread", query: `{ a: me { ...U } b: me { ...U } } fragment U on User { id name }`, cost: 6, depth: 2},
		{name: "inline fragments count", query: `{ me { ... on User { id } } }`, cost: 2, depth: 2},
		{name: "introspection nests without depth", query: `{ __schema { types { fields { name } } } }`, cost: 4, depth: 0},

		{name: "the page-size attack", query: `{ me { followers(first: 100) { edges { node { followers(first: 100) { edges { node { followers(first: 100) { edges { cursor } } } } } } } } } }`, code: TooComplex},
		{name: "the fragment fan-out attack", query: fanOut(30), code: TooComplex},
		{name: "a fan-out of 60 saturates instead of overflowing", query: fanOut(60), code: TooComplex},
		{name: "too deep", query: `{ me { followers { edges { node { followers { edges { node { followers { edges { node { followers { totalCount } } } } } } } } } } } }`, code: TooDeep},
		{name: "too deep through fragments", query: `{ me { ...A } } fragment A on User { followers { edges { node { ...B } } } } fragment B on User { followers { edges { node { ...C } } } } fragment C on User { followers { edges { node { id } } } }`, code: TooDeep},

		{name: "first over the maximum", query: `{ users(first: 101) { totalCount } }`, code: PageTooLarge},
		{name: "an enormous first", query: `{ users(first: 2000000000) { totalCount } }`, code: PageTooLarge},
		{name: "last over the maximum", query: `{ me { followers(last: 1000) { totalCount } } }`, code: PageTooLarge},
		{name: "limit over the maximum", query: `{ history(limit: 101) { at } }`, code: PageTooLarge},
		{name: "first over the maximum in a variable", query: `query($n: Int) { users(first: $n) { totalCount } }`, vars: map[string]any{"n": 500}, code: PageTooLarge},
		{name: "negative first", query: `{ users(first: -1) { totalCount } }`, code: BadUserInput},
		{name: "first with last", query: `{ users(first: 1, last: 1) { totalCount } }`, code: BadUserInput},

		{name: "too many ids", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": ids(101)}, code: TooManyItems},
		{name: "too many ids written out", query: `{ nodes(ids: [` + strings.Repeat(`"x" `, 101) + `]) { id } }`, code: TooManyItems},
		{name: "too many items inside an input", query: `{ users(where: {nameIn: [` + strings.Repeat(`"x" `, 101) + `]}) { totalCount } }`, code: TooManyItems},

		{name: "an input at the depth limit", query: `{ users(where: ` + nested(3) + `) { totalCount } }`, cost: 11, depth: 2},
		{name: "an input over the depth limit", query: `{ users(where: ` + nested(4) + `) { totalCount } }`, code: InputTooDeep},
		{name: "a variable over the depth limit", query: `query($w: Where) { users(where: $w) { totalCount } }`,
			vars: map[string]any{"w": map[string]any{"not": map[string]any{"not": map[string]any{"not": map[string]any{"not": map[string]any{"name": "x"}}}}}}, code: InputTooDeep},
		{name: "a variable inside a literal adds their depths", query: `query($w: Where) { users(where: {not: {not: $w}}) { totalCount } }`,
			vars: map[string]any{"w": map[string]any{"not": map[string]any{"not": map[string]any{"name": "x"}}}}, code: InputTooDeep},
		{name: "a JSON argument over the depth limit", query: `query($q: JSON!) { search(query: $q) { totalCount } }`,
			vars: map[string]any{"q": map[string]any{"a": map[string]any{"b": map[string]any{"c": map[string]any{"d": map[string]any{"e": 1}}}}}}, code: InputTooDeep},

		{name: "NUL in a literal", query: `{ user(id: "a\u0000b") { id } }`, code: BadUserInput},
		{name: "NUL in a variable", query: `query($id: ID!) { user(id: $id) { id } }`, vars: map[string]any{"id": "a\x00b"}, code: BadUserInput},
		{name: "NUL in an input object", query: `query($w: Where) { users(where: $w) { totalCount } }`, vars: map[string]any{"w": map[string]any{"nameIn": []any{"ok", "b\x00d"}}}, code: BadUserInput},
		{name: "NUL in a JSON key", query: `query($q: JSON!) { search(query: $q) { totalCount } }`, vars: map[string]any{"q": map[string]any{"a\x00": "x"}}, code: BadUserInput},
		{name: "an integer beyond 64 bits", query: `{ search(query: 9223372036854775808) { totalCount } }`, code: BadUserInput},
		{name: "a float beyond 64 bits", query: `{ search(query: [1e999]) { totalCount } }`, code: BadUserInput},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, code := measure(t, c.query, c.vars)
			if code != c.code {
				t.Fatalf("code %q, want %q (result %+v)", code, c.code, res)
			}
			if c.code == "" && (res.Cost != c.cost || res.Depth != c.depth) {
				t.Fatalf("cost %d depth %d, want cost %d depth %d", res.Cost, res.Depth, c.cost, c.depth)
			}
		})
	}
}

// A fan-out document a thousand fragments long is measured in one pass: each fragment once.
func TestMeasureVisitsEachFragmentOnce(t *testing.T) {
	doc := fanOut(1000)
	// Validation of so many fragments is itself slow, so measure the parsed document with its
	// definitions linked by hand.
	parsed, err := parser.ParseQuery(&ast.Source{Input: doc})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range parsed.Fragments {
		for _, sel := range f.SelectionSet {
			if s, ok := sel.(*ast.FragmentSpread); ok {
				s.Definition = parsed.Fragments.ForName(s.Name)
			}
		}
	}
	for _, sel := range parsed.Operations[0].SelectionSet {
		if s, ok := sel.(*ast.FragmentSpread); ok {
			s.Definition = parsed.Fragments.ForName(s.Name)
		}
	}
	m := &measurer{limits: limits, fragments: map[string]*measured{}, varDepth: map[string]int{}}
	res := m.selectionSet(parsed.Operations[0].SelectionSet)
	if len(m.fragments) != 1001 {
		t.Fatalf("measured %d fragments, want 1001", len(m.fragments))
	}
	if res.cost != saturated {
		t.Fatalf("cost %d, want the saturated cost", res.cost)
	}
}
