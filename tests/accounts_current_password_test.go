package tests

import (
	"net/http"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// PATCH /user/me with a protected field and no currentPassword is Liquid's validator error: a
// 400 ClientInputError naming currentPassword, after the scope check; the rule follows the
// settings.
func TestUpdateMeRequiresCurrentPassword(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		cfg    func(*config.Config)
		body   map[string]any
		status int
		code   string
	}{
		{"password without currentPassword", nil, map[string]any{"password": "brand-new-pass"}, http.StatusBadRequest, "ClientInputError"},
		{"wrong currentPassword", nil, map[string]any{"password": "brand-new-pass", "currentPassword": "wrong-password"}, http.StatusUnauthorized, "Unauthorized"},
		{"unprotected field", nil, map[string]any{"firstName": "Ada"}, http.StatusOK, ""},
		{"another protected field", func(c *config.Config) { c.Profile.ProtectedFields = []string{"password", "firstName"} },
			map[string]any{"firstName": "Ada"}, http.StatusBadRequest, "ClientInputError"},
		{"rule switched off", func(c *config.Config) { c.Profile.RequireCurrentPassword = false },
			map[string]any{"password": "brand-new-pass"}, http.StatusOK, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []func(*config.Config)
			if tc.cfg != nil {
				opts = append(opts, tc.cfg)
			}
			s := apitest.New(t, opts...)
			u := s.NewUser(t, "current_pw_user")
			r := s.Patch(t, "/user/me", u.Token, tc.body).Expect(t, tc.status, tc.code)
			if tc.status == http.StatusBadRequest {
				expectFieldError(t, r, "currentPassword", absent)
				if loc := firstFieldError(t, r)["location"]; loc != "body" {
					t.Fatalf("location %v", loc)
				}
				// The scope is checked first, as Liquid's middleware does.
				s.Patch(t, "/user/me", s.UserToken(t, u.ID, "delegated:profile:read"), tc.body).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
			}
		})
	}
}
