package media_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/media"
	"github.com/folio/folio/internal/media/mediatest"
)

func code(err error) folio.Code { return folio.ErrorCode(err) }

func TestProcess(t *testing.T) {
	limits := media.Limits{MaxBytes: 1 << 20, MaxDimension: 3000, MaxPixels: 4_000_000}

	t.Run("JPEG", func(t *testing.T) {
		p, err := media.Process(bytes.NewReader(mediatest.JPEG(1000, 500)), limits)
		if err != nil {
			t.Fatal(err)
		}
		if p.Width != 1000 || p.Height != 500 || p.ContentType != "image/jpeg" || !folio.ValidImageKey(p.Key) || !strings.HasSuffix(p.Key, ".jpg") {
			t.Fatalf("got %+v", p.Image)
		}
		// The original and the variants narrower than it: 160, 320, 640.
		wantW := map[string]int{p.Key: 1000, folio.VariantKey(p.Key, 160): 160, folio.VariantKey(p.Key, 320): 320, folio.VariantKey(p.Key, 640): 640}
		if len(p.Files) != len(wantW) {
			t.Fatalf("files = %d, want %d", len(p.Files), len(wantW))
		}
		for _, f := range p.Files {
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(f.Data))
			if err != nil {
				t.Fatalf("%s: %v", f.Key, err)
			}
			if w := wantW[f.Key]; cfg.Width != w || cfg.Height != w/2 {
				t.Errorf("%s is %d×%d, want %d×%d", f.Key, cfg.Width, cfg.Height, w, w/2)
			}
		}
	})

	t.Run("SameBytesSameKey", func(t *testing.T) {
		a, _ := media.Process(bytes.NewReader(mediatest.JPEG(300, 200)), limits)
		b, _ := media.Process(bytes.NewReader(mediatest.JPEG(300, 200)), limits)
		if a == nil || b == nil || a.Key != b.Key {
			t.Fatalf("keys differ: %v %v", a, b)
		}
	})

	t.Run("PNGKeepsTransparency", func(t *testing.T) {
		p, err := media.Process(bytes.NewReader(mediatest.PNG(400, 100)), limits)
		if err != nil {
			t.Fatal(err)
		}
		if p.ContentType != "image/png" || !strings.HasSuffix(p.Key, ".png") || len(p.Files) != 3 {
			t.Fatalf("got %s %s with %d files", p.ContentType, p.Key, len(p.Files))
		}
		m, err := png.Decode(bytes.NewReader(p.Files[0].Data))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, a := m.At(0, 0).RGBA(); a == 0xffff {
			t.Error("the translucent half came out opaque")
		}
	})

	t.Run("WebPWithTransparencyBecomesPNG", func(t *testing.T) {
		p, err := media.Process(bytes.NewReader(mediatest.WebP), limits)
		if err != nil {
			t.Fatal(err)
		}
		if p.Width != 1 || p.Height != 1 || p.ContentType != "image/png" || len(p.Files) != 1 {
			t.Fatalf("got %+v %s", p.Image, p.ContentType)
		}
	})

	t.Run("PolyglotIsDefused", func(t *testing.T) {
		in := mediatest.Polyglot(200, 100)
		p, err := media.Process(bytes.NewReader(in), limits)
		if err != nil {
			t.Fatalf("a JPEG with a payload after it is taken (and defused): %v", err)
		}
		for _, f := range p.Files {
			if bytes.Contains(f.Data, []byte("<script")) || bytes.Contains(f.Data, []byte("PK\x03\x04")) {
				t.Fatalf("%s still carries the payload", f.Key)
			}
			if _, _, err := image.Decode(bytes.NewReader(f.Data)); err != nil {
				t.Fatalf("%s: %v", f.Key, err)
			}
		}
	})

	t.Run("EXIFOrientationIsApplied", func(t *testing.T) {
		// red is where the top-left quarter of the stored pixels shows
		cases := []struct {
			o            uint16
			w, h         int
			redX, redY   int // a point inside the red quarter as shown
			blueX, blueY int
		}{
			{1, 80, 40, 5, 5, 75, 35},
			{3, 80, 40, 75, 35, 5, 5}, // upside down
			{6, 40, 80, 75, 5, 5, 35}, // a quarter clockwise: 80 wide as shown
			{8, 40, 80, 5, 35, 75, 5}, // a quarter anticlockwise
			{2, 80, 40, 75, 5, 5, 35}, // mirrored
			{5, 40, 80, 5, 5, 75, 35}, // transposed
		}
		for _, c := range cases {
			p, err := media.Process(bytes.NewReader(mediatest.Oriented(c.w, c.h, c.o)), limits)
			if err != nil {
				t.Fatal(err)
			}
			m, err := jpeg.Decode(bytes.NewReader(p.Files[0].Data))
			if err != nil {
				t.Fatal(err)
			}
			sw, sh := c.w, c.h
			if c.o >= 5 {
				sw, sh = c.h, c.w
			}
			if p.Width != sw || p.Height != sh || m.Bounds().Dx() != sw || m.Bounds().Dy() != sh {
				t.Fatalf("orientation %d: %d×%d (file %v), want %d×%d", c.o, p.Width, p.Height, m.Bounds(), sw, sh)
			}
			if r, _, b, _ := m.At(c.redX, c.redY).RGBA(); r < 0xc000 || b > 0x4000 {
				t.Errorf("orientation %d: (%d,%d) is not red", c.o, c.redX, c.redY)
			}
			if r, _, b, _ := m.At(c.blueX, c.blueY).RGBA(); b < 0xc000 || r > 0x4000 {
				t.Errorf("orientation %d: (%d,%d) is not blue", c.o, c.blueX, c.blueY)
			}
		}
	})

	refused := []struct {
		name string
		data []byte
		want folio.Code
	}{
		{"GIF", mediatest.GIF(10, 10), folio.EImageType},
		{"HTML", []byte(mediatest.HTML), folio.EImageType},
		{"Text", []byte("just some words, not a picture"), folio.EImageType},
		{"Empty", nil, folio.EInvalid},
		{"Bomb", mediatest.Bomb(100000, 100000), folio.EImageDimensions},
		{"TooWide", mediatest.Bomb(3001, 10), folio.EImageDimensions},
		{"TooManyPixels", mediatest.Bomb(2500, 2500), folio.EImageDimensions},
		{"Oversized", append(mediatest.JPEG(10, 10), make([]byte, 1<<20)...), folio.EImageSize},
		{"Truncated", mediatest.JPEG(200, 200)[:400], folio.EInvalid},
		{"BombWithinLimitsButNoPixels", mediatest.Bomb(100, 100), folio.EInvalid},
	}
	for _, c := range refused {
		t.Run("Refuses"+c.name, func(t *testing.T) {
			p, err := media.Process(bytes.NewReader(c.data), limits)
			if code(err) != c.want {
				t.Fatalf("code = %s (%v, %v), want %s", code(err), err, p, c.want)
			}
			var fe *folio.Error
			if !errors.As(err, &fe) || fe.Message == "" || fe.Field != "file" {
				t.Fatalf("error %#v says nothing of the file", err)
			}
		})
	}
}

func TestDisk(t *testing.T) {
	dir := t.TempDir()
	d := &media.Disk{Dir: filepath.Join(dir, "media"), BaseURL: "https://api.example.com/media"}
	p, err := media.Process(bytes.NewReader(mediatest.JPEG(200, 100)), media.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := d.Put(ctx, p.Key, p.ContentType, p.Files[0].Data); err != nil {
		t.Fatal(err)
	}
	if got, want := d.URL(p.Key), "https://api.example.com/media/"+p.Key; got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
	srv := httptest.NewServer(http.StripPrefix("", d.Handler()))
	defer srv.Close()

	t.Run("Serves", func(t *testing.T) {
		res, err := http.Get(srv.URL + "/media/" + p.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		h := res.Header
		if res.StatusCode != 200 || h.Get("Content-Type") != "image/jpeg" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(h.Get("Cache-Control"), "immutable") || h.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
			t.Fatalf("status %d, headers %v", res.StatusCode, h)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		for _, path := range []string{"/media/" + strings.Repeat("a", 64) + ".jpg", "/media/../../etc/passwd", "/media/x.jpg", "/media/" + p.Key + "/"} {
			res, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 404 {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
			}
		}
	})
	t.Run("RefusesOtherKeys", func(t *testing.T) {
		if err := d.Put(ctx, "../escape.jpg", "image/jpeg", []byte("x")); err == nil {
			t.Fatal("a key that is not a content address was stored")
		}
	})
	t.Run("Delete", func(t *testing.T) {
		if err := d.Delete(ctx, p.Key); err != nil {
			t.Fatal(err)
		}
		if err := d.Delete(ctx, p.Key); err != nil {
			t.Fatalf("deleting a missing key: %v", err)
		}
		left, _ := os.ReadDir(d.Dir)
		if len(left) != 0 {
			t.Fatalf("left in the directory: %v", left)
		}
	})
}
