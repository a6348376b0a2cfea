package tests

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"usergraph/ent/follow"
	"usergraph/internal/apitest"
)

// unknownID is a well-formed id no account has.

// socialUsers signs up, verifies and logs in one account per name.
func socialUsers(t testing.TB, s *apitest.Server, names ...string) []*apitest.User {
	t.Helper()
	out := make([]*apitest.User, len(names))
	for i, n := range names {
		out[i] = s.NewUser(t, n)
	}
	return out
}

// narrowToken returns a token for u that carries only scopes: the account's scope column is
// changed in the database before logging in again, so the grant holds nothing else.
func narrowToken(t testing.TB, s *apitest.Server, u *apitest.User, scopes ...string) string {
	t.Helper()
	ctx := context.Background()
	old, err := s.App.DB.User.Get(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.App.DB.User.UpdateOneID(u.ID).SetScope(scopes).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	tok, _ := s.Tokens(t, u.Username, u.Password)
	if err := s.App.DB.User.UpdateOneID(u.ID).SetScope(old.Scope).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return tok
}

// ban marks u banned (and deleted, with deleted) in the database.
func ban(t testing.TB, s *apitest.Server, u *apitest.User, deleted bool) {
	t.Helper()
	up := s.App.DB.User.UpdateOneID(u.ID)
	if deleted {
		up.SetIsDeleted(true)
	} else {
		up.SetIsBanned(true)
	}
	if err := up.Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func setPrivate(t testing.TB, s *apitest.Server, u *apitest.User, private bool) *apitest.Response {
	t.Helper()
	return s.Post(t, "/user/private", u.Token, map[string]any{"state": private}).Expect(t, http.StatusOK, "")
}

func followUser(t testing.TB, s *apitest.Server, from, to *apitest.User) string {
	t.Helper()
	r := s.Post(t, "/user/follow", from.Token, map[string]any{"target": to.ID}).Expect(t, http.StatusOK, "")
	st, _ := r.Data()["status"].(string)
	return st
}

// entryBetween returns the id of the follow entry source -> target.
func entryBetween(t testing.TB, s *apitest.Server, source, target *apitest.User) string {
	t.Helper()
	e, err := s.App.DB.Follow.Query().Where(follow.SourceID(source.ID), follow.TargetID(target.ID)).Only(context.Background())
	if err != nil {
		t.Fatalf("follow entry %s -> %s: %v", source.Username, target.Username, err)
	}
	return e.ID
}

// checkCounts fails unless every account's followerCount and followingCount equal the number
// of approved follow edges in the database.
func checkCounts(t testing.TB, s *apitest.Server) {
	t.Helper()
	ctx := context.Background()
	users, err := s.App.DB.User.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		followers, err := s.App.DB.Follow.Query().Where(follow.TargetID(u.ID), follow.Approved(true)).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		following, err := s.App.DB.Follow.Query().Where(follow.SourceID(u.ID), follow.Approved(true)).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if u.FollowerCount != followers || u.FollowingCount != following {
			t.Errorf("%s: followerCount %d, followingCount %d; approved edges in %d, out %d",
				u.Username, u.FollowerCount, u.FollowingCount, followers, following)
		}
	}
}

// counts returns u's followerCount and followingCount.
func counts(t testing.TB, s *apitest.Server, u *apitest.User) (int, int) {
	t.Helper()
	x, err := s.App.DB.User.Get(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return x.FollowerCount, x.FollowingCount
}

// fieldError fails unless r is 400 ClientInputError naming path in additionalInfo.errors.
func fieldError(t testing.TB, r *apitest.Response, path string) {
	t.Helper()
	r.Expect(t, http.StatusBadRequest, "ClientInputError")
	info, _ := r.Body["additionalInfo"].(map[string]any)
	if info == nil {
		t.Fatalf("no additionalInfo: %s", r.Raw)
	}
	if p, _ := info["param"].(string); p == path {
		return
	}
	errs, _ := info["errors"].([]any)
	for _, e := range errs {
		if m, _ := e.(map[string]any); m["path"] == path {
			return
		}
	}
	t.Fatalf("want an error naming %q: %s", path, r.Raw)
}

// apiCase is one request and the answer it must get.
type apiCase struct {
	name   string
	method string
	path   string
	token  string
	body   any
	status int
	code   string
	// field is the path a 400 must name.
	field string
	// reason is additionalInfo.reason, when set.
	reason string
}

func runCases(t *testing.T, s *apitest.Server, cases []apiCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.Do(t, apitest.Req{Method: c.method, Path: c.path, Token: c.token, JSON: c.body})
			r.Expect(t, c.status, c.code)
			if c.field != "" {
				fieldError(t, r, c.field)
			}
			if c.reason != "" {
				info, _ := r.Body["additionalInfo"].(map[string]any)
				if info["reason"] != c.reason {
					t.Fatalf("want reason %q: %s", c.reason, r.Raw)
				}
			}
		})
	}
}

// records returns data.records of a list answer.
func records(t testing.TB, r *apitest.Response) []map[string]any {
	t.Helper()
	raw, ok := r.Data()["records"].([]any)
	if !ok {
		t.Fatalf("no records: %s", r.Raw)
	}
	out := make([]map[string]any, len(raw))
	for i, x := range raw {
		out[i] = x.(map[string]any)
	}
	return out
}

// listedIDs returns the _id of each record's user under side ("source" or "target").
func listedIDs(t testing.TB, r *apitest.Response, side string) []string {
	t.Helper()
	var out []string
	for _, rec := range records(t, r) {
		u, _ := rec[side].(map[string]any)
		id, _ := u["_id"].(string)
		out = append(out, id)
	}
	return out
}

func q(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	if len(v) == 0 {
		return path
	}
	return fmt.Sprintf("%s?%s", path, v.Encode())
}
