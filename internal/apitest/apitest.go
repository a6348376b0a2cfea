// Package apitest starts a whole usergraph for a test: the real handler on an httptest.Server,
// a fresh database (a temporary SQLite file, or a fresh schema in the PostgreSQL database named
// by DATABASE_URL) and a local SMTP server that receives the mail.
package apitest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"usergraph/internal/app"
	"usergraph/internal/auth"
	"usergraph/internal/clients"
	"usergraph/internal/config"
	"usergraph/internal/db"
	"usergraph/internal/mail/smtptest"
	"usergraph/internal/secret"
)

// Server is a running usergraph under test.
type Server struct {
	*httptest.Server
	App  *app.App
	Mail *smtptest.Server
	// Queries counts the SQL statements the server runs (Reset it before the request to measure).
	Queries *db.Counter
	// Logs holds what the server logged.
	Logs *Logs
}

// New starts a server. configure, if given, adjusts the configuration first; it starts from
// the defaults, as with an empty environment.
func New(t testing.TB, configure ...func(*config.Config)) *Server {
	t.Helper()
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("default config: %v", err)
	}
	mailSrv := smtptest.Start(t)
	cfg.Mail.SMTPURL = mailSrv.URL()
	cfg.TokenSecret = secret.Token(32)
	cfg.DatabaseURL = Database(t)
	// Every test calls from 127.0.0.1; rate-limit tests set their own limits.
	cfg.RateLimit.Light, cfg.RateLimit.Medium, cfg.RateLimit.Heavy, cfg.RateLimit.Extreme = 1e6, 1e6, 1e6, 1e6
	cfg.RateLimit.AccountMax = 1e6
	for _, fn := range configure {
		if fn != nil {
			fn(cfg)
		}
	}
	logs := &Logs{}
	logger := slog.New(logs.handler())
	if os.Getenv("APITEST_LOG") != "" {
		logger = slog.New(slog.NewMultiHandler(logs.handler(), slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
	counter := &db.Counter{}
	a, err := app.New(context.Background(), cfg, app.Options{Logger: logger, WrapDriver: counter.Wrap, ObserveSQL: counter.Observe})
	if err != nil {
		t.Fatalf("start app: %v", err)
	}
	s := &Server{Server: httptest.NewServer(a.Handler), App: a, Mail: mailSrv, Queries: counter, Logs: logs}
	t.Cleanup(func() {
		s.Server.Close()
		a.Close()
	})
	return s
}

// Database returns a database URL for one test: a fresh schema in the PostgreSQL database named
// by DATABASE_URL (dropped when the test ends), or a new SQLite file.
func Database(t testing.TB) string {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if !db.IsPostgres(base) {
		return "file:" + filepath.Join(t.TempDir(), "test.db")
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	if err := db.CreateTrigram(context.Background(), admin, "public"); err != nil {
		admin.Close()
		t.Fatalf("create extension pg_trgm: %v", err)
	}
	schema := "t_" + secret.Token(8)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Response is a decoded answer.
type Response struct {
	Status int
	Header http.Header
	Raw    []byte
	// Body is the JSON body decoded into a map (nil if it is not a JSON object).
	Body map[string]any
}

// Data is body.data as a map.
func (r *Response) Data() map[string]any { m, _ := r.Body["data"].(map[string]any); return m }

// Error is body.error.
func (r *Response) Error() string { s, _ := r.Body["error"].(string); return s }

// Cookie returns the value of a Set-Cookie by name, and the cookie itself.
func (r *Response) Cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Req describes a request.
type Req struct {
	Method, Path string
	// JSON is marshalled as the body unless it is a string or []byte, which are sent as is.
	JSON   any
	Form   url.Values
	Token  string
	Cookie string
	Header map[string]string
}

// Do sends a request and decodes the answer.
func (s *Server) Do(t testing.TB, rq Req) *Response {
	t.Helper()
	var body io.Reader
	ctype := ""
	switch v := rq.JSON.(type) {
	case nil:
	case string:
		body, ctype = strings.NewReader(v), "application/json"
	case []byte:
		body, ctype = bytes.NewReader(v), "application/json"
	default:
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	if rq.Form != nil {
		body, ctype = strings.NewReader(rq.Form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(rq.Method, s.URL+rq.Path, body)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if rq.Token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.Token)
	}
	if rq.Cookie != "" {
		req.Header.Set("Cookie", "connect.sid="+rq.Cookie)
	}
	for k, v := range rq.Header {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", rq.Method, rq.Path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

// Get, Post, Patch are shorthands for Do.
func (s *Server) Get(t testing.TB, path, token string) *Response {
	t.Helper()
	return s.Do(t, Req{Method: http.MethodGet, Path: path, Token: token})
}

func (s *Server) Post(t testing.TB, path, token string, body any) *Response {
	t.Helper()
	return s.Do(t, Req{Method: http.MethodPost, Path: path, Token: token, JSON: body})
}

func (s *Server) Patch(t testing.TB, path, token string, body any) *Response {
	t.Helper()
	return s.Do(t, Req{Method: http.MethodPatch, Path: path, Token: token, JSON: body})
}

// Expect fails the test unless the response has the status and, if code is not "", the error
// code.
func (r *Response) Expect(t testing.TB, status int, code string) *Response {
	t.Helper()
	if r.Status != status || (code != "" && r.Error() != code) {
		t.Fatalf("want %d %s, got %d: %s", status, code, r.Status, r.Raw)
	}
	return r
}

// User is an account made by the harness.
type User struct {
	ID, Username, Email, Password string
	// Token is an access token for the user, RefreshToken its refresh token.
	Token, RefreshToken string
}

// SignUp creates an account through POST /user/create and verifies it with the mailed code.
func (s *Server) SignUp(t testing.TB, username string) *User {
	t.Helper()
	u := &User{Username: username, Email: username + "@example.com", Password: "correct-horse-1"}
	r := s.Post(t, "/user/create", "", map[string]any{
		"username": u.Username, "password": u.Password, "email": u.Email, "firstName": "Test", "lastName": "User",
	}).Expect(t, http.StatusCreated, "")
	u.ID = r.Data()["user"].(map[string]any)["_id"].(string)
	if r.Data()["user"].(map[string]any)["emailVerified"] == false {
		code := s.Mail.Code(t, u.Email)
		s.Get(t, fmt.Sprintf("/user/verify-email?target=%s&code=%s", u.ID, code), "").Expect(t, http.StatusOK, "")
	}
	return u
}

// NewUser signs up, verifies and logs in a user, returning it with an access token.
func (s *Server) NewUser(t testing.TB, username string) *User {
	t.Helper()
	u := s.SignUp(t, username)
	u.Token, u.RefreshToken = s.Tokens(t, u.Username, u.Password)
	return u
}

// Tokens logs in through the GraphQL login mutation and returns the access and refresh tokens.
func (s *Server) Tokens(t testing.TB, username, password string) (string, string) {
	t.Helper()
	r := s.GraphQL(t, "", `mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken refreshToken } }`,
		map[string]any{"u": username, "p": password})
	login, _ := r.Data()["login"].(map[string]any)
	if login == nil || login["accessToken"] == nil {
		t.Fatalf("login %s: %s", username, r.Raw)
	}
	return login["accessToken"].(string), login["refreshToken"].(string)
}

// GraphQL posts a query to /graphql.
func (s *Server) GraphQL(t testing.TB, token, query string, vars map[string]any) *Response {
	t.Helper()
	return s.Do(t, Req{Method: http.MethodPost, Path: "/graphql", Token: token,
		JSON: map[string]any{"query": query, "variables": vars}})
}

// GQLError returns extensions.code of the first GraphQL error, or "".
func (r *Response) GQLError() string {
	errs, _ := r.Body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	e, _ := errs[0].(map[string]any)
	ext, _ := e["extensions"].(map[string]any)
	code, _ := ext["code"].(string)
	return code
}

// Put sends a PUT with a JSON body; Delete a DELETE with a JSON body (Liquid's deletes take
// their target in the body).
func (s *Server) Put(t testing.TB, path, token string, body any) *Response {
	t.Helper()
	return s.Do(t, Req{Method: http.MethodPut, Path: path, Token: token, JSON: body})
}

func (s *Server) Delete(t testing.TB, path, token string, body any) *Response {
	t.Helper()
	return s.Do(t, Req{Method: http.MethodDelete, Path: path, Token: token, JSON: body})
}

// NewAdmin signs up a user, gives it role and scope in the database (as an operator would with
// access provisioning), then logs it in, so its token carries its effective scope.
func (s *Server) NewAdmin(t testing.TB, username, role string, scope ...string) *User {
	t.Helper()
	u := s.SignUp(t, username)
	if scope == nil {
		scope = []string{}
	}
	if err := s.App.DB.User.UpdateOneID(u.ID).SetRole(role).SetScope(scope).Exec(context.Background()); err != nil {
		t.Fatalf("set role of %s: %v", username, err)
	}
	u.Token, u.RefreshToken = s.Tokens(t, u.Username, u.Password)
	return u
}

// NewSuperAdmin is NewAdmin with the super_admin role and scope "*".
func (s *Server) NewSuperAdmin(t testing.TB, username string) *User {
	t.Helper()
	return s.NewAdmin(t, username, "super_admin", "*")
}

// SetUserScope replaces a user's own scopes in the database.
func (s *Server) SetUserScope(t testing.TB, userID string, scope ...string) {
	t.Helper()
	if scope == nil {
		scope = []string{}
	}
	if err := s.App.DB.User.UpdateOneID(userID).SetScope(scope).Exec(context.Background()); err != nil {
		t.Fatalf("set scope: %v", err)
	}
}

// UserToken starts a first-party token session for a user carrying exactly scope (which need
// not be the user's effective scope: checks compare the two) and returns its access token.
func (s *Server) UserToken(t testing.TB, userID string, scope ...string) string {
	t.Helper()
	if scope == nil {
		scope = []string{}
	}
	_, toks, err := s.App.Auth.StartTokenSession(context.Background(), nil, auth.Start{Kind: auth.KindToken, UserID: userID, Scope: scope})
	if err != nil {
		t.Fatalf("start token session: %v", err)
	}
	return toks.AccessToken
}

// Client is an OAuth client made by the harness.
type Client struct {
	// ID is the client's _id; ClientID its public id.
	ID, ClientID, Secret string
	// Token is a client token (client_credentials) carrying the client's scope.
	Token string
}

// NewClient registers a confidential OAuth client with the role (internal_client or
// external_client), the client_credentials grant and the given scopes, and returns it with a
// client token carrying the client's effective scope (its scopes and its role's), obtained
// through the real client_credentials grant at POST /oauth/token. A client whose effective
// scope is empty can ask for no scope, so it gets no token.
func (s *Server) NewClient(t testing.TB, clientID, role string, scope ...string) *Client {
	t.Helper()
	if scope == nil {
		scope = []string{}
	}
	c := &Client{ClientID: clientID, Secret: secret.Token(16)}
	hash, err := clients.HashSecret(c.Secret)
	if err != nil {
		t.Fatal(err)
	}
	row, err := s.App.DB.OAuthClient.Create().SetClientID(clientID).SetDisplayName("Test client " + clientID).
		SetRole(role).SetScope(scope).SetSecretHash(hash).
		SetGrants([]string{clients.GrantClientCredentials}).SetRedirectUris([]string{}).Save(context.Background())
	if err != nil {
		t.Fatalf("create client %s: %v", clientID, err)
	}
	c.ID = row.ID
	effective, err := s.App.Access.ClientEffectiveScope(context.Background(), row)
	if err != nil {
		t.Fatal(err)
	}
	if len(effective) > 0 {
		c.Token = s.GrantClientToken(t, c, effective...)
	}
	return c
}

// GrantClientToken gets a token for c with the client_credentials grant at POST /oauth/token.
func (s *Server) GrantClientToken(t testing.TB, c *Client, scope ...string) string {
	t.Helper()
	r := s.Do(t, Req{Method: http.MethodPost, Path: "/oauth/token", Form: url.Values{
		"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.Secret},
		"scope": {strings.Join(scope, " ")},
	}})
	tok, _ := r.Body["access_token"].(string)
	if r.Status != http.StatusOK || tok == "" {
		t.Fatalf("client_credentials for %s: %d %s", c.ClientID, r.Status, r.Raw)
	}
	return tok
}

// ClientToken makes a client token for an existing client carrying exactly scope, as the
// client_credentials grant makes one (a session of kind client naming the client). Tests use
// it for tokens whose scope the client no longer holds, which the grant would refuse to issue;
// everything else gets its token from the grant (NewClient, GrantClientToken).
func (s *Server) ClientToken(t testing.TB, clientID string, scope ...string) string {
	t.Helper()
	if scope == nil {
		scope = []string{}
	}
	_, toks, err := s.App.Auth.StartTokenSession(context.Background(), nil, auth.Start{Kind: auth.KindClient, ClientID: clientID, Scope: scope})
	if err != nil {
		t.Fatalf("start client session: %v", err)
	}
	return toks.AccessToken
}
