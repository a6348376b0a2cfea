package tests

import (
	"net/http"
	"testing"

	"usergraph/internal/apitest"
)

func TestSmokeSignUpVerifyLoginMe(t *testing.T) {
	s := apitest.New(t)
	u := s.NewUser(t, "alice_smith")
	r := s.Get(t, "/user/me", u.Token).Expect(t, http.StatusOK, "")
	if got := r.Data()["user"].(map[string]any)["username"]; got != "alice_smith" {
		t.Fatalf("me: %s", r.Raw)
	}
	g := s.GraphQL(t, u.Token, `{ me { id username email } }`, nil)
	if g.Data()["me"].(map[string]any)["email"] != "alice_smith@example.com" {
		t.Fatalf("graphql me: %s", g.Raw)
	}
}
