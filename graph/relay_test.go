package graph

import (
	"testing"

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
	for _, kind := range []string{kindUser, kindArticle, kindCategory, kindTag, kindComment} {
		id := globalID(kind, 123456789)
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
		{kindUser, kindArticle, "articleId must be the ID of an Article, but it names a User."},
		{kindArticle, kindUser, "articleId must be the ID of a User, but it names an Article."},
	} {
		_, err := parseIDOf("articleId", globalID(tt.kind, 1), tt.want)
		if fe, ok := err.(*folio.Error); !ok || fe.Message != tt.msg {
			t.Errorf("got %v, want %q", err, tt.msg)
		}
	}
}

// FuzzDecode checks that no input makes the decoders panic or accept an id
// or cursor they did not make.
func FuzzDecode(f *testing.F) {
	f.Add(globalID(kindArticle, 1))
	f.Add(encodeCursor(orderSlug, folio.Cursor{Text: "x", ID: 1}))
	f.Add("djF8cHVifDF8MQ")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if kind, id, err := parseGlobalID("id", s); err == nil && globalID(kind, id) != s {
			t.Errorf("accepted %q, which re-encodes as %q", s, globalID(kind, id))
		}
		for _, order := range []string{orderPublished, orderSlug, orderRank} {
			_, _ = decodeCursor("after", order, &s)
		}
	})
}
