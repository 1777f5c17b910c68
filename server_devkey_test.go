package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun_DevelopmentKeySurvivesRestart: a development server without
// JWT_KEYS keeps its signing key in DEV_JWT_KEY_FILE, so an access token
// from before a restart still works after it; with `none` it does not.
func TestRun_DevelopmentKeySurvivesRestart(t *testing.T) {
	_, dbURL := freshDatabase(t)
	keyFile := filepath.Join(t.TempDir(), "folio", "dev-jwt.key")

	// serve runs a server until the subtest ends (its cleanup shuts it
	// down) and returns what it answers to viewer with token.
	var token string
	serve := func(t *testing.T, keys string) (handle, code string) {
		base := startServer(t, map[string]string{"DATABASE_URL": dbURL, "DEV_JWT_KEY_FILE": keys}, nil)
		if token == "" {
			token = signInToken(t, base, "reader@demo.folio.example")
		}
		req, _ := http.NewRequest(http.MethodPost, base+"/query", strings.NewReader(`{"query":"{ viewer { handle } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct {
			Data struct {
				Viewer *struct{ Handle string }
			}
			Errors []struct{ Extensions struct{ Code string } }
		}
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if out.Data.Viewer != nil {
			handle = out.Data.Viewer.Handle
		}
		if len(out.Errors) > 0 {
			code = out.Errors[0].Extensions.Code
		}
		return handle, code
	}

	t.Run("FirstStartCreatesTheFile", func(t *testing.T) {
		if h, code := serve(t, keyFile); h != "demo_reader" {
			t.Fatalf("viewer: got %q %s, want demo_reader", h, code)
		}
		fi, err := os.Stat(keyFile)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file: got %v, %v; want mode 0600", fi, err)
		}
	})
	t.Run("TokenWorksAfterRestart", func(t *testing.T) {
		if h, code := serve(t, keyFile); h != "demo_reader" {
			t.Errorf("viewer after a restart: got %q %s, want demo_reader", h, code)
		}
	})
	t.Run("NoneIsAKeyPerProcess", func(t *testing.T) {
		if h, code := serve(t, "none"); h != "" || code != "UNAUTHENTICATED" {
			t.Errorf("viewer with another key: got %q %q, want UNAUTHENTICATED", h, code)
		}
	})
}

// signInToken signs in to a demo account and returns the access token.
func signInToken(t *testing.T, base, email string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"query":     `mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) { session { accessToken } } }`,
		"variables": map[string]any{"e": email, "p": DemoPassword},
	})
	res, err := http.Post(base+"/query", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data struct {
			SignIn struct{ Session *struct{ AccessToken string } }
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Data.SignIn.Session == nil {
		t.Fatalf("sign in as %s: %+v, %v", email, out, err)
	}
	return out.Data.SignIn.Session.AccessToken
}
