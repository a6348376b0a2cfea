package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"usergraph/ent"
)

// viewUserFields applies the user field table to every field of the User type: a field the
// viewer may not see resolves to null (the accounts package decides, for REST and GraphQL
// alike). It runs as gqlgen field middleware, so no User field needs a resolver of its own.
func (r *Resolver) viewUserFields(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "User" || fc.Parent == nil {
		return next(ctx)
	}
	var u *ent.User
	switch p := fc.Parent.Result.(type) {
	case *ent.User:
		u = p
	case **ent.User:
		u = *p
	}
	if u != nil && !r.Accounts.Visible(ctx, u, fc.Field.Name) {
		return nil, nil
	}
	return next(ctx)
}
