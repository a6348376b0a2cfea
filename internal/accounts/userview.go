package accounts

import (
	"context"
	"slices"
	"time"

	"usergraph/ent"
	"usergraph/internal/auth"
	"usergraph/internal/rules"
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
	// Edit says how an update writes the field (nil: no update may name it; fields.go).
	Edit *Edit
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
	{"_id", "id", Public, "", func(u *ent.User) any { return u.ID }, true, nil},
	{"username", "username", Public, "high", func(u *ent.User) any { return u.Username }, false, special(func(r *rules.Set) rules.Rule { return r.Username })},
	{"2faEnabled", "twoFactorEnabled", Personal, "high", func(u *ent.User) any { return u.TwoFactorEnabled }, false, nil},
	{"2faMedium", "", Personal, "high", func(u *ent.User) any { return opt(u.TwoFactorMedium) }, false, nil},
	{"firstName", "firstName", Public, "low", func(u *ent.User) any { return u.FirstName }, false, text(func(r *rules.Set) rules.Rule { return r.Name }, (*ent.UserUpdateOne).SetFirstName, nil)},
	{"lastName", "lastName", Public, "low", func(u *ent.User) any { return u.LastName }, false, text(func(r *rules.Set) rules.Rule { return r.Name }, (*ent.UserUpdateOne).SetLastName, nil)},
	{"middleName", "middleName", Public, "low", func(u *ent.User) any { return opt(u.MiddleName) }, false, text(func(r *rules.Set) rules.Rule { return r.MiddleName }, (*ent.UserUpdateOne).SetMiddleName, (*ent.UserUpdateOne).ClearMiddleName)},
	{"gender", "gender", Public, "low", func(u *ent.User) any { return opt(u.Gender) }, false, text(fixed(rules.Gender), (*ent.UserUpdateOne).SetGender, (*ent.UserUpdateOne).ClearGender)},
	{"designation", "designation", Public, "low", func(u *ent.User) any { return opt(u.Designation) }, false, text(fixed(rules.Designation), (*ent.UserUpdateOne).SetDesignation, (*ent.UserUpdateOne).ClearDesignation)},
	{"bio", "bio", Public, "low", func(u *ent.User) any { return opt(u.Bio) }, false, text(fixed(rules.Bio), (*ent.UserUpdateOne).SetBio, (*ent.UserUpdateOne).ClearBio)},
	{"customLink", "customLink", Public, "low", func(u *ent.User) any { return opt(u.CustomLink) }, false, text(fixed(rules.CustomLink), (*ent.UserUpdateOne).SetCustomLink, (*ent.UserUpdateOne).ClearCustomLink)},
	{"pronouns", "pronouns", Public, "low", func(u *ent.User) any { return opt(u.Pronouns) }, false, text(fixed(rules.Pronouns), (*ent.UserUpdateOne).SetPronouns, (*ent.UserUpdateOne).ClearPronouns)},
	{"organization", "organization", Public, "low", func(u *ent.User) any { return opt(u.Organization) }, false, text(fixed(rules.Organization), (*ent.UserUpdateOne).SetOrganization, (*ent.UserUpdateOne).ClearOrganization)},
	{"preferredLanguage", "preferredLanguage", Public, "low", func(u *ent.User) any { return u.PreferredLanguage }, false, text(fixed(rules.PreferredLanguage), (*ent.UserUpdateOne).SetPreferredLanguage, nil)},
	{"role", "role", Public, "high", func(u *ent.User) any { return u.Role }, false, adminText(fixed(rules.Role), (*ent.UserUpdateOne).SetRole)},
	{"profilePictureUrl", "profilePictureURL", Public, "medium", func(u *ent.User) any { return opt(u.ProfilePictureURL) }, false, nil},
	{"profilePicturePath", "", Public, "medium", func(u *ent.User) any { return opt(u.ProfilePicturePath) }, false, nil},
	{"verified", "verified", Public, "high", func(u *ent.User) any { return u.Verified }, false, nil},
	{"verifiedDate", "verifiedDate", Public, "low", func(u *ent.User) any { return optTime(u.VerifiedDate) }, false, nil},
	{"verifiedBy", "", Personal, "low", func(u *ent.User) any { return opt(u.VerifiedBy) }, false, nil},
	{"followingCount", "followingCount", Public, "read-only", func(u *ent.User) any { return u.FollowingCount }, false, nil},
	{"followerCount", "followerCount", Public, "read-only", func(u *ent.User) any { return u.FollowerCount }, false, nil},
	{"isPrivate", "isPrivate", Public, "medium", func(u *ent.User) any { return u.IsPrivate }, false, adminFlag((*ent.UserUpdateOne).SetIsPrivate)},
	{"email", "email", Private, "medium", func(u *ent.User) any { return u.Email }, false, special(fixed(rules.Email))},
	{"sanitizedEmail", "", Private, "medium", func(u *ent.User) any { return u.SanitizedEmail }, false, nil},
	{"emailVerified", "emailVerified", Public, "medium", func(u *ent.User) any { return u.EmailVerified }, false, adminFlag((*ent.UserUpdateOne).SetEmailVerified)},
	{"phone", "phone", Private, "medium", func(u *ent.User) any { return opt(u.Phone) }, false, text(fixed(rules.Phone), (*ent.UserUpdateOne).SetPhone, (*ent.UserUpdateOne).ClearPhone)},
	{"phoneCountryCode", "phoneCountryCode", Private, "medium", func(u *ent.User) any { return opt(u.PhoneCountryCode) }, false, text(fixed(rules.PhoneCountryCode), (*ent.UserUpdateOne).SetPhoneCountryCode, (*ent.UserUpdateOne).ClearPhoneCountryCode)},
	{"phoneVerified", "", Public, "medium", func(u *ent.User) any { return u.PhoneVerified }, false, adminFlag((*ent.UserUpdateOne).SetPhoneVerified)},
	{"secondaryEmail", "", Private, "medium", func(u *ent.User) any { return opt(u.SecondaryEmail) }, false, text(fixed(rules.Email), (*ent.UserUpdateOne).SetSecondaryEmail, (*ent.UserUpdateOne).ClearSecondaryEmail)},
	{"secondaryEmailVerified", "", Public, "medium", func(u *ent.User) any { return u.SecondaryEmailVerified }, false, adminFlag((*ent.UserUpdateOne).SetSecondaryEmailVerified)},
	{"secondaryPhone", "", Private, "medium", func(u *ent.User) any { return opt(u.SecondaryPhone) }, false, text(fixed(rules.Phone), (*ent.UserUpdateOne).SetSecondaryPhone, (*ent.UserUpdateOne).ClearSecondaryPhone)},
	{"secondaryPhoneCountryCode", "", Private, "medium", func(u *ent.User) any { return opt(u.SecondaryPhoneCountryCode) }, false, text(fixed(rules.PhoneCountryCode), (*ent.UserUpdateOne).SetSecondaryPhoneCountryCode, (*ent.UserUpdateOne).ClearSecondaryPhoneCountryCode)},
	{"secondaryPhoneVerified", "", Public, "medium", func(u *ent.User) any { return u.SecondaryPhoneVerified }, false, adminFlag((*ent.UserUpdateOne).SetSecondaryPhoneVerified)},
	{"addressLine1", "", Personal, "high", func(u *ent.User) any { return opt(u.AddressLine1) }, false, text(fixed(rules.AddressLine), (*ent.UserUpdateOne).SetAddressLine1, (*ent.UserUpdateOne).ClearAddressLine1)},
	{"addressLine2", "", Personal, "high", func(u *ent.User) any { return opt(u.AddressLine2) }, false, text(fixed(rules.AddressLine), (*ent.UserUpdateOne).SetAddressLine2, (*ent.UserUpdateOne).ClearAddressLine2)},
	{"city", "", Personal, "high", func(u *ent.User) any { return opt(u.City) }, false, text(fixed(rules.City), (*ent.UserUpdateOne).SetCity, (*ent.UserUpdateOne).ClearCity)},
	{"pincode", "", Personal, "high", func(u *ent.User) any { return opt(u.Pincode) }, false, nil},
	{"country", "country", Public, "high", func(u *ent.User) any { return opt(u.Country) }, false, text(fixed(rules.Country), (*ent.UserUpdateOne).SetCountry, (*ent.UserUpdateOne).ClearCountry)},
	{"isSubscribed", "isSubscribed", Public, "medium", func(u *ent.User) any { return u.IsSubscribed }, false, nil},
	{"subscriptionActivatedAt", "subscriptionActivatedAt", Public, "medium", func(u *ent.User) any { return optTime(u.SubscriptionActivatedAt) }, false, nil},
	{"subscriptionExpiry", "subscriptionExpiry", Public, "medium", func(u *ent.User) any { return optTime(u.SubscriptionExpiry) }, false, nil},
	{"subscriptionTier", "subscriptionTier", Public, "medium", func(u *ent.User) any { return opt(u.SubscriptionTier) }, false, nil},
	{"subscriptionIdentifier", "", Public, "medium", func(u *ent.User) any { return opt(u.SubscriptionIdentifier) }, false, nil},
	{"subscriptionCancelled", "subscriptionCancelled", Public, "medium", func(u *ent.User) any { return u.SubscriptionCancelled }, false, nil},
	{"subscriptionCancelledAt", "subscriptionCancelledAt", Public, "medium", func(u *ent.User) any { return optTime(u.SubscriptionCancelledAt) }, false, nil},
	{"credits", "credits", Private, "medium", func(u *ent.User) any { return u.Credits }, false, nil},
	{"scope", "scope", Personal, "extreme", func(u *ent.User) any { return scopeList(u.Scope) }, false, nil},
	{"invitedBy", "invitedBy", Public, "low", func(u *ent.User) any { return opt(u.InvitedBy) }, false, nil},
	{"isActive", "isActive", Public, "low", func(u *ent.User) any { return u.IsActive }, false, adminFlag((*ent.UserUpdateOne).SetIsActive)},
	{"deactivateDate", "", Personal, "low", func(u *ent.User) any { return optTime(u.DeactivateDate) }, false, nil},
	{"isBanned", "isBanned", Public, "high", func(u *ent.User) any { return u.IsBanned }, true, nil},
	{"bannedDate", "", Public, "high", func(u *ent.User) any { return optTime(u.BannedDate) }, false, nil},
	{"bannedReason", "", Public, "high", func(u *ent.User) any { return opt(u.BannedReason) }, false, nil},
	{"bannedBy", "", Personal, "low", func(u *ent.User) any { return opt(u.BannedBy) }, false, nil},
	{"isRestricted", "", Public, "high", func(u *ent.User) any { return u.IsRestricted }, false, nil},
	{"restrictedDate", "", Public, "high", func(u *ent.User) any { return optTime(u.RestrictedDate) }, false, nil},
	{"restrictedReason", "", Public, "high", func(u *ent.User) any { return opt(u.RestrictedReason) }, false, nil},
	{"restrictedBy", "", Personal, "low", func(u *ent.User) any { return opt(u.RestrictedBy) }, false, nil},
	{"isDeleted", "isDeleted", Public, "extreme", func(u *ent.User) any { return u.IsDeleted }, true, adminFlag(setDeleted)},
	{"deletedDate", "", Public, "extreme", func(u *ent.User) any { return optTime(u.DeletedDate) }, false, nil},
	{"ssoEnabled", "", SelfOnly, "low", func(u *ent.User) any { return u.SSOEnabled }, false, nil},
	{"ssoProvider", "", SelfOnly, "medium", func(u *ent.User) any { return opt(u.SSOProvider) }, false, nil},
	{"creationIp", "", Personal, "high", func(u *ent.User) any { return u.CreationIP }, false, nil},
	{"customData", "customData", Private, "high", func(u *ent.User) any { return u.CustomData }, false, nil},
	{"createdAt", "createdAt", Public, "", func(u *ent.User) any { return JSTime(u.CreatedAt) }, false, nil},
	{"updatedAt", "updatedAt", Public, "", func(u *ent.User) any { return JSTime(u.UpdatedAt) }, false, nil},
	{"globalLogoutAt", "", SelfOnly, "low", func(u *ent.User) any { return optTime(u.GlobalLogoutAt) }, false, nil},
	{"googleProfileId", "", Secret, "medium", func(u *ent.User) any { return nil }, false, nil},
	{"password", "", Secret, "high", func(u *ent.User) any { return nil }, false, special(func(r *rules.Set) rules.Rule { return r.Password })},
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
