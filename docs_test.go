package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The docs are tests: every GraphQL example in README.md and docs/*.md runs
// against `folio serve` on a fresh development database (the small demo
// seed), in the order the text gives them, and must answer without errors.
//
// What is an example:
//
//   - a ```graphql fence: the whole block is one document (several
//     operations in it are sent one by one);
//   - every `curl … /query … -d BODY` command in a ```sh fence. The command
//     is split into words the way a POSIX shell does ('…', "…", \, $VAR);
//     $FOLIO, $TOKEN (the demo author), $EDITOR_TOKEN (the demo editor) and
//     any variable an earlier example captured are expanded.
//
// An HTML comment on the line before the fence, invisible when rendered,
// states what the text promises:
//
//	<!-- doctest {"variables": {…}, "nonEmpty": ["search.edges"], "capture": {"ARTICLE": "createArticle.article.id"}} -->
//
// variables are sent with a ```graphql block; every nonEmpty path (dots
// between field names, through lists) must lead to a non-empty value in at
// least one response of the block; capture keeps a value for later examples
// as a shell variable (alternatives between |: the first path that leads
// somewhere in a response). {"skip": "why"} leaves a block out, and says why.
// Whatever the marker, every root field a response names must be non-null
// and every payload's userErrors empty.

// docExample is one request the docs show.
type docExample struct {
	where  string   // file:line
	query  string   // a ```graphql document, or
	body   string   // a curl -d payload, or
	form   []string // curl -F fields (name=value, name=@file): a multipart upload
	header http.Header
}

// docMarker is what a <!-- doctest … --> comment promises for a block.
type docMarker struct {
	Variables map[string]any    `json:"variables"`
	NonEmpty  []string          `json:"nonEmpty"`
	Capture   map[string]string `json:"capture"`
	Skip      string            `json:"skip"`
}

// docBlock is a fenced block with its examples.
type docBlock struct {
	where    string
	lang     string
	text     string
	marker   docMarker
	examples []docExample
}

var markerRE = regexp.MustCompile(`^<!--\s*doctest\s+(.*?)\s*-->\s*$`)

// docBlocks returns the fenced graphql and sh blocks of a Markdown file.
func docBlocks(t *testing.T, path string) []docBlock {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	var out []docBlock
	for i := 0; i < len(lines); i++ {
		trimmed := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(trimmed, "```") {
			continue
		}
		lang := strings.TrimPrefix(trimmed, "```")
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " "))]
		start := i
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, strings.TrimPrefix(lines[i], indent))
		}
		if lang != "graphql" && lang != "sh" {
			continue
		}
		b := docBlock{where: fmt.Sprintf("%s:%d", path, start+1), lang: lang, text: strings.Join(body, "\n")}
		if start > 0 {
			if m := markerRE.FindStringSubmatch(strings.TrimSpace(lines[start-1])); m != nil {
				dec := json.NewDecoder(strings.NewReader(m[1]))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&b.marker); err != nil {
					t.Fatalf("%s: the doctest marker is not valid: %v", b.where, err)
				}
			}
		}
		out = append(out, b)
	}
	return out
}

// shellWords splits a shell script into commands of words, expanding $VAR
// and ${VAR} from vars outside single quotes; comments and line
// continuations are dropped. It reports a command substitution $( as an
// error: the docs' examples must not need one to run in the test.
func shellWords(script string, vars map[string]string) ([][]string, error) {
	var cmds [][]string
	var words []string
	var w strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	endCmd := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
			words = nil
		}
	}
	expand := func(s string, i int) (int, error) { // s[i] == '$'
		j := i + 1
		if j < len(s) && s[j] == '(' {
			// A command substitution runs a program the test does not
			// have; only running a command that contains one fails.
			depth := 0
			for k := j; k < len(s); k++ {
				switch s[k] {
				case '(':
					depth++
				case ')':
					depth--
				}
				if depth == 0 {
					w.WriteString(unset + s[i:k+1] + "\x00")
					return k + 1, nil
				}
			}
			return 0, fmt.Errorf("unterminated $(")
		}
		brace := j < len(s) && s[j] == '{'
		if brace {
			j++
		}
		k := j
		for k < len(s) && (s[k] == '_' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= '0' && s[k] <= '9') {
			k++
		}
		if k == j {
			w.WriteByte('$')
			return i + 1, nil
		}
		name := s[j:k]
		v, ok := vars[name]
		if !ok {
			// A later command may need it after an earlier one sets it:
			// only running a command that uses it is an error.
			v = unset + "$" + name + "\x00"
		}
		w.WriteString(v)
		if brace {
			k++
		}
		return k, nil
	}
	s := script
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i += 2
		case c == '\n' || c == ';':
			endCmd()
			i++
		case c == ' ' || c == '\t':
			endWord()
			i++
		case c == '#' && !inWord:
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '\'':
			inWord = true
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated '")
			}
			w.WriteString(s[i+1 : i+1+end])
			i += end + 2
		case c == '"':
			inWord = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				switch {
				case s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0:
					if s[i+1] != '\n' {
						w.WriteByte(s[i+1])
					}
					i++
				case s[i] == '$':
					n, err := expand(s, i)
					if err != nil {
						return nil, err
					}
					i = n - 1
				default:
					w.WriteByte(s[i])
				}
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated \"")
			}
			i++
		case c == '\\' && i+1 < len(s):
			inWord = true
			w.WriteByte(s[i+1])
			i += 2
		case c == '$':
			inWord = true
			n, err := expand(s, i)
			if err != nil {
				return nil, err
			}
			i = n
		default:
			inWord = true
			w.WriteByte(c)
			i++
		}
	}
	endCmd()
	return cmds, nil
}

// unset marks where an unset variable was expanded.
const unset = "\x00unset:"

// curlExamples returns the GraphQL requests among a block's commands:
// curl with a -d body to a /query URL.
func curlExamples(where string, cmds [][]string) ([]docExample, error) {
	var out []docExample
	for _, words := range cmds {
		if words[0] != "curl" {
			continue
		}
		ex := docExample{where: where, header: http.Header{}}
		url := ""
		for i := 1; i < len(words); i++ {
			switch words[i] {
			case "-H", "--header":
				i++
				k, v, ok := strings.Cut(words[i], ":")
				if !ok {
					return nil, fmt.Errorf("header %q has no colon", words[i])
				}
				ex.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			case "-d", "--data", "--data-raw":
				i++
				ex.body = words[i]
			case "-F", "--form":
				i++
				ex.form = append(ex.form, words[i])
			case "-o", "-w", "-X":
				i++
			default:
				if !strings.HasPrefix(words[i], "-") {
					url = words[i]
				}
			}
		}
		if (ex.body == "" && len(ex.form) == 0) || !strings.Contains(url, "/query") {
			continue
		}
		out = append(out, ex)
	}
	return out, nil
}

// formBody is the multipart/form-data body curl sends for -F fields:
// name=value, or name=@path for a file (its type by its extension).
func formBody(t *testing.T, fields []string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		name, value, _ := strings.Cut(f, "=")
		path, isFile := strings.CutPrefix(value, "@")
		if !isFile {
			_ = w.WriteField(name, value)
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("the example uploads %s: %v", path, err)
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, name, filepath.Base(path)))
		h.Set("Content-Type", mime.TypeByExtension(filepath.Ext(path)))
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(data)
	}
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// graphqlOperations splits a ```graphql block into its operations, so each
// runs on its own (a document with several needs an operationName anyway).
func graphqlOperations(doc string) []string {
	var ops []string
	var cur strings.Builder
	depth := 0
	for _, line := range strings.Split(doc, "\n") {
		if i := strings.Index(line, "#"); i >= 0 && !strings.Contains(line[:i], `"`) {
			line = line[:i]
		}
		cur.WriteString(line + "\n")
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		if depth == 0 && strings.TrimSpace(cur.String()) != "" {
			ops = append(ops, cur.String())
			cur.Reset()
		}
	}
	return ops
}

// lookup follows a dotted path through JSON, fanning out over lists, and
// returns every value it reaches.
func lookup(v any, path []string) []any {
	if len(path) == 0 {
		return []any{v}
	}
	switch x := v.(type) {
	case map[string]any:
		return lookup(x[path[0]], path[1:])
	case []any:
		var out []any
		for _, e := range x {
			out = append(out, lookup(e, path)...)
		}
		return out
	}
	return nil
}

func nonEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	}
	return true
}

// userErrors returns every userErrors entry in the response's payloads.
func userErrors(data map[string]any) []any {
	var out []any
	for _, v := range data {
		if m, ok := v.(map[string]any); ok {
			if ue, ok := m["userErrors"].([]any); ok {
				out = append(out, ue...)
			}
		}
	}
	return out
}

func TestDocs_Examples(t *testing.T) {
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append([]string{"README.md"}, files...)

	_, dbURL := freshDatabase(t)
	// A reader pastes one example at a time; the test sends them back to
	// back, from the address every test here shares, so its budgets are
	// roomier than a client's. The ceiling per operation stays as it is.
	// The caches are off: every server the tests start shares one Redis
	// and key prefix, over databases of their own, so a row or response
	// cached by another would answer for this one.
	base := startServer(t, map[string]string{
		"DATABASE_URL":         dbURL,
		"CACHE_TTL":            "0",
		"RATE_LIMIT_ANONYMOUS": "100000/10000",
		"RATE_LIMIT_USER":      "100000/10000",
		"UPLOADS":              "true",
		"MEDIA_DIR":            t.TempDir(),
	}, nil)

	post := func(t *testing.T, body []byte, header http.Header) (map[string]any, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, base+"/query", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json") // unless the example sets it (a multipart form)
		for k, vs := range header {
			req.Header[k] = vs
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("status %d, not JSON: %s", res.StatusCode, raw)
		}
		if res.StatusCode != http.StatusOK {
			t.Errorf("status %d: %s", res.StatusCode, raw)
		}
		return out, string(raw)
	}
	signIn := func(t *testing.T, email string) string {
		t.Helper()
		body, _ := json.Marshal(map[string]any{
			"query":     `mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) { session { accessToken } } }`,
			"variables": map[string]any{"e": email, "p": DemoPassword},
		})
		out, raw := post(t, body, nil)
		var tok string
		if vs := lookup(out, strings.Split("data.signIn.session.accessToken", ".")); len(vs) == 1 {
			tok, _ = vs[0].(string)
		}
		if tok == "" {
			t.Fatalf("sign in as %s: %s", email, raw)
		}
		return tok
	}

	vars := map[string]string{"FOLIO": base}
	checked := 0
	for _, file := range files {
		for _, b := range docBlocks(t, file) {
			t.Run(b.where, func(t *testing.T) {
				if b.marker.Skip != "" {
					t.Skipf("marked: %s", b.marker.Skip)
				}
				// Each block starts signed in afresh: an earlier one may
				// have signed its session out.
				vars["TOKEN"] = signIn(t, "author@demo.folio.example")
				vars["EDITOR_TOKEN"] = signIn(t, "editor@demo.folio.example")

				var examples []docExample
				if b.lang == "graphql" {
					for _, op := range graphqlOperations(b.text) {
						examples = append(examples, docExample{where: b.where, query: op})
					}
				}
				found := make(map[string]bool)
				run := func(ex docExample) {
					for _, s := range append([]string{ex.body}, headerValues(ex.header)...) {
						if i := strings.Index(s, unset); i >= 0 {
							name := s[i+len(unset):]
							t.Fatalf("%s is not set (capture it from an earlier example), or runs a program: mark the block skip, with the reason", name[:strings.IndexByte(name, 0)])
						}
					}
					body := []byte(ex.body)
					if len(ex.form) > 0 {
						var ct string
						body, ct = formBody(t, ex.form)
						ex.header.Set("Content-Type", ct)
					}
					if ex.query != "" {
						body, _ = json.Marshal(map[string]any{"query": ex.query, "variables": b.marker.Variables})
					}
					out, raw := post(t, body, ex.header)
					checked++
					if errs, ok := out["errors"]; ok {
						t.Errorf("errors: %v\nrequest: %s", errs, body)
						return
					}
					if strings.EqualFold(ex.header.Get("Folio-Dry-Run"), "true") {
						// A dry run answers with its price, never data.
						if dry := lookup(out, []string{"extensions", "cost", "dryRun"}); len(dry) != 1 || dry[0] != true {
							t.Errorf("a dry run answered without extensions.cost.dryRun: %s", raw)
						}
						return
					}
					data, _ := out["data"].(map[string]any)
					if len(data) == 0 {
						t.Errorf("no data: %s\nrequest: %s", raw, body)
						return
					}
					for k, v := range data {
						if v == nil {
							t.Errorf("%s is null: %s\nrequest: %s", k, raw, body)
						}
					}
					if ue := userErrors(data); len(ue) > 0 {
						t.Errorf("userErrors %v\nrequest: %s", ue, body)
					}
					for _, p := range b.marker.NonEmpty {
						for _, v := range lookup(data, strings.Split(p, ".")) {
							if nonEmpty(v) {
								found[p] = true
							}
						}
					}
					for name, alts := range b.marker.Capture {
						for _, p := range strings.Split(alts, "|") {
							if vs := lookup(data, strings.Split(p, ".")); len(vs) > 0 && nonEmpty(vs[0]) {
								vars[name] = fmt.Sprint(vs[0])
							}
						}
					}
				}
				if b.lang == "graphql" {
					for _, ex := range examples {
						run(ex)
					}
				} else {
					// One command at a time, so a later command sees the
					// variables an earlier one captured.
					for i := 0; ; i++ {
						cmds, err := shellWords(b.text, vars)
						if err != nil {
							t.Fatalf("cannot run the block as shell: %v (mark it skip with the reason, or rewrite it)", err)
						}
						exs, err := curlExamples(b.where, cmds)
						if err != nil {
							t.Fatal(err)
						}
						if i >= len(exs) {
							break
						}
						run(exs[i])
					}
				}
				for _, p := range b.marker.NonEmpty {
					if !found[p] {
						t.Errorf("the text promises a non-empty %s; no response had one", p)
					}
				}
			})
		}
	}
	t.Logf("%d examples from %d files checked", checked, len(files))
	if checked == 0 {
		t.Error("no examples found")
	}
}

func headerValues(h http.Header) []string {
	var out []string
	for _, vs := range h {
		out = append(out, vs...)
	}
	return out
}
