package graph

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestSchema_Documented holds the published schema to its promise: every
// type, field, argument, enum value and directive says what it is, and every
// deprecation says why and what to use instead.
func TestSchema_Documented(t *testing.T) {
	if missing := undocumented(NewExecutableSchema(Config{}).Schema()); len(missing) > 0 {
		t.Errorf("schema.graphqls lacks descriptions (a \"string\" before each definition) for:\n  %s", strings.Join(missing, "\n  "))
	}
	t.Run("CatchesGaps", func(t *testing.T) {
		bad := gqlparser.MustLoadSchema(&ast.Source{Name: "bad.graphqls", Input: `
"Documented."
type Query {
  "Documented."
  a(x: Int): Int
  b: Int @deprecated(reason: "")
  "Documented."
  c: E
}
enum E { ONE }
`})
		got := strings.Join(undocumented(bad), "|")
		for _, want := range []string{"Query.a(x:)", "Query.b", "Query.b (deprecated without a reason)", "type E", "E.ONE"} {
			if !strings.Contains("|"+got+"|", "|"+want+"|") {
				t.Errorf("got %q, want it to name %q", got, want)
			}
		}
	})
}

// undocumented names every definition of schema that lacks a description
// and every deprecation that lacks a reason.
func undocumented(schema *ast.Schema) []string {
	var missing []string
	need := func(what, desc string) {
		if strings.TrimSpace(desc) == "" {
			missing = append(missing, what)
		}
	}
	deprecation := func(what string, dirs ast.DirectiveList) {
		d := dirs.ForName("deprecated")
		if d == nil {
			return
		}
		if r := d.Arguments.ForName("reason"); r == nil || r.Value == nil || strings.TrimSpace(r.Value.Raw) == "" {
			missing = append(missing, what+" (deprecated without a reason)")
		}
	}
	for name, def := range schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		need("type "+name, def.Description)
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			what := name + "." + f.Name
			need(what, f.Description)
			deprecation(what, f.Directives)
			for _, a := range f.Arguments {
				need(what+"("+a.Name+":)", a.Description)
				deprecation(what+"("+a.Name+":)", a.Directives)
			}
		}
		for _, v := range def.EnumValues {
			need(name+"."+v.Name, v.Description)
			deprecation(name+"."+v.Name, v.Directives)
		}
	}
	for name, d := range schema.Directives {
		if isBuiltInDirective(name) {
			continue
		}
		need("directive @"+name, d.Description)
		for _, a := range d.Arguments {
			need("@"+name+"("+a.Name+":)", a.Description)
		}
	}
	sort.Strings(missing)
	return missing
}

func isBuiltInDirective(name string) bool {
	switch name {
	case "include", "skip", "deprecated", "specifiedBy", "oneOf", "defer", "stream":
		return true
	}
	return false
}

func TestSchemaHandler(t *testing.T) {
	h := SchemaHandler()
	res := httptest.NewRecorder()
	h.ServeHTTP(res, httptest.NewRequest(http.MethodGet, "/schema.graphql", nil))

	t.Run("OK", func(t *testing.T) {
		if res.Code != http.StatusOK {
			t.Fatalf("got status %d, want 200", res.Code)
		}
		if got := res.Header().Get("Content-Type"); got != "text/plain; charset=utf-8" {
			t.Errorf("got Content-Type %q, want text/plain; charset=utf-8", got)
		}
		if got := res.Body.String(); got != SDL() {
			t.Errorf("body is not SDL()")
		}
		for _, want := range []string{"type Query {", "interface Node {", `"A piece of writing."`} {
			if !strings.Contains(res.Body.String(), want) {
				t.Errorf("SDL lacks %q", want)
			}
		}
	})
	t.Run("NotModified", func(t *testing.T) {
		etag := res.Header().Get("ETag")
		if !strings.HasPrefix(etag, `"`) {
			t.Fatalf("got ETag %q, want a strong ETag", etag)
		}
		req := httptest.NewRequest(http.MethodGet, "/schema.graphql", nil)
		req.Header.Set("If-None-Match", etag)
		again := httptest.NewRecorder()
		h.ServeHTTP(again, req)
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Errorf("got %d with %d bytes, want 304 and no body", again.Code, again.Body.Len())
		}
	})
	t.Run("Changed", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/schema.graphql", nil)
		req.Header.Set("If-None-Match", `"an-older-schema"`)
		again := httptest.NewRecorder()
		h.ServeHTTP(again, req)
		if again.Code != http.StatusOK || again.Body.String() != SDL() {
			t.Errorf("got %d, want 200 and the schema", again.Code)
		}
	})
}
