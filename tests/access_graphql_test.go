package tests

import (
	"fmt"
	"testing"

	"usergraph/internal/apitest"
)

// The admin operations in GraphQL call the same domain functions as REST: same checks, same
// error codes in extensions.code.
func TestGraphQLAdministration(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	admin := s.NewAdmin(t, "gql_admin", "admin", "admin:all", "delegated:all")
	u := s.NewUser(t, "gql_user")
	gql := func(token, q string, vars map[string]any) *apitest.Response { return s.GraphQL(t, token, q, vars) }

	// users: Relay pagination; admins see private fields of other users.
	r := gql(admin.Token, `{ users(first: 2, orderBy: {field: USERNAME, direction: ASC}) { totalCount edges { node { username email credits } } pageInfo { hasNextPage } } }`, nil)
	conn := gqlData(t, r, "users").(map[string]any)
	edges := conn["edges"].([]any)
	if conn["totalCount"] != float64(3) || len(edges) != 2 || conn["pageInfo"].(map[string]any)["hasNextPage"] != true {
		t.Fatalf("users: %s", r.Raw)
	}
	if n := edges[0].(map[string]any)["node"].(map[string]any); n["username"] != "gql_admin" || n["email"] != "gql_admin@example.com" {
		t.Fatalf("admins see emails: %v", n)
	}
	expectGQL(t, gql(u.Token, `{ users(first: 1) { totalCount } }`, nil), "INSUFFICIENT_SCOPE")
	// Plain users still see no one else's email.
	r = gql(u.Token, `query($id: ID!) { user(id: $id) { username email } }`, map[string]any{"id": admin.ID})
	if gqlData(t, r, "user").(map[string]any)["email"] != nil {
		t.Fatalf("a user sees another's email: %s", r.Raw)
	}

	r = gql(admin.Token, `query($t: [String!]!) { retrieveUsers(targets: $t) { id username credits } }`, map[string]any{"t": []string{u.ID}})
	if fmt.Sprint(gqlData(t, r, "retrieveUsers")) != fmt.Sprintf("[map[credits:0 id:%s username:gql_user]]", u.ID) {
		t.Fatalf("retrieveUsers: %s", r.Raw)
	}

	// Credits.
	r = gql(admin.Token, `mutation($id: ID!) { adminSetCredits(id: $id, operation: INCREMENT, value: 5) { credits } }`, map[string]any{"id": u.ID})
	if gqlData(t, r, "adminSetCredits").(map[string]any)["credits"] != float64(5) {
		t.Fatalf("credits: %s", r.Raw)
	}
	expectGQL(t, gql(admin.Token, `mutation($id: ID!) { adminSetCredits(id: $id, operation: DECREMENT, value: 6) { credits } }`, map[string]any{"id": u.ID}), "INSUFFICIENT_CREDITS")
	expectGQL(t, gql(admin.Token, `mutation($id: ID!) { adminSetCredits(id: $id, operation: SET, value: -1) { credits } }`, map[string]any{"id": u.ID}), "BAD_USER_INPUT")
	expectGQL(t, gql(admin.Token, `mutation { adminSetCredits(id: "`+unknownID+`", operation: SET, value: 1) { credits } }`, nil), "NOT_FOUND")

	// Custom data, subscriptions, verify, restrict.
	r = gql(admin.Token, `mutation($id: ID!, $d: JSON) { adminSetCustomData(id: $id, customData: $d) { customData } }`, map[string]any{"id": u.ID, "d": map[string]any{"plan": "x"}})
	if fmt.Sprint(gqlData(t, r, "adminSetCustomData")) != "map[customData:map[plan:x]]" {
		t.Fatalf("custom data: %s", r.Raw)
	}
	r = gql(admin.Token, `mutation($id: ID!) { adminSetCustomData(id: $id, customData: null) { customData } }`, map[string]any{"id": u.ID})
	if fmt.Sprint(gqlData(t, r, "adminSetCustomData")) != "map[customData:<nil>]" {
		t.Fatalf("null custom data: %s", r.Raw)
	}
	r = gql(admin.Token, `mutation($id: ID!) { adminSetSubscription(id: $id, subscribed: true, tier: "premium", expiry: "2099-01-01T00:00:00Z") { isSubscribed subscriptionTier } }`, map[string]any{"id": u.ID})
	if fmt.Sprint(gqlData(t, r, "adminSetSubscription")) != "map[isSubscribed:true subscriptionTier:premium]" {
		t.Fatalf("subscription: %s", r.Raw)
	}
	expectGQL(t, gql(admin.Token, `mutation($id: ID!) { adminSetSubscription(id: $id, subscribed: true, tier: "premium") { isSubscribed } }`, map[string]any{"id": u.ID}), "BAD_USER_INPUT")
	// A lapsed subscription reads as the base tier, as in REST.
	r = gql(admin.Token, `mutation($id: ID!) { adminSetSubscription(id: $id, subscribed: true, tier: "premium", expiry: "2001-01-01T00:00:00Z") { isSubscribed subscriptionTier } }`, map[string]any{"id": u.ID})
	if fmt.Sprint(gqlData(t, r, "adminSetSubscription")) != "map[isSubscribed:false subscriptionTier:basic]" {
		t.Fatalf("lapsed subscription: %s", r.Raw)
	}
	r = gql(admin.Token, `mutation($id: ID!) { adminCancelSubscription(id: $id, cancelled: true) { subscriptionCancelled } }`, map[string]any{"id": u.ID})
	gqlData(t, r, "adminCancelSubscription")
	r = gql(admin.Token, `mutation($id: ID!) { adminVerifyUser(id: $id, verified: true) { verified } }`, map[string]any{"id": u.ID})
	gqlData(t, r, "adminVerifyUser")
	r = gql(admin.Token, `mutation($id: ID!) { adminRestrictUser(id: $id, restricted: true, reason: "too noisy today") { id } }`, map[string]any{"id": u.ID})
	gqlData(t, r, "adminRestrictUser")

	// Update, with the rank rule.
	r = gql(admin.Token, `mutation($id: ID!) { adminUpdateUser(id: $id, input: {firstName: "Graph", unset: ["bio"]}) { firstName bio } }`, map[string]any{"id": u.ID})
	if fmt.Sprint(gqlData(t, r, "adminUpdateUser")) != "map[bio:<nil> firstName:Graph]" {
		t.Fatalf("update: %s", r.Raw)
	}
	expectGQL(t, gql(admin.Token, `mutation($id: ID!) { adminUpdateUser(id: $id, input: {firstName: "Nope"}) { id } }`, map[string]any{"id": root.ID}), "INSUFFICIENT_SCOPE")
	expectGQL(t, gql(admin.Token, `mutation($id: ID!) { adminUpdateUser(id: $id, input: {firstName: "with space"}) { id } }`, map[string]any{"id": u.ID}), "BAD_USER_INPUT")

	// Access and roles.
	r = gql(admin.Token, `mutation($t: [String!]!) { setAccess(targets: $t, targetType: USER, scope: ["admin:profile:read"], operation: ADD) }`, map[string]any{"t": []string{u.ID}})
	if gqlData(t, r, "setAccess") != true {
		t.Fatalf("setAccess: %s", r.Raw)
	}
	r = gql(admin.Token, `mutation { createRole(input: {id: "editor", displayName: "Editor", ranking: 50}) { id ranking scope system } }`, nil)
	if fmt.Sprint(gqlData(t, r, "createRole")) != "map[id:editor ranking:50 scope:[] system:false]" {
		t.Fatalf("createRole: %s", r.Raw)
	}
	expectGQL(t, gql(admin.Token, `mutation { createRole(input: {id: "editor", displayName: "Editor", ranking: 50}) { id } }`, nil), "DUPLICATE_RESOURCE")
	expectGQL(t, gql(admin.Token, `mutation { createRole(input: {id: "boss", displayName: "Boss", ranking: 1}) { id } }`, nil), "INSUFFICIENT_SCOPE")
	r = gql(admin.Token, `mutation { updateRole(id: "editor", input: {displayName: "Chief editor"}) { displayName } }`, nil)
	gqlData(t, r, "updateRole")
	expectGQL(t, gql(admin.Token, `mutation { updateRole(id: "user", input: {displayName: "X"}) { id } }`, nil), "SYSTEM_ROLE_UPDATE")
	r = gql(u.Token, `{ roles { id } }`, nil)
	if len(gqlData(t, r, "roles").([]any)) != 6 {
		t.Fatalf("roles: %s", r.Raw)
	}
	r = gql(admin.Token, `mutation { deleteRole(id: "editor") }`, nil)
	gqlData(t, r, "deleteRole")

	// Bulk create.
	r = gql(admin.Token, `mutation { adminCreateUsers(input: [{username: "gql_bulk_1", password: "long-enough-1", email: "gql_bulk_1@example.com", firstName: "Bulk", lastName: "One"}]) }`, nil)
	if gqlData(t, r, "adminCreateUsers") != float64(1) {
		t.Fatalf("adminCreateUsers: %s", r.Raw)
	}

	// Editable fields, tiers.
	r = gql(admin.Token, `{ adminEditableFields subscriptionTiers { name isBaseTier } }`, nil)
	if fmt.Sprint(gqlData(t, r, "subscriptionTiers")) != "[map[isBaseTier:true name:basic] map[isBaseTier:false name:premium]]" {
		t.Fatalf("tiers: %s", r.Raw)
	}

	// Login history: one's own and, for admins, anyone's.
	r = gql(u.Token, `{ loginHistory(limit: 5) { success userId source } }`, nil)
	if fmt.Sprint(gqlData(t, r, "loginHistory")) != fmt.Sprintf("[map[source:password success:true userId:%s]]", u.ID) {
		t.Fatalf("loginHistory: %s", r.Raw)
	}
	r = gql(admin.Token, `query($id: ID!) { userLoginHistory(userId: $id) { id } }`, map[string]any{"id": u.ID})
	if len(gqlData(t, r, "userLoginHistory").([]any)) != 1 {
		t.Fatalf("userLoginHistory: %s", r.Raw)
	}

	// Ban last: it ends the user's sessions.
	r = gql(admin.Token, `mutation($id: ID!) { adminBanUser(id: $id, banned: true, reason: "breaking the rules") { isBanned } }`, map[string]any{"id": u.ID})
	if fmt.Sprint(gqlData(t, r, "adminBanUser")) != "map[isBanned:true]" {
		t.Fatalf("ban: %s", r.Raw)
	}
	expectGQL(t, gql(u.Token, `{ me { id } }`, nil), "UNAUTHENTICATED")
}

// A client token uses the same GraphQL operations with its client: scopes.
func TestGraphQLAsClient(t *testing.T) {
	s := apitest.New(t)
	c := s.NewClient(t, "graph-service", "internal_client")
	u := s.NewUser(t, "client_target")
	r := s.GraphQL(t, c.Token, `mutation($id: ID!) { adminSetCredits(id: $id, operation: SET, value: 9) { credits email } }`, map[string]any{"id": u.ID})
	if fmt.Sprint(gqlData(t, r, "adminSetCredits")) != "map[credits:9 email:client_target@example.com]" {
		t.Fatalf("client credits: %s", r.Raw)
	}
	// The blue check is an admin scope: client:all does not hold it.
	expectGQL(t, s.GraphQL(t, c.Token, `mutation($id: ID!) { adminVerifyUser(id: $id, verified: true) { id } }`, map[string]any{"id": u.ID}), "INSUFFICIENT_SCOPE")
	expectGQL(t, s.GraphQL(t, c.Token, `{ me { id } }`, nil), "INSUFFICIENT_SCOPE")
}

// OAuth clients in GraphQL: the secret is returned once; the public lookup shows little.
func TestGraphQLOAuthClients(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	r := s.GraphQL(t, root.Token, `mutation { createOAuthClient(input: {clientId: "graph_app", displayName: "Graph application", role: "external_client",
		grants: ["client_credentials"], redirectUris: [], secret: "a-long-secret-value", scope: ["client:profile:read"]}) { secret client { id clientId scope grants } } }`, nil)
	p := gqlData(t, r, "createOAuthClient").(map[string]any)
	cl := p["client"].(map[string]any)
	if p["secret"] != "a-long-secret-value" || cl["clientId"] != "graph_app" || fmt.Sprint(cl["scope"]) != "[client:profile:read]" {
		t.Fatalf("createOAuthClient: %s", r.Raw)
	}
	id := cl["id"].(string)
	r = s.GraphQL(t, "", `{ oauthClient(clientId: "graph_app") { clientId displayName role isPublic } }`, nil)
	if fmt.Sprint(gqlData(t, r, "oauthClient")) != "map[clientId:graph_app displayName:Graph application isPublic:false role:external_client]" {
		t.Fatalf("oauthClient: %s", r.Raw)
	}
	r = s.GraphQL(t, root.Token, `mutation($id: ID!) { updateOAuthClient(id: $id, input: {isPublic: true}) { isPublic grants } }`, map[string]any{"id": id})
	if fmt.Sprint(gqlData(t, r, "updateOAuthClient")) != "map[grants:[] isPublic:true]" {
		t.Fatalf("updateOAuthClient: %s", r.Raw)
	}
	r = s.GraphQL(t, root.Token, `{ oauthClients(limit: 10) { clientId } }`, nil)
	if len(gqlData(t, r, "oauthClients").([]any)) != 1 {
		t.Fatalf("oauthClients: %s", r.Raw)
	}
	r = s.GraphQL(t, root.Token, `mutation($id: ID!) { deleteOAuthClient(id: $id) }`, map[string]any{"id": id})
	gqlData(t, r, "deleteOAuthClient")
	expectGQL(t, s.GraphQL(t, root.Token, `mutation($id: ID!) { deleteOAuthClient(id: $id) }`, map[string]any{"id": id}), "INVALID_TARGET")
}

// The error cases of the administration mutations in GraphQL: bad input, an unknown id, the
// rank rule and system roles give the REST routes' codes.
func TestGraphQLAdministrationErrors(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	admin := s.NewAdmin(t, "gql_admin", "admin", "admin:all", "delegated:all")
	u := s.NewUser(t, "gql_user")
	gql := func(q string, vars map[string]any) *apitest.Response { return s.GraphQL(t, admin.Token, q, vars) }
	unknown := map[string]any{"id": unknownID}

	// setAccess: a scope that does not exist or that the caller lacks, an unknown or malformed
	// target, a target that outranks the caller.
	setAccess := `mutation($t: [String!]!, $type: AccessTargetType!, $s: [String!]!) { setAccess(targets: $t, targetType: $type, scope: $s, operation: ADD) }`
	expectGQL(t, gql(setAccess, map[string]any{"t": []string{u.ID}, "type": "USER", "s": []string{"no:such:scope"}}), "BAD_USER_INPUT")
	expectGQL(t, gql(setAccess, map[string]any{"t": []string{u.ID}, "type": "USER", "s": []string{"*"}}), "BAD_USER_INPUT")
	expectGQL(t, gql(setAccess, map[string]any{"t": []string{"nope"}, "type": "USER", "s": []string{"delegated:profile:read"}}), "BAD_USER_INPUT")
	expectGQL(t, gql(setAccess, map[string]any{"t": []string{unknownID}, "type": "USER", "s": []string{"delegated:profile:read"}}), "NOT_FOUND")
	expectGQL(t, gql(setAccess, map[string]any{"t": []string{"nobody"}, "type": "ROLE", "s": []string{"delegated:profile:read"}}), "NOT_FOUND")
	expectGQL(t, gql(setAccess, map[string]any{"t": []string{root.ID}, "type": "USER", "s": []string{"delegated:profile:read"}}), "INSUFFICIENT_SCOPE")
	expectGQL(t, gql(setAccess, map[string]any{"t": []string{"super_admin"}, "type": "ROLE", "s": []string{"delegated:profile:read"}}), "INSUFFICIENT_SCOPE")

	// Roles.
	expectGQL(t, gql(`mutation { deleteRole(id: "user") }`, nil), "SYSTEM_ROLE_DELETE")
	expectGQL(t, gql(`mutation { updateRole(id: "nobody", input: {displayName: "X"}) { id } }`, nil), "NOT_FOUND")
	expectGQL(t, gql(`mutation { createRole(input: {id: "bad-id!", displayName: "Bad", ranking: 10}) { id } }`, nil), "BAD_USER_INPUT")

	// Operations on a user: unknown, malformed, outranking.
	expectGQL(t, gql(`mutation($id: ID!) { adminBanUser(id: $id, banned: true) { id } }`, unknown), "NOT_FOUND")
	expectGQL(t, gql(`mutation($id: ID!) { adminBanUser(id: $id, banned: true, reason: "short") { id } }`, map[string]any{"id": u.ID}), "BAD_USER_INPUT")
	expectGQL(t, gql(`mutation($id: ID!) { adminBanUser(id: $id, banned: true) { id } }`, map[string]any{"id": root.ID}), "INSUFFICIENT_SCOPE")
	expectGQL(t, gql(`mutation($id: ID!) { adminRestrictUser(id: $id, restricted: true) { id } }`, unknown), "NOT_FOUND")
	expectGQL(t, gql(`mutation($id: ID!) { adminRestrictUser(id: $id, restricted: true) { id } }`, map[string]any{"id": "nope"}), "BAD_USER_INPUT")
	expectGQL(t, gql(`mutation($id: ID!) { adminVerifyUser(id: $id, verified: true) { id } }`, unknown), "NOT_FOUND")
	expectGQL(t, gql(`mutation($id: ID!) { adminCancelSubscription(id: $id, cancelled: true) { id } }`, unknown), "NOT_FOUND")
	expectGQL(t, gql(`mutation($id: ID!) { adminSetCustomData(id: $id, customData: {a: 1}) { id } }`, unknown), "NOT_FOUND")
	expectGQL(t, gql(`mutation($id: ID!) { adminSetCustomData(id: $id, customData: "text") { id } }`, map[string]any{"id": u.ID}), "BAD_USER_INPUT")
	expectGQL(t, gql(`mutation($id: ID!) { adminUpdateUser(id: $id, input: {firstName: "Nobody"}) { id } }`, unknown), "NOT_FOUND")

	// Bulk create: a taken username, a role that outranks the caller.
	create := `mutation($in: [AdminCreateUserInput!]!) { adminCreateUsers(input: $in) }`
	record := func(username, role string) map[string]any {
		m := map[string]any{"username": username, "password": "A-strong-passw0rd!", "email": username + "@example.org", "firstName": "New", "lastName": "Person"}
		if role != "" {
			m["role"] = role
		}
		return m
	}
	expectGQL(t, gql(create, map[string]any{"in": []any{record(u.Username, "")}}), "BAD_USER_INPUT")
	expectGQL(t, gql(create, map[string]any{"in": []any{record("new_root", "super_admin")}}), "INSUFFICIENT_SCOPE")
	if n := gqlData(t, gql(create, map[string]any{"in": []any{record("fresh_user", "")}}), "adminCreateUsers"); n != float64(1) {
		t.Fatalf("a valid record (the refusals above are not about its other fields): %v", n)
	}

	// OAuth clients: bad input and unknown ids.
	expectGQL(t, gql(`mutation { createOAuthClient(input: {clientId: "x", displayName: "Graph application", role: "external_client",
		grants: [], redirectUris: [], secret: "a-long-secret-value"}) { secret } }`, nil), "ClientInputError")
	expectGQL(t, gql(`mutation($id: ID!) { updateOAuthClient(id: $id, input: {displayName: "Renamed application"}) { id } }`, unknown), "INVALID_TARGET")
	expectGQL(t, gql(`mutation($id: ID!) { deleteOAuthClient(id: $id) }`, map[string]any{"id": "nope"}), "BAD_USER_INPUT")
}
