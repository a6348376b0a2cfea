// Command seed fills the PostgreSQL database named by DATABASE_URL with a large user graph for
// the scale benchmark (cmd/scalebench; docs/performance.md):
//
//	createdb -h 127.0.0.1 -U postgres usergraph_scale
//	DATABASE_URL='postgres://postgres@127.0.0.1:5432/usergraph_scale?sslmode=disable' \
//	  go run ./cmd/seed -users 1000000 -edges 10000000
//
// It migrates the schema, refuses a database that already has users unless -reset is given,
// loads the users and edges with generate_series (indexes dropped while loading), migrates
// again to build the indexes, creates the search indexes, vacuums, and checks that every
// user's follower and following counts equal its edges.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"time"

	"usergraph/internal/config"
	"usergraph/internal/db"
	"usergraph/internal/seed"
)

func main() {
	var o seed.Options
	flag.IntVar(&o.Users, "users", 1_000_000, "number of users")
	flag.IntVar(&o.Edges, "edges", 10_000_000, "number of approved follow edges, the celebrity's included")
	flag.IntVar(&o.CelebrityFollowers, "celebrity-followers", 1_000_000, "followers of the first user, username celebrity (at most users-1)")
	flag.StringVar(&o.Password, "password", "Scale-bench-1", "every seeded account's password")
	reset := flag.Bool("reset", false, "empty the users table (and everything that refers to it) first")
	flag.Parse()
	log.SetFlags(0)

	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		log.Fatal(err)
	}
	if !cfg.PostgreSQL() {
		log.Fatal("seed needs DATABASE_URL=postgres://...: the scale benchmark runs on PostgreSQL")
	}
	o.Scope = cfg.Account.DefaultScope
	o.Log = log.Printf
	ctx := context.Background()
	start := time.Now()

	client, sqlDB, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		log.Fatal(err)
	}
	if *reset {
		if err := seed.Reset(ctx, sqlDB); err != nil {
			log.Fatal(err)
		}
	}
	sum, err := seed.Seed(ctx, sqlDB, o)
	client.Close()
	if err != nil {
		log.Fatal(err)
	}

	// The migration builds ent's indexes again; then the search indexes. A larger
	// maintenance_work_mem (a run-time parameter lib/pq passes on) makes the builds faster.
	t := time.Now()
	client, sqlDB, err = db.Open(ctx, withParam(cfg.DatabaseURL, "maintenance_work_mem", "512MB"), 2)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	log.Printf("indexes of users and follows: %s", time.Since(t).Round(time.Millisecond))
	t = time.Now()
	if err := db.EnsureSearchIndexes(ctx, sqlDB); err != nil {
		log.Fatal(err)
	}
	log.Printf("search indexes: %s", time.Since(t).Round(time.Millisecond))
	t = time.Now()
	for _, table := range []string{"users", "follows"} {
		if _, err := sqlDB.ExecContext(ctx, "VACUUM ANALYZE "+table); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("vacuum analyze: %s", time.Since(t).Round(time.Millisecond))
	t = time.Now()
	bad, err := seed.Check(ctx, sqlDB)
	if err != nil {
		log.Fatal(err)
	}
	if bad > 0 {
		log.Fatalf("%d users have counts that differ from their edges", bad)
	}
	log.Printf("counts equal edges for every user (checked in %s)", time.Since(t).Round(time.Millisecond))
	fmt.Printf("seeded %d users and %d follow edges in %s; user %q (id %s) has %d followers; every password is %q\n",
		sum.Users, sum.Edges, time.Since(start).Round(time.Second), "celebrity", sum.CelebrityID, sum.CelebrityFollowers, o.Password)
}

// withParam adds a query parameter to a database URL.
func withParam(raw, key, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
