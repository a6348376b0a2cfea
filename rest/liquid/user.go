package liquid

import (
	"net/http"

	"usergraph/ent"
	"usergraph/internal/access"
	"usergraph/internal/accounts"
)

func (a *API) self(u *ent.User) map[string]any {
	return a.renderView(a.Accounts.SelfView(u), a.Config.Profile.HydrateCustomDataSelf)
}

func (a *API) signUp(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	u, err := a.Accounts.SignUp(r.Context(), f, a.meta(r))
	if err != nil {
		a.fail(w, r, err)
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

func (a *API) verifyEmail(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r)
	if err == nil {
		err = a.Accounts.VerifyEmail(r.Context(), f)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, "Your email has been verified successfully. You can now login.")
}

func (a *API) resendVerification(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r)
	if err == nil {
		err = a.Accounts.ResendVerification(r.Context(), f)
	}
	if err != nil {
		a.fail(w, r, err)
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
	res, err := a.Accounts.Login(r.Context(), f, a.meta(r), accounts.GrantCookie)
	if err != nil {
		a.fail(w, r, err)
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
	res, err := a.Accounts.CompleteTwoFactor(r.Context(), f, a.meta(r), accounts.GrantCookie)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.setCookie(w, res.Cookie, a.Config.Cookie.MaxAge)
	doc := a.self(res.User)
	ok(w, http.StatusOK, map[string]any{"userInfo": doc, "user": doc})
}

func (a *API) setTwoFactor(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err == nil {
		err = a.Accounts.SetTwoFactor(r.Context(), f)
	}
	if err != nil {
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
	if err := a.Accounts.RequestPasswordReset(r.Context(), query(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusCreated, nil)
}

func (a *API) resetPassword(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err == nil {
		err = a.Accounts.ResetPassword(r.Context(), f)
	}
	if err != nil {
		a.fail(w, r, err)
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
	accepted, _, err := a.Accounts.SetPrivate(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if state, _ := f.Values["state"].(bool); state {
		ok(w, http.StatusOK, nil)
		return
	}
	ok(w, http.StatusOK, map[string]any{"acceptedCount": accepted})
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) {
	v, err := a.Accounts.GetUser(r.Context(), r.PathValue("userId"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	doc := a.renderView(*v, a.Config.Profile.HydrateCustomDataDelegated)
	ok(w, http.StatusOK, map[string]any{"user": doc})
}
