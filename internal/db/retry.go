package db

import (
	"errors"

	"github.com/lib/pq"
	"modernc.org/sqlite"
)

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
