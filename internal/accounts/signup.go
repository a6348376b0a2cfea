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
	"usergraph/internal/rules"
	"usergraph/internal/validate"
)

// SignUpInput is what a new account gives.
type SignUpInput struct {
	Username, Password, Email, FirstName, LastName string
	// PhoneCountryCode is required with Phone.
	PhoneCountryCode, Phone *string
	// InviteCode is required in invite-only mode; when given, it must be unused, and its owner
	// is who invited the new account.
	InviteCode *string
}

// check reports every broken rule of in, in the order Liquid's validators run.
func (in SignUpInput) check(r *rules.Set, inviteOnly bool) error {
	var c rules.Check
	c.String("username", in.Username, r.Username)
	c.String("password", in.Password, r.Password)
	c.String("email", in.Email, rules.Email)
	c.String("firstName", in.FirstName, r.Name)
	c.String("lastName", in.LastName, r.Name)
	c.Optional("phoneCountryCode", in.PhoneCountryCode, rules.PhoneCountryCode)
	c.Optional("phone", in.Phone, rules.Phone)
	if !inviteOnly || c.Required("inviteCode", in.InviteCode != nil) {
		c.Optional("inviteCode", in.InviteCode, rules.InviteCode)
	}
	if in.Phone != nil {
		c.Required("phoneCountryCode", in.PhoneCountryCode != nil)
	}
	return c.Err()
}

// SignUp creates an account (POST /user/create, mutation signUp). With email verification on,
// the account starts unverified and a code is mailed. A new sign-up replaces an unverified
// account holding the same username or email, as Liquid does; a verified one is a conflict.
func (s *Service) SignUp(ctx context.Context, in SignUpInput, meta Meta) (*ent.User, error) {
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
	if err := in.check(s.rules, cfg.Account.EnableInviteOnly); err != nil {
		return nil, err
	}

	email := strings.TrimSpace(in.Email)
	if cfg.Account.AllowOnlyWhitelistedDomains {
		domain := strings.ToLower(email[strings.LastIndex(email, "@")+1:])
		if !slices.Contains(cfg.Account.WhitelistedDomains, domain) {
			return nil, apperr.New(apperr.BadEmailDomain, nil)
		}
	}
	username := strings.ToLower(in.Username)
	sanitized := validate.SanitizeEmail(email, cfg.Account.SanitizeGmail)
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	inviteCode := ""
	if in.InviteCode != nil {
		inviteCode = *in.InviteCode
	}

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
			SetFirstName(in.FirstName).
			SetLastName(in.LastName).
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
		if cfg.Privilege.CanUsePhoneNumber && in.Phone != nil {
			create.SetPhone(*in.Phone).SetPhoneCountryCode(*in.PhoneCountryCode).SetPhoneVerified(false)
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
func (s *Service) VerifyEmail(ctx context.Context, userID, value string) error {
	if err := s.limits.Check(ctx, ratelimit.Heavy, "verify-email"); err != nil {
		return err
	}
	var c rules.Check
	c.String("userId", userID, rules.ID)
	c.String("code", value, rules.VerificationCode)
	if err := c.Err(); err != nil {
		return err
	}
	target := strings.ToLower(userID)
	if err := s.limits.CheckAccount(ctx, "verify-email", target, s.knownSource(target)); err != nil {
		return err
	}
	sc, err := s.userCode(ctx, target, code.PurposeSignup)
	if err != nil {
		return err
	}
	if sc == nil {
		return errCodeRejected
	}
	// The code is consumed in the transaction that marks the address verified: a failed write
	// leaves it usable.
	ok, err := s.redeemCode(ctx, sc, value, "", func(db *ent.Client) error {
		return db.User.UpdateOneID(target).SetEmailVerified(true).Exec(ctx)
	})
	if err != nil {
		return err
	}
	if !ok {
		return errCodeRejected
	}
	return nil
}

// ResendVerification mails a fresh sign-up code to an unverified account.
func (s *Service) ResendVerification(ctx context.Context, userID string) error {
	if err := s.limits.Check(ctx, ratelimit.Extreme, "resend-verification"); err != nil {
		return err
	}
	var c rules.Check
	c.String("userId", userID, rules.ID)
	if err := c.Err(); err != nil {
		return err
	}
	u, err := s.db.User.Get(ctx, strings.ToLower(userID))
	if ent.IsNotFound(err) || (err == nil && u.EmailVerified) {
		return apperr.Invalid(apperr.Violation{Field: "userId", Rule: rules.Rejected, Message: "is not an account waiting for verification"})
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

// errCodeRejected is the answer to a mailed code that is wrong, expired or spent.
var errCodeRejected = apperr.Invalid(apperr.Violation{Field: "code", Rule: rules.Rejected, Message: "is wrong, expired or already used"})
