// Package hashing runs password hashing (bcrypt) behind a bound. A bcrypt hash or comparison
// takes one core for tens of milliseconds; unbounded, a burst of logins takes every core and
// every other request waits behind it. Here at most Concurrency hashes run at once, up to Queue
// more wait for a slot, and past that a request is refused at once with 503 Service
// Unavailable and a Retry-After, instead of queueing without end.
package hashing

import (
	"context"
	"runtime"
	"time"

	"golang.org/x/crypto/bcrypt"

	"usergraph/internal/apperr"
)

// Cost is bcrypt's cost for new hashes: 10, as Liquid's, so migrated hashes verify alike.
const Cost = bcrypt.DefaultCost

// RetryAfter is what a refused request is told to wait: about the time the queue takes to drain.
const RetryAfter = time.Second

// ErrBusy is the answer when every slot is busy and the queue is full.
var ErrBusy = &apperr.Error{Code: apperr.ServiceUnavailable, RetryAfter: RetryAfter,
	Info: map[string]any{"message": "Too many password checks at once; retry shortly"}}

// DefaultConcurrency leaves one core to everything else (at least one hash at a time).
func DefaultConcurrency() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// Limiter bounds concurrent hashes. A nil *Limiter runs every hash at once, unbounded.
type Limiter struct {
	// admitted holds a token per hash running or waiting; slots one per hash running.
	admitted, slots chan struct{}
}

// New returns a Limiter running at most concurrency hashes at once (DefaultConcurrency when
// < 1) with at most queue more waiting (none when < 0).
func New(concurrency, queue int) *Limiter {
	if concurrency < 1 {
		concurrency = DefaultConcurrency()
	}
	queue = max(queue, 0)
	return &Limiter{admitted: make(chan struct{}, concurrency+queue), slots: make(chan struct{}, concurrency)}
}

// Do runs fn when a slot is free. It waits in the queue while every slot is busy, and fails
// with ErrBusy when the queue is full too, or with ctx's error when ctx ends while waiting.
func (l *Limiter) Do(ctx context.Context, fn func()) error {
	if l == nil {
		fn()
		return nil
	}
	select {
	case l.admitted <- struct{}{}:
	default:
		return ErrBusy
	}
	defer func() { <-l.admitted }()
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.slots }()
	fn()
	return nil
}

// Hash hashes a password with bcrypt.
func (l *Limiter) Hash(ctx context.Context, password string) (string, error) {
	var h []byte
	var err error
	if derr := l.Do(ctx, func() { h, err = bcrypt.GenerateFromPassword([]byte(password), Cost) }); derr != nil {
		return "", derr
	}
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// Compare reports whether password matches the bcrypt hash (in constant time, as bcrypt
// compares). The error is ErrBusy or ctx's, never a mismatch.
func (l *Limiter) Compare(ctx context.Context, hash []byte, password string) (bool, error) {
	var ok bool
	if err := l.Do(ctx, func() { ok = bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil }); err != nil {
		return false, err
	}
	return ok, nil
}
