package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"usergraph/ent"
	"usergraph/graph/cost"
	"usergraph/internal/apperr"
	"usergraph/internal/httplog"
)

// Codes of the refusals this package makes itself (package cost has the others).
const (
	codeTooLarge = "QUERY_TOO_LARGE"
	codeTimeout  = "TIMEOUT"
)

func init() {
	// Refusals made before execution answer HTTP 422 (400 for application/graphql-response+json)
	// like gqlgen's own parse and validation failures, not 200.
	for _, code := range []string{cost.TooComplex, cost.TooDeep, cost.PageTooLarge, cost.TooManyItems,
		cost.InputTooDeep, cost.BadUserInput, codeTooLarge, codeIntrospectionDisabled} {
		errcode.RegisterErrorType(code, errcode.KindProtocol)
	}
}

// errRecovered stands for a panic that was logged where it was recovered.
var errRecovered = errors.New("internal server error")

// errorLog presents errors to the client and logs the ones that are the server's fault.
type errorLog struct {
	log     *slog.Logger
	timeout time.Duration
}

// recovered logs a panic in a resolver with its stack; the client sees only an internal error.
func (l errorLog) recovered(ctx context.Context, v any) error {
	l.log.ErrorContext(ctx, "GraphQL resolver panicked", append(operationAttrs(ctx),
		"panic", fmt.Sprint(v), "stack", string(debug.Stack()))...)
	return errRecovered
}

// present writes domain errors with presentError, gives client mistakes found while decoding
// arguments the code BAD_USER_INPUT and limit refusals their own codes, and logs and hides
// the text of everything else.
func (l errorLog) present(ctx context.Context, err error) *gqlerror.Error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if ae.Code == apperr.InternalServerError {
			l.log.ErrorContext(ctx, "GraphQL request failed", append(operationAttrs(ctx), "err", err)...)
		}
		return presentError(ctx, err)
	}
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	if code, _ := gerr.Extensions["code"].(string); code != "" {
		// Parser, validation and limit errors describe the document, not the server.
		switch {
		case code == errcode.ParseFailed && strings.HasPrefix(gerr.Message, "exceeded token limit"):
			gerr.Extensions["code"] = codeTooLarge
		case gerr.Rule == cost.DuplicateFieldsRule:
			gerr.Extensions["code"] = cost.TooComplex
		}
		return gerr
	}
	if gerr.Rule != "" || gerr.Path == nil {
		return gerr // a validation error or a transport's message about the request
	}
	switch {
	case isArgumentError(ctx, gerr) || errors.Is(err, ent.ErrEmptyUserWhereInput):
		gerr.Extensions = map[string]any{"code": cost.BadUserInput}
		return gerr
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		// After the deadline, database calls fail with the driver's own cancellation error.
		l.log.WarnContext(ctx, "GraphQL request timed out", append(operationAttrs(ctx), "path", gerr.Path.String(), "err", err)...)
		gerr.Message = fmt.Sprintf("the request took longer than %s", l.timeout)
		gerr.Extensions = map[string]any{"code": codeTimeout}
		return gerr
	}
	if !errors.Is(err, errRecovered) {
		l.log.ErrorContext(ctx, "GraphQL request failed", append(operationAttrs(ctx), "path", gerr.Path.String(), "err", err)...)
	}
	gerr.Message = "internal server error"
	gerr.Extensions = map[string]any{"code": Code(apperr.InternalServerError)}
	return gerr
}

// isArgumentError reports whether gerr is gqlgen's error for an argument it could not decode (a
// malformed cursor, a bad Time, a where filter that is not one): those carry the argument's
// path, below the path of the field being resolved.
func isArgumentError(ctx context.Context, gerr *gqlerror.Error) bool {
	fc := graphql.GetFieldContext(ctx)
	return fc != nil && len(gerr.Path) > len(fc.Path())
}

// operationAttrs are the log attributes naming the request and GraphQL operation of ctx.
func operationAttrs(ctx context.Context) []any {
	attrs := []any{"request_id", httplog.RequestID(ctx)}
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		name := oc.OperationName
		if name == "" && oc.Operation != nil {
			name = oc.Operation.Name
		}
		attrs = append(attrs, "operation", name)
		if oc.Operation != nil {
			attrs = append(attrs, "kind", string(oc.Operation.Operation))
		}
	}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		attrs = append(attrs, "field", fc.Path().String())
	}
	return attrs
}
