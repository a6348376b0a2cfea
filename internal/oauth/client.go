package oauth

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/ory/fosite"

	"usergraph/ent"
	"usergraph/internal/clients"
)

// client adapts a registered client to fosite.
type client struct {
	c     *ent.OAuthClient
	scope []string
}

var _ fosite.Client = (*client)(nil)

func (c *client) GetID() string { return c.c.ClientID }

// GetHashedSecret is unused: authenticateClient checks secrets with clients.SecretMatches.
func (c *client) GetHashedSecret() []byte { return []byte(c.c.SecretHash) }

func (c *client) GetRedirectURIs() []string { return c.c.RedirectUris }

// GetGrantTypes goes through clients.HasGrant, so a public client never has client_credentials
// whatever is stored.
func (c *client) GetGrantTypes() fosite.Arguments {
	var out fosite.Arguments
	for _, g := range []string{clients.GrantAuthorizationCode, clients.GrantRefreshToken, clients.GrantClientCredentials} {
		if clients.HasGrant(c.c, g) {
			out = append(out, g)
		}
	}
	return out
}

// GetResponseTypes: only the code flow exists; Authorize refuses clients without the
// authorization_code grant before fosite looks at the response type.
func (c *client) GetResponseTypes() fosite.Arguments { return fosite.Arguments{"code"} }

func (c *client) GetScopes() fosite.Arguments { return c.scope }

func (c *client) IsPublic() bool { return c.c.IsPublic }

func (c *client) GetAudience() fosite.Arguments { return nil }

// findClient returns the fosite view of a client, or nil when there is none.
func (s *Service) findClient(ctx context.Context, id string) (*client, error) {
	if id == "" {
		return nil, nil
	}
	c, err := clients.Find(ctx, s.db, id)
	if err != nil || c == nil {
		return nil, err
	}
	// What a client may request: its own scopes and its role's, as the roles table has them now.
	scope, err := s.access.ClientEffectiveScope(ctx, c)
	if err != nil {
		return nil, err
	}
	return &client{c: c, scope: scope}, nil
}

// authenticateClient replaces fosite's client authentication with Liquid's rules:
//   - HTTP Basic or client_id/client_secret in the body; secrets are bcrypt hashes.
//   - A public client is identified by client_id alone (PKCE protects its codes) and may never
//     use client_credentials.
//   - A refresh needs only client_id (Liquid's requireClientAuthentication {refresh_token:false});
//     a secret, if sent, must still be right.
func (s *Service) authenticateClient(ctx context.Context, r *http.Request, form url.Values) (fosite.Client, error) {
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if id == "" {
		return nil, fosite.ErrInvalidClient.WithHint("Client credentials are missing.")
	}
	// RFC 6749 §2.3.1 form-encodes Basic credentials; Liquid's clients send them as they are.
	// Accept both.
	ids, secrets := []string{id}, []string{secret}
	if basic {
		ids, secrets = alsoUnescaped(id), alsoUnescaped(secret)
		if body := form.Get("client_id"); body != "" && !slices.Contains(ids, body) {
			return nil, fosite.ErrInvalidRequest.WithHint("The client_id in the body does not match the Authorization header.")
		}
	}
	var c *client
	for _, cand := range ids {
		found, err := s.findClient(ctx, cand)
		if err != nil {
			return nil, fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
		}
		if found != nil {
			c = found
			break
		}
	}
	if c == nil {
		return nil, fosite.ErrInvalidClient.WithHint("The client does not exist or the credentials are wrong.")
	}
	grant := form.Get("grant_type")
	if c.IsPublic() {
		if grant == clients.GrantClientCredentials {
			return nil, fosite.ErrUnauthorizedClient.WithHint("A public client cannot use the client_credentials grant.")
		}
		return c, nil
	}
	if secret == "" && grant == clients.GrantRefreshToken {
		return c, nil
	}
	for _, sec := range secrets {
		if clients.SecretMatches(c.c, sec) {
			return c, nil
		}
	}
	return nil, fosite.ErrInvalidClient.WithHint("The client does not exist or the credentials are wrong.")
}

func alsoUnescaped(v string) []string {
	if u, err := url.QueryUnescape(v); err == nil && u != v {
		return []string{v, u}
	}
	return []string{v}
}
