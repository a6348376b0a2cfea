package tests

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"usergraph/ent/oauthclient"
	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

// The social operations of the admin and client APIs: block-status, follow-status, the follow
// lists of any user, invite codes and search, in REST and GraphQL.

// svcFixture is a server with a few accounts and the callers of the admin and client APIs.
type svcFixture struct {
	s                       *apitest.Server
	alice, bob, carol, dave *apitest.User
	// svc is an internal client (client:all through its role); its Token carries it all.
	svc *apitest.Client
	// admin holds the admin social scopes and admin:profile:search; root is a super_admin.
	admin, root *apitest.User
}

func newSvcFixture(t *testing.T, configure ...func(*config.Config)) *svcFixture {
	t.Helper()
	s := apitest.New(t, append([]func(*config.Config){func(c *config.Config) {
		c.Account.ForceGenerateInviteCodes = true
		c.Account.InviteCodeAvailabilityWindow = 0
	}}, configure...)...)
	us := socialUsers(t, s, "alice_svc", "bob_svc", "carol_svc", "dave_svc")
	return &svcFixture{
		s: s, alice: us[0], bob: us[1], carol: us[2], dave: us[3],
		svc:   s.NewClient(t, "social-service", "internal_client"),
		admin: s.NewAdmin(t, "social_admin", "admin", "admin:social:all", "admin:profile:search"),
		root:  s.NewSuperAdmin(t, "social_root"),
	}
}

// svcCase is one request to a service route and the answer expected.
type svcCase struct {
	name   string
	token  string
	method string
	path   string
	body   any
	status int
	// code is the error code expected ("" for a success).
	code string
	// field is the field a 400 ClientInputError must name first.
	field string
	check func(t *testing.T, r *apitest.Response)
}

func runSvcCases(t *testing.T, s *apitest.Server, cases []svcCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = http.MethodGet
			}
			r := s.Do(t, apitest.Req{Method: method, Path: c.path, Token: c.token, JSON: c.body})
			r.Expect(t, c.status, c.code)
			if c.status == http.StatusOK && r.Body["ok"] != float64(1) {
				t.Fatalf("not the success envelope: %s", r.Raw)
			}
			if c.field != "" {
				expectField(t, r, c.field)
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

// dataIs checks data.<key> equals want.
func dataIs(key string, want any) func(t *testing.T, r *apitest.Response) {
	return func(t *testing.T, r *apitest.Response) {
		t.Helper()
		if got := r.Data()[key]; got != want {
			t.Fatalf("data.%s: want %v, got %v: %s", key, want, got, r.Raw)
		}
	}
}

func statusPath(route, source, target string) string {
	return fmt.Sprintf("/user/client-api/%s?source=%s&target=%s", route, source, target)
}

func TestClientBlockStatus(t *testing.T) {
	f := newSvcFixture(t)
	s, alice, bob := f.s, f.alice, f.bob
	s.Post(t, "/user/block", alice.Token, map[string]any{"target": bob.ID}).Expect(t, http.StatusOK, "")
	weak := s.ClientToken(t, f.svc.ClientID, "client:social:follow:read")
	p := func(source, target string) string { return statusPath("block-status", source, target) }

	runSvcCases(t, s, []svcCase{
		{name: "source blocked target", token: f.svc.Token, path: p(alice.ID, bob.ID), status: 200, check: dataIs("blocked", true)},
		{name: "the other way round", token: f.svc.Token, path: p(bob.ID, alice.ID), status: 200, check: dataIs("blocked", false)},
		{name: "no block", token: f.svc.Token, path: p(alice.ID, f.carol.ID), status: 200, check: dataIs("blocked", false)},
		{name: "upper-case ids", token: f.svc.Token, path: p(strings.ToUpper(alice.ID), strings.ToUpper(bob.ID)), status: 200, check: dataIs("blocked", true)},
		{name: "only the scope", token: s.ClientToken(t, f.svc.ClientID, "client:social:block:read"), path: p(alice.ID, bob.ID), status: 200, check: dataIs("blocked", true)},
		{name: "no source", token: f.svc.Token, path: "/user/client-api/block-status?target=" + bob.ID, status: 400, code: "ClientInputError", field: "source"},
		{name: "bad target", token: f.svc.Token, path: p(alice.ID, "not-an-id"), status: 400, code: "ClientInputError", field: "target"},
		{name: "both bad", token: f.svc.Token, path: p("x", "y"), status: 400, code: "ClientInputError", check: func(t *testing.T, r *apitest.Response) {
			if errPath(r, 0) != "source" || errPath(r, 1) != "target" {
				t.Fatalf("want errors on source and target: %s", r.Raw)
			}
		}},
		{name: "unknown source", token: f.svc.Token, path: p(unknownID, bob.ID), status: 404, code: "NotFound"},
		{name: "unknown target", token: f.svc.Token, path: p(alice.ID, unknownID), status: 404, code: "NotFound"},
		{name: "no token", path: p(alice.ID, bob.ID), status: 401, code: "Unauthorized"},
		{name: "user token", token: alice.Token, path: p(alice.ID, bob.ID), status: 401, code: "Unauthorized"},
		{name: "super admin token", token: f.root.Token, path: p(alice.ID, bob.ID), status: 401, code: "Unauthorized"},
		{name: "without the scope", token: weak, path: p(alice.ID, bob.ID), status: 401, code: "InsufficientPrivileges"},
		{name: "without the scope, bad input", token: weak, path: p("x", "y"), status: 401, code: "InsufficientPrivileges"},
	})

	// No caching: an unblock is seen at once.
	s.Post(t, "/user/unblock", alice.Token, map[string]any{"target": bob.ID}).Expect(t, http.StatusOK, "")
	if r := s.Get(t, p(alice.ID, bob.ID), f.svc.Token).Expect(t, http.StatusOK, ""); r.Data()["blocked"] != false {
		t.Fatalf("after unblock: %s", r.Raw)
	}
}

func TestClientFollowStatus(t *testing.T) {
	f := newSvcFixture(t)
	s, alice, bob, carol := f.s, f.alice, f.bob, f.carol
	followUser(t, s, alice, bob)
	setPrivate(t, s, carol, true)
	if st := followUser(t, s, alice, carol); st != "requested" {
		t.Fatalf("follow a private account: %s", st)
	}
	p := func(source, target string) string { return statusPath("follow-status", source, target) }
	weak := s.ClientToken(t, f.svc.ClientID, "client:social:block:read")

	runSvcCases(t, s, []svcCase{
		{name: "following", token: f.svc.Token, path: p(alice.ID, bob.ID), status: 200, check: dataIs("following", true)},
		{name: "not the other way", token: f.svc.Token, path: p(bob.ID, alice.ID), status: 200, check: dataIs("following", false)},
		{name: "a pending request is not a follow", token: f.svc.Token, path: p(alice.ID, carol.ID), status: 200, check: func(t *testing.T, r *apitest.Response) {
			if len(r.Data()) != 1 || r.Data()["following"] != false {
				t.Fatalf("want exactly {following:false}: %s", r.Raw)
			}
		}},
		{name: "no target", token: f.svc.Token, path: "/user/client-api/follow-status?source=" + alice.ID, status: 400, code: "ClientInputError", field: "target"},
		{name: "bad source", token: f.svc.Token, path: p("12345678", bob.ID), status: 400, code: "ClientInputError", field: "source"},
		{name: "unknown target", token: f.svc.Token, path: p(alice.ID, unknownID), status: 404, code: "NotFound"},
		{name: "no token", path: p(alice.ID, bob.ID), status: 401, code: "Unauthorized"},
		{name: "user token", token: alice.Token, path: p(alice.ID, bob.ID), status: 401, code: "Unauthorized"},
		{name: "without the scope", token: weak, path: p(alice.ID, bob.ID), status: 401, code: "InsufficientPrivileges"},
	})

	// Approving the request makes it a follow.
	s.Patch(t, "/user/follow-request", carol.Token, map[string]any{"request": entryBetween(t, s, alice, carol)}).Expect(t, http.StatusOK, "")
	if r := s.Get(t, p(alice.ID, carol.ID), f.svc.Token); r.Data()["following"] != true {
		t.Fatalf("after approval: %s", r.Raw)
	}

	// With the follow APIs switched off, the client's follow routes are not there; block-status
	// is not a follow API.
	off := newSvcFixture(t, func(c *config.Config) { c.Privilege.CanUseFollowAPIs = false })
	for _, path := range []string{
		p(off.alice.ID, off.bob.ID),
		"/user/client-api/user-followers?target=" + off.alice.ID,
		"/user/client-api/following?target=" + off.alice.ID,
	} {
		off.s.Get(t, path, off.svc.Token).Expect(t, http.StatusNotFound, "NotFound")
	}
	off.s.Get(t, statusPath("block-status", off.alice.ID, off.bob.ID), off.svc.Token).Expect(t, http.StatusOK, "")
}

// listedNames returns the usernames of the records' side (source or target).
func listedNames(t *testing.T, r *apitest.Response, side string) []string {
	t.Helper()
	var out []string
	for _, rec := range records(t, r) {
		u, _ := rec[side].(map[string]any)
		name, _ := u["username"].(string)
		out = append(out, name)
	}
	return out
}

func namesAre(side string, want ...string) func(t *testing.T, r *apitest.Response) {
	return func(t *testing.T, r *apitest.Response) {
		t.Helper()
		if got := listedNames(t, r, side); !slices.Equal(got, want) {
			t.Fatalf("want %v, got %v: %s", want, got, r.Raw)
		}
	}
}

// The client API's follow lists show anyone's followers and followings in the admin/client
// projection: no block filtering, no hidden fields, banned users in full, customData parsed.
func TestClientFollowLists(t *testing.T) {
	f := newSvcFixture(t)
	s, alice, bob, carol, dave := f.s, f.alice, f.bob, f.carol, f.dave
	// bob is private and followed by alice, carol and dave (in that order); dave is banned;
	// carol blocks alice; alice follows dave too.
	setPrivate(t, s, bob, true)
	for _, u := range []*apitest.User{alice, carol, dave} {
		followUser(t, s, u, bob)
		s.Patch(t, "/user/follow-request", bob.Token, map[string]any{"request": entryBetween(t, s, u, bob)}).Expect(t, http.StatusOK, "")
	}
	followUser(t, s, alice, dave)
	s.Post(t, "/user/block", carol.Token, map[string]any{"target": alice.ID}).Expect(t, http.StatusOK, "")
	ban(t, s, dave, false)
	if err := s.App.DB.User.UpdateOneID(carol.ID).SetCustomData(`{"tier":"gold"}`).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	weak := s.ClientToken(t, f.svc.ClientID, "client:social:block:read")
	newest := entryBetween(t, s, dave, bob)
	list := func(route, query string) string { return "/user/client-api/" + route + "?" + query }

	cases := []svcCase{
		{name: "followers, newest first", token: f.svc.Token, path: list("user-followers", "target="+bob.ID), status: 200,
			check: namesAre("source", "dave_svc", "carol_svc", "alice_svc")},
		{name: "followers under the documented name", token: f.svc.Token, path: list("followers", "target="+bob.ID), status: 200,
			check: namesAre("source", "dave_svc", "carol_svc", "alice_svc")},
		{name: "following", token: f.svc.Token, path: list("user-following", "target="+alice.ID), status: 200,
			check: namesAre("target", "dave_svc", "bob_svc")},
		{name: "following under the documented name", token: f.svc.Token, path: list("following", "target="+alice.ID), status: 200,
			check: namesAre("target", "dave_svc", "bob_svc")},
		{name: "limit", token: f.svc.Token, path: list("user-followers", "limit=2&target="+bob.ID), status: 200,
			check: namesAre("source", "dave_svc", "carol_svc")},
		{name: "offset is the last record's _id", token: f.svc.Token, path: list("user-followers", "limit=1&offset="+newest+"&target="+bob.ID), status: 200,
			check: namesAre("source", "carol_svc")},
		{name: "offset is the last user's _id", token: f.svc.Token, path: list("user-followers", "offset="+carol.ID+"&target="+bob.ID), status: 200,
			check: namesAre("source", "alice_svc")},
		{name: "the projection", token: f.svc.Token, path: list("user-followers", "target="+bob.ID), status: 200, check: func(t *testing.T, r *apitest.Response) {
			recs := records(t, r)
			for _, rec := range recs {
				if rec["_id"] == nil || rec["createdAt"] == nil || rec["approved"] != true {
					t.Fatalf("record: %v", rec)
				}
			}
			d, c := recs[0]["source"].(map[string]any), recs[1]["source"].(map[string]any)
			// A banned user is shown in full, not as a stub; private fields are not stripped.
			if d["isBanned"] != true || d["email"] != "dave_svc@example.com" || d["username"] != "dave_svc" {
				t.Fatalf("banned follower: %v", d)
			}
			if data, _ := c["customData"].(map[string]any); data["tier"] != "gold" || c["credits"] == nil || c["scope"] == nil {
				t.Fatalf("customData parsed, admin fields present: %v", c)
			}
		}},
		{name: "no target", token: f.svc.Token, path: list("user-followers", "limit=2"), status: 400, code: "ClientInputError", field: "target"},
		{name: "bad target", token: f.svc.Token, path: list("user-following", "target=bob"), status: 400, code: "ClientInputError", field: "target"},
		{name: "negative limit", token: f.svc.Token, path: list("user-followers", "limit=-1&target="+bob.ID), status: 400, code: "ClientInputError", field: "limit"},
		{name: "bad offset", token: f.svc.Token, path: list("user-followers", "offset=yesterday&target="+bob.ID), status: 400, code: "ClientInputError", field: "offset"},
		{name: "unknown target", token: f.svc.Token, path: list("user-followers", "target="+unknownID), status: 404, code: "NotFound"},
		{name: "no token", path: list("user-followers", "target="+bob.ID), status: 401, code: "Unauthorized"},
		{name: "user token", token: bob.Token, path: list("followers", "target="+bob.ID), status: 401, code: "Unauthorized"},
		{name: "without the scope", token: weak, path: list("user-following", "target="+bob.ID), status: 401, code: "InsufficientPrivileges"},
	}
	runSvcCases(t, s, cases)

	// The delegated list of the same account, for alice, leaves out carol (who blocked alice)
	// and stubs dave: the client list above did neither.
	r := s.Get(t, "/user/"+bob.ID+"/followers", alice.Token).Expect(t, http.StatusOK, "")
	if recs := records(t, r); len(recs) != 2 || recs[0]["source"].(map[string]any)["username"] != nil {
		t.Fatalf("delegated list: %s", r.Raw)
	}
}

// inviteCodeList returns data.inviteCodes.
func inviteCodeList(t *testing.T, r *apitest.Response) []any {
	t.Helper()
	codes, ok := r.Data()["inviteCodes"].([]any)
	if !ok {
		t.Fatalf("no inviteCodes: %s", r.Raw)
	}
	return codes
}

func codesCount(n int) func(t *testing.T, r *apitest.Response) {
	return func(t *testing.T, r *apitest.Response) {
		t.Helper()
		if codes := inviteCodeList(t, r); len(codes) != n {
			t.Fatalf("want %d codes, got %d: %s", n, len(codes), r.Raw)
		}
	}
}

func TestServiceInviteCodes(t *testing.T) {
	f := newSvcFixture(t, func(c *config.Config) { c.InviteCodeMaxPerRequest = 15 })
	s, alice, bob := f.s, f.alice, f.bob
	// A code alice gave away shows who used it.
	mine := inviteCodes(t, s, alice)
	used := mine[0]["code"].(string)
	newcomer := s.Post(t, "/user/create", "", invitedSignUpBody("newcomer_svc", used)).Expect(t, http.StatusCreated, "").
		Data()["user"].(map[string]any)["_id"].(string)
	external := s.NewClient(t, "weak-service", "external_client", "client:social:invite-code:read", "client:social:invite-code:write")
	readOnly := s.ClientToken(t, f.svc.ClientID, "client:social:invite-code:read")
	// A super admin passes the shared check with any token scope; the plain user does not.
	rootNarrow := s.UserToken(t, f.root.ID, "delegated:all")
	get := func(api, target string) string { return "/user/" + api + "/invite-codes?target=" + target }
	post := func(api string) string { return "/user/" + api + "/invite-codes" }

	runSvcCases(t, s, []svcCase{
		{name: "admin reads", token: f.admin.Token, path: get("admin-api", alice.ID), status: 200, check: func(t *testing.T, r *apitest.Response) {
			codes := inviteCodeList(t, r)
			if len(codes) != 5 {
				t.Fatalf("want 5 codes: %s", r.Raw)
			}
			first := codes[0].(map[string]any)
			if first["code"] != used || first["targetId"] != newcomer || first["createdAt"] == nil || first["updatedAt"] == nil {
				t.Fatalf("used code: %v", first)
			}
			if _, has := codes[1].(map[string]any)["targetId"]; has {
				t.Fatalf("unused code with a targetId: %v", codes[1])
			}
		}},
		{name: "client reads", token: f.svc.Token, path: get("client-api", alice.ID), status: 200, check: codesCount(5)},
		{name: "client token on the admin API", token: f.svc.Token, path: get("admin-api", alice.ID), status: 200, check: codesCount(5)},
		{name: "super admin bypass", token: rootNarrow, path: get("admin-api", bob.ID), status: 200, check: codesCount(5)},
		{name: "read: no target", token: f.admin.Token, path: "/user/admin-api/invite-codes", status: 400, code: "ClientInputError", field: "target"},
		{name: "read: target in the body is not read", token: f.admin.Token, path: "/user/admin-api/invite-codes", body: map[string]any{"target": alice.ID},
			status: 400, code: "ClientInputError", field: "target"},
		{name: "read: bad target", token: f.admin.Token, path: get("admin-api", "alice"), status: 400, code: "ClientInputError", field: "target"},
		{name: "read: unknown target", token: f.admin.Token, path: get("admin-api", unknownID), status: 404, code: "NotFound"},
		{name: "read: no token", path: get("admin-api", alice.ID), status: 401, code: "Unauthorized"},
		{name: "read: plain user", token: alice.Token, path: get("admin-api", alice.ID), status: 401, code: "InsufficientPrivileges"},
		{name: "read: user token on the client API", token: f.admin.Token, path: get("client-api", alice.ID), status: 401, code: "Unauthorized"},

		{name: "generate the default count", token: f.admin.Token, method: "POST", path: post("admin-api"), body: map[string]any{"target": bob.ID}, status: 200,
			check: func(t *testing.T, r *apitest.Response) {
				if r.Data() != nil || len(r.Body) != 1 {
					t.Fatalf(`want {"ok":1}: %s`, r.Raw)
				}
			}},
		{name: "after generating", token: f.admin.Token, path: get("admin-api", bob.ID), status: 200, check: codesCount(10)},
		{name: "generate a count", token: f.svc.Token, method: "POST", path: post("client-api"), body: map[string]any{"target": bob.ID, "count": 3}, status: 200},
		{name: "generate the maximum", token: f.svc.Token, method: "POST", path: post("client-api"), body: map[string]any{"target": bob.ID, "count": 15}, status: 200},
		{name: "count 0 is the default", token: f.admin.Token, method: "POST", path: post("admin-api"), body: map[string]any{"target": bob.ID, "count": 0}, status: 200},
		{name: "all of them", token: f.svc.Token, path: get("client-api", bob.ID), status: 200, check: codesCount(5 + 5 + 3 + 15 + 5)},
		{name: "generate: above the maximum", token: f.admin.Token, method: "POST", path: post("admin-api"), body: map[string]any{"target": bob.ID, "count": 16},
			status: 400, code: "GenerationTargetExceededForRequest"},
		{name: "generate: negative count", token: f.admin.Token, method: "POST", path: post("admin-api"), body: map[string]any{"target": bob.ID, "count": -2},
			status: 400, code: "ClientInputError", field: "count"},
		{name: "generate: fractional count", token: f.admin.Token, method: "POST", path: post("admin-api"), body: map[string]any{"target": bob.ID, "count": 2.5},
			status: 400, code: "ClientInputError", field: "count"},
		{name: "generate: no target", token: f.admin.Token, method: "POST", path: post("admin-api"), body: map[string]any{"count": 2},
			status: 400, code: "ClientInputError", field: "target"},
		{name: "generate: unknown target", token: f.admin.Token, method: "POST", path: post("admin-api"), body: map[string]any{"target": unknownID},
			status: 400, code: "InvalidTarget"},
		{name: "generate: an admin does not outrank a super admin", token: f.admin.Token, method: "POST", path: post("admin-api"), body: map[string]any{"target": f.root.ID},
			status: 401, code: "InsufficientPrivileges"},
		{name: "generate: an external client does not outrank an admin", token: external.Token, method: "POST", path: post("client-api"), body: map[string]any{"target": f.admin.ID},
			status: 401, code: "InsufficientPrivileges"},
		{name: "generate: an external client acts on its peers (rank 100)", token: external.Token, method: "POST", path: post("client-api"),
			body: map[string]any{"target": alice.ID, "count": 1}, status: 200},
		{name: "generate: a super admin acts on anyone", token: f.root.Token, method: "POST", path: post("admin-api"), body: map[string]any{"target": f.admin.ID, "count": 1}, status: 200},
		{name: "generate: read scope only", token: readOnly, method: "POST", path: post("client-api"), body: map[string]any{"target": bob.ID}, status: 401, code: "InsufficientPrivileges"},
		{name: "generate: no token", method: "POST", path: post("client-api"), body: map[string]any{"target": bob.ID}, status: 401, code: "Unauthorized"},
		{name: "generate: user token on the client API", token: f.root.Token, method: "POST", path: post("client-api"), body: map[string]any{"target": bob.ID}, status: 401, code: "Unauthorized"},
	})

	// The new codes have Liquid's form and are the target's.
	for _, c := range inviteCodeList(t, s.Get(t, get("admin-api", alice.ID), f.admin.Token)) {
		if code := c.(map[string]any)["code"].(string); !inviteCodeForm.MatchString(code) {
			t.Fatalf("code %q", code)
		}
	}

	// Without invite codes the routes are not there.
	off := apitest.New(t)
	admin := off.NewAdmin(t, "invite_admin", "admin", "admin:social:all")
	target := off.NewUser(t, "invite_target")
	client := off.NewClient(t, "invite-service", "internal_client")
	off.Get(t, get("admin-api", target.ID), admin.Token).Expect(t, http.StatusNotFound, "NotFound")
	off.Get(t, get("client-api", target.ID), client.Token).Expect(t, http.StatusNotFound, "NotFound")
	off.Post(t, post("admin-api"), admin.Token, map[string]any{"target": target.ID}).Expect(t, http.StatusNotFound, "NotFound")
	off.Post(t, post("client-api"), "", map[string]any{"target": target.ID}).Expect(t, http.StatusNotFound, "NotFound")
	expectGQL(t, off.GraphQL(t, admin.Token, `query($id: ID!) { adminInviteCodes(userId: $id) { code } }`, map[string]any{"id": target.ID}), "NOT_FOUND")
}

// searchUsernames returns the usernames of data.results.
func searchUsernames(t *testing.T, r *apitest.Response) []string {
	t.Helper()
	res, ok := r.Data()["results"].([]any)
	if !ok {
		t.Fatalf("no results: %s", r.Raw)
	}
	out := []string{}
	for _, x := range res {
		out = append(out, x.(map[string]any)["username"].(string))
	}
	slices.Sort(out)
	return out
}

func resultsAre(want ...string) func(t *testing.T, r *apitest.Response) {
	return func(t *testing.T, r *apitest.Response) {
		t.Helper()
		slices.Sort(want)
		if got := searchUsernames(t, r); !slices.Equal(got, want) {
			t.Fatalf("want %v, got %v: %s", want, got, r.Raw)
		}
	}
}

func TestServiceSearch(t *testing.T) {
	f := newSvcFixture(t, func(c *config.Config) {
		c.Search.Client.Fields = []string{"username", "firstName"}
		c.Search.Client.CanUseID = false
		c.Search.Client.Limit = 2
	})
	s := f.s
	us, _ := searchFixture(t, s)
	// alice_smith blocks the admin and bob_jones blocks alice_smith: the admin and client
	// searches ignore blocks.
	s.Post(t, "/user/block", us["alice_smith"].Token, map[string]any{"target": f.admin.ID}).Expect(t, http.StatusOK, "")
	s.Post(t, "/user/block", us["bob_jones"].Token, map[string]any{"target": us["alice_smith"].ID}).Expect(t, http.StatusOK, "")
	rootNarrow := s.UserToken(t, f.root.ID, "admin:profile:read")
	clientAdminScope := s.ClientToken(t, f.svc.ClientID, "client:all")
	search := func(api string) string { return "/user/" + api + "/search" }
	q := func(query any) map[string]any { return map[string]any{"query": query} }
	tok, adm := f.svc.Token, f.admin.Token

	runSvcCases(t, s, []svcCase{
		{name: "admin: text finds banned, deleted and blocking users", token: adm, method: "POST", path: search("admin-api"), body: q("ali"), status: 200,
			check: resultsAre("alice_smith", "alice_svc", "banned_ali", "dan_ali", "deleted_ali")},
		{name: "admin: the user who blocked the admin", token: adm, method: "POST", path: search("admin-api"), body: q("alice"), status: 200,
			check: resultsAre("alice_smith", "alice_svc")},
		{name: "admin: email as a substring", token: adm, method: "POST", path: search("admin-api"), body: q("SMITH@EXAMPLE"), status: 200,
			check: resultsAre("alice_smith")},
		{name: "admin: full name", token: adm, method: "POST", path: search("admin-api"), body: q("ali banned"), status: 200, check: resultsAre("banned_ali")},
		{name: "admin: by _id", token: adm, method: "POST", path: search("admin-api"), body: q(us["bob_jones"].ID), status: 200, check: resultsAre("bob_jones")},
		{name: "admin: text is not a regex", token: adm, method: "POST", path: search("admin-api"), body: q("al.ce"), status: 200, check: resultsAre()},
		{name: "admin: an invalid regex is just text", token: adm, method: "POST", path: search("admin-api"), body: q("(["), status: 200, check: resultsAre()},
		{name: "admin: $regex (RE2)", token: adm, method: "POST", path: search("admin-api"), body: q(map[string]any{"username": map[string]any{"$regex": "^(bob_j|carla)"}}),
			status: 200, check: resultsAre("bob_jones", "carla_o")},
		{name: "admin: the projection", token: adm, method: "POST", path: search("admin-api"), body: q("banned_ali"), status: 200, check: func(t *testing.T, r *apitest.Response) {
			u := r.Data()["results"].([]any)[0].(map[string]any)
			if u["isBanned"] != true || u["email"] != "banned_ali@example.com" || u["scope"] == nil {
				t.Fatalf("admin projection: %v", u)
			}
			if _, isObj := u["customData"].(map[string]any); !isObj {
				t.Fatalf("customData not parsed: %v", u)
			}
		}},
		{name: "admin: backreference is not RE2", token: adm, method: "POST", path: search("admin-api"), body: q(map[string]any{"username": map[string]any{"$regex": `(a)\1`}}),
			status: 400, code: "ClientInputError", field: "query"},
		{name: "admin: a field outside the admin search fields", token: adm, method: "POST", path: search("admin-api"), body: q(map[string]any{"role": "user"}),
			status: 400, code: "ClientInputError", field: "query"},
		{name: "admin: an operator outside the language", token: adm, method: "POST", path: search("admin-api"), body: q(map[string]any{"username": map[string]any{"$where": "1"}}),
			status: 400, code: "ClientInputError", field: "query"},
		{name: "admin: no query", token: adm, method: "POST", path: search("admin-api"), body: map[string]any{}, status: 400, code: "ClientInputError", field: "query"},
		{name: "admin: plain user", token: us["sam_search"].Token, method: "POST", path: search("admin-api"), body: q("ali"), status: 401, code: "InsufficientPrivileges"},
		{name: "admin: no super admin bypass", token: rootNarrow, method: "POST", path: search("admin-api"), body: q("ali"), status: 401, code: "InsufficientPrivileges"},
		{name: "admin: a client token needs the admin scope", token: clientAdminScope, method: "POST", path: search("admin-api"), body: q("ali"), status: 401, code: "InsufficientPrivileges"},
		{name: "admin: no token", method: "POST", path: search("admin-api"), body: q("ali"), status: 401, code: "Unauthorized"},

		{name: "client: the client settings (limit 2, _id order)", token: tok, method: "POST", path: search("client-api"), body: q("ali"), status: 200, check: func(t *testing.T, r *apitest.Response) {
			if got := searchUsernames(t, r); len(got) != 2 {
				t.Fatalf("want 2 results: %s", r.Raw)
			}
		}},
		{name: "client: email is not a client search field", token: tok, method: "POST", path: search("client-api"), body: q("smith@example"), status: 200, check: resultsAre()},
		{name: "client: no search by _id", token: tok, method: "POST", path: search("client-api"), body: q(us["bob_jones"].ID), status: 200, check: resultsAre()},
		{name: "client: a field outside the client search fields", token: tok, method: "POST", path: search("client-api"), body: q(map[string]any{"lastName": "Jones"}),
			status: 400, code: "ClientInputError", field: "query"},
		{name: "client: an object query", token: tok, method: "POST", path: search("client-api"), body: q(map[string]any{"firstName": "Bob"}), status: 200, check: resultsAre("bob_jones")},
		{name: "client: user token", token: adm, method: "POST", path: search("client-api"), body: q("ali"), status: 401, code: "Unauthorized"},
		{name: "client: without the scope", token: s.ClientToken(t, f.svc.ClientID, "client:profile:read"), method: "POST", path: search("client-api"), body: q("ali"),
			status: 401, code: "InsufficientPrivileges"},
		{name: "client: a bad query", token: tok, method: "POST", path: search("client-api"), body: q(42), status: 400, code: "ClientInputError", field: "query"},
	})

	// The delegated search of the same text hides what the admin search shows.
	r := s.Post(t, "/user/search", us["bob_jones"].Token, q("ali")).Expect(t, http.StatusOK, "")
	if got := searchUsernames(t, r); !slices.Equal(got, []string{"alice_svc", "dan_ali"}) {
		t.Fatalf("delegated search: %v", got)
	}

	// privilege.can-use-admin-user-search-api off: the admin search is not there; the client's is.
	off := newSvcFixture(t, func(c *config.Config) { c.Privilege.CanUseAdminSearch = false })
	off.s.Post(t, search("admin-api"), off.admin.Token, q("ali")).Expect(t, http.StatusNotFound, "NotFound")
	off.s.Post(t, search("admin-api"), "", q("ali")).Expect(t, http.StatusNotFound, "NotFound")
	off.s.Post(t, search("client-api"), off.svc.Token, q("alice")).Expect(t, http.StatusOK, "")
	expectGQL(t, off.s.GraphQL(t, off.admin.Token, `{ adminSearchUsers(query: "alice") { totalCount } }`, nil), "NOT_FOUND")
}

// A service gets its token through POST /oauth/token (client_credentials) and uses the client
// API with exactly the scopes it asked for.
func TestClientSocialWithClientCredentials(t *testing.T) {
	s := apitest.New(t)
	us := socialUsers(t, s, "cc_alice", "cc_bob")
	alice, bob := us[0], us[1]
	followUser(t, s, alice, bob)
	s.Post(t, "/user/block", bob.Token, map[string]any{"target": alice.ID}).Expect(t, http.StatusOK, "")
	addClient(t, s, "graph_reader", "external_client", false,
		[]string{"client:social:block:read", "client:social:follow:read", "client:profile:search"}, []string{"client_credentials"})

	r := token(t, s, url.Values{"grant_type": {"client_credentials"}, "scope": {"client:social:block:read client:profile:search"}},
		basic("graph_reader", "graph_reader-secret"))
	access, _ := tokenPair(t, r)

	if r := s.Get(t, statusPath("block-status", bob.ID, alice.ID), access).Expect(t, http.StatusOK, ""); r.Data()["blocked"] != true {
		t.Fatalf("block-status: %s", r.Raw)
	}
	if got := searchUsernames(t, s.Post(t, "/user/client-api/search", access, map[string]any{"query": "cc_"}).Expect(t, http.StatusOK, "")); !slices.Equal(got, []string{"cc_alice", "cc_bob"}) {
		t.Fatalf("search: %v", got)
	}
	// follow:read is the client's, but the token did not ask for it.
	s.Get(t, statusPath("follow-status", alice.ID, bob.ID), access).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	s.Get(t, "/user/client-api/user-followers?target="+bob.ID, access).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	// Nor may a client use the admin search with its client scope.
	s.Post(t, "/user/admin-api/search", access, map[string]any{"query": "cc_"}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")

	// The same token works in GraphQL.
	g := s.GraphQL(t, access, `query($s: ID!, $t: ID!) { adminBlockStatus(sourceId: $s, targetId: $t) }`, map[string]any{"s": bob.ID, "t": alice.ID})
	if gqlData(t, g, "adminBlockStatus") != true {
		t.Fatalf("adminBlockStatus: %s", g.Raw)
	}
	// A scope removed from the client stops its token at once.
	if err := s.App.DB.OAuthClient.Update().Where(oauthclient.ClientID("graph_reader")).SetScope([]string{"client:profile:search"}).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Get(t, statusPath("block-status", bob.ID, alice.ID), access).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
}

// The GraphQL fields call the same operations.
func TestServiceSocialGraphQL(t *testing.T) {
	f := newSvcFixture(t)
	s, alice, bob, carol := f.s, f.alice, f.bob, f.carol
	followUser(t, s, alice, bob)
	followUser(t, s, carol, bob)
	// An admin who may read profiles sees private fields in the lists; carol blocks that admin,
	// and the admin's list still shows her.
	reader := s.NewAdmin(t, "graph_admin", "admin", "client:social:follow:read", "admin:profile:read")
	s.Post(t, "/user/block", carol.Token, map[string]any{"target": reader.ID}).Expect(t, http.StatusOK, "")

	type gqlCase struct {
		name  string
		token string
		query string
		vars  map[string]any
		code  string
		check func(t *testing.T, r *apitest.Response)
	}
	listQ := `query($id: ID!, $first: Int) { adminFollowers(userId: $id, first: $first) { totalCount edges { node { source { username email } } } } }`
	names := func(field, side string, want ...string) func(t *testing.T, r *apitest.Response) {
		return func(t *testing.T, r *apitest.Response) {
			t.Helper()
			conn := gqlData(t, r, field).(map[string]any)
			var got []string
			for _, e := range conn["edges"].([]any) {
				got = append(got, e.(map[string]any)["node"].(map[string]any)[side].(map[string]any)["username"].(string))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("want %v, got %v: %s", want, got, r.Raw)
			}
		}
	}
	cases := []gqlCase{
		{name: "block status", token: f.svc.Token, query: `query($s: ID!, $t: ID!) { adminBlockStatus(sourceId: $s, targetId: $t) }`,
			vars: map[string]any{"s": carol.ID, "t": reader.ID}, check: func(t *testing.T, r *apitest.Response) {
				if gqlData(t, r, "adminBlockStatus") != true {
					t.Fatal(string(r.Raw))
				}
			}},
		{name: "block status: bad id", token: f.svc.Token, query: `{ adminBlockStatus(sourceId: "nope", targetId: "nope") }`, code: "ClientInputError"},
		{name: "block status: unknown user", token: f.svc.Token, query: fmt.Sprintf(`{ adminBlockStatus(sourceId: %q, targetId: %q) }`, unknownID, alice.ID), code: "NotFound"},
		{name: "block status: no scope", token: f.admin.Token, query: fmt.Sprintf(`{ adminBlockStatus(sourceId: %q, targetId: %q) }`, alice.ID, bob.ID), code: "InsufficientPrivileges"},
		{name: "follow status", token: f.svc.Token, query: `query($s: ID!, $t: ID!) { adminFollowStatus(sourceId: $s, targetId: $t) }`,
			vars: map[string]any{"s": alice.ID, "t": bob.ID}, check: func(t *testing.T, r *apitest.Response) {
				if gqlData(t, r, "adminFollowStatus") != true {
					t.Fatal(string(r.Raw))
				}
			}},
		{name: "followers", token: f.svc.Token, query: listQ, vars: map[string]any{"id": bob.ID}, check: names("adminFollowers", "source", "carol_svc", "alice_svc")},
		{name: "followers: an admin blocked by a follower still sees her, with her email", token: reader.Token, query: listQ, vars: map[string]any{"id": bob.ID, "first": 1},
			check: func(t *testing.T, r *apitest.Response) {
				conn := gqlData(t, r, "adminFollowers").(map[string]any)
				src := conn["edges"].([]any)[0].(map[string]any)["node"].(map[string]any)["source"].(map[string]any)
				if conn["totalCount"] != float64(2) || src["username"] != "carol_svc" || src["email"] != "carol_svc@example.com" {
					t.Fatalf("%s", r.Raw)
				}
			}},
		{name: "following", token: f.svc.Token, query: `query($id: ID!) { adminFollowing(userId: $id) { edges { node { target { username } } } } }`,
			vars: map[string]any{"id": alice.ID}, check: names("adminFollowing", "target", "bob_svc")},
		{name: "followers: first above the maximum", token: f.svc.Token, query: listQ, vars: map[string]any{"id": bob.ID, "first": 5000}, code: "PAGE_SIZE_TOO_LARGE"},
		{name: "followers: unknown user", token: f.svc.Token, query: listQ, vars: map[string]any{"id": unknownID}, code: "NotFound"},
		{name: "followers: no scope", token: f.admin.Token, query: listQ, vars: map[string]any{"id": bob.ID}, code: "InsufficientPrivileges"},
		{name: "followers: no token", query: listQ, vars: map[string]any{"id": bob.ID}, code: "Unauthorized"},
		{name: "invite codes", token: f.admin.Token, query: `query($id: ID!) { adminInviteCodes(userId: $id) { code targetID } }`, vars: map[string]any{"id": alice.ID},
			check: func(t *testing.T, r *apitest.Response) {
				if codes := gqlData(t, r, "adminInviteCodes").([]any); len(codes) != 5 {
					t.Fatal(string(r.Raw))
				}
			}},
		{name: "generate invite codes", token: f.svc.Token, query: `mutation($id: ID!) { adminGenerateInviteCodes(userId: $id, count: 2) { code sourceID } }`,
			vars: map[string]any{"id": alice.ID}, check: func(t *testing.T, r *apitest.Response) {
				codes := gqlData(t, r, "adminGenerateInviteCodes").([]any)
				if len(codes) != 2 || codes[0].(map[string]any)["sourceID"] != alice.ID {
					t.Fatal(string(r.Raw))
				}
			}},
		{name: "generate invite codes: too many", token: f.svc.Token, query: `mutation($id: ID!) { adminGenerateInviteCodes(userId: $id, count: 16) { code } }`,
			vars: map[string]any{"id": alice.ID}, code: "GenerationTargetExceededForRequest"},
		{name: "generate invite codes: unknown user", token: f.svc.Token, query: `mutation($id: ID!) { adminGenerateInviteCodes(userId: $id) { code } }`,
			vars: map[string]any{"id": unknownID}, code: "InvalidTarget"},
		{name: "generate invite codes: rank", token: f.admin.Token, query: `mutation($id: ID!) { adminGenerateInviteCodes(userId: $id) { code } }`,
			vars: map[string]any{"id": f.root.ID}, code: "InsufficientPrivileges"},
		{name: "generate invite codes: plain user", token: alice.Token, query: `mutation($id: ID!) { adminGenerateInviteCodes(userId: $id) { code } }`,
			vars: map[string]any{"id": alice.ID}, code: "InsufficientPrivileges"},
		{name: "search as an admin", token: f.admin.Token, query: `{ adminSearchUsers(query: "carol") { edges { node { username } } } }`,
			check: func(t *testing.T, r *apitest.Response) {
				edges := gqlData(t, r, "adminSearchUsers").(map[string]any)["edges"].([]any)
				if len(edges) != 1 || edges[0].(map[string]any)["node"].(map[string]any)["username"] != "carol_svc" {
					t.Fatal(string(r.Raw))
				}
			}},
		{name: "search as a client", token: f.svc.Token, query: `query($q: JSON!) { adminSearchUsers(query: $q) { totalCount } }`,
			vars: map[string]any{"q": map[string]any{"username": map[string]any{"$regex": "^(alice|bob)_"}}},
			check: func(t *testing.T, r *apitest.Response) {
				if gqlData(t, r, "adminSearchUsers").(map[string]any)["totalCount"] != float64(2) {
					t.Fatal(string(r.Raw))
				}
			}},
		{name: "search: a user with only the client scope", token: s.UserToken(t, f.root.ID, "client:profile:search"), query: `{ adminSearchUsers(query: "carol") { totalCount } }`,
			code: "InsufficientPrivileges"},
		{name: "search: bad query", token: f.admin.Token, query: `{ adminSearchUsers(query: {password: "x"}) { totalCount } }`, code: "ClientInputError"},
		{name: "search: plain user", token: alice.Token, query: `{ adminSearchUsers(query: "carol") { totalCount } }`, code: "InsufficientPrivileges"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.GraphQL(t, c.token, c.query, c.vars)
			if c.code != "" {
				expectGQL(t, r, c.code)
				return
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}
