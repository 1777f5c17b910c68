package graph

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
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
