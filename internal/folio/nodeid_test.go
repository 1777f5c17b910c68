package folio

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestNodeID_RoundTrip(t *testing.T) {
	for _, kind := range []string{KindUser, KindArticle, KindCategory, KindTag, KindComment, KindAPIKey} {
		s := NodeID(kind, 42)
		k, id, ok := ParseNodeID(s)
		if !ok || k != kind || id != 42 {
			t.Errorf("ParseNodeID(NodeID(%s, 42) = %q) = %q, %d, %v", kind, s, k, id, ok)
		}
	}
	if got, want := (&Article{ID: 7}).NodeID(), NodeID(KindArticle, 7); got != want {
		t.Errorf("Article.NodeID = %q, want %q", got, want)
	}
}

func TestParseNodeID_RefusesOtherSpellings(t *testing.T) {
	for _, s := range []string{
		"",
		EncodeOpaque("Article"),       // no id
		EncodeOpaque("Article:0"),     // not positive
		EncodeOpaque("Article:007"),   // not canonical
		EncodeOpaque("Article:1e3"),   // not an integer
		EncodeOpaque("Session:1"),     // unknown kind
		NodeID(KindArticle, 1) + "=",  // padded
		NodeID(KindArticle, 1) + "\n", // newline skipped by encoding/base64
		"QXJ0aWNsZTox+",               // standard alphabet
	} {
		if k, id, ok := ParseNodeID(s); ok {
			t.Errorf("ParseNodeID(%q) = %q, %d, true; want refused", s, k, id)
		}
	}
}

// TestNodeID_Spelling: the IDs built in buffers are the encoding of
// "Kind:id", for every kind, the extremes of int64, and a kind too long
// for the buffers.
func TestNodeID_Spelling(t *testing.T) {
	kinds := []string{KindUser, KindArticle, KindCategory, KindTag, KindComment, KindAPIKey, KindWebhook,
		KindWebhookDelivery, KindPreviewToken, strings.Repeat("LongKind", 8)}
	for _, kind := range kinds {
		for _, id := range []int64{0, 7, 42, 1 << 40, math.MaxInt64, math.MinInt64} {
			want := EncodeOpaque(kind + ":" + strconv.FormatInt(id, 10))
			if got := NodeID(kind, id); got != want {
				t.Errorf("NodeID(%s, %d) = %q, want %q", kind, id, got, want)
			}
		}
	}
}
