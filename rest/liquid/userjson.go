package liquid

import (
	"encoding/json"
	"slices"
	"time"

	"usergraph/ent"
	"usergraph/internal/accounts"
)

// jsTime formats t as JavaScript's Date.toISOString does: UTC, exactly three fraction digits.
func jsTime(t time.Time) string { return accounts.JSTime(t) }

func scopeList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// renderView renders what a view shows of a user, as Liquid's JSON: the fields and their
// names come from the domain's user field table (accounts.UserFields).
func (a *API) renderView(v accounts.UserView, hydrate bool) map[string]any {
	return renderUser(v.User, v.Shows, v.Stub, hydrate, a.Config.Subscription.BaseTier)
}

// renderHidden renders a listed user without the fields the social lists say the caller may
// not see; a banned or deleted user hidden from the caller is the stub.
func (a *API) renderHidden(u *ent.User, hide []string) map[string]any {
	shows := func(f *accounts.UserField) bool { return !slices.Contains(hide, f.Liquid) }
	stub := (u.IsBanned || u.IsDeleted) && len(hide) > 0
	return renderUser(u, shows, stub, a.Config.Profile.HydrateCustomDataDelegated, a.Config.Subscription.BaseTier)
}

// renderUser writes the shown fields under Liquid's names (unset fields left out, as Mongo
// leaves them out). customData is parsed when hydrate is set and removed otherwise. The stub of
// a banned or deleted user is exactly Liquid's: {_id, isBanned, isDeleted}.
func renderUser(u *ent.User, shows func(*accounts.UserField) bool, stub, hydrate bool, baseTier string) map[string]any {
	m := make(map[string]any, len(accounts.UserFields)+1)
	for i := range accounts.UserFields {
		f := &accounts.UserFields[i]
		if stub && !f.Stub || !stub && !shows(f) {
			continue
		}
		if v := f.Value(u); v != nil {
			m[f.Liquid] = v
		}
	}
	if stub {
		return m
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
