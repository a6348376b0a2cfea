// Package rest serves Liquid's REST routes. Handlers only decode the request, call the domain
// operation that GraphQL calls too, and write Liquid's envelope: {"ok":1,"data":...} or
// {"ok":0,"error":"<Code>","additionalInfo":...}.
package rest

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"usergraph/internal/accounts"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/config"
	"usergraph/internal/social"
)

// maxBody is Liquid's default JSON body limit (system.request-body.json.max-size = 1mb).
const maxBody = 1 << 20

// sessionCookie is the browser session cookie set by POST /user/login.
const sessionCookie = "connect.sid"

// API holds what the handlers call.
type API struct {
	Accounts *accounts.Service
	Social   *social.Service
	Auth     *auth.Service
	Config   *config.Config
	Log      *slog.Logger
}

// Register adds the account routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /user/create", a.signUp)
	mux.HandleFunc("GET /user/verify-email", a.verifyEmail)
	mux.HandleFunc("POST /user/verify-email", a.verifyEmail)
	mux.HandleFunc("GET /user/resend-verification", a.resendVerification)
	mux.HandleFunc("POST /user/resend-verification", a.resendVerification)
	mux.HandleFunc("POST /user/login", a.login)
	mux.HandleFunc("POST /user/do-2fa", a.doTwoFactor)
	mux.HandleFunc("POST /user/2fa", a.setTwoFactor)
	mux.HandleFunc("GET /user/logout", a.logout)
	mux.HandleFunc("GET /user/logout-all", a.logoutAll)
	mux.HandleFunc("GET /user/code", a.requestReset)
	mux.HandleFunc("POST /user/reset-password", a.resetPassword)
	mux.HandleFunc("GET /user/session-state", a.sessionState)
	mux.HandleFunc("GET /user/scopes", a.scopes)
	mux.HandleFunc("GET /user/me", a.me)
	mux.HandleFunc("PATCH /user/me", a.updateMe)
	mux.HandleFunc("POST /user/private", a.setPrivate)
	mux.HandleFunc("GET /user/{userId}", a.getUser)
	mux.HandleFunc("GET /user/info/{userId}", a.getUser)
	a.registerSocial(mux)
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "UP"})
	})
	mux.HandleFunc("/", notFound)
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
// their text may hold internals and never reaches the client.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	if e.Code == apperr.InternalServerError {
		a.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body := map[string]any{"ok": 0, "error": e.Code}
	info := e.Info
	if info == nil && e.Reason != "" {
		info = map[string]string{"reason": e.Reason}
	}
	if info != nil {
		body["additionalInfo"] = info
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
	return accounts.Meta{IP: ClientIP(r, a.Config.ReverseProxy), UserAgent: r.UserAgent()}
}

// ClientIP is the caller's address: the first X-Forwarded-For hop behind a trusted reverse
// proxy (system.reverse-proxy-mode), else the connection's address.
func ClientIP(r *http.Request, behindProxy bool) string {
	if behindProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			return strings.TrimSpace(strings.Split(xff, ",")[0])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
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
