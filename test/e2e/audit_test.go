package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/folio/folio/internal/testtool"
)

// TestGraphQLOverHTTPAudit runs the official GraphQL-over-HTTP conformance
// audit (graphql-http's server audits, tools/audit) against the server, with
// introspection on and off, and fails on any MUST or SHOULD not met. The
// results are printed either way (go test -v, or CI's log on failure). It
// skips without `npm ci --prefix tools/audit`, unless FOLIO_REQUIRE_NODE is
// set, when it fails.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	if _, err := os.Stat("../../tools/audit/node_modules/graphql-http"); err != nil {
		if os.Getenv("FOLIO_REQUIRE_NODE") != "" {
			t.Fatalf("tools/audit is not installed: run npm ci --prefix tools/audit (%v)", err)
		}
		testtool.Skip(t, "tools/audit's npm packages", "npm ci --prefix tools/audit")
	}
	audit := func(t *testing.T, url string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, "node", "../../tools/audit/audit.mjs", url+"/query")
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		t.Logf("graphql-http audit of %s:\n%s", url, out.String())
		if err != nil {
			t.Errorf("the audit failed (%v): see the lines not marked ok above", err)
		}
	}
	t.Run("IntrospectionOn", func(t *testing.T) { audit(t, baseURL) })
	t.Run("IntrospectionOff", func(t *testing.T) {
		url, stop, err := server.start("INTROSPECTION=false", "PLAYGROUND=false")
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		audit(t, url)
	})
}
