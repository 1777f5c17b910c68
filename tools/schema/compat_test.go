// Package schema holds the schema compatibility check (compat, run by CI)
// and the test that proves it refuses a breaking change.
package schema

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/internal/testtool"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// requireInspector skips when GraphQL Inspector is not installed, unless
// FOLIO_REQUIRE_NODE is set (CI sets it after npm ci), when it fails.
func requireInspector(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("node_modules/.bin/graphql-inspector"); err != nil {
		if os.Getenv("FOLIO_REQUIRE_NODE") != "" {
			t.Fatalf("GraphQL Inspector is missing (%v): run npm ci --prefix tools/schema", err)
		}
		testtool.Skip(t, "GraphQL Inspector", "npm ci --prefix tools/schema")
	}
}

// compat runs ./compat on two schema files and returns its output and
// whether it passed.
func compat(t *testing.T, baseline, schema string) (string, bool) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command("./compat", baseline, schema)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("run compat: %v", err)
		}
	}
	return out.String(), err == nil
}

// variant writes the project's schema, changed by edit, to a temporary file.
func variant(t *testing.T, edit func(doc *ast.SchemaDocument)) string {
	t.Helper()
	src, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parser.ParseSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if err != nil {
		t.Fatal(err)
	}
	edit(doc)
	var buf bytes.Buffer
	formatter.NewFormatter(&buf).FormatSchemaDocument(doc)
	path := filepath.Join(t.TempDir(), "schema.graphqls")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func definition(t *testing.T, doc *ast.SchemaDocument, name string) *ast.Definition {
	t.Helper()
	if d := doc.Definitions.ForName(name); d != nil {
		return d
	}
	t.Fatalf("schema.graphqls has no type %s", name)
	return nil
}

func TestCompat(t *testing.T) {
	requireInspector(t)
	const schema = "../../schema.graphqls"

	t.Run("CurrentSchemaAgainstBaseline", func(t *testing.T) {
		if out, ok := compat(t, "../../schema/baseline.graphqls", schema); !ok {
			t.Errorf("schema.graphqls breaks the baseline:\n%s", out)
		}
	})
	t.Run("RemovedFieldFails", func(t *testing.T) {
		broken := variant(t, func(doc *ast.SchemaDocument) {
			article := definition(t, doc, "Article")
			kept := article.Fields[:0]
			for _, f := range article.Fields {
				if f.Name != "title" {
					kept = append(kept, f)
				}
			}
			article.Fields = kept
		})
		out, ok := compat(t, schema, broken)
		if ok {
			t.Fatalf("compat passed a schema without Article.title:\n%s", out)
		}
		if !strings.Contains(out, "Field title was removed from object type Article") || !strings.Contains(out, "breaking change") {
			t.Errorf("compat failed, but not by naming the removed field:\n%s", out)
		}
	})
	t.Run("NewRequiredArgumentFails", func(t *testing.T) {
		broken := variant(t, func(doc *ast.SchemaDocument) {
			f := definition(t, doc, "Query").Fields.ForName("articles")
			f.Arguments = append(f.Arguments, &ast.ArgumentDefinition{
				Name: "locale", Description: "A new required argument.", Type: ast.NonNullNamedType("String", nil),
			})
		})
		if out, ok := compat(t, schema, broken); ok {
			t.Errorf("compat passed a new required argument on Query.articles:\n%s", out)
		}
	})
	t.Run("AddedFieldPasses", func(t *testing.T) {
		added := variant(t, func(doc *ast.SchemaDocument) {
			q := definition(t, doc, "Query")
			q.Fields = append(q.Fields, &ast.FieldDefinition{
				Name: "compatProbe", Description: "An additive change.", Type: ast.NamedType("String", nil),
			})
		})
		out, ok := compat(t, schema, added)
		if !ok {
			t.Fatalf("compat refused an added nullable field:\n%s", out)
		}
		if !strings.Contains(out, "compatProbe") {
			t.Errorf("compat did not list the added field:\n%s", out)
		}
	})
}
