package social

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	neturl "net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"usergraph/ent/user"
	"usergraph/internal/db"
	"usergraph/internal/secret"
	"usergraph/internal/userfilter"
)

var allFields = []string{"username", "firstName", "lastName", "middleName", "email", "role", "verified", "followerCount", "bio"}

func sanitize(s string) string { return strings.ToLower(s) }

// The SQL translation of a filter without $regex selects exactly the users the Go evaluation
// accepts, MongoDB's way with missing (NULL) values included; with $regex, SQL selects a
// superset and Go decides.
func TestFilterSQLMatchesGo(t *testing.T) {
	ctx := context.Background()
	url, postgres := testDatabase(t)
	client, _, err := db.Open(ctx, url, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	mk := func(name, first string, middle, bio *string, followers int, verified bool) {
		c := client.User.Create().SetUsername(name).SetFirstName(first).SetLastName("L").
			SetEmail(name + "@x.io").SetSanitizedEmail(name + "@x.io").SetFollowerCount(followers).SetVerified(verified).
			SetNillableMiddleName(middle).SetNillableBio(bio)
		if err := c.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s := func(v string) *string { return &v }
	mk("ann", "Ann", s("Marie"), nil, 3, true)
	mk("bob", "Bob", nil, s("hello"), 0, false)
	mk("cyd", "cyd", s(""), s("Hello there"), 10, false)
	mk("dee", "Dee", s("Zed"), nil, 7, true)
	all, err := client.User.Query().Order(user.ByUsername()).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	queries := []map[string]any{
		{"middleName": nil},
		{"middleName": map[string]any{"$ne": nil}},
		{"middleName": map[string]any{"$ne": "Marie"}},
		{"middleName": map[string]any{"$not": map[string]any{"$eq": "Marie"}}},
		{"middleName": map[string]any{"$in": []any{"Zed", nil}}},
		{"middleName": map[string]any{"$nin": []any{"Zed", nil}}},
		{"middleName": map[string]any{"$nin": []any{"Zed"}}},
		{"middleName": map[string]any{"$exists": true}},
		{"middleName": map[string]any{"$exists": false}},
		{"middleName": map[string]any{"$gt": "M"}},
		{"middleName": map[string]any{"$not": map[string]any{"$gt": "M"}}},
		{"middleName": map[string]any{"$lte": ""}},
		{"bio": map[string]any{"$gte": "hello"}},
		{"firstName": map[string]any{"$gt": "Bob"}},
		{"firstName": map[string]any{"$lt": "a"}},
		{"followerCount": map[string]any{"$gte": 3, "$lt": 10}},
		{"followerCount": map[string]any{"$in": []any{0, 10}}},
		{"verified": true},
		{"verified": map[string]any{"$ne": true}},
		{"email": "ANN@x.io"},
		{"email": map[string]any{"$in": []any{"bob@x.io", "nobody@x.io"}}},
		{"$or": []any{map[string]any{"verified": false}, map[string]any{"middleName": nil}}},
		{"$and": []any{map[string]any{"verified": false}, map[string]any{"$or": []any{map[string]any{"bio": nil}, map[string]any{"followerCount": 10}}}}},
		{"username": "ann", "verified": true},
		{"role": "user"},
		{"username": map[string]any{"$regex": "^[ab]"}},
		{"bio": map[string]any{"$regex": "^hello", "$options": "i"}},
		{"bio": map[string]any{"$not": map[string]any{"$regex": "there"}}},
		{"$or": []any{map[string]any{"firstName": map[string]any{"$regex": "^c"}}, map[string]any{"followerCount": 7}}},
		{"$and": []any{map[string]any{"firstName": map[string]any{"$regex": "(?s)."}}, map[string]any{"middleName": map[string]any{"$not": map[string]any{"$regex": "e"}}}}},
	}
	for _, q := range queries {
		node, err := parseFilter(q, allFields, sanitize)
		if err != nil {
			t.Fatalf("%v: %v", q, err)
		}
		var want []string
		for _, u := range all {
			if node.eval(u) {
				want = append(want, u.Username)
			}
		}
		sup, sub := node.sql(&compiler{postgres: postgres})
		names := func(c cond) []string {
			got, err := client.User.Query().Where(c.predicate()).Order(user.ByUsername()).Select(user.FieldUsername).Strings(ctx)
			if err != nil {
				t.Fatalf("%v: %v", q, err)
			}
			return got
		}
		supNames, subNames := names(sup), names(sub)
		if !node.hasRegex() {
			if !slices.Equal(supNames, want) || !slices.Equal(subNames, want) {
				t.Errorf("%v: SQL %v, Go %v", q, supNames, want)
			}
			continue
		}
		for _, w := range want {
			if !slices.Contains(supNames, w) {
				t.Errorf("%v: SQL superset %v misses %s", q, supNames, w)
			}
		}
		for _, n := range subNames {
			if !slices.Contains(want, n) {
				t.Errorf("%v: SQL subset %v has %s", q, subNames, n)
			}
		}
	}
}

func TestFilterRejects(t *testing.T) {
	deep := map[string]any{"username": "x"}
	for range 11 {
		deep = map[string]any{"$and": []any{deep}}
	}
	notDeep := map[string]any{"username": "x"}
	for range 10 {
		notDeep = map[string]any{"$and": []any{notDeep}}
	}
	if _, err := parseFilter(notDeep, allFields, sanitize); err != nil {
		t.Fatalf("depth 10 refused: %v", err)
	}
	for _, q := range []map[string]any{
		deep,
		{"password": "x"},
		{"scope": "x"},
		{"username": map[string]any{"$where": "x"}},
		{"username": map[string]any{"$regex": strings.Repeat("é", 101)}},
		{"username": map[string]any{"$regex": `(\w+)\1`}},
		{"followerCount": map[string]any{"$regex": "1"}},
		{"followerCount": 1.5},
		{"verified": "yes"},
		{"email": map[string]any{"$gt": "a"}},
		{"email": nil},
		{"$expr": map[string]any{}},
	} {
		if _, err := parseFilter(q, allFields, sanitize); !errors.Is(err, errFilter) {
			t.Errorf("%v: %v", q, err)
		}
	}
	if _, err := parseFilter(map[string]any{"username": map[string]any{"$regex": strings.Repeat("é", 100)}}, allFields, sanitize); err != nil {
		t.Errorf("100 characters refused: %v", err)
	}
	if _, err := parseFilter(map[string]any{"bio": "x"}, []string{"username"}, sanitize); !errors.Is(err, errFilter) {
		t.Errorf("a field outside search-fields: %v", err)
	}
}

// testDatabase is a fresh schema in DATABASE_URL's PostgreSQL database, or a SQLite file.
func testDatabase(t *testing.T) (string, bool) {
	base := os.Getenv("DATABASE_URL")
	if !db.IsPostgres(base) {
		return "file:" + filepath.Join(t.TempDir(), "f.db"), false
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	schema := "t_" + secret.Token(8)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := neturl.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	v := u.Query()
	v.Set("search_path", schema)
	u.RawQuery = v.Encode()
	return u.String(), true
}

// parseFilter reads an object query as the API edges do (internal/userfilter) and builds it; a
// query outside the language is errFilter, as one the fields refuse.
func parseFilter(q map[string]any, allowed []string, sanitize func(string) string) (filterNode, error) {
	d, err := userfilter.ParseDoc(q)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errFilter, err)
	}
	return buildFilter(d, allowed, sanitize)
}
