// Package cost measures a GraphQL operation before anything runs, in one pass over the
// document that visits each fragment definition once however often it is spread: its cost
// (every field 1, a list's selections multiplied by its page size or list length), its depth,
// and whether its arguments are acceptable (page sizes, list lengths, input nesting, NUL
// bytes, numbers that fit). A refusal is a client error with a stable extensions.code, so
// nothing expensive or malformed reaches a resolver or the database.
package cost

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The extensions.code of each refusal.
const (
	TooComplex   = "QUERY_TOO_COMPLEX"
	TooDeep      = "QUERY_TOO_DEEP"
	PageTooLarge = "PAGE_SIZE_TOO_LARGE"
	TooManyItems = "TOO_MANY_ITEMS"
	InputTooDeep = "INPUT_TOO_DEEP"
	BadUserInput = "BAD_USER_INPUT"
)

// Limits are what one operation may ask for.
type Limits struct {
	MaxCost  int
	MaxDepth int
	// MaxPageSize bounds first, last and limit; DefaultPageSize is what a list without them
	// returns, so it is what it costs.
	MaxPageSize, DefaultPageSize int
	// MaxListLength bounds every list value in arguments; MaxInputDepth the nesting of objects
	// in one argument.
	MaxListLength, MaxInputDepth int
}

// Result is what an accepted operation measured.
type Result struct{ Cost, Depth int }

// pageArgs are the arguments that size a list: Relay's first and last, and the limit of the
// Liquid-style lists.
var pageArgs = []string{"first", "last", "limit"}

// Measure checks op, run with the coerced variables vars, against l. Every fragment is
// measured once and its cost reused at each spread, so the work is linear in the document even
// when fragments spread each other exponentially often; the cost itself saturates instead of
// overflowing.
func Measure(op *ast.OperationDefinition, vars map[string]any, l Limits) (Result, *gqlerror.Error) {
	m := &measurer{limits: l, vars: vars, fragments: map[string]*measured{}, varDepth: map[string]int{}}
	for _, def := range op.VariableDefinitions {
		if v, ok := vars[def.Variable]; ok {
			m.varDepth[def.Variable] = m.goValue(v, "$"+def.Variable, 0, def.Position)
		}
		if m.err != nil {
			return Result{}, m.err
		}
	}
	res := m.selectionSet(op.SelectionSet)
	if m.err != nil {
		return Result{}, m.err
	}
	if res.depth > l.MaxDepth {
		return Result{}, refuse(TooDeep, op.Position, "operation has depth %d, which exceeds the limit of %d", res.depth, l.MaxDepth)
	}
	if res.cost > l.MaxCost {
		return Result{}, refuse(TooComplex, op.Position, "operation has cost %s, which exceeds the limit of %d (lists count once per item asked for: lower first, last or limit)", costText(res.cost), l.MaxCost)
	}
	return Result{Cost: res.cost, Depth: res.depth}, nil
}

type measured struct {
	cost, depth int
	inProgress  bool
}

type measurer struct {
	limits    Limits
	vars      map[string]any
	fragments map[string]*measured
	// varDepth is each variable's object nesting, measured once: a variable used in many
	// places is walked one time.
	varDepth map[string]int
	err      *gqlerror.Error
}

func (m *measurer) selectionSet(set ast.SelectionSet) measured {
	var total measured
	for _, sel := range set {
		if m.err != nil {
			return total
		}
		var r measured
		switch s := sel.(type) {
		case *ast.Field:
			r = m.field(s)
		case *ast.InlineFragment:
			m.directives(s.Directives)
			r = m.selectionSet(s.SelectionSet)
		case *ast.FragmentSpread:
			m.directives(s.Directives)
			r = m.fragment(s)
		}
		total.cost = add(total.cost, r.cost)
		total.depth = max(total.depth, r.depth)
	}
	return total
}

// fragment measures a fragment definition the first time it is spread and reuses the result.
func (m *measurer) fragment(s *ast.FragmentSpread) measured {
	if memo, ok := m.fragments[s.Name]; ok {
		if memo.inProgress { // a cycle; validation refuses those before this runs
			return measured{}
		}
		return *memo
	}
	if s.Definition == nil {
		return measured{}
	}
	memo := &measured{inProgress: true}
	m.fragments[s.Name] = memo
	*memo = m.selectionSet(s.Definition.SelectionSet)
	return *memo
}

func (m *measurer) field(f *ast.Field) measured {
	m.directives(f.Directives)
	for _, a := range f.Arguments {
		m.argument(f, a)
	}
	if m.err != nil {
		return measured{}
	}
	n := m.multiplier(f)
	children := m.selectionSet(f.SelectionSet)
	r := measured{cost: add(1, mul(n, children.cost)), depth: 1 + children.depth}
	if f.Name == "__schema" || f.Name == "__type" {
		// Introspection nests by design (GraphiQL's own query is 13 deep); it is switched on
		// or off as a whole, and its cost still counts.
		r.depth = 0
	}
	return r
}

// multiplier is how many times a field's selections run: the page size of a list with page
// arguments (the default when none is given), the length of a list argument of a list field
// (nodes(ids:)), otherwise 1. Lists without such arguments are small by configuration (roles,
// subscription tiers, invite codes) or are a connection's edges, already counted by the
// connection's page size.
func (m *measurer) multiplier(f *ast.Field) int {
	def := f.Definition
	if def == nil || strings.HasPrefix(f.Name, "__") {
		return 1
	}
	var first, last *int64
	hasPageArg := false
	for _, name := range pageArgs {
		if def.Arguments.ForName(name) == nil {
			continue
		}
		hasPageArg = true
		a := f.Arguments.ForName(name)
		if a == nil {
			continue
		}
		n, given := m.intArg(a)
		if m.err != nil || !given {
			continue
		}
		switch {
		case n < 0:
			m.fail(BadUserInput, a.Position, "%s of %s must not be negative", name, f.Name)
		case n > int64(m.limits.MaxPageSize):
			m.fail(PageTooLarge, a.Position, "%s of %s is %d; at most %d items may be asked for at once", name, f.Name, n, m.limits.MaxPageSize)
		case name == "last":
			last = &n
		default:
			first = &n
		}
	}
	switch {
	case m.err != nil:
		return 1
	case first != nil && last != nil:
		m.fail(BadUserInput, f.Position, "%s takes first or last, not both", f.Name)
		return 1
	case first != nil:
		return int(*first)
	case last != nil:
		return int(*last)
	case hasPageArg:
		return m.limits.DefaultPageSize
	}
	if def.Type.Elem == nil {
		return 1
	}
	n := 1
	for _, a := range f.Arguments {
		if ad := def.Arguments.ForName(a.Name); ad != nil && ad.Type.Elem != nil {
			n = max(n, m.listLength(a.Value))
		}
	}
	return n
}

// intArg reads an Int argument (a literal or a variable); given is false when it is null.
func (m *measurer) intArg(a *ast.Argument) (n int64, given bool) {
	v, err := a.Value.Value(m.vars)
	if err != nil || v == nil {
		return 0, false // a bad literal is reported by argument
	}
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		return int64(x), true
	case interface{ Int64() (int64, error) }: // json.Number
		i, err := x.Int64()
		if err != nil {
			m.fail(BadUserInput, a.Position, "argument %s: %v is not a whole number that fits in 64 bits", a.Name, v)
			return 0, false
		}
		return i, true
	}
	return 0, false
}

// listLength is the number of items of a list literal or list variable.
func (m *measurer) listLength(v *ast.Value) int {
	switch v.Kind {
	case ast.ListValue:
		return len(v.Children)
	case ast.Variable:
		rv := reflect.ValueOf(m.vars[v.Raw])
		if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
			return rv.Len()
		}
	}
	return 1
}

func (m *measurer) directives(ds ast.DirectiveList) {
	for _, d := range ds {
		for _, a := range d.Arguments {
			m.literal(a.Value, "argument "+a.Name+" of @"+d.Name, 0)
		}
	}
}

func (m *measurer) argument(f *ast.Field, a *ast.Argument) {
	m.literal(a.Value, "argument "+a.Name+" of "+f.Name, 0)
}

// literal checks a value written in the document: numbers must fit, strings hold no NUL
// byte, lists are not too long and objects not too deep. Variables inside it were checked
// once in Measure; only their depth adds to the literal's.
func (m *measurer) literal(v *ast.Value, what string, depth int) {
	if m.err != nil || v == nil {
		return
	}
	switch v.Kind {
	case ast.Variable:
		if d := depth + m.varDepth[v.Raw]; d > m.limits.MaxInputDepth {
			m.fail(InputTooDeep, v.Position, "%s nests objects %d deep; at most %d levels are allowed", what, d, m.limits.MaxInputDepth)
		}
	case ast.IntValue:
		if _, err := strconv.ParseInt(v.Raw, 10, 64); err != nil {
			m.fail(BadUserInput, v.Position, "%s: %s is not a whole number that fits in 64 bits", what, v.Raw)
		}
	case ast.FloatValue:
		if _, err := strconv.ParseFloat(v.Raw, 64); err != nil {
			m.fail(BadUserInput, v.Position, "%s: %s is not a number that fits in 64 bits", what, v.Raw)
		}
	case ast.StringValue, ast.BlockValue:
		if strings.IndexByte(v.Raw, 0) >= 0 {
			m.fail(BadUserInput, v.Position, "%s: strings must not contain NUL (\\u0000) characters", what)
		}
	case ast.ListValue:
		if len(v.Children) > m.limits.MaxListLength {
			m.fail(TooManyItems, v.Position, "%s has %d items; at most %d are allowed", what, len(v.Children), m.limits.MaxListLength)
			return
		}
		for _, c := range v.Children {
			m.literal(c.Value, what, depth)
		}
	case ast.ObjectValue:
		if depth+1 > m.limits.MaxInputDepth {
			m.fail(InputTooDeep, v.Position, "%s nests objects more than %d deep", what, m.limits.MaxInputDepth)
			return
		}
		for _, c := range v.Children {
			m.literal(c.Value, what, depth+1)
		}
	}
}

// goValue checks a variable's value the way literal checks a written one and returns its
// object nesting depth.
func (m *measurer) goValue(v any, what string, depth int, pos *ast.Position) int {
	if m.err != nil {
		return depth
	}
	switch x := v.(type) {
	case nil, bool, int, int64, float64:
		return depth
	case string:
		if strings.IndexByte(x, 0) >= 0 {
			m.fail(BadUserInput, pos, "variable %s: strings must not contain NUL (\\u0000) characters", what)
		}
		return depth
	case map[string]any:
		if depth+1 > m.limits.MaxInputDepth {
			m.fail(InputTooDeep, pos, "variable %s nests objects more than %d deep", what, m.limits.MaxInputDepth)
			return depth + 1
		}
		deepest := depth + 1
		for k, c := range x {
			if strings.IndexByte(k, 0) >= 0 {
				m.fail(BadUserInput, pos, "variable %s: keys must not contain NUL (\\u0000) characters", what)
				return deepest
			}
			deepest = max(deepest, m.goValue(c, what, depth+1, pos))
		}
		return deepest
	case []any:
		if len(x) > m.limits.MaxListLength {
			m.fail(TooManyItems, pos, "variable %s has %d items; at most %d are allowed", what, len(x), m.limits.MaxListLength)
			return depth
		}
		deepest := depth
		for _, c := range x {
			deepest = max(deepest, m.goValue(c, what, depth, pos))
		}
		return deepest
	}
	// Other types (json.Number, typed slices and maps) through reflection.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return m.goValue(rv.String(), what, depth, pos)
	case reflect.Slice, reflect.Array:
		items := make([]any, rv.Len())
		for i := range items {
			items[i] = rv.Index(i).Interface()
		}
		return m.goValue(items, what, depth, pos)
	case reflect.Map:
		obj := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			obj[fmt.Sprint(it.Key().Interface())] = it.Value().Interface()
		}
		return m.goValue(obj, what, depth, pos)
	case reflect.Pointer:
		if rv.IsNil() {
			return depth
		}
		return m.goValue(rv.Elem().Interface(), what, depth, pos)
	}
	return depth
}

func (m *measurer) fail(code string, pos *ast.Position, format string, args ...any) {
	if m.err == nil {
		m.err = refuse(code, pos, format, args...)
	}
}

func refuse(code string, pos *ast.Position, format string, args ...any) *gqlerror.Error {
	err := gqlerror.ErrorPosf(pos, format, args...)
	err.Extensions = map[string]any{"code": code}
	return err
}

// saturated is where costs stop growing: far above any limit, far below overflow.
const saturated = math.MaxInt64 / 4

func add(a, b int) int { return min(a+b, saturated) }

func mul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > saturated/b {
		return saturated
	}
	return a * b
}

func costText(c int) string {
	if c >= saturated {
		return "beyond counting"
	}
	return strconv.Itoa(c)
}
