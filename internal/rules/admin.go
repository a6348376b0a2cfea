package rules

import (
	"fmt"
	"regexp"
	"strings"
)

// The administration operations' rules: roles, scopes, OAuth clients and the admin changes
// to a user. Liquid's bounds.

var roleIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_]+$`)

var (
	// RoleID names a role: the id a new role is given, a role provisioned by id.
	RoleID = Rule{ID: "roleId", Min: 1, Max: 128, Pattern: roleIDPattern,
		Message: "must be 1 to 128 letters, digits or underscores"}
	// RoleName is the form of a role an operation looks up: a role that could not exist is
	// simply not found.
	RoleName        = length("roleId", 1, 128, "characters")
	RoleDisplayName = length("displayName", 1, 128, "characters")
	RoleDescription = length("description", 1, 512, "characters")
	// Reason is why a user is banned or restricted.
	Reason = length("reason", 8, 128, "characters")
	// ClientID is an OAuth client's public id (its pattern is system.client-id-regex, checked
	// by the registry).
	ClientID          = length("clientId", 8, 30, "characters")
	ClientLookupID    = length("clientId", 3, 256, "characters")
	ClientSecret      = length("secret", 8, 256, "characters")
	ClientDisplayName = length("displayName", 8, 96, "characters")
	RedirectURI       = Rule{ID: "url", Valid: IsURL, Message: "must be an absolute URL"}
)

// Integer rules.
var (
	Ranking = IntRule{ID: "ranking", Min: 1, Message: "must be a whole number of at least 1"}
	Credits = IntRule{ID: "credits", Min: 0, Message: "must be a whole number of at least 0"}
)

// IntRule is a lower bound on a whole number.
type IntRule struct {
	ID, Message string
	Min         int
}

// Int checks a present number against r.
func (c *Check) Int(field string, value int, r IntRule) bool {
	if value >= r.Min {
		return true
	}
	c.Fail(field, r.ID, r.Message)
	return false
}

// OneOf is the rule of a value from a fixed set.
func OneOf(id string, allowed ...string) Rule {
	set := setOf(allowed...)
	return Rule{ID: id, Message: "must be one of " + strings.Join(allowed, ", "),
		Valid: func(s string) bool { _, ok := set[s]; return ok }}
}

// Each checks every element of a list against r, naming the element by its index
// ("targets[2]").
func (c *Check) Each(field string, values []string, r Rule) bool {
	ok := true
	for i, v := range values {
		if !c.String(fmt.Sprintf("%s[%d]", field, i), v, r) {
			ok = false
		}
	}
	return ok
}

// Scope operations and targets of access provisioning; credit operations.
var (
	AccessTargetType = OneOf("targetType", "user", "client", "role")
	ScopeOperation   = OneOf("operation", "add", "del", "set")
	CreditOperation  = OneOf("operation", "increment", "decrement", "set")
	ClientRole       = OneOf("clientRole", "internal_client", "external_client")
	ClientGrant      = OneOf("grant", "client_credentials", "authorization_code", "refresh_token", "password")
	UserLookupField  = OneOf("field", "_id", "email", "sanitizedEmail", "secondaryEmail")
)

// Rules that depend on who asks or on what is stored: the operation decides, and reports them
// with Check.Broken.
var (
	// Grantable: a scope given to a user, client or role must exist and be one the caller holds.
	Grantable = Rule{ID: "scope", Message: "must be a scope that exists and that the caller holds"}
	// NotEmpty: a list that must name at least one item.
	NotEmpty = Rule{ID: "required", Message: "must name at least one item"}
)

// Broken reports that field broke r (a rule the operation checks itself).
func (c *Check) Broken(field string, r Rule) { c.Fail(field, r.ID, r.Message) }
