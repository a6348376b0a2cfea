package rules

import (
	"strings"
	"unicode/utf16"
)

// IsEmail follows validator.js 13.12 isEmail() with its default options (the version
// express-validator 7.2 uses): at most 254 characters in all; the local part (everything
// before the last '@') at most 64 bytes, either dot-separated non-empty atoms of atext and
// non-ASCII characters (allow_utf8_local_part) or a quoted string; the domain at most 254
// bytes, of at least two labels of 1–63 characters (letters, digits, '-', non-ASCII; no '_',
// no leading or trailing '-', no full-width forms) and a TLD of two or more letters (or
// punycode xn--…). IP-address domains and display names are not accepted.
//
// One deliberate difference: validator.js strips the first and last character of a local
// part that starts with '"' without checking the closing quote; here the quote must be closed.
func IsEmail(s string) bool {
	if utf16Len(s) > 254 {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		// validator.js: the whole string is the domain and the user is empty.
		return false
	}
	user, domain := s[:at], s[at+1:]
	if len(user) > 64 || len(domain) > 254 {
		return false
	}
	if !isFQDN(domain) {
		return false
	}
	if strings.HasPrefix(user, `"`) {
		if len(user) < 2 || !strings.HasSuffix(user, `"`) {
			return false
		}
		return isQuotedLocal(user[1 : len(user)-1])
	}
	for _, atom := range strings.Split(user, ".") {
		if atom == "" {
			return false
		}
		for _, r := range atom {
			if !isAtext(r) {
				return false
			}
		}
	}
	return true
}

// isAtext: emailUserUtf8Part's class [a-z\d!#$%&'*+\-/=?^_`{|}~\u00A1-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF].
func isAtext(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r):
		return true
	}
	return isUTF8Extra(r, 0xA1)
}

// isUTF8Extra: \u<lo>-\uD7FF, \uF900-\uFDCF, \uFDF0-\uFFEF (BMP only: an astral character is
// a surrogate pair in JavaScript and matches none of these ranges).
func isUTF8Extra(r rune, lo rune) bool {
	return (r >= lo && r <= 0xD7FF) || (r >= 0xF900 && r <= 0xFDCF) || (r >= 0xFDF0 && r <= 0xFFEF)
}

// isQuotedLocal: quotedEmailUserUtf8, the inside of a quoted local part.
func isQuotedLocal(s string) bool {
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\\' {
			if i+1 >= len(rs) {
				return false
			}
			n := rs[i+1]
			if (n >= 0x01 && n <= 0x09) || n == 0x0b || n == 0x0c || (n >= 0x0d && n <= 0x7f) || isUTF8Extra(n, 0xA0) {
				i++
				continue
			}
			return false
		}
		switch {
		case isJSSpace(r):
		case r >= 0x01 && r <= 0x08, r == 0x0b, r == 0x0c, r >= 0x0e && r <= 0x1f, r == 0x7f:
		case r == 0x21, r >= 0x23 && r <= 0x5b, r >= 0x5d && r <= 0x7e:
		case isUTF8Extra(r, 0xA0):
		default:
			return false
		}
	}
	return true
}

// isFQDN is validator.js isFQDN with the options isEmail passes (require_tld, no underscores,
// no trailing dot, no numeric TLD, length limits on).
func isFQDN(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	if !isTLD(parts[len(parts)-1]) {
		return false
	}
	for _, part := range parts {
		if part == "" || utf16Len(part) > 63 {
			return false
		}
		if part[0] == '-' || part[len(part)-1] == '-' {
			return false
		}
		for _, r := range part {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			case r >= 0xFF01 && r <= 0xFF5E: // full-width forms
				return false
			case r >= 0xA1:
			default: // includes '_' (allow_underscores is false)
				return false
			}
		}
	}
	return true
}

// isTLD: ^([a-z\u00A1-\u00A8\u00AA-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]{2,}|xn[a-z0-9-]{2,})$/i
// and no whitespace.
func isTLD(tld string) bool {
	lower := strings.ToLower(tld)
	if strings.HasPrefix(lower, "xn") && len(lower) >= 4 {
		ok := true
		for _, r := range lower[2:] {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	n := 0
	for _, r := range tld {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= 0xA1 && r <= 0xA8:
		case r >= 0xAA && r <= 0xD7FF, r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFEF:
			if isJSSpace(r) {
				return false
			}
		default:
			return false
		}
		n++
	}
	return n >= 2
}

// isJSSpace is JavaScript's \s.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// utf16Len is JavaScript's string length.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
