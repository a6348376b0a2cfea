package tests

import (
	"context"
	"net/http"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

func TestSocialFollowPublicAndPrivate(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "alice_follow", "bob_public", "carol_private")
	alice, bob, carol := us[0], us[1], us[2]
	setPrivate(t, s, carol, true)

	if st := followUser(t, s, alice, bob); st != "following" {
		t.Fatalf("follow public: %s", st)
	}
	if st := followUser(t, s, alice, bob); st != "duplicate" {
		t.Fatalf("follow again: %s", st)
	}
	if f, g := counts(t, s, bob); f != 1 || g != 0 {
		t.Fatalf("bob counts %d %d", f, g)
	}
	if f, g := counts(t, s, alice); f != 0 || g != 1 {
		t.Fatalf("alice counts %d %d", f, g)
	}
	r := s.Get(t, q("/user/follow-status", "target", bob.ID), alice.Token).Expect(t, http.StatusOK, "")
	if r.Data()["following"] != true || r.Data()["requested"] != nil {
		t.Fatalf("status: %s", r.Raw)
	}
	r = s.Get(t, "/user/follow-status/"+bob.ID, alice.Token).Expect(t, http.StatusOK, "")
	if r.Data()["following"] != true {
		t.Fatalf("status by path: %s", r.Raw)
	}

	// A private account gets a request; nothing is counted until it is approved.
	if st := followUser(t, s, alice, carol); st != "requested" {
		t.Fatalf("follow private: %s", st)
	}
	if st := followUser(t, s, alice, carol); st != "duplicate" {
		t.Fatalf("request again: %s", st)
	}
	if f, _ := counts(t, s, carol); f != 0 {
		t.Fatalf("pending request counted: %d", f)
	}
	r = s.Get(t, q("/user/follow-status", "target", carol.ID), alice.Token).Expect(t, http.StatusOK, "")
	if r.Data()["following"] != false || r.Data()["requested"] != true {
		t.Fatalf("pending status: %s", r.Raw)
	}
	r = s.Get(t, "/user/follow-requests", carol.Token).Expect(t, http.StatusOK, "")
	recs := records(t, r)
	if len(recs) != 1 || recs[0]["approved"] != false || recs[0]["updatedAt"] == nil {
		t.Fatalf("requests: %s", r.Raw)
	}
	src := recs[0]["source"].(map[string]any)
	if src["_id"] != alice.ID || src["email"] != nil || src["sanitizedEmail"] != nil || src["isRestricted"] != nil || src["emailVerified"] != nil {
		t.Fatalf("request source: %s", r.Raw)
	}

	// Unfollow leaves a pending request alone, as in Liquid.
	s.Post(t, "/user/unfollow", alice.Token, map[string]any{"target": carol.ID}).Expect(t, http.StatusOK, "")
	entry := entryBetween(t, s, alice, carol)
	s.Patch(t, "/user/follow-request", carol.Token, map[string]any{"request": entry}).Expect(t, http.StatusOK, "")
	s.Patch(t, "/user/follow-request", carol.Token, map[string]any{"request": entry}).Expect(t, http.StatusOK, "")
	if f, _ := counts(t, s, carol); f != 1 {
		t.Fatalf("approving twice must count once: %d", f)
	}
	if _, g := counts(t, s, alice); g != 2 {
		t.Fatalf("alice following %d", g)
	}
	r = s.Get(t, "/user/follow-requests", carol.Token).Expect(t, http.StatusOK, "")
	if len(records(t, r)) != 0 {
		t.Fatalf("approved request still listed: %s", r.Raw)
	}

	// Unfollow ends an approved follow; unfollowing again is fine.
	s.Post(t, "/user/unfollow", alice.Token, map[string]any{"target": bob.ID}).Expect(t, http.StatusOK, "")
	r = s.Post(t, "/user/unfollow", alice.Token, map[string]any{"target": bob.ID}).Expect(t, http.StatusOK, "")
	if r.Body["data"] != nil {
		t.Fatalf("unfollow answers {ok:1}: %s", r.Raw)
	}
	if f, _ := counts(t, s, bob); f != 0 {
		t.Fatalf("bob followers %d", f)
	}
	checkCounts(t, s)
}

func TestSocialFollowEntryDelete(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "alice_entry", "bob_entry", "carol_entry")
	alice, bob, carol := us[0], us[1], us[2]

	// The target removes a follower.
	followUser(t, s, alice, bob)
	s.Do(t, apitest.Req{Method: http.MethodDelete, Path: "/user/follow-entry", Token: bob.Token,
		JSON: map[string]any{"entry": entryBetween(t, s, alice, bob)}}).Expect(t, http.StatusOK, "")
	if f, _ := counts(t, s, bob); f != 0 {
		t.Fatalf("removed follower still counted")
	}
	// The source cancels a request; the target rejects one.
	setPrivate(t, s, carol, true)
	followUser(t, s, alice, carol)
	s.Do(t, apitest.Req{Method: http.MethodDelete, Path: "/user/follow-entry", Token: alice.Token,
		JSON: map[string]any{"entry": entryBetween(t, s, alice, carol)}}).Expect(t, http.StatusOK, "")
	followUser(t, s, bob, carol)
	s.Do(t, apitest.Req{Method: http.MethodDelete, Path: "/user/follow-entry", Token: carol.Token,
		JSON: map[string]any{"entry": entryBetween(t, s, bob, carol)}}).Expect(t, http.StatusOK, "")
	r := s.Get(t, "/user/follow-requests", carol.Token).Expect(t, http.StatusOK, "")
	if len(records(t, r)) != 0 {
		t.Fatalf("requests left: %s", r.Raw)
	}
	// The source unfollows by deleting its approved entry.
	followUser(t, s, carol, bob)
	s.Do(t, apitest.Req{Method: http.MethodDelete, Path: "/user/follow-entry", Token: carol.Token,
		JSON: map[string]any{"entry": entryBetween(t, s, carol, bob)}}).Expect(t, http.StatusOK, "")
	checkCounts(t, s)
	for _, u := range us {
		if f, g := counts(t, s, u); f != 0 || g != 0 {
			t.Fatalf("%s counts %d %d", u.Username, f, g)
		}
	}
}

func TestSocialGoingPublicApprovesRequests(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "carol_public", "alice_req", "bob_req", "dave_req")
	carol := us[0]
	setPrivate(t, s, carol, true)
	for _, u := range us[1:] {
		if st := followUser(t, s, u, carol); st != "requested" {
			t.Fatalf("%s: %s", u.Username, st)
		}
	}
	// dave is also an approved follower already: going public counts only the pending ones.
	s.Patch(t, "/user/follow-request", carol.Token, map[string]any{"request": entryBetween(t, s, us[3], carol)}).Expect(t, http.StatusOK, "")
	r := setPrivate(t, s, carol, false)
	if r.Data()["acceptedCount"] != float64(2) {
		t.Fatalf("acceptedCount: %s", r.Raw)
	}
	if f, _ := counts(t, s, carol); f != 3 {
		t.Fatalf("carol followers %d", f)
	}
	r = setPrivate(t, s, carol, true)
	if r.Body["data"] != nil {
		t.Fatalf("going private answers {ok:1}: %s", r.Raw)
	}
	r = setPrivate(t, s, carol, false)
	if r.Data()["acceptedCount"] != float64(0) {
		t.Fatalf("nothing pending: %s", r.Raw)
	}
	// A new follower of the now public account follows at once.
	x := s.NewUser(t, "erin_late")
	if st := followUser(t, s, x, carol); st != "following" {
		t.Fatalf("follow after going public: %s", st)
	}
	checkCounts(t, s)
}

func TestSocialFollowErrors(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "alice_errs", "bob_errs", "carol_errs", "dave_errs", "banned_errs", "deleted_errs")
	alice, bob, carol, dave, banned, deleted := us[0], us[1], us[2], us[3], us[4], us[5]
	readOnly := narrowToken(t, s, alice, "delegated:profile:read")
	setPrivate(t, s, carol, true)
	followUser(t, s, alice, carol)
	pending := entryBetween(t, s, alice, carol)
	s.Post(t, "/user/block", bob.Token, map[string]any{"target": alice.ID}).Expect(t, http.StatusOK, "")
	ban(t, s, banned, false)
	ban(t, s, deleted, true)

	del := func(name, token string, body any, status int, code, field string) apiCase {
		return apiCase{name: name, method: http.MethodDelete, path: "/user/follow-entry", token: token, body: body, status: status, code: code, field: field}
	}
	runCases(t, s, []apiCase{
		{name: "follow/no token", method: "POST", path: "/user/follow", body: map[string]any{"target": dave.ID}, status: 401, code: "Unauthorized"},
		{name: "follow/bad token", method: "POST", path: "/user/follow", token: "nonsense", body: map[string]any{"target": dave.ID}, status: 401, code: "Unauthorized"},
		{name: "follow/scope", method: "POST", path: "/user/follow", token: readOnly, body: map[string]any{"target": dave.ID}, status: 401, code: "InsufficientPrivileges"},
		{name: "follow/missing target", method: "POST", path: "/user/follow", token: alice.Token, body: map[string]any{}, status: 400, code: "ClientInputError", field: "target"},
		{name: "follow/bad target", method: "POST", path: "/user/follow", token: alice.Token, body: map[string]any{"target": "xyz"}, status: 400, code: "ClientInputError", field: "target"},
		{name: "follow/number target", method: "POST", path: "/user/follow", token: alice.Token, body: map[string]any{"target": 12}, status: 400, code: "ClientInputError", field: "target"},
		{name: "follow/self", method: "POST", path: "/user/follow", token: alice.Token, body: map[string]any{"target": alice.ID}, status: 400, code: "ClientInputError", field: "target"},
		{name: "follow/unknown", method: "POST", path: "/user/follow", token: alice.Token, body: map[string]any{"target": unknownID}, status: 404, code: "NotFound"},
		{name: "follow/blocked", method: "POST", path: "/user/follow", token: alice.Token, body: map[string]any{"target": bob.ID}, status: 403, code: "Blocked", reason: "blocked"},
		{name: "follow/banned target", method: "POST", path: "/user/follow", token: alice.Token, body: map[string]any{"target": banned.ID}, status: 403, code: "Forbidden", reason: "banned"},
		{name: "follow/deleted target", method: "POST", path: "/user/follow", token: alice.Token, body: map[string]any{"target": deleted.ID}, status: 403, code: "Forbidden", reason: "deleted"},
		{name: "follow/banned caller", method: "POST", path: "/user/follow", token: banned.Token, body: map[string]any{"target": dave.ID}, status: 403, code: "Banned"},

		{name: "unfollow/no token", method: "POST", path: "/user/unfollow", body: map[string]any{"target": dave.ID}, status: 401, code: "Unauthorized"},
		{name: "unfollow/scope", method: "POST", path: "/user/unfollow", token: readOnly, body: map[string]any{"target": dave.ID}, status: 401, code: "InsufficientPrivileges"},
		{name: "unfollow/bad target", method: "POST", path: "/user/unfollow", token: alice.Token, body: map[string]any{"target": "nope"}, status: 400, code: "ClientInputError", field: "target"},
		{name: "unfollow/self", method: "POST", path: "/user/unfollow", token: alice.Token, body: map[string]any{"target": alice.ID}, status: 400, code: "ClientInputError", field: "target"},
		{name: "unfollow/unknown", method: "POST", path: "/user/unfollow", token: alice.Token, body: map[string]any{"target": unknownID}, status: 404, code: "NotFound"},
		{name: "unfollow/banned caller", method: "POST", path: "/user/unfollow", token: banned.Token, body: map[string]any{"target": dave.ID}, status: 403, code: "Banned"},

		{name: "status/no token", method: "GET", path: q("/user/follow-status", "target", dave.ID), status: 401, code: "Unauthorized"},
		{name: "status/scope", method: "GET", path: q("/user/follow-status", "target", dave.ID), token: narrowToken(t, s, dave, "delegated:social:follow:write"), status: 401, code: "InsufficientPrivileges"},
		{name: "status/missing target", method: "GET", path: "/user/follow-status", token: alice.Token, status: 400, code: "ClientInputError", field: "target"},
		{name: "status/self", method: "GET", path: q("/user/follow-status", "target", alice.ID), token: alice.Token, status: 400, code: "ClientInputError", field: "target"},
		{name: "status/unknown", method: "GET", path: q("/user/follow-status", "target", unknownID), token: alice.Token, status: 404, code: "NotFound"},
		{name: "status/bad path id", method: "GET", path: "/user/follow-status/12", token: alice.Token, status: 400, code: "ClientInputError", field: "userId"},
		{name: "status/unknown path id", method: "GET", path: "/user/follow-status/" + unknownID, token: alice.Token, status: 404, code: "NotFound"},
		{name: "status/self path id", method: "GET", path: "/user/follow-status/" + alice.ID, token: alice.Token, status: 400, code: "ClientInputError", field: "userId"},
		{name: "status/banned caller", method: "GET", path: q("/user/follow-status", "target", dave.ID), token: banned.Token, status: 403, code: "Banned"},

		{name: "approve/no token", method: "PATCH", path: "/user/follow-request", body: map[string]any{"request": pending}, status: 401, code: "Unauthorized"},
		{name: "approve/scope", method: "PATCH", path: "/user/follow-request", token: narrowToken(t, s, carol, "delegated:social:follow:read"), body: map[string]any{"request": pending}, status: 401, code: "InsufficientPrivileges"},
		{name: "approve/missing request", method: "PATCH", path: "/user/follow-request", token: carol.Token, body: map[string]any{}, status: 400, code: "ClientInputError", field: "request"},
		{name: "approve/bad request", method: "PATCH", path: "/user/follow-request", token: carol.Token, body: map[string]any{"request": "x"}, status: 400, code: "ClientInputError", field: "request"},
		{name: "approve/unknown", method: "PATCH", path: "/user/follow-request", token: carol.Token, body: map[string]any{"request": unknownID}, status: 404, code: "NotFound"},
		{name: "approve/someone else's", method: "PATCH", path: "/user/follow-request", token: dave.Token, body: map[string]any{"request": pending}, status: 401, code: "Unauthorized"},
		{name: "approve/own request", method: "PATCH", path: "/user/follow-request", token: alice.Token, body: map[string]any{"request": pending}, status: 401, code: "Unauthorized"},
		{name: "approve/banned caller", method: "PATCH", path: "/user/follow-request", token: banned.Token, body: map[string]any{"request": pending}, status: 403, code: "Banned"},

		del("entry/no token", "", map[string]any{"entry": pending}, 401, "Unauthorized", ""),
		del("entry/scope", readOnly, map[string]any{"entry": pending}, 401, "InsufficientPrivileges", ""),
		del("entry/missing", alice.Token, map[string]any{}, 400, "ClientInputError", "entry"),
		del("entry/bad", alice.Token, map[string]any{"entry": 5}, 400, "ClientInputError", "entry"),
		del("entry/unknown", alice.Token, map[string]any{"entry": unknownID}, 404, "NotFound", ""),
		del("entry/someone else's", dave.Token, map[string]any{"entry": pending}, 401, "Unauthorized", ""),
		del("entry/banned caller", banned.Token, map[string]any{"entry": pending}, 403, "Banned", ""),
	})
	// Nothing above changed the graph.
	if n, err := s.App.DB.Follow.Query().Count(context.Background()); err != nil || n != 1 {
		t.Fatalf("follow entries: %d %v", n, err)
	}
	checkCounts(t, s)
}

func TestSocialFollowAPIsSwitchedOff(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.Privilege.CanUseFollowAPIs = false })
	us := socialUsers(t, s, "alice_off", "bob_off")
	s.Post(t, "/user/follow", us[0].Token, map[string]any{"target": us[1].ID}).Expect(t, http.StatusNotFound, "NotFound")
	s.Get(t, "/user/followers", us[0].Token).Expect(t, http.StatusNotFound, "NotFound")
}

// An unverified account replaced by a new sign-up leaves the graph first: whoever followed it
// stops counting it.
func TestSocialReplacedAccountLeavesTheGraph(t *testing.T) {
	s := apitest.New(t)
	alice := s.NewUser(t, "alice_replace")
	body := map[string]any{"username": "ghost_user", "password": "correct-horse-1", "email": "ghost@example.com", "firstName": "G", "lastName": "U"}
	r := s.Post(t, "/user/create", "", body).Expect(t, http.StatusCreated, "")
	ghost := &apitest.User{ID: r.Data()["user"].(map[string]any)["_id"].(string)}
	if st := followUser(t, s, alice, ghost); st != "following" {
		t.Fatalf("follow: %s", st)
	}
	s.Post(t, "/user/block", alice.Token, map[string]any{"target": ghost.ID}).Expect(t, http.StatusOK, "")
	followUser(t, s, alice, ghost)
	s.Post(t, "/user/create", "", body).Expect(t, http.StatusCreated, "")
	if _, g := counts(t, s, alice); g != 0 {
		t.Fatalf("alice still counts the replaced account: %d", g)
	}
	if n, _ := s.App.DB.Block.Query().Count(context.Background()); n != 0 {
		t.Fatalf("blocks of the replaced account: %d", n)
	}
	checkCounts(t, s)
}
