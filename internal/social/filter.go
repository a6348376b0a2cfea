package social

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"usergraph/ent"
	"usergraph/ent/predicate"
	"usergraph/ent/user"
	"usergraph/internal/userfilter"
)

// Object queries are Liquid's filter language (liquid-behaviour.md §4.6): a MongoDB filter
// restricted to the configured search fields and to the operators $eq $gt $gte $lt $lte $ne
// $in $nin $regex $options $or $and $not $exists, at most 10 levels deep, with $regex at most
// 100 characters. internal/userfilter reads the language's shape into typed values; here the
// fields and their types are checked, and the filter is built into a tree and translated into
// SQL predicates with MongoDB's semantics for missing (NULL) values. $regex is matched in Go
// with RE2, which runs in time linear in the input; the database is only asked for a superset
// of the matches (the regex leaves read as "maybe"), and the tree is evaluated in Go on those
// candidates.

const maxRegexLen = 100

// errFilter is a filter that is not allowed: a field or operator outside the language, a value
// of the wrong type, too deep, or a regex that is too long or not RE2.
var errFilter = errors.New("query not allowed")

// valueKind is the type of a searchable field.
type valueKind int

const (
	kindString valueKind = iota
	kindBool
	kindInt
)

// searchField is a user field an object query may name.
type searchField struct {
	column   string
	kind     valueKind
	nillable bool
	// exact fields are private: they only take equality ($eq, $in, a plain value), compared with
	// the sanitized address, so a search never reveals more than "this address has an account".
	exact bool
	get   func(u *ent.User) (any, bool)
}

func strOf(s string) (any, bool) { return s, true }

func optStr(p *string) (any, bool) {
	if p == nil {
		return nil, false
	}
	return *p, true
}

// searchFields are the fields an object query may name, when user.search.search-fields lists
// them (under their Liquid names).
var searchFields = map[string]searchField{
	"_id":               {column: user.FieldID, get: func(u *ent.User) (any, bool) { return strOf(u.ID) }},
	"username":          {column: user.FieldUsername, get: func(u *ent.User) (any, bool) { return strOf(u.Username) }},
	"firstName":         {column: user.FieldFirstName, get: func(u *ent.User) (any, bool) { return strOf(u.FirstName) }},
	"lastName":          {column: user.FieldLastName, get: func(u *ent.User) (any, bool) { return strOf(u.LastName) }},
	"middleName":        {column: user.FieldMiddleName, nillable: true, get: func(u *ent.User) (any, bool) { return optStr(u.MiddleName) }},
	"gender":            {column: user.FieldGender, nillable: true, get: func(u *ent.User) (any, bool) { return optStr(u.Gender) }},
	"designation":       {column: user.FieldDesignation, nillable: true, get: func(u *ent.User) (any, bool) { return optStr(u.Designation) }},
	"bio":               {column: user.FieldBio, nillable: true, get: func(u *ent.User) (any, bool) { return optStr(u.Bio) }},
	"pronouns":          {column: user.FieldPronouns, nillable: true, get: func(u *ent.User) (any, bool) { return optStr(u.Pronouns) }},
	"organization":      {column: user.FieldOrganization, nillable: true, get: func(u *ent.User) (any, bool) { return optStr(u.Organization) }},
	"customLink":        {column: user.FieldCustomLink, nillable: true, get: func(u *ent.User) (any, bool) { return optStr(u.CustomLink) }},
	"country":           {column: user.FieldCountry, nillable: true, get: func(u *ent.User) (any, bool) { return optStr(u.Country) }},
	"preferredLanguage": {column: user.FieldPreferredLanguage, get: func(u *ent.User) (any, bool) { return strOf(u.PreferredLanguage) }},
	"role":              {column: user.FieldRole, get: func(u *ent.User) (any, bool) { return strOf(u.Role) }},
	"subscriptionTier":  {column: user.FieldSubscriptionTier, nillable: true, get: func(u *ent.User) (any, bool) { return optStr(u.SubscriptionTier) }},
	"verified":          {column: user.FieldVerified, kind: kindBool, get: func(u *ent.User) (any, bool) { return u.Verified, true }},
	"isPrivate":         {column: user.FieldIsPrivate, kind: kindBool, get: func(u *ent.User) (any, bool) { return u.IsPrivate, true }},
	"followerCount":     {column: user.FieldFollowerCount, kind: kindInt, get: func(u *ent.User) (any, bool) { return int64(u.FollowerCount), true }},
	"followingCount":    {column: user.FieldFollowingCount, kind: kindInt, get: func(u *ent.User) (any, bool) { return int64(u.FollowingCount), true }},
	"email": {column: user.FieldSanitizedEmail, exact: true,
		get: func(u *ent.User) (any, bool) { return strOf(u.SanitizedEmail) }},
}

// filterNode is one node of a parsed filter.
type filterNode interface {
	// sql returns the node as SQL: a predicate true for a superset of the node's matches and
	// one true for a subset of them. They are the same predicate unless a $regex is inside.
	sql(c *compiler) (sup, sub cond)
	// eval evaluates the node on one user, exactly.
	eval(u *ent.User) bool
	hasRegex() bool
}

// compiler carries what the translation needs.
type compiler struct {
	postgres bool
}

// cond is a predicate or a constant.
type cond struct {
	p     predicate.User
	konst bool // the value when p is nil
}

var (
	condTrue  = cond{konst: true}
	condFalse = cond{konst: false}
)

func condAnd(cs ...cond) cond { return condJoin(true, user.And, cs) }

func condOr(cs ...cond) cond { return condJoin(false, user.Or, cs) }

// condJoin joins cs with join, whose identity is the constant unit (true for AND, false for
// OR): a constant unit drops out, the other constant decides the whole.
func condJoin(unit bool, join func(...predicate.User) predicate.User, cs []cond) cond {
	var ps []predicate.User
	for _, c := range cs {
		if c.p == nil {
			if c.konst != unit {
				return cond{konst: !unit}
			}
			continue
		}
		ps = append(ps, c.p)
	}
	switch len(ps) {
	case 0:
		return cond{konst: unit}
	case 1:
		return cond{p: ps[0]}
	}
	return cond{p: join(ps...)}
}

func condNot(c cond) cond {
	if c.p == nil {
		return cond{konst: !c.konst}
	}
	return cond{p: user.Not(c.p)}
}

// predicate returns c for a query's Where (a constant becomes 1=1 or 1=0).
func (c cond) predicate() predicate.User {
	if c.p != nil {
		return c.p
	}
	if c.konst {
		return func(s *sql.Selector) {}
	}
	return func(s *sql.Selector) { s.Where(sql.False()) }
}

type allOf []filterNode

func (n allOf) sql(c *compiler) (cond, cond) {
	sups, subs := make([]cond, len(n)), make([]cond, len(n))
	for i, ch := range n {
		sups[i], subs[i] = ch.sql(c)
	}
	return condAnd(sups...), condAnd(subs...)
}

func (n allOf) eval(u *ent.User) bool {
	for _, ch := range n {
		if !ch.eval(u) {
			return false
		}
	}
	return true
}

func (n allOf) hasRegex() bool { return slices.ContainsFunc(n, filterNode.hasRegex) }

type anyOf []filterNode

func (n anyOf) sql(c *compiler) (cond, cond) {
	sups, subs := make([]cond, len(n)), make([]cond, len(n))
	for i, ch := range n {
		sups[i], subs[i] = ch.sql(c)
	}
	return condOr(sups...), condOr(subs...)
}

func (n anyOf) eval(u *ent.User) bool {
	for _, ch := range n {
		if ch.eval(u) {
			return true
		}
	}
	return false
}

func (n anyOf) hasRegex() bool { return slices.ContainsFunc(n, filterNode.hasRegex) }

type notOf struct{ child filterNode }

func (n notOf) sql(c *compiler) (cond, cond) {
	sup, sub := n.child.sql(c)
	return condNot(sub), condNot(sup)
}

func (n notOf) eval(u *ent.User) bool { return !n.child.eval(u) }
func (n notOf) hasRegex() bool        { return n.child.hasRegex() }

// leaf is one operator applied to one field. Values are normalised: strings, bools, int64, or
// nil for null.
type leaf struct {
	name   string
	field  searchField
	op     string
	value  any
	values []any
	re     *regexp.Regexp
	exists bool
}

func (n *leaf) hasRegex() bool { return n.op == "$regex" }

func (n *leaf) sql(c *compiler) (cond, cond) {
	f := n.field
	switch n.op {
	case "$regex":
		// Only Go can run the regex in linear time: SQL narrows to rows that have a value.
		if f.nillable {
			return cond{p: predicate.User(sql.FieldNotNull(f.column))}, condFalse
		}
		return condTrue, condFalse
	case "$exists":
		var p cond
		switch {
		case !f.nillable:
			p = cond{konst: n.exists}
		case n.exists:
			p = cond{p: predicate.User(sql.FieldNotNull(f.column))}
		default:
			p = cond{p: predicate.User(sql.FieldIsNull(f.column))}
		}
		return p, p
	case "$eq":
		p := c.eq(f, n.value)
		return p, p
	case "$ne":
		p := condNot(c.eq(f, n.value))
		return p, p
	case "$in":
		p := c.in(f, n.values)
		return p, p
	case "$nin":
		p := condNot(c.in(f, n.values))
		return p, p
	default: // $gt $gte $lt $lte
		p := c.compare(f, n.op, n.value)
		return p, p
	}
}

// notNull guards a comparison on a nullable column so that it is false, never NULL, when the
// column is NULL: NOT then behaves as MongoDB's negations do (they match missing values).
func notNull(f searchField, p predicate.User) cond {
	if !f.nillable {
		return cond{p: p}
	}
	return cond{p: user.And(predicate.User(sql.FieldNotNull(f.column)), p)}
}

func (c *compiler) eq(f searchField, v any) cond {
	if v == nil {
		if !f.nillable {
			return condFalse
		}
		return cond{p: predicate.User(sql.FieldIsNull(f.column))}
	}
	return notNull(f, predicate.User(sql.FieldEQ(f.column, v)))
}

func (c *compiler) in(f searchField, vs []any) cond {
	var (
		args    []any
		hasNull bool
	)
	for _, v := range vs {
		if v == nil {
			hasNull = true
			continue
		}
		args = append(args, v)
	}
	var parts []cond
	if len(args) > 0 {
		parts = append(parts, notNull(f, predicate.User(sql.FieldIn(f.column, args...))))
	}
	if hasNull {
		parts = append(parts, c.eq(f, nil))
	}
	return condOr(parts...)
}

// compare is $gt/$gte/$lt/$lte. Strings compare byte by byte, as in MongoDB and in Go: SQLite's
// default BINARY collation does, PostgreSQL is told COLLATE "C".
func (c *compiler) compare(f searchField, op string, v any) cond {
	sqlOp := map[string]string{"$gt": " > ", "$gte": " >= ", "$lt": " < ", "$lte": " <= "}[op]
	postgres := c.postgres
	return notNull(f, func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			b.Ident(s.C(f.column))
			if f.kind == kindString && postgres && b.Dialect() == dialect.Postgres {
				b.WriteString(` COLLATE "C"`)
			}
			b.WriteString(sqlOp).Arg(v)
		}))
	})
}

func (n *leaf) eval(u *ent.User) bool {
	v, ok := n.field.get(u)
	switch n.op {
	case "$exists":
		return ok == n.exists
	case "$eq":
		return equal(n.field, v, ok, n.value)
	case "$ne":
		return !equal(n.field, v, ok, n.value)
	case "$in":
		return slices.ContainsFunc(n.values, func(x any) bool { return equal(n.field, v, ok, x) })
	case "$nin":
		return !slices.ContainsFunc(n.values, func(x any) bool { return equal(n.field, v, ok, x) })
	case "$regex":
		s, isStr := v.(string)
		return ok && isStr && n.re.MatchString(s)
	default:
		if !ok {
			return false
		}
		cmp := compareValues(v, n.value)
		switch n.op {
		case "$gt":
			return cmp > 0
		case "$gte":
			return cmp >= 0
		case "$lt":
			return cmp < 0
		default:
			return cmp <= 0
		}
	}
}

func equal(_ searchField, v any, present bool, want any) bool {
	if want == nil {
		return !present
	}
	return present && v == want
}

func compareValues(a, b any) int {
	switch x := a.(type) {
	case string:
		return strings.Compare(x, b.(string))
	case int64:
		y := b.(int64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	return 0
}

// buildFilter checks a parsed object query against the allowed fields and their types and
// builds its tree. sanitize turns an email address into the stored, sanitized form it is
// compared with.
func buildFilter(d userfilter.Doc, allowed []string, sanitize func(string) string) (filterNode, error) {
	p := &filterBuilder{allowed: allowed, sanitize: sanitize}
	return p.document(d)
}

type filterBuilder struct {
	allowed  []string
	sanitize func(string) string
}

// document is a filter document: field conditions and $or/$and, all of which must hold.
func (p *filterBuilder) document(d userfilter.Doc) (filterNode, error) {
	var out allOf
	for _, c := range d {
		switch {
		case c.Or != nil || c.And != nil:
			docs, kids := c.Or, anyOf(nil)
			if c.And != nil {
				docs = c.And
			}
			for _, sub := range docs {
				n, err := p.document(sub)
				if err != nil {
					return nil, err
				}
				kids = append(kids, n)
			}
			if c.Or != nil {
				out = append(out, kids)
			} else {
				out = append(out, allOf(kids))
			}
		default:
			f, ok := searchFields[c.Field]
			if !ok || !slices.Contains(p.allowed, c.Field) {
				return nil, fmt.Errorf("%w: field %s", errFilter, c.Field)
			}
			n, err := p.condition(c.Field, f, c.Cond)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}

// condition is what follows a field name: its operators, all of which must hold.
func (p *filterBuilder) condition(name string, f searchField, c *userfilter.Cond) (filterNode, error) {
	var out allOf
	for _, op := range c.Ops {
		if f.exact && op.Op != "$eq" && op.Op != "$in" {
			return nil, fmt.Errorf("%w: %s only takes equality", errFilter, name)
		}
		switch op.Op {
		case "$regex":
			n, err := regexLeaf(name, f, op.Regex, op.Flags)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte":
			val, err := p.scalar(f, op.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, &leaf{name: name, field: f, op: op.Op, value: val})
		case "$in", "$nin":
			vals := make([]any, 0, len(op.Values))
			for _, v := range op.Values {
				val, err := p.scalar(f, v)
				if err != nil {
					return nil, err
				}
				vals = append(vals, val)
			}
			out = append(out, &leaf{name: name, field: f, op: op.Op, values: vals})
		case "$exists":
			out = append(out, &leaf{name: name, field: f, op: op.Op, exists: op.Exists})
		case "$not":
			n, err := p.condition(name, f, op.Not)
			if err != nil {
				return nil, err
			}
			out = append(out, notOf{n})
		default:
			return nil, fmt.Errorf("%w: operator %s", errFilter, op.Op)
		}
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}

// regexLeaf compiles a $regex on a text field with RE2 (linear time; no backreferences or
// lookaround), at most maxRegexLen characters.
func regexLeaf(name string, f searchField, src, flags string) (filterNode, error) {
	if f.kind != kindString || f.exact {
		return nil, fmt.Errorf("%w: $regex on %s", errFilter, name)
	}
	if utf8.RuneCountInString(src) > maxRegexLen {
		return nil, fmt.Errorf("%w: $regex longer than %d characters", errFilter, maxRegexLen)
	}
	if flags != "" {
		src = "(?" + flags + ")" + src
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("%w: $regex: %v", errFilter, err)
	}
	return &leaf{name: name, field: f, op: "$regex", re: re}, nil
}

// scalar checks a value against the field's type (a string, a boolean or an integer, or null
// where the field may be missing) and returns it normalised: string, bool, int64 or nil.
func (p *filterBuilder) scalar(f searchField, v userfilter.Value) (any, error) {
	switch {
	case v.Kind == userfilter.Null && !f.exact:
		return nil, nil
	case v.Kind == userfilter.String && f.kind == kindString:
		if f.exact {
			return p.sanitize(v.Str), nil
		}
		return v.Str, nil
	case v.Kind == userfilter.Bool && f.kind == kindBool:
		return v.Bool, nil
	case v.Kind == userfilter.Int && f.kind == kindInt:
		return v.Int, nil
	}
	return nil, fmt.Errorf("%w: value of the wrong type", errFilter)
}
