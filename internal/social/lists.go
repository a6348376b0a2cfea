package social

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"

	"usergraph/ent"
	"usergraph/ent/block"
	"usergraph/ent/follow"
	"usergraph/ent/predicate"
	"usergraph/ent/user"
	"usergraph/internal/auth"
	"usergraph/internal/rules"
	"usergraph/internal/validate"
)

// Entry is one record of a followers, following or follow-requests list.
type Entry struct {
	Follow *ent.Follow
	// User is the listed user: the follower (source) or the followed (target).
	User *ent.User
	// Hide are the fields of User the caller may not see.
	Hide []string
}

// BlockEntry is one record of the list of users the caller has blocked.
type BlockEntry struct {
	Block *ent.Block
	User  *ent.User
	Hide  []string
}

// Followers lists who follows userID ("" for the caller), newest first (GET /user/followers,
// GET /user/:userId/followers), one page p.
func (s *Service) Followers(ctx context.Context, userID string, p Page) ([]Entry, error) {
	return s.followList(ctx, userID, p, true)
}

// Following lists whom userID ("" for the caller) follows, newest first.
func (s *Service) Following(ctx context.Context, userID string, p Page) ([]Entry, error) {
	return s.followList(ctx, userID, p, false)
}

func (s *Service) followList(ctx context.Context, userID string, p Page, followers bool) ([]Entry, error) {
	id, err := s.followRead(ctx)
	if err != nil {
		return nil, err
	}
	pg, err := s.parsePage(p, s.cfg.Pagination.DefaultLimit)
	if err != nil {
		return nil, err
	}
	owner, err := s.listOwner(ctx, id, userID)
	if err != nil {
		return nil, err
	}
	entries, err := s.followPage(ctx, s.followListQuery(id.User.ID, owner, followers), pg, followers)
	if err != nil {
		return nil, err
	}
	return entries, s.withViews(ctx, entries, nil)
}

// FollowRequests lists the pending requests to follow the caller, newest first (GET
// /user/follow-requests). Liquid returns them all; usergraph pages them like the other lists,
// up to pagination.max-limit per page when no limit is given.
func (s *Service) FollowRequests(ctx context.Context, p Page) ([]Entry, error) {
	id, err := s.followRead(ctx)
	if err != nil {
		return nil, err
	}
	pg, err := s.parsePage(p, s.cfg.Pagination.MaxLimit)
	if err != nil {
		return nil, err
	}
	entries, err := s.followPage(ctx, s.requestsQuery(id.User.ID), pg, true)
	if err != nil {
		return nil, err
	}
	// Liquid leaves password, isRestricted and emailVerified out of a requester.
	return entries, s.withViews(ctx, entries, []string{"isRestricted", "emailVerified"})
}

// followRead checks a read of the follow graph: the follow APIs are on (404 otherwise) and a
// user calls with delegated:social:follow:read.
func (s *Service) followRead(ctx context.Context) (*auth.Identity, error) {
	if err := s.followAPIs(); err != nil {
		return nil, err
	}
	return s.requireUser(ctx, ScopeFollowRead)
}

// requestsQuery is the query behind the pending requests to follow userID.
func (s *Service) requestsQuery(userID string) *ent.FollowQuery {
	return s.db.Follow.Query().Where(follow.TargetID(userID), approvedIs(false))
}

// blocksQuery is the query behind the list of users userID has blocked.
func (s *Service) blocksQuery(userID string) *ent.BlockQuery {
	return s.db.Block.Query().Where(block.SourceID(userID))
}

// followListQuery is the query behind a followers or following list of owner as viewer sees
// it: approved entries only, without the users who have blocked the viewer. With viewer ""
// (the admin and client APIs) nobody is left out.
func (s *Service) followListQuery(viewer, owner string, followers bool) *ent.FollowQuery {
	q := s.db.Follow.Query()
	if followers {
		q = q.Where(follow.TargetID(owner), approvedIs(true))
	} else {
		q = q.Where(follow.SourceID(owner), approvedIs(true))
	}
	if viewer != "" {
		q = q.Where(notBlockingViewer(listedColumn(followers), viewer))
	}
	return q
}

// listedColumn is the column of a follow entry naming the listed user: the follower (source)
// in a followers list, the followed (target) in a following list.
func listedColumn(followers bool) string {
	if followers {
		return follow.FieldSourceID
	}
	return follow.FieldTargetID
}

// approvedIs is follow.Approved written as "approved = ?": ent writes a bare "approved", which
// SQLite does not match to the index (target_id, approved, created_at, id), so it would sort
// the whole list instead of reading the index in order.
func approvedIs(v bool) predicate.Follow {
	return func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			b.Ident(s.C(follow.FieldApproved)).WriteOp(sql.OpEQ).Arg(v)
		}))
	}
}

// notBlockingViewer keeps the rows whose column col names a user who has not blocked viewer.
func notBlockingViewer(col, viewer string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		t := sql.Table(block.Table)
		s.Where(sql.NotIn(s.C(col), sql.Select(t.C(block.FieldSourceID)).From(t).Where(sql.EQ(t.C(block.FieldTargetID), viewer))))
	}
}

// listOwner resolves whose list is asked for and checks the caller may see it: not when the
// owner has blocked the caller (403 Blocked), nor when the owner is private and the caller is
// not an approved follower (403 Forbidden not_following), nor for a banned or deleted owner.
func (s *Service) listOwner(ctx context.Context, id *auth.Identity, userID string) (string, error) {
	me := id.User.ID
	if userID == "" {
		return me, nil
	}
	var c rules.Check
	uid := checkID(&c, "userId", userID)
	if err := c.Err(); err != nil || uid == me {
		return uid, err
	}
	u, err := s.db.User.Get(ctx, uid)
	if ent.IsNotFound(err) {
		return "", errNotFound
	}
	if err != nil {
		return "", err
	}
	rel, err := s.Relation(ctx, uid)
	if err != nil {
		return "", err
	}
	switch {
	case rel.BlockedBy:
		return "", errBlocked
	case u.IsBanned || u.IsDeleted:
		return "", inactive(u)
	case u.IsPrivate && !rel.Following:
		return "", errNotFollowing
	}
	return uid, nil
}

// followPage runs one page of a follow list: newest first, after the offset, with the listed
// user (the entry's source in a followers list, else its target) loaded.
func (s *Service) followPage(ctx context.Context, q *ent.FollowQuery, pg page, followers bool) ([]Entry, error) {
	listed := listedColumn(followers)
	if pg.offsetID != "" {
		anchor, err := q.Clone().Where(func(sel *sql.Selector) {
			sel.Where(sql.Or(sql.EQ(sel.C(follow.FieldID), pg.offsetID), sql.EQ(sel.C(listed), pg.offsetID)))
		}).Select(follow.FieldID, follow.FieldCreatedAt).First(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		q = q.Where(pg.after(anchorOf(anchor)))
	} else if pg.hasOffset() {
		q = q.Where(pg.after(nil))
	}
	q = q.Order(follow.ByCreatedAt(sql.OrderDesc()), follow.ByID(sql.OrderDesc())).Limit(pg.limit)
	if followers {
		q = q.WithSource()
	} else {
		q = q.WithTarget()
	}
	entries, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(entries))
	for i, e := range entries {
		out[i] = Entry{Follow: e, User: e.Edges.Target}
		if followers {
			out[i].User = e.Edges.Source
		}
	}
	return out, nil
}

// withViews fills in, for each entry, the fields of its user the caller may not see (and
// more), loading the caller's relations to the page's users in one batch.
func (s *Service) withViews(ctx context.Context, entries []Entry, more []string) error {
	users := make([]*ent.User, len(entries))
	for i, e := range entries {
		users[i] = e.User
	}
	hides, err := s.views(ctx, users, more)
	if err != nil {
		return err
	}
	for i := range entries {
		entries[i].Hide = hides[i]
	}
	return nil
}

// BlockedUsers lists the users the caller has blocked, newest first (GET /user/blocked-users;
// Liquid has no such route).
func (s *Service) BlockedUsers(ctx context.Context, p Page) ([]BlockEntry, error) {
	id, err := s.requireUser(ctx, ScopeBlockRead)
	if err != nil {
		return nil, err
	}
	pg, err := s.parsePage(p, s.cfg.Pagination.DefaultLimit)
	if err != nil {
		return nil, err
	}
	q := s.blocksQuery(id.User.ID)
	if pg.offsetID != "" {
		anchor, err := q.Clone().Where(block.Or(block.ID(pg.offsetID), block.TargetID(pg.offsetID))).
			Select(block.FieldID, block.FieldCreatedAt).First(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		var a *anchorPoint
		if anchor != nil {
			a = &anchorPoint{anchor.ID, anchor.CreatedAt}
		}
		q = q.Where(pg.after(a))
	} else if pg.hasOffset() {
		q = q.Where(pg.after(nil))
	}
	blocks, err := q.Order(block.ByCreatedAt(sql.OrderDesc()), block.ByID(sql.OrderDesc())).Limit(pg.limit).WithTarget().All(ctx)
	if err != nil {
		return nil, err
	}
	users := make([]*ent.User, len(blocks))
	for i, b := range blocks {
		users[i] = b.Edges.Target
	}
	hides, err := s.views(ctx, users, nil)
	if err != nil {
		return nil, err
	}
	out := make([]BlockEntry, len(blocks))
	for i, b := range blocks {
		out[i] = BlockEntry{Block: b, User: users[i], Hide: hides[i]}
	}
	return out, nil
}

// views loads the caller's relations to users in one batch and returns, for each, the fields
// the caller may not see.
func (s *Service) views(ctx context.Context, users []*ent.User, more []string) ([][]string, error) {
	ids := make([]string, 0, len(users))
	for _, u := range users {
		if u != nil {
			ids = append(ids, u.ID)
		}
	}
	if _, err := s.Relations(ctx, ids...); err != nil {
		return nil, err
	}
	out := make([][]string, len(users))
	for i, u := range users {
		if u != nil {
			out[i] = append(s.hidden(ctx, u), more...)
		}
	}
	return out, nil
}

// Page asks for one page of a list, newest first.
type Page struct {
	// Limit is the page size: nil or 0 for the list's default, more than
	// pagination.max-limit for the maximum. A negative size is refused.
	Limit *int
	// Offset continues after the last record of the previous page: its _id (or the _id of its
	// listed user) or its createdAt as an ISO 8601 date; "" starts at the newest. Surrounding
	// spaces are ignored.
	Offset string
}

// Check adds p's violations of rules.PageLimit and rules.PageOffset to c, under "limit" and
// "offset". The operations taking a Page check it; an API edge that decodes one may check it
// too, to report every bad parameter in one answer.
func (p Page) Check(c *rules.Check) {
	if p.Limit != nil && *p.Limit < 0 {
		c.Fail("limit", rules.PageLimit.ID, rules.PageLimit.Message)
	}
	if off := strings.TrimSpace(p.Offset); off != "" && !validate.IsObjectID(off) {
		if _, ok := parseDate(off); !ok {
			c.Fail("offset", rules.PageOffset.ID, rules.PageOffset.Message)
		}
	}
}

// page is a checked Page (liquid-behaviour.md §4.5).
type page struct {
	limit int
	// offsetID is the _id of the last record of the previous page (or of its listed user).
	offsetID string
	// offsetTime is the createdAt of the last record, when the offset is a date.
	offsetTime *time.Time
}

func (p page) hasOffset() bool { return p.offsetID != "" || p.offsetTime != nil }

// anchorPoint is the position of the last record of the previous page.
type anchorPoint struct {
	id      string
	created time.Time
}

func anchorOf(f *ent.Follow) *anchorPoint {
	if f == nil {
		return nil
	}
	return &anchorPoint{f.ID, f.CreatedAt}
}

// after is the keyset condition "comes after the offset" in (created_at DESC, id DESC) order.
// anchor is the record the offset id named, nil when that record no longer exists; then the
// time inside the ObjectId stands in for its createdAt.
func (p page) after(anchor *anchorPoint) func(*sql.Selector) {
	return func(s *sql.Selector) {
		created, id := s.C("created_at"), s.C("id")
		switch {
		case p.offsetTime != nil:
			s.Where(sql.LT(created, *p.offsetTime))
		case anchor != nil:
			s.Where(sql.CompositeLT([]string{created, id}, anchor.created, anchor.id))
		default:
			// The record is gone (unfollowed since): ids start with their creation second.
			sec := objectIDTime(p.offsetID)
			s.Where(sql.Or(sql.LT(created, sec), sql.And(sql.LT(created, sec.Add(time.Second)), sql.LT(id, p.offsetID))))
		}
	}
}

// objectIDTime is the creation second an ObjectId carries in its first four bytes.
func objectIDTime(id string) time.Time {
	b, err := hex.DecodeString(id[:8])
	if err != nil || len(b) != 4 {
		return time.Unix(0, 0).UTC()
	}
	return time.Unix(int64(uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3])), 0).UTC()
}

// parsePage checks p and reads it: an absent or 0 limit gives defaultLimit, more than
// pagination.max-limit gives the maximum; a negative limit, or an offset that is neither an id
// nor a date, is a ClientInputError naming limit or offset (Liquid answers 500 or silently uses
// the default).
func (s *Service) parsePage(p Page, defaultLimit int) (page, error) {
	var c rules.Check
	p.Check(&c)
	if err := c.Err(); err != nil {
		return page{}, err
	}
	pg := page{limit: defaultLimit}
	if p.Limit != nil && *p.Limit > 0 {
		pg.limit = *p.Limit
	}
	pg.limit = min(pg.limit, s.cfg.Pagination.MaxLimit)
	switch off := strings.TrimSpace(p.Offset); {
	case off == "":
	case validate.IsObjectID(off):
		pg.offsetID = strings.ToLower(off)
	default:
		t, _ := parseDate(off)
		pg.offsetTime = &t
	}
	return pg, nil
}

// parseDate reads the ISO 8601 forms JavaScript's Date.toISOString and Date.parse use.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ConnArgs are a Relay connection's arguments.
type ConnArgs struct {
	After  *ent.Cursor
	First  *int
	Before *ent.Cursor
	Last   *int
}

// rulePageSize: a page asked for more than pagination.max-limit records (or fewer than none).
const rulePageSize = "pageSize"

// check applies the list limits to a connection: first defaults to pagination.default-limit
// and neither first nor last may exceed pagination.max-limit.
func (s *Service) check(a *ConnArgs) error {
	var c rules.Check
	for _, size := range []struct {
		name string
		n    *int
	}{{"first", a.First}, {"last", a.Last}} {
		if size.n != nil && (*size.n < 0 || *size.n > s.cfg.Pagination.MaxLimit) {
			c.Fail(size.name, rulePageSize, fmt.Sprintf("must be 0 to %d", s.cfg.Pagination.MaxLimit))
		}
	}
	if err := c.Err(); err != nil {
		return err
	}
	if a.First == nil && a.Last == nil {
		n := s.cfg.Pagination.DefaultLimit
		a.First = &n
	}
	return nil
}

var newestFollowFirst = ent.WithFollowOrder(&ent.FollowOrder{Direction: entgql.OrderDirectionDesc, Field: ent.FollowOrderFieldCreatedAt})

// FollowersConnection is Followers as a Relay connection (GraphQL User.followers).
func (s *Service) FollowersConnection(ctx context.Context, userID string, a ConnArgs) (*ent.FollowConnection, error) {
	return s.followConnection(ctx, userID, a, true)
}

// FollowingConnection is Following as a Relay connection (GraphQL User.following).
func (s *Service) FollowingConnection(ctx context.Context, userID string, a ConnArgs) (*ent.FollowConnection, error) {
	return s.followConnection(ctx, userID, a, false)
}

func (s *Service) followConnection(ctx context.Context, userID string, a ConnArgs, followers bool) (*ent.FollowConnection, error) {
	id, err := s.followRead(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.check(&a); err != nil {
		return nil, err
	}
	owner, err := s.listOwner(ctx, id, userID)
	if err != nil {
		return nil, err
	}
	return s.followConn(ctx, s.followListQuery(id.User.ID, owner, followers), a, followers, s.storedCount(owner, followers))
}

// storedCount reads owner's followerCount (followers) or followingCount: the totalCount of a
// followers or following connection, kept equal to the approved edges by every change, so a
// connection never counts a list that may hold millions of entries. It counts every approved
// edge, including followers who have blocked the viewer and so are left out of the viewer's
// pages.
func (s *Service) storedCount(owner string, followers bool) func(context.Context) (int, error) {
	column := user.FieldFollowingCount
	if followers {
		column = user.FieldFollowerCount
	}
	return func(ctx context.Context) (int, error) {
		return s.db.User.Query().Where(user.ID(owner)).Select(column).Int(ctx)
	}
}

// FollowRequestsConnection is FollowRequests as a Relay connection.
func (s *Service) FollowRequestsConnection(ctx context.Context, a ConnArgs) (*ent.FollowConnection, error) {
	id, err := s.followRead(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.check(&a); err != nil {
		return nil, err
	}
	return s.followConn(ctx, s.requestsQuery(id.User.ID), a, true, nil)
}

// followConn pages q as a Relay connection, newest first, and loads the caller's relations to
// the listed users (the sources with followers, else the targets) in one batch. total gives
// totalCount when it is selected (nil: COUNT the list); pageInfo alone never counts.
func (s *Service) followConn(ctx context.Context, q *ent.FollowQuery, a ConnArgs, followers bool, total func(context.Context) (int, error)) (*ent.FollowConnection, error) {
	conn, err := q.PaginateTotal(ctx, total, a.After, a.First, a.Before, a.Last, newestFollowFirst)
	if err != nil {
		return nil, err
	}
	return conn, prime(ctx, s, conn.Edges, func(e *ent.FollowEdge) (string, bool) {
		if e.Node == nil {
			return "", false
		}
		if followers {
			return e.Node.SourceID, true
		}
		return e.Node.TargetID, true
	})
}

// prime loads the caller's relations to the users the edges of a connection page name (id
// returns false for an edge naming nobody) in one batch, for the fields resolved on them.
func prime[E any](ctx context.Context, s *Service, edges []E, id func(E) (string, bool)) error {
	ids := make([]string, 0, len(edges))
	for _, e := range edges {
		// An id is empty when only the page's cursors were read (edges not selected).
		if x, ok := id(e); ok && x != "" {
			ids = append(ids, x)
		}
	}
	_, err := s.Relations(ctx, ids...)
	return err
}

// BlockedConnection is BlockedUsers as a Relay connection.
func (s *Service) BlockedConnection(ctx context.Context, a ConnArgs) (*ent.BlockConnection, error) {
	id, err := s.requireUser(ctx, ScopeBlockRead)
	if err != nil {
		return nil, err
	}
	if err := s.check(&a); err != nil {
		return nil, err
	}
	conn, err := s.blocksQuery(id.User.ID).
		Paginate(ctx, a.After, a.First, a.Before, a.Last,
			ent.WithBlockOrder(&ent.BlockOrder{Direction: entgql.OrderDirectionDesc, Field: ent.BlockOrderFieldCreatedAt}))
	if err != nil {
		return nil, err
	}
	return conn, prime(ctx, s, conn.Edges, func(e *ent.BlockEdge) (string, bool) {
		if e.Node == nil {
			return "", false
		}
		return e.Node.TargetID, true
	})
}
