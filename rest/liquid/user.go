package liquid

import (
	"errors"
	"net/http"

	"usergraph/ent"
	"usergraph/internal/access"
	"usergraph/internal/accounts"
	"usergraph/internal/apperr"
	"usergraph/internal/rules"
	"usergraph/internal/validate"
)

func (a *API) self(u *ent.User) map[string]any {
	return a.renderView(a.Accounts.SelfView(u), a.Config.Profile.HydrateCustomDataSelf)
}

// errRouteOff is the answer of a route whose feature switch is off: Liquid registers the route
// only when it is on.
var errRouteOff = apperr.New(apperr.NotFound, nil)

// routeOn answers 404 when the route's feature switch is off, before the edge validates the
// request (the domain operation refuses too, for GraphQL).
func (a *API) routeOn(w http.ResponseWriter, r *http.Request, on bool) bool {
	if !on {
		a.fail(w, r, errRouteOff)
	}
	return on
}

// authorizeUser is authorize for operations only a user may perform: a client's token is 401.
func (a *API) authorizeUser(w http.ResponseWriter, r *http.Request, req access.Requirement) bool {
	if _, err := a.Accounts.Access().RequireUser(r.Context(), req); err != nil {
		a.fail(w, r, err)
		return false
	}
	return true
}

func (a *API) signUp(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cfg := a.Config
	if !a.routeOn(w, r, cfg.Privilege.CanCreateAccount) {
		return
	}
	c := validate.New(f.Location)
	c.Username("username", f.Get("username"), true, cfg.Profile.UsernameRegex)
	c.Password("password", f.Get("password"), true, cfg.Profile.PasswordRegex)
	c.Email("email", f.Get("email"), true)
	c.Name("firstName", f.Get("firstName"), true, cfg.Profile.NameRegex)
	c.Name("lastName", f.Get("lastName"), true, cfg.Profile.NameRegex)
	c.PhoneCountryCode("phoneCountryCode", f.Get("phoneCountryCode"), false)
	c.Phone("phone", f.Get("phone"), false)
	c.StringLen("inviteCode", f.Get("inviteCode"), cfg.Account.EnableInviteOnly, rules.InviteCode.Min, rules.InviteCode.Max)
	if f.Get("phone") != nil && f.Get("phoneCountryCode") == nil {
		c.Add("phoneCountryCode", nil)
	}
	if err := edgeErr(c); err != nil {
		a.fail(w, r, err)
		return
	}
	u, err := a.Accounts.SignUp(r.Context(), accounts.SignUpInput{
		Username: f.Str("username"), Password: f.Str("password"), Email: f.Str("email"),
		FirstName: f.Str("firstName"), LastName: f.Str("lastName"),
		PhoneCountryCode: optString(f, "phoneCountryCode"), Phone: optString(f, "phone"),
		InviteCode: optString(f, "inviteCode"),
	}, a.meta(r))
	if err != nil {
		a.failFrom(w, r, err, from{Fields: f})
		return
	}
	ok(w, http.StatusCreated, map[string]any{"user": a.self(u)})
}

// fields reads the query for GET and the body (falling back to the query) otherwise, so the
// documented POST and Liquid's GET both work.
func fields(r *http.Request) (accounts.Fields, error) {
	if r.Method == http.MethodGet {
		return query(r), nil
	}
	f, err := body(r)
	if err != nil {
		return f, err
	}
	if len(f.Values) == 0 {
		return query(r), nil
	}
	return f, nil
}

// targetNames: Liquid calls the account a code belongs to "target".
var targetNames = map[string]string{"userId": "target"}

func (a *API) verifyEmail(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r)
	if err == nil {
		c := validate.New(f.Location)
		c.ObjectID("target", f.Get("target"), true, 64)
		c.StringLen("code", f.Get("code"), true, rules.VerificationCode.Min, rules.VerificationCode.Max)
		err = edgeErr(c)
	}
	if err == nil {
		err = a.Accounts.VerifyEmail(r.Context(), f.Str("target"), f.Str("code"))
	}
	if err != nil {
		a.failFrom(w, r, err, from{f, targetNames})
		return
	}
	ok(w, http.StatusOK, "Your email has been verified successfully. You can now login.")
}

func (a *API) resendVerification(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r)
	if err == nil {
		c := validate.New(f.Location)
		c.ObjectID("target", f.Get("target"), true, 64)
		err = edgeErr(c)
	}
	if err == nil {
		err = a.Accounts.ResendVerification(r.Context(), f.Str("target"))
	}
	if err != nil {
		a.failFrom(w, r, err, from{f, targetNames})
		return
	}
	ok(w, http.StatusOK, "Verification email resent successfully.")
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	c := validate.New(f.Location)
	in := accounts.LoginInput{Password: f.Str("password"), UserAgent: optString(f, "userAgent")}
	if f.Get("email") != nil {
		c.Email("email", f.Get("email"), true)
		in.Email = optString(f, "email")
	} else {
		c.Username("username", f.Get("username"), true, a.Config.Profile.UsernameRegex)
		in.Username = optString(f, "username")
	}
	c.Password("password", f.Get("password"), true, nil)
	c.StringLen("userAgent", f.Get("userAgent"), a.Config.Login.RequireUserAgent, rules.UserAgent.Min, rules.UserAgent.Max)
	if err := edgeErr(c); err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.Accounts.Login(r.Context(), in, a.meta(r), accounts.GrantCookie)
	if err != nil {
		a.failFrom(w, r, err, from{Fields: f})
		return
	}
	a.loginResponse(w, res)
}

// loginResponse answers as Liquid does, with the user under both userInfo (Liquid's code) and
// user (Liquid's docs).
func (a *API) loginResponse(w http.ResponseWriter, res *accounts.LoginResult) {
	if res.TwoFactorRequired {
		info := map[string]any{"_id": res.User.ID, "username": res.User.Username, "email": res.User.Email}
		ok(w, http.StatusOK, map[string]any{"2faEnabled": true, "sessionHash": res.SessionHash, "userInfo": info, "user": info})
		return
	}
	a.setCookie(w, res.Cookie, a.Config.Cookie.MaxAge)
	doc := a.self(res.User)
	ok(w, http.StatusOK, map[string]any{"2faEnabled": false, "userInfo": doc, "user": doc})
}

func (a *API) doTwoFactor(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !a.routeOn(w, r, a.Config.TwoFactor.EmailEnabled) {
		return
	}
	c := validate.New(f.Location)
	c.ObjectID("target", f.Get("target"), true, 64)
	c.StringLen("code", f.Get("code"), true, rules.LoginCode.Min, rules.LoginCode.Max)
	c.StringLen("sessionHash", f.Get("sessionHash"), true, rules.SessionHash.Min, rules.SessionHash.Max)
	if err := edgeErr(c); err != nil {
		a.fail(w, r, err)
		return
	}
	in := accounts.TwoFactorInput{UserID: f.Str("target"), Code: f.Str("code"), SessionHash: f.Str("sessionHash"),
		UserAgent: optString(f, "userAgent")}
	res, err := a.Accounts.CompleteTwoFactor(r.Context(), in, a.meta(r), accounts.GrantCookie)
	if err != nil {
		a.failFrom(w, r, err, from{f, targetNames})
		return
	}
	a.setCookie(w, res.Cookie, a.Config.Cookie.MaxAge)
	doc := a.self(res.User)
	ok(w, http.StatusOK, map[string]any{"userInfo": doc, "user": doc})
}

func (a *API) setTwoFactor(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !a.routeOn(w, r, a.Config.TwoFactor.EmailEnabled) || !a.authorizeUser(w, r, access.Session(accounts.Scope2FAWrite)) {
		return
	}
	c := validate.New(f.Location)
	c.Bool("state", f.Get("state"), true)
	if err := edgeErr(c); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.Accounts.SetTwoFactor(r.Context(), f.Get("state") == true); err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, nil)
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if err := a.Accounts.Logout(r.Context(), a.cookie(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	a.setCookie(w, "", -1)
	ok(w, http.StatusOK, nil)
}

func (a *API) logoutAll(w http.ResponseWriter, r *http.Request) {
	if err := a.Accounts.LogoutAll(r.Context(), a.cookie(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	a.setCookie(w, "", -1)
	ok(w, http.StatusOK, nil)
}

// requestReset answers 201 {"ok":1} whether or not the email has an account: unlike Liquid it
// does not return the user's id, which would tell who has an account.
func (a *API) requestReset(w http.ResponseWriter, r *http.Request) {
	if !a.routeOn(w, r, a.Config.Privilege.CanResetPassword) {
		return
	}
	f := query(r)
	c := validate.New(f.Location)
	c.Email("email", f.Get("email"), true)
	err := edgeErr(c)
	if err == nil {
		err = a.Accounts.RequestPasswordReset(r.Context(), f.Str("email"))
	}
	if err != nil {
		a.failFrom(w, r, err, from{Fields: f})
		return
	}
	ok(w, http.StatusCreated, nil)
}

func (a *API) resetPassword(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !a.routeOn(w, r, a.Config.Privilege.CanResetPassword) {
		return
	}
	c := validate.New(f.Location)
	c.ObjectID("target", f.Get("target"), false, 64)
	c.StringLen("code", f.Get("code"), true, rules.LoginCode.Min, rules.LoginCode.Max)
	c.Password("password", f.Get("password"), true, a.Config.Profile.PasswordRegex)
	err = edgeErr(c)
	if err == nil {
		err = a.Accounts.ResetPassword(r.Context(), accounts.ResetPasswordInput{
			Code: f.Str("code"), Password: f.Str("password"), UserID: optString(f, "target")})
	}
	if err != nil {
		a.failFrom(w, r, err, from{f, targetNames})
		return
	}
	ok(w, http.StatusOK, nil)
}

func (a *API) sessionState(w http.ResponseWriter, r *http.Request) {
	u, err := a.Accounts.SessionState(r.Context(), a.cookie(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, map[string]any{"userInfo": a.self(u)})
}

func (a *API) scopes(w http.ResponseWriter, r *http.Request) {
	ok(w, http.StatusOK, map[string]any{"scopes": a.Accounts.Scopes().Map()})
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	u, err := a.Accounts.Me(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, map[string]any{"user": a.self(u), "editableFields": a.Accounts.EditableFields()})
}

func (a *API) updateMe(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !a.authorize(w, r, access.ViaAdmin, access.Session(accounts.ScopeProfileWrite)) {
		return
	}
	p, err := a.decodeUpdateMe(f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	u, err := a.Accounts.UpdateMe(r.Context(), p)
	if err != nil {
		a.failFrom(w, r, err, from{Fields: f})
		return
	}
	ok(w, http.StatusOK, map[string]any{"user": a.self(u)})
}

func (a *API) setPrivate(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !a.authorizeUser(w, r, access.Session(accounts.ScopeProfileWrite)) {
		return
	}
	c := validate.New(f.Location)
	c.Bool("state", f.Get("state"), true)
	if err := edgeErr(c); err != nil {
		a.fail(w, r, err)
		return
	}
	private := f.Get("state") == true
	accepted, _, err := a.Accounts.SetPrivate(r.Context(), private)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if private {
		ok(w, http.StatusOK, nil)
		return
	}
	ok(w, http.StatusOK, map[string]any{"acceptedCount": accepted})
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) {
	v, err := a.Accounts.GetUser(r.Context(), r.PathValue("userId"))
	if e := (*apperr.Error)(nil); errors.As(err, &e) && len(e.Violations) > 0 {
		// Liquid's hand-built error, put directly in additionalInfo (liquid-behaviour.md §2.2).
		err = apperr.New(apperr.ClientInputError, map[string]any{"msg": validate.Msg, "param": "userId", "location": "param"})
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	doc := a.renderView(*v, a.Config.Profile.HydrateCustomDataDelegated)
	ok(w, http.StatusOK, map[string]any{"user": doc})
}
