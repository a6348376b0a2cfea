package tests

import (
	"fmt"
	"strings"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// gqlInputCase is one GraphQL request whose bad input must be named by its GraphQL path (an
// argument, or a field of the input object) with the rule it broke.
type gqlInputCase struct {
	name, token, query string
	vars               map[string]any
	path, rule         string
}

func runGQLInputCases(t *testing.T, s *apitest.Server, cases []gqlInputCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectGQLRule(t, s.GraphQL(t, c.token, c.query, c.vars), c.path, c.rule)
		})
	}
}

// Roles and access provisioning in GraphQL: bad input names the GraphQL path and the rule; a
// missing scope and an unknown id give their own codes.
func TestGraphQLRoleAndAccessInput(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.DefaultRole = "member" })
	if err := s.App.DB.Role.Create().SetID("member").SetDisplayName("Member").SetRanking(100).SetScope([]string{}).SetType("user").Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	admin := s.NewAdmin(t, "gql_role_admin", "admin", "admin:all", "delegated:all")
	u := s.NewUser(t, "gql_role_user")
	tok := admin.Token
	const (
		create    = `mutation($in: CreateRoleInput!) { createRole(input: $in) { id } }`
		update    = `mutation($id: String!, $in: UpdateRoleInput!) { updateRole(id: $id, input: $in) { id displayName description } }`
		setAccess = `mutation($t: [String!]!, $type: AccessTargetType!, $s: [String!]!) { setAccess(targets: $t, targetType: $type, scope: $s, operation: ADD) }`
	)
	role := func(kv ...any) map[string]any {
		return map[string]any{"in": with(map[string]any{"id": "editor", "displayName": "Editor", "ranking": 50}, kv...)}
	}
	gqlData(t, s.GraphQL(t, tok, create, role("description", "Edits things")), "createRole")
	runGQLInputCases(t, s, []gqlInputCase{
		{"createRole bad id", tok, create, role("id", "bad-id!"), "input.id", "roleId"},
		{"createRole empty display name", tok, create, role("id", "other", "displayName", ""), "input.displayName", "displayName"},
		{"createRole zero ranking", tok, create, role("id", "other", "ranking", 0), "input.ranking", "ranking"},
		{"createRole long description", tok, create, role("id", "other", "description", strings.Repeat("d", 513)), "input.description", "description"},
		{"updateRole long id", tok, update, map[string]any{"id": strings.Repeat("r", 129), "in": map[string]any{"displayName": "X"}}, "id", "roleId"},
		{"updateRole empty display name", tok, update, map[string]any{"id": "editor", "in": map[string]any{"displayName": ""}}, "input.displayName", "displayName"},
		{"updateRole null display name", tok, update, map[string]any{"id": "editor", "in": map[string]any{"displayName": nil}}, "input.displayName", "required"},
		{"updateRole null ranking", tok, update, map[string]any{"id": "editor", "in": map[string]any{"ranking": nil}}, "input.ranking", "required"},
		{"deleteRole the default role", tok, `mutation { deleteRole(id: "member") }`, nil, "id", "rejected"},
		{"setAccess malformed user id", tok, setAccess, map[string]any{"t": []string{u.ID, "nope"}, "type": "USER", "s": []string{"delegated:profile:read"}}, "targets[1]", "id"},
		{"setAccess malformed role id", tok, setAccess, map[string]any{"t": []string{"a-b"}, "type": "ROLE", "s": []string{"delegated:profile:read"}}, "targets[0]", "roleId"},
		{"setAccess no targets", tok, setAccess, map[string]any{"t": []string{}, "type": "USER", "s": []string{"delegated:profile:read"}}, "targets", "required"},
		{"setAccess unknown scope", tok, setAccess, map[string]any{"t": []string{u.ID}, "type": "USER", "s": []string{"delegated:profile:read", "no:such:scope"}}, "scope[1]", "scope"},
		{"setAccess scope the caller lacks", tok, setAccess, map[string]any{"t": []string{u.ID}, "type": "USER", "s": []string{"*"}}, "scope[0]", "scope"},
	})

	// null clears the description; left out, a field is unchanged.
	r := s.GraphQL(t, tok, update, map[string]any{"id": "editor", "in": map[string]any{"description": nil}})
	if got := fmt.Sprint(gqlData(t, r, "updateRole")); got != "map[description:<nil> displayName:Editor id:editor]" {
		t.Fatalf("description cleared: %s", r.Raw)
	}
	// An unknown role, a missing scope.
	expectGQL(t, s.GraphQL(t, tok, update, map[string]any{"id": "nobody", "in": map[string]any{"displayName": "X"}}), "NotFound")
	expectGQL(t, s.GraphQL(t, u.Token, create, role("id", "mine")), "InsufficientPrivileges")
	expectGQL(t, s.GraphQL(t, u.Token, `mutation { deleteRole(id: "editor") }`, nil), "InsufficientPrivileges")
	expectGQL(t, s.GraphQL(t, u.Token, setAccess, map[string]any{"t": []string{u.ID}, "type": "USER", "s": []string{"*"}}), "InsufficientPrivileges")
	expectGQL(t, s.GraphQL(t, tok, setAccess, map[string]any{"t": []string{unknownID}, "type": "CLIENT", "s": []string{"delegated:profile:read"}}), "NotFound")
}
