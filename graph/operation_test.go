package graph

import (
	"testing"

	"github.com/vektah/gqlparser/v2"
)

func TestOperationLabel(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	tests := []struct {
		name, query, want string
	}{
		{"one field", `query Anything { me { id } }`, "query me"},
		{"anonymous", `{ me { id } }`, "query me"},
		{"__typename is not the work", `{ __typename me { id } }`, "query me"},
		{"only __typename", `{ __typename }`, "query"},
		{"several fields", `{ me { id } viewer: me { username } node(id: "x") { id } }`, "query me+"},
		{"repeated field counts once", `{ a: me { id } b: me { username } }`, "query me"},
		{"fragment at the root", `query { ...Root } fragment Root on Query { me { id } }`, "query me"},
		{"inline fragment", `query { ... on Query { me { id } } }`, "query me"},
		{"mutation", `mutation { login(input: {username: "a", password: "b"}) { accessToken } }`, "mutation login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := gqlparser.LoadQuery(schema, tt.query)
			if err != nil {
				t.Fatalf("query does not validate: %v", err)
			}
			if got := OperationLabel(doc.Operations[0]); got != tt.want {
				t.Errorf("OperationLabel = %q, want %q", got, tt.want)
			}
		})
	}
}
