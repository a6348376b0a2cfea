package accounts

import (
	"context"
	"slices"
	"time"

	"usergraph/ent"
	"usergraph/internal/auth"
)

// Sensitivity says who may see a user field (see shows for the whole table).
type Sensitivity int

const (
	// Public fields are shown to everyone who may read profiles (Liquid's UserProjection).
	Public Sensitivity = iota
	// Private fields (contact data, credits, custom data) are the account's own business:
	// shown to the account and to admins/clients only. Following someone never reveals them,
	// unless user.field-privacy.follower.visible-fields names them.
	Private
	// Personal fields (2FA, scopes, address, audit trail) are shown to the account and to
	// admins/clients (Liquid leaves them out of its UserProjection).
	Personal
	// SelfOnly fields are shown to the account alone (Liquid leaves them out of the admin
	// projection too).
	SelfOnly
	// Secret fields are never shown (they are only written: the password).
	Secret
)

// Viewer is the kind of caller looking at a user.
type Viewer int

const (
	Stranger  Viewer = iota // signed in, no relation (also: anonymous, or blocked either way)
	Requester               // has a pending follow request
	Follower                // an approved follower
	Self                    // the account itself
	Admin                   // an admin or client allowed to read profiles (the shared profile:read check)
)

// Viewers lists every kind, for tests and docs.
var Viewers = []Viewer{Stranger, Requester, Follower, Self, Admin}

func (v Viewer) String() string {
	return [...]string{"stranger", "requester", "follower", "self", "admin"}[v]
}

// UserField is one row of the user field table: every API names, shows and renders user
// fields from it. Adding a profile field is the ent schema field plus one row here.
type UserField struct {
	// Liquid is the field's name in Liquid's JSON; GraphQL its name on the User type ("" when
	// GraphQL does not expose it).
	Liquid, GraphQL string
	Sensitivity     Sensitivity
	// WriteLevel is the sensitivity level of Liquid's admin/client update scopes
	// (<entity>:profile:sensitive:<level>:write, liquid-behaviour.md §3.1); "read-only" has no
	// such scope, so only a super_admin passes; "" is Liquid's "undefined", likewise.
	WriteLevel string
	// Value reads the field as Liquid's JSON shows it: nil when unset (left out).
	Value func(u *ent.User) any
	// Stub fields are what everyone sees of a banned or deleted user.
	Stub bool
}

// JSTime formats t as JavaScript's Date.toISOString does: UTC, exactly three fraction digits.
func JSTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func opt[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return JSTime(*t)
}

func scopeList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// UserFields is the user field table, in Liquid's document order.
var UserFields = []UserField{
	{"_id", "id", Public, "", func(u *ent.User) any { return u.ID }, true},
	{"username", "username", Public, "high", func(u *ent.User) any { return u.Username }, false},
	{"2faEnabled", "twoFactorEnabled", Personal, "high", func(u *ent.User) any { return u.TwoFactorEnabled }, false},
	{"2faMedium", "", Personal, "high", func(u *ent.User) any { return opt(u.TwoFactorMedium) }, false},
	{"firstName", "firstName", Public, "low", func(u *ent.User) any { return u.FirstName }, false},
	{"lastName", "lastName", Public, "low", func(u *ent.User) any { return u.LastName }, false},
	{"middleName", "middleName", Public, "low", func(u *ent.User) any { return opt(u.MiddleName) }, false},
	{"gender", "gender", Public, "low", func(u *ent.User) any { return opt(u.Gender) }, false},
	{"designation", "designation", Public, "low", func(u *ent.User) any { return opt(u.Designation) }, false},
	{"bio", "bio", Public, "low", func(u *ent.User) any { return opt(u.Bio) }, false},
	{"customLink", "customLink", Public, "low", func(u *ent.User) any { return opt(u.CustomLink) }, false},
	{"pronouns", "pronouns", Public, "low", func(u *ent.User) any { return opt(u.Pronouns) }, false},
	{"organization", "organization", Public, "low", func(u *ent.User) any { return opt(u.Organization) }, false},
	{"preferredLanguage", "preferredLanguage", Public, "low", func(u *ent.User) any { return u.PreferredLanguage }, false},
	{"role", "role", Public, "high", func(u *ent.User) any { return u.Role }, false},
	{"profilePictureUrl", "profilePictureURL", Public, "medium", func(u *ent.User) any { return opt(u.ProfilePictureURL) }, false},
	{"profilePicturePath", "", Public, "medium", func(u *ent.User) any { return opt(u.ProfilePicturePath) }, false},
	{"verified", "verified", Public, "high", func(u *ent.User) any { return u.Verified }, false},
	{"verifiedDate", "verifiedDate", Public, "low", func(u *ent.User) any { return optTime(u.VerifiedDate) }, false},
	{"verifiedBy", "", Personal, "low", func(u *ent.User) any { return opt(u.VerifiedBy) }, false},
	{"followingCount", "followingCount", Public, "read-only", func(u *ent.User) any { return u.FollowingCount }, false},
	{"followerCount", "followerCount", Public, "read-only", func(u *ent.User) any { return u.FollowerCount }, false},
	{"isPrivate", "isPrivate", Public, "medium", func(u *ent.User) any { return u.IsPrivate }, false},
	{"email", "email", Private, "medium", func(u *ent.User) any { return u.Email }, false},
	{"sanitizedEmail", "", Private, "medium", func(u *ent.User) any { return u.SanitizedEmail }, false},
	{"emailVerified", "emailVerified", Public, "medium", func(u *ent.User) any { return u.EmailVerified }, false},
	{"phone", "phone", Private, "medium", func(u *ent.User) any { return opt(u.Phone) }, false},
	{"phoneCountryCode", "phoneCountryCode", Private, "medium", func(u *ent.User) any { return opt(u.PhoneCountryCode) }, false},
	{"phoneVerified", "", Public, "medium", func(u *ent.User) any { return u.PhoneVerified }, false},
	{"secondaryEmail", "", Private, "medium", func(u *ent.User) any { return opt(u.SecondaryEmail) }, false},
	{"secondaryEmailVerified", "", Public, "medium", func(u *ent.User) any { return u.SecondaryEmailVerified }, false},
	{"secondaryPhone", "", Private, "medium", func(u *ent.User) any { return opt(u.SecondaryPhone) }, false},
	{"secondaryPhoneCountryCode", "", Private, "medium", func(u *ent.User) any { return opt(u.SecondaryPhoneCountryCode) }, false},
	{"secondaryPhoneVerified", "", Public, "medium", func(u *ent.User) any { return u.SecondaryPhoneVerified }, false},
	{"addressLine1", "", Personal, "high", func(u *ent.User) any { return opt(u.AddressLine1) }, false},
	{"addressLine2", "", Personal, "high", func(u *ent.User) any { return opt(u.AddressLine2) }, false},
	{"city", "", Personal, "high", func(u *ent.User) any { return opt(u.City) }, false},
	{"pincode", "", Personal, "high", func(u *ent.User) any { return opt(u.Pincode) }, false},
	{"country", "country", Public, "high", func(u *ent.User) any { return opt(u.Country) }, false},
	{"isSubscribed", "isSubscribed", Public, "medium", func(u *ent.User) any { return u.IsSubscribed }, false},
	{"subscriptionActivatedAt", "subscriptionActivatedAt", Public, "medium", func(u *ent.User) any { return optTime(u.SubscriptionActivatedAt) }, false},
	{"subscriptionExpiry", "subscriptionExpiry", Public, "medium", func(u *ent.User) any { return optTime(u.SubscriptionExpiry) }, false},
	{"subscriptionTier", "subscriptionTier", Public, "medium", func(u *ent.User) any { return opt(u.SubscriptionTier) }, false},
	{"subscriptionIdentifier", "", Public, "medium", func(u *ent.User) any { return opt(u.SubscriptionIdentifier) }, false},
	{"subscriptionCancelled", "subscriptionCancelled", Public, "medium", func(u *ent.User) any { return u.SubscriptionCancelled }, false},
	{"subscriptionCancelledAt", "subscriptionCancelledAt", Public, "medium", func(u *ent.User) any { return optTime(u.SubscriptionCancelledAt) }, false},
	{"credits", "credits", Private, "medium", func(u *ent.User) any { return u.Credits }, false},
	{"scope", "scope", Personal, "extreme", func(u *ent.User) any { return scopeList(u.Scope) }, false},
	{"invitedBy", "invitedBy", Public, "low", func(u *ent.User) any { return opt(u.InvitedBy) }, false},
	{"isActive", "isActive", Public, "low", func(u *ent.User) any { return u.IsActive }, false},
	{"deactivateDate", "", Personal, "low", func(u *ent.User) any { return optTime(u.DeactivateDate) }, false},
	{"isBanned", "isBanned", Public, "high", func(u *ent.User) any { return u.IsBanned }, true},
	{"bannedDate", "", Public, "high", func(u *ent.User) any { return optTime(u.BannedDate) }, false},
	{"bannedReason", "", Public, "high", func(u *ent.User) any { return opt(u.BannedReason) }, false},
	{"bannedBy", "", Personal, "low", func(u *ent.User) any { return opt(u.BannedBy) }, false},
	{"isRestricted", "", Public, "high", func(u *ent.User) any { return u.IsRestricted }, false},
	{"restrictedDate", "", Public, "high", func(u *ent.User) any { return optTime(u.RestrictedDate) }, false},
	{"restrictedReason", "", Public, "high", func(u *ent.User) any { return opt(u.RestrictedReason) }, false},
	{"restrictedBy", "", Personal, "low", func(u *ent.User) any { return opt(u.RestrictedBy) }, false},
	{"isDeleted", "isDeleted", Public, "extreme", func(u *ent.User) any { return u.IsDeleted }, true},
	{"deletedDate", "", Public, "extreme", func(u *ent.User) any { return optTime(u.DeletedDate) }, false},
	{"ssoEnabled", "", SelfOnly, "low", func(u *ent.User) any { return u.SSOEnabled }, false},
	{"ssoProvider", "", SelfOnly, "medium", func(u *ent.User) any { return opt(u.SSOProvider) }, false},
	{"creationIp", "", Personal, "high", func(u *ent.User) any { return u.CreationIP }, false},
	{"customData", "customData", Private, "high", func(u *ent.User) any { return u.CustomData }, false},
	{"createdAt", "createdAt", Public, "", func(u *ent.User) any { return JSTime(u.CreatedAt) }, false},
	{"updatedAt", "updatedAt", Public, "", func(u *ent.User) any { return JSTime(u.UpdatedAt) }, false},
	{"globalLogoutAt", "", SelfOnly, "low", func(u *ent.User) any { return optTime(u.GlobalLogoutAt) }, false},
	{"googleProfileId", "", Secret, "medium", func(u *ent.User) any { return nil }, false},
	{"password", "", Secret, "high", func(u *ent.User) any { return nil }, false},
}

var (
	fieldsByLiquid  = map[string]*UserField{}
	fieldsByGraphQL = map[string]*UserField{}
)

func init() {
	for i := range UserFields {
		f := &UserFields[i]
		fieldsByLiquid[f.Liquid] = f
		if f.GraphQL != "" {
			fieldsByGraphQL[f.GraphQL] = f
		}
	}
}

// FieldByGraphQL returns the row of a User field named as GraphQL names it.
func FieldByGraphQL(name string) (*UserField, bool) { f, ok := fieldsByGraphQL[name]; return f, ok }

// WriteLevel is the sensitivity level of a field named as Liquid names it ("undefined" for an
// unknown one, which no one but a super_admin passes, as in Liquid).
func WriteLevel(field string) string {
	if f, ok := fieldsByLiquid[field]; ok && f.WriteLevel != "" {
		return f.WriteLevel
	}
	return "undefined"
}

// UserView is what one viewer may see of one user.
type UserView struct {
	User   *ent.User
	Viewer Viewer
	// Stub is true when the viewer sees only the stub of a banned or deleted user.
	Stub bool
	s    *Service
}

// Shows reports whether the view includes f.
func (v UserView) Shows(f *UserField) bool {
	if v.Stub {
		return f.Stub
	}
	return v.s.shows(f, v.Viewer)
}

// shows is the table of who sees what: sensitivity by viewer, adjusted by two settings —
// Liquid's user.field-privacy.non-follower.hidden-fields (hidden from everyone who does not
// follow the account) and usergraph's user.field-privacy.follower.visible-fields (private
// fields a follower may see; none by default).
func (s *Service) shows(f *UserField, v Viewer) bool {
	switch {
	case f.Sensitivity == Secret:
		return false
	case v == Self:
		return true
	case v == Admin:
		return f.Sensitivity != SelfOnly
	}
	switch f.Sensitivity {
	case Public:
		return v == Follower || !slices.Contains(s.cfg.Profile.NonFollowerHiddenFields, f.Liquid)
	case Private:
		return v == Follower && slices.Contains(s.cfg.Profile.FollowerVisibleFields, f.Liquid)
	}
	return false
}

// ViewOf decides how the caller sees u. Banned and deleted users are a stub to everyone but
// themselves and admins.
func (s *Service) ViewOf(ctx context.Context, u *ent.User) UserView {
	v := UserView{User: u, Viewer: s.viewer(ctx, u), s: s}
	v.Stub = (u.IsBanned || u.IsDeleted) && v.Viewer != Self && v.Viewer != Admin
	return v
}

// AdminView is the admin/client projection, for routes that serve only admins and clients.
func (s *Service) AdminView(u *ent.User) UserView { return UserView{User: u, Viewer: Admin, s: s} }

// SelfView is the account's own document.
func (s *Service) SelfView(u *ent.User) UserView { return UserView{User: u, Viewer: Self, s: s} }

func (s *Service) viewer(ctx context.Context, u *ent.User) Viewer {
	id := auth.FromContext(ctx)
	if id != nil && id.User != nil && id.User.ID == u.ID || isOwner(ctx, u.ID) {
		return Self
	}
	// The admin check is one cached lookup per request; ask it before the follow lookup.
	if s.ScopeAdminRead(ctx) {
		return Admin
	}
	if id == nil || id.User == nil || s.social == nil {
		return Stranger
	}
	rel, err := s.social.ViewerRelation(ctx, u.ID)
	if err != nil {
		s.log.Error("reading the viewer's relation failed; showing the stranger's view", "err", err)
		return Stranger
	}
	return rel
}

// HiddenFields lists, under Liquid's names, the fields of u the caller may not see (the
// social lists strip them from their records).
func (s *Service) HiddenFields(ctx context.Context, u *ent.User) []string {
	v := s.ViewOf(ctx, u)
	var hidden []string
	for i := range UserFields {
		if !v.Shows(&UserFields[i]) {
			hidden = append(hidden, UserFields[i].Liquid)
		}
	}
	return hidden
}
