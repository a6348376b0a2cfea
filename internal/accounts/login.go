package accounts

import (
	"context"
	"strings"

	"usergraph/ent"
	"usergraph/ent/code"
	"usergraph/ent/user"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/mail"
	"usergraph/internal/metrics"
	"usergraph/internal/ratelimit"
	"usergraph/internal/rules"
	"usergraph/internal/secret"
	"usergraph/internal/validate"
)

// Grant says what a successful login hands out: a browser session cookie (REST, for
// /oauth/authorize) or access and refresh tokens (GraphQL).
type Grant int

const (
	GrantCookie Grant = iota
	GrantTokens
)

// LoginResult is the outcome of a login step.
type LoginResult struct {
	User *ent.User
	// TwoFactorRequired means a code was mailed; finish with CompleteTwoFactor.
	TwoFactorRequired bool
	SessionHash       string
	// Cookie is the session cookie value (GrantCookie).
	Cookie  string
	Session *ent.Session
	// Tokens are set for GrantTokens.
	Tokens auth.Tokens
}

// LoginInput is a password login.
type LoginInput struct {
	// Username or Email names the account; Email wins when both are given.
	Username, Email *string
	Password        string
	// UserAgent is recorded in the login history; a token login falls back to the request's
	// User-Agent header.
	UserAgent *string
}

// loginPassword is the password rule of a login: the length only. A password set before a
// stricter pattern was configured still opens its account.
var loginPassword = rules.Defaults.Password

// Login checks a username or email and a password. Unknown users and wrong passwords get the
// same 401 after the same work; whether the account is verified, banned or deleted is only
// told to someone who knows the password.
func (s *Service) Login(ctx context.Context, in LoginInput, meta Meta, grant Grant) (res *LoginResult, err error) {
	defer func() { s.countLogin(metrics.StepPassword, res, err) }()
	cfg := s.cfg
	if err := s.limits.Check(ctx, ratelimit.Heavy, "login"); err != nil {
		return nil, err
	}
	if grant == GrantTokens && in.UserAgent == nil && meta.UserAgent != "" {
		// A token login (GraphQL) may take the agent from the User-Agent header; Liquid's REST
		// login must carry it in the body.
		in.UserAgent = &meta.UserAgent
	}
	var c rules.Check
	if in.Email != nil {
		c.String("email", *in.Email, rules.Email)
	} else if c.Required("username", in.Username != nil) {
		c.String("username", *in.Username, s.rules.Username)
	}
	c.String("password", in.Password, loginPassword)
	if !cfg.Login.RequireUserAgent || c.Required("userAgent", in.UserAgent != nil) {
		c.Optional("userAgent", in.UserAgent, rules.UserAgent)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if in.UserAgent != nil && *in.UserAgent != "" {
		meta.UserAgent = *in.UserAgent
	}

	q := s.db.User.Query()
	var account string // what the per-account limit counts: the name as the caller typed it
	if in.Email != nil {
		sanitized := validate.SanitizeEmail(strings.TrimSpace(*in.Email), cfg.Account.SanitizeGmail)
		q, account = q.Where(user.SanitizedEmail(sanitized)), "email:"+sanitized
	} else {
		name := strings.ToLower(*in.Username)
		q, account = q.Where(user.Username(name)), "username:"+name
	}
	u, err := q.Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	hash, userID := "", ""
	if u != nil {
		hash, userID = u.PasswordHash, u.ID
	}
	// Counted whether or not the account exists, so a refusal tells nothing about it.
	if err := s.limits.CheckAccount(ctx, "login", account, s.knownSource(userID)); err != nil {
		return nil, err
	}
	if ok, err := s.passwordMatches(ctx, hash, in.Password); err != nil {
		return nil, err
	} else if !ok {
		if u != nil {
			s.recordLogin(ctx, u.ID, meta, false, "password_rejected")
		}
		return nil, apperr.New(apperr.Unauthorized, nil)
	}
	if err := s.loginAllowed(u); err != nil {
		return nil, err
	}
	if cfg.TwoFactor.EmailEnabled && (u.TwoFactorEnabled || cfg.TwoFactor.EmailEnforce) {
		sessionHash := secret.Alnum(64)
		v, err := s.issueCode(ctx, s.db, u.ID, code.PurposeLogin, sessionHash)
		if err != nil {
			return nil, err
		}
		s.send(mail.LoginCode(cfg.Mail.AppName, u.Email, v))
		return &LoginResult{User: u, TwoFactorRequired: true, SessionHash: sessionHash}, nil
	}
	return s.finishLogin(ctx, u, meta, grant)
}

// loginAllowed refuses accounts that may not sign in even with the right password.
func (s *Service) loginAllowed(u *ent.User) error {
	switch {
	case u.IsDeleted:
		return apperr.New(apperr.Unauthorized, nil)
	case u.IsBanned:
		return apperr.New(apperr.Banned, nil)
	case !u.EmailVerified:
		return apperr.New(apperr.ResourceNotActive, nil)
	}
	return nil
}

// TwoFactorInput finishes a login that asked for a mailed code.
type TwoFactorInput struct {
	UserID, Code string
	// SessionHash is what the first login step returned.
	SessionHash string
	UserAgent   *string
}

// CompleteTwoFactor finishes a login with the mailed code and the sessionHash the first step
// returned (POST /user/do-2fa, mutation completeTwoFactorLogin).
func (s *Service) CompleteTwoFactor(ctx context.Context, in TwoFactorInput, meta Meta, grant Grant) (res *LoginResult, err error) {
	defer func() { s.countLogin(metrics.StepTwoFactor, res, err) }()
	if !s.cfg.TwoFactor.EmailEnabled {
		return nil, apperr.New(apperr.NotFound, nil)
	}
	if err := s.limits.Check(ctx, ratelimit.Extreme, "2fa"); err != nil {
		return nil, err
	}
	var c rules.Check
	c.String("userId", in.UserID, rules.ID)
	c.String("code", in.Code, rules.LoginCode)
	c.String("sessionHash", in.SessionHash, rules.SessionHash)
	c.Optional("userAgent", in.UserAgent, rules.UserAgent)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if in.UserAgent != nil && *in.UserAgent != "" {
		meta.UserAgent = *in.UserAgent
	}
	target := strings.ToLower(in.UserID)
	if err := s.limits.CheckAccount(ctx, "2fa", target, s.knownSource(target)); err != nil {
		return nil, err
	}
	ok, err := s.checkCode(ctx, target, code.PurposeLogin, in.Code, in.SessionHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		if exists, _ := s.db.User.Query().Where(user.ID(target)).Exist(ctx); exists {
			s.recordLogin(ctx, target, meta, false, "mfa_rejected")
		}
		return nil, errCodeRejected
	}
	u, err := s.db.User.Get(ctx, target)
	if err != nil {
		return nil, err
	}
	if err := s.loginAllowed(u); err != nil {
		return nil, err
	}
	return s.finishLogin(ctx, u, meta, grant)
}

func (s *Service) finishLogin(ctx context.Context, u *ent.User, meta Meta, grant Grant) (*LoginResult, error) {
	scope, err := s.access.EffectiveScope(ctx, u)
	if err != nil {
		return nil, err
	}
	st := auth.Start{UserID: u.ID, Scope: scope, UserAgent: meta.UserAgent, IP: meta.IP}
	res := &LoginResult{User: u}
	if grant == GrantCookie {
		res.Session, res.Cookie, err = s.auth.StartCookieSession(ctx, st)
	} else {
		st.Kind = auth.KindToken
		res.Session, res.Tokens, err = s.auth.StartTokenSession(ctx, nil, st)
	}
	if err != nil {
		return nil, err
	}
	s.recordLogin(ctx, u.ID, meta, true, "")
	markOwner(ctx, u.ID)
	return res, nil
}

// recordLogin writes the login history; a failure to record must not fail the login.
func (s *Service) recordLogin(ctx context.Context, userID string, meta Meta, success bool, reason string) {
	if success && !s.cfg.Login.RecordSuccessful || !success && !s.cfg.Login.RecordFailed {
		return
	}
	c := s.db.LoginHistory.Create().
		SetUserID(userID).
		SetUserAgent(truncate(meta.UserAgent, 1024)).
		SetIPAddress(meta.IP).
		SetSuccess(success).
		SetSource("password").
		SetExpiresAt(s.now().Add(s.cfg.Login.HistoryTTL))
	if reason != "" {
		c.SetReason(reason)
	}
	if err := c.Exec(ctx); err != nil {
		s.log.Error("recording login history failed", "user", userID, "err", err)
	}
}

// Refresh exchanges a refresh token for a new access and refresh token.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (auth.Tokens, error) {
	if refreshToken == "" {
		return auth.Tokens{}, apperr.New(apperr.Unauthorized, nil)
	}
	toks, _, err := s.auth.Refresh(ctx, refreshToken, "")
	return toks, err
}

// Logout ends the caller's session and the browser session named by cookie, if any. Without
// either it does nothing, as Liquid's does.
func (s *Service) Logout(ctx context.Context, cookie string) error {
	if id := auth.FromContext(ctx); id != nil {
		if err := s.auth.Revoke(ctx, id.Session.ID); err != nil {
			return err
		}
	}
	if cookie != "" {
		if cs, err := s.auth.CookieSession(ctx, cookie); err == nil {
			return s.auth.Revoke(ctx, cs.Session.ID)
		}
	}
	return nil
}

// LogoutAll ends every session of the caller's user: cookies, access and refresh tokens, on
// every instance (they all check the sessions table).
func (s *Service) LogoutAll(ctx context.Context, cookie string) error {
	id := auth.FromContext(ctx)
	if id == nil && cookie != "" {
		id, _ = s.auth.CookieSession(ctx, cookie)
	}
	if id == nil || id.User == nil {
		return nil
	}
	return withTx(ctx, s.db, func(tx *ent.Tx) error {
		if err := tx.User.UpdateOneID(id.User.ID).SetGlobalLogoutAt(s.now()).Exec(ctx); err != nil {
			return err
		}
		return auth.RevokeAllForUser(ctx, tx.Client(), id.User.ID, "")
	})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// SessionState returns the user of a browser session (GET /user/session-state); without a
// live session it is 403 Forbidden, as in Liquid.
func (s *Service) SessionState(ctx context.Context, cookie string) (*ent.User, error) {
	id, err := s.auth.CookieSession(ctx, cookie)
	if err != nil || id.User == nil {
		if apperr.Is(err, apperr.Unauthorized) || apperr.Is(err, apperr.Banned) || err == nil {
			return nil, apperr.New(apperr.Forbidden, nil)
		}
		return nil, err
	}
	return id.User, nil
}
