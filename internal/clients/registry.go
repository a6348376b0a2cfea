package clients

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"usergraph/ent"
	"usergraph/ent/oauthclient"
	"usergraph/ent/oauthtoken"
	"usergraph/ent/session"
	"usergraph/internal/access"
	"usergraph/internal/accounts"
	"usergraph/internal/apperr"
	"usergraph/internal/config"
	"usergraph/internal/db"
	"usergraph/internal/validate"
)

// The /client routes (liquid-behaviour.md §2.6): a public lookup and the administration of
// OAuth clients. Unlike Liquid, secrets are stored hashed and shown only once, in the answer to
// create; a client's scopes must be scopes its creator holds; and the rank rule applies (the
// caller must outrank the client's role).

// Roles a client may hold.
const (
	RoleInternal = "internal_client"
	RoleExternal = "external_client"
)

// GrantPassword is accepted for compatibility with Liquid's client documents.
const GrantPassword = "password"

// ScopeList is the scope of the client list.
const ScopeList = "admin:system:client:read"

// WriteScope and DeleteScope are the scopes needed to create or change, and to delete, a
// client of role.
func WriteScope(role string) string {
	return "admin:system:" + strings.TrimSuffix(role, "_client") + "-client:write"
}
func DeleteScope(role string) string {
	return "admin:system:" + strings.TrimSuffix(role, "_client") + "-client:delete"
}

// AnyWrite and AnyDelete are met by a caller who may write (delete) clients of some role; the
// role the request names decides which scope it needs.
var (
	AnyWrite  = access.AnyOf(WriteScope(RoleInternal), WriteScope(RoleExternal))
	AnyDelete = access.AnyOf(DeleteScope(RoleInternal), DeleteScope(RoleExternal))
)

// Registry runs the client operations.
type Registry struct {
	db  *ent.Client
	acc *access.Service
	cfg *config.Config
	// changed is called after a client changes (the CORS origins follow the redirect URIs).
	changed func(ctx context.Context)
}

// NewRegistry returns a Registry. changed may be nil.
func NewRegistry(db *ent.Client, acc *access.Service, cfg *config.Config, changed func(ctx context.Context)) *Registry {
	if changed == nil {
		changed = func(context.Context) {}
	}
	return &Registry{db: db, acc: acc, cfg: cfg, changed: changed}
}

// Lookup finds a client by its public id (GET /client?id=, GET /client/:clientId): public, and
// nil (not an error) when there is none.
func (r *Registry) Lookup(ctx context.Context, f accounts.Fields) (*ent.OAuthClient, error) {
	ch := validate.New(f.Location)
	ch.StringLen("id", f.Get("id"), true, 3, 256)
	if errs := ch.Errors(); errs != nil {
		return nil, apperr.Input(errs)
	}
	return Find(ctx, r.db, f.Str("id"))
}

var createFields = []string{"id", "grants", "redirectUris", "isPublic", "secret", "role", "scope", "displayName"}

// check validates the create fields present in f (all required ones when create).
func (r *Registry) check(c *access.Caller, f accounts.Fields, create bool, public bool) *validate.Checker {
	ch := validate.New(f.Location)
	// Liquid requires id on update too; it is optional here (the target names the client).
	if ch.StringLen("id", f.Get("id"), create, 8, 30) && f.Get("id") != nil && !r.cfg.ClientIDRegex.MatchString(f.Str("id")) {
		ch.Add("id", f.Get("id"))
	}
	ch.StringArray("grants", f.Get("grants"), create, GrantClientCredentials, GrantAuthorizationCode, GrantRefreshToken, GrantPassword)
	if ch.StringArray("redirectUris", f.Get("redirectUris"), create) {
		if uris, ok := f.Get("redirectUris").([]any); ok {
			for _, u := range uris {
				if !validate.IsURL(u.(string)) {
					ch.Add("redirectUris", u)
				}
			}
		}
	}
	ch.Bool("isPublic", f.Get("isPublic"), false)
	ch.StringLen("secret", f.Get("secret"), create && !public, 8, 256)
	ch.OneOf("role", f.Get("role"), create, RoleInternal, RoleExternal)
	if ch.StringArray("scope", f.Get("scope"), false) {
		if list, ok := f.Get("scope").([]any); ok {
			for _, v := range list {
				// A client may not be given more than its creator holds.
				if sc := v.(string); !r.acc.Scopes().Known(sc) || !c.Allows(sc) {
					ch.Add("scope", v)
				}
			}
		}
	}
	ch.StringLen("displayName", f.Get("displayName"), create, 8, 96)
	return ch
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// publicGrants drops client_credentials from a public client's grants.
func publicGrants(grants []string, public bool) []string {
	if !public {
		return grants
	}
	return slices.DeleteFunc(slices.Clone(grants), func(g string) bool { return g == GrantClientCredentials })
}

// Create registers a client (POST /client/admin-api/create) and returns it with its
// plaintext secret, which is never shown again. A public client gets no secret and no
// client_credentials grant.
func (r *Registry) Create(ctx context.Context, f accounts.Fields) (*ent.OAuthClient, string, error) {
	c, err := r.acc.Require(ctx, AnyWrite)
	if err != nil {
		return nil, "", err
	}
	public, _ := f.Get("isPublic").(bool)
	ch := r.check(c, f, true, public)
	if errs := ch.Errors(); errs != nil {
		return nil, "", apperr.Input(errs)
	}
	role := f.Str("role")
	if err := r.mayManage(ctx, c, WriteScope, role); err != nil {
		return nil, "", err
	}
	id := f.Str("id")
	if existing, err := Find(ctx, r.db, id); err != nil || existing != nil {
		if err == nil {
			err = apperr.New(apperr.DuplicateResource, nil)
		}
		return nil, "", err
	}
	create := r.db.OAuthClient.Create().
		SetClientID(id).
		SetDisplayName(f.Str("displayName")).
		SetRole(role).
		SetIsPublic(public).
		SetScope(strs(f.Get("scope"))).
		SetGrants(publicGrants(strs(f.Get("grants")), public)).
		SetRedirectUris(strs(f.Get("redirectUris")))
	secret := ""
	if !public {
		secret = f.Str("secret")
		hash, err := HashSecret(secret)
		if err != nil {
			return nil, "", err
		}
		create.SetSecretHash(hash)
	}
	cl, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, "", apperr.New(apperr.DuplicateResource, nil)
	}
	if err != nil {
		return nil, "", err
	}
	r.changed(ctx)
	return cl, secret, nil
}

// List pages through the clients in _id order (GET /client/admin-api/list?limit&offset).
func (r *Registry) List(ctx context.Context, f accounts.Fields) ([]*ent.OAuthClient, error) {
	if _, err := r.acc.Require(ctx, access.Session(ScopeList)); err != nil {
		return nil, err
	}
	ch := validate.New(f.Location)
	limit := accounts.Limit(ch, f, r.cfg.Pagination)
	ch.ObjectID("offset", f.Get("offset"), false, 64)
	if errs := ch.Errors(); errs != nil {
		return nil, apperr.Input(errs)
	}
	q := r.db.OAuthClient.Query().Order(ent.Asc(oauthclient.FieldID)).Limit(limit)
	if off := f.Str("offset"); off != "" {
		q.Where(oauthclient.IDGT(strings.ToLower(off)))
	}
	return q.All(ctx)
}

// mayManage fails with 401 InsufficientPrivileges unless the caller holds scopeOf(role) (the
// session check) and outranks every role named.
func (r *Registry) mayManage(ctx context.Context, c *access.Caller, scopeOf func(role string) string, roles ...string) error {
	for _, role := range roles {
		if !c.Allows(scopeOf(role)) {
			return apperr.New(apperr.InsufficientPrivileges, nil)
		}
	}
	return r.acc.CheckRoles(ctx, c, roles...)
}

// target loads the client an update or delete names by its _id: 400 InvalidTarget when there
// is none, as in Liquid.
func (r *Registry) target(ctx context.Context, f accounts.Fields) (*ent.OAuthClient, error) {
	cl, err := r.db.OAuthClient.Get(ctx, strings.ToLower(f.Str("target")))
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.InvalidTarget, nil)
	}
	return cl, err
}

// Update changes a client (PATCH /client/admin-api/update): {target (its _id), and any create
// field, id included}. An unknown field is 401 InvalidField, as in Liquid. Making a client
// public removes its secret and its client_credentials grant; changing its id ends the
// sessions granted under the old one.
func (r *Registry) Update(ctx context.Context, f accounts.Fields) (*ent.OAuthClient, error) {
	c, err := r.acc.Require(ctx, AnyWrite)
	if err != nil {
		return nil, err
	}
	unknown := validate.New(f.Location)
	keys := make([]string, 0, len(f.Values))
	for k := range f.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k != "target" && !slices.Contains(createFields, k) {
			unknown.Add(k, f.Get(k))
		}
	}
	if errs := unknown.Errors(); errs != nil {
		return nil, apperr.New(apperr.InvalidField, map[string]any{"errors": errs})
	}
	public, publicSet := f.Get("isPublic").(bool)
	ch := r.check(c, f, false, public)
	ch.ObjectID("target", f.Get("target"), true, 64)
	if errs := ch.Errors(); errs != nil {
		return nil, apperr.Input(errs)
	}
	cl, err := r.target(ctx, f)
	if err != nil {
		return nil, err
	}
	roles := []string{cl.Role}
	if f.Get("role") != nil {
		roles = append(roles, f.Str("role"))
	}
	if err := r.mayManage(ctx, c, WriteScope, roles...); err != nil {
		return nil, err
	}
	if !publicSet {
		public = cl.IsPublic
	}
	if !public && cl.SecretHash == "" && f.Get("secret") == nil {
		// A confidential client needs a secret.
		return nil, apperr.Field(f.Location, "secret")
	}
	var updated *ent.OAuthClient
	err = db.WithTx(ctx, r.db, func(tx *ent.Tx) error {
		up := tx.OAuthClient.UpdateOne(cl).SetIsPublic(public)
		if id := f.Str("id"); f.Get("id") != nil && id != cl.ClientID {
			taken, err := tx.OAuthClient.Query().Where(oauthclient.ClientID(id)).Exist(ctx)
			if err != nil {
				return err
			}
			if taken {
				return apperr.New(apperr.DuplicateResource, nil)
			}
			up.SetClientID(id)
			if err := revokeClientSessions(ctx, tx, cl.ClientID); err != nil {
				return err
			}
		}
		grants := cl.Grants
		if f.Get("grants") != nil {
			grants = strs(f.Get("grants"))
		}
		up.SetGrants(publicGrants(grants, public))
		if public {
			up.ClearSecretHash()
		} else if f.Get("secret") != nil {
			hash, err := HashSecret(f.Str("secret"))
			if err != nil {
				return err
			}
			up.SetSecretHash(hash)
		}
		if f.Get("redirectUris") != nil {
			up.SetRedirectUris(strs(f.Get("redirectUris")))
		}
		if f.Get("role") != nil {
			up.SetRole(f.Str("role"))
		}
		if f.Get("scope") != nil {
			up.SetScope(strs(f.Get("scope")))
		}
		if f.Get("displayName") != nil {
			up.SetDisplayName(f.Str("displayName"))
		}
		var err error
		updated, err = up.Save(ctx)
		if ent.IsConstraintError(err) {
			return apperr.New(apperr.DuplicateResource, nil)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	r.changed(ctx)
	return updated, nil
}

// Delete removes a client (DELETE /client/admin-api/delete {target}) and, in the same
// transaction, ends every session granted to it and drops its pending authorization codes.
func (r *Registry) Delete(ctx context.Context, f accounts.Fields) error {
	c, err := r.acc.Require(ctx, AnyDelete)
	if err != nil {
		return err
	}
	ch := validate.New(f.Location)
	ch.ObjectID("target", f.Get("target"), true, 64)
	if errs := ch.Errors(); errs != nil {
		return apperr.Input(errs)
	}
	cl, err := r.target(ctx, f)
	if err != nil {
		return err
	}
	if err := r.mayManage(ctx, c, DeleteScope, cl.Role); err != nil {
		return err
	}
	err = db.WithTx(ctx, r.db, func(tx *ent.Tx) error {
		if err := revokeClientSessions(ctx, tx, cl.ClientID); err != nil {
			return err
		}
		// Its pending codes, PKCE challenges and token records go with it.
		if _, err := tx.OAuthToken.Delete().Where(oauthtoken.ClientID(cl.ClientID)).Exec(ctx); err != nil {
			return err
		}
		return tx.OAuthClient.DeleteOneID(cl.ID).Exec(ctx)
	})
	if err == nil {
		r.changed(ctx)
	}
	return err
}

func revokeClientSessions(ctx context.Context, tx *ent.Tx, clientID string) error {
	return tx.Session.Update().Where(session.ClientID(clientID), session.RevokedAtIsNil()).
		SetRevokedAt(nowUTC()).Exec(ctx)
}

func nowUTC() time.Time { return time.Now().UTC() }
