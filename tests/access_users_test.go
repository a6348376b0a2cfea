package tests

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// Ban: admins and clients with the scope ban users below their rank; a ban ends the user's
// sessions at once; a banned caller is refused with 403 Banned.
func TestBanAndRestrict(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	mod := s.NewAdmin(t, "moderator", "admin", "admin:profile:ban:write", "admin:profile:restrict:write", "admin:profile:read")
	victim := s.NewUser(t, "victim_user")
	client := s.NewClient(t, "ban-service", "internal_client", "client:profile:ban:write", "client:profile:restrict:write")
	plain := s.NewUser(t, "plain_user")

	ban := func(token, api string, body any) *apitest.Response {
		return s.Post(t, "/user/"+api+"/ban", token, body)
	}
	target := map[string]any{"target": victim.ID, "state": true, "reason": "spamming everyone"}

	ban("", "admin-api", target).Expect(t, http.StatusUnauthorized, "Unauthorized")
	ban(plain.Token, "admin-api", target).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	ban(plain.Token, "client-api", target).Expect(t, http.StatusUnauthorized, "Unauthorized")
	ban(mod.Token, "client-api", target).Expect(t, http.StatusUnauthorized, "Unauthorized")
	expectField(t, ban(mod.Token, "admin-api", map[string]any{"target": victim.ID, "state": true, "reason": "short"}), "reason")
	expectField(t, ban(mod.Token, "admin-api", map[string]any{"state": true}), "target")
	expectField(t, ban(mod.Token, "admin-api", map[string]any{"target": victim.ID, "state": "yes"}), "state")
	ban(mod.Token, "admin-api", map[string]any{"target": unknownID, "state": true}).Expect(t, http.StatusNotFound, "NotFound")
	// An admin does not outrank a super_admin.
	ban(mod.Token, "admin-api", map[string]any{"target": root.ID, "state": true}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	ban(mod.Token, "admin-api", target).Expect(t, http.StatusOK, "")
	// The ban ended the victim's sessions, and the victim cannot log in again.
	s.Get(t, "/user/me", victim.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	s.Post(t, "/user/login", "", map[string]any{"username": victim.Username, "password": victim.Password, "userAgent": "t"}).
		Expect(t, http.StatusForbidden, "Banned")
	// A token of a banned user (had one been issued) is refused with 403 Banned, on the admin
	// API too.
	s.Get(t, "/user/admin-api/list", s.UserToken(t, victim.ID, "admin:all")).Expect(t, http.StatusForbidden, "Banned")

	doc := s.Post(t, "/user/admin-api/retrieve-user-info", mod.Token, map[string]any{"targets": []string{victim.ID}}).
		Expect(t, http.StatusOK, "").Data()["users"].([]any)[0].(map[string]any)
	if doc["isBanned"] != true || doc["bannedReason"] != "spamming everyone" || doc["bannedBy"] != mod.ID || doc["bannedDate"] == nil {
		t.Fatalf("banned user: %v", doc)
	}

	// The client API: client tokens only, with the client: scope; bannedBy is the client's _id.
	ban(client.Token, "client-api", map[string]any{"target": victim.ID, "state": false}).Expect(t, http.StatusOK, "")
	u, _ := s.App.DB.User.Get(t.Context(), victim.ID)
	if u.IsBanned || u.BannedBy == nil || *u.BannedBy != client.ID || u.BannedReason != nil {
		t.Fatalf("unbanned user: banned=%v by=%v reason=%v", u.IsBanned, u.BannedBy, u.BannedReason)
	}
	weak := s.ClientToken(t, client.ClientID, "client:profile:restrict:write")
	ban(weak, "client-api", target).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	// internal_client (rank 2) does not outrank a super_admin either.
	ban(client.Token, "client-api", map[string]any{"target": root.ID, "state": true}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	// Restrict: the same rules, and no effect on the user's sessions.
	restrict := map[string]any{"target": plain.ID, "state": true, "reason": "shadow banned"}
	s.Post(t, "/user/admin-api/restrict", mod.Token, restrict).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/me", plain.Token).Expect(t, http.StatusOK, "")
	u, _ = s.App.DB.User.Get(t.Context(), plain.ID)
	if !u.IsRestricted || *u.RestrictedReason != "shadow banned" || *u.RestrictedBy != mod.ID {
		t.Fatalf("restricted: %v %v %v", u.IsRestricted, u.RestrictedReason, u.RestrictedBy)
	}
	s.Post(t, "/user/client-api/restrict", client.Token, map[string]any{"target": plain.ID, "state": false}).Expect(t, http.StatusOK, "")
	s.Post(t, "/user/admin-api/restrict", plain.Token, restrict).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	s.Post(t, "/user/admin-api/restrict", mod.Token, map[string]any{"target": root.ID, "state": true}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	expectField(t, s.Post(t, "/user/admin-api/restrict", mod.Token, map[string]any{"target": "nope", "state": true}), "target")
}

// Verify (the blue check) is admin-only and uses the session check.
func TestVerify(t *testing.T) {
	s := apitest.New(t)
	admin := s.NewAdmin(t, "verifier", "admin", "admin:profile:verifications:write")
	other := s.NewAdmin(t, "other_admin", "admin", "admin:profile:ban:write")
	u := s.NewUser(t, "bluecheck")
	s.Post(t, "/user/admin-api/verify", other.Token, map[string]any{"target": u.ID, "state": true}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	expectField(t, s.Post(t, "/user/admin-api/verify", admin.Token, map[string]any{"target": u.ID}), "state")
	s.Post(t, "/user/admin-api/verify", admin.Token, map[string]any{"target": unknownID, "state": true}).Expect(t, http.StatusNotFound, "NotFound")
	expectField(t, s.Post(t, "/user/admin-api/verify", admin.Token, map[string]any{"target": "nope", "state": true}), "target")
	s.Post(t, "/user/admin-api/verify", admin.Token, map[string]any{"target": u.ID, "state": true}).Expect(t, http.StatusOK, "")
	me := userDoc(s.Get(t, "/user/me", u.Token).Expect(t, http.StatusOK, ""))
	if me["verified"] != true || me["verifiedDate"] == nil || me["verifiedBy"] != admin.ID {
		t.Fatalf("verified: %v", me)
	}
	// The client API has no verify.
	c := s.NewClient(t, "verify-client", "internal_client", "*")
	s.Post(t, "/user/client-api/verify", c.Token, map[string]any{"target": u.ID, "state": true}).Expect(t, http.StatusNotFound, "NotFound")
}

// Custom data is replaced whole; objects, arrays, null and booleans are accepted, anything
// else or anything too big is a 400 naming customData.
func TestCustomData(t *testing.T) {
	s := apitest.New(t)
	admin := s.NewAdmin(t, "data_admin", "admin", "admin:profile:custom-data:write", "admin:profile:read")
	c := s.NewClient(t, "data-client", "external_client", "client:profile:custom-data:write", "client:profile:read")
	u := s.NewUser(t, "data_owner")
	put := func(token, api string, data any) *apitest.Response {
		return s.Put(t, "/user/"+api+"/custom-data", token, map[string]any{"target": u.ID, "customData": data})
	}
	read := func() any {
		r := s.Post(t, "/user/client-api/retrieve-user-info", c.Token, map[string]any{"targets": []string{u.ID}}).Expect(t, http.StatusOK, "")
		return r.Data()["users"].([]any)[0].(map[string]any)["customData"]
	}
	put(admin.Token, "admin-api", map[string]any{"theme": "dark", "nested": map[string]any{"n": 1}}).Expect(t, http.StatusOK, "")
	if got := fmt.Sprint(read()); got != "map[nested:map[n:1] theme:dark]" {
		t.Fatalf("custom data: %s", got)
	}
	put(c.Token, "client-api", map[string]any{"only": true}).Expect(t, http.StatusOK, "")
	if got := fmt.Sprint(read()); got != "map[only:true]" {
		t.Fatalf("not replaced whole: %s", got)
	}
	put(admin.Token, "admin-api", []any{1, "two"}).Expect(t, http.StatusOK, "")
	if got := fmt.Sprint(read()); got != "[1 two]" {
		t.Fatalf("array: %s", got)
	}
	put(admin.Token, "admin-api", nil).Expect(t, http.StatusOK, "")
	if read() != nil {
		t.Fatal("null was not stored")
	}
	put(admin.Token, "admin-api", true).Expect(t, http.StatusOK, "")
	if read() != true {
		t.Fatal("true was not stored")
	}
	expectField(t, put(admin.Token, "admin-api", "a string"), "customData")
	expectField(t, put(admin.Token, "admin-api", 42), "customData")
	expectField(t, put(admin.Token, "admin-api", map[string]any{"big": strings.Repeat("x", 17<<10)}), "customData")
	expectField(t, s.Put(t, "/user/admin-api/custom-data", admin.Token, map[string]any{"target": u.ID}), "customData")
	put(u.Token, "admin-api", map[string]any{}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	put(admin.Token, "client-api", map[string]any{}).Expect(t, http.StatusUnauthorized, "Unauthorized")
	s.Put(t, "/user/admin-api/custom-data", admin.Token, map[string]any{"target": unknownID, "customData": nil}).Expect(t, http.StatusNotFound, "NotFound")
}

// Subscriptions: tiers from the configuration; an expired subscription reads as the base tier.
func TestSubscriptions(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.Subscription.Tiers = []string{"basic", "premium", "gold"} })
	admin := s.NewAdmin(t, "billing_admin", "admin", "admin:profile:subscriptions:write", "admin:profile:read", "admin:configuration:read")
	c := s.NewClient(t, "billing-service", "internal_client")
	u := s.NewUser(t, "subscriber")
	read := func() map[string]any {
		r := s.Post(t, "/user/admin-api/retrieve-user-info", admin.Token, map[string]any{"targets": []string{u.ID}}).Expect(t, http.StatusOK, "")
		return r.Data()["users"].([]any)[0].(map[string]any)
	}
	future := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	sub := func(token, api string, body map[string]any) *apitest.Response {
		body["target"] = u.ID
		return s.Post(t, "/user/"+api+"/subscription", token, body)
	}
	sub(admin.Token, "admin-api", map[string]any{"state": true, "tier": "premium", "expiry": future, "subscriptionIdentifier": 12345}).Expect(t, http.StatusOK, "")
	doc := read()
	if doc["isSubscribed"] != true || doc["subscriptionTier"] != "premium" || doc["subscriptionIdentifier"] != "12345" {
		t.Fatalf("subscribed: %v", doc)
	}
	expectField(t, sub(admin.Token, "admin-api", map[string]any{"state": true, "tier": "premium"}), "expiry")
	expectField(t, sub(admin.Token, "admin-api", map[string]any{"state": true, "tier": "platinum", "expiry": future}), "tier")
	expectField(t, sub(admin.Token, "admin-api", map[string]any{"state": true, "tier": "gold", "expiry": "next week"}), "expiry")
	// internal_client has client:all through its role.
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	sub(c.Token, "client-api", map[string]any{"state": true, "tier": "gold", "expiry": past}).Expect(t, http.StatusOK, "")
	if doc := read(); doc["isSubscribed"] != false || doc["subscriptionTier"] != "basic" {
		t.Fatalf("an expired subscription must read as the base tier: %v", doc)
	}

	cancel := map[string]any{"target": u.ID, "cancelled": true}
	s.Post(t, "/user/admin-api/subscription-cancel", admin.Token, cancel).Expect(t, http.StatusOK, "")
	if doc := read(); doc["subscriptionCancelled"] != true || doc["subscriptionCancelledAt"] == nil {
		t.Fatalf("cancelled: %v", doc)
	}
	expectField(t, s.Post(t, "/user/client-api/subscription-cancel", c.Token, map[string]any{"target": u.ID}), "cancelled")
	// Bad and unknown targets, and a user token on the client API.
	for _, op := range []struct{ path, flag string }{{"subscription", "state"}, {"subscription-cancel", "cancelled"}} {
		expectField(t, s.Post(t, "/user/admin-api/"+op.path, admin.Token, map[string]any{"target": "nope", op.flag: false}), "target")
		expectField(t, s.Post(t, "/user/admin-api/"+op.path, admin.Token, map[string]any{op.flag: false}), "target")
		s.Post(t, "/user/admin-api/"+op.path, admin.Token, map[string]any{"target": unknownID, op.flag: false}).Expect(t, http.StatusNotFound, "NotFound")
		s.Post(t, "/user/client-api/"+op.path, admin.Token, map[string]any{"target": u.ID, op.flag: false}).Expect(t, http.StatusUnauthorized, "Unauthorized")
	}
	s.Post(t, "/user/admin-api/subscription-cancel", u.Token, cancel).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	r := s.Get(t, "/user/admin-api/subscription-tiers", admin.Token).Expect(t, http.StatusOK, "")
	if got := fmt.Sprint(r.Data()["subscriptionTiers"]); got != "[map[isBaseTier:true name:basic] map[isBaseTier:false name:premium] map[isBaseTier:false name:gold]]" {
		t.Fatalf("tiers: %s", got)
	}
	s.Get(t, "/user/admin-api/subscription-tiers", u.Token).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	s.Get(t, "/user/client-api/subscription-tiers", c.Token).Expect(t, http.StatusNotFound, "NotFound")
}

// Admin update: editable fields, sensitivity scopes, validation, the rank rule, the updated
// user in the answer.
func TestAdminUpdate(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	low := s.NewAdmin(t, "low_editor", "admin", "admin:profile:write", "admin:profile:sensitive:low:write", "admin:configuration:read")
	high := s.NewAdmin(t, "high_editor", "admin", "admin:profile:write", "admin:profile:sensitive:write", "admin:configuration:read")
	peer := s.NewAdmin(t, "peer_admin", "admin")
	u := s.NewUser(t, "edited_user")
	update := func(token string, body map[string]any) *apitest.Response {
		return s.Patch(t, "/user/admin-api/update", token, body)
	}

	r := update(low.Token, map[string]any{"target": u.ID, "firstName": "Renamed", "bio": "__unset__"}).Expect(t, http.StatusOK, "")
	if userDoc(r)["firstName"] != "Renamed" {
		t.Fatalf("update answers with the updated user: %s", r.Raw)
	}
	// email is "medium": the low editor may not change it.
	r = update(low.Token, map[string]any{"target": u.ID, "email": "new@example.com"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	if r.Body["additionalInfo"].(map[string]any)["field"] != "email" {
		t.Fatalf("sensitivity failure names the field: %s", r.Raw)
	}
	// credits are not editable through update at all.
	update(high.Token, map[string]any{"target": u.ID, "credits": 5}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	expectField(t, update(low.Token, map[string]any{"target": u.ID, "firstName": "has space"}), "firstName")
	expectField(t, update(low.Token, map[string]any{"firstName": "Fine"}), "target")
	update(low.Token, map[string]any{"target": unknownID, "firstName": "Fine"}).Expect(t, http.StatusNotFound, "NotFound")
	update(u.Token, map[string]any{"target": u.ID, "firstName": "Self"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	// Roles: the new role must exist and be outranked by the caller.
	expectField(t, update(high.Token, map[string]any{"target": u.ID, "role": "no_such_role"}), "role")
	update(high.Token, map[string]any{"target": u.ID, "role": "super_admin"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	update(high.Token, map[string]any{"target": root.ID, "firstName": "Hacked"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	r = update(high.Token, map[string]any{"target": u.ID, "role": "admin", "email": "Edited.User@Example.com", "username": "edited_user_2"}).Expect(t, http.StatusOK, "")
	if d := userDoc(r); d["role"] != "admin" || d["email"] != "Edited.User@Example.com" || d["username"] != "edited_user_2" {
		t.Fatalf("updated: %v", d)
	}
	// Peers may edit peers by default.
	update(high.Token, map[string]any{"target": peer.ID, "lastName": "Peer"}).Expect(t, http.StatusOK, "")
	update(high.Token, map[string]any{"target": peer.ID, "username": low.Username}).Expect(t, http.StatusConflict, "ResourceConflict")
	// A super_admin may do anything, including the extreme isDeleted.
	update(root.Token, map[string]any{"target": peer.ID, "isDeleted": true}).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/me", peer.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	// A new password ends the user's sessions.
	pw := s.NewUser(t, "password_user")
	update(high.Token, map[string]any{"target": pw.ID, "password": "a-brand-new-password"}).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/me", pw.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	s.Tokens(t, pw.Username, "a-brand-new-password")

	fields := func(token string) string {
		return fmt.Sprint(s.Get(t, "/user/admin-api/editable-fields", token).Expect(t, http.StatusOK, "").Data()["editableFields"])
	}
	if got := fields(low.Token); got != "[firstName lastName middleName bio pronouns customLink organization designation gender preferredLanguage]" {
		t.Fatalf("low editor's fields: %s", got)
	}
	if got := fields(high.Token); got != "[username email password isDeleted role firstName lastName middleName bio pronouns customLink organization designation gender preferredLanguage country]" {
		t.Fatalf("high editor's fields: %s", got)
	}
	s.Get(t, "/user/admin-api/editable-fields", u.Token).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	// The client API uses the client-api list and client: scopes.
	c := s.NewClient(t, "profile-editor", "internal_client")
	r = s.Patch(t, "/user/client-api/update", c.Token, map[string]any{"target": u.ID, "firstName": "Client"}).Expect(t, http.StatusOK, "")
	if userDoc(r)["firstName"] != "Client" {
		t.Fatalf("client update: %s", r.Raw)
	}
	s.Patch(t, "/user/client-api/update", high.Token, map[string]any{"target": u.ID, "firstName": "X"}).Expect(t, http.StatusUnauthorized, "Unauthorized")
}

// Bulk create: an array body, all or nothing, 201 {insertedCount}; taken names are a 400
// listing the existing users; roles follow the rank rule.
func TestBulkCreate(t *testing.T) {
	s := apitest.New(t)
	admin := s.NewAdmin(t, "creator_admin", "admin", "admin:profile:create:write")
	existing := s.NewUser(t, "existing_user")
	rec := func(name string) map[string]any {
		return map[string]any{"username": name, "password": "long-enough-1", "email": name + "@example.com", "firstName": "Bulk", "lastName": "User"}
	}
	r := s.Post(t, "/user/admin-api/create", admin.Token, []any{rec("bulk_one"), rec("bulk_two")}).Expect(t, http.StatusCreated, "")
	if r.Data()["insertedCount"] != float64(2) || r.Body["insertedCount"] != float64(2) {
		t.Fatalf("insertedCount: %s", r.Raw)
	}
	s.Tokens(t, "bulk_one", "long-enough-1")

	r = s.Post(t, "/user/admin-api/create", admin.Token, []any{rec("bulk_three"), rec(existing.Username)}).Expect(t, http.StatusBadRequest, "ClientInputError")
	ex := r.Body["additionalInfo"].(map[string]any)["existingUsers"].([]any)
	if len(ex) != 1 || ex[0].(map[string]any)["_id"] != existing.ID {
		t.Fatalf("existingUsers: %s", r.Raw)
	}
	if n, _ := s.App.DB.User.Query().Count(t.Context()); n != 4 {
		t.Fatalf("a failed bulk create must insert nothing: %d users", n)
	}
	bad := rec("bulk_four")
	bad["email"] = "not-an-email"
	expectField(t, s.Post(t, "/user/admin-api/create", admin.Token, []any{rec("bulk_five"), bad}), "[1].email")
	expectField(t, s.Post(t, "/user/admin-api/create", admin.Token, []any{rec("bulk_six"), rec("bulk_six")}), "[1].username")
	withRole := rec("bulk_seven")
	withRole["role"] = "no_such_role"
	expectField(t, s.Post(t, "/user/admin-api/create", admin.Token, []any{withRole}), "[0].role")
	withRole["role"] = "super_admin"
	s.Post(t, "/user/admin-api/create", admin.Token, []any{withRole}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	withRole["role"] = "admin" // a peer role is allowed (can-edit-peer-data)
	s.Post(t, "/user/admin-api/create", admin.Token, []any{withRole}).Expect(t, http.StatusCreated, "")
	expectField(t, s.Post(t, "/user/admin-api/create", admin.Token, map[string]any{"username": "x"}), "")
	s.Post(t, "/user/admin-api/create", existing.Token, []any{rec("bulk_eight")}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	c := s.NewClient(t, "signup-service", "external_client", "client:profile:create:write")
	s.Post(t, "/user/client-api/create", c.Token, []any{rec("bulk_nine")}).Expect(t, http.StatusCreated, "")
	// external_client (rank 100) may not create admins (rank 2).
	withRole = rec("bulk_ten")
	withRole["role"] = "admin"
	s.Post(t, "/user/client-api/create", c.Token, []any{withRole}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
}

// List: _id keyset pagination and totalUsers; retrieve-user-info: by id or email, bounded.
func TestListAndRetrieve(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.GetUserMaxItems = 3 })
	admin := s.NewAdmin(t, "list_admin", "admin", "admin:profile:read")
	var ids []string
	for i := range 4 {
		ids = append(ids, s.SignUp(t, fmt.Sprintf("listed_%d", i)).ID)
	}
	page := func(q string) []any {
		r := s.Get(t, "/user/admin-api/list"+q, admin.Token).Expect(t, http.StatusOK, "")
		if r.Data()["totalUsers"] != float64(5) {
			t.Fatalf("totalUsers: %s", r.Raw)
		}
		return r.Data()["users"].([]any)
	}
	first := page("?limit=2")
	if len(first) != 2 || first[0].(map[string]any)["_id"] != admin.ID || first[1].(map[string]any)["_id"] != ids[0] {
		t.Fatalf("first page: %v", first)
	}
	if first[0].(map[string]any)["scope"] == nil || first[0].(map[string]any)["password"] != nil {
		t.Fatalf("admin projection: %v", first[0])
	}
	second := page("?limit=2&offset=" + ids[0])
	if len(second) != 2 || second[0].(map[string]any)["_id"] != ids[1] || second[1].(map[string]any)["_id"] != ids[2] {
		t.Fatalf("second page: %v", second)
	}
	if last := page("?limit=2&offset=" + ids[2]); len(last) != 1 {
		t.Fatalf("last page: %v", last)
	}
	expectField(t, s.Get(t, "/user/admin-api/list?offset=xyz", admin.Token), "offset")
	expectField(t, s.Get(t, "/user/admin-api/list?limit=-1", admin.Token), "limit")

	retrieve := func(body map[string]any) *apitest.Response {
		return s.Post(t, "/user/admin-api/retrieve-user-info", admin.Token, body)
	}
	r := retrieve(map[string]any{"targets": []string{ids[1], ids[3]}}).Expect(t, http.StatusOK, "")
	if us := r.Data()["users"].([]any); len(us) != 2 || us[0].(map[string]any)["username"] != "listed_1" {
		t.Fatalf("retrieve: %s", r.Raw)
	}
	r = retrieve(map[string]any{"targets": []string{"LISTED_2@example.com"}, "field": "email"}).Expect(t, http.StatusOK, "")
	if us := r.Data()["users"].([]any); len(us) != 1 || us[0].(map[string]any)["_id"] != ids[2] {
		t.Fatalf("retrieve by email: %s", r.Raw)
	}
	expectField(t, retrieve(map[string]any{"targets": ids}), "targets")
	expectField(t, retrieve(map[string]any{"targets": []string{"not-an-id"}}), "targets")
	expectField(t, retrieve(map[string]any{"targets": "x"}), "targets")
	expectField(t, retrieve(map[string]any{"targets": []string{ids[0]}, "field": "username"}), "field")
	r = s.Get(t, "/user/admin-api/user-info?targets="+ids[0]+","+ids[1], admin.Token).Expect(t, http.StatusOK, "")
	if len(r.Data()["users"].([]any)) != 2 {
		t.Fatalf("user-info: %s", r.Raw)
	}

	c := s.NewClient(t, "directory-service", "external_client", "client:profile:read")
	s.Get(t, "/user/client-api/list?limit=1", c.Token).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/client-api/list", admin.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	s.Get(t, "/user/admin-api/list", s.ClientToken(t, c.ClientID)).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
}

// Login history records every attempt; it reads newest first, and offset pages to older
// records (Liquid returned newer ones).
func TestLoginHistory(t *testing.T) {
	s := apitest.New(t)
	u := s.NewUser(t, "history_user")
	s.Post(t, "/user/login", "", map[string]any{"username": u.Username, "password": "wrong-password", "userAgent": "agent-2"}).Expect(t, http.StatusUnauthorized, "Unauthorized")
	time.Sleep(5 * time.Millisecond)
	s.Post(t, "/user/login", "", map[string]any{"username": u.Username, "password": u.Password, "userAgent": "agent-3"}).Expect(t, http.StatusOK, "")

	r := s.Get(t, "/user/login-history", u.Token).Expect(t, http.StatusOK, "")
	recs := r.Data()["records"].([]any)
	if len(recs) != 3 {
		t.Fatalf("records: %s", r.Raw)
	}
	newest := recs[0].(map[string]any)
	if newest["userAgent"] != "agent-3" || newest["success"] != true || newest["targetId"] != u.ID || newest["source"] != "password" {
		t.Fatalf("newest: %v", newest)
	}
	if failed := recs[1].(map[string]any); failed["success"] != false || failed["reason"] != "password_rejected" {
		t.Fatalf("failed attempt: %v", failed)
	}
	older := s.Get(t, "/user/login-history?limit=5&offset="+newest["createdAt"].(string), u.Token).Expect(t, http.StatusOK, "").Data()["records"].([]any)
	if len(older) != 2 || older[0].(map[string]any)["userAgent"] != "agent-2" {
		t.Fatalf("offset must page to older records: %v", older)
	}
	byID := s.Get(t, "/user/login-history?limit=1&offset="+recs[1].(map[string]any)["_id"].(string), u.Token).Expect(t, http.StatusOK, "").Data()["records"].([]any)
	if len(byID) != 1 || byID[0].(map[string]any)["_id"] != recs[2].(map[string]any)["_id"] {
		t.Fatalf("offset by _id: %v", byID)
	}
	expectField(t, s.Get(t, "/user/login-history?offset=yesterday", u.Token), "offset")
	s.Get(t, "/user/login-history", s.UserToken(t, u.ID, "delegated:profile:read")).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	admin := s.NewAdmin(t, "history_admin", "admin", "admin:profile:login-history:read")
	if recs := s.Get(t, "/user/admin-api/login-history?target="+u.ID, admin.Token).Expect(t, http.StatusOK, "").Data()["records"].([]any); len(recs) != 3 {
		t.Fatalf("admin read: %v", recs)
	}
	expectField(t, s.Get(t, "/user/admin-api/login-history", admin.Token), "target")
	s.Get(t, "/user/admin-api/login-history?target="+unknownID, admin.Token).Expect(t, http.StatusNotFound, "NotFound")
	c := s.NewClient(t, "audit-service", "internal_client")
	s.Get(t, "/user/client-api/login-history?target="+u.ID+"&limit=1", c.Token).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/admin-api/login-history?target="+u.ID, u.Token).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
}
