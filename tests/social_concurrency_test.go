package tests

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"

	"usergraph/ent/block"
	"usergraph/ent/follow"
	"usergraph/internal/apitest"
)

// 50 concurrent follow, unfollow, approve, delete-entry, block, unblock and go-public calls on
// the same few accounts, over HTTP; afterwards every count equals its approved edges, and no
// blocked user follows (or asks to follow) the user who blocked them.
func TestSocialConcurrentGraphChangesKeepCounts(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "conc_anna", "conc_bert", "conc_cleo", "conc_dirk", "conc_emma")
	setPrivate(t, s, us[1], true)
	setPrivate(t, s, us[3], true)
	ctx := context.Background()

	for round := range 3 {
		rng := rand.New(rand.NewPCG(uint64(round), 42))
		type op struct {
			kind string
			a, b *apitest.User
		}
		ops := make([]op, 50)
		kinds := []string{"follow", "follow", "follow", "unfollow", "approve", "approve", "entry", "block", "unblock", "public", "private"}
		for i := range ops {
			a := us[rng.IntN(len(us))]
			b := us[rng.IntN(len(us))]
			for b == a {
				b = us[rng.IntN(len(us))]
			}
			ops[i] = op{kinds[rng.IntN(len(kinds))], a, b}
		}
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			mu    sync.Mutex
			bad   []string
		)
		for _, o := range ops {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				var r *apitest.Response
				switch o.kind {
				case "follow":
					r = s.Post(t, "/user/follow", o.a.Token, map[string]any{"target": o.b.ID})
				case "unfollow":
					r = s.Post(t, "/user/unfollow", o.a.Token, map[string]any{"target": o.b.ID})
				case "approve":
					// b approves whatever pending request it has (possibly twice at once).
					e, err := s.App.DB.Follow.Query().Where(follow.TargetID(o.b.ID), follow.Approved(false)).First(ctx)
					if err != nil {
						e, err = s.App.DB.Follow.Query().Where(follow.TargetID(o.b.ID)).First(ctx)
					}
					if err != nil {
						return
					}
					r = s.Patch(t, "/user/follow-request", o.b.Token, map[string]any{"request": e.ID})
				case "entry":
					e, err := s.App.DB.Follow.Query().Where(follow.Or(follow.SourceID(o.a.ID), follow.TargetID(o.a.ID))).First(ctx)
					if err != nil {
						return
					}
					r = s.Do(t, apitest.Req{Method: http.MethodDelete, Path: "/user/follow-entry", Token: o.a.Token, JSON: map[string]any{"entry": e.ID}})
				case "block":
					r = s.Post(t, "/user/block", o.a.Token, map[string]any{"target": o.b.ID})
				case "unblock":
					r = s.Post(t, "/user/unblock", o.a.Token, map[string]any{"target": o.b.ID})
				case "public", "private":
					r = s.Post(t, "/user/private", o.a.Token, map[string]any{"state": o.kind == "private"})
				}
				// Expected outcomes: done, blocked, or the entry vanished meanwhile.
				if r.Status != http.StatusOK && r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
					mu.Lock()
					bad = append(bad, o.kind+": "+string(r.Raw))
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
		for _, b := range bad {
			t.Errorf("round %d: unexpected answer to %s", round, b)
		}
		checkCounts(t, s)
		blocks, err := s.App.DB.Block.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			n, err := s.App.DB.Follow.Query().Where(follow.SourceID(b.TargetID), follow.TargetID(b.SourceID)).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("round %d: %s follows %s, who blocked them", round, b.TargetID, b.SourceID)
			}
		}
		if t.Failed() {
			return
		}
	}
	n, _ := s.App.DB.Block.Query().Where(block.SourceIDIn(us[0].ID)).Count(ctx)
	t.Logf("blocks by the first account at the end: %d", n)
}
