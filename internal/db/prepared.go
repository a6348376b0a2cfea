package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Observer sees every statement a Stmt runs (tests count them with Counter.Observe).
type Observer func(query string, args []any)

// Stmt is a statement prepared once on the pool, for the hot paths that run the same read on
// every request (the token check). database/sql prepares it on each connection the first
// time it runs there and reuses it afterwards, so PostgreSQL parses and plans it once per
// connection instead of once per request, and no SQL text is built per request.
type Stmt struct {
	query   string
	stmt    *sql.Stmt
	observe Observer
}

// Prepare prepares query on sqlDB. Write parameters as $1, $2, ...: on SQLite they become ?.
func Prepare(ctx context.Context, sqlDB *sql.DB, postgres bool, query string, observe Observer) (*Stmt, error) {
	if !postgres {
		for i := 9; i >= 1; i-- {
			query = strings.ReplaceAll(query, fmt.Sprintf("$%d", i), "?")
		}
	}
	stmt, err := sqlDB.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", query, err)
	}
	return &Stmt{query: query, stmt: stmt, observe: observe}, nil
}

// Query runs the statement.
func (s *Stmt) Query(ctx context.Context, args ...any) (*sql.Rows, error) {
	if s.observe != nil {
		s.observe(s.query, args)
	}
	return s.stmt.QueryContext(ctx, args...)
}

// Close releases the statement on every connection.
func (s *Stmt) Close() error { return s.stmt.Close() }
