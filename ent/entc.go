//go:build ignore

// entc.go generates the ent client and, through entgql, schema/ent.graphql.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("../schema/ent.graphql"),
		entgql.WithConfigPath("../gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
	)
	if err != nil {
		log.Fatalf("entgql: %v", err)
	}
	cfg := &gen.Config{Features: []gen.Feature{gen.FeatureUpsert, gen.FeatureLock, gen.FeatureModifier, gen.FeatureExecQuery}}
	if err := entc.Generate("./schema", cfg, entc.Extensions(ex)); err != nil {
		log.Fatalf("entc: %v", err)
	}
}
