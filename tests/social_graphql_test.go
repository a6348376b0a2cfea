package tests

import (
	"net/http"
	"slices"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// gql runs a GraphQL operation and fails on errors; it returns data.
func gql(t *testing.T, s *apitest.Server, token, query string, vars map[string]any) map[string]any {
	t.Helper()
	r := s.GraphQL(t, token, query, vars)
	if r.Status != http.StatusOK || r.Body["errors"] != nil {
		t.Fatalf("graphql: %d %s", r.Status, r.Raw)
	}
	return r.Data()
}

// socialGQLErr runs a GraphQL operation that must fail with code.
func socialGQLErr(t *testing.T, s *apitest.Server, token, query string, vars map[string]any, code string) *apitest.Response {
	t.Helper()
	r := s.GraphQL(t, token, query, vars)
	if got := r.GQLError(); got != gqlCode(code) {
		t.Fatalf("want %s, got %q: %s", gqlCode(code), got, r.Raw)
	}
	return r
}

func path(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, _ := cur.(map[string]any)
		cur = mm[k]
	}
	return cur
}

func nodes(conn any) []map[string]any {
	edges, _ := conn.(map[string]any)["edges"].([]any)
	out := make([]map[string]any, len(edges))
	for i, e := range edges {
		out[i] = e.(map[string]any)["node"].(map[string]any)
	}
	return out
}

const (
	followMutation = `mutation($id: ID!) { follow(userId: $id) { status follow { id approved source { id } target { id } } } }`
	followersQuery = `query($id: ID!, $first: Int, $after: Cursor) { user(id: $id) { followerCount
		followers(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
			edges { cursor node { id approved createdAt source { id username email followerCount isFollowing followsViewer requested blocked } } } } } }`
)

func TestSocialGraphQLFollow(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "alice_gql", "bob_gql", "carol_gql", "dave_gql")
	alice, bob, carol, dave := us[0], us[1], us[2], us[3]
	setPrivate(t, s, carol, true)

	d := gql(t, s, alice.Token, followMutation, map[string]any{"id": bob.ID})
	if path(d, "follow", "status") != "FOLLOWING" || path(d, "follow", "follow", "approved") != true ||
		path(d, "follow", "follow", "target", "id") != bob.ID {
		t.Fatalf("follow: %v", d)
	}
	d = gql(t, s, alice.Token, followMutation, map[string]any{"id": bob.ID})
	if path(d, "follow", "status") != "DUPLICATE" {
		t.Fatalf("again: %v", d)
	}
	d = gql(t, s, alice.Token, followMutation, map[string]any{"id": carol.ID})
	if path(d, "follow", "status") != "REQUESTED" || path(d, "follow", "follow", "approved") != false {
		t.Fatalf("request: %v", d)
	}
	d = gql(t, s, alice.Token, `query($id: ID!) { followStatus(userId: $id) { following requested } user(id: $id) { isFollowing requested followsViewer blocked } }`, map[string]any{"id": carol.ID})
	if path(d, "followStatus", "requested") != true || path(d, "followStatus", "following") != false ||
		path(d, "user", "requested") != true || path(d, "user", "isFollowing") != false {
		t.Fatalf("status: %v", d)
	}

	// carol approves through GraphQL; approving twice counts once.
	d = gql(t, s, carol.Token, `{ followRequests { totalCount edges { node { id approved source { id email } } } } }`, nil)
	reqs := nodes(d["followRequests"])
	if len(reqs) != 1 || path(reqs[0], "source", "id") != alice.ID || path(reqs[0], "source", "email") != nil {
		t.Fatalf("requests: %v", d)
	}
	for range 2 {
		d = gql(t, s, carol.Token, `mutation($id: ID!) { approveFollowRequest(requestId: $id) { approved target { followerCount } } }`, map[string]any{"id": reqs[0]["id"]})
		if path(d, "approveFollowRequest", "approved") != true || path(d, "approveFollowRequest", "target", "followerCount") != float64(1) {
			t.Fatalf("approve: %v", d)
		}
	}
	// carol follows alice back; alice sees carol's relation, never her private fields.
	followUser(t, s, carol, alice)
	d = gql(t, s, alice.Token, `query($id: ID!) { user(id: $id) { isFollowing followsViewer requested email } }`, map[string]any{"id": carol.ID})
	if path(d, "user", "isFollowing") != true || path(d, "user", "followsViewer") != true || path(d, "user", "requested") != false ||
		path(d, "user", "email") != nil {
		t.Fatalf("relation: %v", d)
	}

	// Unfollow and delete entry.
	d = gql(t, s, alice.Token, `mutation($id: ID!) { unfollow(userId: $id) }`, map[string]any{"id": bob.ID})
	if d["unfollow"] != true {
		t.Fatalf("unfollow: %v", d)
	}
	d = gql(t, s, alice.Token, `mutation($id: ID!) { deleteFollowEntry(entryId: $id) }`, map[string]any{"id": entryBetween(t, s, carol, alice)})
	if d["deleteFollowEntry"] != true {
		t.Fatalf("remove follower: %v", d)
	}

	// Errors carry the REST codes.
	socialGQLErr(t, s, alice.Token, followMutation, map[string]any{"id": alice.ID}, "ClientInputError")
	socialGQLErr(t, s, alice.Token, followMutation, map[string]any{"id": unknownID}, "NotFound")
	socialGQLErr(t, s, "", followMutation, map[string]any{"id": bob.ID}, "Unauthorized")
	socialGQLErr(t, s, narrowToken(t, s, dave, "delegated:social:follow:read"), followMutation, map[string]any{"id": bob.ID}, "InsufficientPrivileges")
	socialGQLErr(t, s, dave.Token, `mutation($id: ID!) { approveFollowRequest(requestId: $id) { id } }`, map[string]any{"id": reqs[0]["id"]}, "Unauthorized")
	socialGQLErr(t, s, dave.Token, `mutation($id: ID!) { deleteFollowEntry(entryId: $id) }`, map[string]any{"id": reqs[0]["id"]}, "Unauthorized")
	socialGQLErr(t, s, dave.Token, `mutation { deleteFollowEntry(entryId: "nope") }`, nil, "ClientInputError")
	socialGQLErr(t, s, dave.Token, `query($id: ID!) { user(id: $id) { followers { totalCount } } }`, map[string]any{"id": carol.ID}, "Forbidden")
	s.Post(t, "/user/block", bob.Token, map[string]any{"target": dave.ID}).Expect(t, http.StatusOK, "")
	socialGQLErr(t, s, dave.Token, followMutation, map[string]any{"id": bob.ID}, "Blocked")
	socialGQLErr(t, s, dave.Token, `query($id: ID!) { user(id: $id) { id } }`, map[string]any{"id": bob.ID}, "Blocked")
	checkCounts(t, s)
}

func TestSocialGraphQLConnections(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.Pagination.MaxLimit = 50 })
	us := socialUsers(t, s, "owner_conn", "viewer_conn", "f1_conn", "f2_conn", "f3_conn")
	owner, viewer, fs := us[0], us[1], us[2:]
	for _, f := range fs {
		followUser(t, s, f, owner)
	}
	followUser(t, s, viewer, fs[1])
	followUser(t, s, fs[2], viewer)

	var got []string
	var after any
	for page := 0; ; page++ {
		d := gql(t, s, viewer.Token, followersQuery, map[string]any{"id": owner.ID, "first": 2, "after": after})
		conn := path(d, "user", "followers").(map[string]any)
		if conn["totalCount"] != float64(3) {
			t.Fatalf("totalCount: %v", conn)
		}
		for _, n := range nodes(conn) {
			src := n["source"].(map[string]any)
			got = append(got, src["id"].(string))
			wantFollowing := src["id"] == fs[1].ID
			if src["isFollowing"] != wantFollowing || src["followsViewer"] != (src["id"] == fs[2].ID) ||
				src["requested"] != false || src["blocked"] != false {
				t.Fatalf("relation of %v: %v", src["username"], src)
			}
			if src["email"] != nil {
				t.Fatalf("email of %v: %v", src["username"], src)
			}
		}
		info := conn["pageInfo"].(map[string]any)
		if info["hasNextPage"] != true {
			break
		}
		after = info["endCursor"]
		if page > 3 {
			t.Fatal("pagination does not end")
		}
	}
	if !slices.Equal(got, []string{fs[2].ID, fs[1].ID, fs[0].ID}) {
		t.Fatalf("followers newest first: %v", got)
	}
	d := gql(t, s, owner.Token, `{ me { following { totalCount } followers(first: 1) { edges { node { source { id } } } } } }`, nil)
	if path(d, "me", "following", "totalCount") != float64(0) || path(nodes(path(d, "me", "followers"))[0], "source", "id") != fs[2].ID {
		t.Fatalf("me: %v", d)
	}
	socialGQLErr(t, s, owner.Token, `{ me { followers(first: 51) { totalCount } } }`, nil, "ClientInputError")

	// Blocks and the blocked list.
	d = gql(t, s, owner.Token, `mutation($a: ID!, $b: ID!) { x: block(userId: $a) y: block(userId: $b) }`, map[string]any{"a": fs[0].ID, "b": fs[1].ID})
	if d["x"] != true || d["y"] != true {
		t.Fatalf("block: %v", d)
	}
	d = gql(t, s, owner.Token, `{ blockedUsers(first: 1) { totalCount pageInfo { hasNextPage } edges { node { createdAt target { id blocked } } } } }`, nil)
	bl := nodes(d["blockedUsers"])
	if path(d, "blockedUsers", "totalCount") != float64(2) || len(bl) != 1 || path(bl[0], "target", "id") != fs[1].ID || path(bl[0], "target", "blocked") != true {
		t.Fatalf("blocked users: %v", d)
	}
	d = gql(t, s, owner.Token, `mutation($a: ID!) { unblock(userId: $a) }`, map[string]any{"a": fs[0].ID})
	if d["unblock"] != true {
		t.Fatalf("unblock: %v", d)
	}

	// Search: text and object queries, with the viewer's relation on each result.
	d = gql(t, s, viewer.Token, `query($q: JSON!) { searchUsers(query: $q) { totalCount edges { node { username email isFollowing } } } }`, map[string]any{"q": "_conn"})
	if path(d, "searchUsers", "totalCount") != float64(5) {
		t.Fatalf("search: %v", d)
	}
	d = gql(t, s, viewer.Token, `query($q: JSON!) { searchUsers(query: $q, first: 5) { edges { node { username isFollowing } } } }`,
		map[string]any{"q": map[string]any{"username": map[string]any{"$regex": "^f[12]_"}}})
	res := nodes(d["searchUsers"])
	if len(res) != 2 || res[0]["username"] != "f1_conn" || res[1]["isFollowing"] != true {
		t.Fatalf("regex search: %v", d)
	}
	socialGQLErr(t, s, viewer.Token, `{ searchUsers(query: {password: "x"}) { totalCount } }`, nil, "ClientInputError")
	checkCounts(t, s)
}

func TestSocialGraphQLInviteCodes(t *testing.T) {
	s, _ := inviteOnly(t)
	alice := signUpInvited(t, s, "alice_gqlinv", "SEED-0000-1")
	d := gql(t, s, alice.Token, `{ inviteCodes { code createdAt target { id } } }`, nil)
	codes := d["inviteCodes"].([]any)
	if len(codes) != 5 || !inviteCodeForm.MatchString(codes[0].(map[string]any)["code"].(string)) {
		t.Fatalf("codes: %v", d)
	}
	code := codes[0].(map[string]any)["code"].(string)
	d = gql(t, s, "", `mutation($in: SignUpInput!) { signUp(input: $in) { id invitedBy } }`, map[string]any{"in": invitedSignUpBody("bob_gqlinv", code)})
	if path(d, "signUp", "invitedBy") != alice.ID {
		t.Fatalf("signUp: %v", d)
	}
	d = gql(t, s, alice.Token, `{ inviteCodes { code target { username } } }`, nil)
	if path(d["inviteCodes"].([]any)[0].(map[string]any), "target", "username") != "bob_gqlinv" {
		t.Fatalf("used code: %v", d)
	}
	socialGQLErr(t, s, "", `mutation($in: SignUpInput!) { signUp(input: $in) { id } }`, map[string]any{"in": invitedSignUpBody("carol_gqlinv", code)}, "InvalidInviteCode")
}

// Every social operation in GraphQL answers the domain's error codes in GraphQL's words, and
// bad input names the GraphQL argument and the rule it broke.
func TestSocialGraphQLErrors(t *testing.T) {
	// A page limit below GraphQL's own maximum page size, so the domain's check is reached.
	s := apitest.New(t, func(c *config.Config) { c.Account.ForceGenerateInviteCodes = true; c.Pagination.MaxLimit = 50 })
	us := socialUsers(t, s, "alice_gqlerr", "bob_gqlerr", "banned_gqlerr")
	alice, bob, banned := us[0], us[1], us[2]
	ban(t, s, banned, false)
	profileOnly := narrowToken(t, s, alice, "delegated:profile:read")
	ops := []struct {
		name, query string
		vars        map[string]any
		// bad are variables that make the input invalid: the error names path and rule.
		bad        map[string]any
		path, rule string
		// unknown are variables that name no account.
		unknown map[string]any
	}{
		{"follow", `mutation($id: ID!) { follow(userId: $id) { status } }`, map[string]any{"id": bob.ID}, map[string]any{"id": "bad"}, "userId", "id", map[string]any{"id": unknownID}},
		{"unfollow", `mutation($id: ID!) { unfollow(userId: $id) }`, map[string]any{"id": bob.ID}, map[string]any{"id": alice.ID}, "userId", "notSelf", map[string]any{"id": unknownID}},
		{"followStatus", `query($id: ID!) { followStatus(userId: $id) { following } }`, map[string]any{"id": bob.ID}, map[string]any{"id": "x"}, "userId", "id", map[string]any{"id": unknownID}},
		{"approveFollowRequest", `mutation($id: ID!) { approveFollowRequest(requestId: $id) { id } }`, map[string]any{"id": unknownID}, map[string]any{"id": "x"}, "requestId", "id", map[string]any{"id": unknownID}},
		{"deleteFollowEntry", `mutation($id: ID!) { deleteFollowEntry(entryId: $id) }`, map[string]any{"id": unknownID}, map[string]any{"id": "x"}, "entryId", "id", map[string]any{"id": unknownID}},
		{"block", `mutation($id: ID!) { block(userId: $id) }`, map[string]any{"id": bob.ID}, map[string]any{"id": alice.ID}, "userId", "notSelf", map[string]any{"id": unknownID}},
		{"unblock", `mutation($id: ID!) { unblock(userId: $id) }`, map[string]any{"id": bob.ID}, map[string]any{"id": "x"}, "userId", "id", map[string]any{"id": unknownID}},
		{"followers", `query($id: ID!, $n: Int) { user(id: $id) { followers(first: $n) { totalCount } } }`, map[string]any{"id": alice.ID}, map[string]any{"id": alice.ID, "n": 51}, "first", "pageSize", nil},
		{"following", `query($n: Int) { me { following(first: $n) { totalCount } } }`, map[string]any{}, map[string]any{"n": 51}, "first", "pageSize", nil},
		{"followRequests", `query($n: Int) { followRequests(first: $n) { totalCount } }`, map[string]any{}, map[string]any{"n": 51}, "first", "pageSize", nil},
		{"blockedUsers", `query($n: Int) { blockedUsers(last: $n) { totalCount } }`, map[string]any{}, map[string]any{"n": 51}, "last", "pageSize", nil},
		{"searchUsers", `query($q: JSON!) { searchUsers(query: $q) { totalCount } }`, map[string]any{"q": "a"}, map[string]any{"q": map[string]any{"$where": "1"}}, "query", "searchFilter", nil},
		{"searchUsers text", `query($q: JSON!) { searchUsers(query: $q) { totalCount } }`, map[string]any{"q": "a"}, map[string]any{"q": "  "}, "query", "searchText", nil},
		{"inviteCodes", `{ inviteCodes { code } }`, map[string]any{}, nil, "", "", nil},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			socialGQLErr(t, s, "", op.query, op.vars, "Unauthorized")
			socialGQLErr(t, s, banned.Token, op.query, op.vars, "Banned")
			socialGQLErr(t, s, profileOnly, op.query, op.vars, "InsufficientPrivileges")
			if op.bad != nil {
				expectGQLRule(t, s.GraphQL(t, alice.Token, op.query, op.bad), op.path, op.rule)
			}
			if op.unknown != nil {
				socialGQLErr(t, s, alice.Token, op.query, op.unknown, "NotFound")
			}
		})
	}
}

// expectGQLRule checks a GraphQL BAD_USER_INPUT whose first broken field is the GraphQL path
// path and broke rule (a stable rule id), with a message saying what the rule wants.
func expectGQLRule(t *testing.T, r *apitest.Response, path, rule string) {
	t.Helper()
	expectGQLFieldError(t, r, path)
	fields, _ := obj(gqlErr(t, r), "extensions")["fields"].([]any)
	if got := fields[0].(map[string]any)["rule"]; got != rule {
		t.Fatalf("rule %v, want %q: %s", got, rule, r.Raw)
	}
}
