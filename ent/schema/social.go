package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// socialType is the GraphQL shape of the social entities: Relay connections (their lists are
// keyset-paginated by createdAt), no where-inputs (lists are filtered by the domain, never by
// the client) and no generated mutations.
var socialType = []schema.Annotation{
	entgql.RelayConnection(),
	entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
}

// Follow is one follow edge (Liquid's `follows` collection): source follows target. A pending
// request to a private account has approved=false. followerCount/followingCount on User count
// the approved edges; internal/social keeps them equal in the same transaction as every change.
type Follow struct{ ent.Schema }

func (Follow) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Follow) Fields() []ent.Field {
	return []ent.Field{
		field.String("source_id").Immutable(),
		field.String("target_id").Immutable(),
		field.Bool("approved").Default(true),
	}
}

func (Follow) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("source", User.Type).Ref("outgoing_follows").Field("source_id").Unique().Required().Immutable(),
		edge.From("target", User.Type).Ref("incoming_follows").Field("target_id").Unique().Required().Immutable(),
	}
}

func (Follow) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("source_id", "target_id").Unique(),
		// The followers and following lists: newest first, keyset on (created_at, id).
		index.Fields("target_id", "approved", "created_at", "id"),
		index.Fields("source_id", "approved", "created_at", "id"),
	}
}

func (Follow) Annotations() []schema.Annotation { return socialType }

// Block is one block (Liquid's `blocks` collection): source has blocked target.
type Block struct{ ent.Schema }

func (Block) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Block) Fields() []ent.Field {
	return []ent.Field{
		field.String("source_id").Immutable(),
		field.String("target_id").Immutable(),
	}
}

func (Block) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("source", User.Type).Ref("blocks_made").Field("source_id").Unique().Required().Immutable(),
		edge.From("target", User.Type).Ref("blocks_received").Field("target_id").Unique().Required().Immutable(),
	}
}

func (Block) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("source_id", "target_id").Unique(),
		// "who has blocked the viewer", used to filter every list and search.
		index.Fields("target_id", "source_id"),
		// The list of users I have blocked, newest first.
		index.Fields("source_id", "created_at", "id"),
	}
}

func (Block) Annotations() []schema.Annotation { return socialType }

// InviteCode is a single-use sign-up code (Liquid's `invite-codes` collection): source owns it,
// target is the account that signed up with it (unset while unused).
type InviteCode struct{ ent.Schema }

func (InviteCode) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (InviteCode) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").NotEmpty().Unique().Immutable(),
		field.String("source_id").Immutable(),
		field.String("target_id").Optional().Nillable(),
	}
}

func (InviteCode) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("source", User.Type).Ref("invite_codes").Field("source_id").Unique().Required().Immutable(),
		edge.From("target", User.Type).Ref("used_invite_codes").Field("target_id").Unique(),
	}
}

func (InviteCode) Indexes() []ent.Index {
	return []ent.Index{index.Fields("source_id", "created_at")}
}

func (InviteCode) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}
