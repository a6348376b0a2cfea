// Package auth owns sessions and the credentials that point at them: browser session cookies,
// JWT access tokens and rotating refresh tokens. An access token is a signed JWT naming its
// session; every request still checks that session in the database, so logout, logout-all and
// bans take effect at once on every instance.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"usergraph/ent"
	"usergraph/ent/predicate"
	"usergraph/ent/refreshtoken"
	"usergraph/ent/session"
	"usergraph/internal/apperr"
	"usergraph/internal/secret"
)

// Kinds of session.
const (
	KindCookie = session.KindCookie // POST /user/login: a browser session for /oauth/authorize
	KindToken  = session.KindToken  // GraphQL login: access and refresh tokens for the first-party app
	KindOAuth  = session.KindOauth  // tokens granted to an OAuth client for a user
	KindClient = session.KindClient // client_credentials: tokens of a client acting for itself
)

// Reasons carried in Unauthorized errors so clients can tell an expired token from a bad one.
const (
	ReasonTokenExpired   = "SESSION_TOKEN_EXPIRED"
	ReasonRefreshExpired = "REFRESH_TOKEN_EXPIRED"
	ReasonInvalid        = "GENERIC_UNAUTHORIZED"
)

// Settings are the lifetimes and key the service needs.
type Settings struct {
	SigningKey      []byte
	AccessLifetime  time.Duration
	RefreshLifetime time.Duration
	// CookieLifetime is how long a browser session lives on the server.
	CookieLifetime time.Duration
	Issuer         string
}

// Service issues and checks credentials.
type Service struct {
	db  *ent.Client
	set Settings
	now func() time.Time
	// stmts, once prepared, run the token check as one statement (check.go).
	stmts *checkStmts
}

// New returns a Service. The signing key must be at least 32 bytes.
func New(db *ent.Client, s Settings) (*Service, error) {
	if len(s.SigningKey) < 32 {
		return nil, errors.New("auth: signing key shorter than 32 bytes")
	}
	if s.Issuer == "" {
		s.Issuer = "usergraph"
	}
	return &Service{db: db, set: s, now: func() time.Time { return time.Now().UTC() }}, nil
}

// Identity is who is calling: a user through a session, or a client acting for itself.
type Identity struct {
	Session  *ent.Session
	User     *ent.User // nil for client tokens
	ClientID string    // the OAuth client the token was granted to, "" for first-party sessions
	Scope    []string  // scopes fixed at grant time
	// Loaded holds the roles and client read with the session by the prepared token check;
	// nil when the identity comes from elsewhere (access then reads them itself).
	Loaded *Loaded
}

// IsClient reports whether the identity is a client acting for itself (client_credentials).
func (i *Identity) IsClient() bool { return i != nil && i.User == nil }

// Start describes a new session.
type Start struct {
	// ID, when set, is the session's id chosen in advance: an OAuth access token names its
	// session before the storage transaction that saves the session.
	ID        string
	Kind      session.Kind
	UserID    string
	ClientID  string
	Scope     []string
	UserAgent string
	IP        string
}

// Tokens is what a token grant returns.
type Tokens struct {
	AccessToken  string
	RefreshToken string // "" for client_credentials
	ExpiresIn    int    // seconds
	Scope        []string
}

type claims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
	ClientID  string `json:"cid,omitempty"`
	Scope     string `json:"scope,omitempty"`
}

// StartCookieSession creates a browser session and returns its cookie value.
func (s *Service) StartCookieSession(ctx context.Context, st Start) (*ent.Session, string, error) {
	cookie := secret.Token(32)
	st.Kind = KindCookie
	sess, err := s.create(ctx, s.db, st, s.set.CookieLifetime, secret.Hash(cookie))
	return sess, cookie, err
}

// StartTokenSession creates a token session and issues its first access and refresh tokens.
// db may be a transactional client, so a grant and what it consumes commit together.
func (s *Service) StartTokenSession(ctx context.Context, db *ent.Client, st Start) (*ent.Session, Tokens, error) {
	if db == nil {
		db = s.db
	}
	sess, err := s.create(ctx, db, st, s.set.RefreshLifetime, "")
	if err != nil {
		return nil, Tokens{}, err
	}
	toks, err := s.issue(ctx, db, sess, st.Kind != KindClient)
	return sess, toks, err
}

func (s *Service) create(ctx context.Context, db *ent.Client, st Start, life time.Duration, secretHash string) (*ent.Session, error) {
	c := db.Session.Create().
		SetKind(st.Kind).
		SetScope(st.Scope).
		SetUserAgent(truncate(st.UserAgent, 1024)).
		SetIP(st.IP).
		SetExpiresAt(s.now().Add(life))
	if st.UserID != "" {
		c.SetUserID(st.UserID)
	}
	if st.ClientID != "" {
		c.SetClientID(st.ClientID)
	}
	if st.ID != "" {
		c.SetID(st.ID)
	}
	if secretHash != "" {
		c.SetSecretHash(secretHash)
	}
	sess, err := c.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return sess, nil
}

// SaveSession creates the session st describes, living for life, without issuing any token.
// The OAuth server uses it inside its storage transaction; db may be a transactional client.
func (s *Service) SaveSession(ctx context.Context, db *ent.Client, st Start, life time.Duration) (*ent.Session, error) {
	if db == nil {
		db = s.db
	}
	return s.create(ctx, db, st, life, "")
}

// ExtendSession pushes a token session's end a refresh lifetime ahead (a refresh grant keeps the
// chain alive). db may be a transactional client.
func (s *Service) ExtendSession(ctx context.Context, db *ent.Client, sessionID string) error {
	if db == nil {
		db = s.db
	}
	return db.Session.UpdateOneID(sessionID).SetExpiresAt(s.now().Add(s.set.RefreshLifetime)).Exec(ctx)
}

// IssueAccess signs an access token naming sess, valid until exp (the configured access
// lifetime from now when exp is zero). The session need not be saved yet, but the token is
// only accepted once it is, and only while it stays live.
func (s *Service) IssueAccess(sess *ent.Session, exp time.Time) (string, error) {
	now := s.now()
	if exp.IsZero() {
		exp = now.Add(s.set.AccessLifetime)
	}
	subject := ""
	if sess.UserID != nil {
		subject = *sess.UserID
	} else if sess.ClientID != nil {
		subject = *sess.ClientID
	}
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.set.Issuer,
			Subject:   subject,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        secret.Token(8),
		},
		SessionID: sess.ID,
		Scope:     strings.Join(sess.Scope, " "),
	}
	if sess.ClientID != nil {
		c.ClientID = *sess.ClientID
	}
	access, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.set.SigningKey)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return access, nil
}

func (s *Service) issue(ctx context.Context, db *ent.Client, sess *ent.Session, withRefresh bool) (Tokens, error) {
	now := s.now()
	access, err := s.IssueAccess(sess, time.Time{})
	if err != nil {
		return Tokens{}, err
	}
	t := Tokens{AccessToken: access, ExpiresIn: int(s.set.AccessLifetime / time.Second), Scope: sess.Scope}
	if withRefresh {
		t.RefreshToken = secret.Token(32)
		if err := db.RefreshToken.Create().
			SetTokenHash(secret.Hash(t.RefreshToken)).
			SetSessionID(sess.ID).
			SetExpiresAt(now.Add(s.set.RefreshLifetime)).
			Exec(ctx); err != nil {
			return Tokens{}, fmt.Errorf("store refresh token: %w", err)
		}
	}
	return t, nil
}

// Authenticate checks a bearer access token and returns who it belongs to.
func (s *Service) Authenticate(ctx context.Context, token string) (*Identity, error) {
	id, _, err := s.Inspect(ctx, token)
	return id, err
}

// AccessClaims is what a valid access token says about itself.
type AccessClaims struct {
	SessionID, Subject, ClientID string
	Scope                        []string
	IssuedAt, ExpiresAt          time.Time
}

// ParseAccess checks an access token's signature, issuer and expiry, without asking whether its
// session is still live (Inspect does both).
func (s *Service) ParseAccess(token string) (AccessClaims, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.set.SigningKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(s.set.Issuer),
		jwt.WithExpirationRequired())
	if errors.Is(err, jwt.ErrTokenExpired) {
		return AccessClaims{}, unauthorized(ReasonTokenExpired)
	}
	if err != nil || c.SessionID == "" {
		return AccessClaims{}, unauthorized(ReasonInvalid)
	}
	ac := AccessClaims{SessionID: c.SessionID, Subject: c.Subject, ClientID: c.ClientID,
		Scope: strings.Fields(c.Scope), ExpiresAt: c.ExpiresAt.Time.UTC()}
	if c.IssuedAt != nil {
		ac.IssuedAt = c.IssuedAt.Time.UTC()
	}
	return ac, nil
}

// Inspect checks an access token and its session, returning who it belongs to and what the
// token says (token introspection needs its times).
func (s *Service) Inspect(ctx context.Context, token string) (*Identity, AccessClaims, error) {
	c, err := s.ParseAccess(token)
	if err != nil {
		return nil, AccessClaims{}, err
	}
	id, err := s.loadByID(ctx, c.SessionID)
	if err != nil {
		return nil, AccessClaims{}, err
	}
	return id, c, nil
}

// LiveSession returns the identity behind a session id, refusing it as Authenticate would:
// revoked or expired sessions, banned or deleted users.
func (s *Service) LiveSession(ctx context.Context, sessionID string) (*Identity, error) {
	return s.loadByID(ctx, sessionID)
}

// CookieSession returns the identity of a browser session cookie.
func (s *Service) CookieSession(ctx context.Context, cookie string) (*Identity, error) {
	if cookie == "" {
		return nil, unauthorized(ReasonInvalid)
	}
	if s.stmts != nil {
		return s.check(ctx, s.stmts.byCookie, secret.Hash(cookie))
	}
	return s.load(ctx, session.SecretHash(secret.Hash(cookie)), session.KindEQ(KindCookie))
}

func (s *Service) loadByID(ctx context.Context, sessionID string) (*Identity, error) {
	if s.stmts != nil {
		return s.check(ctx, s.stmts.byID, sessionID)
	}
	return s.load(ctx, session.ID(sessionID))
}

// load finds a live session and its user, refusing revoked or expired sessions and banned or
// deleted users.
func (s *Service) load(ctx context.Context, where ...predicate.Session) (*Identity, error) {
	sess, err := s.db.Session.Query().Where(where...).WithUser().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, unauthorized(ReasonInvalid)
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	return s.identity(sess)
}

func (s *Service) identity(sess *ent.Session) (*Identity, error) {
	if sess.RevokedAt != nil {
		return nil, unauthorized(ReasonInvalid)
	}
	if !s.now().Before(sess.ExpiresAt) {
		return nil, unauthorized(ReasonTokenExpired)
	}
	id := &Identity{Session: sess, Scope: sess.Scope}
	if sess.ClientID != nil {
		id.ClientID = *sess.ClientID
	}
	if sess.UserID != nil {
		u := sess.Edges.User
		if u == nil || u.IsDeleted {
			return nil, unauthorized(ReasonInvalid)
		}
		if u.IsBanned {
			return nil, apperr.New(apperr.Banned, nil)
		}
		id.User = u
	}
	return id, nil
}

// Refresh exchanges a refresh token for a new pair. The old token is spent; presenting a spent
// token again means it leaked, so the whole session is revoked. clientID must be the client the
// session was granted to: "" (first-party refresh) only refreshes first-party sessions, so a
// refresh token issued to an OAuth client cannot be redeemed without that client.
func (s *Service) Refresh(ctx context.Context, refresh, clientID string) (Tokens, *Identity, error) {
	tx, err := s.db.Tx(ctx)
	if err != nil {
		return Tokens{}, nil, err
	}
	defer tx.Rollback()
	rt, err := tx.RefreshToken.Query().Where(refreshtoken.TokenHash(secret.Hash(refresh))).Only(ctx)
	if ent.IsNotFound(err) {
		return Tokens{}, nil, unauthorized(ReasonInvalid)
	}
	if err != nil {
		return Tokens{}, nil, err
	}
	now := s.now()
	if rt.UsedAt != nil {
		// Reuse of a spent token: revoke the session it belongs to, and commit that.
		if err := tx.Session.UpdateOneID(rt.SessionID).SetRevokedAt(now).Exec(ctx); err != nil {
			return Tokens{}, nil, err
		}
		if err := tx.Commit(); err != nil {
			return Tokens{}, nil, err
		}
		return Tokens{}, nil, unauthorized(ReasonInvalid)
	}
	if !now.Before(rt.ExpiresAt) {
		return Tokens{}, nil, unauthorized(ReasonRefreshExpired)
	}
	// Spend the token with a conditional update so two concurrent refreshes cannot both win.
	n, err := tx.RefreshToken.Update().Where(refreshtoken.ID(rt.ID), refreshtoken.UsedAtIsNil()).SetUsedAt(now).Save(ctx)
	if err != nil {
		return Tokens{}, nil, err
	}
	if n != 1 {
		return Tokens{}, nil, unauthorized(ReasonInvalid)
	}
	sess, err := tx.Session.Query().Where(session.ID(rt.SessionID)).WithUser().Only(ctx)
	if err != nil {
		return Tokens{}, nil, err
	}
	id, err := s.identity(sess)
	if err != nil {
		return Tokens{}, nil, err
	}
	if id.ClientID != clientID {
		return Tokens{}, nil, unauthorized(ReasonInvalid)
	}
	sess, err = tx.Session.UpdateOne(sess).SetExpiresAt(now.Add(s.set.RefreshLifetime)).Save(ctx)
	if err != nil {
		return Tokens{}, nil, err
	}
	toks, err := s.issue(ctx, tx.Client(), sess, true)
	if err != nil {
		return Tokens{}, nil, err
	}
	if err := tx.Commit(); err != nil {
		return Tokens{}, nil, err
	}
	return toks, id, nil
}

// Revoke ends one session: its cookie, access tokens and refresh tokens stop working.
func (s *Service) Revoke(ctx context.Context, sessionID string) error {
	return s.db.Session.Update().Where(session.ID(sessionID), session.RevokedAtIsNil()).SetRevokedAt(s.now()).Exec(ctx)
}

// RevokeSessions ends the named sessions. db may be a transactional client.
func RevokeSessions(ctx context.Context, db *ent.Client, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return db.Session.Update().Where(session.IDIn(ids...), session.RevokedAtIsNil()).SetRevokedAt(time.Now().UTC()).Exec(ctx)
}

// RevokeAllForUser ends every session of a user, except the one named by keep (if any).
// db may be a transactional client.
func RevokeAllForUser(ctx context.Context, db *ent.Client, userID, keep string) error {
	q := db.Session.Update().Where(session.UserID(userID), session.RevokedAtIsNil())
	if keep != "" {
		q = q.Where(session.IDNEQ(keep))
	}
	return q.SetRevokedAt(time.Now().UTC()).Exec(ctx)
}

func unauthorized(reason string) *apperr.Error {
	return &apperr.Error{Code: apperr.Unauthorized, Reason: reason}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
