package graph

import (
	"context"
	"errors"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"usergraph/internal/accounts"
	"usergraph/internal/config"
)

// NewHandler builds the /graphql handler: POST and GET transports, a complexity limit, a depth
// limit, a query cache, introspection only when enabled, and errors that carry the same code
// as REST in extensions.code.
func NewHandler(r *Resolver, cfg config.GraphQL) *handler.Server {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r, Directives: r.Directives()}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(NoIntrospection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(cfg.MaxComplexity))
	srv.Use(DepthLimit{Max: cfg.MaxDepth})
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		return errors.New("internal server error")
	})
	return srv
}

// DepthLimit refuses operations whose selections nest deeper than Max, before any resolver
// runs (fragments are followed). Introspection (__schema, __type) is not counted.
type DepthLimit struct{ Max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = DepthLimit{}

func (DepthLimit) ExtensionName() string                          { return "DepthLimit" }
func (DepthLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d DepthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	op := oc.Doc.Operations.ForName(oc.OperationName)
	if op == nil {
		return nil
	}
	if depth := selectionDepth(op.SelectionSet, 0, map[string]bool{}); depth > d.Max {
		err := gqlerror.Errorf("operation has depth %d, which exceeds the limit of %d", depth, d.Max)
		err.Extensions = map[string]any{"code": "DEPTH_LIMIT_EXCEEDED"}
		return err
	}
	return nil
}

// NoIntrospection refuses operations that ask for __schema or __type, with a clear error,
// when introspection is switched off (without it gqlgen answers those fields with an error
// that reads as an internal one).
type NoIntrospection struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = NoIntrospection{}

func (NoIntrospection) ExtensionName() string                          { return "NoIntrospection" }
func (NoIntrospection) Validate(schema graphql.ExecutableSchema) error { return nil }

func (NoIntrospection) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	oc.DisableIntrospection = true
	op := oc.Doc.Operations.ForName(oc.OperationName)
	if op != nil && introspects(op.SelectionSet, map[string]bool{}) {
		err := gqlerror.Errorf("introspection is disabled on this server")
		err.Extensions = map[string]any{"code": "INTROSPECTION_DISABLED"}
		return err
	}
	return nil
}

// introspects reports whether a selection set asks for __schema or __type at its level
// (following fragments).
func introspects(set ast.SelectionSet, visiting map[string]bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return true
			}
		case *ast.InlineFragment:
			if introspects(s.SelectionSet, visiting) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue
			}
			visiting[s.Name] = true
			if introspects(s.Definition.SelectionSet, visiting) {
				return true
			}
		}
	}
	return false
}

func selectionDepth(set ast.SelectionSet, depth int, visiting map[string]bool) int {
	max := depth
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				// Introspection nests by design (GraphiQL's own query is 13 deep); it is
				// switched on or off as a whole, and the complexity limit still bounds it.
				continue
			}
			if len(s.SelectionSet) == 0 {
				d = depth + 1
			} else {
				d = selectionDepth(s.SelectionSet, depth+1, visiting)
			}
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, depth, visiting)
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue
			}
			visiting[s.Name] = true
			d = selectionDepth(s.Definition.SelectionSet, depth, visiting)
			delete(visiting, s.Name)
		}
		if d > max {
			max = d
		}
	}
	return max
}

// MetaMiddleware records the request's IP and User-Agent for the resolvers, and lets an
// account signed up or logged in to by the request be shown to the caller as their own.
func MetaMiddleware(meta func(*http.Request) (ip, userAgent string), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, ua := meta(r)
		ctx := accounts.WithOwners(WithMeta(r.Context(), metaOf(ip, ua)))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
