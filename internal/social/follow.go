package social

import (
	"context"
	"fmt"

	"usergraph/ent"
	"usergraph/ent/block"
	"usergraph/ent/follow"
	"usergraph/ent/invitecode"
	"usergraph/ent/user"
	"usergraph/internal/apperr"
	"usergraph/internal/rules"
)

// FollowStatus is the outcome of a follow (POST /user/follow).
type FollowStatus string

const (
	// StatusFollowing: the target is public; the caller now follows them.
	StatusFollowing FollowStatus = "following"
	// StatusRequested: the target is private; a request waits for their approval.
	StatusRequested FollowStatus = "requested"
	// StatusDuplicate: the caller already follows the target or already asked to.
	StatusDuplicate FollowStatus = "duplicate"
)

// Follow makes the caller follow the user userID, or ask to when that user is private. A user
// who has blocked the caller cannot be followed (403 Blocked), nor can a banned or deleted one
// (403 Forbidden).
func (s *Service) Follow(ctx context.Context, userID string) (FollowStatus, *ent.Follow, error) {
	if err := s.followAPIs(); err != nil {
		return "", nil, err
	}
	var (
		status FollowStatus
		entry  *ent.Follow
	)
	err := s.pairTx(ctx, ScopeFollowRequest, userID, func(tx *ent.Tx, me string, t *ent.User) error {
		blocked, err := tx.Block.Query().Where(block.SourceID(t.ID), block.TargetID(me)).Exist(ctx)
		if err != nil {
			return err
		}
		if blocked {
			return errBlocked
		}
		if t.IsBanned || t.IsDeleted {
			return inactive(t)
		}
		entry, err = tx.Follow.Query().Where(follow.SourceID(me), follow.TargetID(t.ID)).Only(ctx)
		if err == nil {
			status = StatusDuplicate
			return nil
		}
		if !ent.IsNotFound(err) {
			return err
		}
		entry, err = tx.Follow.Create().SetSourceID(me).SetTargetID(t.ID).SetApproved(!t.IsPrivate).Save(ctx)
		if err != nil {
			return err
		}
		if !entry.Approved {
			status = StatusRequested
			return nil
		}
		status = StatusFollowing
		return addCounts(ctx, tx, me, t.ID, 1)
	})
	if err != nil {
		return "", nil, err
	}
	// The entry was read in the transaction; its edges load through the client from now on.
	return status, entry.Unwrap(), nil
}

// Unfollow ends the caller's approved follow of the user userID. Like Liquid it leaves a
// pending request alone (DeleteEntry cancels one) and succeeds when there was nothing to end.
func (s *Service) Unfollow(ctx context.Context, userID string) error {
	if err := s.followAPIs(); err != nil {
		return err
	}
	return s.pairTx(ctx, ScopeFollowUnfollow, userID, func(tx *ent.Tx, me string, t *ent.User) error {
		n, err := tx.Follow.Delete().Where(follow.SourceID(me), follow.TargetID(t.ID), follow.Approved(true)).Exec(ctx)
		if err != nil || n == 0 {
			return err
		}
		return addCounts(ctx, tx, me, t.ID, -1)
	})
}

// FollowState is the caller's follow of another user.
type FollowState struct {
	Following bool // approved
	Requested bool // pending
}

// FollowStatus reports whether the caller follows the user userID (another user).
func (s *Service) FollowStatus(ctx context.Context, userID string) (FollowState, error) {
	id, err := s.followRead(ctx)
	if err != nil {
		return FollowState{}, err
	}
	target, err := otherUserID("userId", userID, id.User.ID)
	if err != nil {
		return FollowState{}, err
	}
	exists, err := s.db.User.Query().Where(user.ID(target)).Exist(ctx)
	if err != nil {
		return FollowState{}, err
	}
	if !exists {
		return FollowState{}, errNotFound
	}
	r, err := s.Relation(ctx, target)
	return FollowState{Following: r.Following, Requested: r.Requested}, err
}

// ApproveRequest accepts the pending follow request requestId, addressed to the caller.
// Approving an approved entry changes nothing, so the counts move once however often it is
// approved.
func (s *Service) ApproveRequest(ctx context.Context, requestID string) (*ent.Follow, error) {
	if err := s.followAPIs(); err != nil {
		return nil, err
	}
	id, err := s.requireUser(ctx, ScopeFollowAccept)
	if err != nil {
		return nil, err
	}
	me := id.User.ID
	var c rules.Check
	eid := checkID(&c, "requestId", requestID)
	if err := c.Err(); err != nil {
		return nil, err
	}
	entry, err := s.db.Follow.Get(ctx, eid)
	if ent.IsNotFound(err) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	if entry.TargetID != me {
		return nil, apperr.New(apperr.Unauthorized, nil)
	}
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		if _, err := s.lockUsers(ctx, tx.Client(), entry.SourceID, entry.TargetID); err != nil {
			return err
		}
		n, err := tx.Follow.Update().Where(follow.ID(eid), follow.Approved(false)).SetApproved(true).Save(ctx)
		if err != nil {
			return err
		}
		if n == 1 {
			if err := addCounts(ctx, tx, entry.SourceID, entry.TargetID, 1); err != nil {
				return err
			}
		}
		entry, err = tx.Follow.Get(ctx, eid)
		if ent.IsNotFound(err) {
			// Withdrawn while we waited for the lock.
			return errNotFound
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	forget(ctx, entry.SourceID)
	return entry.Unwrap(), nil
}

// DeleteEntry deletes the follow entry entryID, which the caller must be part of: the target
// rejects a request or removes a follower, the source cancels a request or unfollows. Anyone
// else gets 401 Unauthorized, as in Liquid.
func (s *Service) DeleteEntry(ctx context.Context, entryID string) error {
	if err := s.followAPIs(); err != nil {
		return err
	}
	id, err := s.requireUser(ctx, ScopeFollowRemove)
	if err != nil {
		return err
	}
	me := id.User.ID
	var c rules.Check
	eid := checkID(&c, "entryId", entryID)
	if err := c.Err(); err != nil {
		return err
	}
	entry, err := s.db.Follow.Get(ctx, eid)
	if ent.IsNotFound(err) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	if entry.SourceID != me && entry.TargetID != me {
		return apperr.New(apperr.Unauthorized, nil)
	}
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		if _, err := s.lockUsers(ctx, tx.Client(), entry.SourceID, entry.TargetID); err != nil {
			return err
		}
		// Read it again under the locks: it may have been approved or deleted meanwhile.
		cur, err := tx.Follow.Get(ctx, eid)
		if ent.IsNotFound(err) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if err := tx.Follow.DeleteOneID(eid).Exec(ctx); err != nil {
			return err
		}
		if cur.Approved {
			return addCounts(ctx, tx, cur.SourceID, cur.TargetID, -1)
		}
		return nil
	})
	forget(ctx, entry.SourceID, entry.TargetID)
	return err
}

// SetPrivate switches userID's account between private and public. Going public approves
// every pending request to the account and returns how many it approved.
func (s *Service) SetPrivate(ctx context.Context, userID string, private bool) (int, error) {
	accepted := 0
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		accepted = 0
		pendingFrom := func() ([]string, error) {
			return tx.Follow.Query().Where(follow.TargetID(userID), follow.Approved(false)).
				Select(follow.FieldSourceID).Strings(ctx)
		}
		// Going public changes the requesters' counts too: lock them, with the account, in id
		// order like every other graph change.
		var requesters []string
		if !private {
			var err error
			if requesters, err = pendingFrom(); err != nil {
				return err
			}
		}
		users, err := s.lockUsers(ctx, tx.Client(), append(requesters, userID)...)
		if err != nil {
			return err
		}
		if users[userID] == nil {
			return errNotFound
		}
		if err := tx.User.UpdateOneID(userID).SetIsPrivate(private).Exec(ctx); err != nil {
			return err
		}
		if private {
			return nil
		}
		// Every new or withdrawn request to userID locks userID's row, which we hold now, so the
		// pending set cannot change any more; but it may have grown before we got the lock.
		now, err := pendingFrom()
		if err != nil {
			return err
		}
		for _, id := range now {
			if users[id] == nil {
				return errRetry
			}
		}
		pending := user.HasOutgoingFollowsWith(follow.TargetID(userID), follow.Approved(false))
		n1, err := tx.User.Update().Where(pending).AddFollowingCount(1).Save(ctx)
		if err != nil {
			return err
		}
		n, err := tx.Follow.Update().Where(follow.TargetID(userID), follow.Approved(false)).SetApproved(true).Save(ctx)
		if err != nil {
			return err
		}
		if n != n1 {
			return fmt.Errorf("going public: approved %d requests from %d requesters", n, n1)
		}
		accepted = n
		if n == 0 {
			return nil
		}
		return tx.User.UpdateOneID(userID).AddFollowerCount(n).Exec(ctx)
	})
	forgetAll(ctx)
	return accepted, err
}

// ForgetUser removes userID from the graph before the account is deleted (an unverified
// account replaced by a new sign-up): the counts of everyone it followed or who followed it
// drop by its approved edges, its edges and blocks go, the invite code it used is released and
// the codes it owned are deleted. client is the caller's transaction.
func (s *Service) ForgetUser(ctx context.Context, client *ent.Client, userID string) error {
	// Lock the account and everyone whose count changes, in id order like every graph change.
	edges, err := client.Follow.Query().Where(follow.Or(follow.SourceID(userID), follow.TargetID(userID)), follow.Approved(true)).All(ctx)
	if err != nil {
		return err
	}
	ids := []string{userID}
	for _, e := range edges {
		ids = append(ids, e.SourceID, e.TargetID)
	}
	if _, err := s.lockUsers(ctx, client, ids...); err != nil {
		return err
	}
	if err := client.User.Update().
		Where(user.HasIncomingFollowsWith(follow.SourceID(userID), follow.Approved(true))).
		AddFollowerCount(-1).Exec(ctx); err != nil {
		return err
	}
	if err := client.User.Update().
		Where(user.HasOutgoingFollowsWith(follow.TargetID(userID), follow.Approved(true))).
		AddFollowingCount(-1).Exec(ctx); err != nil {
		return err
	}
	if _, err := client.Follow.Delete().Where(follow.Or(follow.SourceID(userID), follow.TargetID(userID))).Exec(ctx); err != nil {
		return err
	}
	if _, err := client.Block.Delete().Where(block.Or(block.SourceID(userID), block.TargetID(userID))).Exec(ctx); err != nil {
		return err
	}
	if err := client.InviteCode.Update().Where(invitecode.TargetID(userID)).ClearTargetID().Exec(ctx); err != nil {
		return err
	}
	_, err = client.InviteCode.Delete().Where(invitecode.SourceID(userID)).Exec(ctx)
	return err
}
