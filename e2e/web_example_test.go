package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestWebExample runs the TypeScript example (examples/web, `npm run demo`)
// against the server under test: its generated types compile and its
// operations work on a live server. Like the browser test it skips without
// `npm ci --prefix examples/web`, unless FOLIO_REQUIRE_NODE is set.
func TestWebExample(t *testing.T) {
	if _, err := os.Stat("../examples/web/node_modules/typescript"); err != nil {
		if os.Getenv("FOLIO_REQUIRE_NODE") != "" {
			t.Fatalf("examples/web is not installed: run npm ci --prefix examples/web (%v)", err)
		}
		t.Skip("examples/web is not installed: run npm ci --prefix examples/web")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "npm", "run", "--silent", "demo")
	cmd.Dir = "../examples/web"
	cmd.Env = append(os.Environ(), "FOLIO_URL="+baseURL)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("npm run demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{"home feed (sha256:", "article page (sha256:", "a bad cursor: BAD_USER_INPUT on after", "commenting without a token: UNAUTHENTICATED", "added comment ", "an empty comment: INVALID on body", "demo: 9 operations ran"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out.String())
		}
	}
}
