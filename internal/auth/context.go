package auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"usergraph/internal/apperr"
)

type ctxKey struct{}

type ctxValue struct {
	id  *Identity
	err error
}

// WithIdentity records who is calling (or why the presented token was refused).
func WithIdentity(ctx context.Context, id *Identity, err error) context.Context {
	return context.WithValue(ctx, ctxKey{}, ctxValue{id: id, err: err})
}

// FromContext returns the caller's identity, or nil when no valid token was presented.
func FromContext(ctx context.Context) *Identity {
	v, _ := ctx.Value(ctxKey{}).(ctxValue)
	return v.id
}

// Require returns the caller's identity, or the reason there is none: the error that refused
// the presented token, or Unauthorized when none was presented.
func Require(ctx context.Context) (*Identity, error) {
	v, _ := ctx.Value(ctxKey{}).(ctxValue)
	if v.id != nil {
		return v.id, nil
	}
	if v.err != nil {
		return nil, v.err
	}
	return nil, unauthorized(ReasonInvalid)
}

// BearerToken reads "Authorization: Bearer <token>" (the scheme is case-insensitive).
// Tokens in the query string are not accepted, as in Liquid.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// Middleware authenticates the bearer token, if any, and stores the result in the request
// context. It never rejects a request itself: routes that need a caller use Require, so public
// operations keep working with a stale token.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := BearerToken(r); tok != "" {
			id, err := s.Authenticate(r.Context(), tok)
			if err != nil && !isExpected(err) {
				// A database failure is not the caller's fault: it stays a plain error, which
				// every API answers as a bare InternalServerError and logs with this cause.
				err = fmt.Errorf("authenticate the bearer token: %w", err)
			}
			r = r.WithContext(WithIdentity(r.Context(), id, err))
		}
		next.ServeHTTP(w, r)
	})
}

func isExpected(err error) bool {
	return apperr.Is(err, apperr.Unauthorized) || apperr.Is(err, apperr.Banned)
}
