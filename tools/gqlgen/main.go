// Command gqlgen runs gqlgen's generator (`go generate ./...` calls it) with
// Folio's one change to the executor it writes: the fields and list
// elements under the root run on the goroutine that reached them.
//
// gqlgen starts a goroutine for every resolver field of every object and
// for every element of every list of objects, so that resolvers that block
// on I/O overlap. In Folio none below the root does: a root field hands its
// selection to graph's planner, which loads every level of the query in
// batches before the root field returns, and the resolvers below only read
// the request's memo. Their goroutines, the deferred groups made for them
// and the stacks they grow were half the executor's cost per request (see
// issue 12's profile). A field the planner does not foresee still works,
// running its load in line.
//
// Two steps, each failing loudly if gqlgen's output changes shape, so the
// change can never lapse silently:
//   - a plugin marks every non-root object as not concurrent, gqlgen's own
//     switch (it sets it for the mutation type);
//   - the written executor is rewritten: lists of objects are marshalled by
//     graph.marshalSlice, in line, and an object whose fields never defer
//     gets a zero deferred group instead of one made (and its path computed)
//     for every object.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"regexp"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return err
	}
	if err := api.Generate(cfg, api.AddPlugin(inline{})); err != nil {
		return err
	}
	return rewrite(cfg.Exec.Filename)
}

// inline marks every object below the root as not concurrent.
type inline struct{}

func (inline) Name() string { return "folio-inline" }

func (inline) GenerateCode(data *codegen.Data) error {
	n := 0
	for _, o := range data.Objects {
		if !o.Root {
			o.DisableConcurrency = true
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("no objects to mark: has gqlgen's codegen.Data changed?")
	}
	return nil
}

var (
	sliceCall    = []byte("graphql.MarshalSliceConcurrently(")
	deferredMake = "\tdeferred := graphql.NewDeferredGroup(ctx)\n"
	funcStart    = regexp.MustCompile(`(?m)^func `)
)

// rewrite patches the executor gqlgen wrote to file.
func rewrite(file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !bytes.Contains(src, sliceCall) {
		return fmt.Errorf("%s: no %s left to replace: has gqlgen's executor changed?", file, sliceCall)
	}
	src = bytes.ReplaceAll(src, sliceCall, []byte("marshalSlice("))

	// Function by function: a deferred group is made only where a field is
	// resolved through it.
	var out strings.Builder
	text := string(src)
	starts := funcStart.FindAllStringIndex(text, -1)
	zeroed := 0
	prev := 0
	for i, s := range starts {
		end := len(text)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		out.WriteString(text[prev:s[0]])
		fn := text[s[0]:end]
		if strings.Contains(fn, deferredMake) && !strings.Contains(fn, "&deferred") {
			fn = strings.Replace(fn, deferredMake, "\tvar deferred graphql.DeferredGroup // no field of it defers\n", 1)
			zeroed++
		}
		out.WriteString(fn)
		prev = end
	}
	out.WriteString(text[prev:])
	if zeroed == 0 {
		return fmt.Errorf("%s: no deferred group to drop: has gqlgen's executor changed?", file)
	}
	formatted, err := format.Source([]byte(out.String()))
	if err != nil {
		return fmt.Errorf("%s: formatting the rewritten executor: %w", file, err)
	}
	return os.WriteFile(file, formatted, 0o644)
}
