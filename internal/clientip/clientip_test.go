package clientip

import (
	"net/http/httptest"
	"testing"
)

func TestResolve(t *testing.T) {
	tests := []struct {
		name     string
		hops     int
		networks []string
		remote   string
		xff      []string
		want     string
	}{
		{"no proxy ignores the header", 0, nil, "192.0.2.1:5000", []string{"1.1.1.1"}, "192.0.2.1"},
		{"one hop takes the rightmost entry", 1, nil, "10.0.0.2:5000", []string{"6.6.6.6, 203.0.113.7"}, "203.0.113.7"},
		{"forged leftmost entries do not count", 1, nil, "10.0.0.2:5000", []string{"1.1.1.1, 2.2.2.2, 203.0.113.7"}, "203.0.113.7"},
		{"several headers are one list", 1, nil, "10.0.0.2:5000", []string{"6.6.6.6", "203.0.113.7"}, "203.0.113.7"},
		{"two hops", 2, nil, "10.0.0.2:5000", []string{"6.6.6.6, 203.0.113.7, 10.0.0.3"}, "203.0.113.7"},
		{"fewer entries than hops take the farthest", 3, nil, "10.0.0.2:5000", []string{"203.0.113.7, 10.0.0.3"}, "203.0.113.7"},
		{"no header: the connection", 1, nil, "10.0.0.2:5000", nil, "10.0.0.2"},
		{"entry with a port", 1, nil, "10.0.0.2:5000", []string{"203.0.113.7:4711"}, "203.0.113.7"},
		{"bracketed IPv6 entry", 1, nil, "10.0.0.2:5000", []string{"[2001:db8::1]:4711"}, "2001:db8::1"},
		{"garbage from the proxy falls back to it", 1, nil, "10.0.0.2:5000", []string{"not-an-address"}, "10.0.0.2"},
		{"networks: skip trusted entries from the right", 0, []string{"10.0.0.0/8"}, "10.0.0.2:5000", []string{"6.6.6.6, 203.0.113.7, 10.0.0.3"}, "203.0.113.7"},
		{"networks: an untrusted connection's header is ignored", 0, []string{"10.0.0.0/8"}, "192.0.2.1:5000", []string{"203.0.113.7"}, "192.0.2.1"},
		{"networks: a single address", 0, []string{"10.0.0.2"}, "10.0.0.2:5000", []string{"1.1.1.1, 203.0.113.7"}, "203.0.113.7"},
		{"networks: all trusted takes the leftmost", 0, []string{"10.0.0.0/8"}, "10.0.0.2:5000", []string{"10.0.0.9, 10.0.0.3"}, "10.0.0.9"},
		{"networks: garbage stops the walk", 0, []string{"10.0.0.0/8"}, "10.0.0.2:5000", []string{"203.0.113.7, junk, 10.0.0.3"}, "10.0.0.3"},
		{"networks win over hops", 5, []string{"10.0.0.0/8"}, "10.0.0.2:5000", []string{"1.1.1.1, 203.0.113.7"}, "203.0.113.7"},
		{"IPv4-mapped connection", 0, []string{"10.0.0.0/8"}, "[::ffff:10.0.0.2]:5000", []string{"203.0.113.7"}, "203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := New(tt.hops, tt.networks)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := res.Resolve(r); got != tt.want {
				t.Errorf("Resolve = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseNetwork(t *testing.T) {
	for _, bad := range []string{"", "10.0.0.0/33", "example.com", "10.0.0.0/8/8"} {
		if _, err := ParseNetwork(bad); err == nil {
			t.Errorf("ParseNetwork(%q) accepted", bad)
		}
	}
	for _, good := range []string{"10.0.0.0/8", "10.1.2.3/8", "192.168.1.5", "2001:db8::/32", "::1"} {
		if _, err := ParseNetwork(good); err != nil {
			t.Errorf("ParseNetwork(%q): %v", good, err)
		}
	}
}
