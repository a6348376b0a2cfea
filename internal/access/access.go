// Package access decides who may do what: the scope checks of liquid-behaviour.md §5.2 (the
// session check and the shared admin/client check), the roles and their ranks (§4.13), and the
// effective scope of users and clients. Domain operations call it; REST routes and GraphQL
// resolvers never check scopes themselves (the @hasScope directive calls the same checks, so
// the schema documents them, and the domain checks again).
//
// Unlike Liquid, a check does not trust the scopes fixed in the token alone: the scope must also
// be allowed by the subject's current effective scope (user.scope ∪ role scopes, or for a client
// token client.scope ∪ its role's) and, for a token granted to an OAuth client, by that client's
// current scope. Removing a scope from a user, a role or a client takes effect at once.
package access

import (
	"context"
	"math"
	"net/http"
	"slices"
	"sync"

	"usergraph/ent"
	"usergraph/ent/oauthclient"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/config"
	"usergraph/internal/scopes"
)

// SuperAdmin is the role that passes every shared check and every rank check.
const SuperAdmin = "super_admin"

// Service runs the checks against the database's roles and clients.
type Service struct {
	db  *ent.Client
	reg *scopes.Registry
	cfg *config.Config
}

// New returns a Service.
func New(db *ent.Client, reg *scopes.Registry, cfg *config.Config) *Service {
	return &Service{db: db, reg: reg, cfg: cfg}
}

// Scopes is the registry the checks use.
func (s *Service) Scopes() *scopes.Registry { return s.reg }

// Caller is who is calling, with what is currently true about them.
type Caller struct {
	*auth.Identity
	// Client is the OAuth client the token was granted to; nil for first-party sessions. For a
	// client token (client_credentials) it is also the subject.
	Client *ent.OAuthClient
	// ClientScope is the client's current scope plus its role's.
	ClientScope []string
	// RoleID names the subject's role; Role is that role, nil when it does not exist.
	RoleID string
	Role   *ent.Role
	// Effective is the subject's current effective scope (own scopes ∪ role scopes).
	Effective []string

	reg *scopes.Registry
}

// ID is the subject's id: the user's, or for a client token the client's _id.
func (c *Caller) ID() string {
	if c.User != nil {
		return c.User.ID
	}
	return c.Client.ID
}

// Kind is "user" or "client".
func (c *Caller) Kind() string {
	if c.IsClient() {
		return "client"
	}
	return "user"
}

// IsSuperAdmin reports whether the caller is a user holding the super_admin role.
func (c *Caller) IsSuperAdmin() bool { return c.User != nil && c.RoleID == SuperAdmin }

// Rank is the subject's role ranking (lower is more powerful). A role that does not exist
// gives no power at all (Liquid counted it as 0, the most powerful).
func (c *Caller) Rank() int {
	if c.Role == nil {
		return math.MaxInt
	}
	return c.Role.Ranking
}

// Allows is the session check (Liquid's isScopeAllowedForSession): scope must be allowed by
// the token, by the client the token was granted to, and by the subject's current scope.
func (c *Caller) Allows(scope string) bool {
	if !c.reg.Allowed(scope, c.Scope) || !c.reg.Allowed(scope, c.Effective) {
		return false
	}
	return c.Client == nil || c.reg.Allowed(scope, c.ClientScope)
}

// AllowsShared is the shared admin/client check (Liquid's isScopeAllowedForSharedSession).
// name is either the part after the entity ("profile:ban:write": the check accepts
// client:profile:ban:write or admin:profile:ban:write) or, when it is itself a registered scope
// ("delegated:roles:read"), that literal scope, as Liquid checks GET /roles/list. It passes when
//
//	(a) the client variant is allowed by the token (and the subject's current scope), or
//	(b) the admin variant passes the session check, or the caller is a super_admin user
//	    (for a token granted to an OAuth client, only if the client itself allows it).
func (c *Caller) AllowsShared(name string) bool {
	clientScope, adminScope := SharedVariants(c.reg, name)
	if c.reg.Allowed(clientScope, c.Scope) && c.reg.Allowed(clientScope, c.Effective) {
		return true
	}
	if c.Allows(adminScope) {
		return true
	}
	return c.IsSuperAdmin() && (c.Client == nil || c.reg.Allowed(adminScope, c.ClientScope))
}

// SharedVariants returns the client and admin scopes a shared check of name accepts.
func SharedVariants(reg *scopes.Registry, name string) (clientScope, adminScope string) {
	if reg.Known(name) {
		return name, name
	}
	return "client:" + name, "admin:" + name
}

// Requirement is what an operation needs: one session-checked scope, a shared check, or any
// of several session-checked scopes (a client's create, whose scope depends on its role).
type Requirement struct {
	Scope  string
	Shared string
	AnyOf  []string
}

// Session requires scope with the session check.
func Session(scope string) Requirement { return Requirement{Scope: scope} }

// Shared requires the shared admin/client check of name.
func Shared(name string) Requirement { return Requirement{Shared: name} }

// AnyOf requires one of the scopes with the session check.
func AnyOf(scopes ...string) Requirement { return Requirement{AnyOf: scopes} }

// IsZero reports whether r requires nothing.
func (r Requirement) IsZero() bool { return r.Scope == "" && r.Shared == "" && len(r.AnyOf) == 0 }

// Met reports whether the caller meets r.
func (c *Caller) Met(r Requirement) bool {
	switch {
	case r.Scope != "":
		return c.Allows(r.Scope)
	case r.Shared != "":
		return c.AllowsShared(r.Shared)
	}
	return slices.ContainsFunc(r.AnyOf, c.Allows)
}

// Via is the API an operation is reached through; it decides which tokens may call it.
type Via int

const (
	// ViaGraphQL accepts user and client tokens; a client token acts as the client API would.
	ViaGraphQL Via = iota
	// ViaAdmin is /…/admin-api/*: Liquid's DelegatedAuthFlow, which accepts any token.
	ViaAdmin
	// ViaClient is /…/client-api/*: client tokens only.
	ViaClient
)

// Entity is "client" or "admin": which configuration (editable fields) applies to the caller.
func (v Via) Entity(c *Caller) string {
	if v == ViaClient || v == ViaGraphQL && c.IsClient() {
		return "client"
	}
	return "admin"
}

var errInsufficient = apperr.New(apperr.InsufficientPrivileges, nil)

// Require returns the caller if it meets r: 401 Unauthorized without a valid token, 403
// Banned for a banned user, 401 InsufficientPrivileges without the scope.
func (s *Service) Require(ctx context.Context, r Requirement) (*Caller, error) {
	return s.Through(ctx, ViaGraphQL, r)
}

// Through is Require for an operation reached through via: the client API refuses user tokens
// with 401 Unauthorized.
func (s *Service) Through(ctx context.Context, via Via, r Requirement) (*Caller, error) {
	c, err := s.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if via == ViaClient && !c.IsClient() {
		return nil, apperr.New(apperr.Unauthorized, nil)
	}
	if !c.Met(r) {
		return nil, errInsufficient
	}
	return c, nil
}

// RequireUser is Require for operations only a user (not a client) can perform.
func (s *Service) RequireUser(ctx context.Context, r Requirement) (*Caller, error) {
	c, err := s.Require(ctx, r)
	if err != nil {
		return nil, err
	}
	if c.User == nil {
		return nil, apperr.New(apperr.Unauthorized, nil)
	}
	return c, nil
}

type cacheKey struct{}

type callerCache struct {
	once sync.Once
	c    *Caller
	err  error
}

// Middleware lets every check of one request share one lookup of the caller (a GraphQL list of
// users asks for it once per private field). It must run after auth.Service.Middleware.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), cacheKey{}, &callerCache{})))
	})
}

// Caller returns who is calling, loading their client and role as they are now.
func (s *Service) Caller(ctx context.Context) (*Caller, error) {
	if cc, ok := ctx.Value(cacheKey{}).(*callerCache); ok {
		cc.once.Do(func() { cc.c, cc.err = s.load(ctx) })
		return cc.c, cc.err
	}
	return s.load(ctx)
}

func (s *Service) load(ctx context.Context) (*Caller, error) {
	id, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	c := &Caller{Identity: id, reg: s.reg}
	// The prepared token check has read the roles and the client with the session; an
	// identity from elsewhere has them read here.
	l := id.Loaded
	if l == nil {
		if l, err = s.loadRoles(ctx, id); err != nil {
			return nil, err
		}
	}
	if id.ClientID != "" {
		if l.Client == nil {
			// The client was deleted: what it was granted is gone with it.
			return nil, apperr.New(apperr.Unauthorized, nil)
		}
		c.Client = l.Client
		c.ClientScope = effectiveOf(l.Client.Scope, l.ClientRole)
	}
	if id.User == nil {
		if c.Client == nil {
			return nil, apperr.New(apperr.Unauthorized, nil)
		}
		c.RoleID, c.Role, c.Effective = c.Client.Role, l.ClientRole, c.ClientScope
		return c, nil
	}
	c.RoleID, c.Role, c.Effective = id.User.Role, l.UserRole, effectiveOf(id.User.Scope, l.UserRole)
	return c, nil
}

// loadRoles reads what the prepared token check reads with the session: the user's role, and
// the client the token was granted to with its role.
func (s *Service) loadRoles(ctx context.Context, id *auth.Identity) (*auth.Loaded, error) {
	l := &auth.Loaded{}
	var err error
	if id.ClientID != "" {
		l.Client, err = s.db.OAuthClient.Query().Where(oauthclient.ClientID(id.ClientID)).Only(ctx)
		if ent.IsNotFound(err) {
			return l, nil
		}
		if err != nil {
			return nil, err
		}
		if l.ClientRole, err = s.Role(ctx, l.Client.Role); err != nil {
			return nil, err
		}
	}
	if id.User != nil {
		if l.UserRole, err = s.Role(ctx, id.User.Role); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// EffectiveScope is what a token granted to u may carry: u's own scopes and its role's.
func (s *Service) EffectiveScope(ctx context.Context, u *ent.User) ([]string, error) {
	_, scope, err := s.effective(ctx, u.Scope, u.Role)
	return scope, err
}

// ClientEffectiveScope is what a token of client cl may carry: its scopes and its role's.
func (s *Service) ClientEffectiveScope(ctx context.Context, cl *ent.OAuthClient) ([]string, error) {
	_, scope, err := s.effective(ctx, cl.Scope, cl.Role)
	return scope, err
}

// effective loads the role called roleID (nil when there is none) and returns it with the
// subject's effective scope: own ∪ the role's scopes.
func (s *Service) effective(ctx context.Context, own []string, roleID string) (*ent.Role, []string, error) {
	r, err := s.Role(ctx, roleID)
	if err != nil {
		return nil, nil, err
	}
	return r, effectiveOf(own, r), nil
}

// effectiveOf is own ∪ r's scopes (own alone when the role does not exist).
func effectiveOf(own []string, r *ent.Role) []string {
	if r == nil {
		return slices.Clone(own)
	}
	return union(own, r.Scope)
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
