package tests

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"usergraph/internal/apitest"
	"usergraph/internal/playground"
)

// The playground's page and assets come from the server itself, under a policy that allows
// nothing else.
func TestPlaygroundServesItsOwnAssets(t *testing.T) {
	s := apitest.New(t)
	page := s.Get(t, "/", "")
	if page.Status != http.StatusOK || !strings.Contains(page.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("GET /: %d, CSP %q", page.Status, page.Header.Get("Content-Security-Policy"))
	}
	html := string(page.Raw)
	if strings.Contains(html, "http://") || strings.Contains(html, "https://") || strings.Contains(html, "//cdn") {
		t.Fatalf("the page names another host:\n%s", html)
	}
	for _, name := range []string{"graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js", "playground.js", "playground.css"} {
		path := "/playground/" + name + "?v=" + playground.Version
		if !strings.Contains(html, path) && name != "playground.js" {
			t.Errorf("the page does not load %s", path)
		}
		r := s.Get(t, path, "")
		if r.Status != http.StatusOK || len(r.Raw) == 0 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: %d, %d bytes, Cache-Control %q", path, r.Status, len(r.Raw), r.Header.Get("Cache-Control"))
		}
	}
	for _, path := range []string{"/playground/LICENSE.react", "/playground/..%2fplayground.go", "/playground/nothing.js"} {
		if r := s.Get(t, path, ""); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.Status)
		}
	}
}

// chromium finds Debian's Chromium, or skips the test: CI installs it (.ci/run).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); the playground browser test needs it")
	return ""
}

// In a real headless Chromium with no other host reachable: the playground renders, runs a
// query with the token typed into its Headers editor, keeps the token out of localStorage until
// the user turns "Persist headers" on, and forgets it again when they turn it off.
func TestPlaygroundInChromium(t *testing.T) {
	bin := chromium(t)
	s := apitest.New(t)
	u := s.NewUser(t, "playground_user")

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	// Every request the page makes must go to this server.
	var mu sync.Mutex
	var foreign []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			url := e.Request.URL
			if !strings.HasPrefix(url, s.URL) && !strings.HasPrefix(url, "data:") && !strings.HasPrefix(url, "blob:") {
				mu.Lock()
				foreign = append(foreign, url)
				mu.Unlock()
			}
		}
	})
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	const (
		queryEditor   = `.graphiql-query-editor .CodeMirror`
		headersEditor = `.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror`
		result        = `.result-window .CodeMirror`
	)
	findEditor := func(sel string) string { return `document.querySelector(` + jsString(sel) + `)` }
	editorText := func(sel string) string {
		return `(() => { const cm = ` + findEditor(sel) + `; return cm ? cm.CodeMirror.getValue() : "" })()`
	}
	setEditor := func(sel, text string) chromedp.Action[chromedp.Void] {
		return void(chromedp.Evaluate[bool](`(` + findEditor(sel) + `.CodeMirror.setValue(` + jsString(text) + `), true)`))
	}
	storage := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(window.localStorage)`))
		if err != nil {
			t.Fatalf("read localStorage: %v", err)
		}
		return v
	}
	token := u.Token

	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(queryEditor)),
		chromedp.Click(chromedp.CSS(`button[data-name="headers"]`)),
		chromedp.WaitVisible(chromedp.CSS(headersEditor)),
		setEditor(queryEditor, `query Me { me { username } }`),
		setEditor(headersEditor, `{"Authorization": "Bearer `+token+`"}`),
		// The starting document has two operations, so the button offers a menu until
		// GraphiQL has parsed the new one.
		chromedp.WaitNotPresent(chromedp.CSS(`.graphiql-execute-button[aria-haspopup]`)),
		chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)),
	)
	if err != nil {
		t.Fatalf("drive the playground: %v", err)
	}
	answer, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const v = `+editorText(result)+`; return v.includes("username") ? v : null })()`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || !strings.Contains(answer, `"username": "playground_user"`) {
		t.Fatalf("the query's answer: %q (%v); the page: %s; graphql requests: %v", answer, err, screenshot(ctx, t),
			s.Logs.Find("request", map[string]string{"route": "/graphql"}))
	}
	if st := storage(); strings.Contains(st, token) {
		t.Fatalf("the token was stored without being asked for: %s", st)
	}
	shot := screenshot(ctx, t)

	// Turn persistence on in GraphiQL's settings: the token is stored and survives a reload.
	openSettings := chromedp.Click(chromedp.CSS(`button[aria-label="Open settings dialog"]`))
	if err := chromedp.Do(ctx, openSettings, chromedp.Click(chromedp.CSS(`#enable-persist-headers`))); err != nil {
		t.Fatalf("turn persistence on: %v", err)
	}
	if st := storage(); !strings.Contains(st, token) {
		t.Fatalf("Persist headers is on, but the token is not stored: %s", st)
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(queryEditor))); err != nil {
		t.Fatalf("reload: %v", err)
	}
	reloaded, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const v = `+editorText(headersEditor)+`; return v ? v : null })()`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !strings.Contains(reloaded, token) {
		t.Fatalf("after a reload with Persist headers on, headers are %q (%v)", reloaded, err)
	}

	// And off again: the stored token is wiped.
	if err := chromedp.Do(ctx, openSettings, chromedp.Click(chromedp.CSS(`#disable-persist-headers`))); err != nil {
		t.Fatalf("turn persistence off: %v", err)
	}
	if st := storage(); strings.Contains(st, token) {
		t.Fatalf("Persist headers is off again, but the token is still stored: %s", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(foreign) > 0 {
		t.Fatalf("the playground reached other hosts: %v", foreign)
	}
	t.Logf("screenshot of the answered query: %s", shot)
}

// void runs a for its effect only.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// screenshot saves the page to PLAYGROUND_SCREENSHOT_DIR (or the test's temporary directory)
// for a person to look at; the assertions are on the DOM.
func screenshot(ctx context.Context, t *testing.T) string {
	dir := os.Getenv("PLAYGROUND_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(dir, "playground.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\u2028", `\u2028`, "\u2029", `\u2029`)
	return `"` + r.Replace(s) + `"`
}
