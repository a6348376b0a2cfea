package oauth

import (
	"strings"

	"usergraph/internal/clients"
)

// Metadata is the authorization server's metadata (RFC 8414): only what this server really
// does. It is served at /.well-known/oauth-authorization-server and, for OpenID-aware software
// that looks only there, at /.well-known/openid-configuration (RFC 8414 §5). usergraph is not an
// OpenID Provider: it issues no ID tokens and has no userinfo endpoint or JWKS (its access tokens
// are signed with a shared secret), so no OpenID Connect fields are claimed.
type Metadata struct {
	Issuer                                    string   `json:"issuer"`
	AuthorizationEndpoint                     string   `json:"authorization_endpoint"`
	TokenEndpoint                             string   `json:"token_endpoint"`
	IntrospectionEndpoint                     string   `json:"introspection_endpoint"`
	RevocationEndpoint                        string   `json:"revocation_endpoint"`
	ScopesSupported                           []string `json:"scopes_supported"`
	ResponseTypesSupported                    []string `json:"response_types_supported"`
	ResponseModesSupported                    []string `json:"response_modes_supported"`
	GrantTypesSupported                       []string `json:"grant_types_supported"`
	CodeChallengeMethodsSupported             []string `json:"code_challenge_methods_supported"`
	TokenEndpointAuthMethodsSupported         []string `json:"token_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
}

// Metadata describes this server, reached at issuer (system.app-host, e.g.
// https://auth.example.com).
func (s *Service) Metadata(issuer string) *Metadata {
	issuer = strings.TrimRight(issuer, "/")
	var scopeNames []string
	for _, sc := range s.scopes.All() {
		scopeNames = append(scopeNames, sc.Name)
	}
	// "none": public clients authenticate with client_id alone (and PKCE).
	clientAuth := []string{"client_secret_basic", "client_secret_post", "none"}
	return &Metadata{
		Issuer:                                    issuer,
		AuthorizationEndpoint:                     issuer + "/oauth/authorize",
		TokenEndpoint:                             issuer + "/oauth/token",
		IntrospectionEndpoint:                     issuer + "/oauth/introspect",
		RevocationEndpoint:                        issuer + "/oauth/revoke",
		ScopesSupported:                           scopeNames,
		ResponseTypesSupported:                    []string{"code"},
		ResponseModesSupported:                    []string{"query"},
		GrantTypesSupported:                       []string{clients.GrantAuthorizationCode, clients.GrantRefreshToken, clients.GrantClientCredentials},
		CodeChallengeMethodsSupported:             []string{"S256"},
		TokenEndpointAuthMethodsSupported:         clientAuth,
		RevocationEndpointAuthMethodsSupported:    clientAuth,
		IntrospectionEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
	}
}
