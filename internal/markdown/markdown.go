// Package markdown renders article bodies to HTML that is safe to put in a
// page: goldmark renders CommonMark with GitHub's extensions, and bluemonday
// keeps only the tags and attributes user-generated content may carry.
package markdown

import (
	"bytes"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	md = goldmark.New(goldmark.WithExtensions(extension.GFM))
	// UGC policy: formatting, links (rel=nofollow), images, tables; no
	// scripts, styles, event handlers or javascript: URLs.
	policy = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		return p
	}()
)

// HTML renders src to sanitised HTML. goldmark escapes raw HTML unless told
// otherwise, and the sanitiser is the second line behind it.
func HTML(src string) (string, error) {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	return policy.Sanitize(buf.String()), nil
}
