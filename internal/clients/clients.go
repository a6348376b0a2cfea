// Package clients is the registry of OAuth 2 clients: lookup, secret checks and the default
// client created at start.
package clients

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"golang.org/x/crypto/bcrypt"

	"usergraph/ent"
	"usergraph/ent/oauthclient"
	"usergraph/internal/config"
)

// Grants a client may hold.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// HashSecret hashes a client secret for storage (bcrypt, like passwords).
func HashSecret(secret string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.DefaultCost)
	return string(h), err
}

// SecretMatches compares a presented secret with the stored hash in constant time.
func SecretMatches(c *ent.OAuthClient, secret string) bool {
	if c.SecretHash == "" || secret == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(c.SecretHash), []byte(secret)) == nil
}

// HasGrant reports whether the client may use grant. A public client never has
// client_credentials, whatever is stored.
func HasGrant(c *ent.OAuthClient, grant string) bool {
	if grant == GrantClientCredentials && c.IsPublic {
		return false
	}
	return slices.Contains(c.Grants, grant)
}

// Find returns the client with the public id, or nil.
func Find(ctx context.Context, db *ent.Client, clientID string) (*ent.OAuthClient, error) {
	c, err := db.OAuthClient.Query().Where(oauthclient.ClientID(clientID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return c, err
}

// EnsureDefault creates the configured default client (system.default-client.*) when no client
// has its id: a confidential internal client with scope "*" and the authorization_code,
// refresh_token and client_credentials grants. It is public only when
// SYSTEM_DEFAULT_CLIENT_IS_PUBLIC=true, and a public client gets no client_credentials grant.
func EnsureDefault(ctx context.Context, db *ent.Client, cfg config.DefaultClient, log *slog.Logger) error {
	if cfg.ID == "" {
		return nil
	}
	existing, err := Find(ctx, db, cfg.ID)
	if err != nil || existing != nil {
		return err
	}
	grants := []string{GrantAuthorizationCode, GrantRefreshToken}
	create := db.OAuthClient.Create().
		SetClientID(cfg.ID).
		SetIsPublic(cfg.IsPublic).
		SetRole(RoleInternal).
		SetScope([]string{"*"}).
		SetRedirectUris(cfg.RedirectURIs)
	name := cfg.DisplayName
	if name == "" {
		name = cfg.ID
	}
	create.SetDisplayName(name)
	if !cfg.IsPublic {
		if cfg.Secret == "" {
			return fmt.Errorf("SYSTEM_DEFAULT_CLIENT_SECRET is required for a confidential default client (or set SYSTEM_DEFAULT_CLIENT_IS_PUBLIC=true)")
		}
		hash, err := HashSecret(cfg.Secret)
		if err != nil {
			return err
		}
		create.SetSecretHash(hash)
		grants = append(grants, GrantClientCredentials)
	}
	if err := create.SetGrants(grants).Exec(ctx); err != nil {
		return err
	}
	log.Info("created the default OAuth client", "client_id", cfg.ID, "public", cfg.IsPublic)
	return nil
}

// RedirectURIs lists every client's redirect URIs (their origins may call the API from a browser).
func RedirectURIs(ctx context.Context, db *ent.Client) ([]string, error) {
	all, err := db.OAuthClient.Query().Select(oauthclient.FieldRedirectUris).All(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range all {
		out = append(out, c.RedirectUris...)
	}
	return out, nil
}
