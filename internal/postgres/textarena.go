package postgres

import (
	"errors"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// A textArena's first chunk is textArenaFirst bytes, and each next one
// twice the last, up to textArenaChunk: a one-row read takes one small
// chunk, a thread page (tens of comments, their bodies and authors) a few
// large ones. A text of textArenaAlone bytes or more (an article's body)
// is a string of its own, as pgx would make it: a chunk would only hold it
// and waste the rest.
const (
	textArenaFirst = 512
	textArenaChunk = 4 << 10
	textArenaAlone = 1 << 10
)

// textArena keeps the text columns a statement reads in a few chunks. pgx
// makes each string of a row an allocation of its own: the largest
// allocation site of the article page. A string from the arena points
// into a chunk, which is never written again where a string points, so it
// is as immutable as any; a chunk lives as long as one of its strings.
type textArena struct {
	chunk []byte
	text  []bool // by column: its type is text, whose bytes pgx hands over as is
	slots [8]arenaText
}

// arenaText is the destination of one text column: pgx hands it the
// column's bytes (pgtype.BytesScanner), valid until the next row, and it
// keeps a copy in the arena.
type arenaText struct {
	a   *textArena
	dst *string
}

var errNullText = errors.New("NULL where text was expected")

func (t *arenaText) ScanBytes(v []byte) error {
	if v == nil {
		return errNullText
	}
	*t.dst = t.a.keep(v)
	return nil
}

// keep copies v into the arena and returns it as a string.
func (a *textArena) keep(v []byte) string {
	switch {
	case len(v) == 0:
		return ""
	case len(v) >= textArenaAlone:
		return string(v)
	case cap(a.chunk)-len(a.chunk) < len(v):
		a.chunk = make([]byte, 0, min(max(textArenaFirst, 2*cap(a.chunk)), textArenaChunk))
	}
	start := len(a.chunk)
	a.chunk = append(a.chunk, v...)
	return unsafe.String(&a.chunk[start], len(v))
}

// arenaRows are rows whose Scan reads their text columns into an arena:
// what the readers of every list hand their scan functions, and what the
// threads statement scans.
type arenaRows struct {
	pgx.Rows
	text *textArena
}

func (r arenaRows) Scan(dest ...any) error {
	r.text.wrap(r.Rows, dest)
	return r.Rows.Scan(dest...)
}

// wrap puts the arena in front of dest's string destinations whose columns
// are text (a citext column, which pgx only scans into a *string, keeps
// its own), for the first len(slots) of them, before each row's Scan; the
// slots are reused from row to row.
func (a *textArena) wrap(rows pgx.Rows, dest []any) {
	if a.text == nil {
		fields := rows.FieldDescriptions()
		a.text = make([]bool, len(fields))
		for i, f := range fields {
			a.text[i] = f.DataTypeOID == pgtype.TextOID || f.DataTypeOID == pgtype.VarcharOID
		}
	}
	k := 0
	for i, d := range dest {
		if k == len(a.slots) || i >= len(a.text) {
			return
		}
		if p, ok := d.(*string); ok && a.text[i] {
			a.slots[k] = arenaText{a: a, dst: p}
			dest[i] = &a.slots[k]
			k++
		}
	}
}
