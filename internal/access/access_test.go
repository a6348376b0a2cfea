package access

import (
	"testing"

	"usergraph/ent"
	"usergraph/internal/auth"
	"usergraph/internal/config"
	"usergraph/internal/scopes"
)

// caller builds a Caller without a database: a user (or, with user nil, a client token).
func caller(reg *scopes.Registry, token, effective []string, role string, client []string) *Caller {
	c := &Caller{Identity: &auth.Identity{Scope: token, User: &ent.User{ID: "u", Role: role}}, RoleID: role, Effective: effective, reg: reg}
	if client != nil {
		c.Client = &ent.OAuthClient{ID: "c", ClientID: "client"}
		c.ClientID = "client"
		c.ClientScope = client
	}
	return c
}

func TestSessionCheck(t *testing.T) {
	reg := scopes.Default()
	for _, tc := range []struct {
		name                     string
		token, effective, client []string
		scope                    string
		want                     bool
	}{
		{"token and subject allow", []string{"delegated:all"}, []string{"delegated:all"}, nil, "delegated:profile:read", true},
		{"an ancestor allows", []string{"*"}, []string{"*"}, nil, "admin:profile:sensitive:low:write", true},
		{"the token lacks it", []string{"delegated:profile:read"}, []string{"delegated:all"}, nil, "delegated:profile:write", false},
		{"removed from the subject since the grant", []string{"admin:profile:read"}, []string{"delegated:all"}, nil, "admin:profile:read", false},
		{"the client allows it too", []string{"delegated:all"}, []string{"delegated:all"}, []string{"delegated:profile:all"}, "delegated:profile:read", true},
		{"the client does not", []string{"delegated:all"}, []string{"delegated:all"}, []string{"delegated:social:all"}, "delegated:profile:read", false},
		{"unknown scopes are never allowed", []string{"*"}, []string{"*"}, nil, "admin:*", false},
	} {
		c := caller(reg, tc.token, tc.effective, "user", tc.client)
		if got := c.Allows(tc.scope); got != tc.want {
			t.Errorf("%s: Allows(%s) = %v", tc.name, tc.scope, got)
		}
	}
}

func TestSharedCheck(t *testing.T) {
	reg := scopes.Default()
	for _, tc := range []struct {
		name                     string
		token, effective, client []string
		role, shared             string
		want                     bool
	}{
		{"(a) the client variant", []string{"client:profile:all"}, []string{"client:profile:all"}, nil, "user", "profile:ban:write", true},
		{"(a) needs the subject's current scope too", []string{"client:profile:all"}, []string{}, nil, "user", "profile:ban:write", false},
		{"(b) the admin variant", []string{"admin:profile:ban:write"}, []string{"admin:all"}, nil, "admin", "profile:ban:write", true},
		{"(b) the admin variant, client lacks it", []string{"admin:all"}, []string{"admin:all"}, []string{"delegated:all"}, "admin", "profile:ban:write", false},
		{"neither", []string{"admin:profile:read"}, []string{"admin:all"}, nil, "admin", "profile:ban:write", false},
		{"super_admin, whatever its token", []string{"delegated:profile:read"}, []string{}, nil, SuperAdmin, "profile:ban:write", true},
		{"super_admin through a client that lacks it", []string{"delegated:profile:read"}, []string{"*"}, []string{"delegated:all"}, SuperAdmin, "profile:ban:write", false},
		{"super_admin, even a level with no scope", []string{}, []string{}, nil, SuperAdmin, "profile:sensitive:read-only:write", true},
		{"a literal scope", []string{"delegated:roles:read"}, []string{"delegated:all"}, nil, "user", "delegated:roles:read", true},
		{"a literal scope is not client:all's", []string{"client:all"}, []string{"client:all"}, nil, "user", "delegated:roles:read", false},
	} {
		c := caller(reg, tc.token, tc.effective, tc.role, tc.client)
		if got := c.AllowsShared(tc.shared); got != tc.want {
			t.Errorf("%s: AllowsShared(%s) = %v", tc.name, tc.shared, got)
		}
	}
}

func TestOutranks(t *testing.T) {
	reg := scopes.Default()
	for _, peers := range []bool{true, false} {
		s := &Service{reg: reg, cfg: &config.Config{Profile: config.Profile{CanEditPeerData: peers}}}
		admin := caller(reg, nil, nil, "admin", nil)
		admin.Role = &ent.Role{ID: "admin", Ranking: 2}
		root := caller(reg, nil, nil, SuperAdmin, nil)
		root.Role = &ent.Role{ID: SuperAdmin, Ranking: 1}
		unknown := caller(reg, nil, nil, "ghost", nil)
		for _, tc := range []struct {
			c       *Caller
			ranking int
			want    bool
		}{
			{admin, 100, true}, {admin, 2, peers}, {admin, 1, false},
			{root, 1, true}, {root, 0, true},
			// A role that does not exist gives no power.
			{unknown, 100, false},
		} {
			if got := s.Outranks(tc.c, tc.ranking); got != tc.want {
				t.Errorf("peers=%v: %s outranks %d = %v", peers, tc.c.RoleID, tc.ranking, got)
			}
		}
	}
}
