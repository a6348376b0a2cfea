package mail

import (
	"errors"
	"testing"

	gosmtp "github.com/wneessen/go-mail/smtp"
)

func TestPlainOrLogin(t *testing.T) {
	tests := []struct {
		host     string
		tls      bool
		offered  []string
		wantMech string
		wantErr  error
	}{
		{"smtp.example.com", true, []string{"PLAIN", "LOGIN"}, "PLAIN", nil},
		{"smtp.example.com", true, []string{"LOGIN"}, "LOGIN", nil},
		{"smtp.example.com", false, []string{"PLAIN", "LOGIN"}, "", errUnencryptedAuth},
		{"127.0.0.1", false, []string{"PLAIN", "LOGIN"}, "PLAIN", nil},
		{"127.0.0.2", false, []string{"LOGIN"}, "LOGIN", nil},
		{"::1", false, []string{"PLAIN"}, "PLAIN", nil},
		{"localhost", false, []string{"PLAIN"}, "PLAIN", nil},
		{"smtp.example.com", true, []string{"CRAM-MD5"}, "", nil},
	}
	for _, tt := range tests {
		a := &plainOrLogin{user: "u", pass: "p", host: tt.host, loopback: isLoopback(tt.host)}
		mech, _, err := a.Start(&gosmtp.ServerInfo{Name: tt.host, TLS: tt.tls, Auth: tt.offered})
		switch {
		case tt.wantErr != nil:
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s tls=%v %v: err = %v, want %v", tt.host, tt.tls, tt.offered, err, tt.wantErr)
			}
		case tt.wantMech == "":
			if err == nil {
				t.Errorf("%s tls=%v %v: chose %q, want an error", tt.host, tt.tls, tt.offered, mech)
			}
		default:
			if err != nil || mech != tt.wantMech {
				t.Errorf("%s tls=%v %v: (%q, %v), want %q", tt.host, tt.tls, tt.offered, mech, err, tt.wantMech)
			}
		}
	}
}
