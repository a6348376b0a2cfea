package httplog

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequestIDs(t *testing.T) {
	tests := []struct {
		name     string
		incoming string
		keep     bool
	}{
		{"none", "", false},
		{"uuid", "3f2b8c1e-7d4a-4c2e-9b1a-0e5f6a7b8c9d", true},
		{"trace style", "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8", true},
		{"longest accepted", strings.Repeat("a", maxIDLen), true},
		{"too long", strings.Repeat("a", maxIDLen+1), false},
		{"space", "a b", false},
		{"newline forges a log line", "a\nlevel=ERROR msg=forged", false},
		{"NUL", "a\x00b", false},
		{"non-ASCII", "idé", false},
		{"DEL", "a\x7f", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			h := RequestIDs(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = RequestID(r.Context())
			}))
			req := httptest.NewRequest("GET", "/", nil)
			if tt.incoming != "" {
				req.Header[Header] = []string{tt.incoming}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get(Header)
			if got != seen {
				t.Fatalf("response header %q, context %q: they must agree", got, seen)
			}
			if tt.keep && got != tt.incoming {
				t.Fatalf("id %q replaced by %q", tt.incoming, got)
			}
			if !tt.keep && (got == tt.incoming || !validID(got) || len(got) != 26) {
				t.Fatalf("incoming %q: got %q, want a fresh 26-character id", tt.incoming, got)
			}
		})
	}
}

func TestNewIDsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if seen[id] {
			t.Fatalf("id %q generated twice", id)
		}
		seen[id] = true
	}
}

func TestRequestIDOutsideARequest(t *testing.T) {
	if id := RequestID(t.Context()); id != "" {
		t.Fatalf("RequestID outside a request = %q, want empty", id)
	}
}
