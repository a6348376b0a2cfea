// Package db opens the database named by DATABASE_URL: the embedded SQLite file by default, or
// PostgreSQL through lib/pq for a postgres:// URL, and migrates the schema.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	entschema "entgo.io/ent/dialect/sql/schema"
	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"usergraph/ent"
	"usergraph/ent/migrate"
	"usergraph/internal/config"
)

// IsPostgres reports whether url selects PostgreSQL.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Open connects, migrates and returns an ent client together with the *sql.DB under it, with
// at most maxConns connections, all kept idle (0: 20).
// wrap, if given, wraps the driver the client uses (tests count queries with a Counter).
func Open(ctx context.Context, url string, maxConns int, wrap ...func(dialect.Driver) dialect.Driver) (*ent.Client, *sql.DB, error) {
	return OpenPool(ctx, url, config.Pool{MaxOpen: maxConns, MaxIdle: maxConns}, wrap...)
}

// OpenPool is Open with the pool sized by pool (the server's DATABASE_MAX_* settings); a zero
// Pool is 20 connections, all kept idle.
func OpenPool(ctx context.Context, url string, pool config.Pool, wrap ...func(dialect.Driver) dialect.Driver) (*ent.Client, *sql.DB, error) {
	if pool.MaxOpen <= 0 {
		pool.MaxOpen, pool.MaxIdle = 20, 20
	}
	var (
		driverName, dsn, dia string
	)
	if IsPostgres(url) {
		driverName, dsn, dia = "postgres", url, dialect.Postgres
	} else {
		driverName, dsn, dia = "sqlite", sqliteDSN(url), dialect.SQLite
	}
	sqlDB, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	// config keeps as many idle connections as open ones unless told otherwise: database/sql's
	// default of 2 idle halves throughput under load (DESIGN.md, measured).
	sqlDB.SetMaxOpenConns(pool.MaxOpen)
	sqlDB.SetMaxIdleConns(pool.MaxIdle)
	sqlDB.SetConnMaxLifetime(pool.MaxLifetime)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, nil, fmt.Errorf("connect to database: %w", err)
	}
	var drv dialect.Driver = entsql.OpenDB(dia, sqlDB)
	for _, w := range wrap {
		if w != nil {
			drv = w(drv)
		}
	}
	client := ent.NewClient(ent.Driver(drv))
	migrateMu.Lock()
	err = client.Schema.Create(ctx, migrate.WithDropIndex(true), entschema.WithDiffHook(keepSearchIndexes))
	migrateMu.Unlock()
	if err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("migrate database: %w", err)
	}
	return client, sqlDB, nil
}

// migrateMu serialises migrations within the process: ent's migration writes to the
// package-level table descriptions (migrate.Tables), so two migrations at once race
// ("concurrent map writes"), as parallel tests that each open a database do.
var migrateMu sync.Mutex

// sqliteDSN turns "file:x.db" or a plain path into a modernc DSN with the pragmas usergraph
// needs: foreign keys, WAL, a busy timeout, and IMMEDIATE transactions so concurrent writers
// queue instead of failing with SQLITE_BUSY on lock upgrade.
func sqliteDSN(url string) string {
	if url == "" {
		url = "file:usergraph.db"
	}
	if !strings.HasPrefix(url, "file:") {
		url = "file:" + url
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "_pragma=foreign_keys(1)&_pragma=busy_timeout(20000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// WithTx runs fn in a transaction on client, committing when fn returns nil and rolling back on
// an error or a panic. Every multi-row change goes through it.
func WithTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if v := recover(); v != nil {
			tx.Rollback()
			panic(v)
		}
	}()
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
