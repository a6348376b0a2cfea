package accounts

import (
	"context"
	"time"

	"usergraph/ent"
	"usergraph/ent/code"
	"usergraph/ent/loginhistory"
	"usergraph/ent/predicate"
	"usergraph/ent/session"
	"usergraph/internal/secret"
)

// maxCodeAttempts is how many times a code may be tried before it is dead.
const maxCodeAttempts = 5

// issueCode replaces the user's code of this purpose with a new one and returns it.
// Sign-up and 2FA codes are 6 digits (as Liquid's); reset codes are long random tokens, since
// the documented reset names no user and the code alone must identify one.
func (s *Service) issueCode(ctx context.Context, db *ent.Client, userID string, purpose code.Purpose, sessionHash string) (string, error) {
	value := secret.Digits(6)
	if purpose == code.PurposePasswordReset {
		value = secret.Token(24)
	}
	if _, err := db.Code.Delete().Where(code.UserID(userID), code.PurposeEQ(purpose)).Exec(ctx); err != nil {
		return "", err
	}
	c := db.Code.Create().
		SetUserID(userID).
		SetPurpose(purpose).
		SetCodeHash(secret.Hash(value)).
		SetExpiresAt(s.now().Add(s.cfg.Account.CodeLifetime))
	if sessionHash != "" {
		c.SetSessionHash(sessionHash)
	}
	return value, c.Exec(ctx)
}

// checkCode spends one attempt on the user's code of this purpose and reports whether value
// (and, for 2FA, sessionHash) match. A matching code is consumed; five wrong tries kill it.
func (s *Service) checkCode(ctx context.Context, userID string, purpose code.Purpose, value, sessionHash string) (bool, error) {
	c, err := s.userCode(ctx, userID, purpose)
	if c == nil || err != nil {
		return false, err
	}
	return s.spendCode(ctx, s.db, c, value, sessionHash)
}

// userCode finds the user's code of this purpose (nil when there is none).
func (s *Service) userCode(ctx context.Context, userID string, purpose code.Purpose) (*ent.Code, error) {
	c, err := s.db.Code.Query().Where(code.UserID(userID), code.PurposeEQ(purpose)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return c, err
}

// redeemCode spends an attempt on c and, when value matches, runs apply in the same
// transaction that consumes the code: if apply fails, the code is left as it was. A wrong value
// still counts its attempt.
func (s *Service) redeemCode(ctx context.Context, c *ent.Code, value, sessionHash string, apply func(db *ent.Client) error) (bool, error) {
	var ok bool
	err := withTx(ctx, s.db, func(tx *ent.Tx) error {
		var err error
		if ok, err = s.spendCode(ctx, tx.Client(), c, value, sessionHash); err != nil || !ok {
			return err
		}
		return apply(tx.Client())
	})
	return ok && err == nil, err
}

// spendCode spends one attempt on c and consumes it if value (and sessionHash) match. Attempts
// are counted with a conditional update, so parallel guesses cannot exceed the limit, and
// consumption is a conditional delete, so a code works once even under concurrency. db may be
// a transactional client.
func (s *Service) spendCode(ctx context.Context, db *ent.Client, c *ent.Code, value, sessionHash string) (bool, error) {
	if !s.now().Before(c.ExpiresAt) {
		_, err := db.Code.Delete().Where(code.ID(c.ID)).Exec(ctx)
		return false, err
	}
	n, err := db.Code.Update().Where(code.ID(c.ID), code.AttemptsLT(maxCodeAttempts)).AddAttempts(1).Save(ctx)
	if err != nil || n == 0 {
		return false, err
	}
	match := secret.Equal(secret.Hash(value), c.CodeHash)
	if c.SessionHash != "" || sessionHash != "" {
		match = secret.Equal(sessionHash, c.SessionHash) && match
	}
	if !match {
		return false, nil
	}
	n, err = db.Code.Delete().Where(code.ID(c.ID)).Exec(ctx)
	return err == nil && n == 1, err
}

// findResetCode finds a live password-reset code by its value.
func (s *Service) findResetCode(ctx context.Context, value string) (*ent.Code, error) {
	c, err := s.db.Code.Query().Where(code.CodeHash(secret.Hash(value)), code.PurposeEQ(code.PurposePasswordReset)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return c, err
}

// PurgeExpired deletes expired codes, sessions and login history (kept
// user.login.history-record-expires-in); the server runs it periodically.
func (s *Service) PurgeExpired(ctx context.Context) error {
	now := time.Now().UTC()
	if _, err := s.db.Code.Delete().Where(code.ExpiresAtLT(now)).Exec(ctx); err != nil {
		return err
	}
	if _, err := s.db.LoginHistory.Delete().Where(loginhistory.ExpiresAtLT(now)).Exec(ctx); err != nil {
		return err
	}
	_, err := s.db.Session.Delete().Where(sessionExpiredBefore(now)).Exec(ctx)
	return err
}

func sessionExpiredBefore(t time.Time) predicate.Session { return session.ExpiresAtLT(t) }
