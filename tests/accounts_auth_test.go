package tests

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// protectedRoute is a route that needs a user token with scope.
type protectedRoute struct {
	method, path string
	body         any
	scope        string
}

func protectedRoutes(other string) []protectedRoute {
	return []protectedRoute{
		{http.MethodGet, "/user/me", nil, "delegated:profile:read"},
		{http.MethodPatch, "/user/me", map[string]any{"bio": "Hello there"}, "delegated:profile:write"},
		{http.MethodPost, "/user/private", map[string]any{"state": true}, "delegated:profile:write"},
		{http.MethodPost, "/user/2fa", map[string]any{"state": true}, "delegated:profile:2fa:write"},
		{http.MethodGet, "/user/" + other, nil, "delegated:profile:read"},
		{http.MethodGet, "/user/info/" + other, nil, "delegated:profile:read"},
	}
}

// protectedOps are the GraphQL operations that need a user token.
var protectedOps = []struct{ name, query string }{
	{"me", `{ me { id } }`},
	{"user", `query($id: ID!) { user(id: $id) { id } }`},
	{"updateProfile", `mutation { updateProfile(input: {bio: "Hello there"}) { id } }`},
	{"setPrivate", `mutation { setPrivate(private: true) { acceptedCount } }`},
	{"setTwoFactor", `mutation { setTwoFactor(enabled: true) }`},
}

func (p protectedRoute) do(t *testing.T, s *apitest.Server, header string) *apitest.Response {
	t.Helper()
	rq := apitest.Req{Method: p.method, Path: p.path, JSON: p.body}
	if header != "" {
		rq.Header = map[string]string{"Authorization": header}
	}
	return s.Do(t, rq)
}

func expectReason(t *testing.T, r *apitest.Response, reason string) {
	t.Helper()
	if got := obj(r.Body, "additionalInfo")["reason"]; got != reason {
		t.Fatalf("additionalInfo.reason = %v, want %s: %s", got, reason, r.Raw)
	}
}

func TestProtectedRoutesRefuseBadTokens(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, with2FA)
	u := s.NewUser(t, "ben_protected")
	other := s.SignUp(t, "cora_other")

	// A token signed with another key, one with alg "none", and one for a session that is gone.
	foreign, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "usergraph", "sid": "0123456789abcdef01234567",
		"exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(strings.Repeat("k", 32)))
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"iss": "usergraph", "sid": "0123456789abcdef01234567",
		"exp": time.Now().Add(time.Hour).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	ghost, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "usergraph", "sid": "0123456789abcdef01234567",
		"exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(s.App.Config.TokenSecret))

	headers := map[string]string{
		"missing":         "",
		"garbage":         "Bearer garbage",
		"empty bearer":    "Bearer ",
		"basic scheme":    "Basic " + u.Token,
		"foreign key":     "Bearer " + foreign,
		"alg none":        "Bearer " + none,
		"unknown session": "Bearer " + ghost,
		"truncated":       "Bearer " + u.Token[:len(u.Token)-3],
	}
	for _, p := range protectedRoutes(other.ID) {
		for name, h := range headers {
			t.Run(p.method+" "+p.path+" "+name, func(t *testing.T) {
				r := p.do(t, s, h).Expect(t, http.StatusUnauthorized, "Unauthorized")
				expectReason(t, r, "GENERIC_UNAUTHORIZED")
			})
		}
	}
	for _, op := range protectedOps {
		for name, h := range map[string]string{"missing": "", "garbage": "garbage", "foreign key": foreign} {
			t.Run("GraphQL "+op.name+" "+name, func(t *testing.T) {
				expectGQLError(t, s.GraphQL(t, h, op.query, map[string]any{"id": other.ID}), "UNAUTHENTICATED")
			})
		}
	}
	// Nothing changed for the real user.
	if me := meREST(t, s, u.Token); me["bio"] != nil || me["isPrivate"] != false || me["2faEnabled"] != false {
		t.Fatalf("changed by refused requests: %v", me)
	}
}

// expiredCopy re-signs token's claims with an expiry in the past: the same session, expired.
func expiredCopy(t *testing.T, s *apitest.Server, token string) string {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		t.Fatal(err)
	}
	claims["iat"] = time.Now().Add(-2 * time.Hour).Unix()
	claims["exp"] = time.Now().Add(-time.Hour).Unix()
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(s.App.Config.TokenSecret))
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func TestProtectedRoutesExpiredToken(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, with2FA)
	u := s.NewUser(t, "dora_expired")
	other := s.SignUp(t, "earl_other")
	expired := expiredCopy(t, s, u.Token)

	for _, p := range protectedRoutes(other.ID) {
		r := p.do(t, s, "Bearer "+expired).Expect(t, http.StatusUnauthorized, "Unauthorized")
		expectReason(t, r, "SESSION_TOKEN_EXPIRED")
	}
	for _, op := range protectedOps {
		e := expectGQLError(t, s.GraphQL(t, expired, op.query, map[string]any{"id": other.ID}), "UNAUTHENTICATED")
		if obj(e, "extensions")["reason"] != "SESSION_TOKEN_EXPIRED" {
			t.Fatalf("%s: %v", op.name, e)
		}
	}
	// The session itself lives on: the original token and the refresh token still work.
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusOK, "")
	p := obj(expectGQLOK(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": u.RefreshToken})), "refreshToken")
	s.Get(t, "/user/me", p["accessToken"].(string)).Expect(t, http.StatusOK, "")
}

// The configured lifetime is what expires a token.
func TestAccessTokenLifetime(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.OAuth.AccessTokenLifetime = time.Second })
	u := s.NewUser(t, "fern_lifetime")
	time.Sleep(1100 * time.Millisecond)
	r := s.Get(t, "/user/me", u.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	expectReason(t, r, "SESSION_TOKEN_EXPIRED")
	expectGQLOK(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": u.RefreshToken}))
}

func TestProtectedRoutesInsufficientScope(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, with2FA)
	other := s.SignUp(t, "fay_other")

	u := s.SignUp(t, "gus_social")
	setScope(t, s, u.ID, "delegated:social:all")
	tok, _ := s.Tokens(t, u.Username, u.Password)
	for _, p := range protectedRoutes(other.ID) {
		p.do(t, s, "Bearer "+tok).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	}
	for _, op := range protectedOps {
		expectGQLError(t, s.GraphQL(t, tok, op.query, map[string]any{"id": other.ID}), "INSUFFICIENT_SCOPE")
	}
	// The scope check comes before validation (Liquid's order): 401, not 400.
	s.Patch(t, "/user/me", tok, map[string]any{"bio": "x"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	// Read-only: reads work, writes do not.
	ro := s.SignUp(t, "hal_readonly")
	setScope(t, s, ro.ID, "delegated:profile:read")
	tok, _ = s.Tokens(t, ro.Username, ro.Password)
	for _, p := range protectedRoutes(other.ID) {
		want, code := http.StatusUnauthorized, "InsufficientPrivileges"
		if p.scope == "delegated:profile:read" {
			want, code = http.StatusOK, ""
		}
		p.do(t, s, "Bearer "+tok).Expect(t, want, code)
	}

	// The token keeps the scope it was granted: widening the user's scope later does not widen it.
	setScope(t, s, ro.ID, "delegated:all")
	s.Patch(t, "/user/me", tok, map[string]any{"bio": "Hello there"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
}

func TestProtectedRoutesBannedUser(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, with2FA)
	u := s.NewUser(t, "ida_banned")
	other := s.SignUp(t, "joe_other")
	cookie := cookieLogin(t, s, u)
	setBanned(t, s, u.ID)

	for _, p := range protectedRoutes(other.ID) {
		p.do(t, s, "Bearer "+u.Token).Expect(t, http.StatusForbidden, "Banned")
	}
	for _, op := range protectedOps {
		expectGQLError(t, s.GraphQL(t, u.Token, op.query, map[string]any{"id": other.ID}), "BANNED")
	}
	sessionState(t, s, cookie).Expect(t, http.StatusForbidden, "Forbidden")
	restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusForbidden, "Banned")
}

func TestDeletedUserTokens(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "kay_deleted")
	setDeleted(t, s, u.ID)
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusUnauthorized, "Unauthorized")
	expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": u.RefreshToken}), "UNAUTHENTICATED")
}
