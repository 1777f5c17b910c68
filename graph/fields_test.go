package graph

import (
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
		oc.Stats.SetExtension(shapesExtension, &fieldShapes{m: make(map[shapeKey]pageShape)})
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
