// Package validate implements Liquid's field rules (src/validator/user.ts and the inline
// express-validator chains of the handlers) and produces the error entries express-validator
// v7 writes into additionalInfo.errors.
//
// # Values
//
// Every rule takes the raw value decoded by encoding/json into map[string]any (string,
// float64, bool, map[string]any, []any). Because a plain map lookup cannot tell an absent key
// from an explicit JSON null, the rules use this convention:
//
//   - nil means the field is absent (JavaScript undefined);
//   - [Null] means the field is present with the value null.
//
// Use [Field] to read a value from a decoded object: it returns nil for an absent key and
// [Null] for a null one. Passing body["x"] directly works too, but then a JSON null is
// treated as absent.
//
// # Chains
//
// Each rule is one express-validator chain. An optional field that is absent is skipped; a
// required field that is absent gets an "exists" entry without a value key. The chain does not
// bail: every step that fails adds its own entry, so one field can produce several entries in
// the order Liquid's chain lists its steps (for example username 123 gives three: isString,
// isLength and matches). Standard (validator.js) steps see the value converted to a string
// the way express-validator does, and when the value is an array they check each element and
// report the element as the value.
//
// Errors are reported in call order, so call the rules in the order Liquid declares its
// chains. For array bodies (`*.username`), call a rule for every element before moving to the
// next rule, with paths such as "[0].username".
package validate

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Msg is the message express-validator uses for every failure.
const Msg = "Invalid value"

// Locations of a value in the request.
const (
	Body   = "body"
	Query  = "query"
	Params = "params"
)

// Unset is the literal a client sends to clear a field; it is stored as null.
const Unset = "__unset__"

// NullValue is the type of [Null].
type NullValue struct{}

// MarshalJSON encodes the explicit null.
func (NullValue) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// Null stands for a field that is present with the JSON value null (nil means absent).
var Null = NullValue{}

// Field reads key from a decoded JSON object: nil when the key is absent (or m is nil),
// [Null] when its value is null, the value otherwise.
func Field(m map[string]any, key string) any {
	v, ok := m[key]
	if !ok {
		return nil
	}
	if v == nil {
		return Null
	}
	return v
}

// IsNull reports whether v is an explicit JSON null ([Null]).
func IsNull(v any) bool {
	_, ok := v.(NullValue)
	return ok
}

// FieldError is one entry of additionalInfo.errors, exactly as express-validator v7 writes it.
// Value is nil (and the "value" key omitted) when the field was absent; an explicit null is
// [Null] and is written as "value":null.
type FieldError struct {
	Type     string `json:"type"`
	Value    any    `json:"value,omitempty"`
	Msg      string `json:"msg"`
	Path     string `json:"path"`
	Location string `json:"location"`
}

// Errors is the list written as additionalInfo.errors.
type Errors []FieldError

// Error lists the failing paths.
func (e Errors) Error() string {
	var b strings.Builder
	b.WriteString("invalid value for ")
	seen := make(map[string]bool, len(e))
	n := 0
	for _, fe := range e {
		if seen[fe.Path] {
			continue
		}
		seen[fe.Path] = true
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(fe.Path)
		n++
	}
	if n == 0 {
		return "validation failed"
	}
	return b.String()
}

// Paths returns the distinct failing paths in order.
func (e Errors) Paths() []string {
	var out []string
	seen := make(map[string]bool, len(e))
	for _, fe := range e {
		if !seen[fe.Path] {
			seen[fe.Path] = true
			out = append(out, fe.Path)
		}
	}
	return out
}

// A Checker collects errors for one request; chains do not bail (a field can produce several
// entries, as Liquid's do). It is not safe for concurrent use.
type Checker struct {
	location string
	errs     Errors
}

// New returns a Checker whose entries carry location ("body", "query" or "params").
func New(location string) *Checker { return &Checker{location: location} }

// Errors returns the collected entries, nil when valid.
func (c *Checker) Errors() Errors {
	if len(c.errs) == 0 {
		return nil
	}
	return c.errs
}

// Valid reports whether no entry has been collected.
func (c *Checker) Valid() bool { return len(c.errs) == 0 }

// Add appends an entry for path by hand (value nil: no value key; [Null]: "value":null).
func (c *Checker) Add(path string, value any) {
	c.errs = append(c.errs, FieldError{Type: "field", Value: value, Msg: Msg, Path: path, Location: c.location})
}

// chain is one express-validator chain on one field.
type chain struct {
	c    *Checker
	path string
	v    any
	skip bool
	ok   bool
}

// field starts a chain: optional() or exists().
func (c *Checker) field(path string, v any, required bool) *chain {
	ch := &chain{c: c, path: path, v: v, ok: true}
	if v == nil {
		if !required {
			ch.skip = true
			return ch
		}
		ch.fail(nil)
	}
	return ch
}

func (ch *chain) fail(v any) {
	ch.ok = false
	ch.c.Add(ch.path, v)
}

// custom is a custom validator: it sees the raw value.
func (ch *chain) custom(fn func(v any) bool) *chain {
	if !ch.skip && !fn(ch.v) {
		ch.fail(ch.v)
	}
	return ch
}

// standard is a validator.js validator: it sees the value as a string, element by element
// for arrays.
func (ch *chain) standard(fn func(s string) bool) *chain {
	if ch.skip {
		return ch
	}
	if arr, ok := ch.v.([]any); ok {
		for _, e := range arr {
			if !fn(jsString(e)) {
				if e == nil {
					e = Null
				}
				ch.fail(e)
			}
		}
		return ch
	}
	if !fn(jsString(ch.v)) {
		ch.fail(ch.v)
	}
	return ch
}

// stop ends the chain (express-validator's .if() with a false condition).
func (ch *chain) stop() *chain {
	ch.skip = true
	return ch
}

func (ch *chain) isString() *chain { return ch.custom(isString) }

func (ch *chain) length(min, max int) *chain {
	return ch.standard(func(s string) bool { return lengthBetween(s, min, max) })
}

func (ch *chain) matches(match func(string) bool) *chain { return ch.standard(match) }

func (ch *chain) in(allowed func(string) bool) *chain { return ch.standard(allowed) }

func isString(v any) bool { _, ok := v.(string); return ok }

// Length is validator.js isLength's count: code points, not counting the variation selectors
// U+FE0E and U+FE0F.
func Length(s string) int {
	n := utf8.RuneCountInString(s)
	n -= strings.Count(s, "\uFE0E") + strings.Count(s, "\uFE0F")
	return n
}

// lengthBetween checks min <= Length(s) and, when max >= 0, Length(s) <= max.
func lengthBetween(s string, min, max int) bool {
	n := Length(s)
	return n >= min && (max < 0 || n <= max)
}

// jsString is express-validator's toString for a decoded JSON value.
func jsString(v any) string {
	switch x := v.(type) {
	case nil, NullValue:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return jsNumber(x)
	case float32:
		return jsNumber(float64(x))
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case json.Number:
		return x.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jsString(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	default:
		return ""
	}
}

// jsNumber formats f as JavaScript's String(number) does (closely enough for validation).
func jsNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "" // toString: isNaN(value) && !value.length
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	a := math.Abs(f)
	if a >= 1e21 || a < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go writes e+21 / e-07; JavaScript writes e+21 / e-7.
		if i := strings.IndexByte(s, 'e'); i >= 0 {
			mant, exp := s[:i], s[i+1:]
			sign := exp[:1]
			digits := strings.TrimLeft(exp[1:], "0")
			if digits == "" {
				digits = "0"
			}
			return mant + "e" + sign + digits
		}
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
