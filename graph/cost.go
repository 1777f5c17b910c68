package graph

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/ratelimit"
)

// costControl is the gqlgen extension that prices each operation from the
// schema's @cost and @listSize declarations and has ratelimit account for
// it: refuse what goes over a ceiling before it runs, take the price from
// the client's budget, and after the operation ran settle the budget to
// what it actually cost. It reports the cost in extensions.cost.
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
	_ graphql.ResponseInterceptor       = (*costControl)(nil)
	_ graphql.OperationInterceptor      = (*costControl)(nil)
)

// InterceptOperation prices a subscription when it starts, and refuses it
// over the ceiling or the client's budget; it pays that price once, not
// for each event.
func (c *costControl) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if !isSubscription(ctx) {
		return next(ctx)
	}
	op, refusal := c.admit(ctx, graphql.GetOperationContext(ctx))
	if refusal != nil {
		return graphql.OneShot(refusal)
	}
	op.Settle(ctx, op.Price())
	return next(context.WithValue(ctx, opCostKey{}, op))
}

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
// parses and validates it: validation's work grows with fields, repeats,
// fragment spreads, aliases and depth, and is what these limits bound.
// Validation cannot be interrupted, so a request whose deadline passed
// (while it waited on the database for its credentials, say) is not
// validated at all.
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
		c.lim.Note(ctx, ratelimit.Observation{Outcome: string(r.Code)})
		return refusalError(r)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &gqlerror.Error{Message: "The request ran out of time before its document was validated.", Extensions: map[string]any{"code": extCode(folio.ETimeout)}}
	}
	return nil
}

// opCost is one operation's account while gqlgen runs it.
type opCost struct{ ratelimit.Ticket }

type opCostKey struct{}

func opCostFrom(ctx context.Context) *opCost {
	op, _ := ctx.Value(opCostKey{}).(*opCost)
	return op
}

// admit prices the operation and has its price taken from the client's
// budget; or it returns the answer to give without running it: a dry run,
// a price over the ceiling, a budget short of points.
func (c *costControl) admit(ctx context.Context, oc *graphql.OperationContext) (*opCost, *graphql.Response) {
	dry, gqlErr := isDryRun(ctx, oc)
	if gqlErr != nil {
		return nil, &graphql.Response{Errors: gqlerror.List{gqlErr}}
	}
	o := ratelimit.Operation{Kind: string(oc.Operation.Operation), Price: c.calc.Price(oc.Operation, oc.Variables, dry), Addr: clientaddr.From(ctx)}
	if dry {
		return nil, &graphql.Response{Extensions: map[string]any{"cost": dryRunCost(c.lim.DryRun(ctx, o))}}
	}
	t, err := c.lim.Admit(ctx, o)
	switch r := err.(type) {
	case *ratelimit.Refusal:
		return nil, &graphql.Response{
			Errors:     gqlerror.List{refusalError(r)},
			Extensions: map[string]any{"cost": map[string]any{"requestedQueryCost": r.Figure, "actualQueryCost": 0, "maximumQueryCost": r.Limit}},
		}
	case *ratelimit.Throttled:
		return nil, &graphql.Response{
			Errors: gqlerror.List{rateLimitedError(r)},
			Extensions: map[string]any{"cost": map[string]any{
				"requestedQueryCost": r.Cost, "actualQueryCost": 0, "throttleStatus": throttleStatus(r.Status),
			}},
		}
	}
	return &opCost{Ticket: t}, nil
}

// dryRunCost is extensions.cost of a dry run.
func dryRunCost(d ratelimit.DryRun) map[string]any {
	fields := d.Price.Fields
	if fields == nil {
		fields = []ratelimit.FieldPrice{}
	}
	ext := map[string]any{"dryRun": true, "requestedQueryCost": d.Price.Total, "maximumQueryCost": d.MaxCost, "fields": fields}
	if d.Budgeted {
		ext["throttleStatus"] = throttleStatus(d.Status)
	}
	return ext
}

// InterceptResponse admits a query or mutation before it runs (the
// executor runs it inside the response handler), then settles the budget
// to the actual cost, read from the response's data, and reports both in
// extensions.cost.
func (c *costControl) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) || graphql.GetOperationContext(ctx).Operation == nil {
		// Refused before it was an operation (a shape ceiling, parsing,
		// validation): it is charged too, so that no document is free.
		resp := next(ctx)
		if resp == nil || len(resp.Errors) == 0 {
			return resp
		}
		ext := map[string]any{"requestedQueryCost": ratelimit.RefusedPrice, "actualQueryCost": ratelimit.RefusedPrice}
		if st, budgeted := c.lim.ChargeRefused(ctx, clientaddr.From(ctx)); budgeted {
			ext["throttleStatus"] = throttleStatus(st)
		}
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cost"] = ext
		return resp
	}
	operation := graphql.GetOperationContext(ctx).Operation
	if operation.Operation == ast.Subscription {
		return next(ctx) // priced when it started
	}
	op, refusal := c.admit(ctx, graphql.GetOperationContext(ctx))
	if refusal != nil {
		return refusal
	}
	resp := next(context.WithValue(ctx, opCostKey{}, op))
	if resp == nil {
		return resp
	}
	actual := c.calc.Actual(operation, resp.Data)
	if len(resp.Errors) > 0 && operation.Operation == ast.Query {
		// A failed field nulls the objects above it, and the work done
		// under them leaves nothing in the data to count: no refund.
		actual = max(actual, op.Price())
	}
	ext := &ranCost{RequestedQueryCost: op.Price(), ActualQueryCost: actual}
	st := op.Settle(ctx, actual)
	if _, budgeted := op.Status(); budgeted {
		ext.ThrottleStatus = throttleStatus(st)
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
	if op == nil {
		return nil
	}
	st, budgeted := op.Status()
	if !budgeted {
		return nil
	}
	return &model.RateLimit{
		Tier:               op.Tier(),
		MaximumAvailable:   int(st.Capacity),
		CurrentlyAvailable: int(math.Floor(st.Available)),
		RestoreRate:        st.RestoreRate,
		ResetAt:            time.Now().Add(st.ResetIn()).UTC().Truncate(time.Millisecond),
		RequestedQueryCost: op.Price(),
		MaximumQueryCost:   op.MaxCost(),
	}
}

// isDryRun reports whether the request asked for a dry run, by request
// extension or by its transport (httpapi notes the Folio-Dry-Run header).
func isDryRun(ctx context.Context, oc *graphql.OperationContext) (bool, *gqlerror.Error) {
	if v, ok := oc.Extensions["dryRun"]; ok {
		b, ok := v.(bool)
		if !ok {
			return false, &gqlerror.Error{Message: "extensions.dryRun must be true or false.", Extensions: map[string]any{"code": extCode(folio.EInvalid)}}
		}
		if b {
			return true, nil
		}
	}
	return ratelimit.DryRunFrom(ctx), nil
}

// ranCost is extensions.cost of an operation that ran: every response
// carries it. A struct, as encoding/json writes one from a cached plan,
// where a map is reflected on and its keys sorted on every response
// (1.6% of an article page's CPU). Its fields are in the order of the
// keys a map had, sorted, so the JSON is the same.
type ranCost struct {
	ActualQueryCost    int             `json:"actualQueryCost"`
	RequestedQueryCost int             `json:"requestedQueryCost"`
	ThrottleStatus     *throttleFigure `json:"throttleStatus,omitempty"`
}

// throttleFigure is a client's budget in extensions.cost.throttleStatus.
type throttleFigure struct {
	CurrentlyAvailable int     `json:"currentlyAvailable"`
	MaximumAvailable   int     `json:"maximumAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

func throttleStatus(st ratelimit.Status) *throttleFigure {
	return &throttleFigure{
		MaximumAvailable:   int(st.Capacity),
		CurrentlyAvailable: int(math.Floor(st.Available)),
		RestoreRate:        st.RestoreRate,
	}
}

func refusalError(r *ratelimit.Refusal) *gqlerror.Error {
	return &gqlerror.Error{Message: r.Error(), Extensions: map[string]any{"code": extCode(r.Code), r.What: r.Figure, "limit": r.Limit}}
}

func rateLimitedError(th *ratelimit.Throttled) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    th.Error(),
		Extensions: map[string]any{"code": extCode(folio.ERateLimited), "retryAfterMs": th.Status.Wait.Milliseconds(), "requestedQueryCost": th.Cost},
	}
}
