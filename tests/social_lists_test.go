package tests

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

func TestSocialFollowerListsPaginate(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.Pagination.MaxLimit = 3 })
	us := socialUsers(t, s, "owner_pages", "f1_pages", "f2_pages", "f3_pages", "f4_pages", "f5_pages")
	owner, fs := us[0], us[1:]
	for _, f := range fs {
		followUser(t, s, f, owner)
	}
	ids := func(us ...*apitest.User) []string {
		out := make([]string, len(us))
		for i, u := range us {
			out[i] = u.ID
		}
		return out
	}
	page := func(kv ...string) ([]string, []map[string]any) {
		t.Helper()
		r := s.Get(t, q("/user/followers", kv...), owner.Token).Expect(t, http.StatusOK, "")
		return listedIDs(t, r, "source"), records(t, r)
	}
	first, recs := page("limit", "2")
	if !slices.Equal(first, ids(fs[4], fs[3])) {
		t.Fatalf("page 1, newest first: %v", first)
	}
	for _, rec := range recs {
		if rec["approved"] != true || rec["createdAt"] == nil || rec["_id"] == nil {
			t.Fatalf("record: %v", rec)
		}
	}
	lastID, lastCreated := recs[1]["_id"].(string), recs[1]["createdAt"].(string)
	want := ids(fs[2], fs[1])
	for name, kv := range map[string][]string{
		"by _id":               {"limit", "2", "offset", lastID},
		"by createdAt":         {"limit", "2", "offset", lastCreated},
		"by the listed user":   {"limit", "2", "offset", fs[3].ID},
		"decimal limit (2.7)":  {"limit", "2.7", "offset", lastID},
		"uppercase _id offset": {"limit", "2", "offset", strings.ToUpper(lastID)},
	} {
		if got, _ := page(kv...); !slices.Equal(got, want) {
			t.Errorf("page 2 %s: %v, want %v", name, got, want)
		}
	}
	// The record the offset names may be gone by the time the next page is asked for.
	s.Post(t, "/user/unfollow", fs[3].Token, map[string]any{"target": owner.ID}).Expect(t, http.StatusOK, "")
	if got, _ := page("limit", "2", "offset", lastID); !slices.Equal(got, want) {
		t.Errorf("page 2 after the anchor was deleted: %v, want %v", got, want)
	}
	// No limit: pagination.default-limit (10), capped at pagination.max-limit (3 here).
	if got, _ := page(); len(got) != 3 {
		t.Errorf("default limit capped at max: %d", len(got))
	}
	if got, _ := page("limit", "100000"); len(got) != 3 {
		t.Errorf("limit above max: %d", len(got))
	}
	if got, _ := page("limit", "0"); len(got) != 3 {
		t.Errorf("limit 0 is the default: %d", len(got))
	}
	if got, _ := page("offset", fs[0].ID); len(got) != 0 {
		t.Errorf("after the oldest: %v", got)
	}

	// Following lists, newest first, the same way.
	followUser(t, s, owner, fs[0])
	followUser(t, s, owner, fs[2])
	r := s.Get(t, "/user/following", owner.Token).Expect(t, http.StatusOK, "")
	if got := listedIDs(t, r, "target"); !slices.Equal(got, ids(fs[2], fs[0])) {
		t.Fatalf("following: %v", got)
	}
	r = s.Get(t, q("/user/"+fs[0].ID+"/followers"), owner.Token).Expect(t, http.StatusOK, "")
	if got := listedIDs(t, r, "source"); !slices.Equal(got, ids(owner)) {
		t.Fatalf("followers of another user: %v", got)
	}
}

func TestSocialListsPrivacyAndBlocks(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "owner_priv", "viewer_priv", "known_priv", "stranger_priv", "blocker_priv", "banned_priv")
	owner, viewer, known, stranger, blocker, banned := us[0], us[1], us[2], us[3], us[4], us[5]
	for _, f := range []*apitest.User{known, stranger, blocker, banned} {
		followUser(t, s, f, owner)
	}
	followUser(t, s, viewer, known)
	s.Post(t, "/user/block", blocker.Token, map[string]any{"target": viewer.ID}).Expect(t, http.StatusOK, "")
	ban(t, s, banned, false)

	r := s.Get(t, "/user/"+owner.ID+"/followers", viewer.Token).Expect(t, http.StatusOK, "")
	byID := map[string]map[string]any{}
	for _, rec := range records(t, r) {
		u := rec["source"].(map[string]any)
		byID[u["_id"].(string)] = u
	}
	if _, ok := byID[blocker.ID]; ok {
		t.Fatalf("a user who blocked the viewer is listed: %s", r.Raw)
	}
	if len(byID) != 3 {
		t.Fatalf("want known, stranger and banned: %s", r.Raw)
	}
	// Following never reveals private fields (issue 7: Liquid showed them to followers).
	if byID[known.ID]["email"] != nil || byID[known.ID]["username"] != known.Username {
		t.Fatalf("followed user's email shown to its follower: %v", byID[known.ID])
	}
	if byID[stranger.ID]["email"] != nil || byID[stranger.ID]["sanitizedEmail"] != nil || byID[stranger.ID]["username"] != stranger.Username {
		t.Fatalf("stranger: %v", byID[stranger.ID])
	}
	if b := byID[banned.ID]; len(b) != 3 || b["isBanned"] != true || b["isDeleted"] != false {
		t.Fatalf("banned user must be a stub: %v", b)
	}
	// The blocked viewer sees the blocker's own lists and profile refused.
	r = s.Get(t, "/user/"+blocker.ID+"/following", viewer.Token).Expect(t, http.StatusForbidden, "Blocked")
	if r.Body["additionalInfo"].(map[string]any)["reason"] != "blocked" {
		t.Fatalf("reason: %s", r.Raw)
	}
	s.Get(t, "/user/"+blocker.ID+"/followers", viewer.Token).Expect(t, http.StatusForbidden, "Blocked")
	s.Get(t, "/user/"+blocker.ID, viewer.Token).Expect(t, http.StatusForbidden, "Blocked")
	// ... while the blocker still sees the viewer.
	s.Get(t, "/user/"+viewer.ID, blocker.Token).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/"+viewer.ID+"/followers", blocker.Token).Expect(t, http.StatusOK, "")

	// A private account's lists are for its approved followers only.
	setPrivate(t, s, owner, true)
	for _, path := range []string{"/user/" + owner.ID + "/followers", "/user/" + owner.ID + "/following"} {
		r := s.Get(t, path, viewer.Token).Expect(t, http.StatusForbidden, "Forbidden")
		if r.Body["additionalInfo"].(map[string]any)["reason"] != "not_following" {
			t.Fatalf("reason: %s", r.Raw)
		}
	}
	s.Get(t, "/user/"+owner.ID+"/followers", known.Token).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/followers", owner.Token).Expect(t, http.StatusOK, "")
	if st := followUser(t, s, viewer, owner); st != "requested" {
		t.Fatalf("request: %s", st)
	}
	s.Get(t, "/user/"+owner.ID+"/followers", viewer.Token).Expect(t, http.StatusForbidden, "Forbidden")
	s.Patch(t, "/user/follow-request", owner.Token, map[string]any{"request": entryBetween(t, s, viewer, owner)}).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/"+owner.ID+"/followers", viewer.Token).Expect(t, http.StatusOK, "")
	// The approved follower sees the profile, never the owner's private fields (issue 7).
	r = s.Get(t, "/user/"+owner.ID, viewer.Token).Expect(t, http.StatusOK, "")
	if u := r.Data()["user"].(map[string]any); u["email"] != nil || u["username"] != owner.Username {
		t.Fatalf("approved follower: %s", r.Raw)
	}
	r = s.Get(t, "/user/"+known.ID, stranger.Token).Expect(t, http.StatusOK, "")
	if u := r.Data()["user"].(map[string]any); u["email"] != nil || u["sanitizedEmail"] != nil {
		t.Fatalf("non-follower sees the email: %s", r.Raw)
	}
	checkCounts(t, s)
}

func TestSocialListErrors(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "alice_lerr", "bob_lerr", "banned_lerr", "deleted_lerr")
	alice, bob, banned, deleted := us[0], us[1], us[2], us[3]
	ban(t, s, banned, false)
	ban(t, s, deleted, true)
	noScope := narrowToken(t, s, alice, "delegated:profile:all")
	cases := []apiCase{}
	for _, path := range []string{"/user/followers", "/user/following", "/user/" + bob.ID + "/followers", "/user/" + bob.ID + "/following", "/user/follow-requests"} {
		cases = append(cases,
			apiCase{name: path + "/no token", method: "GET", path: path, status: 401, code: "Unauthorized"},
			apiCase{name: path + "/scope", method: "GET", path: path, token: noScope, status: 401, code: "InsufficientPrivileges"},
			apiCase{name: path + "/bad limit", method: "GET", path: q(path, "limit", "many"), token: alice.Token, status: 400, code: "ClientInputError", field: "limit"},
			apiCase{name: path + "/negative limit", method: "GET", path: q(path, "limit", "-3"), token: alice.Token, status: 400, code: "ClientInputError", field: "limit"},
			apiCase{name: path + "/bad offset", method: "GET", path: q(path, "offset", "yesterday"), token: alice.Token, status: 400, code: "ClientInputError", field: "offset"},
			apiCase{name: path + "/banned caller", method: "GET", path: path, token: banned.Token, status: 403, code: "Banned"},
		)
	}
	cases = append(cases,
		apiCase{name: "bad user id", method: "GET", path: "/user/12345/followers", token: alice.Token, status: 400, code: "ClientInputError", field: "userId"},
		apiCase{name: "unknown user", method: "GET", path: "/user/" + unknownID + "/following", token: alice.Token, status: 404, code: "NotFound"},
		apiCase{name: "banned user", method: "GET", path: "/user/" + banned.ID + "/followers", token: alice.Token, status: 403, code: "Forbidden", reason: "banned"},
		apiCase{name: "deleted user", method: "GET", path: "/user/" + deleted.ID + "/following", token: alice.Token, status: 403, code: "Forbidden", reason: "deleted"},
		apiCase{name: "unknown list", method: "GET", path: "/user/" + bob.ID + "/friends", token: alice.Token, status: 404, code: "NotFound"},
	)
	runCases(t, s, cases)
}
