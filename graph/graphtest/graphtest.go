// Package graphtest serves Folio's GraphQL executor behind the whole HTTP
// stack (httpapi: CSRF, CORS, limits, authentication, logging) for tests,
// and speaks to it the way a client does: JSON over POST, with headers.
package graphtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/postgres"
)

// Server is the GraphQL handler behind an httptest server. It records how
// many SQL statements each request sent, and in how many round trips,
// apart from the requests beside it.
type Server struct {
	*httptest.Server
	statements sync.Map // requestHeader value → chan [2]int64{statements, round trips}
	requests   atomic.Int64
}

// handlerGrace bounds how long after a response is read its handler may
// take to return (and count its statements).
const handlerGrace = 10 * time.Second

// requestHeader numbers the test's requests, so that a request sent in
// parallel with others gets its own statement count.
const requestHeader = "Graphtest-Request"

// New serves graph.NewHandler(o) behind the HTTP stack until the test
// ends; o.Auth authenticates the requests. adjust changes the stack's
// options (a deadline, trusted proxies, a logger).
func New(tb testing.TB, o graph.Options, adjust ...func(*httpapi.Options)) *Server {
	tb.Helper()
	if o.Auth != nil {
		adjust = append([]func(*httpapi.Options){func(h *httpapi.Options) { h.Auth = o.Auth }}, adjust...)
	}
	return Serve(tb, graph.NewHandler(o), adjust...)
}

// Serve serves the executor h (graph.NewHandler, perhaps wrapped by the
// test) behind the HTTP stack until the test ends. Requests to the
// server's root go to /query, so tests can send them to s.URL.
func Serve(tb testing.TB, h http.Handler, adjust ...func(*httpapi.Options)) *Server {
	tb.Helper()
	o := httpapi.Options{GraphQL: h}
	for _, f := range adjust {
		f(&o)
	}
	stack := httpapi.New(o)
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			r.URL.Path = "/query"
		}
		var n, trips atomic.Int64
		ctx := postgres.WithRoundTripCounter(postgres.WithStatementCounter(r.Context(), &n), &trips)
		stack.ServeHTTP(w, r.WithContext(ctx))
		// The client may have read the whole body already (net/http sends
		// a body bigger than its buffer as it is written): roundTrip waits
		// for this.
		if ch, ok := s.statements.Load(r.Header.Get(requestHeader)); ok {
			ch.(chan [2]int64) <- [2]int64{n.Load(), trips.Load()}
		}
	}))
	tb.Cleanup(s.Close)
	return s
}

// Error is one GraphQL error as a client sees it.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Response is a decoded GraphQL response with its HTTP status and headers.
type Response struct {
	Status     int
	Data       json.RawMessage `json:"data"`
	Errors     []Error         `json:"errors"`
	Statements int64
	// RoundTrips is how many times the request waited on Postgres: a
	// statement sent alone is one, and so is a batch of them.
	RoundTrips int64
	Header     http.Header
	Raw        string
}

// Code is the extensions.code of the first error, "" if none.
func (r Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Decode unmarshals the data into out, failing the test if it cannot.
func (r Response) Decode(tb testing.TB, out any) {
	tb.Helper()
	if err := json.Unmarshal(r.Data, out); err != nil {
		tb.Fatalf("decode data %s: %v", r.Data, err)
	}
}

// Do sends one operation with the given headers and decodes the response.
func (s *Server) Do(tb testing.TB, header http.Header, query string, vars map[string]any) Response {
	tb.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return s.roundTrip(tb, req, header)
}

func (s *Server) roundTrip(tb testing.TB, req *http.Request, header http.Header) Response {
	tb.Helper()
	for k, vs := range header {
		req.Header[k] = vs
	}
	id := strconv.FormatInt(s.requests.Add(1), 10)
	req.Header.Set(requestHeader, id)
	counted := make(chan [2]int64, 1)
	s.statements.Store(id, counted)
	defer s.statements.Delete(id)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("post: %v", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	var counts [2]int64
	select {
	case counts = <-counted: // the handler has returned
	case <-time.After(handlerGrace):
		tb.Fatalf("the handler of request %s had not returned %v after its response was read", id, handlerGrace)
	}
	r := Response{Status: res.StatusCode, Statements: counts[0], RoundTrips: counts[1], Header: res.Header, Raw: string(raw)}
	if err := json.Unmarshal(raw, &r); err != nil {
		tb.Fatalf("decode response %q: %v", raw, err)
	}
	return r
}

// OK sends an operation that must succeed without errors and decodes its
// data into out.
func (s *Server) OK(tb testing.TB, header http.Header, query string, vars map[string]any, out any) Response {
	tb.Helper()
	r := s.Do(tb, header, query, vars)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		tb.Fatalf("operation failed: status %d, errors %+v", r.Status, r.Errors)
	}
	if out != nil {
		r.Decode(tb, out)
	}
	return r
}

// Bearer is the header that sends a token.
func Bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers, for logs.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Send posts a raw request body (query, variables, extensions, …).
func (s *Server) Send(tb testing.TB, header http.Header, body map[string]any) Response {
	tb.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL, bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return s.roundTrip(tb, req, header)
}

// Post posts body as it is, with the given Content-Type: for requests no
// client would make. A body that is not a *bytes.Reader (or another reader
// of known length) is sent chunked.
func (s *Server) Post(tb testing.TB, contentType string, body io.Reader) Response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL, body)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	// Past CSRF, which refuses a form-like POST without it.
	req.Header.Set("X-Folio-CSRF", "1")
	return s.roundTrip(tb, req, nil)
}

// Get sends an operation as GET parameters.
func (s *Server) Get(tb testing.TB, header http.Header, params url.Values) Response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+"?"+params.Encode(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return s.roundTrip(tb, req, header)
}

// VerificationToken is the token of the last verification mail queued for
// email in db's outbox, made again from its reference with keys, as the
// mail job does: what the link in that mail carries.
func VerificationToken(tb testing.TB, db *postgres.DB, keys *auth.KeySet, email string) string {
	tb.Helper()
	var ref string
	err := db.Pool.QueryRow(context.Background(), `SELECT payload->>'ref' FROM email_outbox
WHERE recipient = $1 AND kind = 'verify_email' ORDER BY id DESC LIMIT 1`, email).Scan(&ref)
	if err != nil {
		tb.Fatalf("no verification mail to %s: %v", email, err)
	}
	token, err := keys.MailTokens(auth.PurposeVerifyEmail).Token(ref)
	if err != nil {
		tb.Fatal(err)
	}
	return token
}

// SignUp makes a verified account through the API, as a person would:
// signUp, then verifyEmail with the mailed token, which signs in. It
// returns the session's access and refresh tokens and the user's ID.
func (s *Server) SignUp(tb testing.TB, db *postgres.DB, keys *auth.KeySet, email, password, handle string) (access, refresh, id string) {
	tb.Helper()
	var up struct {
		SignUp struct {
			Email      *string         `json:"email"`
			UserErrors json.RawMessage `json:"userErrors"`
		} `json:"signUp"`
	}
	s.OK(tb, nil, `mutation($in: SignUpInput!) { signUp(input: $in) { email userErrors { field message code } } }`,
		map[string]any{"in": map[string]any{"email": email, "password": password, "handle": handle, "displayName": "Person " + handle}}, &up)
	if up.SignUp.Email == nil {
		tb.Fatalf("sign up: %s", up.SignUp.UserErrors)
	}
	var v struct {
		VerifyEmail struct {
			Session *struct {
				AccessToken  string `json:"accessToken"`
				RefreshToken string `json:"refreshToken"`
				User         struct {
					ID string `json:"id"`
				} `json:"user"`
			} `json:"session"`
			UserErrors json.RawMessage `json:"userErrors"`
		} `json:"verifyEmail"`
	}
	s.OK(tb, nil, `mutation($t: String!) { verifyEmail(input: {token: $t}) { session { accessToken refreshToken user { id } } userErrors { field message code } } }`,
		map[string]any{"t": VerificationToken(tb, db, keys, *up.SignUp.Email)}, &v)
	if v.VerifyEmail.Session == nil {
		tb.Fatalf("verify email: %s", v.VerifyEmail.UserErrors)
	}
	sess := v.VerifyEmail.Session
	return sess.AccessToken, sess.RefreshToken, sess.User.ID
}

// RandomHex is n random bytes in hex: a suffix that keeps the handles,
// slugs and e-mail addresses of one test apart from another's.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
