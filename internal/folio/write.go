package folio

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Input limits. The database's CHECK constraints hold the same lines as a
// backstop; these say what is wrong in words a person can act on.
const (
	MaxTitleLength       = 200
	MaxExcerptLength     = 500
	MaxBodyBytes         = 100_000
	MaxArticleTags       = 10
	MaxCommentLength     = 10_000
	MaxDisplayNameLength = 100
	MaxBioLength         = 2_000
	MaxEmailLength       = 254
	MinPasswordLength    = 10
	MaxPasswordLength    = 256
	MaxURLLength         = 2_048
	MaxAPIKeyNameLength  = 100
)

// NewArticle is a draft to create.
type NewArticle struct {
	Title      string
	Body       string
	Excerpt    string
	Slug       string // empty: made from the title
	CategoryID *int64
	TagIDs     []int64
}

// Normalize trims what a person would not mean to keep and checks the rest;
// an article without an excerpt gets one from its body (ExcerptOf).
func (in *NewArticle) Normalize() error {
	var fe FieldErrors
	in.Title = checkTitle(&fe, "title", in.Title)
	checkBody(&fe, "body", in.Body)
	in.Excerpt = checkExcerpt(&fe, "excerpt", in.Excerpt)
	if in.Excerpt == "" {
		in.Excerpt = ExcerptOf(in.Body) // a feed card needs something to show
	}
	if in.Slug != "" {
		checkSlug(&fe, "slug", in.Slug)
	}
	checkTags(&fe, "tagIds", in.TagIDs)
	return fe.Err()
}

// CheckPublishAt checks a time to publish at: after now, which the
// schedule could never honour, would be a mistake (a wrong time zone,
// most often).
func CheckPublishAt(field string, at, now time.Time) error {
	if !at.After(now) {
		return InvalidField(field, "Schedule a time in the future; to publish now, publish the article.")
	}
	return nil
}

// ArticlePatch changes an article; nil fields stay as they are.
type ArticlePatch struct {
	ID              int64
	ExpectedVersion int
	Title           *string
	Body            *string
	Excerpt         *string
	Slug            *string
	SetCategory     bool   // CategoryID applies, nil removing the category
	CategoryID      *int64 //
	TagIDs          *[]int64
	// RestoreVersion, when set, puts back the title, excerpt and body of
	// the article's revision at that version (and Title, Excerpt and Body
	// are ignored); the text it replaces is kept as a revision like any.
	RestoreVersion *int
}

// ExcerptFor is the excerpt p stores on an article whose body is now
// body: the one p gives, or, when p clears it, one made from the body (the
// new one if p changes it too), as for an article created without one.
func (p ArticlePatch) ExcerptFor(body string) string {
	if p.Body != nil {
		body = *p.Body
	}
	if *p.Excerpt == "" {
		return ExcerptOf(body)
	}
	return *p.Excerpt
}

// Normalize trims what a person would not mean to keep and checks the rest.
func (p *ArticlePatch) Normalize() error {
	var fe FieldErrors
	if p.ExpectedVersion < 1 {
		fe.Add("expectedVersion", "Pass the article's current version (1 or more), as read from its version field.")
	}
	if p.Title != nil {
		t := checkTitle(&fe, "title", *p.Title)
		p.Title = &t
	}
	if p.Body != nil {
		checkBody(&fe, "body", *p.Body)
	}
	if p.Excerpt != nil {
		e := checkExcerpt(&fe, "excerpt", *p.Excerpt)
		p.Excerpt = &e
	}
	if p.Slug != nil {
		checkSlug(&fe, "slug", *p.Slug)
	}
	if p.TagIDs != nil {
		checkTags(&fe, "tagIds", *p.TagIDs)
	}
	return fe.Err()
}

func checkTitle(fe *FieldErrors, field, s string) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s):
		fe.Add(field, "The title is not valid UTF-8 text.")
	case n == 0:
		fe.Add(field, "Give the article a title.")
	case n > MaxTitleLength:
		fe.Add(field, "The title is %d characters long; the most is %d.", n, MaxTitleLength)
	}
	return s
}

func checkBody(fe *FieldErrors, field, s string) {
	switch {
	case !utf8.ValidString(s):
		fe.Add(field, "The body is not valid UTF-8 text.")
	case len(s) > MaxBodyBytes:
		fe.Add(field, "The body is %d bytes long; the most is %d.", len(s), MaxBodyBytes)
	case strings.ContainsRune(s, 0):
		fe.Add(field, "The body contains a NUL character.")
	}
}

func checkExcerpt(fe *FieldErrors, field, s string) string {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > MaxExcerptLength {
		fe.Add(field, "The excerpt is %d characters long; the most is %d.", n, MaxExcerptLength)
	}
	return s
}

func checkSlug(fe *FieldErrors, field, s string) {
	if !ValidSlug(s) {
		fe.Add(field, "A slug is lowercase letters and digits in words joined by single hyphens, at most %d characters, e.g. \"my-first-article\".", MaxSlugLength)
	}
}

func checkTags(fe *FieldErrors, field string, ids []int64) {
	if len(ids) > MaxArticleTags {
		fe.Add(field, "An article carries at most %d tags; %d were given.", MaxArticleTags, len(ids))
	}
	seen := make(map[int64]bool, len(ids))
	for i, id := range ids {
		if seen[id] {
			fe.Add(fmt.Sprintf("%s.%d", field, i), "This tag is listed twice.")
		}
		seen[id] = true
	}
}

// Slugify makes a slug from a title: lowercase ASCII words joined by hyphens,
// accents dropped from Latin letters, everything else a word break. It
// returns "" when nothing usable is left.
func Slugify(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(title) {
		if s, ok := latin[r]; ok {
			b.WriteString(s)
			hyphen = false
			continue
		}
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			hyphen = false
			continue
		}
		if r == '\'' || r == '’' { // "don't" → "dont"
			continue
		}
		if !hyphen && b.Len() > 0 {
			b.WriteByte('-')
			hyphen = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > MaxSlugLength-8 { // room for a "-n" suffix
		s = strings.TrimRight(s[:MaxSlugLength-8], "-")
	}
	return s
}

// latin spells the common accented Latin letters without their accents.
var latin = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae", 'ç': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
	'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'œ': "oe",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss", 'ł': "l",
	'ś': "s", 'š': "s", 'ž': "z", 'ź': "z", 'ż': "z", 'č': "c", 'ć': "c", 'ř': "r",
	'ğ': "g", 'ı': "i", 'ş': "s",
}

// ReadingMinutes estimates the minutes needed to read body at 200 words a minute.
func ReadingMinutes(body string) int {
	return max(1, (len(strings.Fields(body))+199)/200)
}

// NewComment is a comment or a reply to write.
type NewComment struct {
	ArticleID int64
	ParentID  *int64
	Body      string
}

// CheckCommentBody trims a comment's text and checks its length.
func CheckCommentBody(field, s string) (string, error) {
	var fe FieldErrors
	s = checkText(&fe, field, s, "comment", "Write something: the comment is empty.", MaxCommentLength)
	return s, fe.Err()
}

// checkText trims s and adds to fe what is wrong with it as the text of a
// noun ("comment", "name"): not valid text, empty (then the message is
// empty), or over max characters.
func checkText(fe *FieldErrors, field, s, noun, empty string, max int) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		fe.Add(field, "The %s is not valid text.", noun)
	case n == 0:
		fe.Add(field, "%s", empty)
	case n > max:
		fe.Add(field, "The %s is %d characters long; the most is %d.", noun, n, max)
	}
	return s
}

// NewUser is an account to create.
type NewUser struct {
	Email       string
	Password    string
	Handle      string
	DisplayName string
}

// Normalize trims and checks every field, the password last and unchanged.
func (u *NewUser) Normalize() error {
	var fe FieldErrors
	if e, err := NormalizeEmail("email", u.Email); err != nil {
		fe = append(fe, err)
	} else {
		u.Email = e
	}
	u.Handle = strings.TrimPrefix(strings.TrimSpace(u.Handle), "@")
	if !ValidHandle(u.Handle) {
		fe.Add("handle", "A handle is 2 to 32 letters, digits or underscores.")
	}
	u.DisplayName = checkDisplayName(&fe, "displayName", u.DisplayName)
	if n := utf8.RuneCountInString(u.Password); n < MinPasswordLength || len(u.Password) > MaxPasswordLength {
		fe.Add("password", "A password is %d to %d characters long; a few unrelated words make a good one.", MinPasswordLength, MaxPasswordLength)
	}
	return fe.Err()
}

func checkDisplayName(fe *FieldErrors, field, s string) string {
	return checkText(fe, field, s, "name", "Give a name to show with your writing.", MaxDisplayNameLength)
}

// NormalizeEmail checks that s is a plain address (no display name, a dot in
// the domain) and returns it trimmed, with its domain in lowercase.
func NormalizeEmail(field, s string) (string, *Error) {
	s = strings.TrimSpace(s)
	bad := InvalidField(field, "%q is not an email address like name@example.com.", truncate(s, 64))
	if s == "" || len(s) > MaxEmailLength {
		if len(s) > MaxEmailLength {
			return "", InvalidField(field, "An email address is at most %d characters long.", MaxEmailLength)
		}
		return "", InvalidField(field, "Give an email address.")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", bad
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") || strings.ContainsAny(s, " \t\r\n") {
		return "", bad
	}
	return local + "@" + strings.ToLower(domain), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ProfilePatch changes the signed-in user's profile; nil fields stay.
type ProfilePatch struct {
	DisplayName  *string
	Bio          *string
	SetAvatarURL bool
	AvatarURL    *string
	// NotifyReplies switches the mail about replies to one's comments.
	NotifyReplies *bool
}

// Normalize trims and checks every field given.
func (p *ProfilePatch) Normalize() error {
	var fe FieldErrors
	if p.DisplayName != nil {
		d := checkDisplayName(&fe, "displayName", *p.DisplayName)
		p.DisplayName = &d
	}
	if p.Bio != nil {
		b := strings.TrimSpace(*p.Bio)
		if n := utf8.RuneCountInString(b); n > MaxBioLength || !utf8.ValidString(b) {
			fe.Add("bio", "The bio is %d characters long; the most is %d.", n, MaxBioLength)
		}
		p.Bio = &b
	}
	if p.SetAvatarURL && p.AvatarURL != nil {
		u, err := url.Parse(*p.AvatarURL)
		if len(*p.AvatarURL) > MaxURLLength || err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			fe.Add("avatarUrl", "The avatar must be an https:// URL of at most %d characters.", MaxURLLength)
		}
	}
	return fe.Err()
}

// CheckAPIKeyName trims an API key's name and checks its length.
func CheckAPIKeyName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n == 0 || n > MaxAPIKeyNameLength || !utf8.ValidString(s) {
		return "", InvalidField("name", "Name the key (1 to %d characters) after what uses it.", MaxAPIKeyNameLength)
	}
	return s, nil
}
