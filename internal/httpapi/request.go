package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/folio/folio/internal/accesslog"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/requestid"
)

// MaxBodyBytes bounds a request body; no legitimate operation comes close.
const MaxBodyBytes = 1 << 20

// DefaultBodyTimeout bounds how long a request body may take to arrive: a
// megabyte in 10 s is 100 KB/s, slower than any client worth waiting for,
// and shorter than the server's ReadTimeout, so a trickled body gets an
// answer instead of a dead connection.
const DefaultBodyTimeout = 10 * time.Second

// recovery answers a handler's panic with an internal error after logging
// it with its stack and the request id; the process keeps serving.
func recovery(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				p := recover()
				if p == nil || p == http.ErrAbortHandler {
					if p != nil {
						panic(p)
					}
					return
				}
				log.ErrorContext(r.Context(), "panic in HTTP handler", "panic", fmt.Sprint(p), "request_id", requestid.From(r.Context()),
					"path", r.URL.Path, "stack", string(debug.Stack()))
				WriteError(w, r, folio.Errorf(folio.EInternal, "Internal server error. Quote the request id when you report it."))
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// markGraphQL tells the access log this is a GraphQL request before
// anything reads it, so requests refused by the checks count too.
func markGraphQL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accesslog.From(r.Context()).MarkGraphQL()
		next.ServeHTTP(w, r)
	})
}

// checkRequest answers what gqlgen's transports would answer without an
// extensions.code: a method, media type or Accept header Folio does not
// speak (a live connection, WebSocket or SSE, brings its own Accept), and a body over MaxBodyBytes, slower than bodyTimeout or cut off.
// It reads a POST's body whole before anything else runs, so the transport
// reads it from memory and cannot fail. A file upload (multipart/form-data,
// which CSRF lets through only with a preflight header) is taken when
// uploadMax is above zero, up to uploadMax bytes of files and MaxBodyBytes
// more, within UploadBodyTimeout; otherwise it is UPLOADS_DISABLED.
func checkRequest(bodyTimeout time.Duration, uploadMax int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !Streaming(r) && r.Method != http.MethodOptions {
				if _, ok := ResponseMediaType(r); !ok {
					WriteError(w, r, folio.Errorf(folio.ENotAcceptable, "Accept application/graphql-response+json or application/json."))
					return
				}
			}
			switch r.Method {
			case http.MethodGet, http.MethodOptions:
			case http.MethodPost:
				limit, timeout := int64(MaxBodyBytes), bodyTimeout
				switch mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); {
				case mt == "multipart/form-data" && uploadMax <= 0:
					refuseAndDrain(w, r, folio.Errorf(folio.EUploadsDisabled, "File uploads are off on this server."))
					return
				case mt == "multipart/form-data":
					limit, timeout = uploadMax+MaxBodyBytes, max(bodyTimeout, UploadBodyTimeout)
				case mt != "application/json":
					WriteError(w, r, folio.Errorf(folio.EUnsupportedMedia, "Send POST requests with Content-Type: application/json and a body of {\"query\": …, \"variables\": …}."))
					return
				}
				body, ferr := readBody(w, r, timeout, limit)
				if ferr != nil && ferr.Code == folio.ETooLarge {
					refuseAndDrain(w, r, ferr)
					return
				}
				if ferr != nil {
					WriteError(w, r, ferr)
					return
				}
				if limit > MaxBodyBytes {
					// The upload took its time; the answer gets the server's usual.
					_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(UploadBodyTimeout))
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
			default:
				w.Header().Set("Allow", "GET, POST, OPTIONS")
				WriteError(w, r, folio.Errorf(folio.EMethodNotAllowed, "Use POST, or GET for queries."))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// UploadBodyTimeout bounds how long a file upload's body may take to
// arrive: 10 MB in a minute is 170 KB/s.
const UploadBodyTimeout = time.Minute

// readBody reads r's body whole, within limit bytes and bodyTimeout (zero:
// only the server's ReadTimeout), and says why it could not.
func readBody(w http.ResponseWriter, r *http.Request, bodyTimeout time.Duration, limit int64) ([]byte, *folio.Error) {
	if r.ContentLength > limit {
		return nil, folio.Errorf(folio.ETooLarge, "The request body is over %d bytes.", limit)
	}
	rc := http.NewResponseController(w)
	if bodyTimeout > 0 {
		// Not every ResponseWriter (a test's recorder) has a deadline to set.
		_ = rc.SetReadDeadline(time.Now().Add(bodyTimeout))
		defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	}
	size := r.ContentLength
	if size < 0 || size > limit {
		size = 512
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+1))
	_, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	var ne net.Error
	switch {
	case err == nil && int64(buf.Len()) > limit:
		return nil, folio.Errorf(folio.ETooLarge, "The request body is over %d bytes.", limit)
	case err == nil:
		return buf.Bytes(), nil
	case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return nil, folio.Errorf(folio.ESlowBody, "The request body did not arrive within %s.", bodyTimeout)
	default:
		return nil, folio.Errorf(folio.EIncompleteBody, "The request body ended before its declared length.")
	}
}

// maxDrainBytes is how much of a refused body is read and thrown away, so
// that the client, still sending, reads the 413 instead of a connection
// reset; past it the connection is cut.
const maxDrainBytes = 64 << 20

// refuseAndDrain answers err, then reads what is left of the body (up to
// maxDrainBytes, for at most 10 s) before the connection closes: closing it
// under a client still writing would reset it, and the client would see
// the reset, not the answer.
func refuseAndDrain(w http.ResponseWriter, r *http.Request, err *folio.Error) {
	w.Header().Set("Connection", "close")
	rc := http.NewResponseController(w)
	// HTTP/1.1 lets go of the body once the answer is written, unless asked.
	_ = rc.EnableFullDuplex()
	WriteError(w, r, err)
	_ = rc.Flush()
	_ = rc.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxDrainBytes))
}

// publicCaching lets browsers and CDNs keep the answers to anonymous GET
// queries (persisted ones make short, cacheable URLs) for a minute; an
// answer carrying errors, or to a request with credentials or a preview
// token, is not kept. A handler that says itself how its answer may be
// kept (the response cache: its own max-age, no-store for an answer with
// one client's data) has the last word.
func publicCaching(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("Authorization") != "" || r.Header.Get("X-API-Key") != "" || r.Header.Get(PreviewHeader) != "" || Streaming(r) {
			next.ServeHTTP(w, r)
			return
		}
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Add("Vary", "Authorization, X-API-Key, "+PreviewHeader)
		// A 304 validates a copy an answer like this kept: it carries the
		// same caching headers, which replace the copy's (RFC 9111, 4.3.4).
		notModified := rec.status == http.StatusNotModified
		switch {
		case rec.header.Get("Cache-Control") != "":
		case notModified || rec.status == http.StatusOK && !bytes.Contains(rec.body.Bytes(), []byte(`"errors":`)):
			w.Header().Set("Cache-Control", "public, max-age=60, stale-while-revalidate=60")
		default:
			w.Header().Set("Cache-Control", "no-store")
		}
		if strings.HasPrefix(w.Header().Get("Cache-Control"), "public") {
			DropBudgetHeaders(w.Header())
		}
		if notModified {
			w.WriteHeader(rec.status) // no body, and no length for one
			return
		}
		WriteWhole(w, r, rec.status, rec.body.Bytes())
	})
}

// recorder holds a response until the caching decision is made.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// clientAddress puts the client's address in the context: the socket's
// peer, or X-Forwarded-For behind a trusted proxy.
func clientAddress(proxies clientaddr.Proxies) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(clientaddr.With(r.Context(), proxies.Of(r))))
		})
	}
}

// Streaming reports whether r opens a live connection (a WebSocket upgrade,
// or a Server-Sent Events stream), which lasts as long as the client stays
// and answers no deadline: its operations carry their own. It asks what
// graph's live transports serve (gqlgen's Supports), no more: a GET query
// that also accepts text/event-stream is an ordinary request, deadline
// and all.
func Streaming(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" {
		return true
	}
	if r.Method != http.MethodPost || !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// deadline bounds the work of one request; the deadline reaches SQL
// through the context. Live connections are not bounded.
func deadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if d <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if Streaming(r) {
				next.ServeHTTP(w, r)
				return
			}
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// Authenticator tells who a request speaks for: the anonymous viewer when
// it carries no credentials, an EUnauthenticated error when they are bad.
type Authenticator interface {
	Authenticate(r *http.Request) (folio.Viewer, error)
}

// authenticate puts the request's viewer in its context. A request with bad
// credentials runs as anonymous but carries the refusal (auth.WithRefusal):
// the GraphQL layer answers every root field with it except the account
// mutations, so a client that still sends an expired access token can
// refresh its session or sign in again. It is never served as anonymous
// content, so it learns at once that its token is bad.
func authenticate(a Authenticator) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if a == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions {
				next.ServeHTTP(w, r)
				return
			}
			v, err := a.Authenticate(r)
			if err != nil {
				var fe *folio.Error
				if !errors.As(err, &fe) || fe.Code != folio.EUnauthenticated {
					WriteError(w, r, folio.Errorf(folio.EInternal, "Internal server error while checking credentials."))
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				next.ServeHTTP(w, r.WithContext(auth.WithRefusal(r.Context(), fe)))
				return
			}
			next.ServeHTTP(w, r.WithContext(folio.WithViewer(r.Context(), v)))
		})
	}
}
