package accounts

import (
	"context"
	"slices"

	"usergraph/ent"
	"usergraph/internal/auth"
)

// selfOnly are fields only the account itself ever sees through the delegated API.
var selfOnly = []string{"2faEnabled", "2faMedium", "scope", "creationIp", "globalLogoutAt"}

// HiddenFields lists the fields of u the caller may not see: none for the account itself; the
// self-only ones for an approved follower; for anyone else also the configured non-follower
// fields (user.field-privacy.non-follower.hidden-fields: email, phone, credits, ... by default,
// and sanitizedEmail whenever email is hidden). Liquid shows a public account's email to
// everyone on GET /user/:id; usergraph does not, so an address is never readable by a stranger.
func (s *Service) HiddenFields(ctx context.Context, u *ent.User) []string {
	id := auth.FromContext(ctx)
	if id != nil && id.User != nil && id.User.ID == u.ID {
		return nil
	}
	if id != nil && id.User != nil && s.social != nil {
		follows, err := s.social.ViewerFollows(ctx, u.ID)
		if err != nil {
			s.log.Error("checking a follow failed; hiding the non-follower fields", "err", err)
		}
		if follows {
			return slices.Clone(selfOnly)
		}
	}
	hidden := append(slices.Clone(s.cfg.Profile.NonFollowerHiddenFields), selfOnly...)
	if slices.Contains(hidden, "email") {
		hidden = append(hidden, "sanitizedEmail")
	}
	return hidden
}

// Visible reports whether the caller may see u's field (named as in Liquid's JSON).
func (s *Service) Visible(ctx context.Context, u *ent.User, field string) bool {
	hidden := s.HiddenFields(ctx, u)
	if hidden == nil {
		return true
	}
	if field == "customData" && !s.cfg.Profile.HydrateCustomDataDelegated {
		return false
	}
	return !slices.Contains(hidden, field)
}
