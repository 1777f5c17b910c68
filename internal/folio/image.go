package folio

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Image is an uploaded picture: an article's cover or a user's avatar. Its
// file is stored under Key, the content address of its re-encoded bytes
// (so a key never names two contents, and its URL may be cached for
// ever), with narrower variants beside it (VariantKey).
type Image struct {
	Key    string
	Width  int
	Height int
	// Alt describes the picture for people who cannot see it; empty when
	// none was given (avatars have none).
	Alt string `json:",omitempty"`
}

// ImageWidths are the widths, in pixels, of the variants made of every
// image wider than them when it is uploaded: a bounded set, so that a
// client asking for any width is served one of a few stored files.
var ImageWidths = []int{160, 320, 640, 1280}

// MaxAltLength bounds an image's description.
const MaxAltLength = 300

// imageKey is the shape of a stored image's key: the SHA-256 of its bytes
// in hex, and the extension of its format.
var imageKey = regexp.MustCompile(`^[0-9a-f]{64}\.(jpg|png)$`)

// ValidImageKey reports whether key is the key of an original image.
func ValidImageKey(key string) bool { return imageKey.MatchString(key) }

// Variants are the widths of the variants stored for an image width
// pixels wide: every one of ImageWidths narrower than it.
func Variants(width int) []int {
	var ws []int
	for _, w := range ImageWidths {
		if w < width {
			ws = append(ws, w)
		}
	}
	return ws
}

// VariantKey is the key of key's variant w pixels wide: "<hash>-w<w>.<ext>".
func VariantKey(key string, w int) string {
	base, ext, _ := strings.Cut(key, ".")
	return fmt.Sprintf("%s-w%d.%s", base, w, ext)
}

// KeyFor is the key to serve for a request of the image at most about
// want pixels wide: the narrowest variant at least that wide, or the
// original when none is (want at or over the image's own width).
func (img *Image) KeyFor(want int) string {
	for _, w := range Variants(img.Width) {
		if w >= want {
			return VariantKey(img.Key, w)
		}
	}
	return img.Key
}

// Keys are every stored file of an image width pixels wide: the original
// and its variants.
func Keys(key string, width int) []string {
	keys := []string{key}
	for _, w := range Variants(width) {
		keys = append(keys, VariantKey(key, w))
	}
	return keys
}

// CheckAlt trims an image's description and checks it.
func CheckAlt(field, s string) (string, error) {
	var fe FieldErrors
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		fe.Add(field, "The description is not valid text.")
	case n > MaxAltLength:
		fe.Add(field, "The description is %d characters long; the most is %d.", n, MaxAltLength)
	}
	return s, fe.Err()
}

// NewImage is an image to attach, its files prepared but not yet stored.
type NewImage struct {
	Image
	// Bytes is the size of the original's file.
	Bytes int64
	// Store writes the image's files where they are served. The write calls
	// it inside its transaction once it holds the image's record, so that a
	// release of the same image (the same content, uploaded before) cannot
	// delete the files between their writing and the commit.
	Store func(ctx context.Context) error
	// Discard deletes the files again; the write calls it when it fails
	// after Store and the record was its own, so nothing is left behind.
	Discard func(ctx context.Context) error
}

// ImageWriter attaches images, and takes them off. The image an attachment
// replaces, or a removal takes off, is released once no article or user
// refers to it any more: a job queued in the same transaction deletes its
// files.
type ImageWriter interface {
	// SetArticleCover gives an article its cover (nil: takes it off), for
	// whoever may edit the article (CanEditArticle). The article's version
	// does not change: a cover is not its text.
	SetArticleCover(ctx context.Context, v Viewer, articleID int64, img *NewImage) (*Article, error)
	// SetAvatar gives the viewer's own account its avatar (nil: takes it
	// off).
	SetAvatar(ctx context.Context, v Viewer, img *NewImage) (*User, error)
}
