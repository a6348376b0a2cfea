package patch

import "testing"

func TestFieldStates(t *testing.T) {
	s := "x"
	tests := []struct {
		name             string
		f                Field[string]
		present, cleared bool
		value            string
		hasValue         bool
	}{
		{"zero is absent", Field[string]{}, false, false, "", false},
		{"set", Set("bio"), true, false, "bio", true},
		{"set empty", Set(""), true, false, "", true},
		{"clear", Clear[string](), true, true, "", false},
		{"from nil", From[string](nil), false, false, "", false},
		{"from pointer", From(&s), true, false, "x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := tt.f.Value()
			if tt.f.Present() != tt.present || tt.f.IsClear() != tt.cleared || v != tt.value || ok != tt.hasValue {
				t.Fatalf("got present=%v clear=%v value=%q,%v", tt.f.Present(), tt.f.IsClear(), v, ok)
			}
		})
	}
}
