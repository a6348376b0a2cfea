// Package apperr is the error every domain operation returns for an expected failure. It carries
// Liquid's error code string, the HTTP status Liquid answers with, and the additionalInfo body,
// so the REST envelope and GraphQL's extensions.code always agree.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Code is one of Liquid's error code strings (liquid-behaviour.md §1.2).
type Code string

const (
	InternalServerError    Code = "InternalServerError"
	ClientInputError       Code = "ClientInputError"
	InvalidInviteCode      Code = "InvalidInviteCode"
	RateLimitError         Code = "RateLimitError"
	ResourceConflict       Code = "ResourceConflict"
	CreationThrottled      Code = "CreationThrottled"
	InviteCodesHidden      Code = "InviteCodesHidden"
	BadEmailDomain         Code = "BadEmailDomain"
	InvalidFile            Code = "InvalidFile"
	InvalidField           Code = "InvalidField"
	InvalidTarget          Code = "InvalidTarget"
	GenerationTargetExceed Code = "GenerationTargetExceededForRequest"
	Blocked                Code = "Blocked"
	Banned                 Code = "Banned"
	Unauthorized           Code = "Unauthorized"
	InsufficientPrivileges Code = "InsufficientPrivileges"
	Forbidden              Code = "Forbidden"
	NotFound               Code = "NotFound"
	ResourceNotActive      Code = "ResourceNotActive"
	InsufficientCredits    Code = "InsufficientCredits"
	SystemRoleDelete       Code = "SystemRoleDelete"
	SystemRoleUpdate       Code = "SystemRoleUpdate"
	DuplicateResource      Code = "DuplicateResource"
	// ServiceUnavailable is usergraph's: the server is too busy for the request now (password
	// hashing is bounded); retry after the error's RetryAfter.
	ServiceUnavailable Code = "ServiceUnavailable"
)

// statuses are Liquid's, including its 401 for InsufficientPrivileges and InvalidField.
var statuses = map[Code]int{
	InternalServerError:    http.StatusInternalServerError,
	ClientInputError:       http.StatusBadRequest,
	InvalidInviteCode:      http.StatusBadRequest,
	RateLimitError:         http.StatusTooManyRequests,
	ResourceConflict:       http.StatusConflict,
	CreationThrottled:      http.StatusTooManyRequests,
	InviteCodesHidden:      http.StatusBadRequest,
	BadEmailDomain:         http.StatusBadRequest,
	InvalidFile:            http.StatusBadRequest,
	InvalidField:           http.StatusUnauthorized,
	InvalidTarget:          http.StatusBadRequest,
	GenerationTargetExceed: http.StatusBadRequest,
	Blocked:                http.StatusForbidden,
	Banned:                 http.StatusForbidden,
	Unauthorized:           http.StatusUnauthorized,
	InsufficientPrivileges: http.StatusUnauthorized,
	Forbidden:              http.StatusForbidden,
	NotFound:               http.StatusNotFound,
	ResourceNotActive:      http.StatusUnauthorized,
	InsufficientCredits:    http.StatusBadRequest,
	SystemRoleDelete:       http.StatusBadRequest,
	SystemRoleUpdate:       http.StatusBadRequest,
	DuplicateResource:      http.StatusBadRequest,
	ServiceUnavailable:     http.StatusServiceUnavailable,
}

// Error is an expected failure of an operation.
type Error struct {
	Code Code
	// Info becomes additionalInfo in REST and extensions.additionalInfo in GraphQL; nil omits it.
	Info any
	// Reason is an optional machine-readable detail (e.g. "SESSION_TOKEN_EXPIRED").
	Reason string
	// Status overrides the code's usual HTTP status when non-zero.
	Status int
	// Violations are the failed input rules of a ClientInputError, named as the domain names
	// its fields; each API renders them under its own field names (see Invalid).
	Violations []Violation
	// RetryAfter, when set, tells the client when to try again (REST: a Retry-After header;
	// GraphQL: extensions.retryAfter, in seconds).
	RetryAfter time.Duration
}

// Violation is one input field that broke one rule. Field is the domain's name for it
// ("username", "requestId", "entries[2].value"); Rule is a stable id of the rule
// ("length", "pattern", "required", ...); Message says what the rule wants, for people
// ("must be 6 to 30 characters: letters, digits, _ and .").
type Violation struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Invalid is a ClientInputError for broken input rules.
func Invalid(vs ...Violation) *Error {
	return &Error{Code: ClientInputError, Violations: vs}
}

func (e *Error) Error() string {
	if len(e.Violations) > 0 {
		v := e.Violations[0]
		return fmt.Sprintf("%s: %s %s", e.Code, v.Field, v.Message)
	}
	if e.Info != nil {
		return fmt.Sprintf("%s: %v", e.Code, e.Info)
	}
	return string(e.Code)
}

// HTTPStatus is the status Liquid answers this error with.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	if s, ok := statuses[e.Code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// New returns an error with the code and optional additionalInfo.
func New(code Code, info any) *Error { return &Error{Code: code, Info: info} }

// As extracts an *Error from err; anything else is reported as InternalServerError.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: InternalServerError}
}

// Is reports whether err is an *Error with the given code.
func Is(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// Input is a ClientInputError carrying express-validator-style field errors.
func Input(errs any) *Error {
	return &Error{Code: ClientInputError, Info: map[string]any{"errors": errs}}
}

// Field is a ClientInputError for one named field, in the shape Liquid's hand-built errors use.
func Field(location, field string) *Error {
	return Input([]map[string]any{{"type": "field", "msg": "Invalid value", "path": field, "location": location}})
}
