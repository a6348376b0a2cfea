package tests

import (
	"testing"
)

// The admin and client social operations in GraphQL name their GraphQL arguments and the rule
// each broke, and a malformed cursor in any social connection is a client error
// (BAD_USER_INPUT), never an internal one.
func TestSocialGraphQLRulesAndCursors(t *testing.T) {
	f := newSvcFixture(t)
	s, alice, bob := f.s, f.alice, f.bob
	followUser(t, s, alice, bob)
	rules := []struct {
		name, token, query string
		vars               map[string]any
		path, rule         string
	}{
		{"adminBlockStatus source", f.svc.Token, `query($s: ID!, $t: ID!) { adminBlockStatus(sourceId: $s, targetId: $t) }`,
			map[string]any{"s": "nope", "t": bob.ID}, "sourceId", "id"},
		{"adminBlockStatus target", f.svc.Token, `query($s: ID!, $t: ID!) { adminBlockStatus(sourceId: $s, targetId: $t) }`,
			map[string]any{"s": alice.ID, "t": "nope"}, "targetId", "id"},
		{"adminFollowStatus", f.svc.Token, `query($s: ID!, $t: ID!) { adminFollowStatus(sourceId: $s, targetId: $t) }`,
			map[string]any{"s": alice.ID, "t": "0123"}, "targetId", "id"},
		{"adminFollowers", f.svc.Token, `query($id: ID!) { adminFollowers(userId: $id) { totalCount } }`,
			map[string]any{"id": "x"}, "userId", "id"},
		{"adminFollowing", f.svc.Token, `query($id: ID!) { adminFollowing(userId: $id) { totalCount } }`,
			map[string]any{"id": "x"}, "userId", "id"},
		{"adminInviteCodes", f.admin.Token, `query($id: ID!) { adminInviteCodes(userId: $id) { code } }`,
			map[string]any{"id": "x"}, "userId", "id"},
		{"adminGenerateInviteCodes user", f.svc.Token, `mutation($id: ID!) { adminGenerateInviteCodes(userId: $id) { code } }`,
			map[string]any{"id": "x"}, "userId", "id"},
		{"adminGenerateInviteCodes count", f.svc.Token, `mutation($id: ID!, $n: Int) { adminGenerateInviteCodes(userId: $id, count: $n) { code } }`,
			map[string]any{"id": alice.ID, "n": -1}, "count", "count"},
		{"adminSearchUsers filter", f.admin.Token, `query($q: JSON!) { adminSearchUsers(query: $q) { totalCount } }`,
			map[string]any{"q": map[string]any{"password": "x"}}, "query", "searchFilter"},
		{"adminSearchUsers not text nor object", f.admin.Token, `query($q: JSON!) { adminSearchUsers(query: $q) { totalCount } }`,
			map[string]any{"q": []any{"a"}}, "query", "searchFilter"},
		{"adminSearchUsers text", f.admin.Token, `query($q: JSON!) { adminSearchUsers(query: $q) { totalCount } }`,
			map[string]any{"q": "   "}, "query", "searchText"},
	}
	for _, c := range rules {
		t.Run(c.name, func(t *testing.T) {
			expectGQLRule(t, s.GraphQL(t, c.token, c.query, c.vars), c.path, c.rule)
		})
	}

	cursors := []struct{ name, token, query string }{
		{"me following", alice.Token, `query($c: Cursor) { me { following(after: $c) { totalCount } } }`},
		{"user followers", alice.Token, `query($c: Cursor) { user(id: "` + bob.ID + `") { followers(before: $c, last: 1) { totalCount } } }`},
		{"followRequests", alice.Token, `query($c: Cursor) { followRequests(after: $c) { totalCount } }`},
		{"blockedUsers", alice.Token, `query($c: Cursor) { blockedUsers(after: $c) { totalCount } }`},
		{"searchUsers", alice.Token, `query($c: Cursor) { searchUsers(query: "bob", after: $c) { totalCount } }`},
		{"adminFollowers", f.svc.Token, `query($c: Cursor) { adminFollowers(userId: "` + bob.ID + `", after: $c) { totalCount } }`},
		{"adminSearchUsers", f.admin.Token, `query($c: Cursor) { adminSearchUsers(query: "bob", after: $c) { totalCount } }`},
	}
	for _, c := range cursors {
		for _, bad := range []string{"not a cursor", "eyJ4IjoxfQ", "%%%", ""} {
			t.Run(c.name+"/"+bad, func(t *testing.T) {
				expectGQL(t, s.GraphQL(t, c.token, c.query, map[string]any{"c": bad}), "BAD_USER_INPUT")
			})
		}
	}
}
