package images_test

import (
	"bytes"
	"encoding/json"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/media/mediatest"
)

const setCover = `mutation($in: SetArticleCoverImageInput!) {
  setArticleCoverImage(input: $in) {
    article { id coverImage { url small: url(width: 300) width height alt } }
    userErrors { field message code }
  }
}`

const removeCover = `mutation($in: RemoveArticleCoverImageInput!) {
  removeArticleCoverImage(input: $in) { article { id coverImage { url } } userErrors { field message code } }
}`

const setAvatar = `mutation($in: SetAvatarInput!) { setAvatar(input: $in) { user { handle avatar { url width height alt } } userErrors { field message code } } }`

type coverData struct {
	SetArticleCoverImage struct {
		Article *struct {
			CoverImage *struct {
				URL, Small    string
				Width, Height int
				Alt           *string
			}
		}
		UserErrors []struct{ Field, Message, Code string }
	}
}

// cover uploads data as a's cover.
func (e *env) cover(t *testing.T, h http.Header, a *folio.Article, alt any, name, claimed string, data []byte) graphtest.Response {
	t.Helper()
	in := map[string]any{"articleId": a.NodeID(), "file": nil}
	if alt != nil {
		in["alt"] = alt
	}
	return e.Upload(t, h, setCover, map[string]any{"in": in},
		graphtest.File{Path: "variables.in.file", Name: name, ContentType: claimed, Data: data})
}

func wantCode(t *testing.T, r graphtest.Response, status int, code string) {
	t.Helper()
	if r.Code() != code || r.Status != status {
		t.Fatalf("status %d, code %q; want %d, %q (%s)", r.Status, r.Code(), status, code, r.Raw)
	}
	if strings.Contains(r.Raw, "internal/") || strings.Contains(r.Raw, ".go:") {
		t.Fatalf("the error shows internals: %s", r.Raw)
	}
}

func TestSetArticleCoverImage_Permissions(t *testing.T) {
	e := newEnv(t, options{})
	reader, author, other := e.person(t, folio.RoleReader), e.person(t, folio.RoleAuthor), e.person(t, folio.RoleAuthor)
	editor, admin := e.person(t, folio.RoleEditor), e.person(t, folio.RoleAdmin)
	draft, published := article(t, author.user, false), article(t, author.user, true)
	jpg := mediatest.JPEG(400, 300)
	rows := imageRows(t)

	refused := []struct {
		name   string
		who    http.Header
		a      *folio.Article
		status int
		code   string
	}{
		{"Anonymous", nil, draft, 200, "UNAUTHENTICATED"},
		{"Reader", reader.h, published, 200, "FORBIDDEN"},
		{"OtherAuthorsDraft", other.h, draft, 200, "NOT_FOUND"},
		{"OtherAuthorsPublished", other.h, published, 200, "FORBIDDEN"},
		{"AuthorsOwnPublished", author.h, published, 200, "FORBIDDEN"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, e.cover(t, c.who, c.a, nil, "a.jpg", "image/jpeg", jpg), c.status, c.code)
			e.wantNothingStored(t, rows)
		})
	}
	allowed := []struct {
		name string
		who  http.Header
		a    *folio.Article
	}{
		{"AuthorsOwnDraft", author.h, draft},
		{"EditorAnyArticle", editor.h, published},
		{"AdminAnyArticle", admin.h, draft},
	}
	for _, c := range allowed {
		t.Run(c.name, func(t *testing.T) {
			var out coverData
			r := e.cover(t, c.who, c.a, "A gradient", "a.jpg", "image/jpeg", jpg)
			if r.Status != 200 || len(r.Errors) > 0 {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			r.Decode(t, &out)
			img := out.SetArticleCoverImage.Article.CoverImage
			if img == nil || img.Width != 400 || img.Height != 300 || img.Alt == nil || *img.Alt != "A gradient" {
				t.Fatalf("cover = %+v (%s)", img, r.Raw)
			}
		})
	}
	t.Run("RemovePermissions", func(t *testing.T) {
		r := e.Do(t, reader.h, removeCover, map[string]any{"in": map[string]any{"articleId": published.NodeID()}})
		wantCode(t, r, 200, "FORBIDDEN")
		r = e.Do(t, author.h, removeCover, map[string]any{"in": map[string]any{"articleId": published.NodeID()}})
		wantCode(t, r, 200, "FORBIDDEN")
		e.OK(t, editor.h, removeCover, map[string]any{"in": map[string]any{"articleId": published.NodeID()}}, nil)
		e.OK(t, author.h, removeCover, map[string]any{"in": map[string]any{"articleId": draft.NodeID()}}, nil)
	})
}

func TestSetArticleCoverImage_HostileFiles(t *testing.T) {
	e := newEnv(t, options{})
	author := e.person(t, folio.RoleAuthor)
	a := article(t, author.user, false)
	rows := imageRows(t)
	refused := []struct {
		name, file, claimed string
		data                []byte
		status              int
		code                string
	}{
		{"GIFClaimingPNG", "cat.png", "image/png", mediatest.GIF(20, 20), 200, "UNSUPPORTED_IMAGE_TYPE"},
		{"HTMLClaimingPNG", "cat.png", "image/png", []byte(mediatest.HTML), 200, "UNSUPPORTED_IMAGE_TYPE"},
		{"WrongContentType", "notes.jpg", "image/jpeg", []byte("%PDF-1.7\n1 0 obj << >> endobj\n"), 200, "UNSUPPORTED_IMAGE_TYPE"},
		{"DecompressionBomb", "bomb.png", "image/png", mediatest.Bomb(100000, 100000), 200, "IMAGE_DIMENSIONS_TOO_LARGE"},
		{"Corrupt", "broken.jpg", "image/jpeg", mediatest.JPEG(300, 300)[:500], 200, "BAD_USER_INPUT"},
		// Over IMAGE_MAX_BYTES, within the body's limit: the transport refuses the file.
		{"Oversized", "big.jpg", "image/jpeg", append(mediatest.JPEG(10, 10), make([]byte, limits.MaxBytes)...), 413, "IMAGE_TOO_LARGE"},
		// Over the body's own limit: httpapi refuses it before reading it all.
		{"OversizedBody", "huge.jpg", "image/jpeg", make([]byte, limits.MaxBytes+2<<20), 413, "BAD_USER_INPUT"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			r := e.cover(t, author.h, a, nil, c.file, c.claimed, c.data)
			wantCode(t, r, c.status, c.code)
			if took := time.Since(start); c.name == "DecompressionBomb" && took > 2*time.Second {
				t.Errorf("refusing the bomb took %s: was it decoded?", took)
			}
			if r.Errors[0].Message == "" {
				t.Error("no message")
			}
			e.wantNothingStored(t, rows)
		})
	}

	t.Run("WithoutPreflightHeader", func(t *testing.T) {
		r := e.cover(t, http.Header{"Authorization": author.h["Authorization"], "X-Folio-Csrf": {""}}, a, nil, "a.jpg", "image/jpeg", mediatest.JPEG(100, 100))
		wantCode(t, r, 400, "BAD_USER_INPUT")
		if !strings.Contains(r.Errors[0].Message, "X-Folio-CSRF") {
			t.Errorf("the refusal does not say what to add: %s", r.Raw)
		}
		e.wantNothingStored(t, rows)
	})

	t.Run("PolyglotIsStoredWithoutItsPayload", func(t *testing.T) {
		var out coverData
		r := e.cover(t, author.h, a, nil, "a.jpg", "image/jpeg", mediatest.Polyglot(200, 150))
		if r.Status != 200 || len(r.Errors) > 0 {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
		r.Decode(t, &out)
		files := e.files(t)
		if len(files) != 2 { // the original and its 160 px variant
			t.Fatalf("files = %v", files)
		}
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(e.dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte("<script")) || bytes.Contains(data, []byte("PK\x03\x04")) {
				t.Fatalf("%s kept the payload", f)
			}
		}
		// Clean up for the refusals above, should they run again.
		e.OK(t, author.h, removeCover, map[string]any{"in": map[string]any{"articleId": a.NodeID()}}, nil)
		e.runReleases(t)
		e.wantNothingStored(t, rows)
	})
}

func TestSetArticleCoverImage_Validation(t *testing.T) {
	e := newEnv(t, options{})
	author := e.person(t, folio.RoleAuthor)
	a := article(t, author.user, false)
	rows := imageRows(t)

	t.Run("AltTooLong", func(t *testing.T) {
		var out coverData
		r := e.cover(t, author.h, a, strings.Repeat("x", folio.MaxAltLength+1), "a.jpg", "image/jpeg", mediatest.JPEG(50, 50))
		r.Decode(t, &out)
		ue := out.SetArticleCoverImage.UserErrors
		if len(ue) != 1 || ue[0].Field != "alt" || ue[0].Code != "INVALID" {
			t.Fatalf("userErrors = %+v", ue)
		}
		e.wantNothingStored(t, rows)
	})
	t.Run("BadArticleID", func(t *testing.T) {
		r := e.Upload(t, author.h, setCover, map[string]any{"in": map[string]any{"articleId": "nope", "file": nil}},
			graphtest.File{Path: "variables.in.file", Name: "a.jpg", ContentType: "image/jpeg", Data: mediatest.JPEG(50, 50)})
		wantCode(t, r, 200, "BAD_USER_INPUT")
		e.wantNothingStored(t, rows)
	})
	t.Run("MapNamesNoVariable", func(t *testing.T) {
		r := e.Upload(t, author.h, setCover, map[string]any{"in": map[string]any{"articleId": a.NodeID(), "file": nil}},
			graphtest.File{Path: "variables.in.other", Name: "a.jpg", ContentType: "image/jpeg", Data: mediatest.JPEG(50, 50)})
		wantCode(t, r, 400, "BAD_USER_INPUT")
	})
	t.Run("FileAsJSON", func(t *testing.T) {
		r := e.Do(t, author.h, setCover, map[string]any{"in": map[string]any{"articleId": a.NodeID(), "file": "aGVsbG8="}})
		if r.Code() == "" || r.Code() == "INTERNAL_SERVER_ERROR" {
			t.Fatalf("a file given as JSON: %s", r.Raw)
		}
	})
}

func TestUploads_Disabled(t *testing.T) {
	e := newEnv(t, options{uploadsOff: true})
	author := e.person(t, folio.RoleAuthor)
	a := article(t, author.user, false)
	r := e.cover(t, author.h, a, nil, "a.jpg", "image/jpeg", mediatest.JPEG(50, 50))
	wantCode(t, r, 415, "UPLOADS_DISABLED")
	e.wantNothingStored(t, imageRows(t))
	// Taking a cover off needs no upload.
	e.OK(t, author.h, removeCover, map[string]any{"in": map[string]any{"articleId": a.NodeID()}}, nil)
}

func TestImage_URL(t *testing.T) {
	e := newEnv(t, options{})
	editor := e.person(t, folio.RoleEditor)
	a := article(t, editor.user, true)
	var out coverData
	e.cover(t, editor.h, a, nil, "wide.png", "application/octet-stream", mediatest.JPEG(1500, 600)).Decode(t, &out)
	img := out.SetArticleCoverImage.Article.CoverImage
	if img == nil {
		t.Fatal("no cover")
	}
	if img.Alt != nil {
		t.Errorf("alt = %q, want null", *img.Alt)
	}
	get := func(t *testing.T, url string) (*http.Response, []byte) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}
	for _, c := range []struct {
		width *int
		want  int
	}{{nil, 1500}, {ptr(300), 320}, {ptr(320), 320}, {ptr(1), 160}, {ptr(900), 1280}, {ptr(1280), 1280}, {ptr(1281), 1500}, {ptr(5000), 1500}} {
		var q struct {
			Article struct{ CoverImage struct{ URL string } }
		}
		e.OK(t, nil, `query($slug: String!, $w: Int) { article(slug: $slug) { coverImage { url(width: $w) } } }`,
			map[string]any{"slug": a.Slug, "w": c.width}, &q)
		res, body := get(t, q.Article.CoverImage.URL)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
			res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Fatalf("%s: status %d, headers %v", q.Article.CoverImage.URL, res.StatusCode, res.Header)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(body))
		if err != nil || cfg.Width != c.want {
			t.Errorf("width %v: got a %d px wide file (%v), want %d", c.width, cfg.Width, err, c.want)
		}
	}
	t.Run("WidthBelowOne", func(t *testing.T) {
		r := e.Do(t, nil, `query($slug: String!) { article(slug: $slug) { coverImage { url(width: 0) } } }`, map[string]any{"slug": a.Slug})
		if r.Code() != "BAD_USER_INPUT" {
			t.Fatalf("code %q: %s", r.Code(), r.Raw)
		}
	})
	t.Run("UnknownKey", func(t *testing.T) {
		res, _ := get(t, e.URL+"/media/"+strings.Repeat("0", 64)+".jpg")
		if res.StatusCode != 404 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestSetArticleCoverImage_ReplaceReleasesTheOldFiles(t *testing.T) {
	e := newEnv(t, options{})
	editor := e.person(t, folio.RoleEditor)
	a, b := article(t, editor.user, true), article(t, editor.user, true)
	rows := imageRows(t)
	first, second := mediatest.JPEG(700, 100), mediatest.JPEG(200, 100)

	e.cover(t, editor.h, a, nil, "1.jpg", "image/jpeg", first)
	e.cover(t, editor.h, b, nil, "1.jpg", "image/jpeg", first) // the same picture on b: one set of files
	shared := e.files(t)
	if len(shared) != 4 || imageRows(t) != rows+1 {
		t.Fatalf("files %v, rows %d", shared, imageRows(t))
	}
	// Replacing a's cover queues the release of the first picture, which b
	// still shows: it stays.
	e.cover(t, editor.h, a, nil, "2.jpg", "image/jpeg", second)
	if got := e.runReleases(t); len(got) != 1 || !strings.HasPrefix(shared[0], strings.TrimSuffix(got[0], ".jpg")) {
		t.Fatalf("releases queued: %v (files %v)", got, shared)
	}
	if f := e.files(t); len(f) != 4+2 {
		t.Fatalf("after replacing a's cover: files %v", f)
	}
	// Removing b's cover releases the first picture for good.
	e.OK(t, editor.h, removeCover, map[string]any{"in": map[string]any{"articleId": b.NodeID()}}, nil)
	e.runReleases(t)
	if f := e.files(t); len(f) != 2 || imageRows(t) != rows+1 {
		t.Fatalf("after removing b's cover: files %v, rows %d", f, imageRows(t))
	}
	// Deleting a releases the second.
	e.OK(t, editor.h, `mutation($in: DeleteArticleInput!) { deleteArticle(input: $in) { deletedArticleId } }`, map[string]any{"in": map[string]any{"id": a.NodeID()}}, nil)
	e.runReleases(t)
	e.wantNothingStored(t, rows)
	// A release of what is gone already does nothing.
	if err := e.media.Release(t.Context(), strings.Repeat("a", 64)+".jpg"); err != nil {
		t.Fatal(err)
	}
}

func TestImageRelease_ByTheQueue(t *testing.T) {
	e := newEnv(t, options{workers: 2})
	author := e.person(t, folio.RoleAuthor)
	a := article(t, author.user, false)
	rows := imageRows(t)
	e.cover(t, author.h, a, nil, "1.jpg", "image/jpeg", mediatest.JPEG(300, 100))
	e.OK(t, author.h, removeCover, map[string]any{"in": map[string]any{"articleId": a.NodeID()}}, nil)
	waitFor(t, "the queue's release of the removed cover", 10*time.Second, func() bool {
		return len(e.files(t)) == 0 && imageRows(t) == rows
	})
}

func TestSetAvatar(t *testing.T) {
	e := newEnv(t, options{})
	reader := e.person(t, folio.RoleReader)
	rows := imageRows(t)
	t.Run("Anonymous", func(t *testing.T) {
		r := e.Upload(t, nil, setAvatar, map[string]any{"in": map[string]any{"file": nil}},
			graphtest.File{Path: "variables.in.file", Name: "me.png", ContentType: "image/png", Data: mediatest.PNG(64, 64)})
		wantCode(t, r, 200, "UNAUTHENTICATED")
		e.wantNothingStored(t, rows)
	})
	t.Run("Reader", func(t *testing.T) {
		var out struct {
			SetAvatar struct {
				User struct {
					Avatar *struct {
						URL           string
						Width, Height int
						Alt           *string
					}
				}
			}
		}
		e.Upload(t, reader.h, setAvatar, map[string]any{"in": map[string]any{"file": nil}},
			graphtest.File{Path: "variables.in.file", Name: "me.png", ContentType: "image/png", Data: mediatest.PNG(64, 64)}).Decode(t, &out)
		av := out.SetAvatar.User.Avatar
		if av == nil || av.Width != 64 || av.Height != 64 || av.Alt != nil || !strings.HasSuffix(av.URL, ".png") {
			t.Fatalf("avatar = %+v", av)
		}
		var q struct {
			User struct{ Avatar struct{ URL string } }
		}
		e.OK(t, nil, `query($h: String!) { user(handle: $h) { avatar { url } } }`, map[string]any{"h": reader.user.Handle}, &q)
		if q.User.Avatar.URL != av.URL {
			t.Fatalf("user(handle:) shows %q, want %q", q.User.Avatar.URL, av.URL)
		}
	})
	t.Run("HostileFile", func(t *testing.T) {
		r := e.Upload(t, reader.h, setAvatar, map[string]any{"in": map[string]any{"file": nil}},
			graphtest.File{Path: "variables.in.file", Name: "me.png", ContentType: "image/png", Data: mediatest.Bomb(100000, 100000)})
		wantCode(t, r, 200, "IMAGE_DIMENSIONS_TOO_LARGE")
	})
	t.Run("Remove", func(t *testing.T) {
		var out struct {
			RemoveAvatar struct {
				User struct{ Avatar *struct{ URL string } }
			}
		}
		e.OK(t, reader.h, `mutation { removeAvatar { user { avatar { url } } userErrors { code } } }`, nil, &out)
		if out.RemoveAvatar.User.Avatar != nil {
			t.Fatal("the avatar is still there")
		}
		e.runReleases(t)
		e.wantNothingStored(t, rows)
		e.OK(t, reader.h, `mutation { removeAvatar { user { avatar { url } } } }`, nil, nil) // again: nothing to do
	})
}

// A cover set on one instance shows on another at once, through both
// caches; an article it did not touch stays cached (a change made behind
// the caches' backs does not show).
func TestSetArticleCoverImage_Caches(t *testing.T) {
	one, two := cachedPair(t)
	editor := one.person(t, folio.RoleEditor)
	a, other := article(t, editor.user, true), article(t, editor.user, true)
	const read = `query($slug: String!) { article(slug: $slug) { title coverImage { width } } }`
	var q struct {
		Article struct {
			Title      string
			CoverImage *struct{ Width int }
		}
	}
	two.OK(t, nil, read, map[string]any{"slug": a.Slug}, &q) // cached on two, without a cover
	two.OK(t, nil, read, map[string]any{"slug": other.Slug}, nil)
	if _, err := testDB.Pool.Exec(t.Context(), `UPDATE articles SET title = 'changed behind the cache' WHERE id = $1`, other.ID); err != nil {
		t.Fatal(err)
	}
	one.cover(t, editor.h, a, nil, "1.jpg", "image/jpeg", mediatest.JPEG(120, 80))
	two.OK(t, nil, read, map[string]any{"slug": a.Slug}, &q)
	if q.Article.CoverImage == nil || q.Article.CoverImage.Width != 120 {
		t.Fatalf("instance two shows cover %+v", q.Article.CoverImage)
	}
	two.OK(t, nil, read, map[string]any{"slug": other.Slug}, &q)
	if q.Article.Title != "An article" {
		t.Fatalf("the untouched article was read again: %q", q.Article.Title)
	}

	reader := one.person(t, folio.RoleReader)
	const readUser = `query($h: String!) { user(handle: $h) { avatar { width } } }`
	var u struct {
		User struct{ Avatar *struct{ Width int } }
	}
	two.OK(t, nil, readUser, map[string]any{"h": reader.user.Handle}, &u)
	one.Upload(t, reader.h, setAvatar, map[string]any{"in": map[string]any{"file": nil}},
		graphtest.File{Path: "variables.in.file", Name: "me.jpg", ContentType: "image/jpeg", Data: mediatest.JPEG(90, 90)})
	two.OK(t, nil, readUser, map[string]any{"h": reader.user.Handle}, &u)
	if u.User.Avatar == nil || u.User.Avatar.Width != 90 {
		t.Fatalf("instance two shows avatar %+v", u.User.Avatar)
	}
}

// An upload costs more than a mutation's 10 points: decoding is work.
func TestUploads_Cost(t *testing.T) {
	e := newEnv(t, options{})
	reader := e.person(t, folio.RoleReader)
	h := http.Header{"Authorization": reader.h["Authorization"], "Folio-Dry-Run": {"true"}}
	r := e.Upload(t, h, setAvatar, map[string]any{"in": map[string]any{"file": nil}},
		graphtest.File{Path: "variables.in.file", Name: "me.png", ContentType: "image/png", Data: mediatest.PNG(8, 8)})
	var ext struct {
		Extensions struct {
			Cost struct {
				DryRun             bool `json:"dryRun"`
				RequestedQueryCost int  `json:"requestedQueryCost"`
			} `json:"cost"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal([]byte(r.Raw), &ext); err != nil {
		t.Fatal(err)
	}
	if c := ext.Extensions.Cost; !c.DryRun || c.RequestedQueryCost < 50 {
		t.Fatalf("cost = %+v (%s)", c, r.Raw)
	}
	e.wantNothingStored(t, imageRows(t))
}

// A release that waits for the image's row while a write refers to the
// image again finds the reference once the write commits, and keeps the
// files: the reference is read after the lock is taken, not before.
func TestReleaseImage_WaitsForAWriteReferringToIt(t *testing.T) {
	e := newEnv(t, options{})
	editor := e.person(t, folio.RoleEditor)
	a, b := article(t, editor.user, false), article(t, editor.user, false)
	e.cover(t, editor.h, a, nil, "1.jpg", "image/jpeg", mediatest.JPEG(200, 100))
	e.OK(t, editor.h, removeCover, map[string]any{"in": map[string]any{"articleId": a.NodeID()}}, nil)
	keys := releaseJobs(t)
	if len(keys) != 1 {
		t.Fatalf("release jobs: %v", keys)
	}
	key, files := keys[0], e.files(t)

	// A write in flight, as SetArticleCover runs one: the image's row
	// locked (the upsert), then referred to.
	tx, err := testDB.Pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(t.Context()) }()
	if _, err := tx.Exec(t.Context(), `INSERT INTO images (key, width, height, bytes) VALUES ($1, 200, 100, 1)
ON CONFLICT (key) DO UPDATE SET key = excluded.key`, key); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), `UPDATE articles SET cover_key = $1, cover_width = 200, cover_height = 100 WHERE id = $2`, key, b.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.media.Release(t.Context(), key) }()
	waitFor(t, "the release waiting for the image's row", 10*time.Second, func() bool {
		var n int
		err := testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM images%FOR UPDATE%'`).Scan(&n)
		return err == nil && n > 0
	})
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("release: %v", err)
	}
	if got := e.files(t); strings.Join(got, ",") != strings.Join(files, ",") {
		t.Fatalf("files %v, want %v kept", got, files)
	}
	var q struct {
		Node struct{ CoverImage *struct{ URL string } }
	}
	e.OK(t, editor.h, `query($id: ID!) { node(id: $id) { ... on Article { coverImage { url } } } }`, map[string]any{"id": b.NodeID()}, &q)
	if q.Node.CoverImage == nil {
		t.Fatal("b has no cover")
	}
	res, err := http.Get(q.Node.CoverImage.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("b's cover: status %d", res.StatusCode)
	}
}

// The same flow with the S3 store (an in-process S3 server): the files are
// objects of the bucket, URLs point at it, and a release deletes them.
func TestSetArticleCoverImage_S3(t *testing.T) {
	e := newEnv(t, options{s3: true})
	author := e.person(t, folio.RoleAuthor)
	a := article(t, author.user, false)
	rows := imageRows(t)
	var out coverData
	e.cover(t, author.h, a, "A gradient", "a.jpg", "image/jpeg", mediatest.JPEG(700, 300)).Decode(t, &out)
	img := out.SetArticleCoverImage.Article.CoverImage
	if img == nil {
		t.Fatal("no cover")
	}
	if f := e.files(t); len(f) != 4 { // the original, 160, 320, 640
		t.Fatalf("objects %v", f)
	}
	res, err := http.Get(img.Small)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(body))
	if res.StatusCode != 200 || err != nil || cfg.Width != 320 {
		t.Fatalf("%s: status %d, width %d (%v)", img.Small, res.StatusCode, cfg.Width, err)
	}
	// A refused file leaves no object either.
	wantCode(t, e.cover(t, author.h, a, nil, "bomb.png", "image/png", mediatest.Bomb(100000, 100000)), 200, "IMAGE_DIMENSIONS_TOO_LARGE")
	e.OK(t, author.h, removeCover, map[string]any{"in": map[string]any{"articleId": a.NodeID()}}, nil)
	e.runReleases(t)
	e.wantNothingStored(t, rows)
}
