package graph

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/folio/folio/internal/folio"
)

// File uploads follow the GraphQL multipart request spec
// (github.com/jaydenseric/graphql-multipart-request-spec), as gqlgen's
// transport.MultipartForm reads it, but from the body httpapi already read
// within its limits, and with every refusal a domain error with its code:
//
//	operations  {"query": …, "variables": {"input": {"file": null}}}
//	map         {"0": ["variables.input.file"]}
//	0           the file's bytes
//
// Batched operations (an array in operations) are not taken.

// fileLimits bound a multipart request's files; the zero value takes none.
type fileLimits struct {
	maxBytes int64 // each file's size
	maxFiles int   // how many files
}

// maxUploadFiles is how many files one request may carry: every mutation
// that takes one takes one file.
const maxUploadFiles = 4

func badMultipart(format string, args ...any) *folio.Error {
	return folio.Errorf(folio.EInvalid, "Not a GraphQL multipart request (the operations part, the map part, then the files): "+format, args...)
}

// multipartParams decodes a multipart GraphQL request: its operations,
// with each file in the variables at the paths its map gives.
func multipartParams(body []byte, boundary string, limits fileLimits) (*graphql.RawParams, *folio.Error) {
	if limits.maxFiles == 0 {
		// httpapi refuses these first when uploads are off; the backstop.
		return nil, folio.Errorf(folio.EUploadsDisabled, "File uploads are off on this server.")
	}
	if boundary == "" {
		return nil, badMultipart("the Content-Type has no boundary.")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	part := func(name string) ([]byte, *folio.Error) {
		p, err := mr.NextPart()
		if err != nil || p.FormName() != name {
			return nil, badMultipart("the %s part is missing or out of order.", name)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, badMultipart("the %s part could not be read.", name)
		}
		return b, nil
	}
	ops, ferr := part("operations")
	if ferr != nil {
		return nil, ferr
	}
	params := &graphql.RawParams{}
	if err := decodeJSON(bytes.NewReader(ops), params); err != nil {
		return nil, badMultipart("the operations part is not one JSON request object (batches are not taken).")
	}
	rawMap, ferr := part("map")
	if ferr != nil {
		return nil, ferr
	}
	var paths map[string][]string
	if err := decodeJSON(bytes.NewReader(rawMap), &paths); err != nil {
		return nil, badMultipart(`the map part is not a JSON object of file names and paths, {"0": ["variables.input.file"]}.`)
	}
	if len(paths) > limits.maxFiles {
		return nil, badMultipart("it maps %d files; the most is %d.", len(paths), limits.maxFiles)
	}
	if params.Variables == nil {
		params.Variables = map[string]any{}
	}
	seen := map[string]bool{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, badMultipart("a file part does not read.")
		}
		name := p.FormName()
		targets, ok := paths[name]
		if !ok || seen[name] {
			return nil, badMultipart("the file part %q is not in the map, or comes twice.", name)
		}
		seen[name] = true
		data, err := io.ReadAll(io.LimitReader(p, limits.maxBytes+1))
		if err != nil {
			return nil, badMultipart("the file part %q does not read.", name)
		}
		if int64(len(data)) > limits.maxBytes {
			return nil, &folio.Error{Code: folio.EImageSize, Field: name,
				Message: "The file " + strconv.Quote(p.FileName()) + " is over " + strconv.FormatInt(limits.maxBytes, 10) + " bytes, the most a file may be."}
		}
		up := graphql.Upload{File: bytes.NewReader(data), Filename: p.FileName(), Size: int64(len(data)), ContentType: p.Header.Get("Content-Type")}
		for _, path := range targets {
			if !setUpload(params.Variables, path, up) {
				return nil, badMultipart("the map's path %q names no null variable of the operations.", path)
			}
		}
	}
	for name := range paths {
		if !seen[name] {
			return nil, badMultipart("the map names the file %q, which the request does not carry.", name)
		}
	}
	return params, nil
}

// setUpload puts up at path ("variables.input.file", "variables.files.0")
// in vars, where the operations must hold null; it reports whether it
// could.
func setUpload(vars map[string]any, path string, up graphql.Upload) bool {
	parts := strings.Split(path, ".")
	if len(parts) < 2 || parts[0] != "variables" {
		return false
	}
	var at any = vars
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		switch c := at.(type) {
		case map[string]any:
			v, ok := c[p]
			if last {
				if !ok || v != nil {
					return false
				}
				c[p] = up
				return true
			}
			at = v
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n >= len(c) {
				return false
			}
			if last {
				if c[n] != nil {
					return false
				}
				c[n] = up
				return true
			}
			at = c[n]
		default:
			return false
		}
	}
	return false
}
