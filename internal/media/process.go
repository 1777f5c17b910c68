package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/folio/folio/internal/folio"
)

// Limits bound what an upload may be.
type Limits struct {
	// MaxBytes bounds the file's size.
	MaxBytes int64
	// MaxDimension bounds its width and its height, in pixels.
	MaxDimension int
	// MaxPixels bounds width × height: decoding holds every pixel in memory.
	MaxPixels int
}

// The default limits: a large phone photo passes; a decoded image holds at
// most 25 M pixels (100 MB as RGBA, less as JPEG's YCbCr).
const (
	DefaultMaxBytes     = 10 << 20
	DefaultMaxDimension = 8000
	DefaultMaxPixels    = 25_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDimension <= 0 {
		l.MaxDimension = DefaultMaxDimension
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	return l
}

// jpegQuality is the quality images are re-encoded at as JPEG.
const jpegQuality = 85

// File is one stored file of an image.
type File struct {
	Key  string
	Data []byte
}

// Processed is an upload made into an image: the original re-encoded
// (Files[0]) and its narrower variants (folio.Variants), all in one
// format.
type Processed struct {
	folio.Image
	ContentType string
	Files       []File
}

// format is an image format Folio accepts, found by sniffing the bytes.
type format struct {
	name         string
	decodeConfig func(io.Reader) (image.Config, error)
	decode       func(io.Reader) (image.Image, error)
}

var formats = map[string]format{
	"image/jpeg": {"JPEG", jpeg.DecodeConfig, jpeg.Decode},
	"image/png":  {"PNG", png.DecodeConfig, png.Decode},
	"image/webp": {"WebP", webp.DecodeConfig, webp.Decode},
}

// Process reads an uploaded image and makes it safe to serve:
//
//   - its type is what its bytes are (http.DetectContentType), whatever the
//     client said: JPEG, PNG or WebP, or EImageType;
//   - its size (EImageSize) and, from its header alone, before any pixel is
//     decoded, its dimensions (EImageDimensions) are within l, so a
//     decompression bomb costs a header's read;
//   - it is decoded, turned upright as a JPEG's EXIF Orientation says, and
//     encoded again (JPEG stays JPEG, PNG stays PNG, WebP
//     becomes PNG when it has transparency and JPEG otherwise): what the
//     file carried besides its pixels (metadata, a payload appended or
//     hidden in chunks) is not in what is stored;
//   - its variants are made at once, each from the next wider one.
//
// A file that is not a readable image of its type is EInvalid.
func Process(r io.Reader, l Limits) (*Processed, error) {
	l = l.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, l.MaxBytes+1))
	if err != nil {
		return nil, folio.InvalidField("file", "The file could not be read.")
	}
	if int64(len(data)) > l.MaxBytes {
		return nil, tooBig(l.MaxBytes)
	}
	if len(data) == 0 {
		return nil, folio.InvalidField("file", "The file is empty.")
	}
	sniffed := http.DetectContentType(data)
	f, ok := formats[sniffed]
	if !ok {
		return nil, &folio.Error{Code: folio.EImageType, Field: "file",
			Message: "The file's content is " + describe(sniffed) + ", not an image Folio takes: upload a JPEG, PNG or WebP image."}
	}
	cfg, err := f.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, folio.InvalidField("file", "The file starts as a %s image but its header does not read as one.", f.name)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > l.MaxDimension || cfg.Height > l.MaxDimension || cfg.Width*cfg.Height > l.MaxPixels {
		return nil, &folio.Error{Code: folio.EImageDimensions, Field: "file",
			Message: fmt.Sprintf("The image is %d×%d pixels; the most is %d on a side and %d pixels in all.", cfg.Width, cfg.Height, l.MaxDimension, l.MaxPixels)}
	}
	src, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return nil, folio.InvalidField("file", "The file is not a readable %s image.", f.name)
	}
	b := src.Bounds()
	if b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, folio.InvalidField("file", "The %s image's pixels do not match its header.", f.name)
	}
	if f.name == "JPEG" {
		if o := jpegOrientation(data); o > 1 {
			src = orient(src, o)
			cfg.Width, cfg.Height = src.Bounds().Dx(), src.Bounds().Dy()
		}
	}
	asPNG := f.name == "PNG" || (f.name == "WebP" && !opaque(src))
	p := &Processed{Image: folio.Image{Width: cfg.Width, Height: cfg.Height}, ContentType: "image/jpeg"}
	ext := ".jpg"
	if asPNG {
		p.ContentType, ext = "image/png", ".png"
	}
	orig, err := encode(src, asPNG)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(orig)
	p.Key = hex.EncodeToString(sum[:]) + ext
	p.Files = append(p.Files, File{Key: p.Key, Data: orig})
	// Narrowest last, each made from the one before it: fewer source
	// pixels to filter than from the original each time.
	ws := folio.Variants(cfg.Width)
	prev := src
	for i := len(ws) - 1; i >= 0; i-- {
		w := ws[i]
		h := max(1, (cfg.Height*w+cfg.Width/2)/cfg.Width)
		dst := image.NewNRGBA(image.Rect(0, 0, w, h))
		if !asPNG {
			// JPEG has no transparency: what was transparent becomes white.
			draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
		}
		xdraw.CatmullRom.Scale(dst, dst.Bounds(), prev, prev.Bounds(), xdraw.Over, nil)
		data, err := encode(dst, asPNG)
		if err != nil {
			return nil, err
		}
		p.Files = append(p.Files, File{Key: folio.VariantKey(p.Key, w), Data: data})
		prev = dst
	}
	return p, nil
}

func encode(m image.Image, asPNG bool) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if asPNG {
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&buf, m)
	} else {
		err = jpeg.Encode(&buf, m, &jpeg.Options{Quality: jpegQuality})
	}
	if err != nil {
		return nil, err // an in-memory encoder fails only on our bug
	}
	return buf.Bytes(), nil
}

// opaque reports whether every pixel of m is fully opaque.
func opaque(m image.Image) bool {
	if o, ok := m.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

func tooBig(max int64) *folio.Error {
	return &folio.Error{Code: folio.EImageSize, Field: "file", Message: fmt.Sprintf("The file is over %d bytes, the most an image may be.", max)}
}

// describe names a sniffed content type for a person.
func describe(sniffed string) string {
	switch sniffed {
	case "image/gif":
		return "a GIF image"
	case "image/bmp":
		return "a BMP image"
	case "text/html; charset=utf-8":
		return "HTML"
	case "text/plain; charset=utf-8":
		return "text"
	case "application/pdf":
		return "a PDF document"
	case "application/zip":
		return "a ZIP archive"
	}
	return "of another kind (" + sniffed + ")"
}
