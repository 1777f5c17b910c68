package graph

import (
	"context"
	"errors"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"

	"github.com/folio/folio/internal/folio"
)

// TestTrimPage_ByCollectedField checks that an operation's remembered
// page shapes are told apart by the collected field, not the field alone:
// a fragment's list merged with a body in one place and alone in another
// is one *ast.Field twice, and only one of them shows bodies, whichever is
// asked first.
func TestTrimPage_ByCollectedField(t *testing.T) {
	const query = `{
		cards: user(handle: "a") { ...Cards }
		full: user(handle: "a") { ...Cards articles(first: 3) { nodes { body } } }
	}
	fragment Cards on User { articles(first: 3) { nodes { slug } } }`
	doc, errs := gqlparser.LoadQuery(parsedSchema, query)
	if errs != nil {
		t.Fatal(errs)
	}
	for _, fullFirst := range []bool{false, true} {
		oc := &graphql.OperationContext{RawQuery: query, Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
		oc.Stats.SetExtension(memoExtension, newOperationMemo())
		roots := collectFields(oc, oc.Operation.SelectionSet, implementors("Query"))
		articles := map[string]graphql.CollectedField{}
		for _, r := range roots {
			fs := collectFields(oc, r.Selections, implementors("User"))
			if len(fs) != 1 || fs[0].Name != "articles" {
				t.Fatalf("%s: collected %d fields, want articles", r.Alias, len(fs))
			}
			articles[r.Alias] = fs[0]
		}
		if articles["cards"].Field != articles["full"].Field {
			t.Fatal("the two lists are not one field of the document: the test shows nothing")
		}
		order := []string{"cards", "full"}
		if fullFirst {
			order = []string{"full", "cards"}
		}
		for _, alias := range order {
			p := trimPage(oc, articles[alias], folio.Page{Limit: 3})
			if want := alias == "cards"; p.SkipBody != want {
				t.Errorf("full first %v: %s reads SkipBody=%v, want %v", fullFirst, alias, p.SkipBody, want)
			}
		}
	}
}

// TestArgsOf_OncePerField checks argsOf's memo: a field's arguments are
// read once an operation, another field's apart, and a failed read is not
// remembered (its error names the row that met it).
func TestArgsOf_OncePerField(t *testing.T) {
	doc, errs := gqlparser.LoadQuery(parsedSchema, `{ a: user(handle: "a") { id } b: user(handle: "b") { id } }`)
	if errs != nil {
		t.Fatal(errs)
	}
	oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
	oc.Stats.SetExtension(memoExtension, newOperationMemo())
	fields := collectFields(oc, oc.Operation.SelectionSet, implementors("Query"))
	if len(fields) != 2 {
		t.Fatalf("collected %d fields, want 2", len(fields))
	}
	reads, fail := 0, true
	parse := func(_ context.Context, raw map[string]any) (map[string]any, error) {
		reads++
		if fail {
			fail = false
			return nil, errors.New("refused")
		}
		return map[string]any{"handle": raw["handle"]}, nil
	}
	ctx := context.Background()
	if _, err := argsOf(ctx, oc, fields[0], parse); err == nil {
		t.Fatal("the failed read gave no error")
	}
	for range 3 {
		got, err := argsOf(ctx, oc, fields[0], parse)
		if err != nil || got["handle"] != "a" {
			t.Fatalf("argsOf(a) = %v, %v", got, err)
		}
	}
	if got, err := argsOf(ctx, oc, fields[1], parse); err != nil || got["handle"] != "b" {
		t.Fatalf("argsOf(b) = %v, %v", got, err)
	}
	if reads != 3 { // a failed, a, b
		t.Errorf("parsed %d times, want 3: once for the failure, once for each field", reads)
	}
}
