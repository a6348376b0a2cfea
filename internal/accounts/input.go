package accounts

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"usergraph/internal/config"
	"usergraph/internal/validate"
)

// Get reads a field: nil when absent, validate.Null when null (see validate.Field).
func (f Fields) Get(key string) any { return f.get(key) }

// Str reads a string field ("" when absent or not a string).
func (f Fields) Str(key string) string { return f.str(key) }

var leadingInt = regexp.MustCompile(`^\s*[+-]?\d+`)

// Limit reads the "limit" parameter as Liquid's pagination does (parseInt): a missing,
// non-numeric or zero limit is the default, a larger one is capped at the maximum, and
// "25.7" is 25. Unlike Liquid (a 500), a negative limit is a 400 naming the field.
func Limit(c *validate.Checker, f Fields, p config.Pagination) int {
	v := f.get("limit")
	var n int64
	switch x := v.(type) {
	case nil, validate.NullValue:
		return p.DefaultLimit
	case string:
		m := leadingInt.FindString(x)
		if m == "" {
			return p.DefaultLimit
		}
		var err error
		if n, err = strconv.ParseInt(strings.TrimSpace(m), 10, 64); err != nil {
			n = math.MaxInt64 // only overflow fails: a huge limit, capped below
		}
	case float64:
		n = int64(math.Max(math.Min(x, math.MaxInt32), math.MinInt32))
	case int:
		n = int64(x)
	default:
		c.Add("limit", v)
		return 0
	}
	switch {
	case n < 0:
		c.Add("limit", v)
		return 0
	case n == 0:
		return p.DefaultLimit
	case n > int64(p.MaxLimit):
		return p.MaxLimit
	}
	return int(n)
}

// ParseTime reads an ISO 8601 date or date-time (as JavaScript's Date does for the forms
// clients send): 2024-05-01, 2024-05-01T10:00:00Z, with fractions or an offset; a date-time
// without a zone is UTC.
func ParseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// isoTime validates an optional ISO 8601 field.
func isoTime(c *validate.Checker, name string, v any, required bool) (time.Time, bool) {
	if v == nil {
		if required {
			c.Add(name, nil)
		}
		return time.Time{}, false
	}
	s, _ := v.(string)
	t, ok := ParseTime(s)
	if !ok {
		c.Add(name, v)
	}
	return t, ok
}

// intOf returns a validated integer field.
func intOf(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case int:
		return x
	case int64:
		return int(x)
	}
	return 0
}
