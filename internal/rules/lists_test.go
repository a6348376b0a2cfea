package rules

import "testing"

func TestListSizes(t *testing.T) {
	if len(languages) != 184 {
		t.Fatalf("languages: %d codes, want 184", len(languages))
	}
	if len(countries) != 250 {
		t.Fatalf("countries: %d codes, want 250", len(countries))
	}
}
