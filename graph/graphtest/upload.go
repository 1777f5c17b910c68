package graphtest

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"
)

// File is one file of a multipart request: the variable it fills (a path
// such as "variables.input.file"), its name and the type it claims.
type File struct {
	Path, Name, ContentType string
	Data                    []byte
}

// Multipart is the body of a GraphQL multipart request (the operations
// part, the map part, then the files, as the spec lays them out) and its
// Content-Type. The files' variables are set to null in the operations.
func Multipart(tb testing.TB, query string, vars map[string]any, files ...File) (contentType string, body []byte) {
	tb.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	fileMap := map[string][]string{}
	for i, f := range files {
		fileMap[itoa(i)] = []string{f.Path}
	}
	ops, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatal(err)
	}
	m, _ := json.Marshal(fileMap)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("operations", string(ops))
	_ = w.WriteField("map", string(m))
	for i, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+itoa(i)+`"; filename="`+f.Name+`"`)
		h.Set("Content-Type", f.ContentType)
		part, err := w.CreatePart(h)
		if err != nil {
			tb.Fatal(err)
		}
		_, _ = part.Write(f.Data)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// Upload sends an operation with files as a GraphQL multipart request,
// with the preflight header (X-Folio-CSRF) that CSRF protection asks of
// every form-like POST, unless header sets it to "" (a cross-site form's
// request, which must be refused).
func (s *Server) Upload(tb testing.TB, header http.Header, query string, vars map[string]any, files ...File) Response {
	tb.Helper()
	ct, body := Multipart(tb, query, vars, files...)
	req, err := http.NewRequest(http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-Folio-CSRF", "1")
	h := http.Header{}
	for k, vs := range header {
		if k == "X-Folio-Csrf" && len(vs) == 1 && vs[0] == "" {
			req.Header.Del(k)
			continue
		}
		h[k] = vs
	}
	return s.roundTrip(tb, req, h)
}
