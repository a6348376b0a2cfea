package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"usergraph/internal/httplog"
)

// OperationLog tells the access log and the metrics which GraphQL operation a request ran,
// including operations refused by validation or a limit. The metric label must stay bounded
// whatever clients send, so it is built from the schema, not from the operation's name: the
// operation type and its first root field ("query me", "mutation login"), with "+" when more
// root fields follow. The client's operation name goes to the log only.
type OperationLog struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = OperationLog{}

func (OperationLog) ExtensionName() string                          { return "OperationLog" }
func (OperationLog) Validate(schema graphql.ExecutableSchema) error { return nil }

func (OperationLog) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	label, name := "invalid", ""
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		name = oc.OperationName
		if oc.Operation != nil {
			label = OperationLabel(oc.Operation)
			if name == "" {
				name = oc.Operation.Name
			}
		}
	}
	httplog.SetOperation(ctx, label, name)
	return next(ctx)
}

// OperationLabel describes op by its type and first root field: "query me", "mutation login+".
// Only operations that passed validation reach here, so the field is one of the schema's.
func OperationLabel(op *ast.OperationDefinition) string {
	fields := rootFields(op.SelectionSet, nil, map[string]bool{})
	switch len(fields) {
	case 0:
		return string(op.Operation)
	case 1:
		return string(op.Operation) + " " + fields[0]
	default:
		return string(op.Operation) + " " + fields[0] + "+"
	}
}

// rootFields lists the distinct root field names (at most two are needed), following fragments.
func rootFields(set ast.SelectionSet, names []string, seen map[string]bool) []string {
	for _, sel := range set {
		if len(names) >= 2 {
			return names
		}
		switch s := sel.(type) {
		case *ast.Field:
			// __typename says nothing about the work done; the fields beside it do.
			if s.Name != "__typename" && !seen[s.Name] {
				seen[s.Name] = true
				names = append(names, s.Name)
			}
		case *ast.InlineFragment:
			names = rootFields(s.SelectionSet, names, seen)
		case *ast.FragmentSpread:
			if s.Definition != nil && !seen["..."+s.Name] {
				seen["..."+s.Name] = true
				names = rootFields(s.Definition.SelectionSet, names, seen)
			}
		}
	}
	return names
}
