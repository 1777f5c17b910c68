package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio/folio/internal/testtool"
)

// TestWebExample runs the TypeScript example (examples/web, `npm run demo`)
// against the server under test: its generated types compile and its
// operations work on a live server. Like the browser test it skips without
// `npm ci --prefix examples/web`, unless FOLIO_REQUIRE_NODE is set.
func TestWebExample(t *testing.T) {
	requireWebExample(t)
	out := runDemo(t, baseURL, "FOLIO_EDITOR_EMAIL=editor@demo.folio.example", "FOLIO_EDITOR_PASSWORD=folio-demo-password")
	for _, want := range []string{"home feed (hash ", "article page (hash ", "a bad cursor: BAD_USER_INPUT on after", "commenting without a token: UNAUTHENTICATED",
		"added comment ", "an empty comment: INVALID on body", "reacted INSIGHTFUL: the article has ", "reacted LIKE with it",
		"wrote draft notes-from-the-demo-", "(DRAFT); its excerpt, made from the body: Keyset pagination orders", "published notes-from-the-demo-", "demo: 15 operations ran"} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out)
		}
	}
}

// TestWebExample_TrustedDocuments registers the example's persisted-documents
// manifest with `folio documents load`, starts a second server in
// trusted-documents mode over the same database, and runs the demo sending
// hashes only: the manifest is what that mode accepts, and nothing else runs.
func TestWebExample_TrustedDocuments(t *testing.T) {
	requireWebExample(t)
	load := exec.Command(server.bin, "documents", "load", "../../examples/web/src/gql/persisted-documents.json")
	load.Env = server.env()
	if out, err := load.CombinedOutput(); err != nil || !strings.Contains(string(out), "documents") {
		t.Fatalf("folio documents load: %v\n%s", err, out)
	}
	url, stop, err := server.start("TRUSTED_DOCUMENTS=true")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	t.Run("UnregisteredRefused", func(t *testing.T) {
		res, err := http.Post(url+"/query", "application/json", strings.NewReader(`{"query":"{ articles(first: 1) { nodes { id } } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			Errors []struct{ Extensions struct{ Code string } }
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if len(body.Errors) != 1 || body.Errors[0].Extensions.Code != "TRUSTED_DOCUMENT_REQUIRED" {
			t.Errorf("got %+v, want TRUSTED_DOCUMENT_REQUIRED", body.Errors)
		}
	})
	t.Run("ManifestRuns", func(t *testing.T) {
		out := runDemo(t, url, "FOLIO_PERSISTED=1")
		if !strings.Contains(out, "home feed (sent as ") || !strings.Contains(out, "demo: 12 operations ran") {
			t.Errorf("the demo did not run on hashes alone:\n%s", out)
		}
	})
}

// requireWebExample skips without `npm ci --prefix examples/web`, unless
// FOLIO_REQUIRE_NODE is set, when it fails.
func requireWebExample(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("../../examples/web/node_modules/typescript"); err != nil {
		if os.Getenv("FOLIO_REQUIRE_NODE") != "" {
			t.Fatalf("examples/web is not installed: run npm ci --prefix examples/web (%v)", err)
		}
		testtool.Skip(t, "examples/web's npm packages", "npm ci --prefix examples/web")
	}
}

// buildDemo compiles the example once per run (tsc), for every runDemo.
var buildDemo = sync.OnceValues(func() ([]byte, error) {
	cmd := exec.Command("npm", "run", "--silent", "build")
	cmd.Dir = "../../examples/web"
	return cmd.CombinedOutput()
})

// runDemo runs the example's demo (what `npm run demo` runs) against url
// and returns its output.
func runDemo(t *testing.T, url string, env ...string) string {
	t.Helper()
	if out, err := buildDemo(); err != nil {
		t.Fatalf("npm run build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "node", "dist/demo.js")
	cmd.Dir = "../../examples/web"
	cmd.Env = append(append(os.Environ(), "FOLIO_URL="+url), env...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	return out.String()
}
