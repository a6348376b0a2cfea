package cost

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// DuplicateFieldsRule names the validation errors of a selection set that repeats one response
// name too often; the error presenter gives them the code TooComplex.
const DuplicateFieldsRule = "MaxDuplicateFields"

// ValidationRules returns gqlparser's default rules, with OverlappingFieldsCanBeMerged run only
// on documents where no selection set repeats a response name more than maxDuplicates times
// (inline fragments included). That rule compares every pair of fields sharing a response
// name, so `{ __typename __typename ... }` costs time quadratic in its length: 16,000 of
// them kept a core busy for a minute. A document over the bound gets one error instead.
func ValidationRules(maxDuplicates int) func() *rules.Rules {
	return func() *rules.Rules {
		r := rules.NewDefaultRules()
		overlap := rules.OverlappingFieldsCanBeMergedRule
		r.RemoveRule(overlap.Name)
		r.AddRule(overlap.Name, func(observers *core.Events, addError core.AddErrFunc) {
			checked := false
			observers.OnOperation(func(w *core.Walker, _ *ast.OperationDefinition) {
				if checked { // the whole document is checked at the first operation
					return
				}
				checked = true
				if name, pos, found := overRepeated(w.Document, maxDuplicates); found {
					addError(core.Message("%q is selected more than %d times in one selection set", name, maxDuplicates),
						core.At(pos), func(e *gqlerror.Error) { e.Rule = DuplicateFieldsRule })
					return
				}
				inner := &core.Events{}
				overlap.RuleFunc(inner, addError)
				core.Walk(w.Schema, w.Document, inner)
			})
		})
		return r
	}
}

// overRepeated finds a selection set (of any operation or fragment) that repeats a response
// name more than limit times, counting the fields of its inline fragments as its own, and
// returns the name and where the selection set is.
func overRepeated(doc *ast.QueryDocument, limit int) (name string, pos *ast.Position, found bool) {
	var visit func(set ast.SelectionSet, at *ast.Position) bool
	visit = func(set ast.SelectionSet, at *ast.Position) bool {
		counts := map[string]int{}
		var count func(set ast.SelectionSet) bool
		count = func(set ast.SelectionSet) bool {
			for _, sel := range set {
				switch s := sel.(type) {
				case *ast.Field:
					key := s.Alias
					if key == "" {
						key = s.Name
					}
					counts[key]++
					if counts[key] > limit {
						name, pos = key, at
						return true
					}
					if visit(s.SelectionSet, s.Position) {
						return true
					}
				case *ast.InlineFragment:
					if count(s.SelectionSet) {
						return true
					}
				}
			}
			return false
		}
		return count(set)
	}
	for _, op := range doc.Operations {
		if visit(op.SelectionSet, op.Position) {
			return name, pos, true
		}
	}
	for _, f := range doc.Fragments {
		if visit(f.SelectionSet, f.Position) {
			return name, pos, true
		}
	}
	return "", nil, false
}
