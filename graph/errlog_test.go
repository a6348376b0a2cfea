package graph

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"usergraph/graph/cost"
	"usergraph/internal/apperr"
	"usergraph/internal/httplog"
)

// fieldCtx is the context of resolving field `users` of operation ListUsers in request req-1.
func fieldCtx(ctx context.Context) context.Context {
	ctx = httplog.WithRequestID(ctx, "req-1")
	ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{
		OperationName: "ListUsers",
		Operation:     &ast.OperationDefinition{Operation: ast.Query, Name: "ListUsers"},
	})
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Name: "users", Alias: "users"}}})
}

func TestErrorLog(t *testing.T) {
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for _, c := range []struct {
		name string
		ctx  context.Context
		err  error
		// code is extensions.code; message the client's message ("" to skip the check); logged
		// the text that must be in the log ("" for nothing logged).
		code, message, logged string
	}{
		{name: "an unexpected error is logged with its cause and hidden", ctx: fieldCtx(context.Background()),
			err: errors.New("pq: connection refused"), code: "INTERNAL_SERVER_ERROR", message: "internal server error",
			logged: `level=ERROR msg="GraphQL request failed" request_id=req-1 operation=ListUsers kind=query field=users path=users err="pq: connection refused"`},
		{name: "a domain error is the client's", ctx: fieldCtx(context.Background()),
			err: apperr.New(apperr.NotFound, nil), code: "NOT_FOUND"},
		{name: "an argument that does not decode is bad input", ctx: fieldCtx(context.Background()),
			err:  &gqlerror.Error{Message: "cannot decode cursor", Path: ast.Path{ast.PathName("users"), ast.PathName("after")}},
			code: cost.BadUserInput, message: "cannot decode cursor"},
		{name: "an error after the deadline is a timeout", ctx: fieldCtx(expired),
			err: errors.New("pq: canceling statement due to user request"), code: "TIMEOUT",
			logged: `level=WARN msg="GraphQL request timed out" request_id=req-1 operation=ListUsers`},
		{name: "a recovered panic was logged where it was recovered", ctx: fieldCtx(context.Background()),
			err: errRecovered, code: "INTERNAL_SERVER_ERROR", message: "internal server error"},
		{name: "the token limit", ctx: context.Background(),
			err: &gqlerror.Error{Message: "exceeded token limit of 2000", Extensions: map[string]any{"code": "GRAPHQL_PARSE_FAILED"}}, code: "QUERY_TOO_LARGE"},
		{name: "too many duplicate fields", ctx: context.Background(),
			err: &gqlerror.Error{Message: "x", Rule: cost.DuplicateFieldsRule, Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}, code: cost.TooComplex},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := errorLog{log: slog.New(slog.NewTextHandler(&buf, nil)), timeout: time.Second}
			gerr := l.present(c.ctx, c.err)
			if gerr.Extensions["code"] != c.code {
				t.Fatalf("code %v, want %s", gerr.Extensions["code"], c.code)
			}
			if c.message != "" && gerr.Message != c.message {
				t.Fatalf("message %q, want %q", gerr.Message, c.message)
			}
			if c.logged == "" && buf.Len() > 0 {
				t.Fatalf("logged %q", buf.String())
			}
			if !strings.Contains(buf.String(), c.logged) {
				t.Fatalf("log %q lacks %q", buf.String(), c.logged)
			}
		})
	}
}

func TestErrorLogRecoveredPanic(t *testing.T) {
	var buf bytes.Buffer
	l := errorLog{log: slog.New(slog.NewTextHandler(&buf, nil))}
	var err error
	func() {
		defer func() { err = l.recovered(fieldCtx(context.Background()), recover()) }()
		var m map[string]int
		m["boom"]++ // a nil map write: a runtime panic
	}()
	if !errors.Is(err, errRecovered) {
		t.Fatalf("recovered returned %v", err)
	}
	log := buf.String()
	for _, want := range []string{`msg="GraphQL resolver panicked"`, "request_id=req-1", "operation=ListUsers", "assignment to entry in nil map", "errlog_test.go"} {
		if !strings.Contains(log, want) {
			t.Fatalf("log lacks %q: %s", want, log)
		}
	}
	if gerr := l.present(fieldCtx(context.Background()), err); strings.Contains(gerr.Message, "nil map") {
		t.Fatalf("the panic's text reached the client: %s", gerr.Message)
	}
}
