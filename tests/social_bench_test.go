package tests

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"usergraph/ent/follow"
	"usergraph/internal/apitest"
	"usergraph/internal/db"
)

// BenchmarkSocial measures the follower lists and follow/unfollow over HTTP on PostgreSQL with
// a seeded graph: one account followed by SOCIAL_BENCH_FOLLOWERS accounts (default 20000).
// It is skipped unless DATABASE_URL names PostgreSQL; see docs/social.md.
func BenchmarkSocial(b *testing.B) {
	if !db.IsPostgres(os.Getenv("DATABASE_URL")) {
		b.Skip("set DATABASE_URL to a PostgreSQL database to run the social benchmarks")
	}
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("SOCIAL_BENCH_FOLLOWERS")); err == nil && v > 100 {
		n = v
	}
	s := apitest.New(b)
	us := socialUsers(b, s, "bench_celebrity", "bench_viewer")
	celeb, viewer := us[0], us[1]
	fans := seedFollowers(b, s, celeb.ID, n, "bench_fan")
	// The viewer follows a few of the followers, so relations have something to find.
	for _, i := range []int{n - 1, n - 10, n / 2} {
		s.Post(b, "/user/follow", viewer.Token, map[string]any{"target": fans[i]}).Expect(b, http.StatusOK, "")
	}
	// The follow entry about 95% down the list: a deep page.
	deep, err := s.App.DB.Follow.Query().Where(follow.SourceID(fans[n/20]), follow.TargetID(celeb.ID)).Only(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	followersPath := "/user/" + celeb.ID + "/followers"
	// Fresh statistics, as a live database has, so the planner sees the seeded graph.
	if _, err := s.App.SQL.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}

	b.Run("FollowerList/first-page-50", func(b *testing.B) {
		for b.Loop() {
			s.Get(b, q(followersPath, "limit", "50"), viewer.Token).Expect(b, http.StatusOK, "")
		}
	})
	b.Run("FollowerList/deep-page-50", func(b *testing.B) {
		for b.Loop() {
			s.Get(b, q(followersPath, "limit", "50", "offset", deep.ID), viewer.Token).Expect(b, http.StatusOK, "")
		}
	})
	b.Run("FollowerList/graphql-50-with-relations", func(b *testing.B) {
		const query = `query($id: ID!) { user(id: $id) { followers(first: 50) { edges { node { source {
			id username followerCount followingCount email isFollowing followsViewer requested blocked } } } } } }`
		for b.Loop() {
			r := s.GraphQL(b, viewer.Token, query, map[string]any{"id": celeb.ID})
			if r.Status != http.StatusOK || r.Body["errors"] != nil {
				b.Fatalf("graphql: %s", r.Raw)
			}
		}
	})
	b.Run("FollowUnfollow/one-pair", func(b *testing.B) {
		for b.Loop() {
			s.Post(b, "/user/follow", viewer.Token, map[string]any{"target": celeb.ID}).Expect(b, http.StatusOK, "")
			s.Post(b, "/user/unfollow", viewer.Token, map[string]any{"target": celeb.ID}).Expect(b, http.StatusOK, "")
		}
	})
	followers := socialUsers(b, s, "bench_p0", "bench_p1", "bench_p2", "bench_p3", "bench_p4", "bench_p5", "bench_p6", "bench_p7")
	b.Run("FollowUnfollow/parallel-same-target", func(b *testing.B) {
		// Many accounts follow and unfollow the same account at once: every change locks its
		// row, so this measures the contention on a popular account.
		var next atomic.Int64
		b.SetParallelism(2)
		b.RunParallel(func(pb *testing.PB) {
			u := followers[int(next.Add(1)-1)%len(followers)]
			for pb.Next() {
				s.Post(b, "/user/follow", u.Token, map[string]any{"target": celeb.ID}).Expect(b, http.StatusOK, "")
				s.Post(b, "/user/unfollow", u.Token, map[string]any{"target": celeb.ID}).Expect(b, http.StatusOK, "")
			}
		})
	})
	b.StopTimer()
	checkCounts(b, s)
	fmt.Fprintf(os.Stderr, "seeded graph: %d followers\n", n)
}
