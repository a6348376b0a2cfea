// Package httplog gives every request an id (X-Request-Id), and is where the access log and the
// per-request facts it reports (route, GraphQL operation, caller) are gathered.
package httplog

import (
	"context"
	"crypto/rand"
	"net/http"
)

// Header is the request and response header carrying the request id.
const Header = "X-Request-Id"

// maxIDLen bounds an accepted incoming id: long enough for a UUID or a trace id with a
// prefix, short enough that a client cannot bloat every log line.
const maxIDLen = 128

type ctxKey struct{}

// entry holds what is known about one request. The middleware puts a pointer in the context, so
// handlers deeper in the chain (which see a derived *http.Request) can fill in the route and
// the caller for the access log.
type entry struct {
	id string
}

// RequestID returns the id of the request ctx belongs to, or "" outside a request.
func RequestID(ctx context.Context) string {
	if e, _ := ctx.Value(ctxKey{}).(*entry); e != nil {
		return e.id
	}
	return ""
}

// WithRequestID returns ctx carrying id as its request id (for work started outside the HTTP
// middleware, e.g. tests or background jobs that want their log lines tied together).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, &entry{id: id})
}

// RequestIDs accepts a sane incoming X-Request-Id (so a proxy's id ties its logs to ours) or
// makes one, returns it in the response header and stores it in the request context.
func RequestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(Header)
		if !validID(id) {
			id = NewID()
		}
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(WithRequestID(r.Context(), id)))
	})
}

// NewID returns a fresh random request id (26 base32 characters, 130 bits).
func NewID() string { return rand.Text() }

// validID accepts 1 to maxIDLen printable ASCII characters without spaces: anything else
// (control characters that could forge log lines, huge values) is replaced by our own id.
func validID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}
