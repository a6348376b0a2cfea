package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"usergraph/ent/user"
	"usergraph/internal/apitest"
	"usergraph/internal/config"
)

const gqlSignUp = `mutation($in: SignUpInput!) { signUp(input: $in) { id username emailVerified createdAt } }`

func TestSignUpREST(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	body := with(signUpBody("alice_smith"), "email", "Alice.Smith@Example.com")
	r := s.Post(t, "/user/create", "", body).Expect(t, http.StatusCreated, "")
	if r.Body["ok"] != float64(1) {
		t.Fatalf("envelope: %s", r.Raw)
	}
	doc := obj(r.Data(), "user")
	checkUserDoc(t, doc, r.Raw)
	noSecrets(t, r, "correct-horse-1")
	for k, want := range map[string]any{
		"username": "alice_smith", "email": "Alice.Smith@Example.com", "sanitizedEmail": "alice.smith@example.com",
		"firstName": "Test", "lastName": "User", "emailVerified": false, "role": "user", "credits": float64(0),
		"isBanned": false, "isDeleted": false, "isPrivate": false, "followerCount": float64(0), "__v": float64(0),
	} {
		if !jsonEqual(doc[k], want) {
			t.Errorf("user.%s = %v, want %v", k, doc[k], want)
		}
	}
	if !jsonEqual(doc["scope"], []string{"delegated:all"}) {
		t.Errorf("scope = %v", doc["scope"])
	}

	// The code is mailed: first word of the subject, six digits.
	m := s.Mail.WaitFor(t, "Alice.Smith@Example.com", 10*time.Second)
	code := strings.Fields(m.Subject)[0]
	if !sixDigits.MatchString(code) || m.Subject != code+" is your usergraph verification code" {
		t.Fatalf("subject %q", m.Subject)
	}
	if !strings.Contains(m.Text, code) {
		t.Fatalf("mail text does not carry the code: %q", m.Text)
	}

	// Until verified, the password opens nothing.
	restLogin(t, s, "alice_smith", "correct-horse-1").Expect(t, http.StatusUnauthorized, "ResourceNotActive")
	s.Get(t, "/user/verify-email?target="+doc["_id"].(string)+"&code="+code, "").Expect(t, http.StatusOK, "")
	restLogin(t, s, "alice_smith", "correct-horse-1").Expect(t, http.StatusOK, "")
}

func TestSignUpGraphQL(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	r := s.GraphQL(t, "", gqlSignUp, map[string]any{"in": signUpBody("bob_jones")})
	u := obj(expectGQLOK(t, r), "signUp")
	if !objectIDRe.MatchString(u["id"].(string)) || u["username"] != "bob_jones" || u["emailVerified"] != false {
		t.Fatalf("signUp: %s", r.Raw)
	}
	noSecrets(t, r, "correct-horse-1")
	code := s.Mail.Code(t, "bob_jones@example.com")
	r = s.GraphQL(t, "", `mutation($id: ID!, $c: String!) { verifyEmail(userId: $id, code: $c) }`,
		map[string]any{"id": u["id"], "c": code})
	if expectGQLOK(t, r)["verifyEmail"] != true {
		t.Fatalf("verifyEmail: %s", r.Raw)
	}
	s.Tokens(t, "bob_jones", "correct-horse-1")
}

func TestSignUpValidation(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	long := strings.Repeat("a", 31)
	cases := []struct {
		name  string
		body  map[string]any
		path  string
		value any
		rest  bool // only REST can send a non-string
	}{
		{"username too short", with(signUpBody("x"), "username", "abc"), "username", "abc", false},
		{"username too long", with(signUpBody("x"), "username", long), "username", long, false},
		{"username object", with(signUpBody("x"), "username", map[string]any{"$ne": 1}), "username", map[string]any{"$ne": 1}, true},
		{"username bad characters", with(signUpBody("x"), "username", "bad name!"), "username", "bad name!", false},
		{"username missing", with(signUpBody("x"), "username", nil), "username", absent, true},
		{"password too short", with(signUpBody("good_name"), "password", "short"), "password", "short", false},
		{"bad email", with(signUpBody("good_name"), "email", "not-an-email"), "email", "not-an-email", false},
		{"first name with a space", with(signUpBody("good_name"), "firstName", "Mary Ann"), "firstName", "Mary Ann", false},
		{"last name too long", with(signUpBody("good_name"), "lastName", strings.Repeat("b", 33)), "lastName", strings.Repeat("b", 33), false},
		{"phone without country code", with(signUpBody("good_name"), "phone", "5551234567"), "phoneCountryCode", absent, false},
		{"bad country code", with(signUpBody("good_name"), "phone", "5551234567", "phoneCountryCode", "+12345"), "phoneCountryCode", "+12345", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Post(t, "/user/create", "", tc.body)
			expectFieldError(t, r, tc.path, tc.value)
			if loc := firstFieldError(t, r)["location"]; loc != "body" {
				t.Fatalf("location %v", loc)
			}
			if tc.rest {
				return
			}
			g := s.GraphQL(t, "", gqlSignUp, map[string]any{"in": tc.body})
			expectGQLFieldError(t, g, "input."+tc.path)
		})
	}
	// Nothing was created by the failures.
	if n := s.App.DB.User.Query().CountX(context.Background()); n != 0 {
		t.Fatalf("%d users left behind", n)
	}
	// A body that is not a JSON object is a 400, not a 500.
	s.Post(t, "/user/create", "", `[1,2]`).Expect(t, http.StatusBadRequest, "ClientInputError")
	s.Post(t, "/user/create", "", `{"username":`).Expect(t, http.StatusBadRequest, "ClientInputError")
}

func TestSignUpDuplicateVerified(t *testing.T) {
	t.Parallel()
	s := apitest.New(t)
	s.SignUp(t, "carol_king")
	cases := []struct {
		name string
		body map[string]any
		dup  []string
	}{
		{"username and email", signUpBody("carol_king"), []string{"username", "email"}},
		{"username in other case", with(signUpBody("Carol_King"), "email", "other@example.com"), []string{"username"}},
		{"email only", with(signUpBody("someone_else"), "email", "carol_king@example.com"), []string{"email"}},
		{"email sanitised alike", with(signUpBody("someone_else"), "email", "CAROL_KING@example.com"), []string{"email"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Post(t, "/user/create", "", tc.body).Expect(t, http.StatusConflict, "ResourceConflict")
			if !jsonEqual(obj(r.Body, "additionalInfo")["duplicateFields"], tc.dup) {
				t.Fatalf("duplicateFields: %s", r.Raw)
			}
			g := s.GraphQL(t, "", gqlSignUp, map[string]any{"in": tc.body})
			e := expectGQLError(t, g, "CONFLICT")
			if !jsonEqual(obj(e, "extensions", "details")["duplicateFields"], tc.dup) {
				t.Fatalf("GraphQL duplicateFields: %s", g.Raw)
			}
		})
	}
}

func TestSignUpReplacesUnverified(t *testing.T) {
	t.Parallel()
	for _, preserve := range []bool{true, false} {
		t.Run(map[bool]string{true: "preserve id", false: "new id"}[preserve], func(t *testing.T) {
			t.Parallel()
			s := apitest.New(t, func(c *config.Config) { c.Account.PreserveUnverifiedUserID = preserve })
			first := s.Post(t, "/user/create", "", signUpBody("dave_brown")).Expect(t, http.StatusCreated, "")
			oldID := obj(first.Data(), "user")["_id"].(string)
			oldCode := s.Mail.Code(t, "dave_brown@example.com")

			again := with(signUpBody("dave_brown"), "password", "another-pass-2", "firstName", "David")
			second := s.Post(t, "/user/create", "", again).Expect(t, http.StatusCreated, "")
			doc := obj(second.Data(), "user")
			newID := doc["_id"].(string)
			if preserve && newID != oldID || !preserve && newID == oldID {
				t.Fatalf("preserve=%v: old id %s, new id %s", preserve, oldID, newID)
			}
			if doc["firstName"] != "David" {
				t.Fatalf("not replaced: %s", second.Raw)
			}
			if n := s.App.DB.User.Query().CountX(context.Background()); n != 1 {
				t.Fatalf("%d users, want 1", n)
			}
			newCode := s.Mail.Code(t, "dave_brown@example.com")
			if oldCode != newCode {
				// The first account's code died with it.
				s.Get(t, "/user/verify-email?target="+newID+"&code="+oldCode, "").Expect(t, http.StatusBadRequest, "ClientInputError")
			}
			s.Get(t, "/user/verify-email?target="+newID+"&code="+newCode, "").Expect(t, http.StatusOK, "")
			restLogin(t, s, "dave_brown", "correct-horse-1").Expect(t, http.StatusUnauthorized, "Unauthorized")
			restLogin(t, s, "dave_brown", "another-pass-2").Expect(t, http.StatusOK, "")
		})
	}
}

func TestSignUpWithoutEmailVerification(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.Account.RequireEmailVerification = false })
	r := s.Post(t, "/user/create", "", signUpBody("erin_green")).Expect(t, http.StatusCreated, "")
	if obj(r.Data(), "user")["emailVerified"] != true {
		t.Fatalf("not verified: %s", r.Raw)
	}
	g := expectGQLOK(t, s.GraphQL(t, "", gqlSignUp, map[string]any{"in": signUpBody("frank_white")}))
	if obj(g, "signUp")["emailVerified"] != true {
		t.Fatalf("GraphQL: not verified: %v", g)
	}
	restLogin(t, s, "erin_green", "correct-horse-1").Expect(t, http.StatusOK, "")
	s.App.Accounts.Wait()
	for _, m := range s.Mail.Messages() {
		t.Errorf("unexpected mail %q to %v", m.Subject, m.To)
	}
}

func TestSignUpDisabled(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.Privilege.CanCreateAccount = false })
	s.Post(t, "/user/create", "", signUpBody("gina_black")).Expect(t, http.StatusNotFound, "NotFound")
	expectGQLError(t, s.GraphQL(t, "", gqlSignUp, map[string]any{"in": signUpBody("gina_black")}), "NOT_FOUND")
}

func TestSignUpWhitelistedDomains(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) {
		c.Account.AllowOnlyWhitelistedDomains = true
		c.Account.WhitelistedDomains = []string{"example.com"}
	})
	bad := with(signUpBody("hank_gray"), "email", "hank@elsewhere.org")
	s.Post(t, "/user/create", "", bad).Expect(t, http.StatusBadRequest, "BadEmailDomain")
	expectGQLError(t, s.GraphQL(t, "", gqlSignUp, map[string]any{"in": bad}), "BAD_EMAIL_DOMAIN")
	s.Post(t, "/user/create", "", with(signUpBody("hank_gray"), "email", "Hank@EXAMPLE.com")).Expect(t, http.StatusCreated, "")
}

func TestSignUpIPThrottle(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.Account.EnableIPThrottle = true })
	s.Post(t, "/user/create", "", signUpBody("ivan_blue")).Expect(t, http.StatusCreated, "")
	s.Post(t, "/user/create", "", signUpBody("jane_rose")).Expect(t, http.StatusTooManyRequests, "CreationThrottled")
	expectGQLError(t, s.GraphQL(t, "", gqlSignUp, map[string]any{"in": signUpBody("jane_rose")}), "CREATION_THROTTLED")
}

// Two sign-ups racing for one username: exactly one wins, the other gets 409 (never a 500).
func TestSignUpConcurrentSameUsername(t *testing.T) {
	t.Parallel()
	for _, verify := range []bool{false, true} {
		t.Run(map[bool]string{false: "created verified", true: "created unverified"}[verify], func(t *testing.T) {
			t.Parallel()
			s := apitest.New(t, func(c *config.Config) { c.Account.RequireEmailVerification = verify })
			const n = 4
			statuses := make([]int, n)
			bodies := make([][]byte, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					b, _ := json.Marshal(with(signUpBody("kate_race"), "email", "kate"+string(rune('a'+i))+"@example.com"))
					<-start
					resp, err := http.Post(s.URL+"/user/create", "application/json", bytes.NewReader(b))
					if err != nil {
						t.Error(err)
						return
					}
					defer resp.Body.Close()
					var buf bytes.Buffer
					buf.ReadFrom(resp.Body)
					statuses[i], bodies[i] = resp.StatusCode, buf.Bytes()
				}()
			}
			close(start)
			wg.Wait()
			// Created verified, the first account makes the others conflicts. Created
			// unverified, a later sign-up may legitimately replace an earlier one; either way
			// every answer is a 201 or a 409 and exactly one account holds the name.
			created := 0
			for i, st := range statuses {
				switch st {
				case http.StatusCreated:
					created++
				case http.StatusConflict:
				default:
					t.Errorf("sign-up %d: %d %s", i, st, bodies[i])
				}
			}
			if !verify && created != 1 || created < 1 {
				t.Errorf("%d sign-ups answered 201: %v", created, statuses)
			}
			if n := s.App.DB.User.Query().Where(user.Username("kate_race")).CountX(context.Background()); n != 1 {
				t.Errorf("%d accounts named kate_race", n)
			}
		})
	}
}

func TestSignUpMailSubjectStartsWithCode(t *testing.T) {
	t.Parallel()
	s := apitest.New(t, func(c *config.Config) { c.Mail.AppName = "Acme Accounts" })
	s.Post(t, "/user/create", "", signUpBody("leo_subject")).Expect(t, http.StatusCreated, "")
	m := s.Mail.WaitFor(t, "leo_subject@example.com", 10*time.Second)
	if !regexp.MustCompile(`^\d{6} is your Acme Accounts verification code$`).MatchString(m.Subject) {
		t.Fatalf("subject %q", m.Subject)
	}
}
