package smtptest

import (
	"encoding/base64"
	"fmt"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// client is a raw SMTP conversation for protocol tests.
type client struct {
	t *testing.T
	c *textproto.Conn
}

func dial(t *testing.T, s *Server) *client {
	t.Helper()
	c, err := textproto.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	cl := &client{t: t, c: c}
	cl.expect(220)
	return cl
}

// cmd sends line and checks the reply code; it returns the reply text.
func (cl *client) cmd(code int, format string, args ...any) string {
	cl.t.Helper()
	if err := cl.c.PrintfLine(format, args...); err != nil {
		cl.t.Fatal(err)
	}
	return cl.expect(code)
}

func (cl *client) expect(code int) string {
	cl.t.Helper()
	got, msg, err := cl.c.ReadResponse(0)
	if err != nil && got == 0 {
		cl.t.Fatalf("reading reply: %v", err)
	}
	if got != code {
		cl.t.Fatalf("reply %d %q, want %d", got, msg, code)
	}
	return msg
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestProtocol(t *testing.T) {
	s := Start(t)
	cl := dial(t, s)

	cl.cmd(503, "MAIL FROM:<a@example.com>")
	ehlo := cl.cmd(250, "EHLO client.example.com")
	for _, want := range []string{"8BITMIME", "AUTH PLAIN LOGIN"} {
		if !strings.Contains(ehlo, want) {
			t.Errorf("EHLO reply %q lacks %q", ehlo, want)
		}
	}
	if strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("EHLO reply %q advertises STARTTLS", ehlo)
	}
	cl.cmd(250, "NOOP")
	cl.cmd(503, "RCPT TO:<b@example.com>")
	cl.cmd(503, "DATA")
	cl.cmd(250, "MAIL FROM:<a@example.com> BODY=8BITMIME")
	cl.cmd(503, "MAIL FROM:<a@example.com>")
	cl.cmd(554, "DATA")
	cl.cmd(250, "RCPT TO:<b@example.com>")
	cl.cmd(250, "RSET")
	cl.cmd(503, "RCPT TO:<b@example.com>")
	cl.cmd(500, "BOGUS")

	cl.cmd(250, "MAIL FROM:<a@example.com>")
	cl.cmd(250, "RCPT TO:<b@example.com>")
	cl.cmd(250, "RCPT TO:<c@example.com>")
	cl.cmd(354, "DATA")
	body := "Subject: =?UTF-8?q?Caf=C3=A9?= test\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"..leading dot\r\n" +
		".\r\n"
	if _, err := cl.c.W.WriteString(body); err != nil {
		t.Fatal(err)
	}
	if err := cl.c.W.Flush(); err != nil {
		t.Fatal(err)
	}
	cl.expect(250)
	cl.cmd(221, "QUIT")

	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages", len(msgs))
	}
	m := msgs[0]
	if m.From != "a@example.com" || strings.Join(m.To, ",") != "b@example.com,c@example.com" {
		t.Errorf("envelope %q -> %q", m.From, m.To)
	}
	if m.Subject != "Café test" {
		t.Errorf("subject %q", m.Subject)
	}
	if m.Text != ".leading dot\n" {
		t.Errorf("text %q", m.Text)
	}
	if !strings.HasSuffix(string(m.Raw), "\r\n.leading dot\r\n") {
		t.Errorf("raw %q", m.Raw)
	}
	if m.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("header %v", m.Header)
	}
	// Both recipients can wait for it.
	if got := s.WaitFor(t, "c@example.com", time.Second); got.Subject != "Café test" {
		t.Errorf("WaitFor c: %q", got.Subject)
	}
}

func TestAuth(t *testing.T) {
	s := Start(t)
	u := s.URLWithAuth("user@example.com", "pa ss")
	if want := "smtp://user%40example.com:pa%20ss@" + s.Addr; u != want {
		t.Errorf("URLWithAuth = %q, want %q", u, want)
	}

	cl := dial(t, s)
	cl.cmd(503, "AUTH PLAIN %s", b64("\x00user@example.com\x00pa ss"))
	cl.cmd(250, "EHLO x")
	cl.cmd(530, "MAIL FROM:<a@example.com>")
	cl.cmd(535, "AUTH PLAIN %s", b64("\x00user@example.com\x00wrong"))
	cl.cmd(504, "AUTH CRAM-MD5")
	cl.cmd(501, "AUTH PLAIN !!notbase64")
	// PLAIN with the response after an empty challenge.
	cl.cmd(334, "AUTH PLAIN")
	cl.cmd(501, "*")
	cl.cmd(334, "AUTH PLAIN")
	cl.cmd(235, "%s", b64("\x00user@example.com\x00pa ss"))
	cl.cmd(503, "AUTH PLAIN %s", b64("\x00user@example.com\x00pa ss"))
	cl.cmd(250, "MAIL FROM:<a@example.com>")

	// LOGIN, wrong then right.
	cl2 := dial(t, s)
	cl2.cmd(250, "EHLO x")
	if got := cl2.cmd(334, "AUTH LOGIN"); got != b64("Username:") {
		t.Errorf("LOGIN prompt %q", got)
	}
	cl2.cmd(334, "%s", b64("user@example.com"))
	cl2.cmd(535, "%s", b64("nope"))
	cl2.cmd(334, "AUTH LOGIN %s", b64("user@example.com"))
	cl2.cmd(235, "%s", b64("pa ss"))
	cl2.cmd(250, "MAIL FROM:<a@example.com>")
}

// The standard library's client (PLAIN auth, which it allows to 127.0.0.1)
// and a multipart message with base64 and quoted-printable parts.
func TestNetSMTPMultipart(t *testing.T) {
	s := Start(t)
	s.URLWithAuth("u", "p")
	msg := "From: a@example.com\r\n" +
		"To: b@example.com\r\n" +
		"Subject: =?utf-8?B?" + b64("123 ünïcode") + "?=\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=XYZ\r\n" +
		"\r\n" +
		"--XYZ\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		b64("plain body\r\nsecond line\r\n")[:12] + "\r\n" + b64("plain body\r\nsecond line\r\n")[12:] + "\r\n" +
		"--XYZ\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" +
		"<p>html =C3=BC</p>\r\n" +
		"--XYZ--\r\n"
	auth := smtp.PlainAuth("", "u", "p", "127.0.0.1")
	if err := smtp.SendMail(s.Addr, auth, "a@example.com", []string{"b@example.com"}, []byte(msg)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	if err := smtp.SendMail(s.Addr, smtp.PlainAuth("", "u", "x", "127.0.0.1"), "a@example.com", []string{"b@example.com"}, []byte(msg)); err == nil {
		t.Error("SendMail with a wrong password succeeded")
	}
	m := s.WaitFor(t, "B@example.com", time.Second)
	if m.Subject != "123 ünïcode" {
		t.Errorf("subject %q", m.Subject)
	}
	if m.Text != "plain body\nsecond line\n" {
		t.Errorf("text %q", m.Text)
	}
	if m.HTML != "<p>html ü</p>" { // the CRLF before a boundary belongs to it
		t.Errorf("html %q", m.HTML)
	}
	if got := len(s.Messages()); got != 1 {
		t.Errorf("%d messages", got)
	}
}

// fakeTB records Fatalf instead of stopping the goroutine.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = fmt.Sprintf(format, args...)
}

func TestWaitFor(t *testing.T) {
	s := Start(t)

	// Times out (bounded) and fails the test.
	f := &fakeTB{TB: t}
	start := time.Now()
	s.WaitFor(f, "nobody@example.com", 50*time.Millisecond)
	if f.failed == "" {
		t.Error("WaitFor did not fail on timeout")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("WaitFor took %v", d)
	}

	// Wakes up when the message arrives; each message is returned once.
	done := make(chan Received, 1)
	go func() {
		ft := &fakeTB{TB: t}
		done <- s.WaitFor(ft, "x@example.com", 5*time.Second)
	}()
	time.Sleep(20 * time.Millisecond)
	for _, subj := range []string{"111 first", "222 second"} {
		if err := smtp.SendMail(s.Addr, nil, "a@example.com", []string{"x@example.com"}, []byte("Subject: "+subj+"\r\n\r\nbody\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	if got := (<-done).Subject; got != "111 first" {
		t.Errorf("first WaitFor got %q", got)
	}
	if got := s.Code(t, "x@example.com"); got != "222" {
		t.Errorf("Code = %q", got)
	}
	f = &fakeTB{TB: t}
	s.WaitFor(f, "x@example.com", 20*time.Millisecond)
	if f.failed == "" {
		t.Error("WaitFor returned a message twice")
	}
}

func TestClose(t *testing.T) {
	s := Start(t)
	cl := dial(t, s) // an open connection must not block Close
	cl.cmd(250, "EHLO x")
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked")
	}
	s.Close() // idempotent
	if _, err := textproto.Dial("tcp", s.Addr); err == nil {
		t.Error("server still accepts connections after Close")
	}
}
