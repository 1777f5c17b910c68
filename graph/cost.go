package graph

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/ratelimit"
)

// DryRunHeader asks for an operation's price without running it, like the
// request extension {"dryRun": true}.
const DryRunHeader = "Folio-Dry-Run"

// costControl is the gqlgen extension that prices each operation from the
// schema's @cost and @listSize declarations, refuses what goes over a
// ceiling before it runs, takes the price from the client's budget, and
// after the operation ran settles the budget to what it actually cost.
type costControl struct {
	calc *ratelimit.Calculator
	lim  ratelimit.Limiter
	// shapes remembers the shape refusal (or nil) of recent documents, so
	// that a document sent again is not lexed and parsed again.
	shapes *lru.LRU[*ratelimit.Refusal]
}

var (
	_ graphql.HandlerExtension          = (*costControl)(nil)
	_ graphql.OperationParameterMutator = (*costControl)(nil)
	_ graphql.OperationInterceptor      = (*costControl)(nil)
	_ graphql.ResponseInterceptor       = (*costControl)(nil)
)

func newCostControl(es graphql.ExecutableSchema, lim ratelimit.Limiter) (*costControl, error) {
	calc, err := ratelimit.NewCalculator(es.Schema(), ratelimit.CalculatorOptions{MaxListSize: folio.MaxPageSize})
	if err != nil {
		return nil, err
	}
	return &costControl{calc: calc, lim: lim.WithDefaults(), shapes: lru.New[*ratelimit.Refusal](1000)}, nil
}

func (*costControl) ExtensionName() string                          { return "CostControl" }
func (*costControl) Validate(schema graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters checks the document's shape before gqlgen
// parses and validates it: validation's work grows with aliases and
// depth, and is what these limits bound.
func (c *costControl) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	r, ok := c.shapes.Get(ctx, p.Query)
	if !ok {
		_, err := c.lim.Limits.MeasureShape(p.Query)
		r, _ = err.(*ratelimit.Refusal)
		if len(p.Query) <= 4<<10 { // bounds the cache's memory
			c.shapes.Add(ctx, p.Query, r)
		}
	}
	if r != nil {
		c.observe(ctx, ratelimit.Observation{Outcome: string(r.Code)})
		return refusalError(r)
	}
	return nil
}

func (c *costControl) observe(ctx context.Context, o ratelimit.Observation) {
	if c.lim.Observe != nil {
		c.lim.Observe(ctx, o)
	}
}

// opCost is one operation's account, from its price to its settlement.
type opCost struct {
	requested int
	client    ratelimit.Client
	status    ratelimit.Status // after the take
	budgeted  bool
	subscribe bool
	settled   atomic.Bool
	maxCost   int
	obs       ratelimit.Observation
}

type opCostKey struct{}

func opCostFrom(ctx context.Context) *opCost {
	op, _ := ctx.Value(opCostKey{}).(*opCost)
	return op
}

// InterceptOperation prices a subscription and takes its price when it
// starts, before its resolver runs. Queries and mutations are priced in
// InterceptResponse, around their execution, so that a refusal passes
// through the other extensions' response interceptors (logs, metrics,
// traces) like any answer.
func (c *costControl) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	op, refusal := c.admit(ctx, oc)
	if refusal != nil {
		return graphql.OneShot(refusal)
	}
	return next(context.WithValue(ctx, opCostKey{}, op))
}

// admit prices the operation and takes the price from the client's
// budget; or it returns the answer to give without running it: a dry run,
// a price over the ceiling, a budget short of points.
func (c *costControl) admit(ctx context.Context, oc *graphql.OperationContext) (*opCost, *graphql.Response) {
	dry, err := isDryRun(ctx, oc)
	if err != nil {
		return nil, &graphql.Response{Errors: gqlerror.List{err.(*gqlerror.Error)}}
	}
	price := c.calc.Price(oc.Operation, oc.Variables, dry)
	op := &opCost{requested: price.Total, maxCost: c.lim.Limits.MaxCost, subscribe: oc.Operation.Operation == ast.Subscription}
	budgets := c.lim.Budgets
	if budgets != nil {
		op.client = c.lim.Tiers.ClientFor(folio.ViewerFrom(ctx), clientaddr.From(ctx))
	}
	hc := httpCostFrom(ctx)

	obs := ratelimit.Observation{Operation: string(oc.Operation.Operation), Requested: price.Total}
	if budgets != nil {
		obs.Tier = op.client.Tier.Name
	}
	if dry {
		obs.Outcome = "dryRun"
		c.observe(ctx, obs)
		fields := price.Fields
		if fields == nil {
			fields = []ratelimit.FieldPrice{}
		}
		ext := map[string]any{"dryRun": true, "requestedQueryCost": price.Total, "maximumQueryCost": op.maxCost, "fields": fields}
		if budgets != nil {
			st := budgets.Look(ctx, op.client)
			hc.set(st, false)
			ext["throttleStatus"] = throttleStatus(st)
		}
		return nil, &graphql.Response{Extensions: map[string]any{"cost": ext}}
	}
	if err := c.lim.Limits.CheckCost(price); err != nil {
		obs.Outcome = string(folio.ECostLimit)
		c.observe(ctx, obs)
		return nil, &graphql.Response{
			Errors:     gqlerror.List{refusalError(err.(*ratelimit.Refusal))},
			Extensions: map[string]any{"cost": map[string]any{"requestedQueryCost": price.Total, "actualQueryCost": 0, "maximumQueryCost": op.maxCost}},
		}
	}
	if budgets != nil {
		st := budgets.Take(ctx, op.client, price.Total)
		op.status, op.budgeted = st, true
		hc.set(st, !st.Allowed)
		if !st.Allowed {
			obs.Outcome, obs.Local, obs.Available = "throttled", st.Local, st.Available
			c.observe(ctx, obs)
			return nil, &graphql.Response{
				Errors: gqlerror.List{rateLimitedError(price.Total, st)},
				Extensions: map[string]any{"cost": map[string]any{
					"requestedQueryCost": price.Total, "actualQueryCost": 0, "throttleStatus": throttleStatus(st),
				}},
			}
		}
	}
	op.obs = obs
	return op, nil
}

// InterceptResponse admits a query or mutation before it runs (the
// executor runs it inside the response handler), then settles the budget
// to the actual cost, read from the response's data, refunding what the
// price assumed and the operation did not use, and reports both in
// extensions.cost.
func (c *costControl) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	op := opCostFrom(ctx)
	if op == nil {
		if !graphql.HasOperationContext(ctx) || graphql.GetOperationContext(ctx).Operation == nil {
			return next(ctx) // refused before it was an operation
		}
		var refusal *graphql.Response
		if op, refusal = c.admit(ctx, graphql.GetOperationContext(ctx)); refusal != nil {
			return refusal
		}
		ctx = context.WithValue(ctx, opCostKey{}, op)
	}
	resp := next(ctx)
	if resp == nil || op.settled.Swap(true) {
		return resp // a subscription's later events, or deferred parts
	}
	ext := map[string]any{"requestedQueryCost": op.requested}
	st := op.status
	actual := 0
	if !op.subscribe {
		actual = c.calc.Actual(graphql.GetOperationContext(ctx).Operation, resp.Data)
		ext["actualQueryCost"] = actual
		if op.budgeted && actual != op.requested {
			st = c.lim.Budgets.Settle(ctx, op.client, actual-op.requested, st)
			httpCostFrom(ctx).set(st, false)
		}
	}
	if op.budgeted {
		ext["throttleStatus"] = throttleStatus(st)
	}
	if c.lim.Observe != nil {
		o := op.obs
		o.Outcome, o.Actual, o.Local = "ok", actual, st.Local
		if op.budgeted {
			o.Available = st.Available
		}
		c.lim.Observe(ctx, o)
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cost"] = ext
	return resp
}

// rateLimit answers the rateLimit field: the caller's bucket as this
// operation left it, without spending anything more.
func rateLimit(ctx context.Context) *model.RateLimit {
	op := opCostFrom(ctx)
	if op == nil || !op.budgeted {
		return nil
	}
	st := op.status
	return &model.RateLimit{
		Tier:               op.client.Tier.Name,
		MaximumAvailable:   int(st.Capacity),
		CurrentlyAvailable: int(math.Floor(st.Available)),
		RestoreRate:        st.RestoreRate,
		ResetAt:            time.Now().Add(st.ResetIn()).UTC().Truncate(time.Millisecond),
		RequestedQueryCost: op.requested,
		MaximumQueryCost:   op.maxCost,
	}
}

type dryRunKey struct{}

// isDryRun reports whether the request asked for a dry run, by request
// extension or by header (which withRateLimitHTTP notes for every
// transport).
func isDryRun(ctx context.Context, oc *graphql.OperationContext) (bool, error) {
	if v, ok := oc.Extensions["dryRun"]; ok {
		b, ok := v.(bool)
		if !ok {
			return false, &gqlerror.Error{Message: "extensions.dryRun must be true or false.", Extensions: map[string]any{"code": extCode(folio.EInvalid)}}
		}
		if b {
			return true, nil
		}
	}
	v, _ := ctx.Value(dryRunKey{}).(bool)
	return v, nil
}

func throttleStatus(st ratelimit.Status) map[string]any {
	return map[string]any{
		"maximumAvailable":   int(st.Capacity),
		"currentlyAvailable": int(math.Floor(st.Available)),
		"restoreRate":        st.RestoreRate,
	}
}

func refusalError(r *ratelimit.Refusal) *gqlerror.Error {
	return &gqlerror.Error{Message: r.Error(), Extensions: map[string]any{"code": extCode(r.Code), r.What: r.Figure, "limit": r.Limit}}
}

func rateLimitedError(cost int, st ratelimit.Status) *gqlerror.Error {
	ms := st.Wait.Milliseconds()
	return &gqlerror.Error{
		Message:    st.Refusal(cost),
		Extensions: map[string]any{"code": extCode(folio.ERateLimited), "retryAfterMs": ms, "requestedQueryCost": cost},
	}
}

// httpCost carries what the HTTP response must say about the budget, from
// the extension that learns it to the writer that sends the headers.
type httpCost struct {
	mu        sync.Mutex
	status    *ratelimit.Status
	throttled bool
}

type httpCostKey struct{}

func httpCostFrom(ctx context.Context) *httpCost {
	hc, _ := ctx.Value(httpCostKey{}).(*httpCost)
	return hc
}

func (hc *httpCost) set(st ratelimit.Status, throttled bool) {
	if hc == nil {
		return
	}
	hc.mu.Lock()
	defer hc.mu.Unlock()
	hc.status, hc.throttled = &st, throttled
}

// withRateLimitHTTP notes a dry run asked for by header, and gives the
// response its RateLimit-* headers, and 429 with Retry-After when the
// budget refused the operation.
func withRateLimitHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if v := r.Header.Get(DryRunHeader); v != "" {
			// A dry run mistaken for a real one could run a mutation.
			dry, err := strconv.ParseBool(v)
			if err != nil {
				httpapi.WriteError(w, r, folio.Errorf(folio.EInvalid, "%s must be true or false.", DryRunHeader))
				return
			}
			ctx = context.WithValue(ctx, dryRunKey{}, dry)
		}
		if r.Header.Get("Upgrade") != "" {
			// A WebSocket carries many operations; no one status fits.
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		hc := &httpCost{}
		cw := &costWriter{ResponseWriter: w, hc: hc}
		next.ServeHTTP(cw, r.WithContext(context.WithValue(ctx, httpCostKey{}, hc)))
	})
}

// costWriter adds the budget's headers before the status goes out.
type costWriter struct {
	http.ResponseWriter
	hc    *httpCost
	wrote bool
}

func (w *costWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	w.hc.mu.Lock()
	st, throttled := w.hc.status, w.hc.throttled
	w.hc.mu.Unlock()
	if st != nil {
		h := w.Header()
		h.Set("RateLimit-Limit", strconv.Itoa(int(st.Capacity)))
		h.Set("RateLimit-Remaining", strconv.Itoa(max(0, int(math.Floor(st.Available)))))
		h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(st.ResetIn().Seconds()))))
		if throttled {
			h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(st.Wait.Seconds())))))
			code = http.StatusTooManyRequests
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *costWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *costWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
