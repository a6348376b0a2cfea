package nulbytes

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	for _, c := range []struct {
		name, pattern, target, ctype, body string
		want                               *Found
	}{
		{name: "clean", pattern: "PATCH /user/me", target: "/user/me?a=b", ctype: "application/json", body: `{"bio":"hello"}`},
		{name: "path parameter", pattern: "GET /client/{id}", target: "/client/a%00b", want: &Found{"params", "id"}},
		{name: "query value", pattern: "GET /user/search", target: "/user/search?q=a%00", want: &Found{"query", "q"}},
		{name: "query key", pattern: "GET /user/search", target: "/user/search?a%00=1", want: &Found{"query", ""}},
		{name: "JSON escape", pattern: "PATCH /user/me", target: "/user/me", ctype: "application/json", body: `{"bio":"a\u0000b"}`, want: &Found{"body", "bio"}},
		{name: "JSON escape, nested", pattern: "POST /x", target: "/x", ctype: "application/json", body: `{"users":[{"username":"ok"},{"username":"\u0000"}]}`, want: &Found{"body", "users[1].username"}},
		{name: "JSON escape after an escaped backslash", pattern: "POST /x", target: "/x", ctype: "application/json", body: `{"a":"\\\u0000"}`, want: &Found{"body", "a"}},
		{name: "an escaped backslash before u0000 is text", pattern: "POST /x", target: "/x", ctype: "application/json", body: `{"a":"\\u0000"}`},
		{name: "JSON key", pattern: "POST /x", target: "/x", ctype: "application/json", body: `{"a\u0000":1}`, want: &Found{"body", ""}},
		{name: "raw NUL byte", pattern: "POST /x", target: "/x", ctype: "application/json", body: "{\"a\":\"\x00\"}", want: &Found{"body", ""}},
		{name: "no content type is read as JSON", pattern: "POST /x", target: "/x", body: `{"a":"\u0000"}`, want: &Found{"body", "a"}},
		{name: "form field", pattern: "POST /oauth/token", target: "/oauth/token", ctype: "application/x-www-form-urlencoded", body: "client_id=a%00&x=1", want: &Found{"body", "client_id"}},
		{name: "multipart is left alone", pattern: "POST /x", target: "/x", ctype: "multipart/form-data; boundary=b", body: "--b\r\n\x00\r\n--b--"},
	} {
		t.Run(c.name, func(t *testing.T) {
			mux := http.NewServeMux()
			var got *Found
			var rest string
			mux.HandleFunc(c.pattern, func(w http.ResponseWriter, r *http.Request) {
				got = Find(r, 1<<20)
				b, _ := io.ReadAll(r.Body)
				rest = string(b)
			})
			req := httptest.NewRequest(strings.Fields(c.pattern)[0], c.target, strings.NewReader(c.body))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			mux.ServeHTTP(httptest.NewRecorder(), req)
			if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Fatalf("Find = %+v, want %+v", got, c.want)
			}
			if rest != c.body {
				t.Fatalf("the handler read %q, want the whole body %q", rest, c.body)
			}
		})
	}
}

// Only the first maxBody bytes are searched, and the handler still reads the rest.
func TestFindLeavesLongBodies(t *testing.T) {
	body := `{"a":"` + strings.Repeat("x", 100) + `\u0000"}`
	req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
	if f := Find(req, 50); f != nil {
		t.Fatalf("searched beyond maxBody: %+v", f)
	}
	if b, _ := io.ReadAll(req.Body); string(b) != body {
		t.Fatalf("body after Find: %q", b)
	}
}
