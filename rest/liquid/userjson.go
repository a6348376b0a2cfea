package liquid

import (
	"encoding/json"
	"slices"
	"time"

	"usergraph/ent"
	"usergraph/internal/accounts"
)

// jsTime formats t as JavaScript's Date.toISOString does: UTC, exactly three fraction digits.
func jsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// userField is one field of Liquid's user document: its JSON name, its value (nil = unset,
// left out as Mongo leaves it out), and whether the delegated (UserProjection) and the
// admin/client projections include it (liquid-behaviour.md §3.1).
type userField struct {
	name       string
	get        func(u *ent.User) any
	public     bool
	adminLevel bool
}

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
	return jsTime(*t)
}

var userFields = []userField{
	{"_id", func(u *ent.User) any { return u.ID }, true, true},
	{"username", func(u *ent.User) any { return u.Username }, true, true},
	{"2faEnabled", func(u *ent.User) any { return u.TwoFactorEnabled }, false, true},
	{"2faMedium", func(u *ent.User) any { return opt(u.TwoFactorMedium) }, false, true},
	{"firstName", func(u *ent.User) any { return u.FirstName }, true, true},
	{"lastName", func(u *ent.User) any { return u.LastName }, true, true},
	{"middleName", func(u *ent.User) any { return opt(u.MiddleName) }, true, true},
	{"gender", func(u *ent.User) any { return opt(u.Gender) }, true, true},
	{"designation", func(u *ent.User) any { return opt(u.Designation) }, true, true},
	{"bio", func(u *ent.User) any { return opt(u.Bio) }, true, true},
	{"customLink", func(u *ent.User) any { return opt(u.CustomLink) }, true, true},
	{"pronouns", func(u *ent.User) any { return opt(u.Pronouns) }, true, true},
	{"organization", func(u *ent.User) any { return opt(u.Organization) }, true, true},
	{"preferredLanguage", func(u *ent.User) any { return u.PreferredLanguage }, true, true},
	{"role", func(u *ent.User) any { return u.Role }, true, true},
	{"profilePictureUrl", func(u *ent.User) any { return opt(u.ProfilePictureURL) }, true, true},
	{"profilePicturePath", func(u *ent.User) any { return opt(u.ProfilePicturePath) }, true, true},
	{"verified", func(u *ent.User) any { return u.Verified }, true, true},
	{"verifiedDate", func(u *ent.User) any { return optTime(u.VerifiedDate) }, true, true},
	{"verifiedBy", func(u *ent.User) any { return opt(u.VerifiedBy) }, false, true},
	{"followingCount", func(u *ent.User) any { return u.FollowingCount }, true, true},
	{"followerCount", func(u *ent.User) any { return u.FollowerCount }, true, true},
	{"isPrivate", func(u *ent.User) any { return u.IsPrivate }, true, true},
	{"email", func(u *ent.User) any { return u.Email }, true, true},
	{"sanitizedEmail", func(u *ent.User) any { return u.SanitizedEmail }, true, true},
	{"emailVerified", func(u *ent.User) any { return u.EmailVerified }, true, true},
	{"phone", func(u *ent.User) any { return opt(u.Phone) }, true, true},
	{"phoneCountryCode", func(u *ent.User) any { return opt(u.PhoneCountryCode) }, true, true},
	{"phoneVerified", func(u *ent.User) any { return u.PhoneVerified }, true, true},
	{"secondaryEmail", func(u *ent.User) any { return opt(u.SecondaryEmail) }, true, true},
	{"secondaryEmailVerified", func(u *ent.User) any { return u.SecondaryEmailVerified }, true, true},
	{"secondaryPhone", func(u *ent.User) any { return opt(u.SecondaryPhone) }, true, true},
	{"secondaryPhoneCountryCode", func(u *ent.User) any { return opt(u.SecondaryPhoneCountryCode) }, true, true},
	{"secondaryPhoneVerified", func(u *ent.User) any { return u.SecondaryPhoneVerified }, true, true},
	{"addressLine1", func(u *ent.User) any { return opt(u.AddressLine1) }, false, true},
	{"addressLine2", func(u *ent.User) any { return opt(u.AddressLine2) }, false, true},
	{"city", func(u *ent.User) any { return opt(u.City) }, false, true},
	{"pincode", func(u *ent.User) any { return opt(u.Pincode) }, false, true},
	{"country", func(u *ent.User) any { return opt(u.Country) }, true, true},
	{"isSubscribed", func(u *ent.User) any { return u.IsSubscribed }, true, true},
	{"subscriptionActivatedAt", func(u *ent.User) any { return optTime(u.SubscriptionActivatedAt) }, true, true},
	{"subscriptionExpiry", func(u *ent.User) any { return optTime(u.SubscriptionExpiry) }, true, true},
	{"subscriptionTier", func(u *ent.User) any { return opt(u.SubscriptionTier) }, true, true},
	{"subscriptionIdentifier", func(u *ent.User) any { return opt(u.SubscriptionIdentifier) }, true, true},
	{"subscriptionCancelled", func(u *ent.User) any { return u.SubscriptionCancelled }, true, true},
	{"subscriptionCancelledAt", func(u *ent.User) any { return optTime(u.SubscriptionCancelledAt) }, true, true},
	{"credits", func(u *ent.User) any { return u.Credits }, true, true},
	{"scope", func(u *ent.User) any { return scopeList(u.Scope) }, false, true},
	{"invitedBy", func(u *ent.User) any { return opt(u.InvitedBy) }, true, true},
	{"isActive", func(u *ent.User) any { return u.IsActive }, true, true},
	{"deactivateDate", func(u *ent.User) any { return optTime(u.DeactivateDate) }, false, true},
	{"isBanned", func(u *ent.User) any { return u.IsBanned }, true, true},
	{"bannedDate", func(u *ent.User) any { return optTime(u.BannedDate) }, true, true},
	{"bannedReason", func(u *ent.User) any { return opt(u.BannedReason) }, true, true},
	{"bannedBy", func(u *ent.User) any { return opt(u.BannedBy) }, false, true},
	{"isRestricted", func(u *ent.User) any { return u.IsRestricted }, true, true},
	{"restrictedDate", func(u *ent.User) any { return optTime(u.RestrictedDate) }, true, true},
	{"restrictedReason", func(u *ent.User) any { return opt(u.RestrictedReason) }, true, true},
	{"restrictedBy", func(u *ent.User) any { return opt(u.RestrictedBy) }, false, true},
	{"isDeleted", func(u *ent.User) any { return u.IsDeleted }, true, true},
	{"deletedDate", func(u *ent.User) any { return optTime(u.DeletedDate) }, true, true},
	{"ssoEnabled", func(u *ent.User) any { return u.SSOEnabled }, false, false},
	{"ssoProvider", func(u *ent.User) any { return opt(u.SSOProvider) }, false, false},
	{"creationIp", func(u *ent.User) any { return u.CreationIP }, false, true},
	{"customData", func(u *ent.User) any { return u.CustomData }, true, true},
	{"createdAt", func(u *ent.User) any { return jsTime(u.CreatedAt) }, true, true},
	{"updatedAt", func(u *ent.User) any { return jsTime(u.UpdatedAt) }, true, true},
}

func scopeList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// userView selects which projection to render.
type userView int

const (
	viewSelf   userView = iota // the caller's own document: everything but secrets
	viewPublic                 // UserProjection: what other users see
	viewAdmin                  // admin/client projection
)

// renderUser renders u as Liquid does. customData is parsed when hydrate is set and removed
// otherwise; hide lists fields to strip (non-follower privacy).
func renderUser(u *ent.User, view userView, hydrate bool, hide []string, baseTier string) map[string]any {
	if view == viewPublic && (u.IsBanned || u.IsDeleted) {
		// Banned and deleted users appear to other users as a stub.
		return map[string]any{"_id": u.ID, "isBanned": u.IsBanned, "isDeleted": u.IsDeleted}
	}
	m := make(map[string]any, len(userFields)+1)
	for _, f := range userFields {
		if view == viewPublic && !f.public || view == viewAdmin && !f.adminLevel {
			continue
		}
		if slices.Contains(hide, f.name) {
			continue
		}
		if v := f.get(u); v != nil {
			m[f.name] = v
		}
	}
	if view == viewSelf {
		m["globalLogoutAt"] = optTime(u.GlobalLogoutAt)
		if m["globalLogoutAt"] == nil {
			delete(m, "globalLogoutAt")
		}
	}
	if _, ok := m["customData"]; ok {
		if hydrate {
			var v any
			if json.Unmarshal([]byte(u.CustomData), &v) != nil {
				v = map[string]any{}
			}
			m["customData"] = v
		} else {
			delete(m, "customData")
		}
	}
	presentSubscription(m, u, baseTier)
	m["__v"] = 0
	return m
}

// presentSubscription shows a lapsed or base-tier subscription as the base tier, unsubscribed
// (liquid-behaviour.md §4.18).
func presentSubscription(m map[string]any, u *ent.User, baseTier string) {
	if _, ok := m["isSubscribed"]; !ok {
		return
	}
	if !accounts.SubscriptionActive(u, baseTier) {
		m["isSubscribed"] = false
		m["subscriptionTier"] = baseTier
	}
}
