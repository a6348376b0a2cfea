package graph

import (
	"usergraph/internal/accounts"
	"usergraph/internal/patch"
)

// profileUpdate turns an UpdateProfileInput or AdminUpdateUserInput (kept as gqlgen's map of
// typed values, so a field added to the input reaches the domain's user field table with no
// code here) into the domain's typed update: fields named in unset are cleared.
func profileUpdate(input map[string]any) accounts.ProfileUpdate {
	p := accounts.ProfileUpdate{Text: map[string]patch.Field[string]{}, Flags: map[string]bool{}}
	for name, v := range input {
		switch x := v.(type) {
		case *string:
			if x != nil {
				p.Text[name] = patch.Set(*x)
			}
		case string:
			p.Text[name] = patch.Set(x)
		case *bool:
			if x != nil {
				p.Flags[name] = *x
			}
		case bool:
			p.Flags[name] = x
		}
	}
	if cp, ok := p.Text["currentPassword"].Value(); ok {
		p.CurrentPassword = &cp
		delete(p.Text, "currentPassword")
	}
	unset, _ := input["unset"].([]string)
	for _, name := range unset {
		p.Text[name] = patch.Clear[string]()
	}
	return p
}
