package tests

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

func TestGetMe(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "nina_me")
	r := s.Get(t, "/user/me", u.Token).Expect(t, http.StatusOK, "")
	doc := obj(r.Data(), "user")
	checkUserDoc(t, doc, r.Raw)
	noSecrets(t, r, u.Password)
	for k, want := range map[string]any{"_id": u.ID, "username": u.Username, "email": u.Email, "emailVerified": true, "2faEnabled": false, "customData": map[string]any{}} {
		if !jsonEqual(doc[k], want) {
			t.Errorf("user.%s = %v, want %v", k, doc[k], want)
		}
	}
	want := []string{"firstName", "lastName", "middleName", "password", "bio", "pronouns", "customLink", "organization", "gender", "preferredLanguage"}
	if !jsonEqual(r.Data()["editableFields"], want) {
		t.Fatalf("editableFields: %v", r.Data()["editableFields"])
	}
	g := obj(expectGQLOK(t, s.GraphQL(t, u.Token, `{ me { `+gqlUser+` } }`, nil)), "me")
	if g["id"] != u.ID || g["email"] != u.Email || g["credits"] != float64(0) || g["twoFactorEnabled"] != false {
		t.Fatalf("GraphQL me: %v", g)
	}
}

func TestUpdateMe(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "oliver_patch")

	r := s.Patch(t, "/user/me", u.Token, map[string]any{
		"firstName": "Olivér", "middleName": "James", "bio": "Writes Go for a living.", "pronouns": "he/him",
		"customLink": "https://example.com/oliver", "organization": "Acme Corp", "gender": "male", "preferredLanguage": "fr",
	}).Expect(t, http.StatusOK, "")
	doc := obj(r.Data(), "user")
	checkUserDoc(t, doc, r.Raw)
	noSecrets(t, r, u.Password)
	// The answer is the updated user (Liquid answers with the old one).
	for k, want := range map[string]any{"firstName": "Olivér", "middleName": "James", "bio": "Writes Go for a living.",
		"pronouns": "he/him", "customLink": "https://example.com/oliver", "organization": "Acme Corp", "gender": "male", "preferredLanguage": "fr"} {
		if doc[k] != want {
			t.Errorf("PATCH answer %s = %v, want %v", k, doc[k], want)
		}
	}
	if me := meREST(t, s, u.Token); me["firstName"] != "Olivér" || me["bio"] != "Writes Go for a living." {
		t.Fatalf("not stored: %v", me)
	}

	// "__unset__" clears what may be empty.
	r = s.Patch(t, "/user/me", u.Token, map[string]any{"middleName": "__unset__", "bio": "__unset__"}).Expect(t, http.StatusOK, "")
	doc = obj(r.Data(), "user")
	if doc["middleName"] != nil || doc["bio"] != nil || doc["firstName"] != "Olivér" {
		t.Fatalf("unset: %s", r.Raw)
	}
	if me := meREST(t, s, u.Token); me["middleName"] != nil || me["bio"] != nil {
		t.Fatalf("unset not stored: %v", me)
	}

	// An empty PATCH changes nothing and still answers the user.
	r = s.Patch(t, "/user/me", u.Token, map[string]any{}).Expect(t, http.StatusOK, "")
	if obj(r.Data(), "user")["_id"] != u.ID {
		t.Fatalf("empty PATCH: %s", r.Raw)
	}
}

func TestUpdateMeValidation(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "pia_invalid")
	cases := []struct {
		name  string
		body  map[string]any
		path  string
		value any
	}{
		{"not editable: credits", map[string]any{"credits": 1000}, "credits", 1000},
		{"not editable: username", map[string]any{"username": "pia_renamed"}, "username", "pia_renamed"},
		{"not editable: email", map[string]any{"email": "pia@other.com"}, "email", "pia@other.com"},
		{"not editable: isBanned", map[string]any{"isBanned": false}, "isBanned", false},
		{"not editable: scope", map[string]any{"scope": []string{"*"}}, "scope", []string{"*"}},
		{"unknown key", map[string]any{"hacker": "yes"}, "hacker", "yes"},
		{"first name with a space", map[string]any{"firstName": "Pia Maria"}, "firstName", "Pia Maria"},
		{"first name cannot be unset", map[string]any{"firstName": "__unset__"}, "firstName", "__unset__"},
		{"bio too short", map[string]any{"bio": "ab"}, "bio", "ab"},
		{"bad link", map[string]any{"customLink": "not a url"}, "customLink", "not a url"},
		{"bad language", map[string]any{"preferredLanguage": "xx"}, "preferredLanguage", "xx"},
		{"organization digits", map[string]any{"organization": "Acme 2"}, "organization", "Acme 2"},
		{"password too short", map[string]any{"password": "short", "currentPassword": u.Password}, "password", "short"},
		{"first name object", map[string]any{"firstName": map[string]any{"a": 1}}, "firstName", map[string]any{"a": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectFieldError(t, s.Patch(t, "/user/me", u.Token, tc.body), tc.path, tc.value)
		})
	}
	// None of it was applied.
	if me := meREST(t, s, u.Token); me["firstName"] != "Test" || me["credits"] != float64(0) {
		t.Fatalf("changed: %v", me)
	}
	// A valid field next to an invalid one is not applied either.
	expectFieldError(t, s.Patch(t, "/user/me", u.Token, map[string]any{"lastName": "Valid", "bio": "x"}), "bio", "x")
	if meREST(t, s, u.Token)["lastName"] != "User" {
		t.Fatal("partial update applied")
	}
	s.Patch(t, "/user/me", u.Token, `not json`).Expect(t, http.StatusBadRequest, "ClientInputError")
}

func TestUpdateMePassword(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "quentin_pw")
	other, otherRefresh := s.Tokens(t, u.Username, u.Password)
	cookie := cookieLogin(t, s, u)

	// Liquid's validator requires currentPassword with a protected field: a 400 naming it.
	expectFieldError(t, s.Patch(t, "/user/me", u.Token, map[string]any{"password": "brand-new-pass"}), "currentPassword", absent)
	s.Patch(t, "/user/me", u.Token, map[string]any{"password": "brand-new-pass", "currentPassword": "wrong-password"}).Expect(t, http.StatusUnauthorized, "Unauthorized")
	expectFieldError(t, s.Patch(t, "/user/me", u.Token, map[string]any{"password": "brand-new-pass", "currentPassword": "short"}), "currentPassword", "short")
	restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusOK, "")

	r := s.Patch(t, "/user/me", u.Token, map[string]any{"password": "brand-new-pass", "currentPassword": u.Password}).Expect(t, http.StatusOK, "")
	noSecrets(t, r, "brand-new-pass")
	// The current session lives on; every other one ended.
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusOK, "")
	expectGQLOK(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": u.RefreshToken}))
	s.Get(t, "/user/me", other).Expect(t, http.StatusUnauthorized, "Unauthorized")
	expectGQLError(t, s.GraphQL(t, "", gqlRefresh, map[string]any{"r": otherRefresh}), "UNAUTHENTICATED")
	sessionState(t, s, cookie).Expect(t, http.StatusForbidden, "Forbidden")
	restLogin(t, s, u.Username, u.Password).Expect(t, http.StatusUnauthorized, "Unauthorized")
	restLogin(t, s, u.Username, "brand-new-pass").Expect(t, http.StatusOK, "")
}

func TestUpdateMeUsernameConflict(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) {
		c.Profile.EditableFields = append(slices.Clone(c.Profile.EditableFields), "username", "email")
	})
	taken := s.SignUp(t, "rachel_taken")
	u := s.NewUser(t, "simon_rename")
	for _, name := range []string{"rachel_taken", "Rachel_Taken"} {
		r := s.Patch(t, "/user/me", u.Token, map[string]any{"username": name}).Expect(t, http.StatusConflict, "ResourceConflict")
		if !jsonEqual(obj(r.Body, "additionalInfo")["duplicateFields"], []string{"username"}) {
			t.Fatalf("duplicateFields: %s", r.Raw)
		}
	}
	r := s.Patch(t, "/user/me", u.Token, map[string]any{"email": strings.ToUpper(taken.Email)}).Expect(t, http.StatusConflict, "ResourceConflict")
	if !jsonEqual(obj(r.Body, "additionalInfo")["duplicateFields"], []string{"email"}) {
		t.Fatalf("duplicateFields: %s", r.Raw)
	}
	expectGQLError(t, s.GraphQL(t, u.Token, `mutation { updateProfile(input: {username: "rachel_taken"}) { id } }`, nil), "CONFLICT")

	// A free name is stored lowercased, and the user logs in with it.
	r = s.Patch(t, "/user/me", u.Token, map[string]any{"username": "Simon_Renamed"}).Expect(t, http.StatusOK, "")
	if obj(r.Data(), "user")["username"] != "simon_renamed" {
		t.Fatalf("rename: %s", r.Raw)
	}
	restLogin(t, s, "simon_renamed", u.Password).Expect(t, http.StatusOK, "")
	expectFieldError(t, s.Patch(t, "/user/me", u.Token, map[string]any{"username": "no"}), "username", "no")

	// A new address must be verified again; the session goes on.
	r = s.Patch(t, "/user/me", u.Token, map[string]any{"email": "Simon.New@Example.com"}).Expect(t, http.StatusOK, "")
	doc := obj(r.Data(), "user")
	if doc["email"] != "Simon.New@Example.com" || doc["sanitizedEmail"] != "simon.new@example.com" || doc["emailVerified"] != false {
		t.Fatalf("email change: %s", r.Raw)
	}
	code := s.Mail.Code(t, "Simon.New@Example.com")
	verify(t, s, http.MethodPost, u.ID, code).Expect(t, http.StatusOK, "")
	if me := meREST(t, s, u.Token); me["emailVerified"] != true {
		t.Fatalf("not verified again: %v", me)
	}
	restLogin(t, s, "simon.new@example.com", u.Password).Expect(t, http.StatusOK, "")
}

func TestUpdateProfileGraphQL(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "tara_gqlpatch")
	const m = `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { ` + gqlUser + ` } }`

	r := s.GraphQL(t, u.Token, m, map[string]any{"in": map[string]any{"firstName": "Tara", "middleName": "Lee", "bio": "Hello there"}})
	p := obj(expectGQLOK(t, r), "updateProfile")
	if p["firstName"] != "Tara" || p["middleName"] != "Lee" || p["bio"] != "Hello there" || p["email"] != u.Email {
		t.Fatalf("updateProfile: %s", r.Raw)
	}
	r = s.GraphQL(t, u.Token, m, map[string]any{"in": map[string]any{"unset": []string{"middleName", "bio"}}})
	p = obj(expectGQLOK(t, r), "updateProfile")
	if p["middleName"] != nil || p["bio"] != nil || p["firstName"] != "Tara" {
		t.Fatalf("unset: %s", r.Raw)
	}
	expectGQLFieldError(t, s.GraphQL(t, u.Token, m, map[string]any{"in": map[string]any{"bio": "x"}}), "input.bio")
	expectGQLFieldError(t, s.GraphQL(t, u.Token, m, map[string]any{"in": map[string]any{"unset": []string{"firstName"}}}), "input.firstName")
	expectGQLFieldError(t, s.GraphQL(t, u.Token, m, map[string]any{"in": map[string]any{"username": "tara_new_name"}}), "input.username")
	expectGQLFieldError(t, s.GraphQL(t, u.Token, m, map[string]any{"in": map[string]any{"password": "brand-new-pass"}}), "input.currentPassword")
	expectGQLError(t, s.GraphQL(t, u.Token, m, map[string]any{"in": map[string]any{"password": "brand-new-pass", "currentPassword": "wrong-password"}}), "UNAUTHENTICATED")
	expectGQLOK(t, s.GraphQL(t, u.Token, m, map[string]any{"in": map[string]any{"password": "brand-new-pass", "currentPassword": u.Password}}))
	s.Tokens(t, u.Username, "brand-new-pass")
	expectGQLError(t, s.GraphQL(t, "", m, map[string]any{"in": map[string]any{"bio": "Hello there"}}), "UNAUTHENTICATED")
}

func TestGetUser(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	viewer := s.NewUser(t, "uma_viewer")
	target := s.NewUser(t, "vince_target")
	if err := s.App.DB.User.UpdateOneID(target.ID).SetPhone("5551234567").SetPhoneCountryCode("+1").SetCredits(42).
		Exec(context.Background()); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"/user/" + target.ID, "/user/info/" + target.ID, "/user/" + strings.ToUpper(target.ID)} {
		r := s.Get(t, path, viewer.Token).Expect(t, http.StatusOK, "")
		doc := obj(r.Data(), "user")
		checkUserDoc(t, doc, r.Raw)
		if doc["_id"] != target.ID || doc["username"] != target.Username || doc["firstName"] != "Test" {
			t.Fatalf("%s: %s", path, r.Raw)
		}
		noSecrets(t, r, target.Password)
		for _, hidden := range []string{"email", "sanitizedEmail", "phone", "phoneCountryCode", "credits", "scope", "creationIp", "2faEnabled", "customData", "globalLogoutAt"} {
			if _, ok := doc[hidden]; ok {
				t.Errorf("%s shows %s to another user: %s", path, hidden, r.Raw)
			}
		}
		if strings.Contains(strings.ToLower(string(r.Raw)), "vince_target@") {
			t.Fatalf("email leaked: %s", r.Raw)
		}
	}
	// Yourself: everything.
	self := obj(s.Get(t, "/user/"+target.ID, target.Token).Expect(t, http.StatusOK, "").Data(), "user")
	if self["email"] != target.Email || self["phone"] != "5551234567" || self["credits"] != float64(42) {
		t.Fatalf("self view: %v", self)
	}

	r := s.Get(t, "/user/not-an-id", viewer.Token).Expect(t, http.StatusBadRequest, "ClientInputError")
	if !jsonEqual(r.Body["additionalInfo"], map[string]any{"msg": "Invalid value", "param": "userId", "location": "param"}) {
		t.Fatalf("bad id: %s", r.Raw)
	}
	s.Get(t, "/user/0123456789abcdef01234567", viewer.Token).Expect(t, http.StatusNotFound, "NotFound")
	s.Get(t, "/user/info/0123456789abcdef01234567", viewer.Token).Expect(t, http.StatusNotFound, "NotFound")

	// Banned and deleted users are stubs.
	banned := s.SignUp(t, "wanda_banned")
	setBanned(t, s, banned.ID)
	deleted := s.SignUp(t, "xavier_deleted")
	setDeleted(t, s, deleted.ID)
	for id, want := range map[string]map[string]any{
		banned.ID:  {"_id": banned.ID, "isBanned": true, "isDeleted": false},
		deleted.ID: {"_id": deleted.ID, "isBanned": false, "isDeleted": true},
	} {
		r := s.Get(t, "/user/"+id, viewer.Token).Expect(t, http.StatusOK, "")
		if !jsonEqual(obj(r.Data(), "user"), want) {
			t.Fatalf("stub: %s", r.Raw)
		}
	}
}

func TestUserGraphQLPrivacy(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	viewer := s.NewUser(t, "yasmin_viewer")
	target := s.NewUser(t, "zack_target")
	if err := s.App.DB.User.UpdateOneID(target.ID).SetPhone("5551234567").SetPhoneCountryCode("+1").SetCredits(7).
		Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	const q = `query($id: ID!) { user(id: $id) { id username email emailVerified phone phoneCountryCode credits customData twoFactorEnabled scope } }`
	other := obj(expectGQLOK(t, s.GraphQL(t, viewer.Token, q, map[string]any{"id": target.ID})), "user")
	if other["id"] != target.ID || other["username"] != target.Username {
		t.Fatalf("user: %v", other)
	}
	for _, k := range []string{"email", "phone", "phoneCountryCode", "credits", "customData", "twoFactorEnabled", "scope"} {
		if other[k] != nil {
			t.Errorf("%s visible to another user: %v", k, other[k])
		}
	}
	self := obj(expectGQLOK(t, s.GraphQL(t, target.Token, q, map[string]any{"id": target.ID})), "user")
	if self["email"] != target.Email || self["phone"] != "5551234567" || self["credits"] != float64(7) ||
		self["twoFactorEnabled"] != false || !jsonEqual(self["scope"], []string{"delegated:all"}) {
		t.Fatalf("self: %v", self)
	}
	expectGQLError(t, s.GraphQL(t, viewer.Token, q, map[string]any{"id": "0123456789abcdef01234567"}), "NOT_FOUND")
	expectGQLError(t, s.GraphQL(t, viewer.Token, q, map[string]any{"id": "nope"}), "BAD_USER_INPUT")
	expectGQLError(t, s.GraphQL(t, "", q, map[string]any{"id": target.ID}), "UNAUTHENTICATED")
	// node(id) is the same lookup.
	n := obj(expectGQLOK(t, s.GraphQL(t, viewer.Token, `query($id: ID!) { node(id: $id) { id ... on User { email } } }`, map[string]any{"id": target.ID})), "node")
	if n["id"] != target.ID || n["email"] != nil {
		t.Fatalf("node: %v", n)
	}
}

func TestSetPrivate(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	u := s.NewUser(t, "abby_private")

	r := s.Post(t, "/user/private", u.Token, map[string]any{"state": true}).Expect(t, http.StatusOK, "")
	if string(r.Raw) != `{"ok":1}`+"\n" {
		t.Fatalf("private true: %q", r.Raw)
	}
	if meREST(t, s, u.Token)["isPrivate"] != true {
		t.Fatal("not private")
	}
	r = s.Post(t, "/user/private", u.Token, map[string]any{"state": false}).Expect(t, http.StatusOK, "")
	if !jsonEqual(r.Data(), map[string]any{"acceptedCount": 0}) {
		t.Fatalf("private false: %s", r.Raw)
	}
	if meREST(t, s, u.Token)["isPrivate"] != false {
		t.Fatal("still private")
	}
	for _, bad := range []any{"yes", "true", 1} {
		expectFieldError(t, s.Post(t, "/user/private", u.Token, map[string]any{"state": bad}), "state", bad)
	}
	expectFieldError(t, s.Post(t, "/user/private", u.Token, map[string]any{}), "state", absent)

	const m = `mutation($p: Boolean!) { setPrivate(private: $p) { acceptedCount user { id isPrivate } } }`
	p := obj(expectGQLOK(t, s.GraphQL(t, u.Token, m, map[string]any{"p": true})), "setPrivate")
	if p["acceptedCount"] != float64(0) || obj(p, "user")["isPrivate"] != true {
		t.Fatalf("setPrivate: %v", p)
	}
	p = obj(expectGQLOK(t, s.GraphQL(t, u.Token, m, map[string]any{"p": false})), "setPrivate")
	if obj(p, "user")["isPrivate"] != false {
		t.Fatalf("setPrivate false: %v", p)
	}
	expectGQLError(t, s.GraphQL(t, "", m, map[string]any{"p": true}), "UNAUTHENTICATED")
}
