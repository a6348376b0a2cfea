package tests

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
	"usergraph/internal/db"
	"usergraph/internal/httplog"
	"usergraph/internal/secret"
)

// Liquid's /health keeps its answer; /livez and /readyz answer the orchestrator.
func TestHealthEndpoints(t *testing.T) {
	s := apitest.New(t)
	tests := []struct {
		path string
		body string
	}{
		{"/health", `{"status":"UP"}`},
		{"/livez", `{"status":"UP"}`},
		{"/readyz", `{"checks":{"database":"UP"},"status":"UP"}`},
	}
	for _, tt := range tests {
		r := s.Get(t, tt.path, "").Expect(t, http.StatusOK, "")
		if got := strings.TrimSpace(string(r.Raw)); got != tt.body {
			t.Errorf("GET %s = %s, want %s", tt.path, got, tt.body)
		}
	}
}

// Readiness fails while the database cannot be reached, and recovers with it; liveness does
// not depend on it. The pool closed under a running server is the outage both databases allow.
func TestReadinessFailsWithoutTheDatabase(t *testing.T) {
	s := apitest.New(t)
	s.Get(t, "/readyz", "").Expect(t, http.StatusOK, "")
	s.App.SQL.Close()
	r := s.Get(t, "/readyz", "")
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(string(r.Raw), `"DOWN"`) {
		t.Fatalf("GET /readyz with the pool closed: %d %s, want 503 DOWN", r.Status, r.Raw)
	}
	if strings.Contains(string(r.Raw), "closed") {
		t.Fatalf("readiness tells the cause to an anonymous caller: %s", r.Raw)
	}
	s.Get(t, "/livez", "").Expect(t, http.StatusOK, "")
	s.Get(t, "/health", "").Expect(t, http.StatusOK, "")
}

// A PostgreSQL that goes away: the server's database stops accepting connections and its
// sessions are terminated, as in a failover or a restart. Readiness says so within its ping
// timeout, a REST request that needs the database is a 500 whose cause is logged with its
// request id and route (and not told to the client), and both recover when PostgreSQL is back.
func TestReadinessFollowsPostgreSQL(t *testing.T) {
	base := os.Getenv("DATABASE_URL")
	if !db.IsPostgres(base) {
		t.Skip("needs DATABASE_URL naming a PostgreSQL server")
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the cleanup below, which drops the database
	name := "ug_ready_" + strings.ToLower(secret.Alnum(10))
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	exec := func(q string) {
		t.Helper()
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	terminate := fmt.Sprintf("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s' AND pid <> pg_backend_pid()", name)
	t.Cleanup(func() {
		admin.Exec("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS true")
		admin.Exec(terminate)
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()

	s := apitest.New(t, func(c *config.Config) { c.DatabaseURL = u.String() })
	user := s.NewUser(t, "ready_user")
	s.Get(t, "/readyz", "").Expect(t, http.StatusOK, "")

	exec("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false")
	exec(terminate)

	r := s.Get(t, "/readyz", "")
	if r.Status != http.StatusServiceUnavailable {
		t.Fatalf("GET /readyz with PostgreSQL gone: %d %s, want 503", r.Status, r.Raw)
	}
	s.Get(t, "/livez", "").Expect(t, http.StatusOK, "")

	me := s.Do(t, apitest.Req{Method: http.MethodGet, Path: "/user/me", Token: user.Token,
		Header: map[string]string{httplog.Header: "outage-1"}})
	if me.Status != http.StatusInternalServerError || me.Error() != "InternalServerError" || me.Body["additionalInfo"] != nil {
		t.Fatalf("GET /user/me with PostgreSQL gone: %d %s, want a bare 500", me.Status, me.Raw)
	}
	logged := s.Logs.Find("request failed", map[string]string{"request_id": "outage-1", "route": "GET /user/me"})
	if len(logged) != 1 || !strings.Contains(logged[0].Attrs["err"], "pq:") {
		t.Fatalf("the 500 was not logged with its cause, request id and route: %+v", logged)
	}

	exec("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS true")
	s.Get(t, "/readyz", "").Expect(t, http.StatusOK, "")
	s.Get(t, "/user/me", user.Token).Expect(t, http.StatusOK, "")
}
