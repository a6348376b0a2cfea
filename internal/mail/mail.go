// Package mail sends the server's outgoing mail (verification, login and
// password-reset codes).
//
// New returns an SMTP sender built on github.com/wneessen/go-mail when SMTP_URL
// is set, and a LogSender otherwise. The LogSender writes every message,
// including its text, to the log at INFO level: this is deliberate, so that a
// developer running the server locally without a mail server can read the
// codes it sends. It is never used when a mail server is configured.
//
// The message builders (VerificationCode, LoginCode, PasswordReset) are the one
// place that decides the wording of those mails.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Timeout bounds every network step of an SMTP delivery: the dial, the
// greeting/EHLO/STARTTLS/AUTH exchange, and each message transfer.
const Timeout = 10 * time.Second

// Default ports when SMTP_URL has none (the submission ports).
const (
	defaultSMTPPort  = 587
	defaultSMTPSPort = 465
)

// Message is one outgoing mail. HTML is optional; when set it is sent as a
// multipart/alternative with Text.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// New returns an SMTP sender for smtpURL, or a LogSender when smtpURL is "".
//
// smtpURL has the form smtp://user:pass@host:port or smtps://user:pass@host:port
// (user and password percent-encoded; both optional; port defaults to 587 for
// smtp and 465 for smtps):
//
//   - smtps:// connects with implicit TLS;
//   - smtp:// upgrades with STARTTLS when the server offers it and otherwise
//     continues unencrypted (so a plain local test server works).
//
// When the URL has a user, the sender authenticates with PLAIN (or LOGIN when
// the server offers only that). Credentials are only sent over an encrypted
// connection, or to a loopback host (localhost, 127.0.0.0/8, ::1).
//
// from is the sender address ("addr@example.com" or "Name <addr@example.com>").
// logger is used by the LogSender; nil means slog.Default().
func New(smtpURL, from string, logger *slog.Logger) (Sender, error) {
	if smtpURL == "" {
		return NewLogSender(logger), nil
	}
	cfg, err := parseSMTPURL(smtpURL)
	if err != nil {
		return nil, err
	}
	if _, err := netmail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail: invalid sender address %q: %w", from, err)
	}
	s := &smtpSender{cfg: cfg, from: from}
	// Build a client once so that option errors surface here, not on first Send.
	if _, err := s.client(nil); err != nil {
		return nil, fmt.Errorf("mail: SMTP_URL: %w", err)
	}
	return s, nil
}

// smtpConfig is the parsed SMTP_URL.
type smtpConfig struct {
	host     string
	port     int
	implicit bool // smtps://
	user     string
	pass     string
	hasUser  bool
}

// parseSMTPURL parses SMTP_URL. Its errors never contain the URL itself, which
// may hold a password.
func parseSMTPURL(raw string) (smtpConfig, error) {
	const form = "expected smtp://user:pass@host:port or smtps://user:pass@host:port"
	u, err := url.Parse(raw)
	if err != nil {
		return smtpConfig{}, fmt.Errorf("mail: SMTP_URL is not a valid URL (%s)", form)
	}
	var cfg smtpConfig
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		cfg.port = defaultSMTPPort
	case "smtps":
		cfg.port = defaultSMTPSPort
		cfg.implicit = true
	default:
		return smtpConfig{}, fmt.Errorf("mail: SMTP_URL has scheme %q (%s)", u.Scheme, form)
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") {
		return smtpConfig{}, fmt.Errorf("mail: SMTP_URL must not have a path (%s)", form)
	}
	cfg.host = u.Hostname()
	if cfg.host == "" {
		return smtpConfig{}, fmt.Errorf("mail: SMTP_URL has no host (%s)", form)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return smtpConfig{}, fmt.Errorf("mail: SMTP_URL has an invalid port (%s)", form)
		}
		cfg.port = n
	}
	if u.User != nil && u.User.Username() != "" {
		cfg.hasUser = true
		cfg.user = u.User.Username()
		cfg.pass, _ = u.User.Password()
	}
	return cfg, nil
}

// smtpSender delivers through an SMTP server. It builds a go-mail client per
// Send (one connection per message), so it holds no connection state and is
// safe for concurrent use.
type smtpSender struct {
	cfg  smtpConfig
	from string
}

// Send delivers m. Each network step is bounded by Timeout, and cancelling ctx
// aborts the delivery.
func (s *smtpSender) Send(ctx context.Context, m Message) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}

	var (
		mu   sync.Mutex
		conn net.Conn
	)
	c, err := s.client(func(c net.Conn) {
		mu.Lock()
		conn = c
		mu.Unlock()
	})
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	// go-mail bounds the dial with its own deadline; after that the connection
	// only has read/write deadlines, so cancelling ctx closes it to unblock.
	closeConn := func() {
		mu.Lock()
		defer mu.Unlock()
		if conn != nil {
			_ = conn.Close()
		}
	}
	stop := context.AfterFunc(ctx, closeConn)
	defer stop()
	// go-mail quits and closes after a delivery, but not on every failure
	// during the handshake; closing again is harmless.
	defer closeConn()

	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("mail: sending to %s: %w (%v)", m.To, ctxErr, err)
		}
		return fmt.Errorf("mail: sending to %s via %s: %w", m.To, net.JoinHostPort(s.cfg.host, strconv.Itoa(s.cfg.port)), err)
	}
	return nil
}

// message converts m into a go-mail message.
func (s *smtpSender) message(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return nil, fmt.Errorf("mail: invalid sender address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("mail: invalid recipient address %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// client builds a go-mail client. onConn, when not nil, is told about the
// connection once it is dialed.
//
// The dial is done here rather than by go-mail so that the connection gets a
// deadline straight away: go-mail only sets one before each message, which
// would leave the greeting, EHLO, STARTTLS and AUTH unbounded.
func (s *smtpSender) client(onConn func(net.Conn)) (*gomail.Client, error) {
	cfg := s.cfg
	tlsConfig := &tls.Config{ServerName: cfg.host, MinVersion: tls.VersionTLS12}

	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: Timeout}
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if onConn != nil {
			onConn(c)
		}
		// ctx derives from Send's; if it ended just now, the AfterFunc in
		// Send may have run before it knew about c.
		if err := ctx.Err(); err != nil {
			_ = c.Close()
			return nil, err
		}
		if err := c.SetDeadline(time.Now().Add(Timeout)); err != nil {
			_ = c.Close()
			return nil, err
		}
		if !cfg.implicit {
			return c, nil
		}
		tc := tls.Client(c, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = c.Close()
			return nil, err
		}
		return tc, nil
	}

	opts := []gomail.Option{
		gomail.WithPort(cfg.port),
		gomail.WithTimeout(Timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(tlsConfig),
	}
	if cfg.implicit {
		// TLS is already established by dial.
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if cfg.hasUser {
		opts = append(opts, gomail.WithSMTPAuthCustom(&plainOrLogin{
			user:     cfg.user,
			pass:     cfg.pass,
			host:     cfg.host,
			loopback: isLoopback(cfg.host),
		}))
	}
	return gomail.NewClient(cfg.host, opts...)
}

// errUnencryptedAuth is returned rather than sending credentials in clear text
// to a host that is not loopback.
var errUnencryptedAuth = errors.New("refusing to send SMTP credentials over an unencrypted connection (the server did not offer STARTTLS; use smtps:// or a server with STARTTLS)")

// plainOrLogin authenticates with PLAIN, or LOGIN when the server offers only
// that, using go-mail's implementations. It decides per connection because the
// advertised mechanisms and the TLS state are only known then.
//
// go-mail's SMTPAuthAutoDiscover would never pick PLAIN or LOGIN on an
// unencrypted connection, not even to a loopback test server, and its PLAIN
// and LOGIN check the TLS state from the connection type. This check does the
// same, with one exception for loopback hosts (where go-mail's "NoEnc" variants
// are used): the credentials never leave the machine.
type plainOrLogin struct {
	user, pass, host string
	loopback         bool
	chosen           gosmtp.Auth
}

func (a *plainOrLogin) Start(server *gosmtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !a.loopback {
		return "", nil, errUnencryptedAuth
	}
	switch {
	case slices.Contains(server.Auth, "PLAIN"):
		a.chosen = gosmtp.PlainAuth("", a.user, a.pass, a.host, a.loopback)
	case slices.Contains(server.Auth, "LOGIN"):
		a.chosen = gosmtp.LoginAuth(a.user, a.pass, a.host, a.loopback)
	default:
		return "", nil, fmt.Errorf("SMTP server offers neither AUTH PLAIN nor AUTH LOGIN (it offers %q)", strings.Join(server.Auth, " "))
	}
	return a.chosen.Start(server)
}

func (a *plainOrLogin) Next(fromServer []byte, more bool) ([]byte, error) {
	if a.chosen == nil {
		return nil, errors.New("SMTP AUTH: Next before Start")
	}
	return a.chosen.Next(fromServer, more)
}

// isLoopback reports whether host (a name or an IP, without port or brackets)
// is the local machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LogSender writes messages to a slog logger at INFO instead of sending them:
// recipient, subject and text body. It is what New returns when no mail server
// is configured, so that a developer running locally can read sign-up codes in
// the log. The zero value logs to slog.Default().
type LogSender struct {
	logger *slog.Logger
}

// NewLogSender returns a LogSender writing to logger (nil: slog.Default()).
func NewLogSender(logger *slog.Logger) *LogSender {
	return &LogSender{logger: logger}
}

// Send logs m. It fails only if ctx is already done.
func (l *LogSender) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	logger := l.logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.LogAttrs(ctx, slog.LevelInfo, "mail not sent: no SMTP_URL configured, logging it instead",
		slog.String("to", m.To),
		slog.String("subject", m.Subject),
		slog.String("text", m.Text),
	)
	return nil
}
