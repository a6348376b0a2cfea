package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"usergraph/internal/mail"
	"usergraph/internal/mail/smtptest"
)

const from = "Usergraph <noreply@example.com>"

func newSender(t *testing.T, smtpURL string) mail.Sender {
	t.Helper()
	s, err := mail.New(smtpURL, from, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func checkReceived(t *testing.T, r smtptest.Received, m mail.Message, code string) {
	t.Helper()
	if r.Subject != m.Subject {
		t.Errorf("subject = %q, want %q", r.Subject, m.Subject)
	}
	if len(r.To) != 1 || r.To[0] != m.To {
		t.Errorf("envelope recipients = %q, want [%q]", r.To, m.To)
	}
	if r.From != "noreply@example.com" {
		t.Errorf("envelope sender = %q", r.From)
	}
	if got := r.Header.Get("To"); !strings.Contains(got, m.To) {
		t.Errorf("To header = %q", got)
	}
	if got := r.Header.Get("From"); !strings.Contains(got, "noreply@example.com") {
		t.Errorf("From header = %q", got)
	}
	if r.Text != strings.ReplaceAll(m.Text, "\r\n", "\n") {
		t.Errorf("text = %q, want %q", r.Text, m.Text)
	}
	if !strings.Contains(r.Text, code) || !strings.Contains(r.HTML, code) {
		t.Errorf("code %q missing from text %q or html %q", code, r.Text, r.HTML)
	}
}

func TestSendWithoutAuth(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URL())

	m := mail.VerificationCode("Liquid", "alice@example.com", "123456")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := srv.WaitFor(t, "alice@example.com", 5*time.Second)
	checkReceived(t, r, m, "123456")

	// A second message: Code reads it, WaitFor does not return the first again.
	if err := s.Send(context.Background(), mail.LoginCode("Liquid", "alice@example.com", "654321")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.Code(t, "Alice@Example.com"); got != "654321" {
		t.Errorf("Code = %q, want 654321", got)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("server has %d messages, want 2", n)
	}
}

func TestSendWithAuth(t *testing.T) {
	srv := smtptest.Start(t)
	// Characters that need percent-encoding in the URL.
	u := srv.URLWithAuth("mailer@example.com", "p@ss:w/rd%?")
	s := newSender(t, u)

	m := mail.PasswordReset("Liquid", "bob@example.com", "777888")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	checkReceived(t, srv.WaitFor(t, "bob@example.com", 5*time.Second), m, "777888")
}

func TestSendWithoutCredentialsWhenRequired(t *testing.T) {
	srv := smtptest.Start(t)
	srv.URLWithAuth("user", "secret")
	s := newSender(t, srv.URL())
	err := s.Send(context.Background(), mail.VerificationCode("Liquid", "carol@example.com", "111111"))
	if err == nil {
		t.Fatal("Send succeeded without AUTH on a server requiring it")
	}
}

func TestSendWrongPassword(t *testing.T) {
	srv := smtptest.Start(t)
	srv.URLWithAuth("user", "right-password")
	s := newSender(t, "smtp://user:wrong-password@"+srv.Addr)

	err := s.Send(context.Background(), mail.VerificationCode("Liquid", "dave@example.com", "222222"))
	if err == nil {
		t.Fatal("Send succeeded with a wrong password")
	}
	if !strings.Contains(err.Error(), "535") {
		t.Errorf("error %q does not carry the server's 535", err)
	}
	if strings.Contains(err.Error(), "wrong-password") {
		t.Errorf("error %q contains the password", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

func TestSendNonASCII(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URL())
	m := mail.Message{
		To:      "eve@example.com",
		Subject: "424242 est votre code Café ☕ — à bientôt",
		Text:    "Größe: ünïcödé\nline two, a long one that quoted-printable will have to wrap because it is longer than seventy-six characters\n.leading dot\n",
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := srv.WaitFor(t, "eve@example.com", 5*time.Second)
	if r.Subject != m.Subject {
		t.Errorf("subject = %q, want %q", r.Subject, m.Subject)
	}
	if r.Text != m.Text {
		t.Errorf("text = %q, want %q", r.Text, m.Text)
	}
	if r.HTML != "" {
		t.Errorf("html = %q, want none", r.HTML)
	}
}

func TestSendConcurrent(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URLWithAuth("u", "p"))
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- s.Send(context.Background(), mail.VerificationCode("Liquid", fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("%06d", i)))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	for i := range n {
		if got, want := srv.Code(t, fmt.Sprintf("user%d@example.com", i)), fmt.Sprintf("%06d", i); got != want {
			t.Errorf("code for user%d = %q, want %q", i, got, want)
		}
	}
}

// A server that accepts connections but never greets: Send must give up when
// its context ends instead of hanging until the 10 s timeout.
func TestSendHonoursContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()

	s := newSender(t, "smtp://"+ln.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Send(ctx, mail.VerificationCode("Liquid", "frank@example.com", "333333"))
	if err == nil {
		t.Fatal("Send succeeded against a silent server")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v is not context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Send took %v after its context ended", d)
	}
}

func TestSendInvalidRecipient(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URL())
	if err := s.Send(context.Background(), mail.Message{To: "not an address", Subject: "x", Text: "x"}); err == nil {
		t.Fatal("Send accepted an invalid recipient")
	}
}

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	s, err := mail.New("", "", logger)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, ok := s.(*mail.LogSender); !ok {
		t.Fatalf("New(\"\") returned %T, want *mail.LogSender", s)
	}
	m := mail.VerificationCode("Liquid", "grace@example.com", "987654")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	out := buf.String()
	for _, want := range []string{"level=INFO", "grace@example.com", "987654 is your Liquid verification code", `text="Your Liquid`} {
		if !strings.Contains(out, want) {
			t.Errorf("log output lacks %q:\n%s", want, out)
		}
	}
}

func TestLogSenderZeroValue(t *testing.T) {
	var s mail.LogSender // logs to slog.Default()
	if err := s.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "s"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, mail.Message{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled context = %v", err)
	}
}

func TestNewInvalid(t *testing.T) {
	for _, u := range []string{
		"://user:secret@host",
		"http://user:secret@host:25",
		"smtp://",
		"smtp://user:secret@host:99999",
		"smtp://user:secret@host:port",
		"smtp://user:secret@host:25/path",
		"smtp://user:secret%zz@host:25",
		"smtp:user:secret@host",
	} {
		_, err := mail.New(u, from, nil)
		if err == nil {
			t.Errorf("New(%q) succeeded", u)
			continue
		}
		if !strings.Contains(err.Error(), "SMTP_URL") {
			t.Errorf("New(%q) error %q does not name SMTP_URL", u, err)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("New(%q) error %q contains the password", u, err)
		}
	}
}

func TestNewInvalidFrom(t *testing.T) {
	if _, err := mail.New("smtp://127.0.0.1:2525", "not an address", nil); err == nil {
		t.Error("New accepted an invalid sender address")
	}
}

func TestNewValid(t *testing.T) {
	for _, u := range []string{
		"smtp://localhost",
		"smtp://mail.example.com:25",
		"smtps://user:pass@mail.example.com",
		"SMTPS://user@mail.example.com:465/",
		"smtp://[::1]:2525",
	} {
		if _, err := mail.New(u, "noreply@example.com", nil); err != nil {
			t.Errorf("New(%q): %v", u, err)
		}
	}
}

func TestBuilders(t *testing.T) {
	builders := map[string]func(appName, to, code string) mail.Message{
		"VerificationCode": mail.VerificationCode,
		"LoginCode":        mail.LoginCode,
		"PasswordReset":    mail.PasswordReset,
	}
	texts := map[string]bool{}
	for name, build := range builders {
		m := build("A<b>&c", "h@example.com", "246810")
		if m.To != "h@example.com" {
			t.Errorf("%s: To = %q", name, m.To)
		}
		if want := "246810 is your A<b>&c verification code"; m.Subject != want {
			t.Errorf("%s: subject = %q, want %q", name, m.Subject, want)
		}
		if f := strings.Fields(m.Subject); f[0] != "246810" {
			t.Errorf("%s: first word of subject = %q", name, f[0])
		}
		if !strings.Contains(m.Text, "246810") || !strings.Contains(m.Text, "expires") {
			t.Errorf("%s: text lacks the code or the expiry: %q", name, m.Text)
		}
		if !strings.Contains(m.HTML, "246810") || !strings.Contains(m.HTML, "A&lt;b&gt;&amp;c") || strings.Contains(m.HTML, "A<b>") {
			t.Errorf("%s: html not escaped or lacks the code: %q", name, m.HTML)
		}
		texts[m.Text] = true
	}
	if len(texts) != len(builders) {
		t.Error("builders produce identical texts; each should say what the code is for")
	}
	if !strings.Contains(mail.PasswordReset("Liquid", "x@example.com", "1").Text, "reset your Liquid password") {
		t.Error("password reset text does not say what the code is for")
	}
	if m := mail.LoginCode("", "x@example.com", "1"); strings.Contains(m.Subject, "  ") {
		t.Errorf("empty app name gives subject %q", m.Subject)
	}
}
