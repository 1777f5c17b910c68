package folio

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExcerptOf(t *testing.T) {
	long := strings.Repeat("word ", 60) // one 300-character sentence
	for name, tt := range map[string]struct{ body, want string }{
		"Empty":          {"", ""},
		"ShortParagraph": {"Keyset pagination is fast.", "Keyset pagination is fast."},
		"SkipsHeadingAndCode": {"# Keyset pagination\n\n```sql\nSELECT 1;\n```\n\nOFFSET reads every row it skips. Keysets do not.",
			"OFFSET reads every row it skips. Keysets do not."},
		"PlainText": {"Use **bold** claims, `code` and [links](https://example.com) with ![a chart](c.png) care; snake_case stays, _emphasis_ goes.",
			"Use bold claims, code and links with care; snake_case stays, emphasis goes."},
		"ListsAndQuotes": {"> Quoted wisdom.\n\n- first point\n- second point", "Quoted wisdom. first point second point"},
		"WholeSentencesThatFit": {strings.Repeat("A sentence of forty characters, or so. ", 8),
			strings.TrimSpace(strings.Repeat("A sentence of forty characters, or so. ", 5))},
		"LongFirstSentenceIsCut":  {long + ".", strings.TrimSpace(strings.Repeat("word ", 40)) + "…"},
		"OnlyCode":                {"```go\nfunc main() {}\n```", ""},
		"HTMLLeftOut":             {"<div align=\"center\"><img src=\"x.png\"></div>\n\nHello <em>there</em>.", "Hello there."},
		"TildeFenceWithBackticks": {"~~~\n```\nnot prose\n```\n~~~\nProse.", "Prose."},
	} {
		t.Run(name, func(t *testing.T) {
			got := ExcerptOf(tt.body)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > ExcerptLength+1 {
				t.Errorf("%d characters, over %d", n, ExcerptLength)
			}
		})
	}
}

func TestNewArticle_Normalize_Excerpt(t *testing.T) {
	t.Run("DerivedWhenMissing", func(t *testing.T) {
		in := NewArticle{Title: "T", Body: "# T\n\nFirst sentence. Second one.", Excerpt: "  "}
		if err := in.Normalize(); err != nil || in.Excerpt != "First sentence. Second one." {
			t.Errorf("got %q, %v; want the body's first sentences", in.Excerpt, err)
		}
	})
	t.Run("KeptWhenGiven", func(t *testing.T) {
		in := NewArticle{Title: "T", Body: "Body.", Excerpt: " Mine. "}
		if err := in.Normalize(); err != nil || in.Excerpt != "Mine." {
			t.Errorf("got %q, %v; want the excerpt given", in.Excerpt, err)
		}
	})
}
