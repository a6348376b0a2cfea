package graph

import (
	"context"

	"usergraph/ent"
)

// visible returns v when the caller may see u's field, else nil.
func visible[T any](r *userResolver, ctx context.Context, u *ent.User, field string, v *T) *T {
	if v == nil || !r.Accounts.Visible(ctx, u, field) {
		return nil
	}
	return v
}
