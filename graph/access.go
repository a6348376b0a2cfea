package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"usergraph/internal/access"
	"usergraph/internal/accounts"
	"usergraph/internal/patch"
)

// hasScope implements @hasScope: the same check the domain operation makes (which makes it
// again), so the schema states each operation's scope and refuses early.
func (r *Resolver) hasScope(ctx context.Context, _ any, next graphql.Resolver, scope *string, shared *string, anyOf []string) (any, error) {
	req := access.Requirement{AnyOf: anyOf}
	if scope != nil {
		req.Scope = *scope
	}
	if shared != nil {
		req.Shared = *shared
	}
	if _, err := r.Accounts.Access().Require(ctx, req); err != nil {
		return nil, err
	}
	return next(ctx)
}

// Directives are the implementations of the schema's directives.
func (r *Resolver) Directives() DirectiveRoot { return DirectiveRoot{HasScope: r.hasScope} }

// omittablePatch turns an optional input field gqlgen leaves unset, null or a value into the
// domain's patch field.
func omittablePatch[T any](o graphql.Omittable[*T]) patch.Field[T] {
	v, set := o.ValueOK()
	switch {
	case !set:
		return patch.Field[T]{}
	case v == nil:
		return patch.Clear[T]()
	}
	return patch.Set(*v)
}

// anyList turns a GraphQL list into the JSON-like list the domain validates.
func anyList(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// clientFields turns a client input into the domain's fields, named as in Liquid's client
// documents (clientId is "id" there).
func clientFields(input map[string]any) accounts.Fields {
	f := plain(input)
	for k, v := range f.Values {
		if l, ok := v.([]string); ok {
			f.Values[k] = anyList(l)
		}
	}
	if id, ok := f.Values["clientId"]; ok {
		delete(f.Values, "clientId")
		f.Values["id"] = id
	}
	return f
}
