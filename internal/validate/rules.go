package validate

import (
	"usergraph/internal/rules"

	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Default patterns of Liquid's configuration (user.profile.*-validation-regex).
const (
	// DefaultUsernamePattern is used with the i flag: compile it with [UsernameRegexp].
	DefaultUsernamePattern = `^[a-z_][a-z0-9._]*$`
	// DefaultNamePattern allows Unicode letters, combining marks, apostrophe and hyphen.
	DefaultNamePattern = `^[\p{L}\p{M}'-]+$`
)

var (
	defaultUsernameRe = rules.Defaults.Username.Pattern
	defaultNameRe     = rules.Defaults.Name.Pattern
	alphaRe           = regexp.MustCompile(`^(__unset__|[A-Za-z ]+)$`)
	asciiAlphaRe      = regexp.MustCompile(`^[A-Za-z]+$`)
	objectIDRe        = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)
)

// UsernameRegexp compiles a configured username pattern the way Liquid uses it: with the
// case-insensitive flag, so uppercase usernames pass validation.
func UsernameRegexp(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile(`(?i)` + pattern)
}

// Username: string, length 6–30, matching re (the configured username regex, normally
// compiled with [UsernameRegexp]; nil means the default, case-insensitive).
func (c *Checker) Username(name string, v any, required bool, re *regexp.Regexp) bool {
	if re == nil {
		re = defaultUsernameRe
	}
	return c.field(name, v, required).isString().length(rules.Defaults.Username.Min, rules.Defaults.Username.Max).matches(re.MatchString).ok
}

// Password: string, length 8–128 and, when extra is not nil (the configured
// user.profile.password-validation-regex), matching extra.
func (c *Checker) Password(name string, v any, required bool, extra *regexp.Regexp) bool {
	ch := c.field(name, v, required).isString().length(rules.Defaults.Password.Min, rules.Defaults.Password.Max)
	if extra == nil {
		return ch.stop().ok
	}
	return ch.matches(extra.MatchString).ok
}

// Email: a string accepted by validator.js isEmail() with its default options (see [IsEmail]).
func (c *Checker) Email(name string, v any, required bool) bool {
	return c.field(name, v, required).custom(func(v any) bool {
		s, ok := v.(string)
		return ok && IsEmail(s)
	}).ok
}

// Name (firstName, lastName): string matching re (the configured name regex; nil means
// [DefaultNamePattern]), length 1–32.
func (c *Checker) Name(name string, v any, required bool, re *regexp.Regexp) bool {
	if re == nil {
		re = defaultNameRe
	}
	return c.field(name, v, required).isString().matches(re.MatchString).length(rules.Defaults.Name.Min, rules.Defaults.Name.Max).ok
}

// MiddleName is [Checker.Name] with the regex wrapped as ^(__unset__|<regex>)$, as Liquid does.
func (c *Checker) MiddleName(name string, v any, required bool, re *regexp.Regexp) bool {
	if re == nil {
		re = defaultNameRe
	}
	return c.field(name, v, required).isString().matches(unsetOr(re)).length(rules.Defaults.Name.Min, rules.Defaults.Name.Max).ok
}

var unsetCache sync.Map // regex source -> func(string) bool

// unsetOr builds Liquid's ^(__unset__|<inner>)$ from re: one leading ^ and one trailing $
// are removed from the source before wrapping.
func unsetOr(re *regexp.Regexp) func(string) bool {
	src := re.String()
	if f, ok := unsetCache.Load(src); ok {
		return f.(func(string) bool)
	}
	inner := strings.TrimPrefix(src, "^")
	inner = strings.TrimSuffix(inner, "$")
	var f func(string) bool
	if combined, err := regexp.Compile(`^(__unset__|` + inner + `)$`); err == nil {
		f = combined.MatchString
	} else {
		f = func(s string) bool { return s == Unset || re.MatchString(s) }
	}
	unsetCache.Store(src, f)
	return f
}

// Phone: string, length 10–12. Characters are not checked.
func (c *Checker) Phone(name string, v any, required bool) bool {
	return c.field(name, v, required).isString().length(rules.Phone.Min, rules.Phone.Max).ok
}

// PhoneCountryCode: string, length 2–6, matching ^(\+?\d{1,3}|\d{1,4})$.
func (c *Checker) PhoneCountryCode(name string, v any, required bool) bool {
	return c.field(name, v, required).isString().length(rules.PhoneCountryCode.Min, rules.PhoneCountryCode.Max).matches(rules.PhoneCountryCode.Pattern.MatchString).ok
}

// Gender: string matching ^(__unset__|[A-Za-z ]+)$, length 2–128.
func (c *Checker) Gender(name string, v any, required bool) bool {
	return c.field(name, v, required).isString().matches(alphaRe.MatchString).length(rules.Gender.Min, rules.Gender.Max).ok
}

// Organization: string matching ^(__unset__|[A-Za-z ]+)$, length 3–128.
func (c *Checker) Organization(name string, v any, required bool) bool {
	return c.field(name, v, required).isString().matches(alphaRe.MatchString).length(rules.Organization.Min, rules.Organization.Max).ok
}

// PreferredLanguage: string, alphabetic, a lowercase ISO 639-1 code, length 2.
func (c *Checker) PreferredLanguage(name string, v any, required bool) bool {
	return c.field(name, v, required).isString().matches(asciiAlphaRe.MatchString).in(rules.IsLanguage).length(2, 2).ok
}

// Bio: string, length 3–256.
func (c *Checker) Bio(name string, v any, required bool) bool {
	return c.field(name, v, required).isString().length(rules.Bio.Min, rules.Bio.Max).ok
}

// CustomLink: "__unset__" or an absolute URL (see [IsURL]); length at most 256.
func (c *Checker) CustomLink(name string, v any, required bool) bool {
	return c.field(name, v, required).custom(func(v any) bool {
		s, ok := v.(string)
		return ok && (s == Unset || IsURL(s))
	}).length(rules.CustomLink.Min, rules.CustomLink.Max).ok
}

// Pronouns: string, length 3–24.
func (c *Checker) Pronouns(name string, v any, required bool) bool {
	return c.field(name, v, required).isString().length(rules.Pronouns.Min, rules.Pronouns.Max).ok
}

// Country: string, an uppercase ISO 3166-1 alpha-2 code.
func (c *Checker) Country(name string, v any, required bool) bool {
	return c.field(name, v, required).isString().in(rules.IsCountry).ok
}

// Bool: a JSON boolean. (express-validator's isBoolean also accepts "true", "false", "1", "0"
// and the numbers 0 and 1; those are rejected here as the wrong type.)
func (c *Checker) Bool(name string, v any, required bool) bool {
	return c.field(name, v, required).custom(func(v any) bool {
		_, ok := v.(bool)
		return ok
	}).ok
}

// CustomData: null, true, false, an object or an array.
func (c *Checker) CustomData(name string, v any, required bool) bool {
	return c.field(name, v, required).custom(func(v any) bool {
		switch v.(type) {
		case NullValue, bool, map[string]any, []any:
			return true
		}
		return false
	}).ok
}

// ObjectID: string of at most maxLen characters (maxLen < 0: no limit) that is an ObjectId
// (24 hex digits, see [IsObjectID]).
func (c *Checker) ObjectID(name string, v any, required bool, maxLen int) bool {
	return c.field(name, v, required).isString().length(0, maxLen).custom(func(v any) bool {
		s, ok := v.(string)
		return ok && IsObjectID(s)
	}).ok
}

// StringLen: string whose length is at least min and, when max >= 0, at most max.
func (c *Checker) StringLen(name string, v any, required bool, min, max int) bool {
	return c.field(name, v, required).isString().length(min, max).ok
}

// OneOf: string equal to one of allowed.
func (c *Checker) OneOf(name string, v any, required bool, allowed ...string) bool {
	return c.field(name, v, required).isString().in(inSet(setOf(allowed...))).ok
}

// Array: a JSON array (express-validator isArray()).
func (c *Checker) Array(name string, v any, required bool) bool {
	return c.field(name, v, required).custom(func(v any) bool {
		_, ok := v.([]any)
		return ok
	}).ok
}

// StringArray: a JSON array of strings, each in allowed when allowed is not empty
// (isArray().isIn(...)). A bad element gets its own entry with the element as the value.
func (c *Checker) StringArray(name string, v any, required bool, allowed ...string) bool {
	set := setOf(allowed...)
	ch := c.field(name, v, required).custom(func(v any) bool {
		_, ok := v.([]any)
		return ok
	})
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			s, isStr := e.(string)
			_, in := set[s]
			if !isStr || (len(allowed) > 0 && !in) {
				if e == nil {
					e = Null
				}
				ch.fail(e)
			}
		}
	}
	return ch.ok
}

// Int: a JSON number that is an integer >= min (isInt({min})). Strings are the wrong type.
func (c *Checker) Int(name string, v any, required bool, min int) bool {
	return c.field(name, v, required).custom(func(v any) bool {
		n, ok := intValue(v)
		return ok && n >= int64(min)
	}).ok
}

// intValue returns v as an integer when it is a whole JSON number.
func intValue(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		if x != math.Trunc(x) || math.IsInf(x, 0) || math.Abs(x) > 1<<53 {
			return 0, false
		}
		return int64(x), true
	case int:
		return int64(x), true
	case int64:
		return x, true
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			f, ferr := x.Float64()
			if ferr != nil {
				return 0, false
			}
			return intValue(f)
		}
		return n, true
	}
	return 0, false
}

// IsObjectID reports whether s is a Mongo ObjectId string: 24 hexadecimal digits (either case,
// as Mongo accepts; ids are stored in lowercase, so lowercase s before a lookup).
func IsObjectID(s string) bool { return objectIDRe.MatchString(s) }

// IsLanguage reports whether s is one of the ISO 639-1 codes PreferredLanguage accepts.
func IsLanguage(s string) bool { return rules.IsLanguage(s) }

// IsCountry reports whether s is one of the ISO 3166-1 alpha-2 codes Country accepts.
func IsCountry(s string) bool { return rules.IsCountry(s) }

// IsEmail is validator.js isEmail with its default options (see rules.IsEmail).
func IsEmail(s string) bool { return rules.IsEmail(s) }

// IsURL reports whether s is an absolute URL (see rules.IsURL).
func IsURL(s string) bool { return rules.IsURL(s) }

// SanitizeEmail is Liquid's sanitizeEmailAddress: lowercase the address and, when gmail is true
// (user.account-creation.sanitize-gmail-addresses) and the address ends with "@gmail.com",
// drop the +tag and the dots from the local part.
func SanitizeEmail(email string, gmail bool) string {
	email = strings.ToLower(email)
	if !gmail || !strings.HasSuffix(email, "@gmail.com") {
		return email
	}
	at := strings.LastIndexByte(email, '@')
	local, domain := email[:at], email[at+1:]
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return strings.ReplaceAll(local, ".", "") + "@" + domain
}

func setOf(items ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(items))
	for _, s := range items {
		m[s] = struct{}{}
	}
	return m
}

func inSet(set map[string]struct{}) func(string) bool {
	return func(s string) bool { _, ok := set[s]; return ok }
}
