package tests

import (
	"context"
	"net/http"
	"testing"

	"usergraph/internal/apitest"
)

// What a banned user gets, exactly as README's "Behaviour decisions" says: the ban revokes the
// sessions (401 Unauthorized for old tokens, refresh included), a login with the right password
// is 403 Banned, and a token whose session outlived the ban is 403 Banned.
func TestBannedUserAnswersAsREADMESays(t *testing.T) {
	s := apitest.New(t)
	admin := s.NewAdmin(t, "ban_admin", "admin", "admin:profile:ban:write")
	victim := s.NewUser(t, "ban_victim")
	cookie := cookieLogin(t, s, victim)

	s.Post(t, "/user/admin-api/ban", admin.Token, map[string]any{"target": victim.ID, "state": true}).Expect(t, http.StatusOK, "")

	s.Get(t, "/user/me", victim.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	if g := s.GraphQL(t, victim.Token, `{ me { id } }`, nil); g.GQLError() != "UNAUTHENTICATED" {
		t.Fatalf("GraphQL with a revoked token: %s", g.Raw)
	}
	if g := s.GraphQL(t, "", `mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }`,
		map[string]any{"r": victim.RefreshToken}); g.GQLError() != "UNAUTHENTICATED" {
		t.Fatalf("refresh after the ban: %s", g.Raw)
	}
	s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/user/session-state", Cookie: cookie}).Expect(t, http.StatusForbidden, "Forbidden")

	restLogin(t, s, victim.Username, victim.Password).Expect(t, http.StatusForbidden, "Banned")
	restLogin(t, s, victim.Username, "wrong-password").Expect(t, http.StatusUnauthorized, "Unauthorized")
	if g := s.GraphQL(t, "", `mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }`,
		map[string]any{"u": victim.Username, "p": victim.Password}); g.GQLError() != "BANNED" {
		t.Fatalf("GraphQL login of a banned user: %s", g.Raw)
	}

	// A session that outlived the ban (the flag written straight into the database).
	other := s.NewUser(t, "db_banned")
	if err := s.App.DB.User.UpdateOneID(other.ID).SetIsBanned(true).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Get(t, "/user/me", other.Token).Expect(t, http.StatusForbidden, "Banned")
}
