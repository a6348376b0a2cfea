package tests

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/db"
)

// On PostgreSQL the text search is answered from indexes: a pg_trgm GIN index for each
// substring match and b-trees for the exact ones, which the migration creates and a later
// migration keeps. (SQLite reads the whole table; docs/social.md.)
func TestSearchUsesIndexesOnPostgreSQL(t *testing.T) {
	s := apitest.New(t)
	if !s.App.Config.PostgreSQL() {
		t.Skip("trigram indexes are PostgreSQL's")
	}
	ctx := context.Background()
	searchIndexes := func() []string {
		rows, err := s.App.SQL.QueryContext(ctx, `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			WHERE i.indrelid = to_regclass('users') AND i.indisvalid AND c.relname LIKE 'users_search_%' ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		return out
	}
	want := []string{"users_search_email_trgm", "users_search_first_name_trgm", "users_search_full_name_trgm",
		"users_search_last_name_trgm", "users_search_role", "users_search_username_trgm"}
	if got := searchIndexes(); !slices.Equal(got, want) {
		t.Fatalf("search indexes %v, want %v", got, want)
	}
	// Migrating again (a restart, another instance) keeps them: ent drops the indexes its
	// schema does not declare unless told otherwise.
	client, sqlDB, err := db.Open(ctx, s.App.Config.DatabaseURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.EnsureSearchIndexes(ctx, sqlDB); err != nil {
		t.Fatal(err)
	}
	client.Close()
	if got := searchIndexes(); !slices.Equal(got, want) {
		t.Fatalf("after a second migration: %v", got)
	}

	us := socialUsers(t, s, "searcher_ix", "admin_ix_target")
	admin := s.NewAdmin(t, "admin_ix", "admin", "admin:profile:search")
	seedFollowers(t, s, us[1].ID, 300, "someone_ix")
	if _, err := s.App.SQL.ExecContext(ctx, "ANALYZE users"); err != nil {
		t.Fatal(err)
	}
	// plan explains the search statement the request ran with sequential and plain index scans
	// off: what remains possible is a combination of bitmap index scans, one per OR branch,
	// unless some branch has no index, which leaves only a scan of the whole table.
	plan := func(t *testing.T, token, path string, query any) string {
		s.Queries.Reset()
		s.Post(t, path, token, map[string]any{"query": query}).Expect(t, http.StatusOK, "")
		var st *db.Statement
		for _, x := range s.Queries.Statements() {
			if strings.Contains(x.Query, "ILIKE") {
				st = &x
			}
		}
		if st == nil {
			t.Fatalf("no ILIKE statement among %q", s.Queries.Queries())
		}
		conn, err := s.App.SQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		defer conn.ExecContext(ctx, "RESET ALL")
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off; SET enable_indexscan = off"); err != nil {
			t.Fatal(err)
		}
		rows, err := conn.QueryContext(ctx, "EXPLAIN "+st.Query, st.Args...)
		if err != nil {
			t.Fatalf("explain %s: %v", st.Query, err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			b.WriteString(line + "\n")
		}
		return b.String()
	}
	cases := []struct {
		name, token, path string
		query             any
		indexes           []string
	}{
		{"delegated text search", us[0].Token, "/user/search", "meone_ix",
			[]string{"users_search_username_trgm", "users_search_first_name_trgm", "users_search_last_name_trgm", "users_search_full_name_trgm", "users_search_role"}},
		{"admin text search (email as a substring)", admin.Token, "/user/admin-api/search", "meone_ix",
			[]string{"users_search_username_trgm", "users_search_first_name_trgm", "users_search_last_name_trgm", "users_search_full_name_trgm", "users_search_email_trgm"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := plan(t, tc.token, tc.path, tc.query)
			if strings.Contains(p, "Seq Scan on users") {
				t.Fatalf("the search reads the whole users table:\n%s", p)
			}
			for _, ix := range tc.indexes {
				if !strings.Contains(p, ix) {
					t.Fatalf("plan does not use %s:\n%s", ix, p)
				}
			}
		})
	}
}
