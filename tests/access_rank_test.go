package tests

import (
	"net/http"
	"testing"
	"time"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// rankOps are every operation that acts on a user, as (method, path, body for a target).
var rankOps = []struct {
	method, op string
	body       func(target string) any
}{
	{http.MethodPatch, "update", func(id string) any { return map[string]any{"target": id, "firstName": "Ranked"} }},
	{http.MethodPost, "ban", func(id string) any { return map[string]any{"target": id, "state": false} }},
	{http.MethodPost, "restrict", func(id string) any { return map[string]any{"target": id, "state": false} }},
	{http.MethodPost, "verify", func(id string) any { return map[string]any{"target": id, "state": true} }},
	{http.MethodPost, "credits", func(id string) any { return map[string]any{"target": id, "type": "increment", "value": 1} }},
	{http.MethodPut, "custom-data", func(id string) any { return map[string]any{"target": id, "customData": map[string]any{}} }},
	{http.MethodPost, "subscription", func(id string) any {
		return map[string]any{"target": id, "state": true, "tier": "premium", "expiry": time.Now().Add(time.Hour).Format(time.RFC3339)}
	}},
	{http.MethodPost, "subscription-cancel", func(id string) any { return map[string]any{"target": id, "cancelled": true} }},
	{http.MethodPost, "access", func(id string) any {
		return map[string]any{"targets": []string{id}, "targetType": "user", "scope": []string{"delegated:profile:read"}, "operation": "add"}
	}},
}

func runRankOps(t *testing.T, s *apitest.Server, api, token, target string, status int, code string) {
	t.Helper()
	for _, op := range rankOps {
		if api == "client-api" && op.op == "verify" {
			continue
		}
		r := s.Do(t, apitest.Req{Method: op.method, Path: "/user/" + api + "/" + op.op, Token: token, JSON: op.body(target)})
		if r.Status != status || (code != "" && r.Error() != code) {
			t.Errorf("%s %s on a target: want %d %s, got %d %s", api, op.op, status, code, r.Status, r.Raw)
		}
	}
}

// The rank rule on every operation that acts on a user: an admin acts on users and, by
// default, on other admins, never on a super_admin; a super_admin acts on anyone.
func TestRankRule(t *testing.T) {
	s := apitest.New(t)
	root := s.NewSuperAdmin(t, "root_admin")
	other := s.NewSuperAdmin(t, "other_root")
	admin := s.NewAdmin(t, "rank_admin", "admin", "admin:all", "delegated:all")
	peer := s.NewAdmin(t, "peer_admin", "admin")
	u := s.NewUser(t, "ranked_user")

	runRankOps(t, s, "admin-api", admin.Token, root.ID, http.StatusUnauthorized, "InsufficientPrivileges")
	runRankOps(t, s, "admin-api", admin.Token, peer.ID, http.StatusOK, "")
	runRankOps(t, s, "admin-api", admin.Token, u.ID, http.StatusOK, "")
	runRankOps(t, s, "admin-api", root.Token, other.ID, http.StatusOK, "")

	// For client tokens the client's role ranks: internal_client is 2, external_client 100.
	internal := s.NewClient(t, "internal_ranker", "internal_client", "client:all", "delegated:all")
	external := s.NewClient(t, "external_ranker", "external_client", "client:all", "delegated:all")
	runRankOps(t, s, "client-api", internal.Token, root.ID, http.StatusUnauthorized, "InsufficientPrivileges")
	runRankOps(t, s, "client-api", internal.Token, peer.ID, http.StatusOK, "")
	runRankOps(t, s, "client-api", external.Token, peer.ID, http.StatusUnauthorized, "InsufficientPrivileges")
	runRankOps(t, s, "client-api", external.Token, u.ID, http.StatusOK, "")
}

// With admin-api.user.profile.can-edit-peer-data off, equal ranks may not act on each other,
// for admins and clients alike; a super_admin still may.
func TestRankRuleWithoutPeerEditing(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.Profile.CanEditPeerData = false })
	root := s.NewSuperAdmin(t, "root_admin")
	other := s.NewSuperAdmin(t, "other_root")
	admin := s.NewAdmin(t, "rank_admin", "admin", "admin:all", "delegated:all")
	peer := s.NewAdmin(t, "peer_admin", "admin")
	u := s.NewUser(t, "ranked_user")
	runRankOps(t, s, "admin-api", admin.Token, peer.ID, http.StatusUnauthorized, "InsufficientPrivileges")
	runRankOps(t, s, "admin-api", admin.Token, u.ID, http.StatusOK, "")
	runRankOps(t, s, "admin-api", root.Token, other.ID, http.StatusOK, "")
	external := s.NewClient(t, "external_ranker", "external_client", "client:all", "delegated:all")
	runRankOps(t, s, "client-api", external.Token, u.ID, http.StatusUnauthorized, "InsufficientPrivileges")
}
