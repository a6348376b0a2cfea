package tests

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"usergraph/ent"
	"usergraph/internal/accounts"
	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// expectedShown is the documented table of who sees what (docs/ARCHITECTURE.md, "One view of a
// user"), written out independently of the code: sensitivity by kind of viewer, with the
// default settings (Liquid's non-follower hidden fields; no follower-visible private fields).
func expectedShown(f accounts.UserField, v accounts.Viewer, nonFollowerHidden []string) bool {
	if f.Sensitivity == accounts.Secret {
		return false
	}
	switch v {
	case accounts.Self:
		return true
	case accounts.Admin:
		return f.Sensitivity != accounts.SelfOnly
	case accounts.Follower:
		return f.Sensitivity == accounts.Public
	}
	for _, h := range nonFollowerHidden {
		if h == f.Liquid {
			return false
		}
	}
	return f.Sensitivity == accounts.Public
}

// TestUserViewEveryFieldEveryViewer walks every user field for every kind of viewer through
// REST (GET /user/:id, the admin API, the account's own /user/me) and GraphQL (user(id:), every
// scalar field of the User type, found by introspection) and compares with the table. Banned
// and deleted users are the same stub in both APIs.
func TestUserViewEveryFieldEveryViewer(t *testing.T) {
	s := apitest.New(t)
	ctx := context.Background()
	target := s.NewUser(t, "walk_target")
	stranger := s.NewUser(t, "walk_stranger")
	requester := s.NewUser(t, "walk_requester")
	follower := s.NewUser(t, "walk_follower")
	admin := s.NewAdmin(t, "walk_admin", "admin", "admin:profile:read", "delegated:profile:read")
	// Every field set, so a shown field is present and a hidden one is visibly missing.
	s.App.DB.User.UpdateOneID(target.ID).SetPhone("5551234567").SetPhoneCountryCode("+44").
		SetSecondaryEmail("second@example.com").SetSecondaryPhone("5557654321").SetSecondaryPhoneCountryCode("+1").
		SetCredits(42).SetCustomData(`{"k":1}`).SetBio("Hello there").
		SetAddressLine1("1 Road").SetCity("Town").SetTwoFactorMedium("email").SetCreationIP("10.0.0.1").
		ExecX(ctx)

	followUser(t, s, follower, target)
	setPrivate(t, s, target, true)
	followUser(t, s, requester, target)

	hidden := s.App.Config.Profile.NonFollowerHiddenFields
	// GraphQL: every scalar field of User.
	intro := s.GraphQL(t, admin.Token, `{ __type(name: "User") { fields { name args { name } type { kind ofType { kind ofType { kind } } } } } }`, nil)
	var gqlFields []string
	for _, f := range obj(intro.Data(), "__type")["fields"].([]any) {
		fm := f.(map[string]any)
		if len(fm["args"].([]any)) > 0 || strings.Contains(fmt.Sprint(fm["type"]), "OBJECT") {
			continue // lists and relations: not stored fields
		}
		gqlFields = append(gqlFields, fm["name"].(string))
	}
	query := `query($id: ID!) { user(id: $id) { ` + strings.Join(gqlFields, " ") + ` } }`
	for _, name := range gqlFields {
		if _, ok := accounts.FieldByGraphQL(name); !ok && !computed[name] {
			t.Errorf("GraphQL User.%s has no row in the user field table", name)
		}
	}

	viewers := []struct {
		kind  accounts.Viewer
		token string
	}{{accounts.Stranger, stranger.Token}, {accounts.Requester, requester.Token}, {accounts.Follower, follower.Token},
		{accounts.Self, target.Token}, {accounts.Admin, admin.Token}}
	for _, v := range viewers {
		t.Run(v.kind.String(), func(t *testing.T) {
			var doc map[string]any
			switch v.kind {
			case accounts.Self:
				doc = obj(s.Get(t, "/user/me", v.token).Expect(t, http.StatusOK, "").Data(), "user")
			case accounts.Admin:
				docs := s.Post(t, "/user/admin-api/retrieve-user-info", v.token, map[string]any{"targets": []string{target.ID}}).
					Expect(t, http.StatusOK, "").Data()["users"].([]any)
				doc = docs[0].(map[string]any)
			default:
				doc = obj(s.Get(t, "/user/"+target.ID, v.token).Expect(t, http.StatusOK, "").Data(), "user")
			}
			g := obj(expectGQLOK(t, s.GraphQL(t, v.token, query, map[string]any{"id": target.ID})), "user")
			for _, f := range accounts.UserFields {
				want := expectedShown(f, v.kind, hidden)
				_, inREST := doc[f.Liquid]
				if f.Value(mustUser(t, s, target.ID)) == nil {
					inREST = want // unset fields are left out either way
				}
				if inREST != want {
					t.Errorf("REST %s: %s shown=%v, want %v", v.kind, f.Liquid, inREST, want)
				}
				if f.GraphQL == "" {
					continue
				}
				gv, inGQL := g[f.GraphQL]
				if !inGQL {
					t.Fatalf("GraphQL did not answer %s: %v", f.GraphQL, g)
				}
				if shown := gv != nil; shown != want && f.Value(mustUser(t, s, target.ID)) != nil {
					t.Errorf("GraphQL %s: %s shown=%v, want %v", v.kind, f.GraphQL, shown, want)
				}
			}
		})
	}

	// A banned user: the same stub in both APIs for everyone but itself and admins.
	s.App.DB.User.UpdateOneID(target.ID).SetIsBanned(true).ExecX(ctx)
	doc := obj(s.Get(t, "/user/"+target.ID, follower.Token).Expect(t, http.StatusOK, "").Data(), "user")
	if len(doc) != 3 || doc["_id"] != target.ID || doc["isBanned"] != true || doc["isDeleted"] != false {
		t.Fatalf("REST stub: %v", doc)
	}
	g := obj(expectGQLOK(t, s.GraphQL(t, follower.Token, query, map[string]any{"id": target.ID})), "user")
	for k, v := range g {
		stub := k == "id" || k == "isBanned" || k == "isDeleted"
		if stub != (v != nil) {
			t.Errorf("GraphQL stub: %s = %v", k, v)
		}
	}
	if g["id"] != target.ID || g["isBanned"] != true {
		t.Fatalf("GraphQL stub: %v", g)
	}
	a := obj(expectGQLOK(t, s.GraphQL(t, admin.Token, query, map[string]any{"id": target.ID})), "user")
	if a["username"] != target.Username {
		t.Fatalf("an admin sees the whole banned user: %v", a)
	}
}

// computed are GraphQL User fields that are not stored user fields.
var computed = map[string]bool{"isFollowing": true, "followsViewer": true, "requested": true, "blocked": true}

func mustUser(t *testing.T, s *apitest.Server, id string) *ent.User {
	t.Helper()
	u, err := s.App.DB.User.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestFollowerVisibleFields: following never reveals private fields, unless the operator lists
// them in user.field-privacy.follower.visible-fields.
func TestFollowerVisibleFields(t *testing.T) {
	for _, tc := range []struct {
		name    string
		visible []string
		want    bool
	}{{"default", nil, false}, {"email listed", []string{"email"}, true}} {
		t.Run(tc.name, func(t *testing.T) {
			s := apitest.New(t, func(c *config.Config) { c.Profile.FollowerVisibleFields = tc.visible })
			target := s.NewUser(t, "vis_target")
			fan := s.NewUser(t, "vis_fan")
			if st := followUser(t, s, fan, target); st != "FOLLOWING" && st != "following" {
				t.Logf("follow status %q", st)
			}
			doc := obj(s.Get(t, "/user/"+target.ID, fan.Token).Expect(t, http.StatusOK, "").Data(), "user")
			if _, shown := doc["email"]; shown != tc.want {
				t.Fatalf("REST email shown=%v, want %v: %v", shown, tc.want, doc)
			}
			g := obj(expectGQLOK(t, s.GraphQL(t, fan.Token, `query($id: ID!) { user(id: $id) { email credits } }`, map[string]any{"id": target.ID})), "user")
			if (g["email"] != nil) != tc.want || g["credits"] != nil {
				t.Fatalf("GraphQL: %v", g)
			}
		})
	}
}

// TestUnreadableListIsNullOnItsField: a list the viewer may not read is null with an error on
// that field only; the user around it stays.
func TestUnreadableListIsNullOnItsField(t *testing.T) {
	s := apitest.New(t)
	owner := s.NewUser(t, "list_owner")
	stranger := s.NewUser(t, "list_stranger")
	setPrivate(t, s, owner, true)
	r := s.GraphQL(t, stranger.Token, `query($id: ID!) { user(id: $id) { username followers(first: 5) { totalCount } } }`,
		map[string]any{"id": owner.ID})
	u := obj(r.Data(), "user")
	if u["username"] != owner.Username || u["followers"] != nil {
		t.Fatalf("user: %s", r.Raw)
	}
	e := gqlErr(t, r)
	if fmt.Sprint(e["path"]) != "[user followers]" || r.GQLError() != "FORBIDDEN" {
		t.Fatalf("error: %s", r.Raw)
	}
}
