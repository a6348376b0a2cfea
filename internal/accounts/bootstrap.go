package accounts

import (
	"context"
	"fmt"
	"strings"

	"usergraph/ent"
	"usergraph/ent/user"
	"usergraph/internal/validate"
)

// Bootstrap creates the configured super admin (system.super-admin.*), verified and with scope
// "*". Liquid does so only on an empty database and says nothing otherwise; usergraph also
// creates it on a database that already has users, as long as its username and email are free,
// and otherwise logs what it found and that it changed nothing: an existing account is never
// promoted or given a new password by a setting.
func (s *Service) Bootstrap(ctx context.Context) error {
	sa := s.cfg.SuperAdmin
	if sa.Username == "" && sa.Password == "" && sa.Email == "" {
		return nil
	}
	if sa.Username == "" || sa.Password == "" || sa.Email == "" {
		s.log.Warn("super admin not created: SYSTEM_SUPER_ADMIN_USERNAME, SYSTEM_SUPER_ADMIN_PASSWORD and SYSTEM_SUPER_ADMIN_EMAIL must all be set",
			"username_set", sa.Username != "", "password_set", sa.Password != "", "email_set", sa.Email != "")
		return nil
	}
	c := validate.New("config")
	c.Username("SYSTEM_SUPER_ADMIN_USERNAME", sa.Username, true, s.cfg.Profile.UsernameRegex)
	c.Password("SYSTEM_SUPER_ADMIN_PASSWORD", sa.Password, true, s.cfg.Profile.PasswordRegex)
	c.Email("SYSTEM_SUPER_ADMIN_EMAIL", sa.Email, true)
	if errs := c.Errors(); errs != nil {
		return fmt.Errorf("super admin settings are invalid: %s", strings.Join(errs.Paths(), ", "))
	}
	username := strings.ToLower(sa.Username)
	sanitized := validate.SanitizeEmail(sa.Email, s.cfg.Account.SanitizeGmail)
	existing, err := s.db.User.Query().Where(user.Or(user.Username(username), user.SanitizedEmail(sanitized))).First(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return err
	}
	if existing != nil {
		s.logExistingSuperAdmin(existing, username)
		return nil
	}
	hash, err := s.hashPassword(ctx, sa.Password)
	if err != nil {
		return err
	}
	first, last := sa.FirstName, sa.LastName
	if first == "" {
		first = "Super"
	}
	if last == "" {
		last = "Admin"
	}
	u, err := s.db.User.Create().
		SetUsername(username).
		SetPasswordHash(hash).
		SetEmail(sa.Email).
		SetSanitizedEmail(sanitized).
		SetFirstName(first).
		SetLastName(last).
		SetRole("super_admin").
		SetScope([]string{"*"}).
		SetVerified(true).
		SetEmailVerified(true).
		Save(ctx)
	if err != nil {
		return fmt.Errorf("create the super admin: %w", err)
	}
	s.log.Info("created the super admin account from SYSTEM_SUPER_ADMIN_*", "username", username, "id", u.ID)
	return nil
}

// logExistingSuperAdmin says what Bootstrap found in the way of the configured super admin. The
// usual case, the account it created at an earlier start, is an info line; anything else is a
// warning, since the operator's setting did not take effect.
func (s *Service) logExistingSuperAdmin(u *ent.User, username string) {
	switch {
	case u.Username == username && u.Role == "super_admin":
		s.log.Info("super admin account already exists; SYSTEM_SUPER_ADMIN_* left it unchanged (its password is not reset from the setting)",
			"username", username, "id", u.ID)
	case u.Username == username:
		s.log.Warn("super admin not created: SYSTEM_SUPER_ADMIN_USERNAME names an existing account that is not a super admin; it was left unchanged (not promoted, password not changed)",
			"username", username, "id", u.ID, "role", u.Role)
	default:
		s.log.Warn("super admin not created: SYSTEM_SUPER_ADMIN_EMAIL belongs to another account; nothing was changed",
			"username", username, "existing_account", u.Username, "id", u.ID)
	}
}
