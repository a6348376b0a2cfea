package secret

import (
	"regexp"
	"testing"
)

func TestShapes(t *testing.T) {
	cases := []struct {
		name string
		got  func() string
		re   string
	}{
		{"token", func() string { return Token(32) }, `^[0-9a-f]{64}$`},
		{"digits", func() string { return Digits(6) }, `^[1-9][0-9]{5}$`},
		{"alnum", func() string { return Alnum(64) }, `^[0-9a-z]{64}$`},
		{"hash", func() string { return Hash("x") }, `^[0-9a-f]{64}$`},
	}
	for _, c := range cases {
		seen := map[string]bool{}
		for i := 0; i < 200; i++ {
			v := c.got()
			if !regexp.MustCompile(c.re).MatchString(v) {
				t.Fatalf("%s: %q does not match %s", c.name, v, c.re)
			}
			seen[v] = true
		}
		if c.name != "hash" && len(seen) < 150 {
			t.Fatalf("%s: too many repeats (%d distinct of 200)", c.name, len(seen))
		}
	}
}

func TestEqual(t *testing.T) {
	if !Equal("abc", "abc") || Equal("abc", "abd") || Equal("abc", "ab") {
		t.Fatal("Equal is wrong")
	}
}
