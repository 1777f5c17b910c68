// Package idempotency makes a POST sent with an Idempotency-Key header run
// at most once per key and client for a day: a retry of the same request
// gets the stored answer (marked Idempotent-Replayed: true), so a client
// whose connection dropped after the server committed a mutation can retry
// without doing it twice. A key reused with another request is refused
// (IDEMPOTENCY_KEY_REUSED); a duplicate sent while the first still runs
// waits for its answer.
//
// Keys live in Redis, shared by every instance. While Redis is down, keyed
// requests are refused as SERVICE_UNAVAILABLE (retryable) rather than run
// without the guarantee; requests without a key are not affected.
package idempotency

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
)

// Header is the request header that carries the key; ReplayedHeader marks
// a stored answer.
const (
	Header         = "Idempotency-Key"
	ReplayedHeader = "Idempotent-Replayed"
)

// MaxKeyBytes bounds a key: a UUID is 36.
const MaxKeyBytes = 255

// maxStoredBytes bounds a stored answer; a mutation's is a few hundred
// bytes. A larger one is answered but not kept (the key is released).
const maxStoredBytes = 256 << 10

// Options configure a Keeper.
type Options struct {
	Redis  redis.UniversalClient
	Prefix string
	// TTL is how long an answer is kept: 24 hours if zero.
	TTL time.Duration
	// Lease is how long a key is held for a request still running (a
	// process that dies mid-request frees it then): 2 minutes if zero. It
	// must exceed the request timeout.
	Lease time.Duration
	// Poll is how often a duplicate checks whether the first answered:
	// 25 ms if zero.
	Poll time.Duration
	// Timeout bounds each Redis round trip, so a hung Redis costs a keyed
	// request that much, not its whole deadline: 500 ms if zero.
	Timeout time.Duration
	Logger  *slog.Logger
}

// Keeper is the Idempotency-Key middleware.
type Keeper struct{ o Options }

// New returns a Keeper over o.Redis.
func New(o Options) *Keeper {
	if o.TTL == 0 {
		o.TTL = 24 * time.Hour
	}
	if o.Lease == 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Poll == 0 {
		o.Poll = 25 * time.Millisecond
	}
	if o.Timeout == 0 {
		o.Timeout = 500 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Keeper{o: o}
}

// Middleware runs next at most once per key, client and request. It reads
// the body httpapi has already read into memory.
func (k *Keeper) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(Header)
		if key == "" || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if !validKey(key) {
			httpapi.WriteError(w, r, folio.Errorf(folio.EInvalid, "%s must be 1 to %d visible ASCII characters, such as a UUID.", Header, MaxKeyBytes))
			return
		}
		body, err := readAll(r)
		if err != nil {
			httpapi.WriteError(w, r, folio.Errorf(folio.EIncompleteBody, "The request body could not be read."))
			return
		}
		e := entry{key: k.redisKey(r.Context(), key), fingerprint: fingerprint(body, r.Header.Get(httpapi.DryRunHeader))}
		k.serve(w, r, next, e)
	})
}

// entry is one key's record: its Redis key, and the fingerprint of the
// request that claimed it.
type entry struct {
	key, fingerprint string
	token            string // ours while we hold the lease
}

func (k *Keeper) serve(w http.ResponseWriter, r *http.Request, next http.Handler, e entry) {
	ctx := r.Context()
	tick := time.NewTicker(k.o.Poll)
	defer tick.Stop()
	for {
		claimed, rec, err := k.claim(ctx, &e)
		switch {
		case err != nil && ctx.Err() != nil:
			httpapi.WriteError(w, r, folio.Errorf(folio.ETimeout, "The request ran out of time waiting for its Idempotency-Key."))
			return
		case err != nil:
			k.o.Logger.WarnContext(ctx, "idempotency: Redis unavailable", "err", err)
			httpapi.WriteError(w, r, &folio.Error{Code: folio.EUnavailable, RetryAfter: time.Second,
				Message: "Requests with an Idempotency-Key cannot be served right now; retry shortly, with the same key."})
			return
		case claimed:
			k.run(w, r, next, e)
			return
		case rec.fingerprint != e.fingerprint:
			httpapi.WriteError(w, r, folio.Errorf(folio.EIdempotencyKeyReused,
				"This Idempotency-Key was used with a different request (document, variables or operation) in the last %s; use a new key for a new request.", k.o.TTL))
			return
		case rec.done:
			w.Header().Set("Content-Type", rec.contentType)
			w.Header().Set(ReplayedHeader, "true")
			w.WriteHeader(rec.status)
			_, _ = w.Write(rec.body)
			return
		}
		// The first request with this key still runs: wait for its answer.
		select {
		case <-tick.C:
		case <-ctx.Done():
			httpapi.WriteError(w, r, folio.Errorf(folio.EIdempotencyKeyInUse, "A request with this Idempotency-Key is still running; retry later with the same key to get its answer."))
			return
		}
	}
}

// run executes the request, then keeps its answer, or releases the key
// when the answer says the operation may not have run to its end.
func (k *Keeper) run(w http.ResponseWriter, r *http.Request, next http.Handler, e entry) {
	tw := &tee{ResponseWriter: w, status: http.StatusOK}
	next.ServeHTTP(tw, r)
	// The request's context may have ended; the record must still be written.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 2*time.Second)
	defer cancel()
	if !tw.overflow && keepable(tw.status, tw.body.Bytes()) {
		rec := record{done: true, fingerprint: e.fingerprint, status: tw.status, contentType: tw.Header().Get("Content-Type"), body: tw.body.Bytes()}
		if err := finish.Run(ctx, k.o.Redis, []string{e.key}, e.token, rec.encode(), k.o.TTL.Milliseconds()).Err(); err != nil && !errors.Is(err, redis.Nil) {
			k.o.Logger.ErrorContext(ctx, "idempotency: the answer was not kept; a retry within the lease gets IDEMPOTENCY_KEY_IN_USE", "err", err)
		}
		return
	}
	if err := release.Run(ctx, k.o.Redis, []string{e.key}, e.token).Err(); err != nil && !errors.Is(err, redis.Nil) {
		k.o.Logger.ErrorContext(ctx, "idempotency: the key was not released", "err", err)
	}
}

// keepable reports whether an answer is final: not a failure of ours or of
// time (the operation may not have run, or not to its end: a retry should
// run it), and not a refusal by the budget (it did not run).
func keepable(status int, body []byte) bool {
	if status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout {
		return false
	}
	for _, code := range []string{"INTERNAL_SERVER_ERROR", "TIMEOUT", "SERVICE_UNAVAILABLE", "RATE_LIMITED"} {
		if bytes.Contains(body, []byte(`"code":"`+code+`"`)) {
			return false
		}
	}
	return true
}

// claim takes the key for this request if it is free; otherwise it returns
// the record of the request that holds it.
func (k *Keeper) claim(ctx context.Context, e *entry) (bool, record, error) {
	if e.token == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		e.token = hex.EncodeToString(b)
	}
	pending := record{fingerprint: e.fingerprint, token: e.token}
	ctx, cancel := context.WithTimeout(ctx, k.o.Timeout)
	defer cancel()
	res, err := claim.Run(ctx, k.o.Redis, []string{e.key}, pending.encode(), k.o.Lease.Milliseconds()).Result()
	if err != nil {
		return false, record{}, err
	}
	held, _ := res.(string)
	if held == "" {
		return true, record{}, nil
	}
	rec, ok := decode([]byte(held))
	if !ok {
		return false, record{}, fmt.Errorf("malformed idempotency record at %s", e.key)
	}
	return false, rec, nil
}

// claim sets the key to ARGV[1] for ARGV[2] ms if it is free and returns
// "", or returns what holds it.
var claim = redis.NewScript(`
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ''
`)

// finish replaces our pending record (its token ARGV[1]) with the answer.
var finish = redis.NewScript(`
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, 1) == 'P' and string.find(held, ARGV[1], 1, true) then
  return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return false
`)

// release deletes our pending record (its token ARGV[1]).
var release = redis.NewScript(`
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, 1) == 'P' and string.find(held, ARGV[1], 1, true) then
  return redis.call('DEL', KEYS[1])
end
return false
`)

// record is a key's value: pending (P, fingerprint, token) or done (D,
// fingerprint, status, content type, body), one field a line, the body last.
type record struct {
	done        bool
	fingerprint string
	token       string
	status      int
	contentType string
	body        []byte
}

func (r record) encode() string {
	if !r.done {
		return "P\n" + r.fingerprint + "\n" + r.token
	}
	return "D\n" + r.fingerprint + "\n" + strconv.Itoa(r.status) + "\n" + r.contentType + "\n" + string(r.body)
}

func decode(b []byte) (record, bool) {
	parts := bytes.SplitN(b, []byte{'\n'}, 5)
	switch {
	case len(parts) == 3 && string(parts[0]) == "P":
		return record{fingerprint: string(parts[1]), token: string(parts[2])}, true
	case len(parts) == 5 && string(parts[0]) == "D":
		status, err := strconv.Atoi(string(parts[2]))
		if err != nil {
			return record{}, false
		}
		return record{done: true, fingerprint: string(parts[1]), status: status, contentType: string(parts[3]), body: parts[4]}, true
	}
	return record{}, false
}

// redisKey scopes key to the client: its API key, else its user, else its
// address, so one client cannot replay, or block, another's.
func (k *Keeper) redisKey(ctx context.Context, key string) string {
	v := folio.ViewerFrom(ctx)
	var scope string
	switch {
	case v.APIKeyID != 0:
		scope = "k:" + strconv.FormatInt(v.APIKeyID, 10)
	case v.UserID != 0:
		scope = "u:" + strconv.FormatInt(v.UserID, 10)
	default:
		scope = "a:" + clientaddr.From(ctx).String()
	}
	sum := sha256.Sum256([]byte(scope + "\x00" + key))
	return k.o.Prefix + "idem:" + hex.EncodeToString(sum[:])
}

// fingerprint identifies the request: its JSON body with keys sorted and
// white space dropped (so a client's re-encoding is the same request), and
// whether it is a dry run.
func fingerprint(body []byte, dryRun string) string {
	canonical := body
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil {
		if b, err := json.Marshal(v); err == nil {
			canonical = b
		}
	}
	h := sha256.New()
	h.Write(canonical)
	h.Write([]byte("\x00dry-run=" + dryRun))
	return hex.EncodeToString(h.Sum(nil))
}

func validKey(key string) bool {
	if len(key) > MaxKeyBytes {
		return false
	}
	for i := range len(key) {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// readAll reads the body and puts it back for the handler.
func readAll(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, httpapi.MaxBodyBytes)); err != nil {
		return nil, err
	}
	r.Body = readCloser{bytes.NewReader(buf.Bytes())}
	return buf.Bytes(), nil
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// tee passes the response through and keeps a copy of it.
type tee struct {
	http.ResponseWriter
	status   int
	wrote    bool
	body     bytes.Buffer
	overflow bool
}

func (t *tee) WriteHeader(code int) {
	if !t.wrote {
		t.wrote, t.status = true, code
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *tee) Write(b []byte) (int, error) {
	t.wrote = true
	if !t.overflow {
		if t.body.Len()+len(b) > maxStoredBytes {
			t.overflow = true
			t.body.Reset()
		} else {
			t.body.Write(b)
		}
	}
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (t *tee) Unwrap() http.ResponseWriter { return t.ResponseWriter }
