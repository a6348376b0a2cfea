package graph

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"usergraph/internal/apperr"
	"usergraph/internal/validate"
)

// codes are the GraphQL names of the domain's error codes (extensions.code). They are part of
// the API: clients switch on them. A code missing here is written in UPPER_SNAKE_CASE.
var codes = map[apperr.Code]string{
	apperr.InternalServerError:    "INTERNAL_SERVER_ERROR",
	apperr.ClientInputError:       "BAD_USER_INPUT",
	apperr.RateLimitError:         "RATE_LIMITED",
	apperr.ResourceConflict:       "CONFLICT",
	apperr.Unauthorized:           "UNAUTHENTICATED",
	apperr.InsufficientPrivileges: "INSUFFICIENT_SCOPE",
	apperr.ResourceNotActive:      "ACCOUNT_NOT_ACTIVE",
	apperr.GenerationTargetExceed: "GENERATION_TARGET_EXCEEDED",
}

// Code is the GraphQL error code of a domain code.
func Code(c apperr.Code) string {
	if s, ok := codes[c]; ok {
		return s
	}
	var b strings.Builder
	for i, r := range string(c) {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// fieldError is one broken input rule, named by its GraphQL path.
type fieldError struct {
	Path    string `json:"path"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// presentError writes domain errors in GraphQL's terms: extensions.code is the GraphQL code,
// broken input rules are listed under extensions.fields with their GraphQL paths
// ("input.username", "requestId") and the message names the first one. Unexpected errors
// are hidden behind INTERNAL_SERVER_ERROR.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		if gerr.Extensions == nil || gerr.Extensions["code"] == nil {
			// Parser and validation errors already carry a code; anything else is internal.
			if gerr.Rule == "" && gerr.Path != nil {
				gerr.Message = "internal server error"
				gerr.Extensions = map[string]any{"code": Code(apperr.InternalServerError)}
			}
		}
		return gerr
	}
	ext := map[string]any{"code": Code(ae.Code)}
	if ae.RetryAfter > 0 {
		ext["retryAfter"] = int(max(time.Second, ae.RetryAfter) / time.Second)
	}
	gerr.Message = strings.ToLower(strings.ReplaceAll(Code(ae.Code), "_", " "))
	violations := ae.Violations
	if len(violations) == 0 && ae.Code == apperr.ClientInputError {
		violations = liquidViolations(ae.Info)
	}
	if len(violations) > 0 {
		fields := make([]fieldError, len(violations))
		for i, v := range violations {
			fields[i] = fieldError{Path: argumentPath(ctx, v.Field), Rule: v.Rule, Message: v.Message}
		}
		ext["fields"] = fields
		gerr.Message = fields[0].Path + " " + fields[0].Message
	} else if ae.Info != nil {
		ext["details"] = ae.Info
	}
	if ae.Reason != "" {
		ext["reason"] = ae.Reason
	}
	gerr.Extensions = ext
	return gerr
}

// argumentPath names a domain input field by its place in the field's arguments: an argument
// of that name ("requestId"), else a field of the single input object ("input.username").
func argumentPath(ctx context.Context, field string) string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return field
	}
	head := field
	if i := strings.IndexAny(head, ".["); i >= 0 {
		head = head[:i]
	}
	if _, ok := fc.Args[head]; ok {
		return field
	}
	if _, ok := fc.Args["input"]; ok {
		return "input." + field
	}
	return field
}

// liquidViolations reads the field errors of an operation that still reports them in Liquid's
// shape (additionalInfo.errors[{path}] or {param}).
// TODO(issue 7): remove once every domain operation reports apperr.Violations.
func liquidViolations(info any) []apperr.Violation {
	var out []apperr.Violation
	add := func(path any) {
		if p, ok := path.(string); ok && p != "" {
			out = append(out, apperr.Violation{Field: p, Rule: "invalid", Message: "is invalid"})
		}
	}
	switch m := info.(type) {
	case map[string]any:
		add(m["param"])
		switch errs := m["errors"].(type) {
		case []map[string]any:
			for _, e := range errs {
				add(e["path"])
			}
		case []map[string]string:
			for _, e := range errs {
				add(e["path"])
			}
		case validate.Errors:
			for _, e := range errs {
				add(e.Path)
			}
		}
	}
	return out
}
