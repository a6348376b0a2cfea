package accounts

import (
	"context"

	"usergraph/ent/loginhistory"
	"usergraph/ent/session"
	"usergraph/ent/user"
)

// Per-account limits (ratelimit.CheckAccount) stop many addresses guessing at one account; to
// keep an attacker from locking the owner out with them, an address the account is known from
// still gets through past the limit. See docs/bruteforce.md.

// knownSource reports, for the account userID ("" when there is none), whether ip is an address
// the owner has used: one it signed up from, holds or held a session from (until purged), or
// signed in from successfully within the login history's lifetime.
func (s *Service) knownSource(userID string) func(context.Context, string) (bool, error) {
	if userID == "" {
		return nil
	}
	return func(ctx context.Context, ip string) (bool, error) {
		if ok, err := s.db.Session.Query().Where(session.UserID(userID), session.IP(ip)).Exist(ctx); ok || err != nil {
			return ok, err
		}
		if ok, err := s.db.LoginHistory.Query().
			Where(loginhistory.UserID(userID), loginhistory.IPAddress(ip), loginhistory.Success(true)).
			Exist(ctx); ok || err != nil {
			return ok, err
		}
		return s.db.User.Query().Where(user.ID(userID), user.CreationIP(ip)).Exist(ctx)
	}
}
