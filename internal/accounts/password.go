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
	"usergraph/internal/validate"
)

// RequestPasswordReset mails a reset code if an account has this email. The answer, and the
// time it takes, are the same whether or not one does: no account enumeration.
func (s *Service) RequestPasswordReset(ctx context.Context, f Fields) error {
	if !s.cfg.Privilege.CanResetPassword {
		return apperr.New(apperr.NotFound, nil)
	}
	if err := s.limits.Check(ctx, ratelimit.Extreme, "password-code"); err != nil {
		return err
	}
	c := validate.New(f.Location)
	c.Email("email", f.get("email"), true)
	if err := inputErr(c); err != nil {
		return err
	}
	sanitized := validate.SanitizeEmail(strings.TrimSpace(f.str("email")), s.cfg.Account.SanitizeGmail)
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

// ResetPassword sets a new password with a reset code, and ends every session of the account.
// The code identifies the user; a `target` sent by a Liquid client must agree with it.
func (s *Service) ResetPassword(ctx context.Context, f Fields) error {
	if !s.cfg.Privilege.CanResetPassword {
		return apperr.New(apperr.NotFound, nil)
	}
	if err := s.limits.Check(ctx, ratelimit.Extreme, "password-reset"); err != nil {
		return err
	}
	c := validate.New(f.Location)
	c.ObjectID("target", f.get("target"), false, 64)
	c.StringLen("code", f.get("code"), true, 3, 128)
	c.Password("password", f.get("password"), true, s.cfg.Profile.PasswordRegex)
	if err := inputErr(c); err != nil {
		return err
	}
	rc, err := s.findResetCode(ctx, f.str("code"))
	if err != nil {
		return err
	}
	if rc == nil || (f.str("target") != "" && !strings.EqualFold(f.str("target"), rc.UserID)) {
		return codeRejected(f.Location)
	}
	// Hashed before the transaction: bcrypt is slow, and the transaction holds the code's row.
	hash, err := hashPassword(f.str("password"))
	if err != nil {
		return err
	}
	// The code is consumed in the transaction that saves the password: a failed save leaves it
	// usable.
	ok, err := s.redeemCode(ctx, rc, f.str("code"), "", func(db *ent.Client) error {
		if err := db.User.UpdateOneID(rc.UserID).SetPasswordHash(hash).Exec(ctx); err != nil {
			return err
		}
		return auth.RevokeAllForUser(ctx, db, rc.UserID, "")
	})
	if err != nil {
		return err
	}
	if !ok {
		return codeRejected(f.Location)
	}
	return nil
}
