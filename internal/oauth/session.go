package oauth

import (
	"maps"
	"time"

	"github.com/ory/fosite"
)

// Session is what fosite carries through a grant for us: who the tokens are for and which
// auth Session row stands behind them.
type Session struct {
	// UserID is the resource owner; "" for client_credentials (the client acts for itself).
	UserID string
	// SessionID is the auth Session (kind oauth or client) the access token names. It is chosen
	// when the first access token of a grant is minted and kept by every refresh of the chain.
	SessionID string
	// LoginSessionID is the browser session that approved an authorization code.
	LoginSessionID string
	ExpiresAt      map[fosite.TokenType]time.Time
}

var _ fosite.Session = (*Session)(nil)

func (s *Session) SetExpiresAt(key fosite.TokenType, exp time.Time) {
	if s.ExpiresAt == nil {
		s.ExpiresAt = map[fosite.TokenType]time.Time{}
	}
	s.ExpiresAt[key] = exp
}

func (s *Session) GetExpiresAt(key fosite.TokenType) time.Time {
	if s.ExpiresAt == nil {
		return time.Time{}
	}
	return s.ExpiresAt[key]
}

func (s *Session) GetUsername() string { return "" }

func (s *Session) GetSubject() string { return s.UserID }

func (s *Session) Clone() fosite.Session {
	if s == nil {
		return nil
	}
	c := *s
	c.ExpiresAt = maps.Clone(s.ExpiresAt)
	return &c
}
