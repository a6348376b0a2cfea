package graph_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"usergraph/graph"
	"usergraph/internal/config"
)

// hostileDocuments are the worst documents found for each stage before execution: the
// issue's attacks and the largest variants the default limits still let through to
// validation. None of them reaches a resolver that touches the database.
func hostileDocuments() map[string]string {
	var fan, chain, spreads strings.Builder
	fan.WriteString("query{__typename ...F0} ")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&fan, "fragment F%d on Query { __typename ...F%d ...F%d } ", i, i+1, i+1)
	}
	fan.WriteString("fragment F30 on Query {__typename}")
	// A chain of fragments, each spreading the next, as long as the token limit allows: the
	// overlapping-fields rule compares each fragment with all it reaches.
	chain.WriteString("query{...C0} ")
	for i := 0; i < 220; i++ {
		fmt.Fprintf(&chain, "fragment C%d on Query { __typename ...C%d } ", i, i+1)
	}
	chain.WriteString("fragment C220 on Query { __typename }")
	// Many fragments spread in one selection set: compared pairwise.
	spreads.WriteString("query{")
	for i := 0; i < 220; i++ {
		fmt.Fprintf(&spreads, "...S%d ", i)
	}
	spreads.WriteString("}")
	for i := 0; i < 220; i++ {
		fmt.Fprintf(&spreads, "fragment S%d on Query { __typename } ", i)
	}
	return map[string]string{
		"fan-out-30":           fan.String(),
		"typename-x16000":      "query{" + strings.Repeat("__typename ", 16000) + "}",
		"typename-x1900":       "query{" + strings.Repeat("__typename ", 1900) + "}",
		"fragment-chain-220":   chain.String(),
		"fragment-spreads-220": spreads.String(),
	}
}

// BenchmarkHostileDocuments measures what each hostile document costs the server under the
// default limits, from the HTTP body to the answer. Run with
//
//	go test ./graph -run '^$' -bench HostileDocuments -benchtime 20x
func BenchmarkHostileDocuments(b *testing.B) {
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	if err != nil {
		b.Fatal(err)
	}
	h := graph.NewHandler(&graph.Resolver{}, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for name, doc := range hostileDocuments() {
		b.Run(name, func(b *testing.B) {
			var status, i int
			for b.Loop() {
				// A different comment each time, so the query cache never answers.
				i++
				body, _ := json.Marshal(map[string]any{"query": fmt.Sprintf("%s\n# %d", doc, i)})
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				status = w.Code
			}
			b.ReportMetric(float64(status), "status")
		})
	}
}
