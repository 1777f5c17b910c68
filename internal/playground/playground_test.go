package playground

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

func serve(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res := httptest.NewRecorder()
	h.ServeHTTP(res, req)
	return res
}

func TestHandler(t *testing.T) {
	h := Handler()

	t.Run("Page", func(t *testing.T) {
		res := serve(t, h, "/")
		if res.Code != http.StatusOK {
			t.Fatalf("got %d, want 200", res.Code)
		}
		if got := res.Header().Get("Content-Security-Policy"); got != ContentSecurityPolicy {
			t.Errorf("got CSP %q, want %q", got, ContentSecurityPolicy)
		}
		if got := res.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("got Content-Type %q", got)
		}
		page := res.Body.String()
		// The CSP forbids inline script; the page must not need any.
		for _, tag := range regexp.MustCompile(`(?is)<script\b[^>]*>`).FindAllString(page, -1) {
			if !strings.Contains(tag, `src="`+AssetPrefix) {
				t.Errorf("script %s is not loaded from %s", tag, AssetPrefix)
			}
		}
		if regexp.MustCompile(`(?is)<script\b[^>]*>\s*[^<\s]`).MatchString(page) || regexp.MustCompile(`(?i)\son[a-z]+=`).MatchString(page) {
			t.Errorf("page has inline script:\n%s", page)
		}
		for _, ref := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1) {
			u := ref[1]
			if strings.HasPrefix(u, "data:") {
				continue
			}
			if !strings.HasPrefix(u, AssetPrefix) {
				t.Errorf("page loads %s from outside the binary", u)
				continue
			}
			if res := serve(t, h, u); res.Code != http.StatusOK || res.Header().Get("Content-Security-Policy") == "" {
				t.Errorf("asset %s: got %d", u, res.Code)
			}
		}
	})
	t.Run("Script", func(t *testing.T) {
		res := serve(t, h, AssetPrefix+"playground.js")
		if res.Code != http.StatusOK || res.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Fatalf("got %d %q", res.Code, res.Header().Get("Content-Type"))
		}
		// The bundle must carry what the issue promises.
		for _, want := range []string{"query HomeFeed", "mutation SignIn", "mutation AddComment", "graphiql-explorer"} {
			if !strings.Contains(res.Body.String(), want) {
				t.Errorf("bundle lacks %q", want)
			}
		}
		again := serve(t, h, AssetPrefix+"playground.js", "If-None-Match", res.Header().Get("ETag"))
		if again.Code != http.StatusNotModified {
			t.Errorf("revalidation with the ETag: got %d, want 304", again.Code)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		for _, p := range []string{AssetPrefix + "nope.js", AssetPrefix + "index.html", AssetPrefix, "/elsewhere"} {
			if res := serve(t, h, p); res.Code != http.StatusNotFound {
				t.Errorf("%s: got %d, want 404", p, res.Code)
			}
		}
	})
}

// TestExamples_Validate checks the example operations (examples/operations,
// the playground's tabs) against schema.graphqls, so a schema change cannot silently break them. An example
// whose mutation the schema does not have yet is skipped, with the reason.
func TestExamples_Validate(t *testing.T) {
	sdl, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema := gqlparser.MustLoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(sdl)})
	files, err := filepath.Glob("../../examples/operations/*.graphql")
	if err != nil || len(files) < 5 {
		t.Fatalf("found %d example operations (%v), want at least 5", len(files), err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".graphql"), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if missing := missingMutation(schema, string(src)); missing != "" {
				t.Skipf("the schema has no Mutation.%s yet", missing)
			}
			if _, errs := gqlparser.LoadQuery(schema, string(src)); len(errs) > 0 {
				t.Errorf("%s does not validate: %v", f, errs)
			}
		})
	}
}

// missingMutation returns the root mutation field an operation uses that the
// schema lacks, or "".
func missingMutation(schema *ast.Schema, src string) string {
	m := regexp.MustCompile(`(?s)^\s*(?:#[^\n]*\n\s*)*mutation\b[^{]*\{\s*(\w+)`).FindStringSubmatch(src)
	if m == nil {
		return ""
	}
	if schema.Mutation == nil || schema.Mutation.Fields.ForName(m[1]) == nil {
		return m[1]
	}
	return ""
}
