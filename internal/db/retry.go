package db

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/lib/pq"
	"modernc.org/sqlite"

	"usergraph/ent"
)

// MaxAttempts bounds how often WithRetry runs a transaction that met a transient conflict.
const MaxAttempts = 8

// ErrRetry, returned by a WithRetry transaction, makes it run again: it found it needs a lock
// it can no longer take in order.
var ErrRetry = errors.New("db: retry the transaction")

// WithRetry is WithTx, run again (up to MaxAttempts times, after a short random pause) when the
// transaction fails with a transient conflict (Retryable) or ErrRetry. fn must have no effects
// outside the transaction. onRetry, if not nil, hears of each retry.
func WithRetry(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error, onRetry func(attempt int, err error)) error {
	for attempt := 1; ; attempt++ {
		err := WithTx(ctx, client, fn)
		if err == nil || attempt >= MaxAttempts || !(Retryable(err) || errors.Is(err, ErrRetry)) || ctx.Err() != nil {
			return err
		}
		if onRetry != nil {
			onRetry(attempt, err)
		}
		time.Sleep(time.Duration(attempt)*time.Millisecond + rand.N(5*time.Millisecond))
	}
}

// Retryable reports whether err is a transient conflict between concurrent transactions that
// the whole transaction may simply be run again for: a PostgreSQL deadlock or serialization
// failure, or SQLite reporting the database busy or locked.
func Retryable(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return true
		}
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return true
		}
	}
	return false
}
