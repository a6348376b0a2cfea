package tests

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"usergraph/ent"
	"usergraph/ent/hook"
	"usergraph/internal/apitest"
)

// failUserWrites makes the server's writes to users fail while on is set and match says so.
func failUserWrites(s *apitest.Server, on *atomic.Bool, match func(m *ent.UserMutation) bool) {
	s.App.DB.User.Use(func(next ent.Mutator) ent.Mutator {
		return hook.UserFunc(func(ctx context.Context, m *ent.UserMutation) (ent.Value, error) {
			if on.Load() && match(m) {
				return nil, errors.New("injected failure")
			}
			return next.Mutate(ctx, m)
		})
	})
}

// A code is consumed in the transaction that uses it: when saving the new password fails, the
// reset code still works afterwards.
func TestPasswordResetFailedSaveKeepsCode(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.SignUp(t, "nora_failsave")
	code := resetCode(t, s, u)
	var on atomic.Bool
	failUserWrites(s, &on, func(m *ent.UserMutation) bool { _, ok := m.PasswordHash(); return ok })

	on.Store(true)
	s.Post(t, "/user/reset-password", "", map[string]any{"code": code, "password": "brand-new-pass"}).
		Expect(t, http.StatusInternalServerError, "InternalServerError")
	on.Store(false)
	restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusOK, "")
	s.Post(t, "/user/reset-password", "", map[string]any{"code": code, "password": "brand-new-pass"}).Expect(t, http.StatusOK, "")
	restLogin(t, s, u.Username, "brand-new-pass").Expect(t, http.StatusOK, "")
}

// When marking the address verified fails, the sign-up code still works afterwards.
func TestVerifyEmailFailedSaveKeepsCode(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	id, code := pendingUser(t, s, "olga_failsave")
	var on atomic.Bool
	failUserWrites(s, &on, func(m *ent.UserMutation) bool { _, ok := m.EmailVerified(); return ok })

	on.Store(true)
	verify(t, s, http.MethodPost, id, code).Expect(t, http.StatusInternalServerError, "InternalServerError")
	on.Store(false)
	restLogin(t, s, "olga_failsave", "correct-horse-1").Expect(t, http.StatusUnauthorized, "ResourceNotActive")
	verify(t, s, http.MethodPost, id, code).Expect(t, http.StatusOK, "")
	restLogin(t, s, "olga_failsave", "correct-horse-1").Expect(t, http.StatusOK, "")
}
