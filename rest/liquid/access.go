package liquid

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"usergraph/ent"
	"usergraph/internal/access"
	"usergraph/internal/accounts"
	"usergraph/internal/apperr"
	"usergraph/internal/clients"
	"usergraph/internal/patch"
	"usergraph/internal/rules"
	"usergraph/internal/validate"
)

// The admin, client, role and client-registry routes (liquid-behaviour.md §2.3–§2.6). The
// admin and client APIs share their handlers; the domain gets told which API is called
// (access.Via), so the client API can refuse user tokens.

// accessRoutes lists the routes of this file.
func (a *API) accessRoutes() []Route {
	rs := []Route{
		{"GET /roles/list", a.listRoles, access.Shared("delegated:roles:read")},
		{"GET /client", a.lookupClient, access.Requirement{}},
		{"GET /client/{clientId}", a.lookupClient, access.Requirement{}},
		{"POST /client/admin-api/create", a.createClient, clients.AnyWrite},
		{"GET /client/admin-api/list", a.listClients, access.Session(clients.ScopeList)},
		{"PATCH /client/admin-api/update", a.updateClient, clients.AnyWrite},
		{"DELETE /client/admin-api/delete", a.deleteClient, clients.AnyDelete},
		{"POST /user/admin-api/verify", a.userOp(access.ViaAdmin, a.Accounts.Verify), access.Session(accounts.ScopeVerify)},
		{"GET /user/admin-api/subscription-tiers", a.subscriptionTiers, access.Shared("configuration:read")},
	}
	for _, api := range []struct {
		prefix string
		via    access.Via
	}{{"admin-api", access.ViaAdmin}, {"client-api", access.ViaClient}} {
		v, p := api.via, api.prefix
		rs = append(rs,
			Route{"POST /roles/" + p + "/create", a.createRole(v), access.Shared("roles:write")},
			Route{"PATCH /roles/" + p + "/update", a.updateRole(v), access.Shared("roles:write")},
			Route{"DELETE /roles/" + p + "/delete", a.deleteRole(v), access.Shared("roles:delete")},
			Route{"POST /user/" + p + "/retrieve-user-info", a.retrieveUsers(v, false), access.Shared("profile:read")},
			Route{"GET /user/" + p + "/user-info", a.retrieveUsers(v, true), access.Shared("profile:read")},
			Route{"POST /user/" + p + "/access", a.provision(v), access.Shared("profile:access:write")},
			Route{"GET /user/" + p + "/editable-fields", a.editableFields(v), access.Shared("configuration:read")},
			Route{"PATCH /user/" + p + "/update", a.adminUpdate(v), access.Shared("profile:write")},
			Route{"POST /user/" + p + "/ban", a.userOp(v, a.Accounts.Ban), access.Shared("profile:ban:write")},
			Route{"POST /user/" + p + "/restrict", a.userOp(v, a.Accounts.Restrict), access.Shared("profile:restrict:write")},
			Route{"POST /user/" + p + "/credits", a.userOp(v, a.Accounts.Credits), access.Shared("profile:credits:write")},
			Route{"POST /user/" + p + "/subscription", a.userOp(v, a.Accounts.SetSubscription), access.Shared("profile:subscriptions:write")},
			Route{"POST /user/" + p + "/subscription-cancel", a.userOp(v, a.Accounts.CancelSubscription), access.Shared("profile:subscriptions:write")},
			Route{"PUT /user/" + p + "/custom-data", a.userOp(v, a.Accounts.SetCustomData), access.Shared("profile:custom-data:write")},
			Route{"POST /user/" + p + "/create", a.createUsers(v), access.Shared("profile:create:write")},
			Route{"GET /user/" + p + "/list", a.listUsers(v), access.Shared("profile:read")},
			Route{"GET /user/" + p + "/login-history", a.loginHistory(v), access.Shared("profile:login-history:read")},
		)
	}
	return rs
}

// admin renders a user in the admin/client projection, custom data parsed.
func (a *API) admin(u *ent.User) map[string]any {
	return a.renderView(a.Accounts.AdminView(u), true)
}

func (a *API) admins(us []*ent.User) []map[string]any {
	out := make([]map[string]any, len(us))
	for i, u := range us {
		out[i] = a.admin(u)
	}
	return out
}

// userOp serves an operation on one user that answers {"ok":1}.
func (a *API) userOp(via access.Via, op func(ctx context.Context, via access.Via, f accounts.Fields) (*ent.User, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := body(r)
		if err == nil {
			_, err = op(r.Context(), via, f)
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		ok(w, http.StatusOK, nil)
	}
}

func (a *API) adminUpdate(via access.Via) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := body(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		// Liquid's order: which fields the caller may name (401), then the values (400).
		keys := profileKeys(f, "target")
		if _, err := a.Accounts.AdminMayUpdate(r.Context(), via, keys); err != nil {
			a.failFrom(w, r, err, from{Fields: f})
			return
		}
		c := validate.New(f.Location)
		c.ObjectID("target", f.Get("target"), true, 64)
		a.checkProfile(c, f, keys)
		if (slices.Contains(keys, "phone") || slices.Contains(keys, "phoneCountryCode")) && !a.Config.Privilege.CanUsePhoneNumber {
			c.Add("phone", f.Get("phone"))
		}
		if errs := c.Errors(); errs != nil {
			a.fail(w, r, apperr.Input(errs))
			return
		}
		u, err := a.Accounts.AdminUpdate(r.Context(), via, f.Str("target"), profileUpdate(f, keys))
		if err != nil {
			a.failFrom(w, r, err, from{Fields: f, names: map[string]string{"id": "target"}})
			return
		}
		ok(w, http.StatusOK, map[string]any{"user": a.admin(u)})
	}
}

// retrieveUsers serves POST retrieve-user-info {targets, field} and GET user-info?targets=a,b.
func (a *API) retrieveUsers(via access.Via, get bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var (
			f   accounts.Fields
			err error
		)
		if get {
			f = query(r)
			if t, isStr := f.Values["targets"].(string); isStr {
				list := []any{}
				for _, id := range strings.Split(t, ",") {
					if id = strings.TrimSpace(id); id != "" {
						list = append(list, id)
					}
				}
				f.Values["targets"] = list
			}
		} else {
			f, err = body(r)
		}
		var us []*ent.User
		if err == nil {
			us, err = a.Accounts.RetrieveUsers(r.Context(), via, f)
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		ok(w, http.StatusOK, map[string]any{"users": a.admins(us)})
	}
}

func (a *API) provision(via access.Via) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := body(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if !a.authorize(w, r, via, access.Shared("profile:access:write")) {
			return
		}
		c := validate.New(f.Location)
		c.StringArray("targets", f.Get("targets"), true)
		c.OneOf("targetType", f.Get("targetType"), true, "user", "client", "role")
		c.StringArray("scope", f.Get("scope"), true)
		c.OneOf("operation", f.Get("operation"), true, "add", "del", "set")
		if err := edgeErr(c); err != nil {
			a.fail(w, r, err)
			return
		}
		err = a.Accounts.Provision(r.Context(), via, accounts.ProvisionInput{
			Targets: strList(f.Get("targets")), TargetType: f.Str("targetType"),
			Scope: strList(f.Get("scope")), Operation: f.Str("operation")})
		if err != nil {
			// A refused target or scope is reported as Liquid's validator does: the list, with
			// the element as the value.
			a.failFrom(w, r, err, from{Fields: f})
			return
		}
		ok(w, http.StatusOK, nil)
	}
}

func (a *API) editableFields(via access.Via) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fields, err := a.Accounts.AdminEditableFields(r.Context(), via)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		ok(w, http.StatusOK, map[string]any{"editableFields": fields})
	}
}

func (a *API) subscriptionTiers(w http.ResponseWriter, r *http.Request) {
	tiers, err := a.Accounts.SubscriptionTiers(r.Context(), access.ViaAdmin)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, map[string]any{"subscriptionTiers": tiers})
}

// createUsers serves the bulk create, whose body is a JSON array (an object {"users": [...]}
// is accepted too). It answers 201 with insertedCount under data, as Liquid's code does, and
// at the top level, as its documentation shows.
func (a *API) createUsers(via access.Via) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := arrayBody(r, "users")
		var n int
		if err == nil {
			n, err = a.Accounts.CreateUsers(r.Context(), via, f, a.meta(r))
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"ok": 1, "data": map[string]any{"insertedCount": n}, "insertedCount": n})
	}
}

// arrayBody decodes a JSON array body into Fields under key.
func arrayBody(r *http.Request, key string) (accounts.Fields, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return accounts.Fields{}, &apperr.Error{Code: apperr.ClientInputError, Status: http.StatusRequestEntityTooLarge}
		}
		return accounts.Fields{}, errBadBody
	}
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		var list []any
		if err := json.Unmarshal(t, &list); err != nil {
			return accounts.Fields{}, errBadBody
		}
		return accounts.Body(map[string]any{key: list}), nil
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return body(r)
}

func (a *API) listUsers(via access.Via) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		us, total, err := a.Accounts.ListUsers(r.Context(), via, query(r))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		ok(w, http.StatusOK, map[string]any{"users": a.admins(us), "totalUsers": total})
	}
}

// Roles.

func renderRole(r *ent.Role) map[string]any {
	m := map[string]any{"_id": r.ID, "id": r.ID, "displayName": r.DisplayName, "ranking": r.Ranking,
		"scope": scopeList(r.Scope), "type": r.Type, "createdAt": jsTime(r.CreatedAt), "updatedAt": jsTime(r.UpdatedAt), "__v": 0}
	if r.Description != nil {
		m["description"] = *r.Description
	}
	if r.System {
		m["system"] = true
	}
	return m
}

func (a *API) listRoles(w http.ResponseWriter, r *http.Request) {
	roles, err := a.Accounts.Roles(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]map[string]any, len(roles))
	for i, role := range roles {
		out[i] = renderRole(role)
	}
	ok(w, http.StatusOK, map[string]any{"roles": out})
}

func (a *API) roleAnswer(w http.ResponseWriter, r *http.Request, role *ent.Role, err error, src from) {
	if err != nil {
		a.failFrom(w, r, err, src)
		return
	}
	ok(w, http.StatusOK, map[string]any{"role": renderRole(role)})
}

// roleNames: Liquid names the role an update or delete acts on "target".
var roleNames = map[string]string{"id": "target"}

func (a *API) createRole(via access.Via) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := body(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if !a.authorize(w, r, via, access.Shared("roles:write")) {
			return
		}
		c := validate.New(f.Location)
		if c.StringLen("id", f.Get("id"), true, rules.RoleID.Min, rules.RoleID.Max) && !rules.RoleID.Check(f.Str("id")) {
			c.Add("id", f.Get("id"))
		}
		c.StringLen("displayName", f.Get("displayName"), true, rules.RoleDisplayName.Min, rules.RoleDisplayName.Max)
		c.Int("ranking", f.Get("ranking"), true, rules.Ranking.Min)
		c.StringLen("description", f.Get("description"), false, rules.RoleDescription.Min, rules.RoleDescription.Max)
		if err := edgeErr(c); err != nil {
			a.fail(w, r, err)
			return
		}
		role, err := a.Accounts.CreateRole(r.Context(), via, accounts.CreateRoleInput{ID: f.Str("id"),
			DisplayName: f.Str("displayName"), Ranking: intOf(f.Get("ranking")), Description: optString(f, "description")})
		a.roleAnswer(w, r, role, err, from{Fields: f})
	}
}

func (a *API) updateRole(via access.Via) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := body(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if !a.authorize(w, r, via, access.Shared("roles:write")) {
			return
		}
		c := validate.New(f.Location)
		c.StringLen("target", f.Get("target"), true, rules.RoleName.Min, rules.RoleName.Max)
		c.StringLen("displayName", f.Get("displayName"), false, rules.RoleDisplayName.Min, rules.RoleDisplayName.Max)
		c.Int("ranking", f.Get("ranking"), false, rules.Ranking.Min)
		c.StringLen("description", f.Get("description"), false, rules.RoleDescription.Min, rules.RoleDescription.Max)
		if err := edgeErr(c); err != nil {
			a.fail(w, r, err)
			return
		}
		// Liquid has no way to clear a field here: null is refused above.
		in := accounts.UpdateRoleInput{DisplayName: patch.From(optString(f, "displayName")),
			Description: patch.From(optString(f, "description"))}
		if f.Get("ranking") != nil {
			in.Ranking = patch.Set(intOf(f.Get("ranking")))
		}
		role, err := a.Accounts.UpdateRole(r.Context(), via, f.Str("target"), in)
		a.roleAnswer(w, r, role, err, from{f, roleNames})
	}
}

func (a *API) deleteRole(via access.Via) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := body(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if !a.authorize(w, r, via, access.Shared("roles:delete")) {
			return
		}
		c := validate.New(f.Location)
		c.StringLen("target", f.Get("target"), true, rules.RoleName.Min, rules.RoleName.Max)
		if err := edgeErr(c); err != nil {
			a.fail(w, r, err)
			return
		}
		if err := a.Accounts.DeleteRole(r.Context(), via, f.Str("target")); err != nil {
			a.failFrom(w, r, err, from{f, roleNames})
			return
		}
		ok(w, http.StatusOK, map[string]any{})
	}
}

// OAuth clients. Secrets are stored hashed: only the answer to create carries one.

func renderClient(c *ent.OAuthClient) map[string]any {
	return map[string]any{"_id": c.ID, "id": c.ClientID, "displayName": c.DisplayName, "role": c.Role,
		"isPublic": c.IsPublic, "scope": scopeList(c.Scope), "grants": scopeList(c.Grants),
		"redirectUris": scopeList(c.RedirectUris), "createdAt": jsTime(c.CreatedAt), "updatedAt": jsTime(c.UpdatedAt), "__v": 0}
}

func (a *API) lookupClient(w http.ResponseWriter, r *http.Request) {
	f := query(r)
	if id := r.PathValue("clientId"); id != "" {
		f = accounts.Fields{Location: "params", Values: map[string]any{"id": id}}
	}
	c, err := a.Clients.Lookup(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if c == nil {
		ok(w, http.StatusOK, map[string]any{"client": nil})
		return
	}
	ok(w, http.StatusOK, map[string]any{"client": map[string]any{"id": c.ClientID, "role": c.Role, "displayName": c.DisplayName, "isPublic": c.IsPublic}})
}

func (a *API) createClient(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	var (
		c      *ent.OAuthClient
		secret string
	)
	if err == nil {
		c, secret, err = a.Clients.Create(r.Context(), f)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	doc := renderClient(c)
	if secret != "" {
		doc["secret"] = secret
	}
	ok(w, http.StatusOK, map[string]any{"client": doc})
}

func (a *API) listClients(w http.ResponseWriter, r *http.Request) {
	cs, err := a.Clients.List(r.Context(), query(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]map[string]any, len(cs))
	for i, c := range cs {
		out[i] = renderClient(c)
	}
	ok(w, http.StatusOK, map[string]any{"clients": out})
}

func (a *API) updateClient(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err == nil {
		_, err = a.Clients.Update(r.Context(), f)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, nil)
}

func (a *API) deleteClient(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err == nil {
		err = a.Clients.Delete(r.Context(), f)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, nil)
}
