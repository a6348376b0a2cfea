package oauth

import (
	"context"
	"errors"
	"strings"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"

	"usergraph/ent"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/objectid"
)

// tokenStrategy mints access tokens through internal/auth, so they are the same JWTs the
// resource middleware checks against their Session row. Authorization codes and refresh tokens
// stay fosite's HMAC tokens.
type tokenStrategy struct {
	*oauth2.HMACSHAStrategyUnPrefixed
	auth *auth.Service
}

var _ oauth2.CoreStrategy = (*tokenStrategy)(nil)

// AccessTokenSignature is the JWT's signature segment: what fosite stores the token under.
func (t *tokenStrategy) AccessTokenSignature(_ context.Context, token string) string {
	if i := strings.LastIndexByte(token, '.'); i >= 0 && strings.Count(token, ".") == 2 {
		return token[i+1:]
	}
	return ""
}

// GenerateAccessToken signs a token naming the grant's Session. The first token of a grant
// picks the Session's id here; the storage transaction saves the Session with it, so a grant
// that fails leaves no session behind.
func (t *tokenStrategy) GenerateAccessToken(_ context.Context, r fosite.Requester) (string, string, error) {
	sess, ok := r.GetSession().(*Session)
	if !ok {
		return "", "", errors.New("oauth: unexpected session type")
	}
	if sess.SessionID == "" {
		sess.SessionID = objectid.New()
	}
	clientID := r.GetClient().GetID()
	es := &ent.Session{ID: sess.SessionID, ClientID: &clientID, Scope: r.GetGrantedScopes()}
	if sess.UserID != "" {
		uid := sess.UserID
		es.UserID = &uid
	}
	token, err := t.auth.IssueAccess(es, sess.GetExpiresAt(fosite.AccessToken))
	if err != nil {
		return "", "", err
	}
	return token, t.AccessTokenSignature(context.Background(), token), nil
}

// ValidateAccessToken checks the JWT itself; the storage lookup checks its Session.
func (t *tokenStrategy) ValidateAccessToken(_ context.Context, _ fosite.Requester, token string) error {
	if _, err := t.auth.ParseAccess(token); err != nil {
		var e *apperr.Error
		if errors.As(err, &e) && e.Reason == auth.ReasonTokenExpired {
			return fosite.ErrTokenExpired.WithWrap(err)
		}
		return fosite.ErrInactiveToken.WithWrap(err)
	}
	return nil
}
