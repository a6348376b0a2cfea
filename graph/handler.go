package graph

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"usergraph/graph/cost"
	"usergraph/internal/accounts"
	"usergraph/internal/config"
)

// NewHandler builds the /graphql handler: POST and GET transports, a body limit, a time limit,
// a parser token limit, the cost, depth and argument checks of package cost, a query cache,
// introspection only when enabled, and errors that carry a stable code in extensions.code.
// Internal errors and recovered panics are logged with their cause; their text never reaches
// the client.
func NewHandler(r *Resolver, cfg *config.Config, log *slog.Logger) http.Handler {
	g := cfg.GraphQL
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r, Directives: r.Directives()}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetParserTokenLimit(g.MaxTokens)
	srv.SetValidationRulesFn(cost.ValidationRules(g.MaxDuplicateFields))
	srv.SetQueryCache(smallEntries[*ast.QueryDocument](lru.New[*ast.QueryDocument](1000), func(query string, _ *ast.QueryDocument) int { return len(query) }))
	if g.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(NoIntrospection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: smallEntries[string](lru.New[string](100), func(_ string, query string) int { return len(query) })})
	srv.Use(Limits{cost.Limits{
		MaxCost: g.MaxComplexity, MaxDepth: g.MaxDepth,
		MaxPageSize: g.MaxPageSize, DefaultPageSize: cfg.Pagination.DefaultLimit,
		MaxListLength: g.MaxListLength, MaxInputDepth: g.MaxInputDepth,
	}})
	srv.AroundFields(r.viewUserFields)
	errs := errorLog{log: log, timeout: g.Timeout}
	srv.SetErrorPresenter(errs.present)
	srv.SetRecoverFunc(errs.recovered)
	return limitRequest(g.MaxBodyBytes, g.Timeout, srv)
}

// Limits refuses, before any resolver runs, operations that cost or nest too much or whose
// arguments are out of bounds (see package cost).
type Limits struct{ cost.Limits }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Limits{}

func (Limits) ExtensionName() string                          { return "Limits" }
func (Limits) Validate(schema graphql.ExecutableSchema) error { return nil }

func (l Limits) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	_, err := cost.Measure(oc.Operation, oc.Variables, l.Limits)
	return err
}

const codeIntrospectionDisabled = "INTROSPECTION_DISABLED"

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
		err.Extensions = map[string]any{"code": codeIntrospectionDisabled}
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

// MetaMiddleware records the request's IP and User-Agent for the resolvers, and lets an
// account signed up or logged in to by the request be shown to the caller as their own.
func MetaMiddleware(meta func(*http.Request) (ip, userAgent string), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, ua := meta(r)
		ctx := accounts.WithOwners(WithMeta(r.Context(), metaOf(ip, ua)))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
