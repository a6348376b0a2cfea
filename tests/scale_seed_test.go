package tests

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/db"
	"usergraph/internal/seed"
)

// The scale benchmark's seed (cmd/seed) makes a graph the server serves as its own: counts
// equal to the edges, accounts that log in with the seed's password, ids and names the
// benchmark can compute, and every index back in place.
func TestSeedMakesAConsistentGraph(t *testing.T) {
	s := apitest.New(t)
	if !s.App.Config.PostgreSQL() {
		t.Skip("the seed runs on PostgreSQL")
	}
	ctx := context.Background()
	const users, edges, celeb, password = 600, 4000, 450, "Seed-pass-1"
	sum, err := seed.Seed(ctx, s.App.SQL, seed.Options{Users: users, Edges: edges, CelebrityFollowers: celeb,
		Password: password, Scope: s.App.Config.Account.DefaultScope})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Users != users || sum.Edges != edges || sum.CelebrityFollowers != celeb || sum.CelebrityID != seed.UserID(1) {
		t.Fatalf("summary %+v", sum)
	}
	// A second seed into a database that has users is refused.
	if _, err := seed.Seed(ctx, s.App.SQL, seed.Options{Users: 10, Edges: 10, Password: password}); err == nil {
		t.Fatal("seeding a database with users again succeeded")
	}
	client, sqlDB, err := db.Open(ctx, s.App.Config.DatabaseURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := db.EnsureSearchIndexes(ctx, sqlDB); err != nil {
		t.Fatal(err)
	}
	if bad, err := seed.Check(ctx, sqlDB); err != nil || bad != 0 {
		t.Fatalf("%d users with counts unlike their edges (%v)", bad, err)
	}
	var n, pairs int
	if err := sqlDB.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT (source_id, target_id)) FROM follows WHERE source_id <> target_id`).Scan(&n, &pairs); err != nil {
		t.Fatal(err)
	}
	if n != edges || pairs != edges {
		t.Fatalf("%d edges, %d distinct pairs without self-follows; want %d", n, pairs, edges)
	}

	u := seed.Username(7)
	token, _ := s.Tokens(t, u, password)
	r := s.Get(t, "/user/"+seed.UserID(1), token).Expect(t, http.StatusOK, "")
	if c, _ := r.Data()["user"].(map[string]any); c["username"] != "celebrity" || c["followerCount"] != float64(celeb) {
		t.Fatalf("celebrity: %s", r.Raw)
	}
	r = s.Get(t, q("/user/"+seed.UserID(1)+"/followers", "limit", "50", "offset", seed.FollowID(celeb-100)), token).Expect(t, http.StatusOK, "")
	recs := r.Data()["records"].([]any)
	if len(recs) != 50 || recs[0].(map[string]any)["_id"] != seed.FollowID(celeb-101) {
		t.Fatalf("deep follower page: %d records, first %v", len(recs), recs[0])
	}
	me, _ := s.Get(t, "/user/me", token).Expect(t, http.StatusOK, "").Data()["user"].(map[string]any)
	if me["_id"] != seed.UserID(7) || !strings.EqualFold(me["firstName"].(string), strings.SplitN(u, "_", 2)[0]) {
		t.Fatalf("seeded user 7: %v", me)
	}
	r = s.Post(t, "/user/search", token, map[string]any{"query": u}).Expect(t, http.StatusOK, "")
	if res := r.Data()["results"].([]any); len(res) != 1 || res[0].(map[string]any)["_id"] != seed.UserID(7) {
		t.Fatalf("search for %s: %s", u, r.Raw)
	}
}
