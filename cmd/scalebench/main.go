// Command scalebench measures usergraph at scale over HTTP, on a graph made by cmd/seed:
// follower pages (first and 95 % deep, REST and GraphQL, with and without pageInfo and
// totalCount), text search, and follow/unfollow. It prints, per scenario, requests per second
// and latency percentiles (docs/performance.md has the figures and how they were taken).
//
//	DATABASE_URL='postgres://postgres@127.0.0.1:5432/usergraph_scale?sslmode=disable' \
//	  go run ./cmd/scalebench
//
// By default it starts the server in this process on a loopback port (rate limits off), with
// the configuration read from the environment as server.go reads it. With -url it measures a
// server already running there instead (start it with the SYSTEM_RATE_LIMIT_*_MAX_LIMIT
// settings raised). Every request goes to loopback; every scenario is bounded by -n requests
// and -max-time.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/contrib/entgql"

	"usergraph/internal/app"
	"usergraph/internal/config"
	"usergraph/internal/seed"
)

func main() {
	var (
		base        = flag.String("url", "", "measure the server at this base URL (loopback) instead of starting one")
		users       = flag.Int("users", 1_000_000, "users the seed made (cmd/seed -users)")
		password    = flag.String("password", "Scale-bench-1", "the seed's password (cmd/seed -password)")
		requests    = flag.Int("n", 2000, "requests per scenario (follow/unfollow: pairs)")
		concurrency = flag.Int("c", 16, "concurrent clients")
		maxTime     = flag.Duration("max-time", 30*time.Second, "longest a scenario runs")
		run         = flag.String("run", "", "only the scenarios whose name matches this regular expression")
	)
	flag.Parse()
	log.SetFlags(0)
	filter, err := regexp.Compile(*run)
	if err != nil {
		log.Fatal(err)
	}
	if *base == "" {
		stop, url, err := startServer()
		if err != nil {
			log.Fatal(err)
		}
		defer stop()
		*base = url
	}
	b := &bench{base: strings.TrimRight(*base, "/"), http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: time.Minute}}
	if err := b.prepare(*users, *password, *concurrency); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d users, celebrity with %d followers; %d requests per scenario (at most %s), %d clients\n\n",
		*users, b.celebFollowers, *requests, *maxTime, *concurrency)
	fmt.Printf("%-44s %9s %9s %9s %9s %9s\n", "scenario", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms")
	for _, sc := range b.scenarios() {
		if !filter.MatchString(sc.name) {
			continue
		}
		r, err := measure(sc, *requests, *concurrency, *maxTime)
		if err != nil {
			log.Fatalf("%s: %v", sc.name, err)
		}
		fmt.Printf("%-44s %9.0f %9.1f %9.1f %9.1f %9.1f\n", sc.name, r.rate, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max))
	}
}

// startServer runs usergraph in this process on a loopback port, as server.go would, with the
// rate limits out of the way.
func startServer() (stop func(), url string, err error) {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return nil, "", err
	}
	cfg.RateLimit.Light, cfg.RateLimit.Medium, cfg.RateLimit.Heavy, cfg.RateLimit.Extreme = 1e9, 1e9, 1e9, 1e9
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(context.Background(), cfg, app.Options{Logger: quiet})
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return func() { srv.Close(); a.Close() }, "http://" + ln.Addr().String(), nil
}

type bench struct {
	base           string
	http           *http.Client
	users          int
	celeb          string
	celebFollowers int
	// viewers are logged-in seeded users, one per client.
	viewers []string
	// viewerIdx are their seed indexes.
	viewerIdx []int
}

// prepare logs in one seeded user per client and reads the celebrity's follower count.
func (b *bench) prepare(users int, password string, clients int) error {
	b.users, b.celeb = users, seed.UserID(1)
	for i := 0; i < clients; i++ {
		// Users from the end of the seed: the least likely to be followed by the others.
		idx := users - i
		var out struct {
			Data struct {
				Login struct{ AccessToken string }
			}
		}
		err := b.graphql("", `mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }`,
			map[string]any{"u": seed.Username(idx), "p": password}, &out)
		if err != nil || out.Data.Login.AccessToken == "" {
			return fmt.Errorf("log in as %s (was the database seeded with cmd/seed -users %d?): %v", seed.Username(idx), users, err)
		}
		b.viewers = append(b.viewers, out.Data.Login.AccessToken)
		b.viewerIdx = append(b.viewerIdx, idx)
	}
	var me struct {
		Data struct {
			User struct{ FollowerCount int }
		}
	}
	if err := b.rest(http.MethodGet, "/user/"+b.celeb, b.viewers[0], nil, &me); err != nil {
		return err
	}
	b.celebFollowers = me.Data.User.FollowerCount
	if b.celebFollowers < 100 {
		return fmt.Errorf("the celebrity has %d followers: seed a larger graph", b.celebFollowers)
	}
	// The deep GraphQL cursor must point where the seed put the edge: check once.
	var page struct {
		Data struct {
			User struct {
				Followers struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
	}
	k := b.deepFollow()
	if err := b.graphql(b.viewers[0], `query($id: ID!, $c: Cursor) { user(id: $id) { followers(first: 1, after: $c) { edges { node { id } } } } }`,
		map[string]any{"id": b.celeb, "c": followCursor(k)}, &page); err != nil {
		return err
	}
	if e := page.Data.User.Followers.Edges; len(e) != 1 || e[0].Node.ID != seed.FollowID(k-1) {
		return fmt.Errorf("the deep cursor does not land after edge %s: %+v", seed.FollowID(k), e)
	}
	return nil
}

// deepFollow is the celebrity's follow edge 95 % down its list (newest first): the seed
// numbers them 1 (oldest) to celebFollowers.
func (b *bench) deepFollow() int { return max(2, b.celebFollowers/20) }

// followCursor is the GraphQL cursor of the seed's k-th follow edge (ordered by createdAt).
func followCursor(k int) string {
	c := entgql.Cursor[string]{ID: seed.FollowID(k), Value: seed.FollowCreated(k)}
	var buf bytes.Buffer
	c.MarshalGQL(&buf)
	return strings.Trim(buf.String(), `"`)
}

type scenario struct {
	name string
	// do runs one operation as client w.
	do func(w int, rng *rand.Rand) error
}

const followerFields = `id createdAt source { id username firstName lastName followerCount followingCount isFollowing }`

func (b *bench) scenarios() []scenario {
	followersPath := "/user/" + b.celeb + "/followers?limit=50"
	gqlPage := func(sel string, deep bool) func(int, *rand.Rand) error {
		q := `query($id: ID!, $c: Cursor) { user(id: $id) { followers(first: 50, after: $c) { ` + sel + ` } } }`
		vars := map[string]any{"id": b.celeb}
		if deep {
			vars["c"] = followCursor(b.deepFollow())
		}
		return func(w int, _ *rand.Rand) error { return b.graphql(b.viewers[w], q, vars, nil) }
	}
	edges := `edges { node { ` + followerFields + ` } }`
	pageInfo := ` pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`
	search := func(terms []string) func(int, *rand.Rand) error {
		return func(w int, rng *rand.Rand) error {
			return b.rest(http.MethodPost, "/user/search", b.viewers[w], map[string]any{"query": terms[rng.IntN(len(terms))]}, nil)
		}
	}
	return []scenario{
		{"REST followers, first page of 50", func(w int, _ *rand.Rand) error {
			return b.rest(http.MethodGet, followersPath, b.viewers[w], nil, nil)
		}},
		{"REST followers, page of 50 at 95%", func(w int, _ *rand.Rand) error {
			return b.rest(http.MethodGet, followersPath+"&offset="+seed.FollowID(b.deepFollow()), b.viewers[w], nil, nil)
		}},
		{"GraphQL followers 50, edges only", gqlPage(edges, false)},
		{"GraphQL followers 50, edges + pageInfo", gqlPage(edges+pageInfo, false)},
		{"GraphQL followers 50, edges + totalCount", gqlPage(edges+" totalCount", false)},
		{"GraphQL followers 50 at 95%, edges + pageInfo", gqlPage(edges+pageInfo, true)},
		{"GraphQL followers, pageInfo only", gqlPage(pageInfo, false)},
		{"search, names and fragments (>= 3 chars)", search(searchTerms(b.users))},
		{"search, 2 characters", search([]string{"an", "er", "la", "jo", "mi", "qz", "xw"})},
		{"GraphQL searchUsers 10, first names", func(w int, rng *rand.Rand) error {
			return b.graphql(b.viewers[w], `query($q: JSON!) { searchUsers(query: $q, first: 10) { edges { node { id username firstName lastName } } pageInfo { hasNextPage endCursor } } }`,
				map[string]any{"q": lowerFirst(seed.FirstNames[rng.IntN(len(seed.FirstNames))])}, nil)
		}},
		{"follow + unfollow, random accounts (pairs)", func(w int, rng *rand.Rand) error {
			target := seed.UserID(2 + rng.IntN(b.users-1-len(b.viewers)))
			var st struct{ Data struct{ Status string } }
			if err := b.rest(http.MethodPost, "/user/follow", b.viewers[w], map[string]any{"target": target}, &st); err != nil {
				return err
			}
			if st.Data.Status == "duplicate" { // the seed made this edge: leave it
				return nil
			}
			return b.rest(http.MethodPost, "/user/unfollow", b.viewers[w], map[string]any{"target": target}, nil)
		}},
		{"unfollow + follow the celebrity (pairs)", func(w int, _ *rand.Rand) error {
			// Every client works on the one celebrity row: the counters' row lock is contended.
			if err := b.rest(http.MethodPost, "/user/unfollow", b.viewers[w], map[string]any{"target": b.celeb}, nil); err != nil {
				return err
			}
			return b.rest(http.MethodPost, "/user/follow", b.viewers[w], map[string]any{"target": b.celeb}, nil)
		}},
	}
}

// searchTerms are text queries as people type them: whole first and last names (thousands of
// matches each), fragments of three and four letters, exact usernames (one match) and text
// that matches no one.
func searchTerms(users int) []string {
	var out []string
	for i, f := range seed.FirstNames {
		if i%10 == 0 {
			out = append(out, lowerFirst(f), strings.ToLower(f[:3]))
		}
	}
	for i, l := range seed.LastNames {
		if i%10 == 0 {
			out = append(out, l, strings.ToLower(l[:min(4, len(l))]))
		}
	}
	for _, i := range []int{2, users / 3, users / 2, users - 100} {
		out = append(out, seed.Username(i))
	}
	return append(out, "zzyzx", "qwrtp", "Smith Johnson")
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

type result struct {
	rate               float64
	p50, p90, p99, max time.Duration
}

// measure runs sc n times over c clients (stopping at maxTime) after a short warm-up.
func measure(sc scenario, n, c int, maxTime time.Duration) (result, error) {
	for w := 0; w < c; w++ {
		if err := sc.do(w, rand.New(rand.NewPCG(uint64(w), 99))); err != nil {
			return result{}, err
		}
	}
	var (
		next     atomic.Int64
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, n)
		firstErr error
		wg       sync.WaitGroup
	)
	deadline := time.Now().Add(maxTime)
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for next.Add(1) <= int64(n) && time.Now().Before(deadline) {
				t := time.Now()
				err := sc.do(w, rng)
				d := time.Since(t)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				lat = append(lat, d)
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return result{}, firstErr
	}
	slices.Sort(lat)
	at := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return result{rate: float64(len(lat)) / elapsed.Seconds(), p50: at(0.50), p90: at(0.90), p99: at(0.99), max: lat[len(lat)-1]}, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rest sends a REST request and decodes a 2xx answer into out (if not nil).
func (b *bench) rest(method, path, token string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, b.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return b.do(req, token, out)
}

// graphql sends a GraphQL request; an answer with errors is an error.
func (b *bench) graphql(token, query string, vars map[string]any, out any) error {
	buf, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, b.base+"/graphql", bytes.NewReader(buf))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	var raw json.RawMessage
	if err := b.do(req, token, &raw); err != nil {
		return err
	}
	var e struct{ Errors []any }
	if json.Unmarshal(raw, &e) == nil && len(e.Errors) > 0 {
		return fmt.Errorf("graphql: %s", raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func (b *bench) do(req *http.Request, token string, out any) error {
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return errors.New(req.Method + " " + req.URL.Path + ": " + resp.Status + ": " + string(body[:min(len(body), 300)]))
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}
