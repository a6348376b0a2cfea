package accounts

import (
	"context"
	"strings"

	"usergraph/ent"
	"usergraph/ent/loginhistory"
	"usergraph/ent/user"
	"usergraph/internal/access"
	"usergraph/internal/apperr"
	"usergraph/internal/objectid"
	"usergraph/internal/rules"
)

// ScopeLoginHistory is the scope of a user's own login history.
const ScopeLoginHistory = "delegated:profile:login-history:read"

// HistoryPage asks for one page of login history, newest first.
type HistoryPage struct {
	// Limit is the page size: nil or 0 for the default, capped at the maximum.
	Limit *int
	// Offset continues after the last record of the previous page: its createdAt (as Liquid's
	// clients send) or its id. Nil or empty starts at the newest.
	Offset *string
}

// MyLoginHistory is the caller's own login history (GET /user/login-history).
func (s *Service) MyLoginHistory(ctx context.Context, page HistoryPage) ([]*ent.LoginHistory, error) {
	c, err := s.requireUser(ctx, ScopeLoginHistory)
	if err != nil {
		return nil, err
	}
	return s.loginHistory(ctx, c.User.ID, page)
}

// LoginHistory is any user's login history (GET …/login-history?target=). Unlike Liquid, the
// target is validated, and an unknown one is 404.
func (s *Service) LoginHistory(ctx context.Context, via access.Via, userID string, page HistoryPage) ([]*ent.LoginHistory, error) {
	if _, err := s.access.Through(ctx, via, access.Shared("profile:login-history:read")); err != nil {
		return nil, err
	}
	var c rules.Check
	c.String("userId", userID, rules.ID)
	if err := c.Err(); err != nil {
		return nil, err
	}
	target := strings.ToLower(userID)
	exists, err := s.db.User.Query().Where(user.ID(target)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, apperr.New(apperr.NotFound, nil)
	}
	return s.loginHistory(ctx, target, page)
}

// loginHistory returns a page of records, newest first. Liquid compared createdAt > offset and
// so returned newer records; this returns the older ones.
func (s *Service) loginHistory(ctx context.Context, userID string, page HistoryPage) ([]*ent.LoginHistory, error) {
	var c rules.Check
	limit := s.pageLimit(&c, page.Limit)
	q := s.db.LoginHistory.Query().
		Where(loginhistory.UserID(userID), loginhistory.ExpiresAtGT(s.now())).
		Order(ent.Desc(loginhistory.FieldCreatedAt), ent.Desc(loginhistory.FieldID)).
		Limit(limit)
	if off := page.Offset; off != nil && *off != "" {
		if objectid.Valid(*off) {
			last, err := s.db.LoginHistory.Query().Where(loginhistory.ID(strings.ToLower(*off)), loginhistory.UserID(userID)).Only(ctx)
			if ent.IsNotFound(err) {
				c.Fail("offset", "cursor", "must be the id of a record of this history")
			} else if err != nil {
				return nil, err
			} else {
				q.Where(loginhistory.Or(loginhistory.CreatedAtLT(last.CreatedAt),
					loginhistory.And(loginhistory.CreatedAt(last.CreatedAt), loginhistory.IDLT(last.ID))))
			}
		} else if t, ok := ParseTime(*off); ok {
			q.Where(loginhistory.CreatedAtLT(t))
		} else {
			c.Fail("offset", "cursor", "must be the createdAt time or the id of the last record of the previous page")
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return q.All(ctx)
}

// pageLimit is the page size asked for: nil or 0 is the default, more than the maximum is the
// maximum, a negative one is a violation of "limit".
func (s *Service) pageLimit(c *rules.Check, limit *int) int {
	p := s.cfg.Pagination
	switch {
	case limit == nil || *limit == 0:
		return p.DefaultLimit
	case *limit < 0:
		c.Fail("limit", rules.PageLimit.ID, rules.PageLimit.Message)
		return p.DefaultLimit
	case *limit > p.MaxLimit:
		return p.MaxLimit
	}
	return *limit
}
