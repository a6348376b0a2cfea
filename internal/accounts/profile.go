package accounts

import (
	"context"
	"slices"
	"strings"

	"usergraph/ent"
	"usergraph/ent/code"
	"usergraph/ent/user"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/mail"
	"usergraph/internal/rules"
	"usergraph/internal/validate"
)

// Scopes the profile operations need (liquid-behaviour.md §2.2).
const (
	ScopeProfileRead  = "delegated:profile:read"
	ScopeProfileWrite = "delegated:profile:write"
	Scope2FAWrite     = "delegated:profile:2fa:write"
)

// Me returns the caller's own account, as loaded with the caller's session for this request.
func (s *Service) Me(ctx context.Context) (*ent.User, error) {
	id, err := s.requireUser(ctx, ScopeProfileRead)
	if err != nil {
		return nil, err
	}
	return id.User, nil
}

// EditableFields are the fields PATCH /user/me accepts.
func (s *Service) EditableFields() []string { return s.cfg.Profile.EditableFields }

// UpdateMe changes the caller's own profile and returns it as updated. Only the configured
// editable fields may be named; protected fields (the password, by default) need the current
// password when user.profile.update.require-current-password is on.
func (s *Service) UpdateMe(ctx context.Context, p ProfileUpdate) (*ent.User, error) {
	id, err := s.requireUser(ctx, ScopeProfileWrite)
	if err != nil {
		return nil, err
	}
	cfg := s.cfg
	var c rules.Check
	names := p.names()
	for _, name := range names {
		if _, ok := s.Editable(name, true); !ok {
			c.Fail(name, "editable", "cannot be changed by the account itself on this server")
		}
	}
	if !c.Valid() {
		return nil, c.Err()
	}
	s.checkUpdate(&c, p)
	if slices.Contains(names, "phone") || slices.Contains(names, "phoneCountryCode") {
		_, settingPhone := p.Text["phone"].Value()
		if !cfg.Privilege.CanUsePhoneNumber {
			c.Fail("phone", "disabled", "phone numbers are not used on this server")
		} else if settingPhone && !p.Text["phoneCountryCode"].Present() && id.User.PhoneCountryCode == nil {
			c.Fail("phoneCountryCode", "required", "is required with a phone number")
		}
	}
	protected := cfg.Profile.RequireCurrentPassword && slices.ContainsFunc(names, func(k string) bool {
		return slices.Contains(cfg.Profile.ProtectedFields, k)
	})
	switch {
	case p.CurrentPassword != nil:
		c.String("currentPassword", *p.CurrentPassword, s.rules.Password.LengthOnly())
	case protected:
		c.Fail("currentPassword", "required", "is required to change "+strings.Join(cfg.Profile.ProtectedFields, ", "))
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if protected {
		// The token check does not read the password hash; only this check needs it.
		hash, err := s.db.User.Query().Where(user.ID(id.User.ID)).Select(user.FieldPasswordHash).String(ctx)
		if err != nil {
			return nil, err
		}
		if !s.passwordMatches(hash, *p.CurrentPassword) {
			return nil, apperr.New(apperr.Unauthorized, nil)
		}
	}
	return s.applyProfile(ctx, id.User, id.Session.ID, p)
}

// applyProfile writes validated changes to target in one transaction. A new password ends
// every session of the account except keep (the caller's own, when editing themself).
func (s *Service) applyProfile(ctx context.Context, target *ent.User, keep string, p ProfileUpdate) (*ent.User, error) {
	var (
		updated   *ent.User
		emailCode string
	)
	names := p.names()
	err := withTx(ctx, s.db, func(tx *ent.Tx) error {
		up := tx.User.UpdateOneID(target.ID)
		for _, k := range names {
			v, set := p.Text[k].Value()
			switch k {
			case "username":
				name := strings.ToLower(v)
				taken, err := tx.User.Query().Where(user.Username(name), user.IDNEQ(target.ID)).Exist(ctx)
				if err != nil {
					return err
				}
				if taken {
					return apperr.New(apperr.ResourceConflict, map[string]any{"duplicateFields": []string{"username"}})
				}
				up.SetUsername(name)
			case "email":
				email := strings.TrimSpace(v)
				sanitized := validate.SanitizeEmail(email, s.cfg.Account.SanitizeGmail)
				taken, err := tx.User.Query().Where(user.SanitizedEmail(sanitized), user.IDNEQ(target.ID)).Exist(ctx)
				if err != nil {
					return err
				}
				if taken {
					return apperr.New(apperr.ResourceConflict, map[string]any{"duplicateFields": []string{"email"}})
				}
				if sanitized != target.SanitizedEmail {
					// A new address must be proven before it is trusted.
					up.SetEmail(email).SetSanitizedEmail(sanitized)
					if s.cfg.Account.RequireEmailVerification {
						up.SetEmailVerified(false)
						var err error
						if emailCode, err = s.issueCode(ctx, tx.Client(), target.ID, code.PurposeSignup, ""); err != nil {
							return err
						}
					}
				}
			case "password":
				hash, err := hashPassword(v)
				if err != nil {
					return err
				}
				up.SetPasswordHash(hash)
				// A new password ends every other session of the account.
				if err := auth.RevokeAllForUser(ctx, tx.Client(), target.ID, keep); err != nil {
					return err
				}
			default:
				e := fieldsByLiquid[k].Edit
				switch flag, isFlag := p.Flags[k]; {
				case isFlag:
					e.Flag(up, flag)
				case set:
					e.Text(up, v)
				default:
					e.Clear(up)
				}
			}
		}
		var err error
		updated, err = up.Save(ctx)
		if ent.IsConstraintError(err) {
			// A concurrent change took the name or address between the check and the write.
			dup := slices.DeleteFunc(slices.Clone(names), func(k string) bool { return k != "username" && k != "email" })
			return apperr.New(apperr.ResourceConflict, map[string]any{"duplicateFields": dup})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if emailCode != "" {
		s.send(mail.VerificationCode(s.cfg.Mail.AppName, updated.Email, emailCode))
	}
	return updated, nil
}

// GetUser returns a user's profile as the caller may see it (GET /user/:userId, query user).
// A user who has blocked the caller answers 403 Blocked. A malformed id is a violation of
// "id".
func (s *Service) GetUser(ctx context.Context, userID string) (*UserView, error) {
	id, err := s.requireUser(ctx, ScopeProfileRead)
	if err != nil {
		return nil, err
	}
	var c rules.Check
	c.String("id", userID, rules.ID)
	if err := c.Err(); err != nil {
		return nil, err
	}
	u, err := s.db.User.Get(ctx, strings.ToLower(userID))
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, nil)
	}
	if err != nil {
		return nil, err
	}
	if s.social != nil && u.ID != id.User.ID {
		blocked, err := s.social.ViewerBlockedBy(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if blocked {
			return nil, apperr.New(apperr.Blocked, map[string]any{"reason": "blocked"})
		}
	}
	v := s.ViewOf(ctx, u)
	return &v, nil
}

// SetPrivate switches the caller's account between private and public. It returns how many
// pending follow requests going public accepted, and the account as updated (GraphQL answers
// with it; reading it needs no further scope).
func (s *Service) SetPrivate(ctx context.Context, private bool) (int, *ent.User, error) {
	id, err := s.requireUser(ctx, ScopeProfileWrite)
	if err != nil {
		return 0, nil, err
	}
	if s.social != nil {
		accepted, err := s.social.SetPrivate(ctx, id.User.ID, private)
		if err != nil {
			return 0, nil, err
		}
		u, err := s.db.User.Get(ctx, id.User.ID)
		return accepted, u, err
	}
	u, err := s.db.User.UpdateOneID(id.User.ID).SetIsPrivate(private).Save(ctx)
	return 0, u, err
}

// SetTwoFactor switches email 2FA on or off for the caller (POST /user/2fa).
func (s *Service) SetTwoFactor(ctx context.Context, enabled bool) error {
	if !s.cfg.TwoFactor.EmailEnabled {
		return apperr.New(apperr.NotFound, nil)
	}
	id, err := s.requireUser(ctx, Scope2FAWrite)
	if err != nil {
		return err
	}
	return s.db.User.UpdateOneID(id.User.ID).SetTwoFactorEnabled(enabled).SetTwoFactorMedium("email").Exec(ctx)
}
