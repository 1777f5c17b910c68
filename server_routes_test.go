package main

import (
	"strings"
	"testing"
)

// TestRun_DeveloperRoutes checks that the playground and the published
// schema come with introspection, and go away with it.
func TestRun_DeveloperRoutes(t *testing.T) {
	t.Run("On", func(t *testing.T) {
		_, dbURL := freshDatabase(t)
		base := startServer(t, map[string]string{"DATABASE_URL": dbURL, "SEED_IF_EMPTY": "false"}, nil)
		if code, body := get(t, base+"/schema.graphql"); code != 200 || !strings.Contains(body, "type Query {") {
			t.Errorf("/schema.graphql: got %d, want 200 and the SDL", code)
		}
		if code, body := get(t, base+"/playground/playground.js"); code != 200 || !strings.Contains(body, "mutation SignIn") {
			t.Errorf("playground script: got %d, want 200 and the bundle", code)
		}
	})
	t.Run("Off", func(t *testing.T) {
		_, dbURL := freshDatabase(t)
		base := startServer(t, map[string]string{"DATABASE_URL": dbURL, "SEED_IF_EMPTY": "false", "PLAYGROUND": "false"}, nil)
		for _, path := range []string{"/", "/schema.graphql", "/playground/playground.js"} {
			if code, _ := get(t, base+path); code != 404 {
				t.Errorf("%s: got %d, want 404 with PLAYGROUND=false", path, code)
			}
		}
	})
}
