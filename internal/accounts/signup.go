package accounts

import (
	"context"
	"slices"
	"strings"

	"usergraph/ent"
	"usergraph/ent/code"
	"usergraph/ent/user"
	"usergraph/internal/apperr"
	"usergraph/internal/mail"
	"usergraph/internal/ratelimit"
	"usergraph/internal/validate"
)

// SignUp creates an account (POST /user/create, mutation signUp). With email verification on,
// the account starts unverified and a code is mailed. A new sign-up replaces an unverified
// account holding the same username or email, as Liquid does; a verified one is a conflict.
func (s *Service) SignUp(ctx context.Context, f Fields, meta Meta) (*ent.User, error) {
	cfg := s.cfg
	if !cfg.Privilege.CanCreateAccount {
		return nil, apperr.New(apperr.NotFound, nil)
	}
	if err := s.limits.Check(ctx, ratelimit.Extreme, "signup"); err != nil {
		return nil, err
	}
	if cfg.Account.EnableIPThrottle && meta.IP != "" {
		recent, err := s.db.User.Query().
			Where(user.CreationIP(meta.IP), user.CreatedAtGT(s.now().Add(-cfg.Account.IPThrottleWindow))).
			Exist(ctx)
		if err != nil {
			return nil, err
		}
		if recent {
			return nil, apperr.New(apperr.CreationThrottled, nil)
		}
	}

	c := validate.New(f.Location)
	c.Username("username", f.get("username"), true, cfg.Profile.UsernameRegex)
	c.Password("password", f.get("password"), true, cfg.Profile.PasswordRegex)
	c.Email("email", f.get("email"), true)
	c.Name("firstName", f.get("firstName"), true, cfg.Profile.NameRegex)
	c.Name("lastName", f.get("lastName"), true, cfg.Profile.NameRegex)
	c.PhoneCountryCode("phoneCountryCode", f.get("phoneCountryCode"), false)
	c.Phone("phone", f.get("phone"), false)
	c.StringLen("inviteCode", f.get("inviteCode"), cfg.Account.EnableInviteOnly, 1, 128)
	if f.get("phone") != nil && f.get("phoneCountryCode") == nil {
		c.Add("phoneCountryCode", nil)
	}
	if err := inputErr(c); err != nil {
		return nil, err
	}

	email := strings.TrimSpace(f.str("email"))
	if cfg.Account.AllowOnlyWhitelistedDomains {
		domain := strings.ToLower(email[strings.LastIndex(email, "@")+1:])
		if !slices.Contains(cfg.Account.WhitelistedDomains, domain) {
			return nil, apperr.New(apperr.BadEmailDomain, nil)
		}
	}
	username := strings.ToLower(f.str("username"))
	sanitized := validate.SanitizeEmail(email, cfg.Account.SanitizeGmail)
	hash, err := hashPassword(f.str("password"))
	if err != nil {
		return nil, err
	}
	// An invite code is required in invite-only mode; when given, it must be unused, and its
	// owner is who invited the new account.
	inviteCode := f.str("inviteCode")

	var (
		created *ent.User
		signup  string
	)
	err = withTx(ctx, s.db, func(tx *ent.Tx) error {
		existing, err := tx.User.Query().
			Where(user.Or(user.Username(username), user.SanitizedEmail(sanitized))).
			All(ctx)
		if err != nil {
			return err
		}
		reuseID := ""
		var dup []string
		for _, u := range existing {
			if u.EmailVerified {
				if u.Username == username {
					dup = append(dup, "username")
				}
				if u.SanitizedEmail == sanitized {
					dup = append(dup, "email")
				}
			}
		}
		if len(dup) > 0 {
			return apperr.New(apperr.ResourceConflict, map[string]any{"duplicateFields": dup})
		}
		for _, u := range existing {
			if reuseID == "" || u.SanitizedEmail == sanitized {
				reuseID = u.ID
			}
			if s.social != nil {
				if err := s.social.ForgetUser(ctx, tx.Client(), u.ID); err != nil {
					return err
				}
			}
			// A concurrent sign-up may have replaced this account already: deleting nothing
			// is fine, and the insert below then conflicts with the winner (409).
			if _, err := tx.User.Delete().Where(user.ID(u.ID)).Exec(ctx); err != nil {
				return err
			}
		}
		create := tx.User.Create().
			SetUsername(username).
			SetPasswordHash(hash).
			SetEmail(email).
			SetSanitizedEmail(sanitized).
			SetFirstName(f.str("firstName")).
			SetLastName(f.str("lastName")).
			SetRole(cfg.DefaultRole).
			SetCredits(cfg.Account.InitialCredits).
			SetScope(cfg.Account.DefaultScope).
			SetCustomData(cfg.Account.CustomDataDefault).
			SetCreationIP(meta.IP).
			SetEmailVerified(!cfg.Account.RequireEmailVerification)
		if reuseID != "" && cfg.Account.PreserveUnverifiedUserID {
			create.SetID(reuseID)
		}
		if inviteCode != "" && s.social != nil {
			// Checked after an unverified account was replaced: that releases its code.
			invitedBy, err := s.social.InviteCodeOwner(ctx, tx.Client(), inviteCode)
			if err != nil {
				return err
			}
			create.SetInvitedBy(invitedBy)
		}
		if cfg.Privilege.CanUsePhoneNumber && f.get("phone") != nil {
			create.SetPhone(f.str("phone")).SetPhoneCountryCode(f.str("phoneCountryCode")).SetPhoneVerified(false)
		}
		created, err = create.Save(ctx)
		if ent.IsConstraintError(err) {
			// A concurrent sign-up took the username or email between our check and insert.
			return apperr.New(apperr.ResourceConflict, map[string]any{"duplicateFields": []string{"username", "email"}})
		}
		if err != nil {
			return err
		}
		if s.social != nil {
			if err := s.social.OnSignUp(ctx, tx.Client(), created.ID, inviteCode); err != nil {
				return err
			}
		}
		if cfg.Account.RequireEmailVerification {
			signup, err = s.issueCode(ctx, tx.Client(), created.ID, code.PurposeSignup, "")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if signup != "" {
		s.send(mail.VerificationCode(cfg.Mail.AppName, created.Email, signup))
	}
	markOwner(ctx, created.ID)
	s.metrics.SignUp()
	return created, nil
}

// VerifyEmail confirms an address with the code mailed at sign-up.
func (s *Service) VerifyEmail(ctx context.Context, f Fields) error {
	if err := s.limits.Check(ctx, ratelimit.Heavy, "verify-email"); err != nil {
		return err
	}
	c := validate.New(f.Location)
	c.ObjectID("target", f.get("target"), true, 64)
	c.StringLen("code", f.get("code"), true, 1, 128)
	if err := inputErr(c); err != nil {
		return err
	}
	target := f.id("target")
	sc, err := s.userCode(ctx, target, code.PurposeSignup)
	if err != nil {
		return err
	}
	if sc == nil {
		return codeRejected(f.Location)
	}
	// The code is consumed in the transaction that marks the address verified: a failed write
	// leaves it usable.
	ok, err := s.redeemCode(ctx, sc, f.str("code"), "", func(db *ent.Client) error {
		return db.User.UpdateOneID(target).SetEmailVerified(true).Exec(ctx)
	})
	if err != nil {
		return err
	}
	if !ok {
		return codeRejected(f.Location)
	}
	return nil
}

// ResendVerification mails a fresh sign-up code to an unverified account.
func (s *Service) ResendVerification(ctx context.Context, f Fields) error {
	if err := s.limits.Check(ctx, ratelimit.Extreme, "resend-verification"); err != nil {
		return err
	}
	c := validate.New(f.Location)
	c.ObjectID("target", f.get("target"), true, 64)
	if err := inputErr(c); err != nil {
		return err
	}
	u, err := s.db.User.Get(ctx, f.id("target"))
	if ent.IsNotFound(err) || (err == nil && u.EmailVerified) {
		return codeRejected(f.Location, "target")
	}
	if err != nil {
		return err
	}
	v, err := s.issueCode(ctx, s.db, u.ID, code.PurposeSignup, "")
	if err != nil {
		return err
	}
	s.send(mail.VerificationCode(s.cfg.Mail.AppName, u.Email, v))
	return nil
}

// codeRejected is the 400 for a wrong, expired or spent code.
func codeRejected(location string, field ...string) error {
	name := "code"
	if len(field) > 0 {
		name = field[0]
	}
	c := validate.New(location)
	c.Add(name, nil)
	return inputErr(c)
}
