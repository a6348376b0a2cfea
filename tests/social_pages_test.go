package tests

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"usergraph/internal/apitest"
)

// byIDs is a condition on a list of primary keys (the admin operations' existence check counts
// the users it names, which is not counting a list).
var byIDs = regexp.MustCompile("[`\"]id[`\"] IN \\(")

// countStatements returns the statements among qs that count the rows of a list.
func countStatements(qs []string) []string {
	var out []string
	for _, q := range qs {
		if strings.Contains(strings.ToUpper(q), "COUNT(") && !byIDs.MatchString(q) {
			out = append(out, q)
		}
	}
	return out
}

// A connection counts only when totalCount is asked for: pageInfo comes from one row more than
// the page, and the totalCount of followers and following lists is the stored counter. The
// cursors are there even when edges are not selected, so a client asking only for pageInfo can
// page.
func TestConnectionsCountOnlyWhenAsked(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "celebrity_pg", "viewer_pg")
	celeb, viewer := us[0], us[1]
	fans := seedFollowers(t, s, celeb.ID, 25, "fan_pg")
	// The celebrity follows five fans, and two fans ask the (then private) viewer to follow.
	for _, f := range fans[:5] {
		if err := s.App.DB.Follow.Create().SetSourceID(celeb.ID).SetTargetID(f).Exec(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.App.DB.User.UpdateOneID(celeb.ID).AddFollowingCount(5).Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	setPrivate(t, s, viewer, true)
	for _, f := range fans[10:12] {
		if err := s.App.DB.Follow.Create().SetSourceID(f).SetTargetID(viewer.ID).SetApproved(false).Exec(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range fans[20:22] {
		s.Post(t, "/user/block", viewer.Token, map[string]any{"target": f}).Expect(t, http.StatusOK, "")
	}
	admin := s.NewAdmin(t, "admin_pg", "admin", "admin:all", "client:social:follow:read", "delegated:all")

	// run asks the query and returns the connection at path and the COUNT statements it cost.
	run := func(t *testing.T, token, query string, vars map[string]any, path_ ...string) (map[string]any, []string) {
		t.Helper()
		s.Queries.Reset()
		r := s.GraphQL(t, token, query, vars)
		if r.Body["errors"] != nil {
			t.Fatalf("graphql: %s", r.Raw)
		}
		conn, _ := path(r.Data(), path_...).(map[string]any)
		if conn == nil {
			t.Fatalf("no connection at %v: %s", path_, r.Raw)
		}
		return conn, countStatements(s.Queries.Queries())
	}
	followers := func(sel string) string {
		return `query($id: ID!, $after: Cursor) { user(id: $id) { followers(first: 10, after: $after) { ` + sel + ` } } }`
	}
	vars := map[string]any{"id": celeb.ID}

	tests := []struct {
		name, token, query string
		path               []string
		// wantCounts is whether a COUNT statement may run.
		wantCounts bool
		// total is the expected totalCount (-1: not selected).
		total int
	}{
		{"followers, edges and pageInfo", viewer.Token, followers(`edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`), []string{"user", "followers"}, false, -1},
		{"followers, pageInfo only", viewer.Token, followers(`pageInfo { hasNextPage startCursor endCursor }`), []string{"user", "followers"}, false, -1},
		{"followers, totalCount from the counter", viewer.Token, followers(`totalCount pageInfo { hasNextPage endCursor }`), []string{"user", "followers"}, false, 25},
		{"followers, aliased totalCount", viewer.Token, followers(`n: totalCount`), []string{"user", "followers"}, false, -1},
		{"following, totalCount from the counter", viewer.Token, `query($id: ID!) { user(id: $id) { following(first: 2) { totalCount pageInfo { hasNextPage endCursor } } } }`, []string{"user", "following"}, false, 5},
		{"admin followers, totalCount from the counter", admin.Token, `query($id: ID!) { adminFollowers(userId: $id, first: 3) { totalCount pageInfo { hasNextPage endCursor } } }`, []string{"adminFollowers"}, false, 25},
		{"follow requests, pageInfo", viewer.Token, `{ followRequests(first: 1) { pageInfo { hasNextPage endCursor } } }`, []string{"followRequests"}, false, -1},
		{"follow requests, totalCount counts", viewer.Token, `{ followRequests(first: 1) { totalCount } }`, []string{"followRequests"}, true, 2},
		{"blocked users, pageInfo", viewer.Token, `{ blockedUsers(first: 1) { pageInfo { hasNextPage endCursor } } }`, []string{"blockedUsers"}, false, -1},
		{"search, pageInfo", viewer.Token, `{ searchUsers(query: "fan_pg", first: 5) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, []string{"searchUsers"}, false, -1},
		{"search, totalCount counts", viewer.Token, `{ searchUsers(query: "fan_pg", first: 5) { totalCount } }`, []string{"searchUsers"}, true, 23},
		{"admin users, pageInfo", admin.Token, `{ users(first: 2) { pageInfo { hasNextPage endCursor } } }`, []string{"users"}, false, -1},
		{"admin users, totalCount counts", admin.Token, `{ users(first: 2) { totalCount } }`, []string{"users"}, true, 28},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, cs := run(t, tc.token, tc.query, vars, tc.path...)
			if (len(cs) > 0) != tc.wantCounts {
				t.Fatalf("COUNT statements: %q (want some: %v)", cs, tc.wantCounts)
			}
			if tc.total >= 0 && conn["totalCount"] != float64(tc.total) {
				t.Fatalf("totalCount %v, want %d", conn["totalCount"], tc.total)
			}
			if pi, ok := conn["pageInfo"].(map[string]any); ok && (pi["endCursor"] == nil || pi["hasNextPage"] != true) {
				t.Fatalf("pageInfo %v: want a next page and its cursor", pi)
			}
			if alias, ok := conn["n"]; ok && alias != float64(25) {
				t.Fatalf("aliased totalCount %v", alias)
			}
		})
	}

	t.Run("pageInfo alone pages through the whole list", func(t *testing.T) {
		want := map[string]bool{}
		for _, f := range fans {
			want[f] = true
		}
		// The ids in order, read with edges, then the same pages walked with pageInfo only.
		var ids []string
		var after any
		for {
			conn, _ := run(t, viewer.Token, followers(`edges { node { sourceID } } pageInfo { hasNextPage endCursor }`), map[string]any{"id": celeb.ID, "after": after}, "user", "followers")
			for _, e := range conn["edges"].([]any) {
				ids = append(ids, e.(map[string]any)["node"].(map[string]any)["sourceID"].(string))
			}
			pi := conn["pageInfo"].(map[string]any)
			if pi["hasNextPage"] != true {
				break
			}
			after = pi["endCursor"]
		}
		if len(ids) != 25 {
			t.Fatalf("%d followers listed, want 25", len(ids))
		}
		for i, id := range ids {
			if !want[id] || (i > 0 && id == ids[i-1]) {
				t.Fatalf("follower %d: %s", i, id)
			}
		}
		pages, after := 0, any(nil)
		var cursors []any
		for {
			conn, cs := run(t, viewer.Token, followers(`pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`), map[string]any{"id": celeb.ID, "after": after}, "user", "followers")
			if len(cs) > 0 {
				t.Fatalf("COUNT: %q", cs)
			}
			pages++
			pi := conn["pageInfo"].(map[string]any)
			if pi["startCursor"] == nil || pi["endCursor"] == nil || pi["hasPreviousPage"] != (after != nil) {
				t.Fatalf("page %d: %v", pages, pi)
			}
			cursors = append(cursors, pi["endCursor"])
			if pi["hasNextPage"] != true {
				break
			}
			after = pi["endCursor"]
		}
		if pages != 3 {
			t.Fatalf("%d pages of 10 for 25 followers", pages)
		}
		// The cursors are the edges' cursors: the page after the first page's endCursor starts
		// at the 11th follower.
		conn, _ := run(t, viewer.Token, followers(`edges { node { sourceID } }`), map[string]any{"id": celeb.ID, "after": cursors[0]}, "user", "followers")
		if first := conn["edges"].([]any)[0].(map[string]any)["node"].(map[string]any)["sourceID"]; first != ids[10] {
			t.Fatalf("page 2 starts at %v, want %s", first, ids[10])
		}
	})

	t.Run("backwards with last", func(t *testing.T) {
		conn, cs := run(t, viewer.Token, `query($id: ID!) { user(id: $id) { followers(last: 4) { edges { node { sourceID } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`, vars, "user", "followers")
		pi := conn["pageInfo"].(map[string]any)
		if len(cs) > 0 || pi["hasPreviousPage"] != true || pi["hasNextPage"] != false || len(conn["edges"].([]any)) != 4 {
			t.Fatalf("last 4: %v (COUNT %q)", conn, cs)
		}
		// The oldest follower comes last.
		if last := conn["edges"].([]any)[3].(map[string]any)["node"].(map[string]any)["sourceID"]; last != fans[0] {
			t.Fatalf("last follower %v, want the oldest %s", last, fans[0])
		}
	})

	t.Run("first: 0 still says whether there is a page", func(t *testing.T) {
		conn, cs := run(t, viewer.Token, `query($id: ID!) { user(id: $id) { followers(first: 0) { edges { cursor } pageInfo { hasNextPage endCursor } } } }`, vars, "user", "followers")
		pi := conn["pageInfo"].(map[string]any)
		if len(cs) > 0 || pi["hasNextPage"] != true || pi["endCursor"] != nil || len(conn["edges"].([]any)) != 0 {
			t.Fatalf("first 0: %v (COUNT %q)", conn, cs)
		}
	})

	// A page with pageInfo costs what the same page without it costs.
	t.Run("pageInfo adds no statement", func(t *testing.T) {
		cost := func(sel string) int {
			s.Queries.Reset()
			r := s.GraphQL(t, viewer.Token, followers(sel), vars)
			if r.Body["errors"] != nil {
				t.Fatalf("graphql: %s", r.Raw)
			}
			return s.Queries.Count()
		}
		node := `edges { node { id source { username followerCount isFollowing } } }`
		if a, b := cost(node), cost(node+` pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`); a != b {
			t.Fatalf("%d statements without pageInfo, %d with", a, b)
		}
		if a, b := cost(node), cost(node+` totalCount`); b != a+1 {
			t.Fatalf("%d statements without totalCount, %d with (want one primary-key read more)", a, b)
		}
	})
}
