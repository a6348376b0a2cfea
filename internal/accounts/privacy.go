package accounts

import (
	"context"
	"slices"
	"sync"

	"usergraph/ent"
)

// Visible reports whether the caller may see u's field, named as GraphQL names it (the
// GraphQL User type asks this for every field; see userview.go for the table).
func (s *Service) Visible(ctx context.Context, u *ent.User, graphQLField string) bool {
	v := s.ViewOf(ctx, u)
	f, ok := FieldByGraphQL(graphQLField)
	if !ok {
		// Not a stored field (relations, lists): hidden only behind the stub.
		return !v.Stub
	}
	return v.Shows(f)
}

// owners remembers the accounts a caller proved, during one request, to own: by signing up or
// logging in. A GraphQL login answers with the user before the caller holds a token, and that
// user is the caller's own account.
type owners struct {
	mu  sync.Mutex
	ids []string
}

type ownersKey struct{}

// WithOwners prepares ctx for one request so that the accounts the caller signs up or logs in
// to during it are shown to the caller as their own (GraphQL installs it per request).
func WithOwners(ctx context.Context) context.Context {
	return context.WithValue(ctx, ownersKey{}, &owners{})
}

func markOwner(ctx context.Context, userID string) {
	if o, _ := ctx.Value(ownersKey{}).(*owners); o != nil {
		o.mu.Lock()
		o.ids = append(o.ids, userID)
		o.mu.Unlock()
	}
}

func isOwner(ctx context.Context, userID string) bool {
	o, _ := ctx.Value(ownersKey{}).(*owners)
	if o == nil {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Contains(o.ids, userID)
}
