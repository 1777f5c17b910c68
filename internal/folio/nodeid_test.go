package folio

import "testing"

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
