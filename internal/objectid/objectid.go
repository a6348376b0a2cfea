// Package objectid makes ids in MongoDB ObjectId format (24 lowercase hex digits), so Liquid
// clients that validate ids keep working and ids sort in creation order.
package objectid

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync/atomic"
	"time"
)

var (
	// process is the 5-byte random value ObjectIds carry after the timestamp; one per process.
	process [5]byte
	counter atomic.Uint32
)

func init() {
	if _, err := rand.Read(process[:]); err != nil {
		panic("objectid: no randomness: " + err.Error())
	}
	var c [4]byte
	_, _ = rand.Read(c[:])
	counter.Store(binary.BigEndian.Uint32(c[:]))
}

// New returns a fresh id: 4-byte big-endian seconds, 5 random bytes, 3-byte counter.
func New() string { return At(time.Now()) }

// At returns an id whose timestamp part is t.
func At(t time.Time) string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], uint32(t.Unix()))
	copy(b[4:9], process[:])
	n := counter.Add(1)
	b[9], b[10], b[11] = byte(n>>16), byte(n>>8), byte(n)
	return hex.EncodeToString(b[:])
}

// Valid reports whether s is 24 lowercase or uppercase hex digits.
func Valid(s string) bool {
	if len(s) != 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
