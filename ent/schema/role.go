package schema

import (
	"regexp"

	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// Role is a named rank with scopes (liquid-behaviour.md §4.13). Its id is the role name
// ("admin", "super_admin", ...), as users and clients refer to roles by that name. A lower
// ranking is more powerful.
type Role struct{ ent.Schema }

func (Role) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Role) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").MaxLen(128).NotEmpty().Unique().Immutable().
			Match(regexp.MustCompile(`^[a-zA-Z0-9_]+$`)),
		field.String("display_name").MaxLen(128),
		field.Int("ranking").Min(1),
		field.Strings("scope").Optional(),
		// type says whether users ("user") or OAuth clients ("client") hold the role.
		field.String("type").Default("user").Match(regexp.MustCompile(`^(user|client)$`)),
		field.String("description").Optional().Nillable().MaxLen(512),
		// system marks the default roles, which cannot be updated or deleted.
		field.Bool("system").Default(false),
	}
}

// Roles get a hand-written GraphQL type (schema/access.graphql): their ids are names, not
// Relay node ids.
func (Role) Annotations() []schema.Annotation { return skipped }
