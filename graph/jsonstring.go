package graph

import (
	"bytes"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/folio/folio/internal/folio"
)

// writeString writes s as a JSON string, byte for byte as gqlgen's
// graphql.MarshalString does (the same escapes: \t, \r, \n, \\, \" and
// \u00XX for the other control bytes; everything else, invalid UTF-8
// included, as it is). gqlgen's goes a rune at a time and makes two calls
// through io.Writer for every escape; this goes a byte at a time against a
// table and appends to the response's buffer, in half the time. The
// strings of a page (bodies, titles, names) are most of its bytes, and
// gqlgen's loop over them was 4% of the article page's CPU.
func writeString(w io.Writer, s string) {
	b, ok := w.(*bytes.Buffer)
	if !ok {
		graphql.MarshalString(s).MarshalGQL(w)
		return
	}
	b.Grow(len(s) + 2)
	_, _ = b.Write(appendString(b.AvailableBuffer(), s))
}

// appendString appends s to dst as a JSON string, as writeString writes it.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !escapes[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '\t':
			dst = append(dst, '\\', 't')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\\', '"':
			dst = append(dst, '\\', c)
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const hexDigits = "0123456789ABCDEF"

// escapes marks the bytes a JSON string cannot hold as they are.
var escapes = func() (e [256]bool) {
	for c := range 0x20 {
		e[c] = true
	}
	e['"'], e['\\'] = true, true
	return e
}()

// stringAt is a string field of a row, marshalled where it lies: the fast
// path of a plain string field (tools/gqlgen) hands out a pointer into
// the row, which costs no allocation, where graphql.MarshalString makes a
// closure for every value. Rows are not changed once read, so the string
// is the same when the response is written.
type stringAt string

func (s *stringAt) MarshalGQL(w io.Writer) { writeString(w, string(*s)) }

// stringPtr marshals a nullable string field held by pointer, as stringAt
// does: nil is null.
func stringPtr(s *string) graphql.Marshaler {
	if s == nil {
		return graphql.Null
	}
	return (*stringAt)(s)
}

// The other plain scalars a row holds are written the same way, from
// where they lie, where gqlgen's marshallers make a closure for each value
// (and a string or two: strconv.Itoa, time.Format and strconv.Quote).

// boolJSON marshals b as graphql.MarshalBoolean does, through gqlgen's
// constant literals (MarshalBoolean makes a closure for each value, and a
// []byte at every write).
func boolJSON(b bool) graphql.Marshaler {
	if b {
		return graphql.True
	}
	return graphql.False
}

// intAt is an int field of a row, written as graphql.MarshalInt writes it.
type intAt int

func (i *intAt) MarshalGQL(w io.Writer) { writeInt(w, int(*i)) }

// intJSON is an int that no row holds (a count a resolver returns),
// written as graphql.MarshalInt writes it. As a value in an interface it
// costs no allocation below 256, where most counts are (the runtime keeps
// those boxed), and 8 bytes above; MarshalInt makes a closure for each.
type intJSON int

func (i intJSON) MarshalGQL(w io.Writer) { writeInt(w, int(i)) }

// writeInt writes n to w as graphql.MarshalInt does, straight into the
// response's buffer.
func writeInt(w io.Writer, n int) {
	b, ok := w.(*bytes.Buffer)
	if !ok {
		graphql.MarshalInt(n).MarshalGQL(w)
		return
	}
	_, _ = b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(n), 10))
}

// timeAt is a time field of a row, written as graphql.MarshalTime writes
// it: a quoted RFC 3339 time with nanoseconds (its characters need no
// escaping), and null for the zero time.
type timeAt time.Time

// timeJSON marshals the time at t.
func timeJSON(t *time.Time) graphql.Marshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return (*timeAt)(t)
}

// timePtr marshals a nullable time held by pointer: nil is null.
func timePtr(t *time.Time) graphql.Marshaler {
	if t == nil {
		return graphql.Null
	}
	return timeJSON(t)
}

func (t *timeAt) MarshalGQL(w io.Writer) {
	b, ok := w.(*bytes.Buffer)
	if !ok {
		graphql.MarshalTime(time.Time(*t)).MarshalGQL(w)
		return
	}
	out := append(b.AvailableBuffer(), '"')
	out = time.Time(*t).AppendFormat(out, time.RFC3339Nano)
	_, _ = b.Write(append(out, '"'))
}

// nodeIDJSON marshals the node ID of row, as graphql.MarshalID marshals
// its NodeID, but written from its kind and row id (folio's NodeKey)
// straight into the response's buffer: no string for the ID, none for its
// quoting, no closure. A node ID is unpadded URL-safe base64, which needs
// no escaping. The fast path of an object's id field calls it
// (tools/gqlgen); a row of a kind not listed here goes gqlgen's way.
func nodeIDJSON(row interface{ NodeID() string }) graphql.Marshaler {
	switch r := row.(type) {
	case *folio.Article:
		return (*articleNodeID)(r)
	case *folio.Comment:
		return (*commentNodeID)(r)
	case *folio.User:
		return (*userNodeID)(r)
	case *folio.Tag:
		return (*tagNodeID)(r)
	case *folio.Category:
		return (*categoryNodeID)(r)
	}
	return graphql.MarshalID(row.NodeID())
}

// The rows of the lists a page shows, as the marshallers of their IDs.
type (
	articleNodeID  folio.Article
	commentNodeID  folio.Comment
	userNodeID     folio.User
	tagNodeID      folio.Tag
	categoryNodeID folio.Category
)

func (r *articleNodeID) MarshalGQL(w io.Writer)  { writeNodeID(w, (*folio.Article)(r)) }
func (r *commentNodeID) MarshalGQL(w io.Writer)  { writeNodeID(w, (*folio.Comment)(r)) }
func (r *userNodeID) MarshalGQL(w io.Writer)     { writeNodeID(w, (*folio.User)(r)) }
func (r *tagNodeID) MarshalGQL(w io.Writer)      { writeNodeID(w, (*folio.Tag)(r)) }
func (r *categoryNodeID) MarshalGQL(w io.Writer) { writeNodeID(w, (*folio.Category)(r)) }

func writeNodeID(w io.Writer, row interface{ NodeKey() (string, int64) }) {
	kind, id := row.NodeKey()
	b, ok := w.(*bytes.Buffer)
	if !ok {
		graphql.MarshalID(folio.NodeID(kind, id)).MarshalGQL(w)
		return
	}
	out := append(b.AvailableBuffer(), '"')
	out = folio.AppendNodeID(out, kind, id)
	_, _ = b.Write(append(out, '"'))
}
