// Package social is the social graph: follows, private accounts and follow requests, blocks,
// user search and invite codes. REST handlers and GraphQL resolvers call these operations and
// nothing else; authorization (scopes, blocks, privacy) is enforced here.
//
// Every change to the graph runs in one transaction that first locks the rows of the users it
// touches (SELECT ... FOR UPDATE in id order on PostgreSQL; SQLite transactions are IMMEDIATE
// and so already serial) and changes followerCount/followingCount by exactly the number of
// approved edges it created or removed, so the counts always equal the edges.
package social

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"usergraph/ent"
	"usergraph/ent/user"
	"usergraph/internal/access"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/config"
	"usergraph/internal/db"
	"usergraph/internal/rules"
)

// Scopes the social operations need (liquid-behaviour.md §2.2).
const (
	ScopeFollowRead     = "delegated:social:follow:read"
	ScopeFollowRequest  = "delegated:social:follow:request"
	ScopeFollowUnfollow = "delegated:social:follow:unfollow"
	ScopeFollowAccept   = "delegated:social:follow:accept"
	ScopeFollowRemove   = "delegated:social:follow:remove"
	ScopeBlockRead      = "delegated:social:block:read"
	ScopeBlockWrite     = "delegated:social:block:write"
	ScopeInviteCodeRead = "delegated:social:invite-code:read"
	ScopeSearch         = "delegated:profile:search"
)

// Service runs the social operations.
type Service struct {
	db       *ent.Client
	cfg      *config.Config
	access   *access.Service
	log      *slog.Logger
	postgres bool
	// hidden is accounts.HiddenFields: the fields of a user the caller may not see.
	hidden func(ctx context.Context, u *ent.User) []string
	now    func() time.Time
}

// New returns a Service. hidden names the fields of a user the caller may not see
// (accounts.Service.HiddenFields).
func New(client *ent.Client, cfg *config.Config, acc *access.Service, log *slog.Logger, hidden func(context.Context, *ent.User) []string) *Service {
	return &Service{db: client, cfg: cfg, access: acc, log: log, postgres: cfg.PostgreSQL(), hidden: hidden,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// requireUser checks that a user (not a client) calls with scope (or an ancestor of it), with
// the one session check every operation uses.
func (s *Service) requireUser(ctx context.Context, scope string) (*auth.Identity, error) {
	c, err := s.access.RequireUser(ctx, access.Session(scope))
	if err != nil {
		return nil, err
	}
	return c.Identity, nil
}

// followAPIs answers 404 for every follow operation when privilege.can-use-follow-apis is off,
// as Liquid does by not mounting the routes.
func (s *Service) followAPIs() error {
	if !s.cfg.Privilege.CanUseFollowAPIs {
		return apperr.New(apperr.NotFound, nil)
	}
	return nil
}

// inTx runs fn in a transaction, running it again when the database reports a transient
// conflict (a PostgreSQL deadlock between two graph changes that lock rows in different
// orders, a serialization failure, SQLite busy) or fn returns errRetry (db.WithRetry).
func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return db.WithRetry(ctx, s.db, fn, func(attempt int, err error) {
		s.log.Debug("retrying transaction after a conflict", "attempt", attempt, "err", err)
	})
}

// lockUsers locks the rows of the named users, in id order so two transactions never wait for
// each other in a cycle, and returns the users found (absent ids are missing from the map).
func (s *Service) lockUsers(ctx context.Context, tx *ent.Client, ids ...string) (map[string]*ent.User, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[string]*ent.User, len(ids))
	// In chunks (in order) to stay below the databases' limits on bound parameters.
	for chunk := range slices.Chunk(ids, 1000) {
		q := tx.User.Query().Where(user.IDIn(chunk...)).Order(user.ByID())
		if s.postgres {
			q = q.ForUpdate()
		}
		us, err := q.All(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			out[u.ID] = u
		}
	}
	return out, nil
}

// errRetry makes inTx run the transaction again: it found it needs a lock it can no longer
// take in order.
var errRetry = db.ErrRetry

// addCounts changes source's followingCount and target's followerCount by delta: the effect of
// creating (+1) or removing (-1) one approved edge source -> target.
func addCounts(ctx context.Context, tx *ent.Tx, source, target string, delta int) error {
	if err := tx.User.Update().Where(user.ID(source)).AddFollowingCount(delta).Exec(ctx); err != nil {
		return err
	}
	return tx.User.Update().Where(user.ID(target)).AddFollowerCount(delta).Exec(ctx)
}

// Rules of the social operations' input besides rules.ID.
const (
	// ruleNotSelf: an operation on another user named the caller.
	ruleNotSelf    = "notSelf"
	messageNotSelf = "must name another user, not the caller"
)

// checkID checks a required id argument named field (the domain's name for it: "userId",
// "requestId") against rules.ID and returns it lower-cased, as ids are stored.
func checkID(c *rules.Check, field, id string) string {
	if !c.String(field, id, rules.ID) {
		return ""
	}
	return strings.ToLower(id)
}

// otherUserID checks an id argument naming another user: a well-formed id (rules.ID) that is
// not the caller's own (self-follow, self-block).
func otherUserID(field, id, me string) (string, error) {
	var c rules.Check
	if id = checkID(&c, field, id); id == me {
		c.Fail(field, ruleNotSelf, messageNotSelf)
	}
	return id, c.Err()
}

// pairTx is the frame of every change between the caller and another user (follow, unfollow,
// block, unblock): it checks the caller holds scope, checks targetID ("userId": another user's
// id), and runs fn in a retried transaction that has locked both accounts' rows in id order;
// an unknown target is 404. The caller's cached relation to the target is dropped afterwards.
func (s *Service) pairTx(ctx context.Context, scope, targetID string, fn func(tx *ent.Tx, me string, target *ent.User) error) error {
	id, err := s.requireUser(ctx, scope)
	if err != nil {
		return err
	}
	me := id.User.ID
	target, err := otherUserID("userId", targetID, me)
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
		return fn(tx, me, users[target])
	})
	forget(ctx, target)
	return err
}

// inactive is the answer to a relationship with a banned or deleted account.
func inactive(u *ent.User) error {
	reason := "banned"
	if u.IsDeleted {
		reason = "deleted"
	}
	return apperr.New(apperr.Forbidden, map[string]any{"reason": reason})
}

var (
	errBlocked      = apperr.New(apperr.Blocked, map[string]any{"reason": "blocked"})
	errNotFollowing = apperr.New(apperr.Forbidden, map[string]any{"reason": "not_following"})
	errNotFound     = apperr.New(apperr.NotFound, nil)
)
