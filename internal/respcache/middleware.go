package respcache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/accesslog"
	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/ratelimit"
)

// stored is one cached response: the data member of a response without
// errors, as the executor wrote it, with its validator and media type.
type stored struct {
	etag        string
	contentType string
	data        []byte
}

// encode lays the entry out as etag \n content type \n data.
func (s *stored) encode() []byte {
	b := make([]byte, 0, len(s.etag)+len(s.contentType)+2+len(s.data))
	b = append(b, s.etag...)
	b = append(b, '\n')
	b = append(b, s.contentType...)
	b = append(b, '\n')
	return append(b, s.data...)
}

func decode(b []byte) (*stored, bool) {
	etag, rest, ok1 := bytes.Cut(b, []byte{'\n'})
	ct, data, ok2 := bytes.Cut(rest, []byte{'\n'})
	if !ok1 || !ok2 || len(data) == 0 {
		return nil, false
	}
	return &stored{etag: string(etag), contentType: string(ct), data: data}, true
}

// lookup is the one round trip of a cacheable request: the response, the
// Redis clock (when the request began, for the race with writes) and the
// charge of a hit to the client's budget.
type lookup struct {
	hit     *stored
	start   int64 // Redis time, microseconds, less Options.Staleness
	take    *ratelimit.QueuedTake
	client  ratelimit.Client
	budgets *ratelimit.Budgets
}

func (c *Cache) lookup(ctx context.Context, r *http.Request, key string) (lookup, error) {
	var l lookup
	cctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	p := c.o.Redis.Pipeline()
	get := p.Get(cctx, key)
	now := p.Time(cctx)
	if lim := c.o.Limiter; lim != nil && lim.Budgets != nil {
		l.budgets = lim.Budgets
		l.client = c.tiers.ClientFor(folio.Viewer{}, clientaddr.From(ctx))
		l.take = l.budgets.QueueTake(cctx, p, l.client, HitCost)
	}
	_, _ = p.Exec(cctx) // each command's error is read below
	if err := now.Err(); err != nil {
		return l, err
	}
	t := now.Val()
	l.start = t.Add(-c.o.Staleness).UnixMicro()
	b, err := get.Bytes()
	switch {
	case errors.Is(err, redis.Nil):
	case err != nil:
		return l, err
	default:
		l.hit, _ = decode(b)
	}
	return l, nil
}

// recheck reads a response stored since the lookup, and when (Redis's
// clock) it was still there; nil if none (or Redis failed: then the
// request runs).
func (c *Cache) recheck(ctx context.Context, key string) (*stored, int64) {
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	p := c.o.Redis.Pipeline()
	// Sent before the read: the response was there then. (On a Cluster
	// TIME goes to any node, and the read to the key's: the nodes' clocks
	// are compared, as lookups and invalidations compare them.)
	now := p.Time(ctx)
	get := p.Get(ctx, key)
	_, _ = p.Exec(ctx) // each command's error is read below
	b, err := get.Bytes()
	if err == nil {
		err = now.Err()
	}
	if err != nil {
		c.redisFailed(ctx, "lookup", err)
		return nil, 0
	}
	s, _ := decode(b)
	return s, now.Val().UnixMicro()
}

// status is the hit's charge; nil when hits are free.
func (l *lookup) status(ctx context.Context) *ratelimit.Status {
	if l.take == nil {
		return nil
	}
	st := l.take.Status(ctx)
	return &st
}

// refund gives back the hit's charge to a request that runs instead: it
// pays its price like any other. The refund lands before the request
// runs, so the budget the response reports is exact.
func (l *lookup) refund(ctx context.Context, st *ratelimit.Status) {
	if st != nil && st.Allowed {
		l.budgets.Adjust(ctx, l.client, -HitCost)
	}
}

// Middleware answers from the cache what it can, and otherwise runs next
// (the GraphQL handler), storing the answer when it may be shared. It
// belongs right around the handler, inside CSRF and the access log. A nil
// Cache returns next.
func (c *Cache) Middleware(next http.Handler) http.Handler {
	if c == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := parseRequest(r)
		if !ok {
			c.count(&c.bypasses, "bypass")
			if !anonymous(r) {
				w.Header().Set("Cache-Control", "private, no-store")
			}
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		key := req.key(c.respKey(), c.o.Variant, r.Header.Get("Accept"))
		l, err := c.lookup(ctx, r, key)
		if err != nil {
			c.redisFailed(ctx, "lookup", err)
			next.ServeHTTP(w, r)
			return
		}
		st := l.status(ctx)
		if l.hit != nil {
			c.count(&c.hits, "hit")
			c.serveHit(w, r, &req, l.hit, st)
			return
		}
		c.count(&c.misses, "miss")
		doc := req.query
		if doc == "" && c.o.Documents != nil {
			doc, _ = c.o.Documents(ctx, req.hash)
		}
		if doc == "" || !c.cacheableDocument(ctx, doc, req.opName) {
			// Not the same for every caller (rateLimit: the caller's
			// budget): no HTTP cache keeps it either.
			w.Header().Set("Cache-Control", "no-store")
			l.refund(ctx, st)
			next.ServeHTTP(w, r)
			return
		}
		leader := false
		v, _, _ := c.flights.Do(key, func() (any, error) {
			leader = true
			// A flight that ended between this request's lookup and now
			// has stored the answer: look again before running it.
			var res *execution
			if s, at := c.recheck(ctx, key); s != nil {
				res = &execution{stored: s, current: at}
			} else {
				l.refund(ctx, st)
				res = c.execute(next, r, key, l.start)
			}
			if c.inFlight != nil {
				c.inFlight()
			}
			return res, nil
		})
		res := v.(*execution)
		switch {
		case leader && res.ran:
			c.writeExecuted(w, r, res)
		case res.stored != nil && l.start <= res.current:
			// Another request ran this very operation while this one
			// waited: its answer is this one's, at the price of a hit.
			// (Not if this one looked up after the answer was last known
			// current: a write may have replaced it since, and this
			// request, begun after the write, must see it.)
			c.shared.Add(1)
			c.serveHit(w, r, &req, res.stored, st)
		default:
			l.refund(ctx, st)
			next.ServeHTTP(w, r)
		}
	})
}

// execution is a response the handler wrote, held until the cache has
// decided whether to keep it.
type execution struct {
	header http.Header
	status int
	body   bytes.Buffer
	ran    bool    // false: found stored by the flight's second look
	stored *stored // nil: not cacheable, or not kept (store)
	// current is when (Redis's clock, microseconds) stored was last
	// known to hold no data a write has replaced.
	current int64
}

func (e *execution) Header() http.Header         { return e.header }
func (e *execution) WriteHeader(status int)      { e.status = status }
func (e *execution) Write(b []byte) (int, error) { return e.body.Write(b) }

// execute runs the request with a tag collector and stores its response
// if every anonymous caller may have it. The response's budget headers
// are set here, in the execution, so that a cacheable one drops them.
func (c *Cache) execute(next http.Handler, r *http.Request, key string, start int64) *execution {
	c.executions.Add(1)
	ctx, col := withCollector(r.Context())
	res := &execution{header: http.Header{}, status: http.StatusOK, ran: true}
	var rep ratelimit.Report
	next.ServeHTTP(res, r.WithContext(ratelimit.WithReport(ctx, &rep)))
	res.status = httpapi.ReportBudget(res.header, &rep, res.status)
	// Only a response the cache kept is shared: one a write replaced
	// while it ran is this request's alone (and no HTTP cache's).
	if s, ok := cacheable(res); ok {
		if at, kept := c.store(ctx, key, s, col.list(), start); kept {
			res.stored, res.current = s, at
		}
	}
	return res
}

// cacheable returns what to store of a response: its data, if it has no
// errors and carries no extension but the cost, which is per request.
func cacheable(res *execution) (*stored, bool) {
	if res.status != http.StatusOK {
		return nil, false
	}
	var resp struct {
		Data       json.RawMessage            `json:"data"`
		Errors     json.RawMessage            `json:"errors"`
		Extensions map[string]json.RawMessage `json:"extensions"`
	}
	if json.Unmarshal(res.body.Bytes(), &resp) != nil || len(resp.Errors) > 0 ||
		len(resp.Data) == 0 || bytes.Equal(resp.Data, []byte("null")) {
		return nil, false
	}
	for k, v := range resp.Extensions {
		if k != "cost" {
			return nil, false
		}
		// What costs nothing to run would cost more as a hit.
		var cost struct {
			Requested *int `json:"requestedQueryCost"`
		}
		if json.Unmarshal(v, &cost) != nil || cost.Requested == nil || *cost.Requested < HitCost {
			return nil, false
		}
	}
	sum := sha256.Sum256(resp.Data)
	return &stored{
		etag:        `W/"` + hex.EncodeToString(sum[:16]) + `"`,
		contentType: res.header.Get("Content-Type"),
		data:        resp.Data,
	}, true
}

// writeExecuted sends the response the handler wrote, with a validator and
// caching headers when it is cacheable.
func (c *Cache) writeExecuted(w http.ResponseWriter, r *http.Request, res *execution) {
	h := w.Header()
	for k, v := range res.header {
		h[k] = v
	}
	if res.stored == nil {
		if h.Get("Cache-Control") == "" {
			h.Set("Cache-Control", "no-store")
		}
		httpapi.WriteWhole(w, r, res.status, res.body.Bytes())
		return
	}
	c.cacheHeaders(h, r, res.stored)
	if notModified(r, res.stored.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	httpapi.WriteWhole(w, r, res.status, res.body.Bytes())
}

// cacheHeaders are those of a cacheable response. A GET may be kept by
// browsers and CDNs, like every anonymous GET answer without errors; its
// budget headers are dropped, since a shared cache would hand them to
// everyone. A POST is kept by no HTTP cache, but may be revalidated.
func (c *Cache) cacheHeaders(h http.Header, r *http.Request, s *stored) {
	h.Set("ETag", s.etag)
	h.Set("Vary", "Authorization, X-API-Key, "+httpapi.PreviewHeader+", Accept")
	if r.Method != http.MethodGet {
		h.Set("Cache-Control", "no-cache")
		return
	}
	h.Set("Cache-Control", c.cacheControl())
	httpapi.DropBudgetHeaders(h)
}

func notModified(r *http.Request, etag string) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" {
		return false
	}
	weak := strings.TrimPrefix(etag, "W/")
	for t := range strings.SplitSeq(inm, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == weak {
			return true
		}
	}
	return false
}

// serveHit writes a stored response with this request's cost: the stored
// bytes, then the cost extension. st is the hit's charge (nil: free).
func (c *Cache) serveHit(w http.ResponseWriter, r *http.Request, req *request, s *stored, st *ratelimit.Status) {
	ctx := r.Context()
	e := accesslog.From(ctx)
	e.SetOperation(req.opName, "query")
	e.SetViewer(folio.Viewer{})
	c.observe(ctx, st)
	if st != nil && !st.Allowed {
		e.AddErrorCodes(httpapi.ExtensionCode(folio.ERateLimited))
		c.refuse(w, st)
		return
	}
	h := w.Header()
	if r.Method != http.MethodGet && st != nil {
		httpapi.BudgetHeaders(h, *st, false)
	}
	c.cacheHeaders(h, r, s)
	if notModified(r, s.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", s.contentType)
	b := make([]byte, 0, len(s.data)+160)
	b = append(b, `{"data":`...)
	b = append(b, s.data...)
	b = append(b, `,"extensions":{"cost":{"requestedQueryCost":`...)
	b = strconv.AppendInt(b, HitCost, 10)
	b = append(b, `,"actualQueryCost":`...)
	b = strconv.AppendInt(b, HitCost, 10)
	if st != nil {
		b = appendThrottle(append(b, ','), *st)
	}
	b = append(b, "}}}"...)
	httpapi.WriteWhole(w, r, http.StatusOK, b)
}

func (c *Cache) observe(ctx context.Context, st *ratelimit.Status) {
	lim := c.o.Limiter
	if lim == nil || lim.Observe == nil || st == nil {
		return
	}
	o := ratelimit.Observation{Operation: "query", Requested: HitCost, Outcome: "ok", Actual: HitCost,
		Available: st.Available, Local: st.Local, Tier: c.tiers.Anonymous.Name}
	if !st.Allowed {
		o.Outcome, o.Actual = "throttled", 0
	}
	lim.Observe(ctx, o)
}

// appendThrottle writes "throttleStatus" as the cost extension reports it.
func appendThrottle(b []byte, st ratelimit.Status) []byte {
	b = append(b, `"throttleStatus":{"maximumAvailable":`...)
	b = strconv.AppendInt(b, int64(st.Capacity), 10)
	b = append(b, `,"currentlyAvailable":`...)
	b = strconv.AppendInt(b, int64(math.Floor(st.Available)), 10)
	b = append(b, `,"restoreRate":`...)
	b = strconv.AppendFloat(b, st.RestoreRate, 'f', -1, 64)
	return append(b, '}')
}

// refuse answers a hit the budget cannot pay as the handler answers any
// such operation: 429, RATE_LIMITED, Retry-After.
func (c *Cache) refuse(w http.ResponseWriter, st *ratelimit.Status) {
	ms := st.Wait.Milliseconds()
	body := map[string]any{
		"errors": []map[string]any{{
			"message":    st.Refusal(HitCost),
			"extensions": map[string]any{"code": httpapi.ExtensionCode(folio.ERateLimited), "retryAfterMs": ms, "requestedQueryCost": HitCost},
		}},
		"data": nil,
		"extensions": map[string]any{"cost": map[string]any{
			"requestedQueryCost": HitCost, "actualQueryCost": 0,
			"throttleStatus": map[string]any{"maximumAvailable": int(st.Capacity), "currentlyAvailable": int(math.Floor(st.Available)), "restoreRate": st.RestoreRate},
		}},
	}
	h := w.Header()
	httpapi.BudgetHeaders(h, *st, true)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_ = json.NewEncoder(w).Encode(body)
}
