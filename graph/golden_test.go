package graph_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden from the responses")

// golden compares got, indented, with testdata/golden/name.json; with
// -update it rewrites the file instead.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("%s is not JSON: %v: %s", name, err, got)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test -run %s -update ./graph/` to write it)", err, t.Name())
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from %s (run with -update after checking the change):\ngot:\n%s", name, path, buf.Bytes())
	}
}

// TestGolden_DryRunBreakdown checks the whole price breakdown a client sees
// for the two pages a frontend sends most, field by field.
func TestGolden_DryRunBreakdown(t *testing.T) {
	getWorld(t)
	for name, page := range map[string]struct {
		query string
		vars  map[string]any
	}{
		"dryrun_home_feed":    {HomeFeedQuery, map[string]any{"first": 20}},
		"dryrun_article_page": {ArticlePageQuery, map[string]any{"slug": "x", "comments": 20, "replies": 5}},
	} {
		t.Run(name, func(t *testing.T) {
			r := send(t, srv(t), page.query, page.vars, nil, map[string]any{"dryRun": true})
			var out struct {
				Extensions struct {
					Cost map[string]json.RawMessage `json:"cost"`
				} `json:"extensions"`
			}
			if err := json.Unmarshal([]byte(r.Raw), &out); err != nil {
				t.Fatal(err)
			}
			delete(out.Extensions.Cost, "throttleStatus") // the test client's budget, not the price
			b, err := json.Marshal(out.Extensions.Cost)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name, b)
		})
	}
}
