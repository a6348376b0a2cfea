// Package secret makes and compares the server's random secrets: tokens, codes, hashes.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"math/big"
)

// Token returns n random bytes as lowercase hex (Liquid's tokens are 32 bytes, 64 hex digits).
func Token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// Digits returns a uniformly random decimal code of n digits without a leading zero
// (Liquid's codes are 100000–999999).
func Digits(n int) string {
	lo := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n-1)), nil)
	span := new(big.Int).Mul(lo, big.NewInt(9))
	v, err := rand.Int(rand.Reader, span)
	if err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	return v.Add(v, lo).String()
}

// Alnum returns n random characters from [0-9a-z] (Liquid's sessionHash alphabet).
func Alnum(n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	out := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range out {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("secret: no randomness: " + err.Error())
		}
		out[i] = alphabet[v.Int64()]
	}
	return string(out)
}

// Hash is the SHA-256 of s in hex: how codes and tokens are stored.
func Hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Equal compares two strings in constant time.
func Equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
