package tests

import (
	"fmt"
	"net/http"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/clients"
)

func clientBody(id, role string) map[string]any {
	return map[string]any{
		"id": id, "displayName": "A test application", "role": role, "secret": "a-long-secret-value",
		"grants":       []string{"client_credentials", "authorization_code", "refresh_token"},
		"redirectUris": []string{"https://app.example.com/callback"},
		"scope":        []string{"client:profile:read"},
	}
}

// The client registry: the plaintext secret is shown once and stored hashed; the public lookup
// shows four fields; a public client never gets client credentials.
func TestClientRegistry(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	create := func(token string, body map[string]any) *apitest.Response {
		return s.Post(t, "/client/admin-api/create", token, body)
	}
	r := create(root.Token, clientBody("billing_app", "internal_client")).Expect(t, http.StatusOK, "")
	doc := r.Data()["client"].(map[string]any)
	if doc["secret"] != "a-long-secret-value" || doc["id"] != "billing_app" || doc["_id"] == nil || doc["isPublic"] != false {
		t.Fatalf("created client: %v", doc)
	}
	row, err := clients.Find(t.Context(), s.App.DB, "billing_app")
	if err != nil || row.SecretHash == "" || row.SecretHash == "a-long-secret-value" || !clients.SecretMatches(row, "a-long-secret-value") {
		t.Fatalf("the secret must be stored hashed: %v %q", err, row.SecretHash)
	}
	create(root.Token, clientBody("billing_app", "internal_client")).Expect(t, http.StatusBadRequest, "DuplicateResource")

	pub := clientBody("spa_client", "external_client")
	pub["isPublic"] = true
	doc = create(root.Token, pub).Expect(t, http.StatusOK, "").Data()["client"].(map[string]any)
	if doc["secret"] != nil || fmt.Sprint(doc["grants"]) != "[authorization_code refresh_token]" {
		t.Fatalf("public client: %v", doc)
	}

	r = s.Get(t, "/client?id=billing_app", "").Expect(t, http.StatusOK, "")
	if fmt.Sprint(r.Data()["client"]) != "map[displayName:A test application id:billing_app isPublic:false role:internal_client]" {
		t.Fatalf("public lookup: %s", r.Raw)
	}
	s.Get(t, "/client/spa_client", "").Expect(t, http.StatusOK, "")
	if r := s.Get(t, "/client?id=nobody_here", "").Expect(t, http.StatusOK, ""); r.Data()["client"] != nil {
		t.Fatalf("unknown client: %s", r.Raw)
	}
	expectField(t, s.Get(t, "/client?id=ab", ""), "id")

	// Validation, each failure naming its field.
	for field, value := range map[string]any{
		"id": "short", "displayName": "short", "role": "super_admin", "grants": []string{"implicit"},
		"redirectUris": []string{"not a url"}, "secret": "short", "scope": []string{"no:such:scope"},
	} {
		b := clientBody("valid_client_id", "internal_client")
		b[field] = value
		expectField(t, create(root.Token, b), field)
	}
	noSecret := clientBody("no_secret_app", "internal_client")
	delete(noSecret, "secret")
	expectField(t, create(root.Token, noSecret), "secret")

	// The scope depends on the client's role; a client gets no scope its creator lacks.
	ext := s.NewAdmin(t, "ext_admin", "admin", "admin:system:external-client:all", "admin:system:client:read", "client:profile:read")
	create(ext.Token, clientBody("internal_app", "internal_client")).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	create(ext.Token, clientBody("partner_app", "external_client")).Expect(t, http.StatusOK, "")
	greedy := clientBody("greedy_app", "external_client")
	greedy["scope"] = []string{"*"}
	expectField(t, create(ext.Token, greedy), "scope")
	create(s.NewUser(t, "plain_user").Token, clientBody("user_app", "external_client")).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	// The list never shows secrets.
	r = s.Get(t, "/client/admin-api/list?limit=2", ext.Token).Expect(t, http.StatusOK, "")
	list := r.Data()["clients"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["secret"] != nil {
		t.Fatalf("list: %s", r.Raw)
	}
	next := s.Get(t, "/client/admin-api/list?offset="+list[1].(map[string]any)["_id"].(string), ext.Token).Expect(t, http.StatusOK, "")
	if len(next.Data()["clients"].([]any)) != 1 {
		t.Fatalf("second page: %s", next.Raw)
	}
	s.Get(t, "/client/admin-api/list", s.NewAdmin(t, "no_read", "admin", "admin:system:external-client:write").Token).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
}

// Update and delete: unknown fields are 401 InvalidField, unknown clients 400 InvalidTarget;
// making a client public drops its secret and client credentials; deleting a client ends its
// tokens.
func TestClientUpdateAndDelete(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	svc := s.NewClient(t, "internal_service", "internal_client", "client:profile:read")
	s.Get(t, "/user/client-api/list", svc.Token).Expect(t, http.StatusOK, "")
	update := func(token string, body map[string]any) *apitest.Response {
		return s.Patch(t, "/client/admin-api/update", token, body)
	}

	update(root.Token, map[string]any{"target": svc.ID, "id": "internal_service", "colour": "red"}).Expect(t, http.StatusUnauthorized, "InvalidField")
	update(root.Token, map[string]any{"target": unknownID, "id": "internal_service"}).Expect(t, http.StatusBadRequest, "InvalidTarget")
	expectField(t, update(root.Token, map[string]any{"id": "internal_service"}), "target")
	update(root.Token, map[string]any{"target": svc.ID, "id": "internal_service", "displayName": "Renamed service", "redirectUris": []string{"https://svc.example.com/cb"}}).
		Expect(t, http.StatusOK, "")
	row, _ := clients.Find(t.Context(), s.App.DB, "internal_service")
	if row.DisplayName != "Renamed service" || fmt.Sprint(row.RedirectUris) != "[https://svc.example.com/cb]" {
		t.Fatalf("updated: %v", row)
	}
	// Changing the role needs the scopes of both roles.
	ext := s.NewAdmin(t, "ext_admin", "admin", "admin:system:external-client:all")
	update(ext.Token, map[string]any{"target": svc.ID, "id": "internal_service", "role": "external_client"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	update(root.Token, map[string]any{"target": svc.ID, "id": "internal_service", "isPublic": true}).Expect(t, http.StatusOK, "")
	row, _ = clients.Find(t.Context(), s.App.DB, "internal_service")
	if !row.IsPublic || row.SecretHash != "" || clients.HasGrant(row, clients.GrantClientCredentials) {
		t.Fatalf("public client keeps a secret or client credentials: %+v", row)
	}
	update(root.Token, map[string]any{"target": svc.ID, "id": "internal_service", "isPublic": false}).Expect(t, http.StatusBadRequest, "ClientInputError")
	update(root.Token, map[string]any{"target": svc.ID, "id": "internal_service", "isPublic": false, "secret": "another-long-secret", "grants": []string{"client_credentials"}}).
		Expect(t, http.StatusOK, "")
	row, _ = clients.Find(t.Context(), s.App.DB, "internal_service")
	if !clients.SecretMatches(row, "another-long-secret") || !clients.HasGrant(row, clients.GrantClientCredentials) {
		t.Fatalf("new secret: %+v", row)
	}

	del := func(token string, body map[string]any) *apitest.Response {
		return s.Delete(t, "/client/admin-api/delete", token, body)
	}
	del(ext.Token, map[string]any{"target": svc.ID}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	del(root.Token, map[string]any{"target": unknownID}).Expect(t, http.StatusBadRequest, "InvalidTarget")
	expectField(t, del(root.Token, map[string]any{"target": "x"}), "target")
	del(root.Token, map[string]any{"target": svc.ID}).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/client-api/list", svc.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	if r := s.Get(t, "/client?id=internal_service", "").Expect(t, http.StatusOK, ""); r.Data()["client"] != nil {
		t.Fatalf("deleted client still found: %s", r.Raw)
	}
}

// The rank rule on clients: a caller ranked below a client's role can neither create, change
// nor delete such a client, whatever its scopes, nor move a client to that role. Renaming a
// client to an id already taken is 400 DuplicateResource.
func TestClientRankAndTakenID(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	s.Post(t, "/roles/admin-api/create", root.Token, map[string]any{"id": "operator", "displayName": "Operator", "ranking": 50}).
		Expect(t, http.StatusOK, "")
	op := s.NewAdmin(t, "operator_user", "operator", "admin:system:internal-client:all", "admin:system:external-client:all", "client:profile:read")
	svc := s.NewClient(t, "internal_service", "internal_client")

	// internal_client (2) outranks operator (50); external_client (100) does not.
	s.Post(t, "/client/admin-api/create", op.Token, clientBody("operator_app", "internal_client")).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	doc := s.Post(t, "/client/admin-api/create", op.Token, clientBody("partner_app", "external_client")).Expect(t, http.StatusOK, "").Data()["client"].(map[string]any)
	partner := doc["_id"].(string)

	update := func(token string, body map[string]any) *apitest.Response {
		return s.Patch(t, "/client/admin-api/update", token, body)
	}
	update(op.Token, map[string]any{"target": svc.ID, "displayName": "Renamed by the operator"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	update(op.Token, map[string]any{"target": partner, "role": "internal_client"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	s.Delete(t, "/client/admin-api/delete", op.Token, map[string]any{"target": svc.ID}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	if row, _ := clients.Find(t.Context(), s.App.DB, "internal_service"); row == nil || row.DisplayName == "Renamed by the operator" {
		t.Fatalf("a refused update or delete changed the client: %+v", row)
	}
	if row, _ := clients.Find(t.Context(), s.App.DB, "partner_app"); row == nil || row.Role != "external_client" {
		t.Fatalf("a refused role change was applied: %+v", row)
	}

	update(op.Token, map[string]any{"target": partner, "id": "internal_service"}).Expect(t, http.StatusBadRequest, "DuplicateResource")
	update(op.Token, map[string]any{"target": partner, "displayName": "Partner application"}).Expect(t, http.StatusOK, "")
	s.Delete(t, "/client/admin-api/delete", op.Token, map[string]any{"target": partner}).Expect(t, http.StatusOK, "")
}
