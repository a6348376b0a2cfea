package social

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"

	"usergraph/ent"
	"usergraph/ent/block"
	"usergraph/ent/follow"
	"usergraph/ent/user"
	"usergraph/internal/access"
	"usergraph/internal/accounts"
	"usergraph/internal/apperr"
	"usergraph/internal/validate"
)

// The social operations of the admin and client APIs (liquid-behaviour.md §2.3, §2.4): the
// graph as a service or an administrator sees it. They take the API they are reached through
// (access.Via): the client API refuses user tokens. None of them filters by blocks or strips
// the non-follower fields; callers render the admin/client projection.

// Scopes of the admin and client APIs' social operations. The status and list operations exist
// only in the client API (there are no admin: scopes for them); invite codes and search exist
// in both.
const (
	ScopeClientBlockRead  = "client:social:block:read"
	ScopeClientFollowRead = "client:social:follow:read"
	// SharedInviteCodeRead and SharedInviteCodeWrite name shared checks
	// (client:social:invite-code:… or admin:social:invite-code:…).
	SharedInviteCodeRead  = "social:invite-code:read"
	SharedInviteCodeWrite = "social:invite-code:write"
	// ScopeAdminSearch and ScopeClientSearch are session checks, without the super_admin
	// bypass of the shared check, as in Liquid.
	ScopeAdminSearch  = "admin:profile:search"
	ScopeClientSearch = "client:profile:search"
)

// userIDs reads and checks id arguments naming users: each must be an ObjectId (400 naming every
// bad one), and every named user must exist (404 NotFound).
func (s *Service) userIDs(ctx context.Context, f accounts.Fields, names ...string) ([]string, error) {
	c := validate.New(f.Location)
	for _, n := range names {
		c.ObjectID(n, validate.Field(f.Values, n), true, 64)
	}
	if errs := c.Errors(); errs != nil {
		return nil, apperr.Input(errs)
	}
	ids := make([]string, len(names))
	distinct := map[string]bool{}
	for i, n := range names {
		ids[i] = strings.ToLower(f.Str(n))
		distinct[ids[i]] = true
	}
	found, err := s.db.User.Query().Where(user.IDIn(ids...)).Count(ctx)
	if err != nil {
		return nil, err
	}
	if found != len(distinct) {
		return nil, errNotFound
	}
	return ids, nil
}

// AdminBlockStatus reports whether f's source has blocked f's target (GET
// /user/client-api/block-status?source&target). It reads the database every time (Liquid
// caches the answer for 60 s and so reports an unblock late).
func (s *Service) AdminBlockStatus(ctx context.Context, via access.Via, f accounts.Fields) (bool, error) {
	if _, err := s.access.Through(ctx, via, access.Session(ScopeClientBlockRead)); err != nil {
		return false, err
	}
	ids, err := s.userIDs(ctx, f, "source", "target")
	if err != nil {
		return false, err
	}
	return s.db.Block.Query().Where(block.SourceID(ids[0]), block.TargetID(ids[1])).Exist(ctx)
}

// AdminFollowStatus reports whether f's source follows f's target, counting approved follows
// only (GET /user/client-api/follow-status?source&target).
func (s *Service) AdminFollowStatus(ctx context.Context, via access.Via, f accounts.Fields) (bool, error) {
	if err := s.followAPIs(); err != nil {
		return false, err
	}
	if _, err := s.access.Through(ctx, via, access.Session(ScopeClientFollowRead)); err != nil {
		return false, err
	}
	ids, err := s.userIDs(ctx, f, "source", "target")
	if err != nil {
		return false, err
	}
	return s.db.Follow.Query().Where(follow.SourceID(ids[0]), follow.TargetID(ids[1]), approvedIs(true)).Exist(ctx)
}

// AdminFollowers lists who follows f's target, newest first, with limit and offset as the
// delegated lists (GET /user/client-api/user-followers). Nobody is left out: not the users who
// blocked someone, not banned or deleted ones.
func (s *Service) AdminFollowers(ctx context.Context, via access.Via, f accounts.Fields) ([]Entry, error) {
	return s.adminFollowList(ctx, via, f, true)
}

// AdminFollowing lists whom f's target follows (GET /user/client-api/user-following).
func (s *Service) AdminFollowing(ctx context.Context, via access.Via, f accounts.Fields) ([]Entry, error) {
	return s.adminFollowList(ctx, via, f, false)
}

func (s *Service) adminFollowList(ctx context.Context, via access.Via, f accounts.Fields, followers bool) ([]Entry, error) {
	if err := s.followAPIs(); err != nil {
		return nil, err
	}
	if _, err := s.access.Through(ctx, via, access.Session(ScopeClientFollowRead)); err != nil {
		return nil, err
	}
	pg, err := s.parsePage(f, s.cfg.Pagination.DefaultLimit)
	if err != nil {
		return nil, err
	}
	ids, err := s.userIDs(ctx, f, "target")
	if err != nil {
		return nil, err
	}
	return s.followPage(ctx, s.followListQuery("", ids[0], followers), pg, followers)
}

// AdminFollowersConnection is AdminFollowers as a Relay connection (GraphQL adminFollowers).
func (s *Service) AdminFollowersConnection(ctx context.Context, userID string, a ConnArgs) (*ent.FollowConnection, error) {
	return s.adminFollowConnection(ctx, userID, a, true)
}

// AdminFollowingConnection is AdminFollowing as a Relay connection (GraphQL adminFollowing).
func (s *Service) AdminFollowingConnection(ctx context.Context, userID string, a ConnArgs) (*ent.FollowConnection, error) {
	return s.adminFollowConnection(ctx, userID, a, false)
}

func (s *Service) adminFollowConnection(ctx context.Context, userID string, a ConnArgs, followers bool) (*ent.FollowConnection, error) {
	if err := s.followAPIs(); err != nil {
		return nil, err
	}
	if _, err := s.access.Require(ctx, access.Session(ScopeClientFollowRead)); err != nil {
		return nil, err
	}
	if err := s.check(&a); err != nil {
		return nil, err
	}
	ids, err := s.userIDs(ctx, accounts.Body(map[string]any{"userId": userID}), "userId")
	if err != nil {
		return nil, err
	}
	return s.followConn(ctx, s.followListQuery("", ids[0], followers), a, followers, s.storedCount(ids[0], followers))
}

// AdminInviteCodes returns the invite codes of f's target, oldest first (GET
// …/invite-codes?target). Liquid reads the target from the body of this GET, so its route
// always answers []; the target is read from the query here, as its validator and docs say.
// An unknown target is 404. The routes exist only while invite codes are on.
func (s *Service) AdminInviteCodes(ctx context.Context, via access.Via, f accounts.Fields) ([]*ent.InviteCode, error) {
	if !s.inviteCodesOn() {
		return nil, errNotFound
	}
	if _, err := s.access.Through(ctx, via, access.Shared(SharedInviteCodeRead)); err != nil {
		return nil, err
	}
	ids, err := s.userIDs(ctx, f, "target")
	if err != nil {
		return nil, err
	}
	return s.codesOf(ctx, ids[0])
}

var intText = regexp.MustCompile(`^\s*[+-]?\d+\s*$`)

// inviteCount reads the count of GenerateInviteCodes: an integer, as a JSON number or as digits
// in a string (form bodies send strings). Absent or 0 is the default, as Liquid's
// parseInt(count) || default; a negative or fractional count, or anything else, is a 400
// naming count.
func inviteCount(c *validate.Checker, v any, def int) int {
	var (
		n  float64
		ok bool
	)
	switch x := v.(type) {
	case nil, validate.NullValue:
		return def
	case string:
		if intText.MatchString(x) {
			n, ok = parseFloat(strings.TrimSpace(x))
		}
	case float64:
		n, ok = x, x == math.Trunc(x)
	case int:
		n, ok = float64(x), true
	case int64:
		n, ok = float64(x), true
	case json.Number:
		n, ok = parseFloat(string(x))
		ok = ok && n == math.Trunc(n)
	}
	if !ok || n < 0 || math.IsInf(n, 0) {
		c.Add("count", v)
		return 0
	}
	if n == 0 {
		return def
	}
	return int(min(n, 1<<20))
}

func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// GenerateInviteCodes gives f's target count more invite codes (POST …/invite-codes {target,
// count}) and returns them. count defaults to user.account-creation.invites-per-person; more
// than invite-only.code-generation.max-limit-per-request is 400
// GenerationTargetExceededForRequest. An unknown target is 400 InvalidTarget, as in Liquid, and
// the caller must outrank the target's role (Liquid does not check). The routes exist only
// while invite codes are on.
func (s *Service) GenerateInviteCodes(ctx context.Context, via access.Via, f accounts.Fields) ([]*ent.InviteCode, error) {
	if !s.inviteCodesOn() {
		return nil, errNotFound
	}
	c, err := s.access.Through(ctx, via, access.Shared(SharedInviteCodeWrite))
	if err != nil {
		return nil, err
	}
	ch := validate.New(f.Location)
	ch.ObjectID("target", validate.Field(f.Values, "target"), true, 64)
	count := inviteCount(ch, validate.Field(f.Values, "count"), s.cfg.Account.InvitesPerPerson)
	if errs := ch.Errors(); errs != nil {
		return nil, apperr.Input(errs)
	}
	if count > s.cfg.InviteCodeMaxPerRequest {
		return nil, apperr.New(apperr.GenerationTargetExceed, nil)
	}
	t, err := s.db.User.Get(ctx, strings.ToLower(f.Str("target")))
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.InvalidTarget, nil)
	}
	if err != nil {
		return nil, err
	}
	if err := s.access.CheckRoles(ctx, c, t.Role); err != nil {
		return nil, err
	}
	if count <= 0 {
		return []*ent.InviteCode{}, nil
	}
	return s.generateCodes(ctx, s.db, t.ID, count)
}

// AdminSearch finds users for the admin and client APIs (POST …/search {query}): the admin or
// client search settings (admin-api.user.search.*, client-api.user.search.*), the same text
// matching and filter language as the delegated search, and nobody left out: not blocked, nor
// banned or deleted users. Results come in _id order, at most the mode's
// search-results.limit of them.
func (s *Service) AdminSearch(ctx context.Context, via access.Via, f accounts.Fields) ([]*ent.User, error) {
	m, err := s.adminSearch(ctx, via)
	if err != nil {
		return nil, err
	}
	return s.runSearch(ctx, m, f.Location, validate.Field(f.Values, "query"))
}

// AdminSearchConnection is AdminSearch as a Relay connection (GraphQL adminSearchUsers).
func (s *Service) AdminSearchConnection(ctx context.Context, query any, a ConnArgs) (*ent.UserConnection, error) {
	m, err := s.adminSearch(ctx, access.ViaGraphQL)
	if err != nil {
		return nil, err
	}
	return s.searchConnection(ctx, m, query, a)
}

// adminSearch checks who may search and returns their search. The admin API's search is the
// session check of admin:profile:search (no super_admin bypass) and is switched off by
// privilege.can-use-admin-user-search-api (404, as Liquid does not mount it); the client API's
// is the session check of client:profile:search. In GraphQL a user gets the admin search and a
// client token the client search.
func (s *Service) adminSearch(ctx context.Context, via access.Via) (searchMode, error) {
	if via == access.ViaAdmin && !s.cfg.Privilege.CanUseAdminSearch {
		return searchMode{}, errNotFound
	}
	req := access.Session(ScopeAdminSearch)
	switch via {
	case access.ViaClient:
		req = access.Session(ScopeClientSearch)
	case access.ViaGraphQL:
		req = access.AnyOf(ScopeAdminSearch, ScopeClientSearch)
	}
	c, err := s.access.Through(ctx, via, req)
	if err != nil {
		return searchMode{}, err
	}
	if via.Entity(c) == "client" {
		if via == access.ViaGraphQL && !c.Allows(ScopeClientSearch) {
			return searchMode{}, apperr.New(apperr.InsufficientPrivileges, nil)
		}
		return searchMode{cfg: s.cfg.Search.Client, privileged: true}, nil
	}
	if via == access.ViaGraphQL {
		if !s.cfg.Privilege.CanUseAdminSearch {
			return searchMode{}, errNotFound
		}
		if !c.Allows(ScopeAdminSearch) {
			return searchMode{}, apperr.New(apperr.InsufficientPrivileges, nil)
		}
	}
	return searchMode{cfg: s.cfg.Search.Admin, privileged: true}, nil
}
