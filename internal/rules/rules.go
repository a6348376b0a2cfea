// Package rules holds the domain's input rules: each is written once, here, with a stable id
// and a message that says what it wants. Domain operations check typed input against them and
// report apperr.Violations under the domain's own field names; each API names the fields its
// own way. Liquid's REST API applies the same rules with express-validator's semantics at its
// edge (internal/validate reads the bounds and patterns from here).
package rules

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"usergraph/internal/apperr"
)

// Rule is one rule on a string value. The checks run in this order and the first failure is
// reported: length (when Max != 0), Pattern, Valid.
type Rule struct {
	// ID is the stable id reported with a violation ("username", "bio", ...).
	ID string
	// Message says what the value must be, for people.
	Message string
	// Min and Max bound the length in code points (variation selectors not counted, as
	// validator.js counts). Max 0 means no length rule; Max < 0 means no upper bound.
	Min, Max int
	// Pattern, when set, must match.
	Pattern *regexp.Regexp
	// Valid, when set, must accept the value (set membership, email, URL, ...).
	Valid func(string) bool
}

// Check reports whether s passes the rule.
func (r Rule) Check(s string) bool {
	if r.Max != 0 {
		if n := Length(s); n < r.Min || (r.Max > 0 && n > r.Max) {
			return false
		}
	}
	if r.Pattern != nil && !r.Pattern.MatchString(s) {
		return false
	}
	return r.Valid == nil || r.Valid(s)
}

// LengthOnly is r without its pattern: only the length bounds (a current password is checked
// against the stored hash, not against today's pattern).
func (r Rule) LengthOnly() Rule {
	r.Pattern, r.Valid = nil, nil
	r.Message = fmt.Sprintf("must be %d to %d characters", r.Min, r.Max)
	return r
}

// Length counts code points, not counting the variation selectors U+FE0E and U+FE0F (as
// validator.js isLength does).
func Length(s string) int {
	return utf8.RuneCountInString(s) - strings.Count(s, "\uFE0E") - strings.Count(s, "\uFE0F")
}

func length(id string, min, max int, what string) Rule {
	return Rule{ID: id, Min: min, Max: max, Message: fmt.Sprintf("must be %d to %d %s", min, max, what)}
}

var (
	// The default patterns of user.profile.username- and name-validation-regex.
	usernameDefault = regexp.MustCompile(`(?i)^[a-z_][a-z0-9._]*$`)
	nameDefault     = regexp.MustCompile(`^[\p{L}\p{M}'-]+$`)
	lettersSpaces   = regexp.MustCompile(`^[A-Za-z ]+$`)
	phoneCode       = regexp.MustCompile(`^(\+?\d{1,3}|\d{1,4})$`)
	objectID        = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)
)

// Fixed rules: no setting changes them.
var (
	Email = Rule{ID: "email", Message: "must be an email address", Valid: IsEmail}
	// Phone: Liquid counts characters only.
	Phone            = length("phone", 10, 12, "characters")
	PhoneCountryCode = Rule{ID: "phoneCountryCode", Min: 2, Max: 6, Pattern: phoneCode,
		Message: "must be a calling code such as +44 (2 to 6 characters)"}
	Gender = Rule{ID: "gender", Min: 2, Max: 128, Pattern: lettersSpaces,
		Message: "must be 2 to 128 letters or spaces"}
	Organization = Rule{ID: "organization", Min: 3, Max: 128, Pattern: lettersSpaces,
		Message: "must be 3 to 128 letters or spaces"}
	PreferredLanguage = Rule{ID: "preferredLanguage", Valid: IsLanguage,
		Message: "must be a lowercase ISO 639-1 language code such as en"}
	Bio        = length("bio", 3, 256, "characters")
	Pronouns   = length("pronouns", 3, 24, "characters")
	CustomLink = Rule{ID: "customLink", Min: 0, Max: 256, Valid: IsURL,
		Message: "must be an absolute URL of at most 256 characters"}
	Country = Rule{ID: "country", Valid: IsCountry,
		Message: "must be an uppercase ISO 3166-1 alpha-2 country code such as GB"}
	Designation = length("designation", 1, 128, "characters")
	AddressLine = length("addressLine", 1, 256, "characters")
	City        = length("city", 1, 128, "characters")
	Role        = length("role", 1, 128, "characters")
	// ID is the form of every id: 24 hexadecimal digits (MongoDB ObjectId format).
	ID = Rule{ID: "id", Pattern: objectID, Message: "must be a 24-character hexadecimal id"}
)

// Set holds the rules that settings shape (user.profile.*-validation-regex).
type Set struct {
	Username   Rule
	Password   Rule
	Name       Rule
	MiddleName Rule
}

// NewSet builds the configurable rules. A nil pattern means the default; username is matched
// case-insensitively as Liquid does (the caller compiles it so).
func NewSet(username, name, password *regexp.Regexp) *Set {
	// A configured pattern equal to the default keeps the default's message.
	if username != nil && username.String() == usernameDefault.String() {
		username = nil
	}
	if name != nil && name.String() == nameDefault.String() {
		name = nil
	}
	s := &Set{
		Username: Rule{ID: "username", Min: 6, Max: 30, Pattern: usernameDefault,
			Message: "must be 6 to 30 characters: letters, digits, _ and ., not starting with a digit or ."},
		Password: length("password", 8, 128, "characters"),
		Name: Rule{ID: "name", Min: 1, Max: 32, Pattern: nameDefault,
			Message: "must be 1 to 32 letters, apostrophes or hyphens"},
	}
	if username != nil {
		s.Username.Pattern = username
		s.Username.Message = "must be 6 to 30 characters matching " + username.String()
	}
	if name != nil {
		s.Name.Pattern = name
		s.Name.Message = "must be 1 to 32 characters matching " + name.String()
	}
	if password != nil {
		s.Password.Pattern = password
		s.Password.Message = "must be 8 to 128 characters matching " + password.String()
	}
	s.MiddleName = s.Name
	s.MiddleName.ID = "middleName"
	return s
}

// Check collects the violations of one operation's input, in the order the checks run.
type Check struct{ vs []apperr.Violation }

// String checks a present value against r.
func (c *Check) String(field, value string, r Rule) bool {
	if r.Check(value) {
		return true
	}
	c.Fail(field, r.ID, r.Message)
	return false
}

// Optional checks value against r when it is not nil.
func (c *Check) Optional(field string, value *string, r Rule) bool {
	return value == nil || c.String(field, *value, r)
}

// Required reports a missing value (present is false).
func (c *Check) Required(field string, present bool) bool {
	if !present {
		c.Fail(field, "required", "is required")
	}
	return present
}

// Valid reports whether no check has failed yet.
func (c *Check) Valid() bool { return len(c.vs) == 0 }

// Fail adds a violation by hand.
func (c *Check) Fail(field, rule, message string) {
	c.vs = append(c.vs, apperr.Violation{Field: field, Rule: rule, Message: message})
}

// Err is nil when every check passed, else a ClientInputError carrying the violations.
func (c *Check) Err() error {
	if len(c.vs) == 0 {
		return nil
	}
	return apperr.Invalid(c.vs...)
}

// Defaults are the configurable rules with no setting given; their bounds do not depend on
// settings (only the patterns do).
var Defaults = NewSet(nil, nil, nil)
