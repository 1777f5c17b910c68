package postgres

import (
	"bytes"
	"strings"
	"testing"
)

// TestTextArena_StringsStay: a string the arena gave keeps its text while
// the arena goes on, across chunks and past values larger than a chunk,
// though pgx reuses the bytes it handed over.
func TestTextArena_StringsStay(t *testing.T) {
	var a textArena
	var dst string
	slot := arenaText{a: &a, dst: &dst}
	buf := make([]byte, 0, 3*textArenaChunk) // as pgx's row buffer: rewritten each time
	var got, want []string
	for i := range 200 {
		v := strings.Repeat(string(rune('a'+i%26)), i*37%(2*textArenaChunk)+i%3)
		buf = append(buf[:0], v...)
		if err := slot.ScanBytes(buf); err != nil {
			t.Fatal(err)
		}
		copy(buf, bytes.Repeat([]byte{'#'}, len(buf)))
		got, want = append(got, dst), append(want, v)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d changed: %q…, want %q…", i, got[i][:min(10, len(got[i]))], want[i][:min(10, len(want[i]))])
		}
	}
	if err := slot.ScanBytes(nil); err != errNullText {
		t.Fatalf("NULL: %v, want errNullText", err)
	}
}
