package accounts

import (
	"context"
	"strings"

	"usergraph/ent"
	"usergraph/ent/code"
	"usergraph/ent/user"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/mail"
	"usergraph/internal/ratelimit"
	"usergraph/internal/rules"
	"usergraph/internal/validate"
)

// RequestPasswordReset mails a reset code if an account has this email. The answer, and the
// time it takes, are the same whether or not one does: no account enumeration.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	if !s.cfg.Privilege.CanResetPassword {
		return apperr.New(apperr.NotFound, nil)
	}
	if err := s.limits.Check(ctx, ratelimit.Extreme, "password-code"); err != nil {
		return err
	}
	var c rules.Check
	c.String("email", email, rules.Email)
	if err := c.Err(); err != nil {
		return err
	}
	sanitized := validate.SanitizeEmail(strings.TrimSpace(email), s.cfg.Account.SanitizeGmail)
	u, err := s.db.User.Query().Where(user.SanitizedEmail(sanitized), user.IsDeleted(false)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	v, err := s.issueCode(ctx, s.db, u.ID, code.PurposePasswordReset, "")
	if err != nil {
		return err
	}
	s.send(mail.PasswordReset(s.cfg.Mail.AppName, u.Email, v))
	return nil
}

// ResetPasswordInput sets a new password with a mailed reset code.
type ResetPasswordInput struct {
	Code, Password string
	// UserID, when given (Liquid's clients send it), must be the account the code belongs to.
	UserID *string
}

// ResetPassword sets a new password with a reset code, and ends every session of the account.
// The code identifies the user.
func (s *Service) ResetPassword(ctx context.Context, in ResetPasswordInput) error {
	if !s.cfg.Privilege.CanResetPassword {
		return apperr.New(apperr.NotFound, nil)
	}
	if err := s.limits.Check(ctx, ratelimit.Extreme, "password-reset"); err != nil {
		return err
	}
	var c rules.Check
	c.Optional("userId", in.UserID, rules.ID)
	c.String("code", in.Code, rules.LoginCode)
	c.String("password", in.Password, s.rules.Password)
	if err := c.Err(); err != nil {
		return err
	}
	if in.UserID != nil {
		// Only a named account can be counted: a code alone is 24 random characters, beyond
		// guessing, and names its user only when it is right.
		target := strings.ToLower(*in.UserID)
		if err := s.limits.CheckAccount(ctx, "password-reset", target, s.knownSource(target)); err != nil {
			return err
		}
	}
	rc, err := s.findResetCode(ctx, in.Code)
	if err != nil {
		return err
	}
	if rc == nil || (in.UserID != nil && !strings.EqualFold(*in.UserID, rc.UserID)) {
		return errCodeRejected
	}
	// Hashed before the transaction: bcrypt is slow, and the transaction holds the code's row.
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return err
	}
	// The code is consumed in the transaction that saves the password: a failed save leaves it
	// usable.
	ok, err := s.redeemCode(ctx, rc, in.Code, "", func(db *ent.Client) error {
		if err := db.User.UpdateOneID(rc.UserID).SetPasswordHash(hash).Exec(ctx); err != nil {
			return err
		}
		return auth.RevokeAllForUser(ctx, db, rc.UserID, "")
	})
	if err != nil {
		return err
	}
	if !ok {
		return errCodeRejected
	}
	return nil
}
