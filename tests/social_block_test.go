package tests

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"usergraph/internal/apitest"
)

func TestSocialBlock(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "alice_block", "bob_block", "carol_block", "dave_block")
	alice, bob, carol, dave := us[0], us[1], us[2], us[3]
	// Approved follows both ways between alice and bob, a pending request from carol to alice.
	followUser(t, s, alice, bob)
	followUser(t, s, bob, alice)
	followUser(t, s, dave, alice)
	setPrivate(t, s, alice, true)
	followUser(t, s, carol, alice)

	r := s.Post(t, "/user/block", alice.Token, map[string]any{"target": bob.ID}).Expect(t, http.StatusOK, "")
	if r.Data()["status"] != "blocked" {
		t.Fatalf("block: %s", r.Raw)
	}
	s.Post(t, "/user/block", alice.Token, map[string]any{"target": bob.ID}).Expect(t, http.StatusOK, "")
	s.Post(t, "/user/block", alice.Token, map[string]any{"target": carol.ID}).Expect(t, http.StatusOK, "")
	for _, u := range []*apitest.User{alice, bob} {
		if f, g := counts(t, s, u); g != 0 || (u == bob && f != 0) {
			t.Fatalf("%s: followers %d following %d", u.Username, f, g)
		}
	}
	if f, _ := counts(t, s, alice); f != 1 {
		t.Fatalf("dave's follow of alice must stay: %d", f)
	}
	r = s.Get(t, "/user/follow-requests", alice.Token).Expect(t, http.StatusOK, "")
	if len(records(t, r)) != 0 {
		t.Fatalf("a blocked user's request must go: %s", r.Raw)
	}

	// The blocked user cannot follow, see the profile or the lists of the blocker, nor find them.
	s.Post(t, "/user/follow", bob.Token, map[string]any{"target": alice.ID}).Expect(t, http.StatusForbidden, "Blocked")
	s.Get(t, "/user/"+alice.ID, bob.Token).Expect(t, http.StatusForbidden, "Blocked")
	s.Get(t, "/user/"+alice.ID+"/followers", bob.Token).Expect(t, http.StatusForbidden, "Blocked")
	r = s.Post(t, "/user/search", bob.Token, map[string]any{"query": "alice_block"}).Expect(t, http.StatusOK, "")
	if len(r.Data()["results"].([]any)) != 0 {
		t.Fatalf("blocker found by the blocked user: %s", r.Raw)
	}
	// The blocker does not find the blocked user either.
	r = s.Post(t, "/user/search", alice.Token, map[string]any{"query": "bob_block"}).Expect(t, http.StatusOK, "")
	if len(r.Data()["results"].([]any)) != 0 {
		t.Fatalf("blocked user found by the blocker: %s", r.Raw)
	}
	// The blocker may still follow the blocked user.
	if st := followUser(t, s, alice, bob); st != "following" {
		t.Fatalf("blocker follows: %s", st)
	}

	// The list of users I blocked, newest first.
	r = s.Get(t, "/user/blocked-users", alice.Token).Expect(t, http.StatusOK, "")
	if got := listedIDs(t, r, "target"); !slices.Equal(got, []string{carol.ID, bob.ID}) {
		t.Fatalf("blocked users: %s", r.Raw)
	}
	recs := records(t, r)
	if recs[0]["target"].(map[string]any)["email"] != nil {
		t.Fatalf("blocked user's email shown: %s", r.Raw)
	}
	r = s.Get(t, q("/user/blocked-users", "limit", "1", "offset", recs[0]["_id"].(string)), alice.Token).Expect(t, http.StatusOK, "")
	if got := listedIDs(t, r, "target"); !slices.Equal(got, []string{bob.ID}) {
		t.Fatalf("blocked users page 2: %s", r.Raw)
	}

	// Unblocking lifts all of it; unblocking again is fine.
	s.Post(t, "/user/unblock", alice.Token, map[string]any{"target": bob.ID}).Expect(t, http.StatusOK, "")
	r = s.Post(t, "/user/unblock", alice.Token, map[string]any{"target": bob.ID}).Expect(t, http.StatusOK, "")
	if r.Body["data"] != nil {
		t.Fatalf("unblock answers {ok:1}: %s", r.Raw)
	}
	s.Get(t, "/user/"+alice.ID, bob.Token).Expect(t, http.StatusOK, "")
	if st := followUser(t, s, bob, alice); st != "requested" {
		t.Fatalf("follow after unblock: %s", st)
	}
	n, err := s.App.DB.Block.Query().Count(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("blocks left: %d %v", n, err)
	}
	checkCounts(t, s)
}

func TestSocialBlockErrors(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "alice_berr", "bob_berr", "banned_berr")
	alice, bob, banned := us[0], us[1], us[2]
	ban(t, s, banned, false)
	readOnly := narrowToken(t, s, alice, "delegated:social:block:read", "delegated:profile:all")
	writeOnly := narrowToken(t, s, bob, "delegated:social:block:write")
	var cases []apiCase
	for _, path := range []string{"/user/block", "/user/unblock"} {
		cases = append(cases,
			apiCase{name: path + "/no token", method: "POST", path: path, body: map[string]any{"target": bob.ID}, status: 401, code: "Unauthorized"},
			apiCase{name: path + "/scope", method: "POST", path: path, token: readOnly, body: map[string]any{"target": bob.ID}, status: 401, code: "InsufficientPrivileges"},
			apiCase{name: path + "/missing target", method: "POST", path: path, token: alice.Token, body: map[string]any{}, status: 400, code: "ClientInputError", field: "target"},
			apiCase{name: path + "/bad target", method: "POST", path: path, token: alice.Token, body: map[string]any{"target": "0123"}, status: 400, code: "ClientInputError", field: "target"},
			apiCase{name: path + "/self", method: "POST", path: path, token: alice.Token, body: map[string]any{"target": alice.ID}, status: 400, code: "ClientInputError", field: "target"},
			apiCase{name: path + "/unknown", method: "POST", path: path, token: alice.Token, body: map[string]any{"target": unknownID}, status: 404, code: "NotFound"},
			apiCase{name: path + "/banned caller", method: "POST", path: path, token: banned.Token, body: map[string]any{"target": alice.ID}, status: 403, code: "Banned"},
		)
	}
	cases = append(cases,
		apiCase{name: "blocked-users/no token", method: "GET", path: "/user/blocked-users", status: 401, code: "Unauthorized"},
		apiCase{name: "blocked-users/scope", method: "GET", path: "/user/blocked-users", token: writeOnly, status: 401, code: "InsufficientPrivileges"},
		apiCase{name: "blocked-users/bad limit", method: "GET", path: q("/user/blocked-users", "limit", "x"), token: alice.Token, status: 400, code: "ClientInputError", field: "limit"},
		apiCase{name: "blocked-users/bad offset", method: "GET", path: q("/user/blocked-users", "offset", "zz"), token: alice.Token, status: 400, code: "ClientInputError", field: "offset"},
	)
	runCases(t, s, cases)
	// A banned user can still be blocked.
	s.Post(t, "/user/block", alice.Token, map[string]any{"target": banned.ID}).Expect(t, http.StatusOK, "")
	r := s.Get(t, "/user/blocked-users", alice.Token).Expect(t, http.StatusOK, "")
	if recs := records(t, r); len(recs) != 1 || recs[0]["target"].(map[string]any)["isBanned"] != true {
		t.Fatalf("banned user in the blocked list: %s", r.Raw)
	}
}
