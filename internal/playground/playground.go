// Package playground serves Folio's GraphiQL playground from assets embedded
// in the binary: no CDN, and a Content-Security-Policy that allows scripts,
// styles and requests from the server's own origin only.
//
// The assets in dist/ are built from web/playground by
// `npm --prefix web/playground run build`; never edit them by hand.
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed dist
var dist embed.FS

// AssetPrefix is the path under which the page loads its script and styles.
const AssetPrefix = "/playground/"

// ContentSecurityPolicy is sent with the page and its assets. Scripts come
// only from this origin (no inline script, no eval); the editor's fonts and
// icons are data: URLs inside the stylesheet; the page talks only to this
// origin's /query.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

type asset struct {
	body        []byte
	etag        string
	contentType string
}

// Handler serves the playground page at "/" and its assets under
// AssetPrefix; mount it on both. Anything else is not found.
func Handler() http.Handler {
	assets := load()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := "index.html"
		if r.URL.Path != "/" {
			rest, ok := strings.CutPrefix(r.URL.Path, AssetPrefix)
			if !ok || rest == "index.html" {
				http.NotFound(w, r)
				return
			}
			name = rest
		}
		a, ok := assets[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Type", a.contentType)
		h.Set("ETag", a.etag)
		// Revalidate every time: the ETag makes that cheap, and a new
		// binary's assets are never mixed with an old page.
		h.Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
	})
}

// load reads the embedded assets once, with a strong ETag for each.
func load() map[string]asset {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the directive above guarantees dist exists
	}
	assets := map[string]asset{}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		assets[p] = asset{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, contentType: contentType(p)}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return assets
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	default:
		return "text/plain; charset=utf-8"
	}
}
