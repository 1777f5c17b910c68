package graph

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/folio/folio/internal/folio"
)

// writeString must write what gqlgen's MarshalString writes, byte for
// byte: a client cannot tell which one wrote a field.
func TestWriteString_AsGqlgen(t *testing.T) {
	cases := []string{
		"", "plain", `quote " and backslash \ and both \"`, "tab\tcr\rlf\n",
		"\x00\x01\x1f\x7f", "é, 日本語, emoji 🙂", "invalid \xff\xfe utf-8 \xc3",
		"<mark>&amp;</mark>", "ends in escape\n", "\"",
	}
	for c := 0; c < 256; c++ {
		cases = append(cases, string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"b")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(64))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		cases = append(cases, string(b))
	}
	cases = append(cases, strings.Repeat("long body line\n", 500))
	for _, s := range cases {
		var want, got bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&want)
		writeString(&got, s)
		if got.String() != want.String() {
			t.Fatalf("writeString(%q) = %q, gqlgen writes %q", s, got.String(), want.String())
		}
		// Through a writer that is not the response's buffer.
		var other strings.Builder
		writeString(&other, s)
		if other.String() != want.String() {
			t.Fatalf("writeString(%q) to a strings.Builder = %q, want %q", s, other.String(), want.String())
		}
	}
}

func TestStringPtr(t *testing.T) {
	if stringPtr(nil) != graphql.Null {
		t.Error("stringPtr(nil) is not null")
	}
	s := "a \"b\""
	var got bytes.Buffer
	stringPtr(&s).MarshalGQL(&got)
	if got.String() != `"a \"b\""` {
		t.Errorf("stringPtr = %s", got.String())
	}
}

// A body of a few paragraphs, as comments and articles carry.
var benchBody = strings.Repeat("Keyset pagination beats offset pagination when the table is large.\n\nIt reads \"only\" the rows it shows. ", 8)

func BenchmarkWriteString(b *testing.B) {
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		writeString(&buf, benchBody)
	}
}

func BenchmarkWriteString_Gqlgen(b *testing.B) {
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		graphql.MarshalString(benchBody).MarshalGQL(&buf)
	}
}

// The other plain scalars are written as gqlgen's marshallers write them,
// null where gqlgen's is null, into the response's buffer or any writer.
func TestScalarsAt_AsGqlgen(t *testing.T) {
	check := func(name string, got, want graphql.Marshaler) {
		t.Helper()
		if (got == graphql.Null) != (want == graphql.Null) {
			t.Errorf("%s: null %v, gqlgen's null %v", name, got == graphql.Null, want == graphql.Null)
			return
		}
		if got == graphql.Null {
			return
		}
		var wantW bytes.Buffer
		want.MarshalGQL(&wantW)
		var inBuffer bytes.Buffer // the response's buffer
		got.MarshalGQL(&inBuffer)
		var elsewhere strings.Builder // any other writer
		got.MarshalGQL(&elsewhere)
		if inBuffer.String() != wantW.String() || elsewhere.String() != wantW.String() {
			t.Errorf("%s: wrote %s and %s, gqlgen writes %s", name, inBuffer.String(), elsewhere.String(), wantW.String())
		}
	}
	for _, i := range []int{0, 1, -1, 42, math.MaxInt, math.MinInt} {
		check(fmt.Sprint("int ", i), graphql.Marshaler((*intAt)(&i)), graphql.MarshalInt(i))
		check(fmt.Sprint("int value ", i), intJSON(i), graphql.MarshalInt(i))
	}
	for _, b := range []bool{true, false} {
		check(fmt.Sprint("bool ", b), boolJSON(b), graphql.MarshalBoolean(b))
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	times := []time.Time{
		{},
		time.Date(2026, 12, 7, 9, 8, 38, 0, time.UTC),
		time.Date(2026, 12, 7, 9, 8, 38, 123456789, time.UTC),
		time.Date(1999, 1, 2, 3, 4, 5, 600000, paris),
		time.Unix(0, 0).UTC(),
	}
	for _, tm := range times {
		check("time "+tm.String(), timeJSON(&tm), graphql.MarshalTime(tm))
		check("time pointer "+tm.String(), timePtr(&tm), graphql.MarshalTime(tm))
	}
	if timePtr(nil) != graphql.Null {
		t.Error("timePtr(nil) is not null")
	}
	// Written into the response's buffer, none of them allocates.
	var b bytes.Buffer
	b.Grow(1024)
	i, tm, count := 12345, times[2], 20*len(times) // a count, below 256
	if n := testing.AllocsPerRun(100, func() {
		b.Reset()
		graphql.Marshaler((*intAt)(&i)).MarshalGQL(&b)
		graphql.Marshaler(intJSON(count)).MarshalGQL(&b)
		boolJSON(true).MarshalGQL(&b)
		timeJSON(&tm).MarshalGQL(&b)
	}); n != 0 {
		t.Errorf("%v allocations, want none", n)
	}
}

// An id field is written as graphql.MarshalID writes the row's NodeID, for
// every kind of row the schema has an id field on, and without an
// allocation for the kinds of a page's lists.
func TestNodeIDJSON_AsGqlgen(t *testing.T) {
	rows := []interface{ NodeID() string }{
		&folio.Article{ID: 42}, &folio.Comment{ID: 1}, &folio.User{ID: math.MaxInt64}, &folio.Tag{ID: 7},
		&folio.Category{ID: 12}, &folio.APIKey{ID: 3}, &folio.Webhook{ID: 5}, &folio.WebhookDelivery{ID: 9},
		&folio.PreviewToken{ID: 11},
	}
	for _, row := range rows {
		var want, got bytes.Buffer
		graphql.MarshalID(row.NodeID()).MarshalGQL(&want)
		nodeIDJSON(row).MarshalGQL(&got)
		var elsewhere strings.Builder
		nodeIDJSON(row).MarshalGQL(&elsewhere)
		if got.String() != want.String() || elsewhere.String() != want.String() {
			t.Errorf("%T: wrote %s and %s, gqlgen writes %s", row, got.String(), elsewhere.String(), want.String())
		}
	}
	var b bytes.Buffer
	b.Grow(1024)
	c := &folio.Comment{ID: 123456}
	if n := testing.AllocsPerRun(100, func() { b.Reset(); nodeIDJSON(c).MarshalGQL(&b) }); n != 0 {
		t.Errorf("%v allocations for a comment's id, want none", n)
	}
}
