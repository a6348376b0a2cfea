package social

import (
	"context"

	"usergraph/ent"
	"usergraph/ent/block"
	"usergraph/ent/follow"
	"usergraph/ent/user"
	"usergraph/internal/access"
	"usergraph/internal/apperr"
	"usergraph/internal/rules"
	"usergraph/internal/userfilter"
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

// userIDs checks id arguments naming users, given as field name and id pairs (the domain's
// names: "userId", "sourceId", ...): each must be an id (rules.ID; every bad one is reported),
// and every named user must exist (404 NotFound). It returns the ids lower-cased, in order.
func (s *Service) userIDs(ctx context.Context, pairs ...string) ([]string, error) {
	var c rules.Check
	ids := make([]string, 0, len(pairs)/2)
	distinct := map[string]bool{}
	for i := 0; i+1 < len(pairs); i += 2 {
		id := checkID(&c, pairs[i], pairs[i+1])
		ids = append(ids, id)
		distinct[id] = true
	}
	if err := c.Err(); err != nil {
		return nil, err
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

// AdminBlockStatus reports whether sourceID has blocked targetID (GET
// /user/client-api/block-status?source&target). It reads the database every time (Liquid
// caches the answer for 60 s and so reports an unblock late).
func (s *Service) AdminBlockStatus(ctx context.Context, via access.Via, sourceID, targetID string) (bool, error) {
	if _, err := s.access.Through(ctx, via, access.Session(ScopeClientBlockRead)); err != nil {
		return false, err
	}
	ids, err := s.userIDs(ctx, "sourceId", sourceID, "targetId", targetID)
	if err != nil {
		return false, err
	}
	return s.db.Block.Query().Where(block.SourceID(ids[0]), block.TargetID(ids[1])).Exist(ctx)
}

// AdminFollowStatus reports whether sourceID follows targetID, counting approved follows only
// (GET /user/client-api/follow-status?source&target).
func (s *Service) AdminFollowStatus(ctx context.Context, via access.Via, sourceID, targetID string) (bool, error) {
	if err := s.followAPIs(); err != nil {
		return false, err
	}
	if _, err := s.access.Through(ctx, via, access.Session(ScopeClientFollowRead)); err != nil {
		return false, err
	}
	ids, err := s.userIDs(ctx, "sourceId", sourceID, "targetId", targetID)
	if err != nil {
		return false, err
	}
	return s.db.Follow.Query().Where(follow.SourceID(ids[0]), follow.TargetID(ids[1]), approvedIs(true)).Exist(ctx)
}

// AdminFollowers lists who follows userID, newest first, one page p as the delegated lists
// (GET /user/client-api/user-followers). Nobody is left out: not the users who blocked
// someone, not banned or deleted ones.
func (s *Service) AdminFollowers(ctx context.Context, via access.Via, userID string, p Page) ([]Entry, error) {
	return s.adminFollowList(ctx, via, userID, p, true)
}

// AdminFollowing lists whom userID follows (GET /user/client-api/user-following).
func (s *Service) AdminFollowing(ctx context.Context, via access.Via, userID string, p Page) ([]Entry, error) {
	return s.adminFollowList(ctx, via, userID, p, false)
}

func (s *Service) adminFollowList(ctx context.Context, via access.Via, userID string, p Page, followers bool) ([]Entry, error) {
	if err := s.followAPIs(); err != nil {
		return nil, err
	}
	if _, err := s.access.Through(ctx, via, access.Session(ScopeClientFollowRead)); err != nil {
		return nil, err
	}
	pg, err := s.parsePage(p, s.cfg.Pagination.DefaultLimit)
	if err != nil {
		return nil, err
	}
	ids, err := s.userIDs(ctx, "userId", userID)
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
	ids, err := s.userIDs(ctx, "userId", userID)
	if err != nil {
		return nil, err
	}
	return s.followConn(ctx, s.followListQuery("", ids[0], followers), a, followers, s.storedCount(ids[0], followers))
}

// AdminInviteCodes returns userID's invite codes, oldest first (GET …/invite-codes?target).
// Liquid reads the target from the body of this GET, so its route always answers []; the
// target is read from the query here, as its validator and docs say. An unknown target is 404.
// The routes exist only while invite codes are on.
func (s *Service) AdminInviteCodes(ctx context.Context, via access.Via, userID string) ([]*ent.InviteCode, error) {
	if !s.InviteCodesOn() {
		return nil, errNotFound
	}
	if _, err := s.access.Through(ctx, via, access.Shared(SharedInviteCodeRead)); err != nil {
		return nil, err
	}
	ids, err := s.userIDs(ctx, "userId", userID)
	if err != nil {
		return nil, err
	}
	return s.codesOf(ctx, ids[0])
}

// GenerateInviteCodesInput asks for more invite codes for a user.
type GenerateInviteCodesInput struct {
	UserID string
	// Count is how many: nil or 0 for user.account-creation.invites-per-person; negative is
	// refused (rules.InviteCount).
	Count *int
}

// GenerateInviteCodes gives in.UserID in.Count more invite codes (POST …/invite-codes {target,
// count}) and returns them. More than invite-only.code-generation.max-limit-per-request is 400
// GenerationTargetExceededForRequest. An unknown user is 400 InvalidTarget, as in Liquid, and
// the caller must outrank the user's role (Liquid does not check). The routes exist only while
// invite codes are on.
func (s *Service) GenerateInviteCodes(ctx context.Context, via access.Via, in GenerateInviteCodesInput) ([]*ent.InviteCode, error) {
	if !s.InviteCodesOn() {
		return nil, errNotFound
	}
	c, err := s.access.Through(ctx, via, access.Shared(SharedInviteCodeWrite))
	if err != nil {
		return nil, err
	}
	var ch rules.Check
	target := checkID(&ch, "userId", in.UserID)
	count := s.cfg.Account.InvitesPerPerson
	if in.Count != nil {
		switch {
		case *in.Count < 0:
			ch.Fail("count", rules.InviteCount.ID, rules.InviteCount.Message)
		case *in.Count > 0:
			count = *in.Count
		}
	}
	if err := ch.Err(); err != nil {
		return nil, err
	}
	if count > s.cfg.InviteCodeMaxPerRequest {
		return nil, apperr.New(apperr.GenerationTargetExceed, nil)
	}
	t, err := s.db.User.Get(ctx, target)
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
func (s *Service) AdminSearch(ctx context.Context, via access.Via, query userfilter.Query) ([]*ent.User, error) {
	m, err := s.adminSearch(ctx, via)
	if err != nil {
		return nil, err
	}
	return s.runSearch(ctx, m, query)
}

// AdminSearchConnection is AdminSearch as a Relay connection (GraphQL adminSearchUsers).
func (s *Service) AdminSearchConnection(ctx context.Context, query userfilter.Query, a ConnArgs) (*ent.UserConnection, error) {
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
