package oauth

import (
	"math/rand/v2"
	"testing"

	"usergraph/internal/scopes"
)

// TestMeet checks meet's promise against the whole registry: a scope is allowed by meet(a, b)
// exactly when a and b both allow it.
func TestMeet(t *testing.T) {
	reg := scopes.Default()
	s := &Service{scopes: reg}
	var names []string
	for _, sc := range reg.All() {
		names = append(names, sc.Name)
	}
	pick := func(r *rand.Rand) []string {
		out := []string{}
		for range r.IntN(4) {
			out = append(out, names[r.IntN(len(names))])
		}
		return out
	}
	r := rand.New(rand.NewPCG(1, 2))
	cases := [][2][]string{
		{{"delegated:all"}, {"*", "client:all"}},
		{{"*"}, {"delegated:profile:read"}},
		{{"delegated:profile:all", "admin:all"}, {"delegated:all", "admin:profile:read"}},
		{{}, {"*"}},
	}
	for range 500 {
		cases = append(cases, [2][]string{pick(r), pick(r)})
	}
	for _, c := range cases {
		m := s.meet(c[0], c[1])
		for _, x := range names {
			if got, want := reg.Allowed(x, m), reg.Allowed(x, c[0]) && reg.Allowed(x, c[1]); got != want {
				t.Fatalf("meet(%v, %v) = %v: %s allowed %v, want %v", c[0], c[1], m, x, got, want)
			}
		}
	}
}
