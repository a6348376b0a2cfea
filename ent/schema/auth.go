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

// skipped keeps an entity out of the GraphQL schema entirely.
var skipped = []schema.Annotation{entgql.Skip(entgql.SkipAll)}

// Session is one login: a browser session (cookie) or a token session (access + refresh tokens).
// Every access token names its session, and every request checks the session is still live,
// so logout, logout-all and bans take effect at once on every instance.
type Session struct{ ent.Schema }

func (Session) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("cookie", "token", "oauth", "client"),
		field.String("user_id").Optional().Nillable(),
		// client_id is the OAuth client's public id ("id" in Liquid's client documents).
		field.String("client_id").Optional().Nillable(),
		// secret_hash is the SHA-256 of a cookie session's secret; token sessions have none.
		field.String("secret_hash").Optional().Nillable().Unique(),
		field.Strings("scope").Optional(),
		field.String("user_agent").Optional().MaxLen(1024),
		field.String("ip").Optional(),
		field.Time("expires_at"),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("sessions").Field("user_id").Unique(),
		edge.To("refresh_tokens", RefreshToken.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

func (Session) Indexes() []ent.Index { return []ent.Index{index.Fields("user_id", "revoked_at")} }

func (Session) Annotations() []schema.Annotation { return skipped }

// RefreshToken is one link of a session's rotating refresh-token chain; only the hash is stored.
type RefreshToken struct{ ent.Schema }

func (RefreshToken) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (RefreshToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("token_hash").Unique().Immutable(),
		field.String("session_id").Immutable(),
		field.Time("expires_at"),
		// used_at is set when the token is exchanged; presenting it again revokes the session.
		field.Time("used_at").Optional().Nillable(),
	}
}

func (RefreshToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("session", Session.Type).Ref("refresh_tokens").Field("session_id").Unique().Required().Immutable(),
	}
}

func (RefreshToken) Annotations() []schema.Annotation { return skipped }

// Code is a one-time code sent by mail: sign-up verification, 2FA login or password reset.
type Code struct{ ent.Schema }

func (Code) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Code) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").Immutable(),
		field.Enum("purpose").Values("signup", "login", "password_reset").Immutable(),
		// code_hash is the SHA-256 of the code; codes are compared by hash in constant time.
		field.String("code_hash").Immutable(),
		// session_hash binds a 2FA code to the login that asked for it.
		field.String("session_hash").Optional().Immutable(),
		field.Int("attempts").Default(0),
		field.Time("expires_at").Immutable(),
	}
}

func (Code) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("codes").Field("user_id").Unique().Required().Immutable(),
	}
}

func (Code) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id", "purpose").Unique(), index.Fields("code_hash")}
}

func (Code) Annotations() []schema.Annotation { return skipped }

// OAuthClient is a registered OAuth 2 client. Secrets are stored as bcrypt hashes.
type OAuthClient struct{ ent.Schema }

func (OAuthClient) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (OAuthClient) Fields() []ent.Field {
	return []ent.Field{
		field.String("client_id").NotEmpty().Unique(),
		field.String("secret_hash").Optional().Sensitive(),
		field.Bool("is_public").Default(false),
		field.String("display_name"),
		field.String("role").Default("internal_client"),
		field.Strings("scope").Optional(),
		field.Strings("grants").Optional(),
		field.Strings("redirect_uris").Optional(),
	}
}

func (OAuthClient) Annotations() []schema.Annotation { return skipped }

// LoginHistory records every login attempt (liquid-behaviour.md §3.2).
type LoginHistory struct{ ent.Schema }

func (LoginHistory) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (LoginHistory) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").Immutable(),
		field.String("user_agent").Optional().MaxLen(1024),
		field.String("ip_address").Optional(),
		field.Bool("success"),
		// reason is "password_rejected" or "mfa_rejected" for failures.
		field.String("reason").Optional().Nillable(),
		field.String("source").Default("password"),
		field.Time("expires_at"),
	}
}

func (LoginHistory) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("login_history").Field("user_id").Unique().Required().Immutable(),
	}
}

func (LoginHistory) Indexes() []ent.Index { return []ent.Index{index.Fields("user_id", "created_at")} }

func (LoginHistory) Annotations() []schema.Annotation { return skipped }
