package folio

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ExcerptLength is about how long a derived excerpt is: what a feed card
// shows in two or three lines.
const ExcerptLength = 200

// ExcerptOf is the excerpt of an article written without one: the first
// sentences of its body's prose, as plain text, whole sentences while they
// fit in ExcerptLength characters; a first sentence longer than that is
// cut at a word and ends with "…". Headings, code blocks, tables, images
// and HTML are left out; links keep their text, emphasis and code spans
// their words. A body without prose has the empty excerpt.
func ExcerptOf(markdown string) string {
	var text []string
	fenced := ""
	for _, line := range strings.Split(markdown, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence := fenceOf(trimmed); fence != "" {
			switch {
			case fenced == "":
				fenced = fence
			case strings.HasPrefix(fence, fenced):
				fenced = ""
			}
			continue
		}
		if fenced != "" || skipLine(line, trimmed) {
			continue
		}
		text = append(text, inlineText(blockMarker.ReplaceAllString(trimmed, "")))
	}
	return firstSentences(strings.Join(strings.Fields(strings.Join(text, " ")), " "), ExcerptLength)
}

// fenceOf is the fence a line opens or closes a code block with, or "".
func fenceOf(trimmed string) string {
	for _, f := range []string{"```", "~~~"} {
		if strings.HasPrefix(trimmed, f) {
			return trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, f[:1]))]
		}
	}
	return ""
}

var (
	// blockMarker is what starts a quote or list item: "> ", "- ", "1. ".
	blockMarker = regexp.MustCompile(`^(?:>\s*)*(?:[-*+]\s+|\d{1,9}[.)]\s+)?(?:\[[ xX]\]\s+)?`)
	rule        = regexp.MustCompile(`^(?:[-*_]\s*){3,}$`)
	image       = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
	link        = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	autolink    = regexp.MustCompile(`<(https?://[^>\s]+)>`)
	htmlTag     = regexp.MustCompile(`</?[A-Za-z][^>]*>`)
	emphasis    = regexp.MustCompile("[*`]+|~~")
	// underscores emphasise only at a word's edge: snake_case stays.
	underscores = regexp.MustCompile(`(?:^|[\s(])_+|_+(?:[\s).,;:!?]|$)`)
)

// skipLine reports lines that are not prose: headings, rules, tables,
// indented code, and lines that are only HTML or an image.
func skipLine(line, trimmed string) bool {
	switch {
	case trimmed == "", strings.HasPrefix(trimmed, "#"), strings.HasPrefix(trimmed, "|"),
		rule.MatchString(trimmed), strings.HasPrefix(line, "    "), strings.HasPrefix(line, "\t"):
		return true
	}
	rest := strings.TrimSpace(htmlTag.ReplaceAllString(image.ReplaceAllString(trimmed, ""), ""))
	return rest == ""
}

// inlineText is a line of Markdown as the words a reader sees.
func inlineText(s string) string {
	s = image.ReplaceAllString(s, "")
	s = link.ReplaceAllString(s, "$1")
	s = autolink.ReplaceAllString(s, "$1")
	s = htmlTag.ReplaceAllString(s, "")
	s = underscores.ReplaceAllStringFunc(s, func(m string) string { return strings.ReplaceAll(m, "_", "") })
	return emphasis.ReplaceAllString(s, "")
}

// firstSentences is the longest run of s's first sentences that fits in
// max characters, or, when the first does not fit, s cut at the last word
// that does, with "…".
func firstSentences(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	end, n := 0, 0
	for i, r := range s {
		if n == max {
			break
		}
		n++
		if (r == '.' || r == '!' || r == '?') && (i+1 == len(s) || s[i+1] == ' ') {
			end = i + 1
		}
	}
	if end > 0 {
		return s[:end]
	}
	cut := s
	for i := range s {
		if utf8.RuneCountInString(s[:i]) >= max {
			cut = s[:i]
			break
		}
	}
	if i := strings.LastIndexFunc(cut, unicode.IsSpace); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRightFunc(cut, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) }) + "…"
}
