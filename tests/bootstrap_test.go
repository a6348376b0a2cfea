package tests

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"usergraph/ent/user"
	"usergraph/internal/apitest"
	"usergraph/internal/app"
	"usergraph/internal/config"
)

// logBuffer is a log destination a test can read while the server writes to it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// restart starts a second server on the database of s (as a restart of the process would), with
// the configuration adjusted by configure, and returns what it logged while starting.
func restart(t *testing.T, s *apitest.Server, configure func(*config.Config)) (*app.App, string) {
	t.Helper()
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = s.App.Config.DatabaseURL
	cfg.TokenSecret = s.App.Config.TokenSecret
	cfg.Mail.SMTPURL = s.App.Config.Mail.SMTPURL
	configure(cfg)
	logs := &logBuffer{}
	a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a, logs.String()
}

func superAdmin(username, email string) func(*config.Config) {
	return func(c *config.Config) {
		c.SuperAdmin = config.SuperAdmin{Username: username, Password: "root-password-1", Email: email, FirstName: "Root"}
	}
}

// SYSTEM_SUPER_ADMIN_* on a database that already has users: the super admin is created when its
// username and email are free; otherwise nothing changes and the log says why.
func TestSuperAdminBootstrapOnADatabaseWithUsers(t *testing.T) {
	s := apitest.New(t)
	existing := s.SignUp(t, "existing_user")
	ctx := context.Background()

	tests := []struct {
		name, username, email string
		created               bool
		log                   string
	}{
		{"free username and email", "root_admin", "root@example.com", true, "created the super admin account"},
		{"same settings again", "root_admin", "root@example.com", false, "super admin account already exists"},
		{"username of an ordinary account", existing.Username, "other@example.com", false, "names an existing account that is not a super admin"},
		{"email of another account", "second_root", existing.Email, false, "SYSTEM_SUPER_ADMIN_EMAIL belongs to another account"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := s.App.DB.User.Query().Count(ctx)
			_, logs := restart(t, s, superAdmin(tc.username, tc.email))
			if !strings.Contains(logs, tc.log) {
				t.Fatalf("log does not say %q:\n%s", tc.log, logs)
			}
			after, _ := s.App.DB.User.Query().Count(ctx)
			if created := after == before+1; created != tc.created || !tc.created && after != before {
				t.Fatalf("users %d -> %d, want created=%v", before, after, tc.created)
			}
		})
	}

	// The created super admin can log in with the configured password; the ordinary account was
	// neither promoted nor given the configured password.
	root, err := s.App.DB.User.Query().Where(user.Username("root_admin")).Only(ctx)
	if err != nil || root.Role != "super_admin" || !root.EmailVerified {
		t.Fatalf("super admin: %+v, %v", root, err)
	}
	restLogin(t, s, "root_admin", "root-password-1").Expect(t, http.StatusOK, "")
	if u, _ := s.App.DB.User.Get(ctx, existing.ID); u.Role != "user" {
		t.Fatalf("existing account promoted to %s", u.Role)
	}
	restLogin(t, s, existing.Username, "root-password-1").Expect(t, http.StatusUnauthorized, "Unauthorized")
	restLogin(t, s, existing.Username, existing.Password).Expect(t, http.StatusOK, "")
}

// Partial super-admin settings are not silently ignored either.
func TestSuperAdminBootstrapPartialSettings(t *testing.T) {
	s := apitest.New(t)
	_, logs := restart(t, s, func(c *config.Config) { c.SuperAdmin.Username = "root_admin" })
	if !strings.Contains(logs, "must all be set") {
		t.Fatalf("log:\n%s", logs)
	}
	if n, _ := s.App.DB.User.Query().Count(context.Background()); n != 0 {
		t.Fatalf("%d users", n)
	}
}
