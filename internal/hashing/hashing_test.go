package hashing

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"usergraph/internal/apperr"
)

// With every slot busy and the queue full, the next hash is refused at once with 503 and a
// Retry-After; one waiting in the queue runs when a slot frees; a waiter whose request ends
// leaves the queue.
func TestLimiterBoundsAndQueues(t *testing.T) {
	l := New(1, 1)
	release := make(chan struct{})
	running := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = l.Do(context.Background(), func() { close(running); <-release })
	}()
	<-running

	// The queue's one place: taken by a waiter.
	queued := make(chan error, 1)
	ran := make(chan struct{})
	go func() { queued <- l.Do(context.Background(), func() { close(ran) }) }()
	waitFor(t, func() bool { return len(l.admitted) == 2 })

	err := l.Do(context.Background(), func() { t.Error("ran past the bound") })
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.ServiceUnavailable || ae.HTTPStatus() != 503 || ae.RetryAfter <= 0 {
		t.Fatalf("past the queue: %v, want 503 ServiceUnavailable with RetryAfter", err)
	}
	if _, err := l.Hash(context.Background(), "pw"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash past the queue: %v", err)
	}

	close(release)
	wg.Wait()
	if err := <-queued; err != nil {
		t.Fatalf("queued hash: %v", err)
	}
	<-ran

	// Free again: hashes and comparisons run.
	h, err := l.Hash(context.Background(), "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]bool{"correct horse": true, "wrong": false} {
		if ok, err := l.Compare(context.Background(), []byte(h), pw); err != nil || ok != want {
			t.Fatalf("Compare(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
}

func TestLimiterWaiterLeavesWhenItsRequestEnds(t *testing.T) {
	l := New(1, 1)
	release := make(chan struct{})
	running := make(chan struct{})
	go func() { _ = l.Do(context.Background(), func() { close(running); <-release }) }()
	<-running
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Do(ctx, func() { t.Error("ran after its request ended") }) }()
	waitFor(t, func() bool { return len(l.admitted) == 2 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	if n := len(l.admitted); n != 1 {
		t.Fatalf("%d admitted after the waiter left, want 1", n)
	}
	close(release)
}

func TestNilLimiterIsUnbounded(t *testing.T) {
	var l *Limiter
	ran := false
	if err := l.Do(context.Background(), func() { ran = true }); err != nil || !ran {
		t.Fatalf("nil limiter: %v, ran %v", err, ran)
	}
}

// waitFor polls cond: a goroutine reaching a state it cannot report (waiting in the queue).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition never held")
}
