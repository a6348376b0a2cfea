package accounts

import (
	"context"
	"strings"

	"usergraph/ent"
	"usergraph/ent/loginhistory"
	"usergraph/ent/user"
	"usergraph/internal/access"
	"usergraph/internal/apperr"
	"usergraph/internal/validate"
)

// ScopeLoginHistory is the scope of a user's own login history.
const ScopeLoginHistory = "delegated:profile:login-history:read"

// MyLoginHistory is the caller's own login history (GET /user/login-history).
func (s *Service) MyLoginHistory(ctx context.Context, f Fields) ([]*ent.LoginHistory, error) {
	c, err := s.requireUser(ctx, ScopeLoginHistory)
	if err != nil {
		return nil, err
	}
	return s.loginHistory(ctx, c.User.ID, f)
}

// LoginHistory is any user's login history (GET …/login-history?target=). Unlike Liquid, the
// target is validated, and an unknown one is 404.
func (s *Service) LoginHistory(ctx context.Context, via access.Via, f Fields) ([]*ent.LoginHistory, error) {
	if _, err := s.access.Through(ctx, via, access.Shared("profile:login-history:read")); err != nil {
		return nil, err
	}
	ch := validate.New(f.Location)
	ch.ObjectID("target", f.get("target"), true, 64)
	if err := inputErr(ch); err != nil {
		return nil, err
	}
	target := strings.ToLower(f.str("target"))
	exists, err := s.db.User.Query().Where(user.ID(target)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, apperr.New(apperr.NotFound, nil)
	}
	return s.loginHistory(ctx, target, f)
}

// loginHistory returns a page of records, newest first. offset continues after the last
// record of the previous page: its createdAt (as Liquid's clients send) or its _id. Liquid
// compared createdAt > offset and so returned newer records; this returns the older ones.
func (s *Service) loginHistory(ctx context.Context, userID string, f Fields) ([]*ent.LoginHistory, error) {
	ch := validate.New(f.Location)
	limit := Limit(ch, f, s.cfg.Pagination)
	q := s.db.LoginHistory.Query().
		Where(loginhistory.UserID(userID), loginhistory.ExpiresAtGT(s.now())).
		Order(ent.Desc(loginhistory.FieldCreatedAt), ent.Desc(loginhistory.FieldID)).
		Limit(limit)
	if off, present := f.get("offset").(string); present && off != "" {
		if validate.IsObjectID(off) {
			last, err := s.db.LoginHistory.Query().Where(loginhistory.ID(strings.ToLower(off)), loginhistory.UserID(userID)).Only(ctx)
			if ent.IsNotFound(err) {
				ch.Add("offset", off)
			} else if err != nil {
				return nil, err
			} else {
				q.Where(loginhistory.Or(loginhistory.CreatedAtLT(last.CreatedAt),
					loginhistory.And(loginhistory.CreatedAt(last.CreatedAt), loginhistory.IDLT(last.ID))))
			}
		} else if t, ok := ParseTime(off); ok {
			q.Where(loginhistory.CreatedAtLT(t))
		} else {
			ch.Add("offset", off)
		}
	} else if f.get("offset") != nil && !present {
		ch.Add("offset", f.get("offset"))
	}
	if err := inputErr(ch); err != nil {
		return nil, err
	}
	return q.All(ctx)
}
