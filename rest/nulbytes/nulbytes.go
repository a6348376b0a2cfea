// Package nulbytes finds NUL characters (U+0000) in a request's path, query string and body
// before a handler sees them. PostgreSQL cannot store U+0000 in text ("invalid byte sequence
// for encoding UTF8: 0x00"), so such input would otherwise fail deep in the database as a
// server error instead of being refused as the client's mistake.
package nulbytes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Found says where a NUL character was, in express-validator's terms.
type Found struct {
	// Location is "params" (the path), "query" or "body".
	Location string
	// Path names the parameter or body field holding it ("bio", "users[0].username"); "" when
	// the body is not one the server can parse.
	Path string
}

// Find looks for a NUL character in r's path parameters, query string and the first maxBody
// bytes of its body, and returns where it is, or nil. The body it reads is put back, so the
// handler reads the whole body as sent (and applies its own size limit). Multipart bodies
// are not searched: files may hold any byte.
func Find(r *http.Request, maxBody int64) *Found {
	if strings.IndexByte(r.URL.Path, 0) >= 0 {
		return &Found{Location: "params", Path: pathParam(r)}
	}
	if f := inValues("query", r.URL.Query()); f != nil {
		return f
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if strings.HasPrefix(mediaType, "multipart/") {
		return nil
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(raw), r.Body), r.Body}
	if mediaType == "application/x-www-form-urlencoded" {
		form, _ := url.ParseQuery(string(raw))
		return inValues("body", form)
	}
	if bytes.IndexByte(raw, 0) < 0 && !hasEscapedNUL(raw) {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return &Found{Location: "body"}
	}
	path, _ := inJSON(v, "")
	return &Found{Location: "body", Path: path}
}

// pathParam names the path wildcard (from the route pattern, e.g. {userId}) holding a NUL.
func pathParam(r *http.Request) string {
	for rest := r.Pattern; ; {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest, '}')
		if i < 0 || j < i {
			return ""
		}
		name := strings.TrimSuffix(rest[i+1:j], "...")
		if strings.IndexByte(r.PathValue(name), 0) >= 0 {
			return name
		}
		rest = rest[j+1:]
	}
}

func inValues(location string, vals url.Values) *Found {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the same field every time
	for _, k := range keys {
		if strings.IndexByte(k, 0) >= 0 {
			return &Found{Location: location}
		}
		for _, v := range vals[k] {
			if strings.IndexByte(v, 0) >= 0 {
				return &Found{Location: location, Path: k}
			}
		}
	}
	return nil
}

// hasEscapedNUL reports whether JSON text holds the escape \u0000: a "u0000" after an odd
// number of backslashes (after an even number the backslashes escape each other).
func hasEscapedNUL(raw []byte) bool {
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte(`u0000`))
		if j < 0 {
			return false
		}
		at := i + j
		n := 0
		for k := at - 1; k >= 0 && raw[k] == '\\'; k-- {
			n++
		}
		if n%2 == 1 {
			return true
		}
		i = at + 1
	}
}

// inJSON returns the path of the first string (or key) holding a NUL in a decoded JSON value.
func inJSON(v any, path string) (string, bool) {
	switch x := v.(type) {
	case string:
		return path, strings.IndexByte(x, 0) >= 0
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.IndexByte(k, 0) >= 0 {
				return path, true
			}
			if found, ok := inJSON(x[k], p); ok {
				return found, true
			}
		}
	case []any:
		for i, item := range x {
			if found, ok := inJSON(item, fmt.Sprintf("%s[%d]", path, i)); ok {
				return found, true
			}
		}
	}
	return "", false
}
