// Package graph is the GraphQL API. Resolvers are thin: they turn arguments into the domain's
// input and call the same operation the REST route calls.
package graph

import (
	"context"
	"reflect"

	"usergraph/internal/accounts"
	"usergraph/internal/clients"
	"usergraph/internal/social"
)

// Resolver is the root resolver.
type Resolver struct {
	Accounts *accounts.Service
	Clients  *clients.Registry
	Social   *social.Service
}

type metaKey struct{}

// WithMeta stores what the transport knows about the request (IP, User-Agent).
func WithMeta(ctx context.Context, m accounts.Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

func meta(ctx context.Context) accounts.Meta {
	m, _ := ctx.Value(metaKey{}).(accounts.Meta)
	return m
}

// args builds domain input from GraphQL arguments: key, value, ... Optional arguments arrive
// as pointers; nil ones are left out (absent), others are dereferenced.
func args(kv ...any) accounts.Fields {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		rv := reflect.ValueOf(kv[i+1])
		if !rv.IsValid() {
			continue
		}
		if rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				continue
			}
			rv = rv.Elem()
		}
		m[kv[i].(string)] = rv.Interface()
	}
	return accounts.Body(m)
}

func metaOf(ip, ua string) accounts.Meta { return accounts.Meta{IP: ip, UserAgent: ua} }

// plain turns a gqlgen input map (optional fields arrive as pointers, nil when null) into the
// plain JSON-like values the domain validates, dropping nulls.
func plain(m map[string]any) accounts.Fields {
	out := make(map[string]any, len(m))
	for k, v := range m {
		rv := reflect.ValueOf(v)
		if !rv.IsValid() {
			continue
		}
		if rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				continue
			}
			v = rv.Elem().Interface()
		}
		out[k] = v
	}
	return accounts.Body(out)
}
