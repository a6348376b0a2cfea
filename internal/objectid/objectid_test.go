package objectid

import (
	"testing"
	"time"
)

func TestNewIsValidAndOrdered(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for i := 0; i < 1000; i++ {
		id := New()
		if !Valid(id) || len(id) != 24 {
			t.Fatalf("invalid id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		if prev != "" && id[:8] < prev[:8] {
			t.Fatalf("timestamp went backwards: %s after %s", id, prev)
		}
		prev = id
	}
}

func TestAtEncodesTime(t *testing.T) {
	ts := time.Unix(1694533858, 0)
	if got := At(ts)[:8]; got != "650088e2" {
		t.Fatalf("timestamp hex = %s", got)
	}
}

func TestValid(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"65008a62a1b2c3d4e5f60718", true},
		{"65008A62A1B2C3D4E5F60718", true},
		{"65008a62a1b2c3d4e5f6071", false},
		{"65008a62a1b2c3d4e5f607189", false},
		{"65008a62a1b2c3d4e5f6071g", false},
		{"", false},
	} {
		if got := Valid(c.in); got != c.want {
			t.Errorf("Valid(%q) = %v", c.in, got)
		}
	}
}
