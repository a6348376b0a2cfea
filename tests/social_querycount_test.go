package tests

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"usergraph/ent"
	"usergraph/internal/apitest"
	"usergraph/internal/db"
)

// seedFollowers creates n accounts following target directly in the database (with the
// counts the edges imply), oldest first, and returns their ids.
func seedFollowers(t testing.TB, s *apitest.Server, target string, n int, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	db := s.App.DB
	ids := make([]string, 0, n)
	for start := 0; start < n; start += 500 {
		end := min(start+500, n)
		users := make([]*ent.UserCreate, 0, end-start)
		for i := start; i < end; i++ {
			name := fmt.Sprintf("%s_%06d", prefix, i)
			users = append(users, db.User.Create().SetUsername(name).SetFirstName("Seed").SetLastName("Follower").
				SetEmail(name+"@example.com").SetSanitizedEmail(name+"@example.com").SetEmailVerified(true).
				SetFollowingCount(1))
		}
		created, err := db.User.CreateBulk(users...).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		follows := make([]*ent.FollowCreate, len(created))
		for i, u := range created {
			ids = append(ids, u.ID)
			follows[i] = db.Follow.Create().SetSourceID(u.ID).SetTargetID(target)
		}
		if err := db.Follow.CreateBulk(follows...).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.User.UpdateOneID(target).AddFollowerCount(n).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return ids
}

// The followers of a user, with each follower's own counts, private fields and the viewer's
// relation to each, cost the same small number of SQL statements whatever the page size.
func TestSocialFollowerPageQueryCount(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "celebrity_qc", "viewer_qc")
	celeb, viewer := us[0], us[1]
	seeded := seedFollowers(t, s, celeb.ID, 60, "fan_qc")
	// The viewer follows some followers and is followed by others, so relations vary.
	for _, i := range []int{59, 55, 50, 20} {
		s.Post(t, "/user/follow", viewer.Token, map[string]any{"target": seeded[i]}).Expect(t, http.StatusOK, "")
	}
	ctx := context.Background()
	for _, i := range []int{58, 10} {
		if err := s.App.DB.Follow.Create().SetSourceID(seeded[i]).SetTargetID(viewer.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	const query = `query($id: ID!, $n: Int!) { user(id: $id) { id followerCount
		followers(first: $n) { totalCount pageInfo { hasNextPage endCursor }
			edges { cursor node { id createdAt
				source { id username followerCount followingCount email phone credits customData
					isFollowing followsViewer requested blocked } } } } } }`
	cost := func(n int) (int, []string) {
		s.Queries.Reset()
		r := s.GraphQL(t, viewer.Token, query, map[string]any{"id": celeb.ID, "n": n})
		c, qs := s.Queries.Count(), s.Queries.Queries()
		if r.Body["errors"] != nil {
			t.Fatalf("graphql: %s", r.Raw)
		}
		edges := path(r.Data(), "user", "followers", "edges").([]any)
		if len(edges) != n {
			t.Fatalf("want %d followers, got %d", n, len(edges))
		}
		following := 0
		for _, e := range edges {
			src := e.(map[string]any)["node"].(map[string]any)["source"].(map[string]any)
			if src["isFollowing"] == true {
				following++
			}
			if src["email"] != nil {
				t.Fatalf("email shown to a follower or a stranger: %v", src)
			}
		}
		if n == 50 && following != 4 {
			t.Fatalf("relations: %d followed", following)
		}
		return c, qs
	}
	small, _ := cost(5)
	large, qs := cost(50)
	t.Logf("SQL statements: %d for 5 followers, %d for 50", small, large)
	if large != small || large > 12 {
		t.Fatalf("followers page costs %d statements for 5 and %d for 50:\n%s", small, large, strings.Join(qs, "\n"))
	}
	for _, q := range qs {
		if strings.Contains(strings.ToUpper(q), "OFFSET") {
			t.Fatalf("a list query uses OFFSET: %s", q)
		}
	}

	// The REST list is bounded the same way, and so is the next page by keyset.
	restCost := func(limit int, offset string) int {
		s.Queries.Reset()
		s.Get(t, q("/user/"+celeb.ID+"/followers", "limit", fmt.Sprint(limit), "offset", offset), viewer.Token).Expect(t, http.StatusOK, "")
		return s.Queries.Count()
	}
	if a, b := restCost(5, seeded[50]), restCost(50, seeded[55]); a != b || b > 12 {
		t.Fatalf("REST followers page: %d statements for 5, %d for 50", a, b)
	}
	for _, q := range s.Queries.Queries() {
		if strings.Contains(strings.ToUpper(q), "OFFSET") {
			t.Fatalf("a list query uses OFFSET: %s", q)
		}
	}
	// Search results with the viewer's relation are bounded too.
	searchCost := func(n int) int {
		s.Queries.Reset()
		r := s.GraphQL(t, viewer.Token, `query($n: Int!) { searchUsers(query: "fan_qc", first: $n) { edges { node { id email isFollowing followsViewer } } } }`, map[string]any{"n": n})
		if r.Body["errors"] != nil || len(path(r.Data(), "searchUsers", "edges").([]any)) != n {
			t.Fatalf("search: %s", r.Raw)
		}
		return s.Queries.Count()
	}
	if a, b := searchCost(5), searchCost(50); a != b || b > 10 {
		t.Fatalf("search page: %d statements for 5, %d for 50", a, b)
	}
}

// explain returns the database's plan for a recorded statement.
func explain(t *testing.T, s *apitest.Server, st db.Statement) string {
	t.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if s.App.Config.PostgreSQL() {
		prefix = "EXPLAIN "
	}
	rows, err := s.App.SQL.Query(prefix+st.Query, st.Args...)
	if err != nil {
		t.Fatalf("explain %s: %v", st.Query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&plan, vals[len(vals)-1])
	}
	return plan.String()
}

// Every list page is read through its index, in index order: no sort, no scan of the table, no
// OFFSET, so page 1000 costs what page 1 costs.
func TestSocialListsReadIndexesInOrder(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "celebrity_idx", "viewer_idx")
	celeb, viewer := us[0], us[1]
	fans := seedFollowers(t, s, celeb.ID, 2000, "fan_idx")
	// Blocks by many accounts, 30 of them by the celebrity.
	blocks := make([]*ent.BlockCreate, 0, 1530)
	for i, f := range fans[:30] {
		blocks = append(blocks, s.App.DB.Block.Create().SetSourceID(celeb.ID).SetTargetID(f),
			s.App.DB.Block.Create().SetSourceID(fans[1000+i]).SetTargetID(celeb.ID))
	}
	for i := 100; i < 1600; i++ {
		blocks = append(blocks, s.App.DB.Block.Create().SetSourceID(fans[i]).SetTargetID(fans[i+1]))
	}
	for chunk := range slices.Chunk(blocks, 500) {
		if err := s.App.DB.Block.CreateBulk(chunk...).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.App.SQL.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	check := func(name, table, index string, do func()) {
		t.Run(name, func(t *testing.T) {
			s.Queries.Reset()
			do()
			var page *db.Statement
			for _, st := range s.Queries.Statements() {
				q := strings.NewReplacer("`", "", `"`, "").Replace(strings.ToLower(st.Query))
				if strings.Contains(q, "from "+table) && strings.Contains(q, "order by") && strings.Contains(q, "limit") {
					page = &st
				}
				if strings.Contains(q, " offset ") {
					t.Fatalf("OFFSET: %s", st.Query)
				}
			}
			if page == nil {
				t.Fatalf("no page query on %s among %d statements", table, len(s.Queries.Queries()))
			}
			plan := explain(t, s, *page)
			// The page is read through the index. SQLite must read it in order (no sort).
			// PostgreSQL's planner may sort the few rows left after a deep cursor instead of
			// walking the index backwards; what matters is that the cursor is part of the
			// index condition, so only rows after it are touched.
			ordered := !strings.Contains(plan, "Sort") && !strings.Contains(plan, "TEMP B-TREE")
			keysetInIndex := regexp.MustCompile(`Index Cond: .*created_at.* < `).MatchString(plan)
			if !strings.Contains(plan, index) || strings.Contains(plan, "Seq Scan on "+table) ||
				!(ordered || (s.App.Config.PostgreSQL() && keysetInIndex)) {
				t.Fatalf("plan of %s:\n%s", page.Query, plan)
			}
		})
	}
	followersPath := "/user/" + celeb.ID + "/followers"
	check("REST followers, deep page by _id", "follows", "follow_target_id_approved_created_at_id", func() {
		s.Get(t, q(followersPath, "limit", "50", "offset", fans[1000]), viewer.Token).Expect(t, http.StatusOK, "")
	})
	check("REST followers, deep page by date", "follows", "follow_target_id_approved_created_at_id", func() {
		s.Get(t, q(followersPath, "limit", "50", "offset", "2100-01-01T00:00:00.000Z"), viewer.Token).Expect(t, http.StatusOK, "")
	})
	check("REST following", "follows", "follow_source_id_approved_created_at_id", func() {
		s.Get(t, q("/user/"+fans[7]+"/following", "limit", "50"), viewer.Token).Expect(t, http.StatusOK, "")
	})
	check("REST blocked users", "blocks", "block_source_id_created_at_id", func() {
		s.Get(t, q("/user/blocked-users", "limit", "10", "offset", fans[20]), celeb.Token).Expect(t, http.StatusOK, "")
	})
	var cursor any
	check("GraphQL followers, first page", "follows", "follow_target_id_approved_created_at_id", func() {
		r := s.GraphQL(t, viewer.Token, `query($id: ID!) { user(id: $id) { followers(first: 50) { edges { node { id } } pageInfo { endCursor } } } }`, map[string]any{"id": celeb.ID})
		cursor = path(r.Data(), "user", "followers", "pageInfo", "endCursor")
		if cursor == nil {
			t.Fatalf("no cursor: %s", r.Raw)
		}
	})
	check("GraphQL followers, next page", "follows", "follow_target_id_approved_created_at_id", func() {
		r := s.GraphQL(t, viewer.Token, `query($id: ID!, $c: Cursor) { user(id: $id) { followers(first: 50, after: $c) { edges { node { id } } } } }`,
			map[string]any{"id": celeb.ID, "c": cursor})
		if r.Body["errors"] != nil {
			t.Fatalf("graphql: %s", r.Raw)
		}
	})
}
