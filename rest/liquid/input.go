package liquid

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"usergraph/internal/accounts"
	"usergraph/internal/apperr"
	"usergraph/internal/rules"
	"usergraph/internal/validate"
)

// from is where a handler's input came from: the decoded request, and Liquid's names for the
// domain's fields where they differ ("userId" is Liquid's "target"). fail renders a domain
// violation the handler did not check at the edge (a rule that needs the database, such as a
// cursor naming no record) as express-validator would: under Liquid's name, with the value the
// client sent, at its location.
type from struct {
	f     accounts.Fields
	names map[string]string
}

// entries renders violations as express-validator entries.
func (src from) entries(vs []apperr.Violation) validate.Errors {
	location := src.f.Location
	if location == "" {
		location = validate.Body
	}
	out := make(validate.Errors, len(vs))
	for i, v := range vs {
		name := v.Field
		if n, ok := src.names[name]; ok {
			name = n
		}
		e := validate.FieldError{Type: "field", Msg: validate.Msg, Path: name, Location: location}
		// Liquid writes its refusals of a code or target by hand, without the value.
		if v.Rule != rules.Rejected {
			e.Value = validate.Field(src.f.Values, name)
		}
		out[i] = e
	}
	return out
}

// edgeErr is the answer of Liquid's validators: nil when c collected nothing.
func edgeErr(c *validate.Checker) error {
	if errs := c.Errors(); errs != nil {
		return apperr.Input(errs)
	}
	return nil
}

// optString returns a field that Liquid's validators accepted as a string, nil when absent.
func optString(f accounts.Fields, key string) *string {
	s, ok := f.Values[key].(string)
	if !ok {
		return nil
	}
	return &s
}

// lowerID reads an ObjectId-format id: Liquid (MongoDB) accepts either case; ids are stored
// lowercase.
func lowerID(f accounts.Fields, key string) string { return strings.ToLower(f.Str(key)) }

var leadingInt = regexp.MustCompile(`^\s*[+-]?\d+`)

// pageLimit reads the "limit" parameter as Liquid's parseInt does: "25.7" is 25, and a missing or
// non-numeric limit is nil (the default). Bounds are the domain's: it caps a large limit and
// refuses a negative one.
func pageLimit(f accounts.Fields) *int {
	var n int
	switch x := f.Get("limit").(type) {
	case string:
		m := leadingInt.FindString(x)
		if m == "" {
			return nil
		}
		v, err := strconv.ParseInt(strings.TrimSpace(m), 10, 64)
		if err != nil {
			v = math.MaxInt32 // only overflow fails: a huge limit, capped by the domain
		}
		n = int(max(min(v, math.MaxInt32), math.MinInt32))
	case float64:
		n = int(math.Max(math.Min(x, math.MaxInt32), math.MinInt32))
	default:
		return nil
	}
	return &n
}
