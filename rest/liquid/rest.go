// Package liquid serves Liquid's REST routes. Handlers only decode the request, call the domain
// operation that GraphQL calls too, and write Liquid's envelope: {"ok":1,"data":...} or
// {"ok":0,"error":"<Code>","additionalInfo":...}.
package liquid

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"usergraph/internal/access"
	"usergraph/internal/accounts"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/clientip"
	"usergraph/internal/clients"
	"usergraph/internal/config"
	"usergraph/internal/httplog"
	"usergraph/internal/oauth"
	"usergraph/internal/rules"
	"usergraph/internal/social"
	"usergraph/internal/validate"
	"usergraph/rest/nulbytes"
)

// maxBody is Liquid's default JSON body limit (system.request-body.json.max-size = 1mb).
const maxBody = 1 << 20

// sessionCookie is the browser session cookie set by POST /user/login.
const sessionCookie = "connect.sid"

// API holds what the handlers call.
type API struct {
	Accounts *accounts.Service
	Clients  *clients.Registry
	Social   *social.Service
	Auth     *auth.Service
	OAuth    *oauth.Service
	Config   *config.Config
	Log      *slog.Logger
}

// Route is one REST route. Scope documents what its domain operation requires (the route never
// checks it: the domain does); it is empty for public routes. The test that walks every route
// uses it to prove each protected route refuses a token without that scope.
type Route struct {
	Pattern string
	Handler http.HandlerFunc
	Scope   access.Requirement
}

// Routes is every REST route.
func (a *API) Routes() []Route {
	pub := access.Requirement{}
	rs := []Route{
		{"POST /user/create", a.signUp, pub},
		{"GET /user/verify-email", a.verifyEmail, pub},
		{"POST /user/verify-email", a.verifyEmail, pub},
		{"GET /user/resend-verification", a.resendVerification, pub},
		{"POST /user/resend-verification", a.resendVerification, pub},
		{"POST /user/login", a.login, pub},
		{"POST /user/do-2fa", a.doTwoFactor, pub},
		{"POST /user/2fa", a.setTwoFactor, access.Session(accounts.Scope2FAWrite)},
		{"GET /user/logout", a.logout, pub},
		{"GET /user/logout-all", a.logoutAll, pub},
		{"GET /user/code", a.requestReset, pub},
		{"POST /user/reset-password", a.resetPassword, pub},
		{"GET /user/session-state", a.sessionState, pub},
		{"GET /user/scopes", a.scopes, pub},
		{"GET /user/me", a.me, access.Session(accounts.ScopeProfileRead)},
		{"PATCH /user/me", a.updateMe, access.Session(accounts.ScopeProfileWrite)},
		{"POST /user/private", a.setPrivate, access.Session(accounts.ScopeProfileWrite)},
		{"GET /user/login-history", a.myLoginHistory, access.Session(accounts.ScopeLoginHistory)},
		{"GET /user/{userId}", a.getUser, access.Session(accounts.ScopeProfileRead)},
		{"GET /user/info/{userId}", a.getUser, access.Session(accounts.ScopeProfileRead)},
		{"GET /health", health, pub},
	}
	rs = append(rs, a.socialRoutes()...)
	rs = append(rs, a.serviceSocialRoutes()...)
	rs = append(rs, a.oauthRoutes()...)
	rs = append(rs, a.accessRoutes()...)
	return rs
}

// Register adds every route to mux.
func (a *API) Register(mux *http.ServeMux) {
	for _, r := range a.Routes() {
		mux.HandleFunc(r.Pattern, refuseNUL(r.Pattern, r.Handler))
	}
	mux.HandleFunc("/", notFound)
}

// refuseNUL answers 400 to a request with a NUL character in its path, query string or body,
// before the handler runs: the client's mistake, which PostgreSQL would otherwise turn into a
// 500. OAuth routes answer in OAuth's error format, the others in Liquid's envelope.
func refuseNUL(pattern string, next http.HandlerFunc) http.HandlerFunc {
	oauthRoute := strings.Contains(pattern, "/oauth/")
	return func(w http.ResponseWriter, r *http.Request) {
		found := nulbytes.Find(r, maxBody)
		if found == nil {
			next(w, r)
			return
		}
		const msg = "must not contain NUL (U+0000) characters"
		if oauthRoute {
			where := found.Location
			if found.Path != "" {
				where = found.Path
			}
			oauthFail(w, r, &oauth.Error{Name: "invalid_request", Description: "The request's " + where + " " + msg + ".", Status: http.StatusBadRequest})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": 0, "error": apperr.ClientInputError, "additionalInfo": map[string]any{
			"errors": []map[string]string{{"type": "field", "msg": msg, "path": found.Path, "location": found.Location}}}})
	}
}

// authorize checks req before a handler validates its request, and answers the failure: Liquid
// checks scopes in middleware, before its validators, so a request without the scope is a 401
// even when its body is also bad. The domain operation checks again; this keeps Liquid's order.
// Call it only where Liquid's route exists (feature switches answer 404 first).
func (a *API) authorize(w http.ResponseWriter, r *http.Request, via access.Via, req access.Requirement) bool {
	if _, err := a.Accounts.Access().Through(r.Context(), via, req); err != nil {
		a.fail(w, r, err)
		return false
	}
	return true
}

func health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "UP"})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]any{"ok": 0, "error": apperr.NotFound,
		"additionalInfo": map[string]string{"method": r.Method, "path": r.URL.Path}})
}

// ok writes {"ok":1,"data":data}; a nil data writes {"ok":1}.
func ok(w http.ResponseWriter, status int, data any) {
	body := map[string]any{"ok": 1}
	if data != nil {
		body["data"] = data
	}
	writeJSON(w, status, body)
}

// fail writes the error envelope. Unexpected errors are logged and answered with a bare 500:
// their text may hold internals and never reaches the client. The domain's input violations
// are written as express-validator entries in the body (see failFrom).
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.failFrom(w, r, err, from{})
}

// from says where a request's values came from, so that fail can write a domain violation the
// handler did not check itself as Liquid's validator writes its errors: the entry's path is
// Liquid's name for the field (names maps the domain's names where Liquid's differ, such as
// "requestId" to "request"), its value is the value sent (left out when absent) and its
// location is where it was sent ("body" when Location is empty). A violation on one element of
// a list the request sent ("scope[2]") is written as express-validator writes a failed element:
// the list's name, with the element as the value.
type from struct {
	accounts.Fields
	names map[string]string
}

// entries writes violations as express-validator entries.
func (src from) entries(vs []apperr.Violation) validate.Errors {
	location := src.Location
	if location == "" {
		location = validate.Body
	}
	c := validate.New(location)
	for _, v := range vs {
		name := v.Field
		if liquid, ok := src.names[name]; ok {
			name = liquid
		}
		value := validate.Field(src.Values, name)
		if list, e, ok := element(src.Values, name); ok {
			name, value = list, e
		}
		if v.Rule == rules.Rejected {
			// Liquid writes its refusals of a code or target by hand, without the value.
			value = nil
		}
		c.Add(name, value)
	}
	return c.Errors()
}

// element reads a field named "list[i]": the list's name and the element (validate.Null for
// null), when the request sent such a list.
func element(values map[string]any, field string) (string, any, bool) {
	open := strings.IndexByte(field, '[')
	if open <= 0 || !strings.HasSuffix(field, "]") {
		return "", nil, false
	}
	i, err := strconv.Atoi(field[open+1 : len(field)-1])
	list, isList := values[field[:open]].([]any)
	if err != nil || !isList || i < 0 || i >= len(list) {
		return "", nil, false
	}
	e := list[i]
	if e == nil {
		e = validate.Null
	}
	return field[:open], e, true
}

// failFrom is fail for a handler whose request src describes.
func (a *API) failFrom(w http.ResponseWriter, r *http.Request, err error, src from) {
	e := apperr.As(err)
	if e.Code == apperr.InternalServerError {
		a.Log.Error("request failed", "request_id", httplog.RequestID(r.Context()), "route", r.Pattern, "method", r.Method, "err", err)
	}
	body := map[string]any{"ok": 0, "error": e.Code}
	info := e.Info
	if info == nil && len(e.Violations) > 0 {
		info = map[string]any{"errors": src.entries(e.Violations)}
	}
	if info == nil && e.Reason != "" {
		info = map[string]string{"reason": e.Reason}
	}
	if info != nil {
		body["additionalInfo"] = info
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(max(time.Second, e.RetryAfter)/time.Second)))
	}
	writeJSON(w, e.HTTPStatus(), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// errBadBody is the answer to a body that is not a JSON object.
var errBadBody = apperr.New(apperr.ClientInputError, map[string]any{"errors": []map[string]string{
	{"type": "field", "msg": "Request body must be a JSON object", "path": "", "location": "body"}}})

// body decodes a JSON object body; an empty body is an empty object. Form-encoded bodies are
// accepted too, as Express's urlencoded parser does.
func body(r *http.Request) (accounts.Fields, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			return accounts.Fields{}, errBadBody
		}
		m := map[string]any{}
		for k, v := range r.PostForm {
			m[k] = v[0]
		}
		return accounts.Body(m), nil
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return accounts.Fields{}, &apperr.Error{Code: apperr.ClientInputError, Status: http.StatusRequestEntityTooLarge}
		}
		return accounts.Fields{}, errBadBody
	}
	m := map[string]any{}
	if len(strings.TrimSpace(string(raw))) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			return accounts.Fields{}, errBadBody
		}
	}
	if m == nil {
		m = map[string]any{}
	}
	return accounts.Body(m), nil
}

// query returns the query string as Fields (first value of each key).
func query(r *http.Request) accounts.Fields {
	m := map[string]any{}
	for k, v := range r.URL.Query() {
		m[k] = v[0]
	}
	return accounts.Query(m)
}

// meta is what the domain records about the caller.
func (a *API) meta(r *http.Request) accounts.Meta {
	return accounts.Meta{IP: clientip.From(r), UserAgent: r.UserAgent()}
}

func (a *API) cookie(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

func (a *API) setCookie(w http.ResponseWriter, value string, maxAge int) {
	cc := a.Config.Cookie
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", Domain: cc.Domain, MaxAge: maxAge,
		Secure: cc.Secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}
