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

// searchFixture makes accounts with distinct names; the searcher is created last.
func searchFixture(t *testing.T, s *apitest.Server) (map[string]*apitest.User, *apitest.User) {
	t.Helper()
	names := [][3]string{
		{"alice_smith", "Alice", "Smith"},
		{"bob_jones", "Bob", "Jones"},
		{"carla_o", "Carla", "O'Neil"},
		{"dan_ali", "Ali", "Baba"},
		{"banned_ali", "Ali", "Banned"},
		{"deleted_ali", "Ali", "Deleted"},
		{"sam_search", "Sam", "Searcher"},
	}
	out := map[string]*apitest.User{}
	for _, n := range names {
		u := s.NewUser(t, n[0])
		if err := s.App.DB.User.UpdateOneID(u.ID).SetFirstName(n[1]).SetLastName(n[2]).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		out[n[0]] = u
	}
	ban(t, s, out["banned_ali"], false)
	ban(t, s, out["deleted_ali"], true)
	return out, out["sam_search"]
}

func searchNames(t *testing.T, s *apitest.Server, token string, query any) []string {
	t.Helper()
	r := s.Post(t, "/user/search", token, map[string]any{"query": query}).Expect(t, http.StatusOK, "")
	res, ok := r.Data()["results"].([]any)
	if !ok {
		t.Fatalf("no results: %s", r.Raw)
	}
	var out []string
	for _, x := range res {
		out = append(out, x.(map[string]any)["username"].(string))
	}
	return out
}

func TestSocialSearch(t *testing.T) {
	s := apitest.New(t)
	us, me := searchFixture(t, s)
	cases := []struct {
		name  string
		query any
		want  []string
	}{
		{"text, case-insensitive substring", "ALI", []string{"alice_smith", "dan_ali"}},
		{"text, first name", "carla", []string{"carla_o"}},
		{"text, last name with apostrophe", "o'nei", []string{"carla_o"}},
		{"text, full name", "alice smith", []string{"alice_smith"}},
		{"text, exact email", "bob_jones@example.com", []string{"bob_jones"}},
		{"text, email case", "Bob_Jones@Example.com", []string{"bob_jones"}},
		{"text, part of an email", "example.com", nil},
		{"text, _id", us["carla_o"].ID, []string{"carla_o"}},
		{"text is not a regex: .*", ".*", nil},
		{"text is not a regex: a.i", "a.i", nil},
		{"text is not a regex: ^bob", "^bob", nil},
		{"text, invalid regex is just text", "(", nil},
		{"text, LIKE wildcard % is literal", "%", nil},
		{"text, LIKE wildcard _ is literal", "b_j", []string{"bob_jones"}},
		{"text, role is matched exactly", "use", nil},
		{"object, equality", map[string]any{"username": "bob_jones"}, []string{"bob_jones"}},
		{"object, $eq", map[string]any{"firstName": map[string]any{"$eq": "Ali"}}, []string{"dan_ali"}},
		{"object, $regex with $options", map[string]any{"username": map[string]any{"$regex": "^ALI", "$options": "i"}}, []string{"alice_smith"}},
		{"object, $regex is case-sensitive by default", map[string]any{"username": map[string]any{"$regex": "^ALI"}}, nil},
		{"object, $or", map[string]any{"$or": []any{map[string]any{"firstName": "Bob"}, map[string]any{"lastName": "Baba"}}}, []string{"bob_jones", "dan_ali"}},
		{"object, $or with a $regex", map[string]any{"$or": []any{map[string]any{"username": map[string]any{"$regex": "^bob"}}, map[string]any{"lastName": "Baba"}}}, []string{"bob_jones", "dan_ali"}},
		{"object, $and", map[string]any{"$and": []any{map[string]any{"firstName": "Ali"}, map[string]any{"lastName": map[string]any{"$ne": "Smith"}}}}, []string{"dan_ali"}},
		{"object, $in", map[string]any{"username": map[string]any{"$in": []any{"bob_jones", "carla_o", "nobody_here"}}}, []string{"bob_jones", "carla_o"}},
		{"object, $nin", map[string]any{"firstName": map[string]any{"$nin": []any{"Alice", "Bob", "Carla", "Ali"}}}, []string{"sam_search"}},
		{"object, $not $regex", map[string]any{"username": map[string]any{"$not": map[string]any{"$regex": "a"}}}, []string{"bob_jones"}},
		{"object, $gte compares bytes", map[string]any{"lastName": map[string]any{"$gte": "O"}}, []string{"alice_smith", "carla_o", "sam_search"}},
		{"object, range", map[string]any{"lastName": map[string]any{"$gt": "Baba", "$lt": "Smith"}}, []string{"bob_jones", "carla_o", "sam_search"}},
		{"object, $exists", map[string]any{"username": map[string]any{"$exists": false}}, nil},
		{"object, email equality", map[string]any{"email": "BOB_JONES@example.com"}, []string{"bob_jones"}},
		{"object, email $in", map[string]any{"email": map[string]any{"$in": []any{"carla_o@example.com"}}}, []string{"carla_o"}},
		{"object, a nested $regex that needs backtracking elsewhere", map[string]any{"firstName": map[string]any{"$regex": "(a+)+$"}}, []string{"carla_o"}},
		{"object, empty matches everyone allowed", map[string]any{}, []string{"alice_smith", "bob_jones", "carla_o", "dan_ali", "sam_search"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := searchNames(t, s, me.Token, c.query); !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}

	// Other users' hidden fields are stripped; the caller's own are not.
	r := s.Post(t, "/user/search", me.Token, map[string]any{"query": "a"}).Expect(t, http.StatusOK, "")
	for _, x := range r.Data()["results"].([]any) {
		u := x.(map[string]any)
		isMe := u["_id"] == me.ID
		if (u["email"] != nil) != isMe || (u["sanitizedEmail"] != nil) != isMe || u["customData"] != nil {
			t.Fatalf("fields of %v: %s", u["username"], r.Raw)
		}
	}
	// Following never reveals them (issue 7: Liquid showed them to followers).
	followUser(t, s, me, us["bob_jones"])
	r = s.Post(t, "/user/search", me.Token, map[string]any{"query": "bob_jones"}).Expect(t, http.StatusOK, "")
	if bob := r.Data()["results"].([]any)[0].(map[string]any); bob["email"] != nil || bob["username"] != "bob_jones" {
		t.Fatalf("follower: %s", r.Raw)
	}
}

func TestSocialSearchLimitAndRejections(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.Search.Delegated.Limit = 2 })
	_, me := searchFixture(t, s)
	if got := searchNames(t, s, me.Token, "a"); len(got) != 2 {
		t.Fatalf("text limit: %v", got)
	}
	if got := searchNames(t, s, me.Token, map[string]any{"username": map[string]any{"$regex": "a"}}); len(got) != 2 {
		t.Fatalf("regex limit: %v", got)
	}

	deep := map[string]any{"username": "x"}
	for range 11 {
		deep = map[string]any{"$or": []any{deep}}
	}
	ok10 := map[string]any{"username": "x"}
	for range 9 {
		ok10 = map[string]any{"$and": []any{ok10}}
	}
	s.Post(t, "/user/search", me.Token, map[string]any{"query": ok10}).Expect(t, http.StatusOK, "")
	readOnly := narrowToken(t, s, me, "delegated:profile:read")
	banned := s.NewUser(t, "banned_searcher")
	ban(t, s, banned, false)
	rejected := []struct {
		name  string
		query any
	}{
		{"field not searchable", map[string]any{"password": "x"}},
		{"field not in search-fields", map[string]any{"bio": "x"}},
		{"operator not allowed", map[string]any{"username": map[string]any{"$where": "1"}}},
		{"top-level operator not allowed", map[string]any{"$nor": []any{map[string]any{"username": "x"}}}},
		{"$not at top level", map[string]any{"$not": map[string]any{"username": "x"}}},
		{"too deep", deep},
		{"regex too long", map[string]any{"username": map[string]any{"$regex": strings.Repeat("a", 101)}}},
		{"regex not RE2", map[string]any{"username": map[string]any{"$regex": "(a)\\1"}}},
		{"regex lookahead", map[string]any{"username": map[string]any{"$regex": "a(?=b)"}}},
		{"unknown regex option", map[string]any{"username": map[string]any{"$regex": "a", "$options": "x"}}},
		{"$options alone", map[string]any{"username": map[string]any{"$options": "i"}}},
		{"$regex on email", map[string]any{"email": map[string]any{"$regex": "bob"}}},
		{"$ne on email", map[string]any{"email": map[string]any{"$ne": "bob@example.com"}}},
		{"wrong value type", map[string]any{"username": 12}},
		{"array value", map[string]any{"username": []any{"a"}}},
		{"$in not an array", map[string]any{"username": map[string]any{"$in": "a"}}},
		{"$or not an array", map[string]any{"$or": map[string]any{"username": "a"}}},
		{"$or empty", map[string]any{"$or": []any{}}},
		{"$exists not a boolean", map[string]any{"username": map[string]any{"$exists": 1}}},
		{"$gt null", map[string]any{"username": map[string]any{"$gt": nil}}},
		{"embedded document", map[string]any{"username": map[string]any{"first": "a"}}},
		{"number", 12},
		{"array", []any{"a"}},
		{"empty text", "   "},
		{"text too long", strings.Repeat("x", 257)},
		{"null", nil},
	}
	for _, c := range rejected {
		t.Run(c.name, func(t *testing.T) {
			fieldError(t, s.Post(t, "/user/search", me.Token, map[string]any{"query": c.query}), "query")
		})
	}
	runCases(t, s, []apiCase{
		{name: "missing query", method: "POST", path: "/user/search", token: me.Token, body: map[string]any{}, status: 400, code: "ClientInputError", field: "query"},
		{name: "no token", method: "POST", path: "/user/search", body: map[string]any{"query": "a"}, status: 401, code: "Unauthorized"},
		{name: "scope", method: "POST", path: "/user/search", token: readOnly, body: map[string]any{"query": "a"}, status: 401, code: "InsufficientPrivileges"},
		{name: "banned caller", method: "POST", path: "/user/search", token: banned.Token, body: map[string]any{"query": "a"}, status: 403, code: "Banned"},
	})
}

func TestSocialSearchSwitchedOff(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.Privilege.CanUseDelegatedSearch = false })
	u := s.NewUser(t, "lonely_searcher")
	s.Post(t, "/user/search", u.Token, map[string]any{"query": "a"}).Expect(t, http.StatusNotFound, "NotFound")
}
