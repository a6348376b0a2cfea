// Package playground serves GraphiQL, the in-browser GraphQL IDE, at /. Its scripts and styles
// (GraphiQL, React) are embedded in the binary, so it works with no internet access; see
// fetch-assets.sh for where they come from and their versions.
package playground

import (
	"bytes"
	"compress/gzip"
	"embed"
	"html/template"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
)

// Version names the embedded asset set (GraphiQL's version and a revision of usergraph's own
// files). It is in the asset URLs, so browsers may cache them for good: change it whenever a
// file in assets/ or playground.js/css changes.
const Version = "graphiql-4.1.2.u3"

//go:embed index.html playground.js playground.css assets
var files embed.FS

var page = template.Must(template.ParseFS(files, "index.html"))

// csp allows the page nothing outside this server: a playground that loads a CDN script is
// exactly what this package replaces. GraphiQL sets inline styles and its CSS carries its
// fonts and icons as data: URLs.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// Register serves the playground at GET / and its assets under GET /playground/, sending
// queries to endpoint.
func Register(mux *http.ServeMux, endpoint string) {
	var html bytes.Buffer
	if err := page.Execute(&html, map[string]string{"Version": Version, "Endpoint": endpoint}); err != nil {
		panic(err)
	}
	index := html.Bytes()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})
	mux.HandleFunc("GET /playground/{file}", serveAsset)
}

// asset is one embedded file, with its gzip form made on first use.
type asset struct {
	once        sync.Once
	plain, gzip []byte
	contentType string
}

var (
	assetsMu sync.Mutex
	assets   = map[string]*asset{}
)

func lookup(name string) *asset {
	assetsMu.Lock()
	defer assetsMu.Unlock()
	if a, ok := assets[name]; ok {
		return a
	}
	src := "assets/" + name
	if name == "playground.js" || name == "playground.css" {
		src = name
	}
	b, err := files.ReadFile(src)
	if err != nil || strings.HasPrefix(name, "LICENSE") {
		return nil
	}
	a := &asset{plain: b, contentType: mime.TypeByExtension(path.Ext(name))}
	assets[name] = a
	return a
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	a := lookup(r.PathValue("file"))
	if a == nil {
		http.NotFound(w, r)
		return
	}
	a.once.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(a.plain)
		_ = zw.Close()
		a.gzip = buf.Bytes()
	})
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == Version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body := a.plain
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = a.gzip
	}
	_, _ = w.Write(body)
}
