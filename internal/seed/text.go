package seed

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// topic is what an article, and the conversation under it, is about:
// indexes into techs and concepts.
type topic struct {
	tech, concept int
}

// lowerConcepts holds concepts in lower case for use mid-sentence.
var lowerConcepts = func() []string {
	out := make([]string, len(concepts))
	for i, c := range concepts {
		out[i] = strings.ToLower(c)
	}
	return out
}()

// pick returns a uniformly chosen element of list.
func pick(r *rand.Rand, list []string) string {
	return list[r.IntN(len(list))]
}

// expand writes tmpl into b, replacing placeholders with words about tp:
//
//	%T tech          %U another tech    %C Concept         %c concept
//	%L alternative   %M metric          %N number 3–12     %P percent 20–90
//	%R problem       %A action          %B another action  %Q consequence
//	%J adjective     %K `inline code`   %W audience        %X obstacle
//	%% a percent sign
func expand(b *strings.Builder, r *rand.Rand, tmpl string, tp topic) {
	for i := 0; i < len(tmpl); i++ {
		ch := tmpl[i]
		if ch != '%' || i+1 == len(tmpl) {
			b.WriteByte(ch)
			continue
		}
		i++
		switch tmpl[i] {
		case 'T':
			b.WriteString(techs[tp.tech].name)
		case 'U':
			b.WriteString(techs[otherIndex(r, len(techs), tp.tech)].name)
		case 'C':
			b.WriteString(concepts[tp.concept])
		case 'c':
			b.WriteString(lowerConcepts[tp.concept])
		case 'L':
			b.WriteString(pick(r, alternatives))
		case 'M':
			b.WriteString(pick(r, metrics))
		case 'N':
			b.WriteString(strconv.Itoa(3 + r.IntN(10)))
		case 'P':
			b.WriteString(strconv.Itoa(20 + 5*r.IntN(15)))
		case 'R':
			b.WriteString(pick(r, problems))
		case 'A', 'B':
			b.WriteString(pick(r, actions))
		case 'Q':
			b.WriteString(pick(r, consequences))
		case 'J':
			b.WriteString(pick(r, adjectives))
		case 'W':
			b.WriteString(pick(r, audiences))
		case 'X':
			b.WriteString(pick(r, obstacles))
		case 'K':
			b.WriteByte('`')
			b.WriteString(pick(r, codeSnippets))
			b.WriteByte('`')
		default:
			b.WriteByte(tmpl[i])
		}
	}
}

// otherIndex picks an index below n that differs from not, so "X vs Y"
// titles never compare a thing with itself.
func otherIndex(r *rand.Rand, n, not int) int {
	i := r.IntN(n - 1)
	if i >= not {
		i++
	}
	return i
}

// expandString is expand into a fresh string.
func expandString(r *rand.Rand, tmpl string, tp topic) string {
	var b strings.Builder
	expand(&b, r, tmpl, tp)
	return b.String()
}

// title invents an article title about tp.
func title(r *rand.Rand, tp topic) string {
	return expandString(r, pick(r, titleTemplates), tp)
}

// excerpt writes the one- or two-sentence teaser shown in article lists.
func excerpt(r *rand.Rand, tp topic) string {
	var b strings.Builder
	expand(&b, r, pick(r, excerptTemplates), tp)
	if r.IntN(2) == 0 {
		b.WriteByte(' ')
		expand(&b, r, pick(r, sentenceTemplates), tp)
	}
	return b.String()
}

// bio writes a profile blurb; most readers leave theirs empty.
func bio(r *rand.Rand, role string) string {
	if role == roleReader && r.IntN(3) != 0 {
		return ""
	}
	tp := topic{tech: r.IntN(len(techs)), concept: r.IntN(len(concepts))}
	return expandString(r, pick(r, bioTemplates), tp)
}

// body writes an article of about 600 words of Markdown: an intro,
// "## " sections of paragraphs with the odd bullet list and inline code, and
// a closing section. It returns the text and its word count.
func body(r *rand.Rand, tp topic) (string, int) {
	var b strings.Builder
	b.Grow(5 << 10)
	// A section runs to about 110 words, so stopping 190 short of the target
	// leaves room for the one in progress and the closing one.
	const reserve = 190
	target := 450 + r.IntN(301)
	paragraph(&b, r, tp)
	words := countWords(b.String())
	// Walking a permutation keeps headings from repeating within an article.
	// The last template is the closing one, so it is left out of the walk.
	for _, s := range r.Perm(len(headingTemplates) - 1) {
		if words+reserve >= target {
			break
		}
		start := b.Len()
		section(&b, r, tp, headingTemplates[s])
		words += countWords(b.String()[start:])
	}
	start := b.Len()
	section(&b, r, tp, headingTemplates[len(headingTemplates)-1])
	words += countWords(b.String()[start:])
	return b.String(), words
}

// section writes a heading followed by one to three paragraphs and, now and
// then, a bullet list.
func section(b *strings.Builder, r *rand.Rand, tp topic, heading string) {
	b.WriteString("\n\n## ")
	expand(b, r, heading, tp)
	for n := 1 + r.IntN(3); n > 0; n-- {
		b.WriteString("\n\n")
		paragraph(b, r, tp)
	}
	if r.IntN(10) < 3 {
		b.WriteString("\n\n")
		bullets(b, r, tp)
	}
}

// paragraph writes three to six sentences.
func paragraph(b *strings.Builder, r *rand.Rand, tp topic) {
	for n := 3 + r.IntN(4); n > 0; n-- {
		expand(b, r, pick(r, sentenceTemplates), tp)
		if n > 1 {
			b.WriteByte(' ')
		}
	}
}

// bullets writes a Markdown list of three to five items.
func bullets(b *strings.Builder, r *rand.Rand, tp topic) {
	for n := 3 + r.IntN(3); n > 0; n-- {
		b.WriteString("- ")
		b.WriteString(capitalize(expandString(r, pick(r, bulletTemplates), tp)))
		if n > 1 {
			b.WriteByte('\n')
		}
	}
}

// capitalize upper-cases an ASCII first letter.
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// commentText writes a comment, or a reply when reply is set: an opener that
// fits the kind, sometimes followed by a sentence or two.
func commentText(r *rand.Rand, tp topic, reply bool) string {
	var b strings.Builder
	openers := commentTemplates
	if reply {
		openers = replyTemplates
	}
	expand(&b, r, pick(r, openers), tp)
	for n := r.IntN(4) - 1; n > 0; n-- {
		b.WriteByte(' ')
		expand(&b, r, pick(r, sentenceTemplates), tp)
	}
	return b.String()
}

// countWords counts whitespace-separated tokens that contain a letter or
// digit, so Markdown markers such as "##" and "-" are not words.
func countWords(s string) int {
	words, inToken, hasAlnum := 0, false, false
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' || s[i] == '\n' {
			if inToken && hasAlnum {
				words++
			}
			inToken, hasAlnum = false, false
			continue
		}
		inToken = true
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			hasAlnum = true
		}
	}
	return words
}

// slugify lower-cases s and joins its runs of ASCII letters and digits with
// hyphens, which always satisfies the schema's slug CHECK.
func slugify(s string) string {
	var b strings.Builder
	pendingHyphen := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		default:
			pendingHyphen = b.Len() > 0
			continue
		}
		if pendingHyphen {
			b.WriteByte('-')
			pendingHyphen = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// uniqueSlug returns base, or base-2, base-3 … if base is taken, and marks
// the result as taken.
func uniqueSlug(taken map[string]bool, base string) string {
	s := base
	for n := 2; taken[s]; n++ {
		s = base + "-" + strconv.Itoa(n)
	}
	taken[s] = true
	return s
}

// handle derives a user handle from a name in one of a few common styles.
func handle(r *rand.Rand, first, last string) string {
	f, l := strings.ToLower(first), strings.ToLower(last)
	switch r.IntN(5) {
	case 0:
		return f + "_" + l
	case 1:
		return f + l
	case 2:
		return first + last
	case 3:
		return f + l[:1] + strconv.Itoa(10+r.IntN(90))
	default:
		return f + "_" + strconv.Itoa(r.IntN(1000))
	}
}

// uniqueHandle returns base, or base with a numeric suffix if it is taken.
// Handles are citext, so taken is keyed by the lower-cased handle.
func uniqueHandle(taken map[string]bool, base string) string {
	const maxBase = 28 // leaves room for a suffix within the 32-character limit
	if len(base) > maxBase {
		base = base[:maxBase]
	}
	h := base
	for n := 2; taken[strings.ToLower(h)]; n++ {
		h = base + strconv.Itoa(n)
	}
	taken[strings.ToLower(h)] = true
	return h
}
