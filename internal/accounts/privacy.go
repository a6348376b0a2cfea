package accounts

import (
	"context"
	"slices"
	"sync"

	"usergraph/ent"
	"usergraph/internal/auth"
)

// selfOnly are fields only the account itself ever sees through the delegated API.
var selfOnly = []string{"2faEnabled", "2faMedium", "scope", "creationIp", "globalLogoutAt"}

// companions are fields that repeat (or qualify) a private field: hiding the field hides them
// too, so sanitizedEmail never gives away a hidden email.
var companions = map[string][]string{
	"email":          {"sanitizedEmail"},
	"phone":          {"phoneCountryCode"},
	"secondaryPhone": {"secondaryPhoneCountryCode"},
}

// HiddenFields lists the fields of u the caller may not see: none for the account itself; the
// self-only ones for an approved follower; for anyone else also the configured non-follower
// fields (user.field-privacy.non-follower.hidden-fields: email, phone, credits, ... by default)
// and the fields that repeat them (sanitizedEmail, ...). Liquid shows a public account's email
// to everyone on GET /user/:id; usergraph does not, so an address is never readable by a
// stranger.
func (s *Service) HiddenFields(ctx context.Context, u *ent.User) []string {
	id := auth.FromContext(ctx)
	if id != nil && id.User != nil && id.User.ID == u.ID || isOwner(ctx, u.ID) {
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
	hidden := slices.Clone(s.cfg.Profile.NonFollowerHiddenFields)
	for _, f := range s.cfg.Profile.NonFollowerHiddenFields {
		hidden = append(hidden, companions[f]...)
	}
	return append(hidden, selfOnly...)
}

// Visible reports whether the caller may see u's field (named as in Liquid's JSON). Admins
// and clients allowed to read profiles (the shared profile:read check) see every field, as the
// admin/client projection shows them.
func (s *Service) Visible(ctx context.Context, u *ent.User, field string) bool {
	// The admin check is one cached lookup per request; ask it before the follow lookup.
	if s.ScopeAdminRead(ctx) {
		return true
	}
	hidden := s.HiddenFields(ctx, u)
	if hidden == nil {
		return true
	}
	if field == "customData" && !s.cfg.Profile.HydrateCustomDataDelegated {
		return false
	}
	return !slices.Contains(hidden, field)
}

// owners remembers the accounts a caller proved, during one request, to own: by signing up or
// logging in. A GraphQL login answers with the user before the caller holds a token, and that
// user is the caller's own account.
type owners struct {
	mu  sync.Mutex
	ids []string
}

type ownersKey struct{}

// WithOwners prepares ctx for one request so that the accounts the caller signs up or logs in
// to during it are shown to the caller as their own (GraphQL installs it per request).
func WithOwners(ctx context.Context) context.Context {
	return context.WithValue(ctx, ownersKey{}, &owners{})
}

func markOwner(ctx context.Context, userID string) {
	if o, _ := ctx.Value(ownersKey{}).(*owners); o != nil {
		o.mu.Lock()
		o.ids = append(o.ids, userID)
		o.mu.Unlock()
	}
}

func isOwner(ctx context.Context, userID string) bool {
	o, _ := ctx.Value(ownersKey{}).(*owners)
	if o == nil {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Contains(o.ids, userID)
}
