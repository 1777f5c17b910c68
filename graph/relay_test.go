package graph

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/folio/folio/internal/folio"
)

func TestCursor_RoundTrip(t *testing.T) {
	tests := []struct {
		order string
		c     folio.Cursor
	}{
		{orderPublished, folio.Cursor{Time: 1767261600123456, ID: 42}},
		{orderCreated, folio.Cursor{Time: -5, ID: 1}},
		{orderSlug, folio.Cursor{Text: "a|b-c", ID: 9}},
		{orderRank, folio.Cursor{Rank: 0.060792699, ID: 3}},
		{orderRank, folio.Cursor{Rank: 1e-20, ID: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.order, func(t *testing.T) {
			s := encodeCursor(tt.order, tt.c)
			got, err := decodeCursor("after", tt.order, &s)
			if err != nil || *got != tt.c {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.c)
			}
		})
	}
}

func TestGlobalID_RoundTrip(t *testing.T) {
	for _, kind := range []string{folio.KindUser, folio.KindArticle, folio.KindCategory, folio.KindTag, folio.KindComment} {
		id := folio.NodeID(kind, 123456789)
		gotKind, gotID, err := parseGlobalID("id", id)
		if err != nil || gotKind != kind || gotID != 123456789 {
			t.Errorf("%s: got %s %d %v", kind, gotKind, gotID, err)
		}
	}
}

// TestParseIDOf_Message checks the refusal of an ID of the wrong type
// reads as English: "an Article", "a User".
func TestParseIDOf_Message(t *testing.T) {
	for _, tt := range []struct{ kind, want, msg string }{
		{folio.KindUser, folio.KindArticle, "articleId must be the ID of an Article, but it names a User."},
		{folio.KindArticle, folio.KindUser, "articleId must be the ID of a User, but it names an Article."},
	} {
		_, err := parseIDOf("articleId", folio.NodeID(tt.kind, 1), tt.want)
		if fe, ok := err.(*folio.Error); !ok || fe.Message != tt.msg {
			t.Errorf("got %v, want %q", err, tt.msg)
		}
	}
}

// FuzzDecode checks that no input makes the decoders panic or accept an id
// they did not make; that a cursor they accept re-encodes to one that
// decodes the same; and that a refusal's message stays short and valid
// UTF-8 whatever was sent. Its seed corpus is in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	f.Add(folio.NodeID(folio.KindArticle, 1))
	f.Add(encodeCursor(orderSlug, folio.Cursor{Text: "x", ID: 1}))
	f.Add("djF8cHVifDF8MQ")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		kind, id, err := parseGlobalID("id", s)
		if err == nil && folio.NodeID(kind, id) != s {
			t.Errorf("accepted %q, which re-encodes as %q", s, folio.NodeID(kind, id))
		}
		checkRefusal(t, err)
		for _, order := range []string{orderPublished, orderSlug, orderRank} {
			c, err := decodeCursor("after", order, &s)
			checkRefusal(t, err)
			if err != nil {
				continue
			}
			again := encodeCursor(order, *c)
			c2, err := decodeCursor("after", order, &again)
			if err != nil || encodeCursor(order, *c2) != again {
				t.Errorf("%s cursor %q decodes to %+v, which re-encodes as %q, which does not decode the same: %v", order, s, *c, again, err)
			}
		}
	})
}

// checkRefusal fails the test if a decoder's refusal quotes too much of
// its input or breaks it mid-character.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var fe *folio.Error
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a *folio.Error", err)
	}
	if len(fe.Message) > 512 || !utf8.ValidString(fe.Message) {
		t.Errorf("message of %d bytes, valid UTF-8 %v: %q", len(fe.Message), utf8.ValidString(fe.Message), fe.Message)
	}
}
