package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// OAuthToken is one credential of fosite's OAuth 2 storage (internal/oauth): an authorization
// code, the PKCE challenge tied to it, an access token or a refresh token, with the request it
// was issued for. Only the SHA-256 of the credential's signature is stored, so a read of the
// table gives nothing that can be presented. Every credential of one grant shares request_id;
// tokens name the auth Session behind them, whose revocation kills them all.
type OAuthToken struct{ ent.Schema }

func (OAuthToken) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (OAuthToken) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("authorize_code", "pkce", "access_token", "refresh_token").Immutable(),
		field.String("signature_hash").NotEmpty().Immutable(),
		// request_id is fosite's request id: the same for a code and every token of its chain.
		field.String("request_id").NotEmpty().Immutable(),
		// client_id is the client's public id.
		field.String("client_id").Immutable(),
		field.String("user_id").Optional().Nillable().Immutable(),
		// session_id names the auth Session behind a token (kind oauth or client).
		field.String("session_id").Optional().Nillable().Immutable(),
		// login_session_id is the browser session that approved an authorization code; the code
		// dies with it (logout, password reset, ban).
		field.String("login_session_id").Optional().Nillable().Immutable(),
		field.Strings("requested_scope").Optional().Immutable(),
		field.Strings("granted_scope").Optional().Immutable(),
		// form holds the allow-listed request parameters fosite needs later (redirect_uri,
		// code_challenge, ...), URL-encoded; never a secret, code or verifier.
		field.String("form").Optional().Immutable(),
		field.Time("requested_at").Immutable(),
		field.Time("expires_at"),
		// active is false once a code is exchanged or a refresh token rotated; presenting it again
		// revokes what was issued from it.
		field.Bool("active").Default(true),
	}
}

func (OAuthToken) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("kind", "signature_hash").Unique(),
		index.Fields("request_id"),
		index.Fields("expires_at"),
	}
}

func (OAuthToken) Annotations() []schema.Annotation { return skipped }
