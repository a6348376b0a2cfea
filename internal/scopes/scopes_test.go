package scopes

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestDefaultCount(t *testing.T) {
	r := Default()
	if got := len(r.All()); got != 98 {
		t.Fatalf("len(All()) = %d, want 98", got)
	}
	if got := len(r.Map()); got != 98 {
		t.Fatalf("len(Map()) = %d, want 98", got)
	}
}

func TestTreeShape(t *testing.T) {
	r := Default()
	all := r.All()
	seen := map[string]bool{}
	roots := 0
	for _, s := range all {
		if seen[s.Name] {
			t.Errorf("duplicate scope %q", s.Name)
		}
		seen[s.Name] = true
		if s.Description == "" {
			t.Errorf("%q has no description", s.Name)
		}
		isDelegated := strings.HasPrefix(s.Name, "delegated:")
		if isDelegated != (s.AdminDescription != "") {
			t.Errorf("%q: adminDescription %q (must be set exactly for delegated:* scopes)", s.Name, s.AdminDescription)
		}
		if s.Parent == "" {
			roots++
			if s.Name != Root {
				t.Errorf("%q has no parent", s.Name)
			}
			continue
		}
		if !r.Known(s.Parent) {
			t.Errorf("%q: parent %q does not exist", s.Name, s.Parent)
		}
	}
	if roots != 1 {
		t.Errorf("%d roots, want 1", roots)
	}
	// No cycles: every scope reaches the root within len(all) steps.
	for _, s := range all {
		cur, steps := s, 0
		for cur.Parent != "" {
			steps++
			if steps > len(all) {
				t.Fatalf("cycle above %q", s.Name)
			}
			var ok bool
			if cur, ok = r.Get(cur.Parent); !ok {
				t.Fatalf("%q: broken chain", s.Name)
			}
		}
		if cur.Name != Root {
			t.Errorf("%q does not lead to the root", s.Name)
		}
	}
}

func TestParents(t *testing.T) {
	r := Default()
	tests := map[string]string{
		"*":                                      "",
		"delegated:all":                          "*",
		"client:all":                             "*",
		"admin:all":                              "*",
		"delegated:roles:read":                   "delegated:roles:all",
		"delegated:profile:2fa:write":            "delegated:profile:2fa:all",
		"delegated:profile:search":               "delegated:profile:all",
		"delegated:social:follow:unfollow":       "delegated:social:follow:write",
		"delegated:social:block:read":            "delegated:social:block:all",
		"delegated:social:invite-code:read":      "delegated:social:all",
		"client:oauth:introspect":                "client:oauth:all",
		"client:social:block:read":               "client:social:all",
		"client:profile:create:write":            "client:profile:write",
		"client:profile:access:write":            "client:profile:write",
		"client:profile:custom-data:write":       "client:profile:all",
		"client:profile:sensitive:all":           "client:all",
		"client:profile:sensitive:low:write":     "client:profile:sensitive:write",
		"client:profile:sensitive:extreme:write": "client:profile:sensitive:write",
		"client:configuration:read":              "client:all",
		"admin:system:client:all":                "admin:system:all",
		"admin:system:internal-client:all":       "admin:system:client:all",
		"admin:system:internal-client:delete":    "admin:system:internal-client:all",
		"admin:system:external-client:write":     "admin:system:external-client:all",
		"admin:profile:access:write":             "admin:profile:all",
		"admin:profile:create:write":             "admin:profile:all",
		"admin:profile:verifications:write":      "admin:profile:all",
		"admin:social:invite-code:write":         "admin:social:invite-code:all",
		"admin:social:invite-code:all":           "admin:social:all",
		"admin:profile:sensitive:all":            "admin:all",
		"admin:profile:sensitive:medium:write":   "admin:profile:sensitive:write",
	}
	for name, parent := range tests {
		s, ok := r.Get(name)
		if !ok {
			t.Errorf("Get(%q): missing", name)
			continue
		}
		if s.Parent != parent {
			t.Errorf("%q: parent %q, want %q", name, s.Parent, parent)
		}
	}
}

func TestAllowed(t *testing.T) {
	r := Default()
	tests := []struct {
		scope   string
		granted []string
		want    bool
	}{
		{"delegated:profile:read", []string{"delegated:profile:read"}, true},
		{"delegated:profile:read", []string{"delegated:all"}, true},
		{"delegated:profile:read", []string{"delegated:profile:all"}, true},
		{"delegated:profile:read", []string{"*"}, true},
		{"delegated:profile:read", []string{"delegated:social:all"}, false},
		{"delegated:profile:read", []string{"delegated:profile:write"}, false},
		{"delegated:profile:read", nil, false},
		{"delegated:profile:read", []string{}, false},
		{"delegated:profile:read", []string{"client:all", "delegated:profile:all"}, true},
		{"delegated:social:follow:accept", []string{"delegated:social:follow:write"}, true},
		{"delegated:social:follow:accept", []string{"delegated:social:follow:read"}, false},
		{"admin:profile:sensitive:low:write", []string{"admin:all"}, true},
		{"admin:profile:sensitive:low:write", []string{"admin:profile:all"}, false},
		{"admin:profile:sensitive:low:write", []string{"admin:profile:sensitive:write"}, true},
		{"client:profile:sensitive:low:write", []string{"client:profile:all"}, false},
		{"client:profile:sensitive:low:write", []string{"client:all"}, true},
		{"client:profile:sensitive:low:write", []string{"client:profile:sensitive:all"}, true},
		{"client:profile:access:write", []string{"client:profile:write"}, true},
		{"admin:profile:access:write", []string{"admin:profile:write"}, false},
		{"admin:profile:access:write", []string{"admin:profile:all"}, true},
		{"client:profile:read", []string{"admin:all"}, false},
		{"admin:profile:read", []string{"client:all"}, false},
		{"*", []string{"*"}, true},
		{"*", []string{"admin:all"}, false},
		{"delegated:all", []string{"delegated:profile:all"}, false},
		// Unknown and glob names are refused, even with "*" granted.
		{"admin:*", []string{"*"}, false},
		{"admin:*", []string{"admin:*"}, false},
		{"delegated:profile:*", []string{"delegated:all"}, false},
		{"no:such:scope", []string{"*"}, false},
		{"no:such:scope", []string{"no:such:scope"}, false},
		{"", []string{"*"}, false},
		// A glob in the granted list matches nothing.
		{"admin:profile:read", []string{"admin:*"}, false},
		{"admin:profile:read", []string{"admin:profile:*"}, false},
		// Exact comparison: no trimming or case folding.
		{"admin:profile:read", []string{"Admin:all"}, false},
		{"admin:profile:read", []string{" admin:all"}, false},
	}
	for _, tt := range tests {
		if got := r.Allowed(tt.scope, tt.granted); got != tt.want {
			t.Errorf("Allowed(%q, %q) = %v, want %v", tt.scope, tt.granted, got, tt.want)
		}
	}
}

func TestAllAllowedAndNarrow(t *testing.T) {
	r := Default()
	tests := []struct {
		requested, granted []string
		want               bool
		kept               []string
	}{
		{nil, []string{"*"}, true, []string{}},
		{[]string{"delegated:profile:read", "delegated:social:follow:read"}, []string{"delegated:all"}, true,
			[]string{"delegated:profile:read", "delegated:social:follow:read"}},
		{[]string{"delegated:profile:read", "admin:profile:read"}, []string{"delegated:all"}, false,
			[]string{"delegated:profile:read"}},
		{[]string{"delegated:profile:read", "bogus"}, []string{"*"}, false, []string{"delegated:profile:read"}},
		{[]string{"client:all", "client:all"}, []string{"*"}, true, []string{"client:all"}},
		{[]string{"admin:all"}, nil, false, []string{}},
	}
	for _, tt := range tests {
		if got := r.AllAllowed(tt.requested, tt.granted); got != tt.want {
			t.Errorf("AllAllowed(%q, %q) = %v, want %v", tt.requested, tt.granted, got, tt.want)
		}
		kept, ok := r.Narrow(tt.requested, tt.granted)
		if ok != tt.want || !reflect.DeepEqual(kept, tt.kept) {
			t.Errorf("Narrow(%q, %q) = %q, %v; want %q, %v", tt.requested, tt.granted, kept, ok, tt.kept, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"   ", []string{}},
		{",,", []string{}},
		{"a", []string{"a"}},
		{"a b", []string{"a", "b"}},
		{"a,b", []string{"a", "b"}},
		{"a, b", []string{"a", "b"}},
		{" a ,, b ,", []string{"a", "b"}},
		{"a  b\tc\nd", []string{"a", "b", "c", "d"}},
		{"b a b a", []string{"b", "a"}},
		{"delegated:profile:read,delegated:all delegated:profile:read",
			[]string{"delegated:profile:read", "delegated:all"}},
		{"*", []string{"*"}},
	}
	for _, tt := range tests {
		got := Parse(tt.in)
		if got == nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestExtend(t *testing.T) {
	ok := Scope{Name: "delegated:custom:read", Description: "Read custom things.", Parent: "delegated:all"}
	tests := []struct {
		name  string
		extra []Scope
		want  error
	}{
		{"no name", []Scope{{Description: "x", Parent: "*"}}, ErrNoName},
		{"space in name", []Scope{{Name: "a b", Parent: "*"}}, ErrInvalidName},
		{"comma in name", []Scope{{Name: "a,b", Parent: "*"}}, ErrInvalidName},
		{"existing", []Scope{{Name: "admin:all", Parent: "*"}}, ErrDuplicate},
		{"root again", []Scope{{Name: "*"}}, ErrDuplicate},
		{"duplicate in batch", []Scope{ok, ok}, ErrDuplicate},
		{"no parent", []Scope{{Name: "x:all"}}, ErrNoParent},
		{"unknown parent", []Scope{{Name: "x:read", Parent: "x:all"}}, ErrUnknownParent},
		{"glob parent", []Scope{{Name: "x:read", Parent: "admin:*"}}, ErrUnknownParent},
		{"cycle", []Scope{{Name: "x:a", Parent: "x:b"}, {Name: "x:b", Parent: "x:a"}}, ErrCycle},
		{"self parent", []Scope{{Name: "x:a", Parent: "x:a"}}, ErrCycle},
		// One bad scope rejects the whole batch, so ok is not added.
		{"valid then invalid", []Scope{ok, {Name: "y", Parent: "nope"}}, ErrUnknownParent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Default()
			err := r.Extend(tt.extra)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Extend: err = %v, want %v", err, tt.want)
			}
			if n := len(r.All()); n != 98 {
				t.Fatalf("registry changed after a failed Extend: %d scopes", n)
			}
		})
	}
}

func TestExtendSuccess(t *testing.T) {
	r := Default()
	extra := []Scope{
		// A child may come before its parent in the same batch.
		{Name: "client:custom:read", Description: "Read custom things.", Parent: "client:custom:all"},
		{Name: "client:custom:all", Description: "Manage custom things.", Parent: "client:all"},
	}
	if err := r.Extend(extra); err != nil {
		t.Fatal(err)
	}
	all := r.All()
	if len(all) != 100 {
		t.Fatalf("len(All()) = %d, want 100", len(all))
	}
	if all[98].Name != "client:custom:read" || all[99].Name != "client:custom:all" {
		t.Errorf("extensions not appended in order: %q, %q", all[98].Name, all[99].Name)
	}
	for _, g := range [][]string{{"client:custom:all"}, {"client:all"}, {"*"}} {
		if !r.Allowed("client:custom:read", g) {
			t.Errorf("client:custom:read not allowed by %q", g)
		}
	}
	if r.Allowed("client:custom:read", []string{"admin:all"}) {
		t.Error("client:custom:read allowed by admin:all")
	}
	// Default registries are independent.
	if Default().Known("client:custom:read") {
		t.Error("Extend leaked into another Default() registry")
	}
	// Extending again with the same name fails.
	if err := r.Extend(extra[:1]); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second Extend: err = %v, want ErrDuplicate", err)
	}
}

func TestLoadExtensionFile(t *testing.T) {
	dir := t.TempDir()

	t.Run("missing file", func(t *testing.T) {
		r := Default()
		if err := r.LoadExtensionFile(filepath.Join(dir, "nope.json")); err != nil {
			t.Fatal(err)
		}
		if err := r.LoadExtensionFile(""); err != nil {
			t.Fatal(err)
		}
		if len(r.All()) != 98 {
			t.Fatal("registry changed")
		}
	})

	t.Run("valid", func(t *testing.T) {
		p := filepath.Join(dir, "ok.json")
		writeFile(t, p, `[{"name":"delegated:notes:read","description":"Read your notes.","adminDescription":"Allows the application to read the user's notes.","parent":"delegated:all"}]`)
		r := Default()
		if err := r.LoadExtensionFile(p); err != nil {
			t.Fatal(err)
		}
		s, ok := r.Get("delegated:notes:read")
		if !ok || s.AdminDescription == "" || s.Parent != "delegated:all" {
			t.Fatalf("Get = %+v, %v", s, ok)
		}
		if !r.Allowed("delegated:notes:read", []string{"delegated:all"}) {
			t.Error("extension not allowed by its ancestor")
		}
	})

	t.Run("malformed", func(t *testing.T) {
		p := filepath.Join(dir, "bad.json")
		writeFile(t, p, `[{"name":`)
		r := Default()
		err := r.LoadExtensionFile(p)
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Fatalf("err = %v, want an error naming %s", err, p)
		}
	})

	t.Run("not an array", func(t *testing.T) {
		p := filepath.Join(dir, "obj.json")
		writeFile(t, p, `{"name":"x","parent":"*"}`)
		err := Default().LoadExtensionFile(p)
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Fatalf("err = %v, want an error naming %s", err, p)
		}
	})

	t.Run("invalid scope", func(t *testing.T) {
		p := filepath.Join(dir, "dup.json")
		writeFile(t, p, `[{"name":"admin:all","parent":"*"}]`)
		err := Default().LoadExtensionFile(p)
		if !errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), p) {
			t.Fatalf("err = %v, want ErrDuplicate naming %s", err, p)
		}
	})
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestMapJSON(t *testing.T) {
	r := Default()
	m := r.Map()
	b, err := json.Marshal(m["*"])
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	if _, ok := root["parent"]; ok {
		t.Errorf("root has a parent key: %s", b)
	}
	if _, ok := root["adminDescription"]; ok {
		t.Errorf("root has an adminDescription key: %s", b)
	}
	if root["name"] != "*" || root["description"] == "" {
		t.Errorf("root view = %s", b)
	}

	b, _ = json.Marshal(m["delegated:profile:read"])
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "description", "adminDescription", "parent"} {
		if _, ok := v[k]; !ok {
			t.Errorf("delegated:profile:read view lacks %q: %s", k, b)
		}
	}
	if len(v) != 4 {
		t.Errorf("unexpected keys: %s", b)
	}

	b, _ = json.Marshal(m["admin:all"])
	v = nil
	_ = json.Unmarshal(b, &v)
	if _, ok := v["adminDescription"]; ok || v["parent"] != "*" {
		t.Errorf("admin:all view = %s", b)
	}
}

func TestAllStableAndCopied(t *testing.T) {
	r := Default()
	a, b := r.All(), r.All()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("All() order is not stable")
	}
	if a[0].Name != Root {
		t.Errorf("All()[0] = %q, want *", a[0].Name)
	}
	a[0].Name = "changed"
	if r.All()[0].Name != Root {
		t.Error("All() exposes internal storage")
	}
}

func TestEmbeddedMatchesAll(t *testing.T) {
	var raw []Scope
	if err := json.Unmarshal(builtinJSON, &raw); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(raw, Default().All()) {
		t.Error("All() differs from scopes.json")
	}
}

func TestConcurrentUse(t *testing.T) {
	r := Default()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "client:extra" + string(rune('a'+i)) + ":read"
			_ = r.Extend([]Scope{{Name: name, Description: "x", Parent: "client:all"}})
			for range 100 {
				r.Allowed("delegated:profile:read", []string{"delegated:all"})
				r.Map()
			}
		}()
	}
	wg.Wait()
	if n := len(r.All()); n != 106 {
		t.Errorf("len(All()) = %d, want 106", n)
	}
}
