package accounts

import (
	"strings"
	"time"

	"usergraph/ent"
	"usergraph/internal/config"
	"usergraph/internal/validate"
)

// profileField describes one user field that an update may set: how to validate it and how to
// write it. The same table serves the user's own PATCH /user/me and, later, admin updates.
type profileField struct {
	// check validates a value that is not "__unset__".
	check func(c *validate.Checker, cfg *config.Config, name string, v any)
	// set writes a validated value.
	set func(u *ent.UserUpdateOne, v any)
	// clear writes null for "__unset__"; nil means the field cannot be cleared.
	clear func(u *ent.UserUpdateOne)
	// adminOnly fields are never self-editable, even if user.profile.editable-fields names
	// them: a user must not give themself a role or undelete themself.
	adminOnly bool
}

func str(v any) string { s, _ := v.(string); return s }

func strField(check func(c *validate.Checker, cfg *config.Config, name string, v any), set func(*ent.UserUpdateOne, string) *ent.UserUpdateOne, clear func(*ent.UserUpdateOne) *ent.UserUpdateOne) profileField {
	f := profileField{check: check, set: func(u *ent.UserUpdateOne, v any) { set(u, str(v)) }}
	if clear != nil {
		f.clear = func(u *ent.UserUpdateOne) { clear(u) }
	}
	return f
}

func lenCheck(min, max int) func(c *validate.Checker, cfg *config.Config, name string, v any) {
	return func(c *validate.Checker, _ *config.Config, name string, v any) { c.StringLen(name, v, false, min, max) }
}

// profileFields are the fields an update can name, under their Liquid (JSON) names. username,
// email and password get special handling in applyProfile (normalising, hashing).
var profileFields = map[string]profileField{
	"username": {check: func(c *validate.Checker, cfg *config.Config, n string, v any) {
		c.Username(n, v, false, cfg.Profile.UsernameRegex)
	}},
	"email": {check: func(c *validate.Checker, _ *config.Config, n string, v any) { c.Email(n, v, false) }},
	"password": {check: func(c *validate.Checker, cfg *config.Config, n string, v any) {
		c.Password(n, v, false, cfg.Profile.PasswordRegex)
	}},
	"firstName": strField(func(c *validate.Checker, cfg *config.Config, n string, v any) {
		c.Name(n, v, false, cfg.Profile.NameRegex)
	},
		(*ent.UserUpdateOne).SetFirstName, nil),
	"lastName": strField(func(c *validate.Checker, cfg *config.Config, n string, v any) {
		c.Name(n, v, false, cfg.Profile.NameRegex)
	},
		(*ent.UserUpdateOne).SetLastName, nil),
	"middleName": strField(func(c *validate.Checker, cfg *config.Config, n string, v any) {
		c.MiddleName(n, v, false, cfg.Profile.NameRegex)
	},
		(*ent.UserUpdateOne).SetMiddleName, (*ent.UserUpdateOne).ClearMiddleName),
	"gender": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.Gender(n, v, false) },
		(*ent.UserUpdateOne).SetGender, (*ent.UserUpdateOne).ClearGender),
	"designation": strField(lenCheck(1, 128), (*ent.UserUpdateOne).SetDesignation, (*ent.UserUpdateOne).ClearDesignation),
	"bio": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.Bio(n, v, false) },
		(*ent.UserUpdateOne).SetBio, (*ent.UserUpdateOne).ClearBio),
	"customLink": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.CustomLink(n, v, false) },
		(*ent.UserUpdateOne).SetCustomLink, (*ent.UserUpdateOne).ClearCustomLink),
	"pronouns": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.Pronouns(n, v, false) },
		(*ent.UserUpdateOne).SetPronouns, (*ent.UserUpdateOne).ClearPronouns),
	"organization": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.Organization(n, v, false) },
		(*ent.UserUpdateOne).SetOrganization, (*ent.UserUpdateOne).ClearOrganization),
	"preferredLanguage": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.PreferredLanguage(n, v, false) },
		(*ent.UserUpdateOne).SetPreferredLanguage, nil),
	"country": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.Country(n, v, false) },
		(*ent.UserUpdateOne).SetCountry, (*ent.UserUpdateOne).ClearCountry),
	"phone": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.Phone(n, v, false) },
		(*ent.UserUpdateOne).SetPhone, (*ent.UserUpdateOne).ClearPhone),
	"phoneCountryCode": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.PhoneCountryCode(n, v, false) },
		(*ent.UserUpdateOne).SetPhoneCountryCode, (*ent.UserUpdateOne).ClearPhoneCountryCode),
	"secondaryEmail": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.Email(n, v, false) },
		(*ent.UserUpdateOne).SetSecondaryEmail, (*ent.UserUpdateOne).ClearSecondaryEmail),
	"secondaryPhone": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.Phone(n, v, false) },
		(*ent.UserUpdateOne).SetSecondaryPhone, (*ent.UserUpdateOne).ClearSecondaryPhone),
	"secondaryPhoneCountryCode": strField(func(c *validate.Checker, _ *config.Config, n string, v any) { c.PhoneCountryCode(n, v, false) },
		(*ent.UserUpdateOne).SetSecondaryPhoneCountryCode, (*ent.UserUpdateOne).ClearSecondaryPhoneCountryCode),
	"addressLine1": strField(lenCheck(1, 256), (*ent.UserUpdateOne).SetAddressLine1, (*ent.UserUpdateOne).ClearAddressLine1),
	"addressLine2": strField(lenCheck(1, 256), (*ent.UserUpdateOne).SetAddressLine2, (*ent.UserUpdateOne).ClearAddressLine2),
	"city":         strField(lenCheck(1, 128), (*ent.UserUpdateOne).SetCity, (*ent.UserUpdateOne).ClearCity),

	// Only admin/client updates may set these (and only when their editable-fields list it).
	"role": {adminOnly: true, check: func(c *validate.Checker, _ *config.Config, n string, v any) {
		c.StringLen(n, v, false, 1, 128)
	}, set: func(u *ent.UserUpdateOne, v any) { u.SetRole(str(v)) }},
	"isDeleted": {adminOnly: true, check: boolCheck, set: func(u *ent.UserUpdateOne, v any) {
		deleted, _ := v.(bool)
		u.SetIsDeleted(deleted)
		if deleted {
			u.SetDeletedDate(time.Now().UTC().Truncate(time.Millisecond))
		} else {
			u.ClearDeletedDate()
		}
	}},
	"emailVerified":          boolField((*ent.UserUpdateOne).SetEmailVerified),
	"phoneVerified":          boolField((*ent.UserUpdateOne).SetPhoneVerified),
	"secondaryEmailVerified": boolField((*ent.UserUpdateOne).SetSecondaryEmailVerified),
	"secondaryPhoneVerified": boolField((*ent.UserUpdateOne).SetSecondaryPhoneVerified),
	"isPrivate":              boolField((*ent.UserUpdateOne).SetIsPrivate),
	"isActive":               boolField((*ent.UserUpdateOne).SetIsActive),
}

func boolCheck(c *validate.Checker, _ *config.Config, n string, v any) { c.Bool(n, v, false) }

func boolField(set func(*ent.UserUpdateOne, bool) *ent.UserUpdateOne) profileField {
	return profileField{adminOnly: true, check: boolCheck, set: func(u *ent.UserUpdateOne, v any) {
		b, _ := v.(bool)
		set(u, b)
	}}
}

// isUnset reports whether v is Liquid's "__unset__" marker.
func isUnset(v any) bool { s, ok := v.(string); return ok && strings.TrimSpace(s) == validate.Unset }
