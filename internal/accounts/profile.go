package accounts

import (
	"context"
	"slices"
	"sort"
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
// password; "__unset__" clears a field that may be empty.
func (s *Service) UpdateMe(ctx context.Context, f Fields) (*ent.User, error) {
	id, err := s.requireUser(ctx, ScopeProfileWrite)
	if err != nil {
		return nil, err
	}
	cfg := s.cfg
	c := validate.New(f.Location)
	keys := make([]string, 0, len(f.Values))
	for k := range f.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var changes []string
	for _, k := range keys {
		if k == "currentPassword" {
			continue
		}
		pf, known := profileFields[k]
		if !known || pf.adminOnly || !slices.Contains(cfg.Profile.EditableFields, k) {
			c.Add(k, f.get(k))
			continue
		}
		v := f.get(k)
		if isUnset(v) {
			if pf.clear == nil {
				c.Add(k, v)
			}
		} else {
			pf.check(c, cfg, k, v)
		}
		changes = append(changes, k)
	}
	if slices.Contains(changes, "phone") || slices.Contains(changes, "phoneCountryCode") {
		if !cfg.Privilege.CanUsePhoneNumber {
			c.Add("phone", f.get("phone"))
		} else if f.get("phone") != nil && f.get("phoneCountryCode") == nil && id.User.PhoneCountryCode == nil {
			c.Add("phoneCountryCode", nil)
		}
	}
	c.StringLen("currentPassword", f.get("currentPassword"), false, 8, 128)
	if err := inputErr(c); err != nil {
		return nil, err
	}
	if cfg.Profile.RequireCurrentPassword && slices.ContainsFunc(changes, func(k string) bool {
		return slices.Contains(cfg.Profile.ProtectedFields, k)
	}) {
		if !s.passwordMatches(id.User.PasswordHash, f.str("currentPassword")) {
			return nil, apperr.New(apperr.Unauthorized, nil)
		}
	}
	return s.applyProfile(ctx, id.User, id.Session.ID, f, changes)
}

// applyProfile writes validated changes to target in one transaction. A new password ends
// every session of the account except keep (the caller's own, when editing themself).
func (s *Service) applyProfile(ctx context.Context, target *ent.User, keep string, f Fields, changes []string) (*ent.User, error) {
	var (
		updated   *ent.User
		emailCode string
	)
	err := withTx(ctx, s.db, func(tx *ent.Tx) error {
		up := tx.User.UpdateOneID(target.ID)
		for _, k := range changes {
			v := f.get(k)
			switch k {
			case "username":
				name := strings.ToLower(str(v))
				taken, err := tx.User.Query().Where(user.Username(name), user.IDNEQ(target.ID)).Exist(ctx)
				if err != nil {
					return err
				}
				if taken {
					return apperr.New(apperr.ResourceConflict, map[string]any{"duplicateFields": []string{"username"}})
				}
				up.SetUsername(name)
			case "email":
				email := strings.TrimSpace(str(v))
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
				hash, err := hashPassword(str(v))
				if err != nil {
					return err
				}
				up.SetPasswordHash(hash)
				// A new password ends every other session of the account.
				if err := auth.RevokeAllForUser(ctx, tx.Client(), target.ID, keep); err != nil {
					return err
				}
			default:
				pf := profileFields[k]
				if isUnset(v) {
					pf.clear(up)
				} else {
					pf.set(up, v)
				}
			}
		}
		var err error
		updated, err = up.Save(ctx)
		if ent.IsConstraintError(err) {
			// A concurrent change took the name or address between the check and the write.
			dup := slices.DeleteFunc(slices.Clone(changes), func(k string) bool { return k != "username" && k != "email" })
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

// UserView is another user as the caller may see them.
type UserView struct {
	User *ent.User
	// HideFields are the non-follower hidden fields to strip (empty for the caller themself).
	HideFields []string
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
	return &UserView{User: u, HideFields: s.HiddenFields(ctx, u)}, nil
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
