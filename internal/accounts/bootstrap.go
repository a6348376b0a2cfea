package accounts

import (
	"context"
	"fmt"
	"strings"

	"usergraph/internal/validate"
)

// Bootstrap creates the configured super admin when the database has no users yet
// (system.super-admin.*), verified and with scope "*".
func (s *Service) Bootstrap(ctx context.Context) error {
	sa := s.cfg.SuperAdmin
	if sa.Username == "" || sa.Password == "" || sa.Email == "" {
		return nil
	}
	n, err := s.db.User.Query().Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	c := validate.New("config")
	c.Username("SYSTEM_SUPER_ADMIN_USERNAME", sa.Username, true, s.cfg.Profile.UsernameRegex)
	c.Password("SYSTEM_SUPER_ADMIN_PASSWORD", sa.Password, true, s.cfg.Profile.PasswordRegex)
	c.Email("SYSTEM_SUPER_ADMIN_EMAIL", sa.Email, true)
	if errs := c.Errors(); errs != nil {
		return fmt.Errorf("super admin settings are invalid: %s", strings.Join(errs.Paths(), ", "))
	}
	hash, err := hashPassword(sa.Password)
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
	err = s.db.User.Create().
		SetUsername(strings.ToLower(sa.Username)).
		SetPasswordHash(hash).
		SetEmail(sa.Email).
		SetSanitizedEmail(validate.SanitizeEmail(sa.Email, s.cfg.Account.SanitizeGmail)).
		SetFirstName(first).
		SetLastName(last).
		SetRole("super_admin").
		SetScope([]string{"*"}).
		SetVerified(true).
		SetEmailVerified(true).
		Exec(ctx)
	if err == nil {
		s.log.Info("created the super admin account", "username", strings.ToLower(sa.Username))
	}
	return err
}
