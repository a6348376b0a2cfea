package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/pkce"
	"github.com/ory/fosite/storage"

	"usergraph/ent"
	"usergraph/ent/oauthtoken"
	"usergraph/ent/predicate"
	"usergraph/ent/session"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/secret"
)

// store is fosite's storage on ent. Every credential is found by the SHA-256 of its signature;
// a token is only found while the auth Session behind it is live, and a code only while the
// browser session that approved it is.
type store struct{ svc *Service }

var (
	_ fosite.Storage                = (*store)(nil)
	_ oauth2.CoreStorage            = (*store)(nil)
	_ oauth2.TokenRevocationStorage = (*store)(nil)
	_ pkce.PKCERequestStorage       = (*store)(nil)
	_ storage.Transactional         = (*store)(nil)
)

// formKeys are the request parameters worth keeping: fosite compares redirect_uri at the token
// endpoint and reads the PKCE challenge. Codes, verifiers, secrets and tokens are never stored.
var formKeys = []string{"client_id", "grant_type", "response_type", "scope", "redirect_uri", "code_challenge", "code_challenge_method"}

// errSpent means a code or refresh token was spent by a concurrent request between fosite's
// lookup and its conditional update: the credential was presented twice.
var errSpent = errors.New("oauth: the code or refresh token was spent by a concurrent request")

type txKey struct{}

func (st *store) BeginTX(ctx context.Context) (context.Context, error) {
	tx, err := st.svc.db.Tx(ctx)
	if err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, txKey{}, tx), nil
}

func (st *store) Commit(ctx context.Context) error {
	tx, ok := ctx.Value(txKey{}).(*ent.Tx)
	if !ok {
		return errors.New("oauth: commit without a transaction")
	}
	return tx.Commit()
}

func (st *store) Rollback(ctx context.Context) error {
	tx, ok := ctx.Value(txKey{}).(*ent.Tx)
	if !ok {
		return errors.New("oauth: rollback without a transaction")
	}
	return tx.Rollback()
}

// db is the transaction fosite began, if any: on SQLite a write outside it would wait for it.
func (st *store) db(ctx context.Context) *ent.Client {
	if tx, ok := ctx.Value(txKey{}).(*ent.Tx); ok {
		return tx.Client()
	}
	return st.svc.db
}

// inTx runs fn in fosite's transaction, or in its own when fosite began none.
func (st *store) inTx(ctx context.Context, fn func(context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*ent.Tx); ok {
		return fn(ctx)
	}
	txCtx, err := st.BeginTX(ctx)
	if err != nil {
		return err
	}
	if err := fn(txCtx); err != nil {
		_ = st.Rollback(txCtx)
		return err
	}
	return st.Commit(txCtx)
}

func sigHash(signature string) string { return secret.Hash(signature) }

func tokenType(kind oauthtoken.Kind) fosite.TokenType {
	switch kind {
	case oauthtoken.KindAccessToken:
		return fosite.AccessToken
	case oauthtoken.KindRefreshToken:
		return fosite.RefreshToken
	}
	return fosite.AuthorizeCode
}

func (st *store) create(ctx context.Context, kind oauthtoken.Kind, signature string, r fosite.Requester) error {
	sess, ok := r.GetSession().(*Session)
	if !ok {
		return errors.New("oauth: unexpected session type")
	}
	exp := sess.GetExpiresAt(tokenType(kind))
	if exp.IsZero() {
		return fmt.Errorf("oauth: %s has no expiry", kind)
	}
	form := url.Values{}
	for _, k := range formKeys {
		if v, ok := r.GetRequestForm()[k]; ok {
			form[k] = v
		}
	}
	c := st.db(ctx).OAuthToken.Create().
		SetKind(kind).
		SetSignatureHash(sigHash(signature)).
		SetRequestID(r.GetID()).
		SetClientID(r.GetClient().GetID()).
		SetRequestedScope(r.GetRequestedScopes()).
		SetGrantedScope(r.GetGrantedScopes()).
		SetForm(form.Encode()).
		SetRequestedAt(r.GetRequestedAt()).
		SetExpiresAt(exp)
	if sess.UserID != "" {
		c.SetUserID(sess.UserID)
	}
	switch kind {
	case oauthtoken.KindAccessToken, oauthtoken.KindRefreshToken:
		c.SetSessionID(sess.SessionID)
	case oauthtoken.KindAuthorizeCode:
		c.SetLoginSessionID(sess.LoginSessionID)
	}
	return c.Exec(ctx)
}

// load finds a credential and rebuilds its request, filling session (fosite passes the
// request's session to be hydrated; nil when it has none).
func (st *store) load(ctx context.Context, kind oauthtoken.Kind, signature string, session fosite.Session) (*fosite.Request, *ent.OAuthToken, error) {
	row, err := st.db(ctx).OAuthToken.Query().
		Where(oauthtoken.KindEQ(kind), oauthtoken.SignatureHash(sigHash(signature))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	c, err := st.svc.findClient(ctx, row.ClientID)
	if err != nil {
		return nil, nil, err
	}
	if c == nil {
		return nil, nil, fosite.ErrNotFound.WithHint("The client no longer exists.")
	}
	sess, _ := session.(*Session)
	if sess == nil {
		sess = &Session{}
	}
	// Set only what the row knows: a session hydrated twice keeps the expiries fosite set.
	if row.UserID != nil {
		sess.UserID = *row.UserID
	}
	if row.SessionID != nil {
		sess.SessionID = *row.SessionID
	}
	if row.LoginSessionID != nil {
		sess.LoginSessionID = *row.LoginSessionID
	}
	sess.SetExpiresAt(tokenType(kind), row.ExpiresAt)
	form, err := url.ParseQuery(row.Form)
	if err != nil {
		return nil, nil, err
	}
	return &fosite.Request{
		ID:                row.RequestID,
		RequestedAt:       row.RequestedAt,
		Client:            c,
		RequestedScope:    row.RequestedScope,
		GrantedScope:      row.GrantedScope,
		Form:              form,
		Session:           sess,
		RequestedAudience: fosite.Arguments{},
		GrantedAudience:   fosite.Arguments{},
	}, row, nil
}

// live refuses a credential whose session was revoked or expired, or whose user was banned or
// deleted: logout-all, password resets and bans reach OAuth grants this way.
func (st *store) live(ctx context.Context, sessionID *string) error {
	if sessionID == nil {
		return fosite.ErrNotFound
	}
	if _, err := st.svc.auth.LiveSession(ctx, *sessionID); err != nil {
		if apperr.Is(err, apperr.Unauthorized) || apperr.Is(err, apperr.Banned) {
			return fosite.ErrNotFound.WithHint("The session behind this grant has ended.").WithWrap(err)
		}
		return err
	}
	return nil
}

// ClientManager.

func (st *store) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	c, err := st.svc.findClient(ctx, id)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fosite.ErrNotFound
	}
	return c, nil
}

// Client assertions (private_key_jwt) are not offered: authenticateClient never reads them.
func (st *store) ClientAssertionJWTValid(context.Context, string) error { return nil }

func (st *store) SetClientAssertionJWT(context.Context, string, time.Time) error { return nil }

// Authorization codes.

func (st *store) CreateAuthorizeCodeSession(ctx context.Context, signature string, r fosite.Requester) error {
	return st.create(ctx, oauthtoken.KindAuthorizeCode, signature, r)
}

func (st *store) GetAuthorizeCodeSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	req, row, err := st.load(ctx, oauthtoken.KindAuthorizeCode, signature, session)
	if err != nil {
		return nil, err
	}
	if !row.Active {
		// fosite then revokes every token issued with this code.
		return req, fosite.ErrInvalidatedAuthorizeCode
	}
	if err := st.live(ctx, row.LoginSessionID); err != nil {
		return nil, err
	}
	return req, nil
}

// InvalidateAuthorizeCodeSession spends a code with a conditional update, so two concurrent
// exchanges cannot both win.
func (st *store) InvalidateAuthorizeCodeSession(ctx context.Context, signature string) error {
	n, err := st.db(ctx).OAuthToken.Update().
		Where(oauthtoken.KindEQ(oauthtoken.KindAuthorizeCode), oauthtoken.SignatureHash(sigHash(signature)), oauthtoken.Active(true)).
		SetActive(false).Save(ctx)
	if err != nil {
		return err
	}
	if n != 1 {
		return errSpent
	}
	return nil
}

// PKCE.

func (st *store) CreatePKCERequestSession(ctx context.Context, signature string, r fosite.Requester) error {
	return st.create(ctx, oauthtoken.KindPkce, signature, r)
}

func (st *store) GetPKCERequestSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	req, _, err := st.load(ctx, oauthtoken.KindPkce, signature, session)
	return req, err
}

// DeletePKCERequestSession keeps the challenge: fosite deletes it before it knows whether the
// verifier matches, so after one wrong verifier a retry without any would skip PKCE (for a
// confidential client without require-pkce). The challenge dies with its code instead, when the
// code is spent or expires.
func (st *store) DeletePKCERequestSession(context.Context, string) error { return nil }

// Access tokens.

// CreateAccessTokenSession saves the token and, for the first token of a grant, the auth
// Session it names (kind oauth for a user, client for client_credentials). A refresh keeps the
// Session and pushes its end forward.
func (st *store) CreateAccessTokenSession(ctx context.Context, signature string, r fosite.Requester) error {
	sess, ok := r.GetSession().(*Session)
	if !ok || sess.SessionID == "" {
		return errors.New("oauth: access token without a session")
	}
	return st.inTx(ctx, func(ctx context.Context) error {
		db := st.db(ctx)
		exists, err := db.Session.Query().Where(session.ID(sess.SessionID)).Exist(ctx)
		if err != nil {
			return err
		}
		switch {
		case !exists:
			start := auth.Start{ID: sess.SessionID, Kind: auth.KindOAuth, UserID: sess.UserID,
				ClientID: r.GetClient().GetID(), Scope: r.GetGrantedScopes()}
			if m, ok := ctx.Value(metaKey{}).(Meta); ok {
				start.IP, start.UserAgent = m.IP, m.UserAgent
			}
			end := sess.GetExpiresAt(fosite.RefreshToken)
			if sess.UserID == "" {
				// client_credentials: no refresh token, so the session ends with the access token.
				start.Kind = auth.KindClient
				end = sess.GetExpiresAt(fosite.AccessToken)
			}
			if end.IsZero() {
				end = st.svc.now().Add(st.svc.cfg.OAuth.RefreshTokenLifetime)
			}
			if _, err := st.svc.auth.SaveSession(ctx, db, start, end.Sub(st.svc.now())); err != nil {
				return err
			}
		case sess.UserID != "":
			if err := st.svc.auth.ExtendSession(ctx, db, sess.SessionID); err != nil {
				return err
			}
		}
		return st.create(ctx, oauthtoken.KindAccessToken, signature, r)
	})
}

func (st *store) GetAccessTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	req, row, err := st.load(ctx, oauthtoken.KindAccessToken, signature, session)
	if err != nil {
		return nil, err
	}
	if err := st.live(ctx, row.SessionID); err != nil {
		return nil, err
	}
	return req, nil
}

func (st *store) DeleteAccessTokenSession(ctx context.Context, signature string) error {
	_, err := st.db(ctx).OAuthToken.Delete().
		Where(oauthtoken.KindEQ(oauthtoken.KindAccessToken), oauthtoken.SignatureHash(sigHash(signature))).Exec(ctx)
	return err
}

// Refresh tokens.

func (st *store) CreateRefreshTokenSession(ctx context.Context, signature, _ string, r fosite.Requester) error {
	return st.create(ctx, oauthtoken.KindRefreshToken, signature, r)
}

// GetRefreshTokenSession returns ErrInactiveToken (with the request) for a spent token: fosite
// takes that as reuse and revokes the whole chain.
func (st *store) GetRefreshTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	req, row, err := st.load(ctx, oauthtoken.KindRefreshToken, signature, session)
	if err != nil {
		return nil, err
	}
	if !row.Active {
		return req, fosite.ErrInactiveToken
	}
	if err := st.live(ctx, row.SessionID); err != nil {
		return nil, err
	}
	return req, nil
}

func (st *store) DeleteRefreshTokenSession(ctx context.Context, signature string) error {
	_, err := st.db(ctx).OAuthToken.Delete().
		Where(oauthtoken.KindEQ(oauthtoken.KindRefreshToken), oauthtoken.SignatureHash(sigHash(signature))).Exec(ctx)
	return err
}

// RotateRefreshToken spends the presented refresh token with a conditional update, so of two
// concurrent refreshes only one gets a new pair.
func (st *store) RotateRefreshToken(ctx context.Context, _ string, signature string) error {
	n, err := st.db(ctx).OAuthToken.Update().
		Where(oauthtoken.KindEQ(oauthtoken.KindRefreshToken), oauthtoken.SignatureHash(sigHash(signature)), oauthtoken.Active(true)).
		SetActive(false).Save(ctx)
	if err != nil {
		return err
	}
	if n != 1 {
		return errSpent
	}
	return nil
}

// Revocation. Access tokens are JWTs that stay valid while their Session does, so revoking any
// token of a grant revokes the Session behind the grant: every access and refresh token of the
// chain stops working at once.

func (st *store) RevokeRefreshToken(ctx context.Context, requestID string) error {
	return st.revokeRequest(ctx, requestID)
}

func (st *store) RevokeAccessToken(ctx context.Context, requestID string) error {
	return st.revokeRequest(ctx, requestID)
}

func (st *store) revokeRequest(ctx context.Context, requestID string) error {
	db := st.db(ctx)
	ids, err := db.OAuthToken.Query().
		Where(oauthtoken.RequestID(requestID), oauthtoken.SessionIDNotNil()).
		Unique(true).Select(oauthtoken.FieldSessionID).Strings(ctx)
	if err != nil {
		return err
	}
	if err := db.OAuthToken.Update().
		Where(oauthtoken.RequestID(requestID), oauthtoken.KindEQ(oauthtoken.KindRefreshToken)).
		SetActive(false).Exec(ctx); err != nil {
		return err
	}
	return auth.RevokeSessions(ctx, db, ids...)
}

func oauthTokenExpiredBefore(t time.Time) predicate.OAuthToken { return oauthtoken.ExpiresAtLT(t) }
