package social

import (
	"context"
	"net/http"
	"sync"
	"usergraph/internal/accounts"

	"usergraph/ent/block"
	"usergraph/ent/follow"
	"usergraph/internal/auth"
)

// Relation is how the caller (the viewer) and another user are connected.
type Relation struct {
	// Following: the viewer follows the user (approved).
	Following bool
	// Requested: the viewer has asked to follow the user and waits for approval.
	Requested bool
	// FollowsViewer: the user follows the viewer (approved).
	FollowsViewer bool
	// Blocking: the viewer has blocked the user.
	Blocking bool
	// BlockedBy: the user has blocked the viewer.
	BlockedBy bool
}

// relations caches the viewer's relations for one request, so rendering a page of users asks
// the database twice (follows, blocks) for the whole page instead of once per user and field.
type relations struct {
	mu     sync.Mutex
	viewer string
	known  map[string]Relation
}

type relationsKey struct{}

// WithRelations gives ctx an empty per-request relation cache.
func WithRelations(ctx context.Context) context.Context {
	return context.WithValue(ctx, relationsKey{}, &relations{known: map[string]Relation{}})
}

// Middleware gives every request its own relation cache.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithRelations(r.Context())))
	})
}

func viewerID(ctx context.Context) string {
	if id := auth.FromContext(ctx); id != nil && id.User != nil {
		return id.User.ID
	}
	return ""
}

// Relations returns the caller's relation to each of ids, loading the ones the request has not
// seen yet in one batch (two queries). Without a caller every relation is empty.
func (s *Service) Relations(ctx context.Context, ids ...string) (map[string]Relation, error) {
	viewer := viewerID(ctx)
	out := make(map[string]Relation, len(ids))
	if viewer == "" || len(ids) == 0 {
		return out, nil
	}
	cache, _ := ctx.Value(relationsKey{}).(*relations)
	var missing []string
	if cache != nil {
		cache.mu.Lock()
		if cache.viewer != viewer {
			cache.viewer, cache.known = viewer, map[string]Relation{}
		}
		for _, id := range ids {
			if r, ok := cache.known[id]; ok {
				out[id] = r
			} else if id != viewer {
				missing = append(missing, id)
			}
		}
		cache.mu.Unlock()
	} else {
		for _, id := range ids {
			if id != viewer {
				missing = append(missing, id)
			}
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	loaded, err := s.loadRelations(ctx, viewer, missing)
	if err != nil {
		return nil, err
	}
	if cache != nil {
		cache.mu.Lock()
		if cache.viewer == viewer {
			for id, r := range loaded {
				cache.known[id] = r
			}
		}
		cache.mu.Unlock()
	}
	for id, r := range loaded {
		out[id] = r
	}
	return out, nil
}

// Relation is Relations for one user.
func (s *Service) Relation(ctx context.Context, id string) (Relation, error) {
	m, err := s.Relations(ctx, id)
	return m[id], err
}

// forget drops cached relations after the caller changed them.
func forget(ctx context.Context, ids ...string) {
	cache, _ := ctx.Value(relationsKey{}).(*relations)
	if cache == nil {
		return
	}
	cache.mu.Lock()
	defer cache.mu.Unlock()
	for _, id := range ids {
		delete(cache.known, id)
	}
}

// forgetAll drops every cached relation (going public changed the caller's relation to all
// its requesters).
func forgetAll(ctx context.Context) {
	if cache, _ := ctx.Value(relationsKey{}).(*relations); cache != nil {
		cache.mu.Lock()
		clear(cache.known)
		cache.mu.Unlock()
	}
}

func (s *Service) loadRelations(ctx context.Context, viewer string, ids []string) (map[string]Relation, error) {
	out := make(map[string]Relation, len(ids))
	for _, id := range ids {
		out[id] = Relation{}
	}
	follows, err := s.db.Follow.Query().
		Where(follow.Or(
			follow.And(follow.SourceID(viewer), follow.TargetIDIn(ids...)),
			follow.And(follow.TargetID(viewer), follow.SourceIDIn(ids...)),
		)).
		Select(follow.FieldSourceID, follow.FieldTargetID, follow.FieldApproved).
		All(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range follows {
		if f.SourceID == viewer {
			r := out[f.TargetID]
			r.Following = r.Following || f.Approved
			r.Requested = r.Requested || !f.Approved
			out[f.TargetID] = r
		} else {
			r := out[f.SourceID]
			r.FollowsViewer = r.FollowsViewer || f.Approved
			out[f.SourceID] = r
		}
	}
	blocks, err := s.db.Block.Query().
		Where(block.Or(
			block.And(block.SourceID(viewer), block.TargetIDIn(ids...)),
			block.And(block.TargetID(viewer), block.SourceIDIn(ids...)),
		)).
		Select(block.FieldSourceID, block.FieldTargetID).
		All(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		if b.SourceID == viewer {
			r := out[b.TargetID]
			r.Blocking = true
			out[b.TargetID] = r
		} else {
			r := out[b.SourceID]
			r.BlockedBy = true
			out[b.SourceID] = r
		}
	}
	return out, nil
}

// ViewerRelation is how the caller relates to userID, as the user field table counts viewers:
// blocked either way is a stranger.
func (s *Service) ViewerRelation(ctx context.Context, userID string) (accounts.Viewer, error) {
	r, err := s.Relation(ctx, userID)
	switch {
	case err != nil || r.Blocking || r.BlockedBy:
		return accounts.Stranger, err
	case r.Following:
		return accounts.Follower, nil
	case r.Requested:
		return accounts.Requester, nil
	}
	return accounts.Stranger, nil
}

// ViewerBlockedBy reports whether userID has blocked the caller.
func (s *Service) ViewerBlockedBy(ctx context.Context, userID string) (bool, error) {
	r, err := s.Relation(ctx, userID)
	return r.BlockedBy, err
}
