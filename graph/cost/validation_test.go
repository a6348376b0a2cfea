package cost

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

func TestValidationRules(t *testing.T) {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: testSchema})
	for _, c := range []struct {
		name, query string
		rule        string // the rule of the first error, "" for a valid document
	}{
		{name: "repeats up to the limit", query: `{ ` + strings.Repeat("__typename ", 5) + `}`},
		{name: "the quadratic validation attack", query: `{ ` + strings.Repeat("__typename ", 16000) + `}`, rule: DuplicateFieldsRule},
		{name: "one over the limit", query: `{ ` + strings.Repeat("__typename ", 6) + `}`, rule: DuplicateFieldsRule},
		{name: "inline fragments count", query: `{ ` + strings.Repeat("... on Query { __typename } ", 6) + `}`, rule: DuplicateFieldsRule},
		{name: "in a nested selection", query: `{ me { ` + strings.Repeat("id ", 6) + `} }`, rule: DuplicateFieldsRule},
		{name: "in a fragment", query: `{ me { ...U } } fragment U on User { ` + strings.Repeat("id ", 6) + `}`, rule: DuplicateFieldsRule},
		{name: "aliases are different names", query: `{ a: __typename b: __typename c: __typename d: __typename e: __typename f: __typename }`},
		{name: "conflicting fields are still found", query: `{ me { id } me: user(id: "1") { id } }`, rule: "OverlappingFieldsCanBeMerged"},
		{name: "conflicts through fragments are still found", query: `{ me { ...A ...B } } fragment A on User { x: id } fragment B on User { x: name }`, rule: "OverlappingFieldsCanBeMerged"},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: c.query})
			if err != nil {
				t.Fatal(err)
			}
			errs := validator.ValidateWithRules(schema, doc, ValidationRules(5)())
			got := ""
			if len(errs) > 0 {
				got = errs[0].Rule
			}
			if got != c.rule {
				t.Fatalf("first error's rule %q, want %q: %v", got, c.rule, errs)
			}
		})
	}
}
