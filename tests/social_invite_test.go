package tests

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"usergraph/ent/invitecode"
	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

var inviteCodeForm = regexp.MustCompile(`^[A-Z]{4}-[0-9]{4}-[0-9]{13}$`)

// inviteOnly is an invite-only server without email verification or availability window, with
// one seeded account owning the code "SEED-0000-1".
func inviteOnly(t *testing.T) (*apitest.Server, string) {
	t.Helper()
	s := apitest.New(t, func(c *config.Config) {
		c.Account.EnableInviteOnly = true
		c.Account.RequireEmailVerification = false
		c.Account.InviteCodeAvailabilityWindow = 0
	})
	ctx := context.Background()
	seed, err := s.App.DB.User.Create().SetUsername("seed_user").SetFirstName("Seed").SetLastName("User").
		SetEmail("seed@example.com").SetSanitizedEmail("seed@example.com").SetEmailVerified(true).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.App.DB.InviteCode.Create().SetCode("SEED-0000-1").SetSourceID(seed.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return s, seed.ID
}

func invitedSignUpBody(username, code string) map[string]any {
	b := map[string]any{"username": username, "password": "correct-horse-1", "email": username + "@example.com",
		"firstName": "Invited", "lastName": "User"}
	if code != "" {
		b["inviteCode"] = code
	}
	return b
}

// signUpInvited signs up with an invite code and logs in.
func signUpInvited(t *testing.T, s *apitest.Server, username, code string) *apitest.User {
	t.Helper()
	r := s.Post(t, "/user/create", "", invitedSignUpBody(username, code)).Expect(t, http.StatusCreated, "")
	u := &apitest.User{ID: r.Data()["user"].(map[string]any)["_id"].(string), Username: username, Email: username + "@example.com", Password: "correct-horse-1"}
	u.Token, u.RefreshToken = s.Tokens(t, username, u.Password)
	return u
}

func inviteCodes(t *testing.T, s *apitest.Server, u *apitest.User) []map[string]any {
	t.Helper()
	r := s.Get(t, "/user/invite-codes", u.Token).Expect(t, http.StatusOK, "")
	raw := r.Data()["inviteCodes"].([]any)
	out := make([]map[string]any, len(raw))
	for i, x := range raw {
		out[i] = x.(map[string]any)
	}
	return out
}

func TestSocialInviteOnlySignUp(t *testing.T) {
	s, seedID := inviteOnly(t)
	alice := signUpInvited(t, s, "alice_invited", "SEED-0000-1")
	me := s.Get(t, "/user/me", alice.Token).Expect(t, http.StatusOK, "")
	if me.Data()["user"].(map[string]any)["invitedBy"] != seedID {
		t.Fatalf("invitedBy: %s", me.Raw)
	}
	codes := inviteCodes(t, s, alice)
	if len(codes) != 5 {
		t.Fatalf("want 5 codes: %v", codes)
	}
	for _, c := range codes {
		if !inviteCodeForm.MatchString(c["code"].(string)) || c["targetId"] != nil || c["createdAt"] == nil || c["updatedAt"] == nil {
			t.Fatalf("code: %v", c)
		}
	}

	bob := signUpInvited(t, s, "bob_invited", codes[0]["code"].(string))
	me = s.Get(t, "/user/me", bob.Token).Expect(t, http.StatusOK, "")
	if me.Data()["user"].(map[string]any)["invitedBy"] != alice.ID {
		t.Fatalf("bob invitedBy: %s", me.Raw)
	}
	after := inviteCodes(t, s, alice)
	if after[0]["code"] != codes[0]["code"] || after[0]["targetId"] != bob.ID || after[1]["targetId"] != nil {
		t.Fatalf("used code: %v", after)
	}

	runCases(t, s, []apiCase{
		{name: "code used twice", method: "POST", path: "/user/create", body: invitedSignUpBody("carol_invited", codes[0]["code"].(string)), status: 400, code: "InvalidInviteCode"},
		{name: "seed code used twice", method: "POST", path: "/user/create", body: invitedSignUpBody("carol_invited", "SEED-0000-1"), status: 400, code: "InvalidInviteCode"},
		{name: "unknown code", method: "POST", path: "/user/create", body: invitedSignUpBody("carol_invited", "ABCD-1234-1700000000000"), status: 400, code: "InvalidInviteCode"},
		{name: "no code", method: "POST", path: "/user/create", body: invitedSignUpBody("carol_invited", ""), status: 400, code: "ClientInputError", field: "inviteCode"},
		{name: "code not a string", method: "POST", path: "/user/create", body: map[string]any{"username": "carol_invited", "password": "correct-horse-1", "email": "c@example.com", "firstName": "C", "lastName": "D", "inviteCode": 7}, status: 400, code: "ClientInputError", field: "inviteCode"},
		{name: "list/no token", method: "GET", path: "/user/invite-codes", status: 401, code: "Unauthorized"},
		{name: "list/scope", method: "GET", path: "/user/invite-codes", token: narrowToken(t, s, alice, "delegated:social:follow:all"), status: 401, code: "InsufficientPrivileges"},
	})
	if n, _ := s.App.DB.User.Query().Count(context.Background()); n != 3 {
		t.Fatalf("refused sign-ups left accounts behind: %d", n)
	}
}

// Two (or more) sign-ups racing for one code: exactly one wins.
func TestSocialInviteCodeRace(t *testing.T) {
	s, _ := inviteOnly(t)
	alice := signUpInvited(t, s, "alice_racing", "SEED-0000-1")
	codes := inviteCodes(t, s, alice)
	for i, c := range codes {
		code := c["code"].(string)
		const contenders = 4
		var (
			wg       sync.WaitGroup
			statuses = make([]*apitest.Response, contenders)
		)
		for j := range contenders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[j] = s.Post(t, "/user/create", "", invitedSignUpBody(fmt.Sprintf("racer_%d_%d", i, j), code))
			}()
		}
		wg.Wait()
		won := 0
		for _, r := range statuses {
			switch {
			case r.Status == http.StatusCreated:
				won++
			case r.Status != http.StatusBadRequest || r.Error() != "InvalidInviteCode":
				t.Fatalf("loser: %d %s", r.Status, r.Raw)
			}
		}
		if won != 1 {
			t.Fatalf("code %s: %d sign-ups won", code, won)
		}
		ic, err := s.App.DB.InviteCode.Query().Where(invitecode.Code(code)).Only(context.Background())
		if err != nil || ic.TargetID == nil {
			t.Fatalf("code not spent: %v %v", ic, err)
		}
	}
	// 1 seed + alice + one winner per code.
	if n, _ := s.App.DB.User.Query().Count(context.Background()); n != 2+len(codes) {
		t.Fatalf("accounts: %d", n)
	}
}

func TestSocialInviteCodesWindowAndModes(t *testing.T) {
	t.Run("availability window", func(t *testing.T) {
		s := apitest.New(t, func(c *config.Config) {
			c.Account.ForceGenerateInviteCodes = true
			c.Account.InviteCodeAvailabilityWindow = time.Hour
		})
		u := s.NewUser(t, "fresh_invites")
		r := s.Get(t, "/user/invite-codes", u.Token).Expect(t, http.StatusBadRequest, "InviteCodesHidden")
		wait, _ := r.Body["additionalInfo"].(map[string]any)["waitTime"].(float64)
		if wait < 3500 || wait > 3600 {
			t.Fatalf("waitTime: %s", r.Raw)
		}
	})
	t.Run("force-generate without invite-only", func(t *testing.T) {
		s := apitest.New(t, func(c *config.Config) {
			c.Account.ForceGenerateInviteCodes = true
			c.Account.InviteCodeAvailabilityWindow = 0
		})
		u := s.NewUser(t, "bootstrap_user")
		if codes := inviteCodes(t, s, u); len(codes) != 5 {
			t.Fatalf("codes: %v", codes)
		}
	})
	t.Run("errors", func(t *testing.T) {
		s := apitest.New(t, func(c *config.Config) {
			c.Account.ForceGenerateInviteCodes = true
			c.Account.InviteCodeAvailabilityWindow = 0
		})
		us := socialUsers(t, s, "alice_inverr", "banned_inverr")
		alice, banned := us[0], us[1]
		ban(t, s, banned, false)
		noScope := narrowToken(t, s, alice, "delegated:profile:all")
		runCases(t, s, []apiCase{
			{name: "no token", method: "GET", path: "/user/invite-codes", status: 401, code: "Unauthorized"},
			{name: "bad token", method: "GET", path: "/user/invite-codes", token: "nonsense", status: 401, code: "Unauthorized"},
			{name: "scope", method: "GET", path: "/user/invite-codes", token: noScope, status: 401, code: "InsufficientPrivileges"},
			{name: "banned caller", method: "GET", path: "/user/invite-codes", token: banned.Token, status: 403, code: "Banned"},
		})
	})
	t.Run("off", func(t *testing.T) {
		s := apitest.New(t)
		u := s.NewUser(t, "no_invites")
		s.Get(t, "/user/invite-codes", u.Token).Expect(t, http.StatusNotFound, "NotFound")
		if n, _ := s.App.DB.InviteCode.Query().Count(context.Background()); n != 0 {
			t.Fatalf("codes generated while off: %d", n)
		}
	})
}

// Replacing an unverified account releases the code it used and deletes the codes it owned.
func TestSocialInviteCodeReleasedByReSignUp(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.Account.EnableInviteOnly = true })
	ctx := context.Background()
	seed, err := s.App.DB.User.Create().SetUsername("seed_user").SetFirstName("Seed").SetLastName("User").
		SetEmail("seed@example.com").SetSanitizedEmail("seed@example.com").SetEmailVerified(true).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.App.DB.InviteCode.Create().SetCode("SEED-0000-1").SetSourceID(seed.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	first := s.Post(t, "/user/create", "", invitedSignUpBody("eve_twice", "SEED-0000-1")).Expect(t, http.StatusCreated, "")
	firstID := first.Data()["user"].(map[string]any)["_id"]
	// Still unverified: signing up again with the same code replaces the account.
	again := s.Post(t, "/user/create", "", invitedSignUpBody("eve_twice", "SEED-0000-1")).Expect(t, http.StatusCreated, "")
	if again.Data()["user"].(map[string]any)["_id"] != firstID {
		t.Fatalf("unverified account id not preserved")
	}
	n, err := s.App.DB.InviteCode.Query().Where(invitecode.SourceIDNEQ(seed.ID)).Count(ctx)
	if err != nil || n != 5 {
		t.Fatalf("codes of the replaced account: %d %v", n, err)
	}
}
