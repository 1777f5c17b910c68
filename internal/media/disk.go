package media

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Disk stores files in a local directory, for one instance or a shared
// volume; Handler serves them.
type Disk struct {
	// Dir holds the files, one per key; it is made when missing.
	Dir string
	// BaseURL is where Handler is reached, without a trailing slash (e.g.
	// https://api.example.com/media).
	BaseURL string
}

var _ Store = (*Disk)(nil)

// servedKey is the shape of every key a store holds: an original
// (folio.ValidImageKey) or a variant (folio.VariantKey). Nothing else is
// ever opened, so no path can leave Dir.
var servedKey = regexp.MustCompile(`^[0-9a-f]{64}(-w[0-9]{1,5})?\.(jpg|png)$`)

// ValidKey reports whether key has the shape of a stored file's key.
func ValidKey(key string) bool { return servedKey.MatchString(key) }

func (d *Disk) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("media: %q is not a media key", key)
	}
	return filepath.Join(d.Dir, key), nil
}

// Put implements Store: the file is written beside its place and renamed
// into it, so a reader never sees half of it.
func (d *Disk) Put(_ context.Context, key, _ string, data []byte) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return fmt.Errorf("make media directory: %w", err)
	}
	tmp, err := os.CreateTemp(d.Dir, ".upload-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", key, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // gone once renamed
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}

// Delete implements Store.
func (d *Disk) Delete(_ context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// URL implements Store.
func (d *Disk) URL(key string) string { return d.BaseURL + "/" + key }

// Prefix is the path Disk's Handler answers under.
const Prefix = "/media/"

// Handler serves GET and HEAD /media/{key}: the file with its type by its
// key's extension, cacheable for ever (a key's bytes never change), never
// sniffed, and never run as a document (its Content-Security-Policy, set
// by httpapi, forbids everything).
func (d *Disk) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, Prefix)
		p, err := d.path(key)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		f, err := os.Open(p)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				http.Error(w, "The file could not be read.", http.StatusInternalServerError)
				return
			}
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", contentType(key))
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Disposition", "inline")
		// Frontends on other origins show these, even under COEP.
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		h.Set("ETag", `"`+strings.TrimSuffix(key, filepath.Ext(key))+`"`)
		http.ServeContent(w, r, "", st.ModTime(), f)
	})
}

// contentType is the type of a key's file, by its extension.
func contentType(key string) string {
	if strings.HasSuffix(key, ".png") {
		return "image/png"
	}
	return "image/jpeg"
}
