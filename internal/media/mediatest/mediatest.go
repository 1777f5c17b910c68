// Package mediatest makes image files for tests: real pictures, and the
// hostile files an upload must refuse or defuse.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// picture is a w×h gradient, opaque unless alpha.
func picture(w, h int, alpha bool) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if alpha && x < w/2 {
				a = 128
			}
			m.SetNRGBA(x, y, color.NRGBA{R: uint8(x * 255 / max(1, w-1)), G: uint8(y * 255 / max(1, h-1)), B: 90, A: a})
		}
	}
	return m
}

// JPEG is a w×h JPEG photo-like image.
func JPEG(w, h int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(w, h, false), &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// PNG is a w×h PNG, half of it translucent.
func PNG(w, h int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture(w, h, true)); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// GIF is a w×h GIF, a format Folio does not take.
func GIF(w, h int) []byte {
	var buf bytes.Buffer
	if err := gif.Encode(&buf, picture(w, h, false), nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Payload is what Polyglot appends: a ZIP entry's header and an HTML
// page with a script, which a browser sniffing the file could run.
const Payload = "PK\x03\x04\x14\x00\x00\x00<html><body><script>alert(document.cookie)</script></body></html>"

// Polyglot is a valid JPEG with Payload after its end: it reads as an
// image, and as something else to whatever looks further.
func Polyglot(w, h int) []byte {
	return append(JPEG(w, h), Payload...)
}

// Bomb is a PNG whose header claims w×h pixels (100000×100000 would take
// 40 GB decoded) and whose data is a few bytes: refused from its header,
// it costs nothing; decoded, it would exhaust memory.
func Bomb(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8 bits, RGBA
	chunk(&buf, "IHDR", ihdr)
	chunk(&buf, "IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk(&buf, "IEND", nil)
	return buf.Bytes()
}

func chunk(buf *bytes.Buffer, typ string, data []byte) {
	_ = binary.Write(buf, binary.BigEndian, uint32(len(data)))
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	buf.WriteString(typ)
	buf.Write(data)
	_ = binary.Write(buf, binary.BigEndian, crc.Sum32())
}

// HTML is a page with a script, to send as if it were a PNG.
const HTML = "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

// WebP is a 1×1 lossless WebP image, its one pixel transparent.
var WebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

// Oriented is a w×h JPEG, red in its top-left quarter and blue elsewhere,
// whose EXIF Orientation tag is o: what a camera writes for a photo taken
// turned (6: to be shown turned a quarter clockwise).
func Oriented(w, h int, o uint16) []byte {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{B: 255, A: 255}
			if x < w/2 && y < h/2 {
				c = color.NRGBA{R: 255, A: 255}
			}
			m.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}); err != nil {
		panic(err)
	}
	// APP1: "Exif\0\0", a big-endian TIFF header, one directory with one
	// entry: Orientation (0x0112), a SHORT, count 1, value o.
	exif := []byte("Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01")
	exif = binary.BigEndian.AppendUint16(exif, o)
	exif = append(exif, 0, 0, 0, 0, 0, 0)
	app1 := []byte{0xFF, 0xE1}
	app1 = binary.BigEndian.AppendUint16(app1, uint16(len(exif)+2))
	app1 = append(app1, exif...)
	raw := buf.Bytes()
	return append(append(append([]byte{}, raw[:2]...), app1...), raw[2:]...)
}
