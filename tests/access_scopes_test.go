package tests

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"usergraph/graph"
	"usergraph/internal/access"
	"usergraph/internal/apitest"
	"usergraph/internal/config"
	"usergraph/internal/scopes"
)

// The public operations: everything else must declare a scope and refuse a token without it.
var (
	publicGraphQL = []string{
		"Query.scopes", "Query.oauthClient",
		"Mutation.signUp", "Mutation.verifyEmail", "Mutation.resendVerification", "Mutation.login",
		"Mutation.completeTwoFactorLogin", "Mutation.refreshToken", "Mutation.logout", "Mutation.logoutAll",
		"Mutation.requestPasswordReset", "Mutation.resetPassword",
	}
	publicREST = []string{
		"POST /user/create", "GET /user/verify-email", "POST /user/verify-email",
		"GET /user/resend-verification", "POST /user/resend-verification", "POST /user/login",
		"POST /user/do-2fa", "GET /user/logout", "GET /user/logout-all", "GET /user/code",
		"POST /user/reset-password", "GET /user/session-state", "GET /user/scopes", "GET /health",
		"GET /client", "GET /client/{clientId}",
		// OAuth endpoints authenticate clients and browser sessions themselves.
		"GET /oauth/authorize", "POST /oauth/authorize", "GET /oauth/token", "POST /oauth/token", "POST /oauth/revoke",
		// OAuth discovery (RFC 8414) is public by definition.
		"GET /.well-known/oauth-authorization-server", "GET /.well-known/openid-configuration",
	}
)

// everyFeature switches on the optional routes, so the walk meets them.
func everyFeature(c *config.Config) {
	c.TwoFactor.EmailEnabled = true
	c.Account.ForceGenerateInviteCodes = true
}

// required lists the scopes any of which would satisfy r.
func required(reg *scopes.Registry, r access.Requirement) []string {
	switch {
	case r.Scope != "":
		return []string{r.Scope}
	case r.Shared != "":
		c, a := access.SharedVariants(reg, r.Shared)
		return []string{c, a}
	}
	return r.AnyOf
}

// lacking is every scope except those that would grant one of need (the scopes themselves
// and their ancestors): the strongest token that still lacks the requirement.
func lacking(reg *scopes.Registry, need []string) []string {
	exclude := map[string]bool{}
	for _, n := range need {
		for name := n; name != ""; {
			exclude[name] = true
			sc, ok := reg.Get(name)
			if !ok {
				break
			}
			name = sc.Parent
		}
	}
	var out []string
	for _, sc := range reg.All() {
		if !exclude[sc.Name] {
			out = append(out, sc.Name)
		}
	}
	return out
}

// holding is the scope of r that a caller of kind ("user" or "client") would hold.
func holding(reg *scopes.Registry, r access.Requirement, kind string) string {
	need := required(reg, r)
	if r.Shared != "" && kind == "user" {
		return need[1]
	}
	return need[0]
}

// callers makes tokens with exactly the given scopes, for a plain user (role "user") and for
// an external client (whose role grants nothing), so only the token's scopes count.
type callers struct {
	s      *apitest.Server
	user   *apitest.User
	client *apitest.Client
}

func newCallers(t *testing.T, s *apitest.Server) *callers {
	return &callers{s: s, user: s.SignUp(t, "scope_prober"), client: s.NewClient(t, "scope-prober", "external_client")}
}

func (c *callers) token(t *testing.T, kind string, scope []string) string {
	if kind == "client" {
		if err := c.s.App.DB.OAuthClient.UpdateOneID(c.client.ID).SetScope(scope).Exec(t.Context()); err != nil {
			t.Fatal(err)
		}
		return c.s.ClientToken(t, c.client.ClientID, scope...)
	}
	c.s.SetUserScope(t, c.user.ID, scope...)
	return c.s.UserToken(t, c.user.ID, scope...)
}

// Every REST route but the public ones refuses, with 401 InsufficientPrivileges, a token that
// holds every scope except the one the route requires; and the scope the route table declares
// is the one the domain checks (a token with it is not refused for lack of scope).
func TestEveryRESTRouteRefusesATokenWithoutItsScope(t *testing.T) {
	s := apitest.New(t, everyFeature)
	reg := s.App.Access.Scopes()
	cs := newCallers(t, s)
	root := s.NewSuperAdmin(t, "root_admin").Token
	param := regexp.MustCompile(`\{[^}]+\}`)
	checked := 0
	defer func() { t.Logf("%d protected routes checked", checked) }()
	for _, rt := range s.App.Routes {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if slices.Contains(publicREST, rt.Pattern) {
			if !rt.Scope.IsZero() {
				t.Errorf("%s is listed as public but requires %+v", rt.Pattern, rt.Scope)
			}
			continue
		}
		if rt.Scope.IsZero() {
			t.Errorf("%s declares no scope and is not listed as public", rt.Pattern)
			continue
		}
		checked++
		kind := "user"
		if strings.Contains(path, "/client-api/") || path == "/oauth/introspect" {
			kind = "client"
		}
		path = param.ReplaceAllStringFunc(path, func(p string) string {
			if p == "{list}" { // GET /user/{userId}/{list}: followers or following
				return "followers"
			}
			return unknownID
		})
		call := func(token string) *apitest.Response {
			return s.Do(t, apitest.Req{Method: method, Path: path, Token: token, JSON: map[string]any{}})
		}
		r := call(cs.token(t, kind, lacking(reg, required(reg, rt.Scope))))
		if r.Status != http.StatusUnauthorized || r.Error() != "InsufficientPrivileges" {
			t.Errorf("%s without %+v: want 401 InsufficientPrivileges, got %d %s", rt.Pattern, rt.Scope, r.Status, r.Raw)
		}
		r = call(cs.token(t, kind, []string{holding(reg, rt.Scope, kind)}))
		if r.Status == http.StatusUnauthorized {
			t.Errorf("%s with %s: refused: %s", rt.Pattern, holding(reg, rt.Scope, kind), r.Raw)
		}
		if r.Status >= 500 {
			t.Errorf("%s with %s: %d %s", rt.Pattern, holding(reg, rt.Scope, kind), r.Status, r.Raw)
		}
		// Without a token at all: 401 Unauthorized. The client API refuses user tokens, even
		// one holding every scope.
		call("").Expect(t, http.StatusUnauthorized, "Unauthorized")
		if kind == "client" {
			call(root).Expect(t, http.StatusUnauthorized, "Unauthorized")
		}
	}
}

// Every Query and Mutation field but the public ones declares @hasScope, refuses a token
// without that scope with extensions.code InsufficientPrivileges, and does not refuse a token
// with it for lack of scope (so the declared scope is the one the domain checks).
func TestEveryGraphQLOperationRefusesATokenWithoutItsScope(t *testing.T) {
	s := apitest.New(t, everyFeature)
	reg := s.App.Access.Scopes()
	cs := newCallers(t, s)
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	checked := 0
	defer func() { t.Logf("%d protected fields checked", checked) }()
	for _, typ := range []string{"Query", "Mutation"} {
		for _, f := range schema.Types[typ].Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			name := typ + "." + f.Name
			d := f.Directives.ForName("hasScope")
			if slices.Contains(publicGraphQL, name) {
				if d != nil {
					t.Errorf("%s is listed as public but declares @hasScope", name)
				}
				continue
			}
			if d == nil {
				t.Errorf("%s declares no @hasScope and is not listed as public", name)
				continue
			}
			checked++
			req := requirementOf(d)
			op := operation(schema, typ, f)
			r := s.GraphQL(t, cs.token(t, "user", lacking(reg, required(reg, req))), op, nil)
			if r.GQLError() != "INSUFFICIENT_SCOPE" {
				t.Errorf("%s without %+v: want InsufficientPrivileges, got %s", name, req, r.Raw)
			}
			kinds := []string{"user"}
			if req.Shared != "" {
				kinds = append(kinds, "client")
			}
			for _, kind := range kinds {
				r = s.GraphQL(t, cs.token(t, kind, []string{holding(reg, req, kind)}), op, nil)
				if code := r.GQLError(); code == "INSUFFICIENT_SCOPE" || code == "INTERNAL_SERVER_ERROR" {
					t.Errorf("%s as %s with %s: %s", name, kind, holding(reg, req, kind), r.Raw)
				}
			}
		}
	}
}

func requirementOf(d *ast.Directive) access.Requirement {
	var r access.Requirement
	for _, a := range d.Arguments {
		switch a.Name {
		case "scope":
			r.Scope = a.Value.Raw
		case "shared":
			r.Shared = a.Value.Raw
		case "anyOf":
			for _, c := range a.Value.Children {
				r.AnyOf = append(r.AnyOf, c.Value.Raw)
			}
		}
	}
	return r
}

// operation writes a call of field with made-up values for its required arguments.
func operation(schema *ast.Schema, typ string, f *ast.FieldDefinition) string {
	var args []string
	for _, a := range f.Arguments {
		if a.Type.NonNull {
			args = append(args, a.Name+": "+value(schema, a.Type))
		}
	}
	call := f.Name
	if len(args) > 0 {
		call += "(" + strings.Join(args, ", ") + ")"
	}
	if def := schema.Types[f.Type.Name()]; def != nil && (def.Kind == ast.Object || def.Kind == ast.Interface) {
		call += " { __typename }"
	}
	return fmt.Sprintf("%s { %s }", strings.ToLower(typ), call)
}

func value(schema *ast.Schema, t *ast.Type) string {
	if t.Elem != nil {
		return "[" + value(schema, t.Elem) + "]"
	}
	switch t.NamedType {
	case "String":
		return `"x"`
	case "ID":
		return `"` + unknownID + `"`
	case "Int":
		return "1000"
	case "Boolean":
		return "true"
	case "Time":
		return `"2030-01-01T00:00:00Z"`
	case "JSON":
		return "{}"
	}
	def := schema.Types[t.NamedType]
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[0].Name
	case ast.InputObject:
		var fields []string
		for _, f := range def.Fields {
			if f.Type.NonNull {
				fields = append(fields, f.Name+": "+value(schema, f.Type))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	return `"x"`
}
