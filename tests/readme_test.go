package tests

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"usergraph/graph"
)

// The GraphQL examples in README.md are valid against the schema, so the front door never shows
// a query that fails.
func TestREADMEGraphQLExamplesValidate(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	b, _ := os.ReadFile("../README.md")
	blocks := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(b), -1)
	for _, bl := range blocks {
		src := regexp.MustCompile(`(?m)#.*$`).ReplaceAllString(bl[1], "")
		var ops []string
		for _, l := range strings.Split(src, "\n") {
			if strings.HasPrefix(l, "mutation") || strings.HasPrefix(l, "query") {
				ops = append(ops, "")
			}
			if len(ops) > 0 {
				ops[len(ops)-1] += l + "\n"
			}
		}
		for _, op := range ops {
			doc, err := parser.ParseQuery(&ast.Source{Input: op})
			if err != nil {
				t.Errorf("parse %q: %v", op, err)
				continue
			}
			if errs := validator.Validate(schema, doc); len(errs) > 0 {
				t.Errorf("%q: %v", op, errs)
			}
		}
		if len(ops) == 0 {
			t.Errorf("a graphql block in README.md holds no operation")
		}
	}
}
