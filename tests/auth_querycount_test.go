package tests

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/auth"
	"usergraph/internal/social"
)

// The token check costs one statement per request, whatever the credential (a user's token,
// a token granted to an OAuth client for a user, a client's own token, a browser cookie) and
// whatever it finds (a live session, a revoked one, a banned user, a missing scope): the
// session, its user, their roles and the client are read together, and the access checks of
// the request read nothing more. The statement never reads a password or secret hash.
func TestTokenCheckQueryCount(t *testing.T) {
	s := apitest.New(t)
	u := s.NewUser(t, "tokencheck_qc")
	narrow := s.UserToken(t, u.ID) // no scope at all
	banned := s.NewUser(t, "tokencheck_banned")
	ban(t, s, banned, false)
	gone := s.NewUser(t, "tokencheck_gone")
	s.Get(t, "/user/logout", gone.Token).Expect(t, http.StatusOK, "")
	cookie := cookieLogin(t, s, u)
	cl := s.NewClient(t, "tokencheck-client", "external_client", social.ScopeClientBlockRead)
	unscoped := s.ClientToken(t, cl.ClientID)
	app := s.NewClient(t, "tokencheck-app", "external_client", "delegated:profile:read")
	_, toks, err := s.App.Auth.StartTokenSession(context.Background(), nil,
		auth.Start{Kind: auth.KindOAuth, UserID: u.ID, ClientID: app.ClientID, Scope: []string{"delegated:profile:read"}})
	if err != nil {
		t.Fatal(err)
	}
	granted := toks.AccessToken

	const me = `{ me { id username email firstName followerCount followingCount } }`
	cases := []struct {
		name   string
		do     func() *apitest.Response
		status int
		code   string
	}{
		{"REST me", func() *apitest.Response { return s.Get(t, "/user/me", u.Token) }, http.StatusOK, ""},
		{"GraphQL me", func() *apitest.Response { return s.GraphQL(t, u.Token, me, nil) }, http.StatusOK, ""},
		{"token without the scope", func() *apitest.Response { return s.Get(t, "/user/me", narrow) }, http.StatusUnauthorized, "InsufficientPrivileges"},
		{"token granted to an OAuth client", func() *apitest.Response { return s.Get(t, "/user/me", granted) }, http.StatusOK, ""},
		{"banned user", func() *apitest.Response { return s.Get(t, "/user/me", banned.Token) }, http.StatusForbidden, "Banned"},
		{"logged-out session", func() *apitest.Response { return s.Get(t, "/user/me", gone.Token) }, http.StatusUnauthorized, "Unauthorized"},
		{"cookie session", func() *apitest.Response {
			return s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/user/session-state", Cookie: cookie})
		}, http.StatusOK, ""},
		{"client token without the scope", func() *apitest.Response {
			return s.Get(t, q("/user/client-api/block-status", "source", u.ID, "target", banned.ID), unscoped)
		}, http.StatusUnauthorized, "InsufficientPrivileges"},
		{"user token on the client API", func() *apitest.Response {
			return s.Get(t, q("/user/client-api/block-status", "source", u.ID, "target", banned.ID), u.Token)
		}, http.StatusUnauthorized, "Unauthorized"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.Queries.Reset()
			c.do().Expect(t, c.status, c.code)
			qs := s.Queries.Queries()
			if len(qs) != 1 {
				t.Fatalf("%d statements, want 1:\n%s", len(qs), strings.Join(qs, "\n"))
			}
			selected, _, _ := strings.Cut(qs[0], " FROM ")
			for _, col := range []string{"password_hash", "secret_hash"} {
				if strings.Contains(selected, col) {
					t.Fatalf("the token check reads %s: %s", col, qs[0])
				}
			}
		})
	}

	// A client's own token with its scope: the route reads what it needs, the token check and
	// the access decision still one statement between them.
	s.Queries.Reset()
	s.Get(t, q("/user/client-api/block-status", "source", u.ID, "target", banned.ID), cl.Token).Expect(t, http.StatusOK, "")
	checks := 0
	for _, st := range s.Queries.Queries() {
		for _, table := range []string{"sessions", "roles", "oauth_clients"} {
			if strings.Contains(st, table) {
				checks++
				break
			}
		}
	}
	if checks != 1 {
		t.Fatalf("client block-status: %d statements read sessions, roles or clients:\n%s", checks, strings.Join(s.Queries.Queries(), "\n"))
	}
}
