package graphtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Hostile is a request made to cost the server work or to break it, and
// how it must be refused.
type Hostile struct {
	Name string
	// ContentType and Body are sent as they are, by POST; Chunked hides
	// the body's length from the server; Trickle sends it a byte at a time,
	// each that long after the last (the server under test should give up
	// on it well within a second).
	ContentType string
	Body        []byte
	Chunked     bool
	Trickle     time.Duration
	// Query and Variables are the GraphQL request Body holds, if it is one.
	Query     string
	Variables map[string]any
	// Status and Code are the refusal's HTTP status (0: not settled yet)
	// and extensions.code.
	Status int
	Code   string
}

// Reader is the body to send: of known length, or not if Chunked, or
// trickled.
func (h Hostile) Reader() io.Reader {
	if h.Trickle > 0 {
		return &trickle{body: h.Body, every: h.Trickle}
	}
	if h.Chunked {
		return io.MultiReader(bytes.NewReader(h.Body))
	}
	return bytes.NewReader(h.Body)
}

// trickle reads one byte of body each time every has passed, as a client on
// a dying connection, or one holding the server's reader on purpose, sends.
type trickle struct {
	body  []byte
	every time.Duration
	tick  *time.Ticker
}

func (t *trickle) Read(p []byte) (int, error) {
	if len(t.body) == 0 {
		return 0, io.EOF
	}
	if t.tick == nil {
		t.tick = time.NewTicker(t.every)
	}
	<-t.tick.C
	p[0] = t.body[0]
	t.body = t.body[1:]
	return 1, nil
}

// Varied is the body with a comment numbered n added to its document, if
// it has one: the same work for the server, but a document no cache of
// parsed or validated documents has seen.
func (h Hostile) Varied(n int) io.Reader {
	if h.Query == "" {
		return h.Reader()
	}
	body, err := json.Marshal(map[string]any{"query": h.Query + "\n#" + strconv.Itoa(n), "variables": h.Variables})
	if err != nil {
		panic(err)
	}
	return bytes.NewReader(body)
}

// HostileRequests is the table of hostile requests every build must
// refuse cheaply: before validation where a shape ceiling applies, before
// any SQL, with a small answer. The flood tool (tools/flood) sends the same
// table to a running server.
func HostileRequests() []Hostile {
	doc := func(name, query string, vars map[string]any, code string) Hostile {
		body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
		if err != nil {
			panic(err)
		}
		// Under application/json, GraphQL over HTTP answers 200 for a
		// document refused by a ceiling, by validation, or for variables
		// that do not fit it: the refusal is in the body.
		return Hostile{Name: name, ContentType: "application/json", Body: body, Status: http.StatusOK, Code: code, Query: query, Variables: vars}
	}
	repeat := func(n int, f func(i int) string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(f(i))
		}
		return b.String()
	}
	// Each level spreads the next twice under two fields: 2^13 spreads,
	// 13 deep, no field repeated in any one selection set.
	fanOut := "{ ...F0 }\n" + repeat(13, func(i int) string {
		return fmt.Sprintf("fragment F%d on Query { a { ...F%d } b { ...F%d } }\n", i, i+1, i+1)
	}) + "fragment F13 on Query { leaf }\n"
	const invalid = "s3cr3t-" // must never come back in a response
	huge := append(append([]byte(`{"query":"{ __typename }", "x": "`), bytes.Repeat([]byte("x"), 16<<20)...), `"}`...)
	return []Hostile{
		doc("AliasBomb", "{ "+repeat(1000, func(i int) string { return fmt.Sprintf("a%d: __typename ", i) })+"}", nil, "ALIAS_LIMIT_EXCEEDED"),
		// The document that took 0.7 s to validate: 32 KB of one field.
		doc("FieldRepetition", "{ "+strings.Repeat("__typename ", 2900)+"}", nil, "REPEATED_FIELD_LIMIT_EXCEEDED"),
		doc("FieldRepetitionWithSelections", "{ "+strings.Repeat("tags { totalCount } ", 1200)+"}", nil, "REPEATED_FIELD_LIMIT_EXCEEDED"),
		doc("FragmentSpreadRepetition", "{ "+repeat(1000, func(int) string { return "...F " })+"} fragment F on Query { __typename }", nil, "REPEATED_FIELD_LIMIT_EXCEEDED"),
		doc("FragmentFanOut", fanOut, nil, "FRAGMENT_SPREAD_LIMIT_EXCEEDED"),
		doc("WideSelection", "{ "+repeat(150, func(i int) string { return fmt.Sprintf("f%d ", i) })+"}", nil, "SELECTION_LIMIT_EXCEEDED"),
		doc("ManyFields", "{ "+repeat(20, func(i int) string {
			return fmt.Sprintf("f%d { %s} ", i, repeat(60, func(j int) string { return fmt.Sprintf("g%d ", j) }))
		})+"}", nil, "FIELD_LIMIT_EXCEEDED"),
		doc("DeepNesting", strings.Repeat("{ a ", 200)+strings.Repeat("} ", 200), nil, "DEPTH_LIMIT_EXCEEDED"),
		doc("DeepIntrospection", "{ __schema { types { "+strings.Repeat("ofType { ", 300)+"name"+strings.Repeat(" }", 300)+" } } }", nil, "DEPTH_LIMIT_EXCEEDED"),
		doc("DirectiveFlood", "{ __typename "+strings.Repeat("@skip(if: false) ", 600)+"}", nil, "DIRECTIVE_LIMIT_EXCEEDED"),
		doc("TokenFlood", "{ tags(first: ["+strings.Repeat("1 ", 8000)+"]) { totalCount } }", nil, "TOKEN_LIMIT_EXCEEDED"),
		doc("HugeDocument", "{ __typename }\n#"+strings.Repeat(invalid, 20000), nil, "DOCUMENT_SIZE_LIMIT_EXCEEDED"),
		doc("OperationFlood", repeat(50, func(i int) string { return fmt.Sprintf("query Q%d { __typename } ", i) }), nil, "OPERATION_LIMIT_EXCEEDED"),
		doc("VariableFlood", "query ("+repeat(100, func(i int) string { return fmt.Sprintf("$v%d: Int ", i) })+") { __typename }", nil, "VARIABLE_LIMIT_EXCEEDED"),
		doc("LongFieldName", "{ "+strings.Repeat("x", 30000)+" }", nil, "GRAPHQL_VALIDATION_FAILED"),
		doc("LongStringValue", `{ article(slug: 12) { title } tags(first: "`+strings.Repeat(invalid, 4000)+`") { totalCount } }`, nil, "BAD_USER_INPUT"),
		doc("ManyValidationErrors", "{ "+repeat(99, func(i int) string { return fmt.Sprintf("unknown%d ", i) })+"}", nil, "GRAPHQL_VALIDATION_FAILED"),
		doc("IntOutOfRange", "{ tags(first: 99999999999999999999) { totalCount } }", nil, "BAD_USER_INPUT"),
		doc("IntFractional", "{ tags(first: 1.5) { totalCount } }", nil, "BAD_USER_INPUT"),
		doc("VariableOutOfRange", "query ($n: Int) { tags(first: $n) { totalCount } }", map[string]any{"n": 1e20}, "BAD_USER_INPUT"),
		doc("VariableDefaultFractional", "query ($n: Int = 1.5) { tags(first: $n) { totalCount } }", nil, "BAD_USER_INPUT"),
		doc("VariableFractional", "query ($n: Int) { tags(first: $n) { totalCount } }", map[string]any{"n": 2.5}, "BAD_USER_INPUT"),
		{Name: "InvalidJSON", ContentType: "application/json", Body: []byte(`{"query": "{ __typename }", "variables": {"x": "` + strings.Repeat(invalid, 1000)), Status: http.StatusBadRequest, Code: "BAD_USER_INPUT"},
		{Name: "JSONNotAnObject", ContentType: "application/json", Body: []byte(`["` + strings.Repeat(invalid, 1000) + `"]`), Status: http.StatusBadRequest, Code: "BAD_USER_INPUT"},
		{Name: "WrongContentType", ContentType: "text/plain", Body: []byte(`{"query":"{ __typename }"}`), Status: http.StatusUnsupportedMediaType, Code: "BAD_USER_INPUT"},
		{Name: "BodyTooLarge", ContentType: "application/json", Body: huge, Status: http.StatusRequestEntityTooLarge, Code: "BAD_USER_INPUT"},
		{Name: "BodyTooLargeChunked", ContentType: "application/json", Body: huge, Chunked: true, Status: http.StatusRequestEntityTooLarge, Code: "BAD_USER_INPUT"},
		{Name: "BodyTooLargeInvalidJSON", ContentType: "application/json", Body: bytes.Repeat([]byte("{"), 2<<20), Status: http.StatusRequestEntityTooLarge, Code: "BAD_USER_INPUT"},
		{Name: "TrickledBody", ContentType: "application/json", Body: []byte(`{"query": "{ __typename }"}`), Trickle: 100 * time.Millisecond, Status: http.StatusRequestTimeout, Code: "BAD_USER_INPUT"},
	}
}
