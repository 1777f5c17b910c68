package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/testtool"
)

// TestReaderExample builds the reader app (examples/reader: Vite, React,
// Apollo Client) against the server under test, serves it on a local
// origin of its own, and drives it in headless Chromium
// (web/playground/reader-test.mjs): the feed and "Load more", an article,
// signing in, a comment posted and shown, and signing out. Every call the
// app makes is cross-origin, allowed by development's CORS default. The
// screenshot lands in e2e/output/reader-comment.png.
//
// It needs `npm ci --prefix examples/reader` besides what the playground's
// browser test needs; without them it skips, unless FOLIO_REQUIRE_NODE is
// set (as in CI), when it fails.
func TestReaderExample(t *testing.T) {
	chromium := needBrowser(t)
	if _, err := os.Stat("../../examples/reader/node_modules/vite"); err != nil {
		if os.Getenv("FOLIO_REQUIRE_NODE") != "" {
			t.Fatalf("examples/reader is not installed: run npm ci --prefix examples/reader (%v)", err)
		}
		testtool.Skip(t, "examples/reader's npm packages", "npm ci --prefix examples/reader")
	}

	// vite build, with the server's URL baked in as a developer's
	// VITE_FOLIO_URL would be.
	dist := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "npm", "run", "--silent", "build", "--", "--outDir", dist, "--emptyOutDir", "--logLevel", "warn")
	build.Dir = "../../examples/reader"
	build.Env = append(os.Environ(), "VITE_FOLIO_URL="+baseURL)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("vite build: %v\n%s", err, out)
	}

	// The app's own origin: localhost rather than the server's 127.0.0.1,
	// so the browser treats every call to the API as cross-origin.
	app := httptest.NewServer(http.FileServer(http.Dir(dist)))
	defer app.Close()
	appURL := strings.Replace(app.URL, "127.0.0.1", "localhost", 1)

	out, err := filepath.Abs("output")
	if err != nil {
		t.Fatal(err)
	}
	runBrowserScript(t, chromium, "reader-test.mjs", appURL, baseURL, out)
	if fi, err := os.Stat(filepath.Join(out, "reader-comment.png")); err != nil || fi.Size() == 0 {
		t.Errorf("no screenshot reader-comment.png: %v", err)
	}
}
