package accounts

import (
	"context"
	"slices"

	"usergraph/ent"
	"usergraph/internal/auth"
)

// selfOnly are fields only the account itself ever sees through the delegated API.
var selfOnly = []string{"2faEnabled", "2faMedium", "scope", "creationIp", "globalLogoutAt"}

// HiddenFields lists the fields of u the caller may not see: none for the account itself;
// for anyone else the configured non-follower fields
// (user.field-privacy.non-follower.hidden-fields: email, phone, credits, ... by default) and the
// self-only ones. Liquid shows a public account's email to everyone on GET /user/:id; usergraph
// does not, so an address is never readable by a stranger.
func (s *Service) HiddenFields(ctx context.Context, u *ent.User) []string {
	if id := auth.FromContext(ctx); id != nil && id.User != nil && id.User.ID == u.ID {
		return nil
	}
	return append(slices.Clone(s.cfg.Profile.NonFollowerHiddenFields), selfOnly...)
}

// Visible reports whether the caller may see u's field (named as in Liquid's JSON). Admins
// and clients allowed to read profiles (the shared profile:read check) see every field, as the
// admin/client projection shows them.
func (s *Service) Visible(ctx context.Context, u *ent.User, field string) bool {
	hidden := s.HiddenFields(ctx, u)
	if hidden == nil || s.ScopeAdminRead(ctx) {
		return true
	}
	if field == "customData" && !s.cfg.Profile.HydrateCustomDataDelegated {
		return false
	}
	return !slices.Contains(hidden, field)
}
