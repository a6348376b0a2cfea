package accounts

import (
	"slices"
	"sort"
	"time"

	"usergraph/ent"
	"usergraph/internal/patch"
	"usergraph/internal/rules"
)

// Edit is the update column of the user field table: how an update writes the field and the
// rule a new value must pass.
type Edit struct {
	// Rule is the rule of a text value (nil for a flag).
	Rule func(*rules.Set) rules.Rule
	// Text writes a text value, Flag a boolean one. username, email and password have neither:
	// applyProfile normalises, checks uniqueness or hashes them.
	Text func(u *ent.UserUpdateOne, s string)
	Flag func(u *ent.UserUpdateOne, b bool)
	// Clear writes null; nil means the field cannot be cleared.
	Clear func(u *ent.UserUpdateOne)
	// AdminOnly fields are never self-editable, even if user.profile.editable-fields names
	// them: a user must not give themself a role or undelete themself.
	AdminOnly bool
}

func fixed(r rules.Rule) func(*rules.Set) rules.Rule { return func(*rules.Set) rules.Rule { return r } }

func special(rule func(*rules.Set) rules.Rule) *Edit { return &Edit{Rule: rule} }

func text[U any](rule func(*rules.Set) rules.Rule, set func(*ent.UserUpdateOne, string) U, clear func(*ent.UserUpdateOne) U) *Edit {
	e := &Edit{Rule: rule, Text: func(u *ent.UserUpdateOne, s string) { set(u, s) }}
	if clear != nil {
		e.Clear = func(u *ent.UserUpdateOne) { clear(u) }
	}
	return e
}

func adminText[U any](rule func(*rules.Set) rules.Rule, set func(*ent.UserUpdateOne, string) U) *Edit {
	e := text[U](rule, set, nil)
	e.AdminOnly = true
	return e
}

func adminFlag[U any](set func(*ent.UserUpdateOne, bool) U) *Edit {
	return &Edit{Flag: func(u *ent.UserUpdateOne, b bool) { set(u, b) }, AdminOnly: true}
}

func setDeleted(u *ent.UserUpdateOne, deleted bool) *ent.UserUpdateOne {
	u.SetIsDeleted(deleted)
	if deleted {
		return u.SetDeletedDate(time.Now().UTC().Truncate(time.Millisecond))
	}
	return u.ClearDeletedDate()
}

// ProfileUpdate is a partial update of a user's profile, by field name (the user field table's
// first column): text fields set or cleared, flags set.
type ProfileUpdate struct {
	Text  map[string]patch.Field[string]
	Flags map[string]bool
	// CurrentPassword proves the caller's identity for protected fields (own profile only).
	CurrentPassword *string
}

// names lists the fields the update names, sorted.
func (p ProfileUpdate) names() []string {
	out := make([]string, 0, len(p.Text)+len(p.Flags))
	for k := range p.Text {
		out = append(out, k)
	}
	for k := range p.Flags {
		if _, dup := p.Text[k]; !dup {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Names reports the fields the update names, sorted.
func (p ProfileUpdate) Names() []string { return p.names() }

// Editable reports whether a field may be named by an update: self updates need the field in
// user.profile.editable-fields and not admin-only; admin/client updates check their own lists.
func (s *Service) Editable(name string, self bool) (*Edit, bool) {
	f, ok := fieldsByLiquid[name]
	if !ok || f.Edit == nil {
		return nil, false
	}
	if self && (f.Edit.AdminOnly || !slices.Contains(s.cfg.Profile.EditableFields, name)) {
		return nil, false
	}
	return f.Edit, true
}

// checkUpdate validates the values of an update against the table's rules (editability is
// the caller's business): a text value for a text field, a flag for a flag, clearing only what
// may be cleared.
func (s *Service) checkUpdate(c *rules.Check, p ProfileUpdate) {
	for _, name := range p.names() {
		e := fieldsByLiquid[name].Edit
		if v, isText := p.Text[name]; isText {
			switch val, set := v.Value(); {
			case e.Rule == nil:
				c.Fail(name, "boolean", "must be true or false")
			case v.IsClear() && e.Clear == nil:
				c.Fail(name, "required", "cannot be cleared")
			case set:
				c.String(name, val, e.Rule(s.rules))
			}
			continue
		}
		if e.Flag == nil {
			c.Fail(name, "text", "must be text")
		}
	}
}
