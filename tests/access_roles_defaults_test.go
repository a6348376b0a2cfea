package tests

import (
	"context"
	"net/http"
	"testing"

	"usergraph/ent/role"
	"usergraph/internal/apitest"
)

// The default roles carry Liquid's descriptions (default-roles.json), in REST and GraphQL, and
// a database seeded before they had descriptions gets them at the next start.
func TestDefaultRoleDescriptions(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	want := map[string]string{
		"super_admin":     "The system super admin. Has all permissions and cannot be restricted.",
		"admin":           "Ranks a little lower than Super Admin and has no permissions assigned by default.",
		"user":            "Ranked the lowest. Has no permissions assigned by default.",
		"internal_client": "First party and trusted applications.",
		"external_client": "Third party applications. Ranked the same as users due to lower trust.",
	}
	root := s.NewSuperAdmin(t, "roles_desc_root")
	check := func(t *testing.T) {
		t.Helper()
		r := s.Get(t, "/roles/list", root.Token).Expect(t, http.StatusOK, "")
		seen := 0
		for _, x := range r.Data()["roles"].([]any) {
			doc := x.(map[string]any)
			if d, ok := want[doc["id"].(string)]; ok {
				seen++
				if doc["description"] != d {
					t.Errorf("REST %s description = %v, want %q", doc["id"], doc["description"], d)
				}
			}
		}
		if seen != len(want) {
			t.Fatalf("%d of %d default roles listed: %s", seen, len(want), r.Raw)
		}
		g := expectGQLOK(t, s.GraphQL(t, root.Token, `{ roles { id description } }`, nil))
		for _, x := range g["roles"].([]any) {
			doc := x.(map[string]any)
			if d, ok := want[doc["id"].(string)]; ok && doc["description"] != d {
				t.Errorf("GraphQL %s description = %v, want %q", doc["id"], doc["description"], d)
			}
		}
	}
	check(t)

	// Rows seeded without descriptions are filled in; nothing else of theirs changes.
	ctx := context.Background()
	s.App.DB.Role.Update().Where(role.System(true)).ClearDescription().ExecX(ctx)
	s.App.DB.Role.UpdateOneID("admin").SetScope([]string{"admin:profile:read"}).ExecX(ctx)
	if err := s.App.Access.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	check(t)
	if got := s.App.DB.Role.GetX(ctx, "admin").Scope; len(got) != 1 || got[0] != "admin:profile:read" {
		t.Fatalf("seeding changed the admin role's scope: %v", got)
	}
}
