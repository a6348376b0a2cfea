//go:build ignore

// entc.go generates the ent client and, through entgql, schema/ent.graphql.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// declareNodeScopes puts @hasScope on the generated node and nodes queries, which resolve to
// users: the schema documents every operation's scope (schema/access.graphql).
func declareNodeScopes(_ *gen.Graph, s *ast.Schema) error {
	q := s.Types["Query"]
	if q == nil {
		return nil
	}
	for _, f := range q.Fields {
		if f.Name == "node" || f.Name == "nodes" {
			f.Directives = append(f.Directives, &ast.Directive{Name: "hasScope", Arguments: ast.ArgumentList{{
				Name:  "scope",
				Value: &ast.Value{Kind: ast.StringValue, Raw: "delegated:profile:read"},
			}}})
		}
	}
	return nil
}

// nullableUserFields lets the user field table decide, per viewer, which User fields are
// shown: every field but id is nullable, and resolves to null when the viewer may not see it
// (a banned or deleted user is the stub {id, isBanned, isDeleted}).
func nullableUserFields(_ *gen.Graph, s *ast.Schema) error {
	u := s.Types["User"]
	if u == nil {
		return nil
	}
	for _, f := range u.Fields {
		if f.Name != "id" && f.Type.Elem == nil {
			f.Type.NonNull = false
		}
	}
	return nil
}

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("../schema/ent.graphql"),
		entgql.WithConfigPath("../gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
		entgql.WithSchemaHook(declareNodeScopes, nullableUserFields),
	)
	if err != nil {
		log.Fatalf("entgql: %v", err)
	}
	cfg := &gen.Config{Features: []gen.Feature{gen.FeatureUpsert, gen.FeatureLock, gen.FeatureModifier, gen.FeatureExecQuery}}
	// template/gql_page.tmpl comes after entgql's templates so that its paging replaces the
	// body of entgql's Paginate (no COUNT for pageInfo, cursors without edges).
	page := gen.MustParse(gen.NewTemplate("gql_page").Funcs(entgql.TemplateFuncs).ParseFiles("template/gql_page.tmpl"))
	// template/scan.tmpl exports ent's row scanning for the hand-prepared token check.
	scan := gen.MustParse(gen.NewTemplate("scan").ParseFiles("template/scan.tmpl"))
	withPage := func(cfg *gen.Config) error {
		cfg.Templates = append(cfg.Templates, page, scan)
		return nil
	}
	if err := entc.Generate("./schema", cfg, entc.Extensions(ex), withPage); err != nil {
		log.Fatalf("entc: %v", err)
	}
}
