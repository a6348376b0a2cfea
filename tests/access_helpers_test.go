package tests

import (
	"testing"

	"usergraph/internal/apitest"
)

// The access tests share these helpers.

// field returns additionalInfo.errors[i].path of a validation error.
func errPath(r *apitest.Response, i int) string {
	info, _ := r.Body["additionalInfo"].(map[string]any)
	errs, _ := info["errors"].([]any)
	if i >= len(errs) {
		return ""
	}
	e, _ := errs[i].(map[string]any)
	p, _ := e["path"].(string)
	return p
}

// expectField fails unless r is a 400 ClientInputError naming field first.
func expectField(t *testing.T, r *apitest.Response, field string) {
	t.Helper()
	r.Expect(t, 400, "ClientInputError")
	if got := errPath(r, 0); got != field {
		t.Fatalf("want an error on %q, got %q: %s", field, got, r.Raw)
	}
}

// userDoc returns data.user.
func userDoc(r *apitest.Response) map[string]any {
	u, _ := r.Data()["user"].(map[string]any)
	return u
}

// gqlData returns data.<name> of a GraphQL answer, failing on errors.
func gqlData(t *testing.T, r *apitest.Response, name string) any {
	t.Helper()
	if errs, _ := r.Body["errors"].([]any); len(errs) > 0 {
		t.Fatalf("GraphQL errors: %s", r.Raw)
	}
	return r.Data()[name]
}

// expectGQL fails unless the first GraphQL error has code.
func expectGQL(t *testing.T, r *apitest.Response, code string) {
	t.Helper()
	if got := r.GQLError(); got != gqlCode(code) {
		t.Fatalf("want GraphQL error %s, got %q: %s", gqlCode(code), got, r.Raw)
	}
}

const unknownID = "0123456789abcdef01234567"
