// Package userfilter reads a user search as clients send it (POST /user/search {query},
// GraphQL searchUsers(query: JSON!)): a text, or a document in Liquid's filter language, a
// MongoDB filter restricted to the operators $eq $ne $gt $gte $lt $lte $in $nin $exists $regex
// $options $not $and $or (liquid-behaviour.md §4.6). It turns the decoded JSON value into typed
// values and checks the language's shape: known operators with arguments of the right kind,
// at most MaxDepth levels deep (counted as Liquid counts). Which fields may be named, their
// types and the regex rules belong to the domain (internal/social), which takes these values.
package userfilter

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"usergraph/internal/apperr"
	"usergraph/internal/rules"
)

// MaxDepth is how deep a filter may nest, counted as Liquid counts: a document and a field's
// operator object are one level each.
const MaxDepth = 10

// ErrShape is a query outside the language: not a text or an object, an unknown operator, an
// argument of the wrong kind, or too deep.
var ErrShape = errors.New("not a user search")

// Invalid is the domain's answer to a query it cannot run: a ClientInputError naming the
// field "query" under rules.SearchFilter.
func Invalid() error {
	return apperr.Invalid(apperr.Violation{Field: "query", Rule: rules.SearchFilter.ID, Message: rules.SearchFilter.Message})
}

// Query is a user search: Text, or Filter when the query is an object.
type Query struct {
	Text   string
	Filter Doc
}

// IsText reports whether q is a text search.
func (q Query) IsText() bool { return q.Filter == nil }

// Doc is a filter document: all its clauses must hold. A parsed document has at least one
// clause unless it was {} (which matches everyone).
type Doc []Clause

// Clause is one key of a document: $or or $and over documents, or a condition on Field.
type Clause struct {
	// Or and And hold the documents of $or and $and (one of them, never empty).
	Or, And []Doc
	Field   string
	Cond    *Cond
}

// Cond is what follows a field name. Its operators must all hold; a plain value is Ops
// [{Op: "$eq"}] with Plain set. $regex comes first, then the others in name order.
type Cond struct {
	Plain bool
	Ops   []Op
}

// Op is one operator of a condition.
type Op struct {
	// Op is the operator: "$eq" "$ne" "$gt" "$gte" "$lt" "$lte" "$in" "$nin" "$exists"
	// "$regex" or "$not" ($options is folded into $regex).
	Op string
	// Value is the argument of $eq $ne $gt $gte $lt $lte; Values of $in and $nin.
	Value  Value
	Values []Value
	// Exists is the argument of $exists.
	Exists bool
	// Regex is the pattern of $regex and Flags its options (a subset of "ims", each once).
	Regex, Flags string
	// Not is the condition of $not.
	Not *Cond
}

// Kind is the type of a Value.
type Kind int

// The kinds of values a filter compares with. Numbers are integers: a fraction matches no
// searchable field.
const (
	Null Kind = iota
	String
	Bool
	Int
)

// Value is a scalar a filter compares with.
type Value struct {
	Kind Kind
	Str  string
	Bool bool
	Int  int64
}

// Parse reads a query as decoded from JSON (by encoding/json or gqlgen: numbers as float64,
// json.Number or int64): a string is a text search (its rules are the domain's), an object a
// filter; anything else, or a filter outside the language, is Invalid().
func Parse(v any) (Query, error) {
	switch x := v.(type) {
	case string:
		return Query{Text: x}, nil
	case map[string]any:
		d, err := ParseDoc(x)
		if err != nil {
			return Query{}, Invalid()
		}
		return Query{Filter: d}, nil
	}
	return Query{}, Invalid()
}

// ParseDoc reads a filter document.
func ParseDoc(m map[string]any) (Doc, error) {
	return document(m, 0)
}

func document(m map[string]any, depth int) (Doc, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: deeper than %d", ErrShape, MaxDepth)
	}
	out := Doc{}
	for _, key := range sortedKeys(m) {
		v := m[key]
		switch {
		case key == "$or" || key == "$and":
			arr, ok := v.([]any)
			if !ok || len(arr) == 0 {
				return nil, fmt.Errorf("%w: %s takes a non-empty array", ErrShape, key)
			}
			kids := make([]Doc, 0, len(arr))
			for _, e := range arr {
				sub, ok := e.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%w: %s takes objects", ErrShape, key)
				}
				d, err := document(sub, depth+1)
				if err != nil {
					return nil, err
				}
				kids = append(kids, d)
			}
			if key == "$or" {
				out = append(out, Clause{Or: kids})
			} else {
				out = append(out, Clause{And: kids})
			}
		case strings.HasPrefix(key, "$"):
			return nil, fmt.Errorf("%w: operator %s", ErrShape, key)
		default:
			c, err := condition(v, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, Clause{Field: key, Cond: c})
		}
	}
	return out, nil
}

// condition is what follows a field name: a plain value (equality) or an operator object.
func condition(v any, depth int) (*Cond, error) {
	ops, isObj := v.(map[string]any)
	if !isObj {
		val, err := scalar(v)
		if err != nil {
			return nil, err
		}
		return &Cond{Plain: true, Ops: []Op{{Op: "$eq", Value: val}}}, nil
	}
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: deeper than %d", ErrShape, MaxDepth)
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("%w: empty condition", ErrShape)
	}
	c := &Cond{}
	regex, hasRegex := ops["$regex"]
	options, hasOptions := ops["$options"]
	if hasOptions && !hasRegex {
		return nil, fmt.Errorf("%w: $options without $regex", ErrShape)
	}
	if hasRegex {
		op, err := regexOp(regex, options)
		if err != nil {
			return nil, err
		}
		c.Ops = append(c.Ops, op)
	}
	for _, name := range sortedKeys(ops) {
		arg := ops[name]
		switch name {
		case "$regex", "$options":
			continue
		case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte":
			val, err := scalar(arg)
			if err != nil {
				return nil, err
			}
			if val.Kind == Null && name != "$eq" && name != "$ne" {
				return nil, fmt.Errorf("%w: %s null", ErrShape, name)
			}
			c.Ops = append(c.Ops, Op{Op: name, Value: val})
		case "$in", "$nin":
			arr, ok := arg.([]any)
			if !ok {
				return nil, fmt.Errorf("%w: %s takes an array", ErrShape, name)
			}
			vals := make([]Value, 0, len(arr))
			for _, e := range arr {
				val, err := scalar(e)
				if err != nil {
					return nil, err
				}
				vals = append(vals, val)
			}
			c.Ops = append(c.Ops, Op{Op: name, Values: vals})
		case "$exists":
			b, ok := arg.(bool)
			if !ok {
				return nil, fmt.Errorf("%w: $exists takes a boolean", ErrShape)
			}
			c.Ops = append(c.Ops, Op{Op: name, Exists: b})
		case "$not":
			sub, ok := arg.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: $not takes an operator object", ErrShape)
			}
			n, err := condition(sub, depth+1)
			if err != nil {
				return nil, err
			}
			c.Ops = append(c.Ops, Op{Op: name, Not: n})
		default:
			return nil, fmt.Errorf("%w: operator %s", ErrShape, name)
		}
	}
	return c, nil
}

func regexOp(pattern, options any) (Op, error) {
	src, ok := pattern.(string)
	if !ok {
		return Op{}, fmt.Errorf("%w: $regex takes a string", ErrShape)
	}
	flags := ""
	if options != nil {
		o, ok := options.(string)
		if !ok {
			return Op{}, fmt.Errorf("%w: $options takes a string", ErrShape)
		}
		for _, r := range o {
			switch r {
			case 'i', 'm', 's':
				if !strings.ContainsRune(flags, r) {
					flags += string(r)
				}
			default:
				return Op{}, fmt.Errorf("%w: $options %q", ErrShape, r)
			}
		}
	}
	return Op{Op: "$regex", Regex: src, Flags: flags}, nil
}

// scalar reads a value compared with: a string, a boolean, an integer or null.
func scalar(v any) (Value, error) {
	switch x := v.(type) {
	case nil:
		return Value{Kind: Null}, nil
	case string:
		return Value{Kind: String, Str: x}, nil
	case bool:
		return Value{Kind: Bool, Bool: x}, nil
	// JSON bodies decode numbers as float64; GraphQL variables as json.Number and inline
	// literals as int64.
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return Value{Kind: Int, Int: int64(x)}, nil
		}
	case int:
		return Value{Kind: Int, Int: int64(x)}, nil
	case int64:
		return Value{Kind: Int, Int: x}, nil
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return Value{Kind: Int, Int: n}, nil
		}
	}
	return Value{}, fmt.Errorf("%w: a value is a string, a boolean, an integer or null", ErrShape)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
