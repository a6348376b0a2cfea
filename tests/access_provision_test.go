package tests

import (
	"fmt"
	"net/http"
	"testing"

	"usergraph/internal/apitest"
)

// Access provisioning on users: add, del, set. Tokens keep the scopes fixed at grant time, but
// a scope removed from the user stops working at once.
func TestAccessOnUsers(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	granter := s.NewAdmin(t, "granter", "admin", "admin:profile:access:write", "admin:profile:read", "delegated:all")
	u := s.NewUser(t, "grantee")
	access := func(token string, body map[string]any) *apitest.Response {
		return s.Post(t, "/user/admin-api/access", token, body)
	}
	scopeOf := func(id string) string {
		usr, _ := s.App.DB.User.Get(t.Context(), id)
		return fmt.Sprint(usr.Scope)
	}

	access(granter.Token, map[string]any{"targets": []string{u.ID}, "targetType": "user", "scope": []string{"admin:profile:read"}, "operation": "add"}).Expect(t, http.StatusOK, "")
	if got := scopeOf(u.ID); got != "[delegated:all admin:profile:read]" {
		t.Fatalf("after add: %s", got)
	}
	// The old token was granted before: it does not carry the new scope.
	s.Get(t, "/user/admin-api/list", u.Token).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	fresh, _ := s.Tokens(t, u.Username, u.Password)
	s.Get(t, "/user/admin-api/list", fresh).Expect(t, http.StatusOK, "")

	access(granter.Token, map[string]any{"targets": []string{u.ID}, "targetType": "user", "scope": []string{"admin:profile:read"}, "operation": "del"}).Expect(t, http.StatusOK, "")
	// Removed: the token that carries it is refused at once.
	s.Get(t, "/user/admin-api/list", fresh).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	s.Get(t, "/user/me", fresh).Expect(t, http.StatusOK, "")

	access(granter.Token, map[string]any{"targets": []string{u.ID}, "targetType": "user", "scope": []string{"delegated:profile:read"}, "operation": "set"}).Expect(t, http.StatusOK, "")
	if got := scopeOf(u.ID); got != "[delegated:profile:read]" {
		t.Fatalf("after set: %s", got)
	}
	s.Get(t, "/user/me", fresh).Expect(t, http.StatusOK, "")
	s.Patch(t, "/user/me", fresh, map[string]any{"bio": "no longer allowed"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	// Every scope must exist and be one the caller holds.
	expectField(t, access(granter.Token, map[string]any{"targets": []string{u.ID}, "targetType": "user", "scope": []string{"admin:profile:ban:write"}, "operation": "add"}), "scope")
	expectField(t, access(granter.Token, map[string]any{"targets": []string{u.ID}, "targetType": "user", "scope": []string{"admin:*"}, "operation": "add"}), "scope")
	expectField(t, access(granter.Token, map[string]any{"targets": []string{"nope"}, "targetType": "user", "scope": []string{"admin:profile:read"}, "operation": "add"}), "targets")
	expectField(t, access(granter.Token, map[string]any{"targets": []string{u.ID}, "targetType": "group", "scope": []string{"admin:profile:read"}, "operation": "add"}), "targetType")
	expectField(t, access(granter.Token, map[string]any{"targets": []string{u.ID}, "targetType": "user", "scope": []string{"admin:profile:read"}, "operation": "merge"}), "operation")
	expectField(t, access(granter.Token, map[string]any{"targets": []string{u.ID}, "targetType": "user", "scope": "admin:profile:read", "operation": "add"}), "scope")
	// Unknown targets: 404, and nothing changes for the others.
	access(granter.Token, map[string]any{"targets": []string{u.ID, unknownID}, "targetType": "user", "scope": []string{"admin:profile:read"}, "operation": "add"}).Expect(t, http.StatusNotFound, "NotFound")
	if got := scopeOf(u.ID); got != "[delegated:profile:read]" {
		t.Fatalf("a failed provisioning changed the user: %s", got)
	}
	// The rank rule: an admin cannot change a super_admin.
	access(granter.Token, map[string]any{"targets": []string{root.ID}, "targetType": "user", "scope": []string{"admin:profile:read"}, "operation": "del"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	access(u.Token, map[string]any{"targets": []string{u.ID}, "targetType": "user", "scope": []string{"admin:profile:read"}, "operation": "add"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	access("", map[string]any{}).Expect(t, http.StatusUnauthorized, "Unauthorized")
}

// Access provisioning on roles: scopes given to a role reach its holders; removing them takes
// effect at once.
func TestAccessOnRoles(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	admin := s.NewAdmin(t, "plain_admin", "admin")
	s.Get(t, "/user/admin-api/list", admin.Token).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	body := map[string]any{"targets": []string{"admin"}, "targetType": "role", "scope": []string{"admin:profile:read", "admin:profile:access:write"}, "operation": "add"}
	s.Post(t, "/user/admin-api/access", root.Token, body).Expect(t, http.StatusOK, "")
	token, _ := s.Tokens(t, admin.Username, admin.Password)
	s.Get(t, "/user/admin-api/list", token).Expect(t, http.StatusOK, "")

	// An admin may not change the super_admin role, nor give a role a scope it lacks.
	s.Post(t, "/user/admin-api/access", token, map[string]any{"targets": []string{"super_admin"}, "targetType": "role", "scope": []string{"admin:profile:read"}, "operation": "del"}).
		Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	expectField(t, s.Post(t, "/user/admin-api/access", token, map[string]any{"targets": []string{"user"}, "targetType": "role", "scope": []string{"admin:all"}, "operation": "add"}), "scope")
	s.Post(t, "/user/admin-api/access", token, map[string]any{"targets": []string{"no_such_role"}, "targetType": "role", "scope": []string{"admin:profile:read"}, "operation": "add"}).
		Expect(t, http.StatusNotFound, "NotFound")

	body["operation"] = "del"
	body["scope"] = []string{"admin:profile:read"}
	s.Post(t, "/user/admin-api/access", root.Token, body).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/admin-api/list", token).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	r := s.Get(t, "/roles/list", root.Token).Expect(t, http.StatusOK, "")
	for _, x := range r.Data()["roles"].([]any) {
		if role := x.(map[string]any); role["id"] == "admin" && fmt.Sprint(role["scope"]) != "[admin:profile:access:write]" {
			t.Fatalf("admin role: %v", role)
		}
	}
}

// Access provisioning on clients, through the client API too: a scope removed from a client
// stops its tokens using it at once.
func TestAccessOnClients(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	granter := s.NewClient(t, "granting-service", "internal_client")
	ext := s.NewClient(t, "reading-service", "external_client")
	// A client without scopes can ask for none (the grant refuses it), and a token without them
	// is refused by the API.
	if ext.Token != "" {
		t.Fatal("a client without scopes got a token")
	}
	s.Get(t, "/user/client-api/list", s.ClientToken(t, ext.ClientID)).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	body := map[string]any{"targets": []string{ext.ID}, "targetType": "client", "scope": []string{"client:profile:read"}, "operation": "add"}
	s.Post(t, "/user/client-api/access", granter.Token, body).Expect(t, http.StatusOK, "")
	token := s.ClientToken(t, ext.ClientID, "client:profile:read")
	s.Get(t, "/user/client-api/list", token).Expect(t, http.StatusOK, "")

	body["operation"] = "del"
	s.Post(t, "/user/admin-api/access", root.Token, body).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/client-api/list", token).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	// The granting client may not change a client that outranks it... it has the same rank
	// (internal_client, 2) as itself, which peers may do; an external client may not.
	s.Post(t, "/user/client-api/access", s.ClientToken(t, ext.ClientID), map[string]any{"targets": []string{granter.ID}, "targetType": "client", "scope": []string{}, "operation": "set"}).
		Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	extGranter := s.NewClient(t, "ext-granter", "external_client", "client:profile:access:write", "client:profile:read")
	s.Post(t, "/user/client-api/access", extGranter.Token, map[string]any{"targets": []string{granter.ID}, "targetType": "client", "scope": []string{"client:profile:read"}, "operation": "del"}).
		Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	s.Post(t, "/user/client-api/access", extGranter.Token, map[string]any{"targets": []string{unknownID}, "targetType": "client", "scope": []string{"client:profile:read"}, "operation": "del"}).
		Expect(t, http.StatusNotFound, "NotFound")
	s.Post(t, "/user/client-api/access", root.Token, body).Expect(t, http.StatusUnauthorized, "Unauthorized")
}
