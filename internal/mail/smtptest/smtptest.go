// Package smtptest runs a real SMTP server on 127.0.0.1 for tests.
//
// It speaks enough of RFC 5321 for go-mail (and most clients): the 220
// greeting, EHLO (advertising 8BITMIME and AUTH PLAIN LOGIN; no STARTTLS),
// HELO, AUTH PLAIN, AUTH LOGIN, MAIL FROM, RCPT TO, DATA, RSET, NOOP, VRFY and
// QUIT. It keeps every message it receives and decodes the parts tests look at:
// the subject (RFC 2047 encoded words) and the text body (quoted-printable or
// base64, the text/plain part of a multipart message).
package smtptest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Limits that keep a misbehaving client from exhausting a test's memory.
const (
	maxLineLen    = 4096     // a command or data line, CRLF included
	maxMessageLen = 10 << 20 // a whole DATA payload
	maxRecipients = 100
	idleTimeout   = 30 * time.Second
)

// Received is one message the server accepted.
type Received struct {
	From    string      // envelope sender (MAIL FROM)
	To      []string    // envelope recipients (RCPT TO)
	Subject string      // decoded Subject header
	Text    string      // decoded text/plain body, line endings normalised to "\n"
	HTML    string      // decoded text/html body (of a multipart/alternative), if any, "\n" line endings
	Header  mail.Header // the message's headers, as parsed by net/mail (nil if unparseable)
	Raw     []byte      // the message as transferred, dot-unstuffed, CRLF line endings
}

// Server is a running SMTP test server.
type Server struct {
	// Addr is the listening address, 127.0.0.1:port.
	Addr string

	ln net.Listener
	wg sync.WaitGroup

	mu       sync.Mutex
	user     string
	pass     string
	needAuth bool
	msgs     []Received
	taken    []bool        // msgs[i] has been returned by WaitFor
	changed  chan struct{} // closed (and replaced) when a message arrives
	conns    map[net.Conn]struct{}
	closed   bool
}

// Start starts a server on 127.0.0.1 with a random port. It stops when the
// test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s := &Server{
		Addr:    ln.Addr().String(),
		ln:      ln,
		changed: make(chan struct{}),
		conns:   make(map[net.Conn]struct{}),
	}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.Close)
	return s
}

// URL is the SMTP_URL for this server, without credentials.
func (s *Server) URL() string {
	return (&url.URL{Scheme: "smtp", Host: s.Addr}).String()
}

// URLWithAuth makes the server require AUTH with user and pass (any other
// credentials get 535, and MAIL without AUTH gets 530), and returns the
// SMTP_URL carrying them.
func (s *Server) URLWithAuth(user, pass string) string {
	s.mu.Lock()
	s.user, s.pass, s.needAuth = user, pass, true
	s.mu.Unlock()
	return (&url.URL{Scheme: "smtp", User: url.UserPassword(user, pass), Host: s.Addr}).String()
}

// Close stops the server: it closes the listener and every open connection and
// waits for their goroutines. Start registers it with t.Cleanup; calling it
// more than once is fine.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	_ = s.ln.Close()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Messages returns a copy of every message received so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = m.clone()
	}
	return out
}

// WaitFor returns the first message with recipient to (compared
// case-insensitively) that no earlier WaitFor (or Code) call has returned,
// waiting up to timeout for it to arrive. It fails the test on timeout. Call it
// from the test's goroutine.
func (s *Server) WaitFor(t testing.TB, to string, timeout time.Duration) Received {
	t.Helper()
	want := bareAddress(to)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		for i, m := range s.msgs {
			if s.taken[i] || !hasRecipient(m.To, want) {
				continue
			}
			s.taken[i] = true
			r := m.clone()
			s.mu.Unlock()
			return r
		}
		changed := s.changed
		var got []string
		for _, m := range s.msgs {
			got = append(got, strings.Join(m.To, ","))
		}
		s.mu.Unlock()

		select {
		case <-changed:
		case <-timer.C:
			t.Fatalf("smtptest: no new message to %s within %v (received so far, by recipient: %q)", to, timeout, got)
			return Received{}
		}
	}
}

// Code waits (up to 10 s) for the next message to to, as WaitFor does, and
// returns the first word of its subject: the code, in this server's mails.
func (s *Server) Code(t testing.TB, to string) string {
	t.Helper()
	m := s.WaitFor(t, to, 10*time.Second)
	f := strings.Fields(m.Subject)
	if len(f) == 0 {
		t.Fatalf("smtptest: message to %s has an empty subject", to)
		return ""
	}
	return f[0]
}

func (m Received) clone() Received {
	m.To = append([]string(nil), m.To...)
	m.Raw = append([]byte(nil), m.Raw...)
	if m.Header != nil {
		h := make(mail.Header, len(m.Header))
		for k, v := range m.Header {
			h[k] = append([]string(nil), v...)
		}
		m.Header = h
	}
	return m
}

func hasRecipient(rcpts []string, want string) bool {
	for _, r := range rcpts {
		if strings.EqualFold(r, want) {
			return true
		}
	}
	return false
}

// bareAddress turns "Name <a@b>" or "<a@b>" into "a@b"; anything else is
// returned trimmed.
func bareAddress(s string) string {
	s = strings.TrimSpace(s)
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return strings.Trim(s, "<>")
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				_ = c.Close()
			}()
			s.handle(c)
		}()
	}
}

func (s *Server) addMessage(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, r)
	s.taken = append(s.taken, false)
	close(s.changed)
	s.changed = make(chan struct{})
}

// session is the state of one SMTP connection.
type session struct {
	s      *Server
	conn   net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	helo   bool
	authed bool
	from   *string // nil: no MAIL FROM yet
	rcpts  []string
}

var errLineTooLong = errors.New("line too long")

func (s *Server) handle(c net.Conn) {
	ss := &session{s: s, conn: c, r: bufio.NewReaderSize(c, maxLineLen), w: bufio.NewWriter(c)}
	if err := ss.reply(220, "smtptest ESMTP ready"); err != nil {
		return
	}
	for {
		line, err := ss.readLine()
		if errors.Is(err, errLineTooLong) {
			if ss.reply(500, "5.5.6 line too long") != nil {
				return
			}
			continue
		}
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		arg = strings.TrimSpace(arg)
		var quit bool
		switch strings.ToUpper(verb) {
		case "EHLO":
			err = ss.ehlo(arg)
		case "HELO":
			err = ss.heloCmd(arg)
		case "AUTH":
			err = ss.auth(arg)
		case "MAIL":
			err = ss.mail(arg)
		case "RCPT":
			err = ss.rcpt(arg)
		case "DATA":
			err = ss.data(arg)
		case "RSET":
			ss.reset()
			err = ss.reply(250, "2.0.0 OK")
		case "NOOP":
			err = ss.reply(250, "2.0.0 OK")
		case "VRFY":
			err = ss.reply(252, "2.5.0 cannot VRFY user, but will accept message")
		case "QUIT":
			_ = ss.reply(221, "2.0.0 bye")
			quit = true
		case "STARTTLS":
			err = ss.reply(502, "5.5.1 STARTTLS not supported")
		default:
			err = ss.reply(500, "5.5.2 command not recognized")
		}
		if err != nil || quit {
			return
		}
	}
}

// readLine reads one CRLF- (or LF-) terminated line and returns it without the
// line ending.
func (ss *session) readLine() (string, error) {
	b, err := ss.readRawLine()
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// readRawLine reads one line including its line ending. A line longer than
// maxLineLen is consumed and reported as errLineTooLong.
func (ss *session) readRawLine() ([]byte, error) {
	if err := ss.conn.SetReadDeadline(time.Now().Add(idleTimeout)); err != nil {
		return nil, err
	}
	b, err := ss.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = ss.r.ReadSlice('\n')
		}
		if err != nil {
			return nil, err
		}
		return nil, errLineTooLong
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

// reply writes a single-line reply.
func (ss *session) reply(code int, text string) error {
	return ss.replyLines(code, text)
}

// replyLines writes a (possibly multi-line) reply.
func (ss *session) replyLines(code int, lines ...string) error {
	if err := ss.conn.SetWriteDeadline(time.Now().Add(idleTimeout)); err != nil {
		return err
	}
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		if _, err := fmt.Fprintf(ss.w, "%d%s%s\r\n", code, sep, l); err != nil {
			return err
		}
	}
	return ss.w.Flush()
}

func (ss *session) reset() {
	ss.from = nil
	ss.rcpts = nil
}

func (ss *session) ehlo(arg string) error {
	if arg == "" {
		return ss.reply(501, "5.5.4 EHLO requires a domain")
	}
	ss.reset()
	ss.helo = true
	return ss.replyLines(250, "smtptest greets "+arg, "8BITMIME", "AUTH PLAIN LOGIN")
}

func (ss *session) heloCmd(arg string) error {
	if arg == "" {
		return ss.reply(501, "5.5.4 HELO requires a domain")
	}
	ss.reset()
	ss.helo = true
	return ss.reply(250, "smtptest greets "+arg)
}

func (ss *session) auth(arg string) error {
	if !ss.helo {
		return ss.reply(503, "5.5.1 send EHLO first")
	}
	if ss.authed {
		return ss.reply(503, "5.5.1 already authenticated")
	}
	if ss.from != nil {
		return ss.reply(503, "5.5.1 AUTH not allowed during a mail transaction")
	}
	mech, initial, _ := strings.Cut(arg, " ")
	initial = strings.TrimSpace(initial)

	var user, pass string
	switch strings.ToUpper(mech) {
	case "PLAIN":
		resp := initial
		if resp == "" {
			var ok bool
			var err error
			if resp, ok, err = ss.challenge(""); err != nil || !ok {
				return err
			}
		}
		if resp == "=" {
			resp = ""
		}
		dec, err := base64.StdEncoding.DecodeString(resp)
		if err != nil {
			return ss.reply(501, "5.5.2 cannot decode response")
		}
		parts := strings.Split(string(dec), "\x00")
		if len(parts) != 3 {
			return ss.reply(501, "5.5.2 malformed PLAIN response")
		}
		user, pass = parts[1], parts[2]
	case "LOGIN":
		var vals [2]string
		prompts := [2]string{"Username:", "Password:"}
		for i := range vals {
			resp := ""
			if i == 0 && initial != "" {
				resp = initial
			} else {
				var ok bool
				var err error
				if resp, ok, err = ss.challenge(prompts[i]); err != nil || !ok {
					return err
				}
			}
			dec, err := base64.StdEncoding.DecodeString(resp)
			if err != nil {
				return ss.reply(501, "5.5.2 cannot decode response")
			}
			vals[i] = string(dec)
		}
		user, pass = vals[0], vals[1]
	default:
		return ss.reply(504, "5.5.4 unrecognized authentication mechanism")
	}

	ss.s.mu.Lock()
	ok := !ss.s.needAuth || (user == ss.s.user && pass == ss.s.pass)
	ss.s.mu.Unlock()
	if !ok {
		return ss.reply(535, "5.7.8 authentication credentials invalid")
	}
	ss.authed = true
	return ss.reply(235, "2.7.0 authentication successful")
}

// challenge sends a 334 with prompt (base64-encoded) and reads the client's
// response. ok is false (and the exchange has been answered) when the client
// cancelled with "*" or sent a line too long.
func (ss *session) challenge(prompt string) (resp string, ok bool, err error) {
	if err := ss.reply(334, base64.StdEncoding.EncodeToString([]byte(prompt))); err != nil {
		return "", false, err
	}
	line, err := ss.readLine()
	if errors.Is(err, errLineTooLong) {
		return "", false, ss.reply(500, "5.5.6 line too long")
	}
	if err != nil {
		return "", false, err
	}
	if strings.TrimSpace(line) == "*" {
		return "", false, ss.reply(501, "5.0.0 authentication cancelled")
	}
	return strings.TrimSpace(line), true, nil
}

// pathArg parses "FROM:<addr> params" / "TO:<addr> params" and returns addr.
func pathArg(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		// Be lenient: a bare address without brackets.
		addr, _, _ := strings.Cut(rest, " ")
		return addr, addr != ""
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

func (ss *session) mail(arg string) error {
	if !ss.helo {
		return ss.reply(503, "5.5.1 send EHLO or HELO first")
	}
	ss.s.mu.Lock()
	needAuth := ss.s.needAuth
	ss.s.mu.Unlock()
	if needAuth && !ss.authed {
		return ss.reply(530, "5.7.0 authentication required")
	}
	if ss.from != nil {
		return ss.reply(503, "5.5.1 nested MAIL command")
	}
	addr, ok := pathArg(arg, "FROM:")
	if !ok {
		return ss.reply(501, "5.5.4 syntax: MAIL FROM:<address>")
	}
	ss.from = &addr
	return ss.reply(250, "2.1.0 OK")
}

func (ss *session) rcpt(arg string) error {
	if ss.from == nil {
		return ss.reply(503, "5.5.1 need MAIL before RCPT")
	}
	addr, ok := pathArg(arg, "TO:")
	if !ok || addr == "" {
		return ss.reply(501, "5.5.4 syntax: RCPT TO:<address>")
	}
	if len(ss.rcpts) >= maxRecipients {
		return ss.reply(452, "4.5.3 too many recipients")
	}
	ss.rcpts = append(ss.rcpts, addr)
	return ss.reply(250, "2.1.5 OK")
}

func (ss *session) data(arg string) error {
	if arg != "" {
		return ss.reply(501, "5.5.4 DATA takes no argument")
	}
	if ss.from == nil {
		return ss.reply(503, "5.5.1 need MAIL before DATA")
	}
	if len(ss.rcpts) == 0 {
		return ss.reply(554, "5.5.1 no valid recipients")
	}
	if err := ss.reply(354, "end data with <CR><LF>.<CR><LF>"); err != nil {
		return err
	}

	var buf bytes.Buffer
	tooBig := false
	for {
		line, err := ss.readRawLine()
		if errors.Is(err, errLineTooLong) {
			tooBig = true // keep reading to the end of the data
			continue
		}
		if err != nil {
			return err
		}
		if bytes.Equal(line, []byte(".\r\n")) || bytes.Equal(line, []byte(".\n")) {
			break
		}
		if line[0] == '.' {
			line = line[1:] // dot-unstuffing
		}
		if tooBig || buf.Len()+len(line) > maxMessageLen {
			tooBig = true
			continue
		}
		buf.Write(line)
	}
	if tooBig {
		ss.reset()
		return ss.reply(552, "5.3.4 message too big")
	}

	r := parse(buf.Bytes())
	r.From = *ss.from
	r.To = append([]string(nil), ss.rcpts...)
	ss.s.addMessage(r)
	ss.reset()
	return ss.reply(250, "2.0.0 OK: queued")
}

// parse decodes the parts of raw that tests look at. An unparseable message
// is kept with only Raw set.
func parse(raw []byte) Received {
	r := Received{Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return r
	}
	r.Header = msg.Header
	dec := mime.WordDecoder{}
	if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
		r.Subject = subj
	} else {
		r.Subject = msg.Header.Get("Subject")
	}
	text, html := bodies(msg.Header, msg.Body, 0)
	r.Text = normalize(text)
	r.HTML = normalize(html)
	return r
}

// header is what bodies needs of mail.Header and textproto.MIMEHeader.
type header interface{ Get(string) string }

// bodies returns the first text/plain and text/html bodies of a (possibly
// multipart) entity with headers h, decoded.
func bodies(h header, body io.Reader, depth int) (text, html string) {
	ct := h.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth > 10 || params["boundary"] == "" {
			return "", ""
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return text, html
			}
			t, h := bodies(p.Header, p, depth+1)
			if text == "" {
				text = t
			}
			if html == "" {
				html = h
			}
		}
	}
	if mediaType != "text/plain" && mediaType != "text/html" {
		return "", ""
	}
	if strings.EqualFold(h.Get("Content-Disposition"), "attachment") ||
		strings.HasPrefix(strings.ToLower(h.Get("Content-Disposition")), "attachment;") {
		return "", ""
	}
	var rd io.Reader = body
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		rd = quotedprintable.NewReader(body)
	case "base64":
		rd = base64.NewDecoder(base64.StdEncoding, body) // ignores CR and LF
	}
	b, err := io.ReadAll(io.LimitReader(rd, maxMessageLen))
	if err != nil && len(b) == 0 {
		return "", ""
	}
	if mediaType == "text/html" {
		return "", string(b)
	}
	return string(b), ""
}

func normalize(s string) string {
	return strings.ReplaceAll(s, "\r\n", "\n")
}
