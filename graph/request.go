package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

const codeRequestTooLarge = "REQUEST_TOO_LARGE"

// limitRequest refuses a request whose body (POST) or query string (GET) is longer than
// maxBytes with HTTP 413, before anything parses it, and gives the rest a deadline: once it
// passes, database calls are cancelled and unfinished fields fail with TIMEOUT.
func limitRequest(maxBytes int, timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.RawQuery) > maxBytes || r.ContentLength > int64(maxBytes) {
			tooLarge(w, maxBytes)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			// Read it here, so a body without Content-Length that runs over is a 413 too
			// (gqlgen would answer 200 with a message about a failed read).
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(maxBytes)))
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				tooLarge(w, maxBytes)
				return
			}
			if err != nil {
				return // the client went away
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func tooLarge(w http.ResponseWriter, maxBytes int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message":    fmt.Sprintf("the request is larger than %d bytes", maxBytes),
		"extensions": map[string]any{"code": codeRequestTooLarge},
	}}})
}

// smallEntries keeps only entries whose size (as sized by size) is at most cacheEntryMax, so
// caches of 1000 documents or 100 persisted queries hold a few megabytes, not a gigabyte of
// maximum-size requests. Larger documents are parsed again each time; persisted-query clients
// then send the whole query, as the protocol expects when the server forgot it.
func smallEntries[T any](inner graphql.Cache[T], size func(key string, value T) int) graphql.Cache[T] {
	return boundedCache[T]{inner: inner, size: size}
}

const cacheEntryMax = 16 << 10

type boundedCache[T any] struct {
	inner graphql.Cache[T]
	size  func(string, T) int
}

func (c boundedCache[T]) Get(ctx context.Context, key string) (T, bool) { return c.inner.Get(ctx, key) }

func (c boundedCache[T]) Add(ctx context.Context, key string, value T) {
	if c.size(key, value) <= cacheEntryMax {
		c.inner.Add(ctx, key, value)
	}
}
