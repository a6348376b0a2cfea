package tests

import (
	"fmt"
	"net/http"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// GET /roles/list: the default roles, seeded at start, most powerful first.
func TestRolesList(t *testing.T) {
	s := apitest.New(t)
	u := s.NewUser(t, "role_reader")
	r := s.Get(t, "/roles/list", u.Token).Expect(t, http.StatusOK, "")
	var got []string
	for _, x := range r.Data()["roles"].([]any) {
		role := x.(map[string]any)
		got = append(got, fmt.Sprintf("%s:%v:%v:%v:%v", role["id"], role["ranking"], role["type"], role["scope"], role["system"]))
		if role["_id"] == nil || role["displayName"] == nil || role["createdAt"] == nil {
			t.Fatalf("role document: %v", role)
		}
	}
	want := "[super_admin:1:user:[*]:true admin:2:user:[]:true internal_client:2:client:[client:all]:true external_client:100:client:[]:true user:100:user:[]:true]"
	if fmt.Sprint(got) != want {
		t.Fatalf("roles:\n got %v\nwant %s", got, want)
	}
	s.Get(t, "/roles/list", "").Expect(t, http.StatusUnauthorized, "Unauthorized")
	s.Get(t, "/roles/list", s.UserToken(t, u.ID, "delegated:profile:all")).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	// Liquid checks the literal delegated:roles:read with the shared check: client:all does
	// not hold it, a super_admin passes whatever its token says.
	c := s.NewClient(t, "role-client", "internal_client")
	s.Get(t, "/roles/list", c.Token).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	root := s.NewSuperAdmin(t, "root_admin")
	s.Get(t, "/roles/list", s.UserToken(t, root.ID, "delegated:profile:read")).Expect(t, http.StatusOK, "")
}

// Create, update and delete, with Liquid's bodies and errors, and the rank rule.
func TestRoleLifecycle(t *testing.T) {
	s := apitest.New(t)
	admin := s.NewAdmin(t, "role_admin", "admin", "admin:roles:all", "admin:profile:write", "admin:profile:sensitive:write")
	root := s.NewSuperAdmin(t, "root_admin")
	create := func(token string, body map[string]any) *apitest.Response {
		return s.Post(t, "/roles/admin-api/create", token, body)
	}
	r := create(admin.Token, map[string]any{"id": "moderator", "displayName": "Moderator", "ranking": 10, "description": "Keeps order", "scope": []string{"*"}, "type": "client"}).
		Expect(t, http.StatusOK, "")
	role := r.Data()["role"].(map[string]any)
	if role["id"] != "moderator" || role["ranking"] != float64(10) || fmt.Sprint(role["scope"]) != "[]" || role["type"] != "user" || role["system"] != nil {
		t.Fatalf("created role (scope and type are forced): %v", role)
	}
	create(admin.Token, map[string]any{"id": "moderator", "displayName": "Again", "ranking": 10}).Expect(t, http.StatusBadRequest, "DuplicateResource")
	expectField(t, create(admin.Token, map[string]any{"id": "bad-id!", "displayName": "Bad", "ranking": 10}), "id")
	expectField(t, create(admin.Token, map[string]any{"id": "zero_rank", "displayName": "Zero", "ranking": 0}), "ranking")
	expectField(t, create(admin.Token, map[string]any{"id": "no_name", "ranking": 10}), "displayName")
	// A caller cannot create a role that outranks it; a peer role is allowed.
	create(admin.Token, map[string]any{"id": "overlord", "displayName": "Overlord", "ranking": 1}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	create(admin.Token, map[string]any{"id": "co_admin", "displayName": "Co-admin", "ranking": 2}).Expect(t, http.StatusOK, "")
	create(s.NewUser(t, "plain_user").Token, map[string]any{"id": "mine", "displayName": "Mine", "ranking": 50}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	update := func(token string, body map[string]any) *apitest.Response {
		return s.Patch(t, "/roles/admin-api/update", token, body)
	}
	r = update(admin.Token, map[string]any{"target": "moderator", "displayName": "Mod", "ranking": 20, "scope": []string{"*"}}).Expect(t, http.StatusOK, "")
	if role := r.Data()["role"].(map[string]any); role["displayName"] != "Mod" || role["ranking"] != float64(20) || fmt.Sprint(role["scope"]) != "[]" {
		t.Fatalf("updated role: %v", role)
	}
	update(admin.Token, map[string]any{"target": "nobody", "displayName": "X"}).Expect(t, http.StatusBadRequest, "NotFound")
	update(admin.Token, map[string]any{"target": "admin", "displayName": "X"}).Expect(t, http.StatusBadRequest, "SystemRoleUpdate")
	update(admin.Token, map[string]any{"target": "moderator", "ranking": 1}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	expectField(t, update(admin.Token, map[string]any{"displayName": "X"}), "target")
	expectField(t, update(admin.Token, map[string]any{"target": "moderator", "ranking": "high"}), "ranking")
	update(root.Token, map[string]any{"target": "co_admin", "ranking": 1}).Expect(t, http.StatusOK, "")
	// co_admin now outranks the admin: it can no longer touch it.
	update(admin.Token, map[string]any{"target": "co_admin", "displayName": "X"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	// Deleting a role moves its holders to the default role.
	holder := s.NewUser(t, "role_holder")
	s.Patch(t, "/user/admin-api/update", admin.Token, map[string]any{"target": holder.ID, "role": "moderator"}).Expect(t, http.StatusOK, "")
	del := func(token string, body map[string]any) *apitest.Response {
		return s.Delete(t, "/roles/admin-api/delete", token, body)
	}
	s.Delete(t, "/roles/admin-api/delete", s.UserToken(t, admin.ID, "admin:roles:write"), map[string]any{"target": "moderator"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	del(admin.Token, map[string]any{"target": "user"}).Expect(t, http.StatusBadRequest, "SystemRoleDelete")
	del(admin.Token, map[string]any{"target": "co_admin"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	expectField(t, del(admin.Token, map[string]any{}), "target")
	r = del(admin.Token, map[string]any{"target": "moderator"}).Expect(t, http.StatusOK, "")
	if string(r.Raw) != "{\"data\":{},\"ok\":1}\n" {
		t.Fatalf("delete answers {}: %s", r.Raw)
	}
	if u, _ := s.App.DB.User.Get(t.Context(), holder.ID); u.Role != "user" {
		t.Fatalf("holder's role after delete: %s", u.Role)
	}
	del(admin.Token, map[string]any{"target": "moderator"}).Expect(t, http.StatusOK, "")

	// The client API: client tokens only.
	c := s.NewClient(t, "role-service", "internal_client")
	s.Post(t, "/roles/client-api/create", c.Token, map[string]any{"id": "service_role", "displayName": "Service", "ranking": 50}).Expect(t, http.StatusOK, "")
	s.Patch(t, "/roles/client-api/update", c.Token, map[string]any{"target": "service_role", "ranking": 60}).Expect(t, http.StatusOK, "")
	s.Delete(t, "/roles/client-api/delete", c.Token, map[string]any{"target": "service_role"}).Expect(t, http.StatusOK, "")
	s.Post(t, "/roles/client-api/create", admin.Token, map[string]any{"id": "nope", "displayName": "Nope", "ranking": 50}).Expect(t, http.StatusUnauthorized, "Unauthorized")
	ext := s.NewClient(t, "ext-role-service", "external_client", "client:roles:write")
	s.Post(t, "/roles/client-api/create", ext.Token, map[string]any{"id": "too_high", "displayName": "Too high", "ranking": 99}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
}

// With admin-api.user.profile.can-edit-peer-data off, peers are out of reach.
func TestRolePeersWithoutPeerEditing(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.Profile.CanEditPeerData = false })
	admin := s.NewAdmin(t, "role_admin", "admin", "admin:roles:all")
	s.Post(t, "/roles/admin-api/create", admin.Token, map[string]any{"id": "co_admin", "displayName": "Co-admin", "ranking": 2}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	s.Post(t, "/roles/admin-api/create", admin.Token, map[string]any{"id": "helper", "displayName": "Helper", "ranking": 3}).Expect(t, http.StatusOK, "")
}

// The configured default role cannot be deleted, even when it is not a system role: its
// holders would have nowhere to go.
func TestDeleteDefaultRole(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.DefaultRole = "member" })
	if err := s.App.DB.Role.Create().SetID("member").SetDisplayName("Member").SetRanking(100).SetScope([]string{}).SetType("user").Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	root := s.NewSuperAdmin(t, "root_admin")
	expectField(t, s.Delete(t, "/roles/admin-api/delete", root.Token, map[string]any{"target": "member"}), "target")
	if r, _ := s.App.DB.Role.Get(t.Context(), "member"); r == nil {
		t.Fatal("the default role was deleted")
	}
}
