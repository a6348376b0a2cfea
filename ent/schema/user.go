package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// User holds the whole Liquid user document (liquid-behaviour.md §3.1).
type User struct{ ent.Schema }

func (User) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

// hidden keeps a field out of the generated GraphQL type: either secret, or exposed through a
// resolver in schema/user.graphql that applies the viewer's privacy rules.
var hidden = entgql.Skip(entgql.SkipAll)

func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("username").NotEmpty().Unique().Annotations(entgql.OrderField("USERNAME")),
		field.String("password_hash").Optional().Sensitive().Annotations(hidden),
		field.Bool("two_factor_enabled").Default(false).Annotations(hidden),
		field.String("two_factor_medium").Optional().Nillable().Annotations(hidden),
		field.String("first_name"),
		field.String("last_name"),
		field.String("middle_name").Optional().Nillable(),
		field.String("gender").Optional().Nillable(),
		field.String("designation").Optional().Nillable(),
		field.String("bio").Optional().Nillable(),
		field.String("custom_link").Optional().Nillable(),
		field.String("pronouns").Optional().Nillable(),
		field.String("organization").Optional().Nillable(),
		field.String("preferred_language").Default("en"),
		field.String("role").Default("user"),
		field.String("profile_picture_url").Optional().Nillable(),
		field.String("profile_picture_path").Optional().Nillable().Annotations(hidden),
		field.Bool("verified").Default(false),
		field.Time("verified_date").Optional().Nillable(),
		field.String("verified_by").Optional().Nillable().Annotations(hidden),
		field.Int("following_count").Default(0).NonNegative(),
		field.Int("follower_count").Default(0).NonNegative(),
		field.Bool("is_private").Default(false),
		field.String("email").NotEmpty().Annotations(hidden),
		// sanitized_email is the uniqueness key: lowercased, Gmail dots and +tags removed.
		field.String("sanitized_email").NotEmpty().Unique().Annotations(hidden),
		field.Bool("email_verified").Default(false).Annotations(hidden),
		field.String("phone").Optional().Nillable().Annotations(hidden),
		field.String("phone_country_code").Optional().Nillable().Annotations(hidden),
		field.Bool("phone_verified").Default(false).Annotations(hidden),
		field.String("secondary_email").Optional().Nillable().Annotations(hidden),
		field.Bool("secondary_email_verified").Default(false).Annotations(hidden),
		field.String("secondary_phone").Optional().Nillable().Annotations(hidden),
		field.String("secondary_phone_country_code").Optional().Nillable().Annotations(hidden),
		field.Bool("secondary_phone_verified").Default(false).Annotations(hidden),
		field.String("address_line1").Optional().Nillable().Annotations(hidden),
		field.String("address_line2").Optional().Nillable().Annotations(hidden),
		field.String("city").Optional().Nillable().Annotations(hidden),
		field.Int("pincode").Optional().Nillable().Annotations(hidden),
		field.String("country").Optional().Nillable(),
		// is_subscribed and subscription_tier are shown through resolvers: a lapsed subscription
		// reads as the base tier (schema/user.graphql).
		field.Bool("is_subscribed").Default(false).Annotations(hidden),
		field.Time("subscription_activated_at").Optional().Nillable(),
		field.Time("subscription_expiry").Optional().Nillable(),
		field.String("subscription_tier").Optional().Nillable().Annotations(hidden),
		field.String("subscription_identifier").Optional().Nillable().Annotations(hidden),
		field.Bool("subscription_cancelled").Default(false),
		field.Time("subscription_cancelled_at").Optional().Nillable(),
		field.Int("credits").Default(0).NonNegative().Annotations(hidden),
		field.Strings("scope").Optional().Annotations(hidden),
		field.String("invited_by").Optional().Nillable(),
		field.Bool("is_active").Default(true),
		field.Time("deactivate_date").Optional().Nillable().Annotations(hidden),
		field.Bool("is_banned").Default(false),
		field.Time("banned_date").Optional().Nillable().Annotations(hidden),
		field.String("banned_reason").Optional().Nillable().Annotations(hidden),
		field.String("banned_by").Optional().Nillable().Annotations(hidden),
		field.Bool("is_restricted").Default(false).Annotations(hidden),
		field.Time("restricted_date").Optional().Nillable().Annotations(hidden),
		field.String("restricted_reason").Optional().Nillable().Annotations(hidden),
		field.String("restricted_by").Optional().Nillable().Annotations(hidden),
		field.Bool("is_deleted").Default(false),
		field.Time("deleted_date").Optional().Nillable().Annotations(hidden),
		field.Bool("sso_enabled").Default(false).Annotations(hidden),
		field.String("sso_provider").Optional().Nillable().Annotations(hidden),
		field.String("google_profile_id").Optional().Nillable().Annotations(hidden),
		field.String("creation_ip").Optional().Annotations(hidden),
		// custom_data is JSON text, replaced whole (liquid-behaviour.md §4.15).
		field.Text("custom_data").Default("{}").Annotations(hidden),
		field.Time("global_logout_at").Optional().Nillable().Annotations(hidden),
	}
}

func (User) Edges() []ent.Edge {
	return []ent.Edge{
		// A user's sessions, codes and history go with the user (an unverified account replaced
		// by a new sign-up is deleted).
		edge.To("sessions", Session.Type).Annotations(hidden, entsql.OnDelete(entsql.Cascade)),
		edge.To("codes", Code.Type).Annotations(hidden, entsql.OnDelete(entsql.Cascade)),
		edge.To("login_history", LoginHistory.Type).Annotations(hidden, entsql.OnDelete(entsql.Cascade)),
		// The social graph (internal/social). GraphQL reaches it through the domain's own fields
		// (followers, following, ...), which apply the privacy and block rules.
		edge.To("outgoing_follows", Follow.Type).Annotations(hidden, entsql.OnDelete(entsql.Cascade)),
		edge.To("incoming_follows", Follow.Type).Annotations(hidden, entsql.OnDelete(entsql.Cascade)),
		edge.To("blocks_made", Block.Type).Annotations(hidden, entsql.OnDelete(entsql.Cascade)),
		edge.To("blocks_received", Block.Type).Annotations(hidden, entsql.OnDelete(entsql.Cascade)),
		edge.To("invite_codes", InviteCode.Type).Annotations(hidden, entsql.OnDelete(entsql.Cascade)),
		edge.To("used_invite_codes", InviteCode.Type).Annotations(hidden, entsql.OnDelete(entsql.SetNull)),
	}
}

func (User) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("email"),
		index.Fields("creation_ip", "created_at"),
	}
}

func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
