package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	atlas "ariga.io/atlas/sql/schema"
	entschema "entgo.io/ent/dialect/sql/schema"
)

// searchIndexPrefix names the indexes behind user search, which the migration creates outside
// ent's schema (ent cannot declare an expression or a trigram index).
const searchIndexPrefix = "users_search_"

// searchIndexes serve the text search on PostgreSQL (internal/social/search.go): its substring
// matches (ILIKE '%q%' on username, first name, last name and "first last", and on email in the
// admin and client searches) from pg_trgm GIN indexes, and its exact match on role from a
// b-tree, so that PostgreSQL can combine one index scan per OR branch instead of reading every
// user. The full-name expression must stay the one search.go writes.
var searchIndexes = []struct {
	name, using, expr string
	trigram           bool
}{
	{"username_trgm", "gin", "username", true},
	{"first_name_trgm", "gin", "first_name", true},
	{"last_name_trgm", "gin", "last_name", true},
	{"full_name_trgm", "gin", "(first_name || ' ' || last_name)", true},
	{"email_trgm", "gin", "email", true},
	{"role", "btree", "role", false},
}

// bigTable is the estimated number of users above which the search indexes are built
// CONCURRENTLY, so that writes to users go on while an existing large database is upgraded. A
// small table is indexed at once: a concurrent build waits for every transaction in the
// database to end, which would make each start wait for unrelated work.
const bigTable = 100_000

// EnsureSearchIndexes creates the pg_trgm extension (if it is missing) and the search indexes
// (if they are missing) on PostgreSQL; it does nothing on SQLite, whose search reads the whole
// table. Without pg_trgm (not installed, or no right to create it) it returns an error and the
// search works as before, only slower; the caller logs it and goes on.
func EnsureSearchIndexes(ctx context.Context, db *sql.DB) error {
	schema, err := trigramSchema(ctx, db)
	if err != nil {
		return err
	}
	var rows float64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE((SELECT reltuples FROM pg_class WHERE oid = to_regclass('users')), 0)`).Scan(&rows); err != nil {
		return err
	}
	concurrently := ""
	if rows > bigTable {
		concurrently = "CONCURRENTLY "
	}
	for _, ix := range searchIndexes {
		name := searchIndexPrefix + ix.name
		// A concurrent build that failed leaves an invalid index behind: build it again.
		var valid sql.NullBool
		err := db.QueryRowContext(ctx, `SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`, name).Scan(&valid)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return err
		case valid.Bool:
			continue
		default:
			if _, err := db.ExecContext(ctx, "DROP INDEX IF EXISTS "+quoteIdent(name)); err != nil {
				return err
			}
		}
		col := ix.expr
		if ix.trigram {
			col += " " + quoteIdent(schema) + ".gin_trgm_ops"
		}
		stmt := fmt.Sprintf("CREATE INDEX %sIF NOT EXISTS %s ON users USING %s (%s)", concurrently, quoteIdent(name), ix.using, col)
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create search index %s: %w", name, err)
		}
	}
	return nil
}

// trigramSchema creates pg_trgm if it is missing and returns the schema it lives in (its
// operator class is named with it, as the schema need not be on the search_path).
func trigramSchema(ctx context.Context, db *sql.DB) (string, error) {
	const find = `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`
	var schema string
	err := db.QueryRowContext(ctx, find).Scan(&schema)
	if err == nil {
		return schema, nil
	}
	if err != sql.ErrNoRows {
		return "", err
	}
	_, cerr := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_trgm`)
	// Two servers starting at once may both try; one of them fails, and finds it created.
	if err := db.QueryRowContext(ctx, find).Scan(&schema); err != nil {
		if cerr != nil {
			return "", fmt.Errorf("create extension pg_trgm: %w", cerr)
		}
		return "", err
	}
	return schema, nil
}

// CreateTrigram creates pg_trgm in schema if the database has it nowhere yet. The test harness
// calls it before giving each test a schema of its own: an extension created inside a test's
// schema would be dropped with it, and every other test's trigram indexes with it.
func CreateTrigram(ctx context.Context, db *sql.DB, schema string) error {
	_, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA `+quoteIdent(schema))
	if err != nil {
		var n int
		if db.QueryRowContext(ctx, `SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'`).Scan(&n) == nil && n == 1 {
			return nil
		}
	}
	return err
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// keepSearchIndexes keeps ent's migration (which drops the indexes its schema does not
// declare) from dropping the search indexes.
func keepSearchIndexes(next entschema.Differ) entschema.Differ {
	return entschema.DiffFunc(func(current, desired *atlas.Schema) ([]atlas.Change, error) {
		changes, err := next.Diff(current, desired)
		if err != nil {
			return nil, err
		}
		out := changes[:0]
		for _, c := range changes {
			if m, ok := c.(*atlas.ModifyTable); ok {
				kept := m.Changes[:0]
				for _, tc := range m.Changes {
					if d, ok := tc.(*atlas.DropIndex); ok && strings.HasPrefix(d.I.Name, searchIndexPrefix) {
						continue
					}
					kept = append(kept, tc)
				}
				if m.Changes = kept; len(kept) == 0 {
					continue
				}
			}
			out = append(out, c)
		}
		return out, nil
	})
}
