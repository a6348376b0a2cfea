package validate

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var (
	usernameRe = regexp.MustCompile(`(?i)^[a-z_][a-z0-9._]*$`)
	nameRe     = regexp.MustCompile(`^[\p{L}\p{M}'-]+$`)
)

type ruleCase struct {
	name     string
	v        any
	required bool
	want     int // number of entries
}

func runRule(t *testing.T, rule string, fn func(c *Checker, v any, required bool) bool, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(rule+"/"+tc.name, func(t *testing.T) {
			c := New(Body)
			ok := fn(c, tc.v, tc.required)
			errs := c.Errors()
			if len(errs) != tc.want {
				t.Fatalf("%s(%#v): got %d entries %+v, want %d", rule, tc.v, len(errs), errs, tc.want)
			}
			if ok != (tc.want == 0) {
				t.Fatalf("%s(%#v): returned %v with %d entries", rule, tc.v, ok, len(errs))
			}
			if tc.want == 0 && errs != nil {
				t.Fatalf("Errors() should be nil when valid")
			}
			for _, e := range errs {
				if e.Type != "field" || e.Msg != "Invalid value" || e.Location != "body" || e.Path != rule {
					t.Fatalf("bad entry %+v", e)
				}
			}
		})
	}
}

func rep(s string, n int) string { return strings.Repeat(s, n) }

func TestUsername(t *testing.T) {
	runRule(t, "username", func(c *Checker, v any, req bool) bool { return c.Username("username", v, req, usernameRe) }, []ruleCase{
		{"valid", "john_doe", true, 0},
		{"uppercase with i flag", "JohnDoe", true, 0},
		{"leading underscore", "_john.doe1", true, 0},
		{"min 6", "abcdef", true, 0},
		{"max 30", rep("a", 30), true, 0},
		{"5 too short", "abcde", true, 1},
		{"31 too long", rep("a", 31), true, 1},
		{"leading digit", "1abcdef", true, 1},
		{"space", "john doe", true, 1},
		{"short and bad chars", "a!", true, 2},
		{"empty", "", true, 2},
		{"number", 123.0, true, 3},
		{"object", map[string]any{"a": 1.0}, true, 2}, // "[object Object]" has a valid length
		{"null", Null, true, 3},
		{"absent optional", nil, false, 0},
		{"absent required", nil, true, 4},
		{"unset is just a string", Unset, true, 0},
	})
	// Without the i flag uppercase fails.
	c := New(Body)
	c.Username("username", "JohnDoe", true, regexp.MustCompile(DefaultUsernamePattern))
	if len(c.Errors()) != 1 {
		t.Fatalf("case-sensitive regex: %+v", c.Errors())
	}
	// nil regex means the default, case-insensitive.
	c = New(Body)
	c.Username("username", "JohnDoe", true, nil)
	if !c.Valid() {
		t.Fatalf("nil regex: %+v", c.Errors())
	}
	re, err := UsernameRegexp(DefaultUsernamePattern)
	if err != nil || !re.MatchString("ABC_def") {
		t.Fatalf("UsernameRegexp: %v", err)
	}
}

func TestPassword(t *testing.T) {
	runRule(t, "password", func(c *Checker, v any, req bool) bool { return c.Password("password", v, req, nil) }, []ruleCase{
		{"min 8", "12345678", true, 0},
		{"max 128", rep("x", 128), true, 0},
		{"7", "1234567", true, 1},
		{"129", rep("x", 129), true, 1},
		{"unicode counts code points", rep("é", 8), true, 0},
		{"emoji counts one each", rep("😀", 8), true, 0},
		{"number", 12345678.0, true, 1},
		{"short number", 1234.0, true, 2},
		{"absent required", nil, true, 3},
		{"absent optional", nil, false, 0},
		{"bool", true, true, 2},
	})
	extra := regexp.MustCompile(`[0-9]`)
	runRule(t, "password", func(c *Checker, v any, req bool) bool { return c.Password("password", v, req, extra) }, []ruleCase{
		{"matches extra", "abcdefg1", true, 0},
		{"misses extra", "abcdefgh", true, 1},
		{"short and misses", "abc", true, 2},
	})
}

func TestEmail(t *testing.T) {
	valid := []string{
		"user@example.com",
		"first.last+tag@sub.example.co.uk",
		"x@ab.io",
		"o'brien@example.org",
		"user@xn--bcher-kva.example",
		"user@example.xn--p1ai",
		"josé@exämple.com",
		"用户@例子.广告",
		`"john doe"@example.com`,
		`"a@b"@example.com`,
		rep("a", 64) + "@example.com",
		"a@" + rep("b", 63) + ".com",
		"UPPER@EXAMPLE.COM",
		"a-b@a-b.c-d.com",
	}
	invalid := []any{
		"",
		"plain",
		"@example.com",
		"user@",
		"user@localhost",
		"user@example",
		"user@example.c",
		"user@example.123",
		"user@example..com",
		"user@-example.com",
		"user@example-.com",
		"user@ex_ample.com",
		"user@exa mple.com",
		"user@[127.0.0.1]",
		"user@127.0.0.1",
		".user@example.com",
		"user.@example.com",
		"us..er@example.com",
		"us er@example.com",
		"a@b@example.com",
		`"unclosed@example.com`,
		"user@ｅxample.com",
		rep("a", 65) + "@example.com",
		"a@" + rep("b", 64) + ".com",
		rep("a", 60) + "@" + rep(rep("b", 60)+".", 4) + "com", // > 254
		"Display <user@example.com>",
		123.0,
		true,
		[]any{"user@example.com"},
		map[string]any{},
		Null,
	}
	var cases []ruleCase
	for _, s := range valid {
		cases = append(cases, ruleCase{"valid " + s, s, true, 0})
	}
	for _, v := range invalid {
		cases = append(cases, ruleCase{"invalid " + jsString(v), v, true, 1})
	}
	cases = append(cases, ruleCase{"absent required", nil, true, 2}, ruleCase{"absent optional", nil, false, 0})
	runRule(t, "email", func(c *Checker, v any, req bool) bool { return c.Email("email", v, req) }, cases)
}

func TestName(t *testing.T) {
	cases := []ruleCase{
		{"José", "José", true, 0},
		{"O'Brien", "O'Brien", true, 0},
		{"Anne-Marie", "Anne-Marie", true, 0},
		{"Zoë combining", "Zoe\u0308", true, 0},
		{"Chinese", "张伟", true, 0},
		{"one letter", "J", true, 0},
		{"32", rep("a", 32), true, 0},
		{"33", rep("a", 33), true, 1},
		{"space", "John Smith", true, 1},
		{"digit", "John2", true, 1},
		{"empty", "", true, 2},
		{"number", 5.0, true, 2},
		{"absent required", nil, true, 4},
		{"absent optional", nil, false, 0},
		{"unset not accepted", Unset, true, 1},
	}
	runRule(t, "firstName", func(c *Checker, v any, req bool) bool { return c.Name("firstName", v, req, nameRe) }, cases)
	runRule(t, "firstName", func(c *Checker, v any, req bool) bool { return c.Name("firstName", v, req, nil) }, cases[:3])
}

func TestMiddleName(t *testing.T) {
	runRule(t, "middleName", func(c *Checker, v any, req bool) bool { return c.MiddleName("middleName", v, req, nameRe) }, []ruleCase{
		{"unset", Unset, false, 0},
		{"José", "José", false, 0},
		{"Anne-Marie", "Anne-Marie", false, 0},
		{"space", "Mary Ann", false, 1},
		{"unset prefix", "__unset__x", false, 1},
		{"33", rep("b", 33), false, 1},
		{"empty", "", false, 2},
		{"absent", nil, false, 0},
		{"null", Null, false, 3},
	})
	// An unanchored custom regex gets anchored by the wrapping, as in Liquid.
	c := New(Body)
	c.MiddleName("middleName", "ab1", false, regexp.MustCompile(`[a-z]+`))
	if c.Valid() {
		t.Fatalf("wrapped regex should be anchored")
	}
	c = New(Body)
	c.MiddleName("middleName", Unset, false, regexp.MustCompile(`[a-z]+`))
	if !c.Valid() {
		t.Fatalf("unset with custom regex: %+v", c.Errors())
	}
}

func TestPhone(t *testing.T) {
	runRule(t, "phone", func(c *Checker, v any, req bool) bool { return c.Phone("phone", v, req) }, []ruleCase{
		{"10", "9876543210", false, 0},
		{"12", "987654321012", false, 0},
		{"characters not checked", "abcdefghij", false, 0},
		{"9", "987654321", false, 1},
		{"13", "9876543210123", false, 1},
		{"number", 9876543210.0, false, 1},
		{"short number", 12.0, false, 2},
	})
	runRule(t, "phoneCountryCode", func(c *Checker, v any, req bool) bool { return c.PhoneCountryCode("phoneCountryCode", v, req) }, []ruleCase{
		{"+1", "+1", false, 0},
		{"+91", "+91", false, 0},
		{"91", "91", false, 0},
		{"1234", "1234", false, 0},
		{"+123", "+123", false, 0},
		{"1 (regex passes)", "1", false, 1},
		{"+", "+", false, 2},
		{"+1234", "+1234", false, 1},
		{"12345", "12345", false, 1},
		{"1234567", "1234567", false, 2},
		{"letters", "ab", false, 1},
		{"newline", "+1\nab", false, 1},
		{"number", 91.0, false, 1},
	})
}

func TestGenderOrganization(t *testing.T) {
	runRule(t, "gender", func(c *Checker, v any, req bool) bool { return c.Gender("gender", v, req) }, []ruleCase{
		{"Male", "Male", false, 0},
		{"two words", "Non binary", false, 0},
		{"2", "ab", false, 0},
		{"unset", Unset, false, 0},
		{"1", "m", false, 1},
		{"128", rep("a", 128), false, 0},
		{"129", rep("a", 129), false, 1},
		{"hyphen", "non-binary", false, 1},
		{"empty", "", false, 2},
	})
	runRule(t, "organization", func(c *Checker, v any, req bool) bool { return c.Organization("organization", v, req) }, []ruleCase{
		{"Acme Inc", "Acme Inc", false, 0},
		{"3", "abc", false, 0},
		{"unset", Unset, false, 0},
		{"2", "ab", false, 1},
		{"ampersand", "A&B Co", false, 1},
		{"129", rep("a", 129), false, 1},
		{"array", []any{"Acme"}, false, 1},
	})
}

func TestPreferredLanguage(t *testing.T) {
	runRule(t, "preferredLanguage", func(c *Checker, v any, req bool) bool { return c.PreferredLanguage("preferredLanguage", v, req) }, []ruleCase{
		{"en", "en", false, 0},
		{"ta", "ta", false, 0},
		{"zu", "zu", false, 0},
		{"EN", "EN", false, 1},
		{"xx", "xx", false, 1},
		{"eng", "eng", false, 2},
		{"e", "e", false, 2},
		{"digits", "12", false, 2},
		{"unset", Unset, false, 3},
		{"number", 1.0, false, 4},
	})
}

func TestLengthOnlyRules(t *testing.T) {
	runRule(t, "bio", func(c *Checker, v any, req bool) bool { return c.Bio("bio", v, req) }, []ruleCase{
		{"3", "abc", false, 0},
		{"256", rep("a", 256), false, 0},
		{"2", "ab", false, 1},
		{"257", rep("a", 257), false, 1},
		{"unset", Unset, false, 0},
		{"object", map[string]any{}, false, 1},
	})
	runRule(t, "pronouns", func(c *Checker, v any, req bool) bool { return c.Pronouns("pronouns", v, req) }, []ruleCase{
		{"she/her", "she/her", false, 0},
		{"24", rep("a", 24), false, 0},
		{"25", rep("a", 25), false, 1},
		{"2", "he", false, 1},
	})
	runRule(t, "code", func(c *Checker, v any, req bool) bool { return c.StringLen("code", v, req, 3, 128) }, []ruleCase{
		{"3", "abc", true, 0},
		{"2", "ab", true, 1},
		{"129", rep("a", 129), true, 1},
		{"absent", nil, true, 3},
	})
	runRule(t, "id", func(c *Checker, v any, req bool) bool { return c.StringLen("id", v, req, 0, -1) }, []ruleCase{
		{"long", rep("a", 5000), true, 0},
		{"empty", "", true, 0},
		{"number", 1.0, true, 1},
	})
	runRule(t, "inviteCode", func(c *Checker, v any, req bool) bool { return c.StringLen("inviteCode", v, req, 0, -1) }, []ruleCase{
		{"string", "x", false, 0},
		{"number", 1.0, false, 1},
		{"absent", nil, false, 0},
	})
}

func TestCustomLink(t *testing.T) {
	runRule(t, "customLink", func(c *Checker, v any, req bool) bool { return c.CustomLink("customLink", v, req) }, []ruleCase{
		{"https", "https://example.com", false, 0},
		{"path query", "http://example.com/a/b?c=d#e", false, 0},
		{"port", "https://example.com:8443/x", false, 0},
		{"unset", Unset, false, 0},
		{"256", "https://example.com/" + rep("a", 236), false, 0},
		{"257", "https://example.com/" + rep("a", 237), false, 1},
		{"relative", "/path", false, 1},
		{"no scheme", "example.com", false, 1},
		{"no host", "https://", false, 1},
		{"mailto", "mailto:a@b.com", false, 1},
		{"bad port", "https://example.com:99999", false, 1},
		{"space in host", "https://exa mple.com", false, 1},
		{"empty", "", false, 1},
		{"number", 5.0, false, 1},
		{"long non-url", rep("a", 300), false, 2},
	})
}

func TestCountry(t *testing.T) {
	runRule(t, "country", func(c *Checker, v any, req bool) bool { return c.Country("country", v, req) }, []ruleCase{
		{"IN", "IN", false, 0},
		{"US", "US", false, 0},
		{"CW", "CW", false, 0},
		{"AN (Liquid)", "AN", false, 0},
		{"lowercase", "in", false, 1},
		{"XX", "XX", false, 1},
		{"alpha-3", "IND", false, 1},
		{"unset", Unset, false, 1},
		{"number", 1.0, false, 2},
	})
}

func TestBool(t *testing.T) {
	runRule(t, "state", func(c *Checker, v any, req bool) bool { return c.Bool("state", v, req) }, []ruleCase{
		{"true", true, true, 0},
		{"false", false, true, 0},
		{"string true", "true", true, 1},
		{"number", 1.0, true, 1},
		{"null", Null, true, 1},
		{"absent required", nil, true, 2},
		{"absent optional", nil, false, 0},
	})
}

func TestCustomData(t *testing.T) {
	runRule(t, "customData", func(c *Checker, v any, req bool) bool { return c.CustomData("customData", v, req) }, []ruleCase{
		{"null", Null, true, 0},
		{"true", true, true, 0},
		{"false", false, true, 0},
		{"object", map[string]any{"a": nil}, true, 0},
		{"array", []any{1.0}, true, 0},
		{"string", "{}", true, 1},
		{"number", 0.0, true, 1},
		{"absent required", nil, true, 2},
		{"absent optional", nil, false, 0},
	})
}

func TestObjectID(t *testing.T) {
	for s, want := range map[string]bool{
		"507f1f77bcf86cd799439011":  true,
		"507F1F77BCF86CD799439011":  true,
		"507f1f77bcf86cd79943901":   false,
		"507f1f77bcf86cd7994390111": false,
		"507f1f77bcf86cd79943901g":  false,
		"":                          false,
	} {
		if IsObjectID(s) != want {
			t.Errorf("IsObjectID(%q) = %v", s, !want)
		}
	}
	runRule(t, "target", func(c *Checker, v any, req bool) bool { return c.ObjectID("target", v, req, 64) }, []ruleCase{
		{"valid", "507f1f77bcf86cd799439011", true, 0},
		{"bad", "not-an-id", true, 1},
		{"too long", rep("a", 65), true, 2},
		{"number", 5.0, true, 2},
		{"absent", nil, true, 3},
		{"absent optional", nil, false, 0},
	})
}

func TestOneOfIntArray(t *testing.T) {
	runRule(t, "type", func(c *Checker, v any, req bool) bool {
		return c.OneOf("type", v, req, "increment", "decrement", "set")
	}, []ruleCase{
		{"set", "set", true, 0},
		{"SET", "SET", true, 1},
		{"other", "add", true, 1},
		{"number", 1.0, true, 2},
		{"absent", nil, true, 3},
	})
	runRule(t, "ranking", func(c *Checker, v any, req bool) bool { return c.Int("ranking", v, req, 1) }, []ruleCase{
		{"1", 1.0, true, 0},
		{"big", 1e6, true, 0},
		{"0", 0.0, true, 1},
		{"negative", -3.0, true, 1},
		{"fraction", 1.5, true, 1},
		{"string", "5", true, 1},
		{"json.Number", json.Number("7"), true, 0},
		{"absent", nil, true, 2},
	})
	runRule(t, "grants", func(c *Checker, v any, req bool) bool {
		return c.StringArray("grants", v, req, "authorization_code", "refresh_token")
	}, []ruleCase{
		{"valid", []any{"authorization_code", "refresh_token"}, true, 0},
		{"empty", []any{}, true, 0},
		{"one bad", []any{"authorization_code", "password"}, true, 1},
		{"two bad", []any{"x", 1.0}, true, 2},
		{"string", "authorization_code", true, 1},
		{"absent", nil, true, 2},
	})
	runRule(t, "body", func(c *Checker, v any, req bool) bool { return c.Array("body", v, req) }, []ruleCase{
		{"array", []any{}, true, 0},
		{"object", map[string]any{}, true, 1},
	})
}

func TestEntryValues(t *testing.T) {
	c := New(Body)
	c.Username("username", 123.0, true, usernameRe)
	c.Password("password", nil, true, nil)
	c.Phone("phone", Null, false)
	c.Pronouns("pronouns", []any{"ab", "abcd", nil}, false)
	want := Errors{
		{"field", 123.0, Msg, "username", Body},
		{"field", 123.0, Msg, "username", Body},
		{"field", 123.0, Msg, "username", Body},
		{"field", nil, Msg, "password", Body},
		{"field", nil, Msg, "password", Body},
		{"field", nil, Msg, "password", Body},
		{"field", Null, Msg, "phone", Body},
		{"field", Null, Msg, "phone", Body},
		{"field", []any{"ab", "abcd", nil}, Msg, "pronouns", Body},
		{"field", "ab", Msg, "pronouns", Body},
		{"field", Null, Msg, "pronouns", Body},
	}
	if got := c.Errors(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if got := c.Errors().Paths(); !reflect.DeepEqual(got, []string{"username", "password", "phone", "pronouns"}) {
		t.Fatalf("Paths: %v", got)
	}
	var err error = c.Errors()
	if err.Error() != "invalid value for username, password, phone, pronouns" {
		t.Fatalf("Error(): %q", err.Error())
	}
}

func TestJSON(t *testing.T) {
	cases := []struct {
		name string
		run  func(c *Checker)
		want string
	}{
		{"value", func(c *Checker) { c.Username("username", "a", true, usernameRe) },
			`[{"type":"field","value":"a","msg":"Invalid value","path":"username","location":"body"}]`},
		{"absent has no value key", func(c *Checker) { c.Bool("state", nil, true) },
			`[{"type":"field","msg":"Invalid value","path":"state","location":"body"},` +
				`{"type":"field","msg":"Invalid value","path":"state","location":"body"}]`},
		{"null value", func(c *Checker) { c.Bool("state", Null, true) },
			`[{"type":"field","value":null,"msg":"Invalid value","path":"state","location":"body"}]`},
		{"empty string kept", func(c *Checker) { c.Country("country", "", false) },
			`[{"type":"field","value":"","msg":"Invalid value","path":"country","location":"body"}]`},
		{"nested path", func(c *Checker) { c.Bool("[0].emailVerified", map[string]any{"a": nil}, false) },
			`[{"type":"field","value":{"a":null},"msg":"Invalid value","path":"[0].emailVerified","location":"body"}]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := New(Body)
			tc.run(c)
			b, err := json.Marshal(c.Errors())
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Fatalf("got  %s\nwant %s", b, tc.want)
			}
		})
	}
	// A single entry encodes exactly as the spec shows.
	b, _ := json.Marshal(FieldError{Type: "field", Value: "a", Msg: Msg, Path: "username", Location: Body})
	if string(b) != `{"type":"field","value":"a","msg":"Invalid value","path":"username","location":"body"}` {
		t.Fatalf("FieldError JSON: %s", b)
	}
	// Query location.
	q := New(Query)
	q.ObjectID("target", "x", true, 64)
	if e := q.Errors(); len(e) != 1 || e[0].Location != "query" || e[0].Value != "x" {
		t.Fatalf("query: %+v", e)
	}
}

func TestField(t *testing.T) {
	var body map[string]any
	if err := json.Unmarshal([]byte(`{"customData":null,"username":"JohnDoe","n":5}`), &body); err != nil {
		t.Fatal(err)
	}
	if Field(body, "missing") != nil || Field(nil, "x") != nil {
		t.Fatal("absent should be nil")
	}
	if !IsNull(Field(body, "customData")) || IsNull(Field(body, "username")) {
		t.Fatal("null should be Null")
	}
	c := New(Body)
	c.CustomData("customData", Field(body, "customData"), true)
	c.Username("username", Field(body, "username"), true, usernameRe)
	c.Bio("bio", Field(body, "bio"), false)
	c.Int("n", Field(body, "n"), true, 1)
	if !c.Valid() {
		t.Fatalf("unexpected errors %+v", c.Errors())
	}
	c.Add("inviteCode", nil)
	if e := c.Errors(); len(e) != 1 || e[0].Path != "inviteCode" || e[0].Value != nil {
		t.Fatalf("Add: %+v", e)
	}
}

func TestBulkPaths(t *testing.T) {
	var body []any
	if err := json.Unmarshal([]byte(`[{"username":"good_user"},{"username":"bad"},{}]`), &body); err != nil {
		t.Fatal(err)
	}
	c := New(Body)
	for i, el := range body {
		m, _ := el.(map[string]any)
		c.Username("["+itoa(i)+"].username", Field(m, "username"), true, usernameRe)
	}
	got := c.Errors().Paths()
	if !reflect.DeepEqual(got, []string{"[1].username", "[2].username"}) {
		t.Fatalf("paths %v", got)
	}
}

func itoa(i int) string { return jsNumber(float64(i)) }

func TestLengthAndJSString(t *testing.T) {
	for s, n := range map[string]int{"": 0, "abc": 3, "José": 4, "😀": 1, "❤️": 1, "e\u0301": 2} {
		if Length(s) != n {
			t.Errorf("Length(%q) = %d, want %d", s, Length(s), n)
		}
	}
	for v, s := range map[any]string{1.0: "1", 1.5: "1.5", -2.0: "-2", 1e21: "1e+21", 1e-7: "1e-7", true: "true", "x": "x"} {
		if got := jsString(v); got != s {
			t.Errorf("jsString(%v) = %q, want %q", v, got, s)
		}
	}
	if jsString(map[string]any{}) != "[object Object]" || jsString([]any{1.0, nil, "a"}) != "1,,a" || jsString(Null) != "" {
		t.Error("jsString composite")
	}
}

func TestSanitizeEmail(t *testing.T) {
	cases := []struct {
		in    string
		gmail bool
		want  string
	}{
		{"John.Doe+news@Gmail.com", true, "johndoe@gmail.com"},
		{"j.o.h.n@gmail.com", true, "john@gmail.com"},
		{"john+a+b@gmail.com", true, "john@gmail.com"},
		{"John.Doe+news@Gmail.com", false, "john.doe+news@gmail.com"},
		{"John.Doe+news@googlemail.com", true, "john.doe+news@googlemail.com"},
		{"John.Doe+news@example.com", true, "john.doe+news@example.com"},
		{"john@gmail.com.evil.com", true, "john@gmail.com.evil.com"},
		{"USER@EXAMPLE.COM", true, "user@example.com"},
	}
	for _, tc := range cases {
		if got := SanitizeEmail(tc.in, tc.gmail); got != tc.want {
			t.Errorf("SanitizeEmail(%q, %v) = %q, want %q", tc.in, tc.gmail, got, tc.want)
		}
	}
}

func TestIsURLIsEmailHelpers(t *testing.T) {
	if !IsURL("https://example.com") || IsURL(" https://example.com") || IsURL("example.com") {
		t.Error("IsURL")
	}
	if !IsEmail("a@b.co") || IsEmail("a@b") {
		t.Error("IsEmail")
	}
	if !IsLanguage("en") || IsLanguage("EN") || !IsCountry("IN") || IsCountry("in") {
		t.Error("IsLanguage/IsCountry")
	}
}
