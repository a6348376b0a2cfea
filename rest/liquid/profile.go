package liquid

import (
	"slices"
	"sort"
	"strings"

	"usergraph/internal/accounts"
	"usergraph/internal/apperr"
	"usergraph/internal/config"
	"usergraph/internal/patch"
	"usergraph/internal/validate"
)

// check is Liquid's express-validator chain for one field of a profile update.
type check func(c *validate.Checker, cfg *config.Config, name string, v any)

func lenCheck(min, max int) check {
	return func(c *validate.Checker, _ *config.Config, name string, v any) { c.StringLen(name, v, false, min, max) }
}

func boolCheck(c *validate.Checker, _ *config.Config, n string, v any) { c.Bool(n, v, false) }

// profileChecks are Liquid's validators for the fields PATCH /user/me and the admin/client
// update accept (src/validator/user.ts), by Liquid name. Which fields may be named, and how they
// are written, is the domain's user field table.
var profileChecks = map[string]check{
	"username": func(c *validate.Checker, cfg *config.Config, n string, v any) {
		c.Username(n, v, false, cfg.Profile.UsernameRegex)
	},
	"email": func(c *validate.Checker, _ *config.Config, n string, v any) { c.Email(n, v, false) },
	"password": func(c *validate.Checker, cfg *config.Config, n string, v any) {
		c.Password(n, v, false, cfg.Profile.PasswordRegex)
	},
	"firstName": func(c *validate.Checker, cfg *config.Config, n string, v any) {
		c.Name(n, v, false, cfg.Profile.NameRegex)
	},
	"lastName": func(c *validate.Checker, cfg *config.Config, n string, v any) {
		c.Name(n, v, false, cfg.Profile.NameRegex)
	},
	"middleName": func(c *validate.Checker, cfg *config.Config, n string, v any) {
		c.MiddleName(n, v, false, cfg.Profile.NameRegex)
	},
	"gender":      func(c *validate.Checker, _ *config.Config, n string, v any) { c.Gender(n, v, false) },
	"designation": lenCheck(1, 128),
	"bio":         func(c *validate.Checker, _ *config.Config, n string, v any) { c.Bio(n, v, false) },
	"customLink":  func(c *validate.Checker, _ *config.Config, n string, v any) { c.CustomLink(n, v, false) },
	"pronouns":    func(c *validate.Checker, _ *config.Config, n string, v any) { c.Pronouns(n, v, false) },
	"organization": func(c *validate.Checker, _ *config.Config, n string, v any) {
		c.Organization(n, v, false)
	},
	"preferredLanguage": func(c *validate.Checker, _ *config.Config, n string, v any) {
		c.PreferredLanguage(n, v, false)
	},
	"country":          func(c *validate.Checker, _ *config.Config, n string, v any) { c.Country(n, v, false) },
	"phone":            func(c *validate.Checker, _ *config.Config, n string, v any) { c.Phone(n, v, false) },
	"phoneCountryCode": func(c *validate.Checker, _ *config.Config, n string, v any) { c.PhoneCountryCode(n, v, false) },
	"secondaryEmail":   func(c *validate.Checker, _ *config.Config, n string, v any) { c.Email(n, v, false) },
	"secondaryPhone":   func(c *validate.Checker, _ *config.Config, n string, v any) { c.Phone(n, v, false) },
	"secondaryPhoneCountryCode": func(c *validate.Checker, _ *config.Config, n string, v any) {
		c.PhoneCountryCode(n, v, false)
	},
	"addressLine1":           lenCheck(1, 256),
	"addressLine2":           lenCheck(1, 256),
	"city":                   lenCheck(1, 128),
	"role":                   lenCheck(1, 128),
	"isDeleted":              boolCheck,
	"emailVerified":          boolCheck,
	"phoneVerified":          boolCheck,
	"secondaryEmailVerified": boolCheck,
	"secondaryPhoneVerified": boolCheck,
	"isPrivate":              boolCheck,
	"isActive":               boolCheck,
}

// isUnset reports whether v is Liquid's "__unset__" marker.
func isUnset(v any) bool { s, ok := v.(string); return ok && strings.TrimSpace(s) == validate.Unset }

// profileKeys are the body's keys but those named in skip, sorted (Liquid reports errors in
// this order).
func profileKeys(f accounts.Fields, skip ...string) []string {
	keys := make([]string, 0, len(f.Values))
	for k := range f.Values {
		if !slices.Contains(skip, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// checkProfile runs Liquid's validators on the named fields: "__unset__" on a field that
// cannot be cleared, or a value that breaks the field's chain, is an entry.
func (a *API) checkProfile(c *validate.Checker, f accounts.Fields, keys []string) {
	for _, k := range keys {
		v := f.Get(k)
		e, _ := a.Accounts.Editable(k, false)
		if isUnset(v) {
			if e == nil || e.Clear == nil {
				c.Add(k, v)
			}
			continue
		}
		if chk, ok := profileChecks[k]; ok {
			chk(c, a.Config, k, v)
		}
	}
}

// profileUpdate turns a validated body into the domain's typed update: "__unset__" clears.
func profileUpdate(f accounts.Fields, keys []string) accounts.ProfileUpdate {
	p := accounts.ProfileUpdate{Text: map[string]patch.Field[string]{}, Flags: map[string]bool{}}
	for _, k := range keys {
		switch v := f.Get(k).(type) {
		case bool:
			p.Flags[k] = v
		case string:
			if isUnset(v) {
				p.Text[k] = patch.Clear[string]()
			} else {
				p.Text[k] = patch.Set(v)
			}
		}
	}
	if cp, ok := f.Get("currentPassword").(string); ok {
		p.CurrentPassword = &cp
	}
	return p
}

// decodeUpdateMe validates PATCH /user/me as Liquid does, in its order: every named field must
// be self-editable, values pass Liquid's validators, a phone needs a country code, and
// currentPassword is 8 to 128 characters — and required with a protected field when
// user.profile.update.require-current-password is on.
func (a *API) decodeUpdateMe(f accounts.Fields) (accounts.ProfileUpdate, error) {
	cfg := a.Config
	keys := profileKeys(f, "currentPassword")
	c := validate.New(f.Location)
	var valid []string
	for _, k := range keys {
		if _, ok := a.Accounts.Editable(k, true); !ok {
			c.Add(k, f.Get(k))
			continue
		}
		a.checkProfile(c, f, []string{k})
		valid = append(valid, k)
	}
	if slices.Contains(valid, "phone") || slices.Contains(valid, "phoneCountryCode") {
		if !cfg.Privilege.CanUsePhoneNumber {
			c.Add("phone", f.Get("phone"))
		}
	}
	c.StringLen("currentPassword", f.Get("currentPassword"), false, 8, 128)
	if f.Get("currentPassword") == nil && cfg.Profile.RequireCurrentPassword && slices.ContainsFunc(valid, func(k string) bool {
		return slices.Contains(cfg.Profile.ProtectedFields, k)
	}) {
		c.Add("currentPassword", nil)
	}
	if errs := c.Errors(); errs != nil {
		return accounts.ProfileUpdate{}, apperr.Input(errs)
	}
	return profileUpdate(f, keys), nil
}
