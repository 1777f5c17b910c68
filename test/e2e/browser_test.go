package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/testtool"
)

// TestBrowser_Playground loads the playground from the binary in headless
// Chromium with no network but the server, puts a token in the headers
// editor, runs the home feed and checks that the result renders, then signs
// in through the SignIn tab and checks that AddComment carries its token,
// before and after a reload, and that the CommentAdded subscription carries
// it in connection_init and receives a comment, as it did anonymous before
// (web/playground/browser-test.mjs). The screenshots land in e2e/output/.
//
// It needs `npm ci --prefix web/playground` and Debian's chromium; without
// them it skips, unless FOLIO_REQUIRE_NODE is set (as in CI), when it fails.
func TestBrowser_Playground(t *testing.T) {
	chromium := needBrowser(t)
	out, err := filepath.Abs("output")
	if err != nil {
		t.Fatal(err)
	}
	runBrowserScript(t, chromium, "browser-test.mjs", baseURL, out)
	for _, shot := range []string{"playground-home-feed.png", "playground-session.png", "playground-comment-added-signed-in.png"} {
		if fi, err := os.Stat(filepath.Join(out, shot)); err != nil || fi.Size() == 0 {
			t.Errorf("no screenshot %s: %v", shot, err)
		}
	}
}

// TestBrowser_CORS checks in headless Chromium that a page on a local dev
// server's origin can call the development server with headers that need a
// preflight and read the RateLimit and request-id headers, and that a page
// on another origin cannot (web/playground/cors-test.mjs).
func TestBrowser_CORS(t *testing.T) {
	runBrowserScript(t, needBrowser(t), "cors-test.mjs", baseURL)
}

// needBrowser returns Chromium's path, or skips the test when Chromium,
// Node or playwright-core is missing, unless FOLIO_REQUIRE_NODE is set
// (as in CI), when it fails.
func needBrowser(t *testing.T) string {
	t.Helper()
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing, install []string
	if _, err := os.Stat("../../web/playground/node_modules/playwright-core"); err != nil {
		missing, install = append(missing, "playwright-core"), append(install, "npm ci --prefix web/playground")
	}
	if _, err := os.Stat(chromium); err != nil {
		missing, install = append(missing, "Chromium at "+chromium), append(install, "apt-get install chromium")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing, install = append(missing, "node"), append(install, "apt-get install nodejs npm")
	}
	if len(missing) > 0 {
		if os.Getenv("FOLIO_REQUIRE_NODE") != "" {
			t.Fatalf("cannot run the browser test: missing %v (%s)", missing, strings.Join(install, " && "))
		}
		testtool.Skip(t, strings.Join(missing, ", "), strings.Join(install, " && "))
	}
	return chromium
}

// runBrowserScript runs one of web/playground's Node scripts with args and
// fails the test, with its output, if the script does.
func runBrowserScript(t *testing.T, chromium, script string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var log bytes.Buffer
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	cmd.Dir = "../../web/playground"
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s failed (%v):\n%s", script, err, log.String())
	}
	t.Log(log.String())
}
