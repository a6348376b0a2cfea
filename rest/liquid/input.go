package liquid

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"usergraph/internal/accounts"
	"usergraph/internal/apperr"
	"usergraph/internal/validate"
)

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

// intOf reads a number Liquid's validators accepted as an integer (a JSON number).
func intOf(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// strList reads a list Liquid's validators accepted as strings.
func strList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}
