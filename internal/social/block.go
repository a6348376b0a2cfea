package social

import (
	"context"

	"usergraph/ent"
	"usergraph/ent/block"
	"usergraph/ent/follow"
	"usergraph/internal/accounts"
)

// Block makes the caller block f's target (POST /user/block). It removes every follow entry
// between the two, in both directions, approved or pending, adjusting the counts: the blocked
// user can no longer follow the caller, see the caller's profile or lists, or find the caller in
// search, and no request from either can be approved later. Blocking twice is not an error.
func (s *Service) Block(ctx context.Context, f accounts.Fields) error {
	id, err := s.requireUser(ctx, ScopeBlockWrite)
	if err != nil {
		return err
	}
	me := id.User.ID
	target, err := targetID(f, "target", me)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		users, err := s.lockUsers(ctx, tx.Client(), me, target)
		if err != nil {
			return err
		}
		if users[target] == nil {
			return errNotFound
		}
		exists, err := tx.Block.Query().Where(block.SourceID(me), block.TargetID(target)).Exist(ctx)
		if err != nil {
			return err
		}
		if !exists {
			if err := tx.Block.Create().SetSourceID(me).SetTargetID(target).Exec(ctx); err != nil {
				return err
			}
		}
		entries, err := tx.Follow.Query().Where(follow.Or(
			follow.And(follow.SourceID(me), follow.TargetID(target)),
			follow.And(follow.SourceID(target), follow.TargetID(me)),
		)).All(ctx)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := tx.Follow.DeleteOneID(e.ID).Exec(ctx); err != nil {
				return err
			}
			if e.Approved {
				if err := addCounts(ctx, tx, e.SourceID, e.TargetID, -1); err != nil {
					return err
				}
			}
		}
		return nil
	})
	forget(ctx, target)
	return err
}

// Unblock lifts the caller's block of f's target (POST /user/unblock). Unblocking a user who
// is not blocked is not an error.
func (s *Service) Unblock(ctx context.Context, f accounts.Fields) error {
	id, err := s.requireUser(ctx, ScopeBlockWrite)
	if err != nil {
		return err
	}
	me := id.User.ID
	target, err := targetID(f, "target", me)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		users, err := s.lockUsers(ctx, tx.Client(), me, target)
		if err != nil {
			return err
		}
		if users[target] == nil {
			return errNotFound
		}
		_, err = tx.Block.Delete().Where(block.SourceID(me), block.TargetID(target)).Exec(ctx)
		return err
	})
	forget(ctx, target)
	return err
}
