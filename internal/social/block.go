package social

import (
	"context"

	"usergraph/ent"
	"usergraph/ent/block"
	"usergraph/ent/follow"
)

// Block makes the caller block the user userID. It removes every follow entry between the two,
// in both directions, approved or pending, adjusting the counts: the blocked user can no longer
// follow the caller, see the caller's profile or lists, or find the caller in search, and no
// request from either can be approved later. Blocking twice is not an error.
func (s *Service) Block(ctx context.Context, userID string) error {
	return s.pairTx(ctx, ScopeBlockWrite, userID, func(tx *ent.Tx, me string, t *ent.User) error {
		exists, err := tx.Block.Query().Where(block.SourceID(me), block.TargetID(t.ID)).Exist(ctx)
		if err != nil {
			return err
		}
		if !exists {
			if err := tx.Block.Create().SetSourceID(me).SetTargetID(t.ID).Exec(ctx); err != nil {
				return err
			}
		}
		entries, err := tx.Follow.Query().Where(follow.Or(
			follow.And(follow.SourceID(me), follow.TargetID(t.ID)),
			follow.And(follow.SourceID(t.ID), follow.TargetID(me)),
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
}

// Unblock lifts the caller's block of the user userID. Unblocking a user who is not blocked is
// not an error.
func (s *Service) Unblock(ctx context.Context, userID string) error {
	return s.pairTx(ctx, ScopeBlockWrite, userID, func(tx *ent.Tx, me string, t *ent.User) error {
		_, err := tx.Block.Delete().Where(block.SourceID(me), block.TargetID(t.ID)).Exec(ctx)
		return err
	})
}
