package ratelimit

import (
	"context"
	"net/netip"

	"github.com/folio/folio/internal/folio"
)

// Ticket is one operation's account with its client's budget, from the
// take of its price to its settlement at what it actually cost. Admit
// makes it.
type Ticket struct {
	lim       *Limiter
	client    Client
	price     int
	status    Status // after the take
	budgeted  bool
	subscribe bool
	obs       Observation
}

// Throttled is the refusal of an operation whose price its client's
// budget cannot pay (folio.ERateLimited): the price and the bucket.
type Throttled struct {
	Cost   int
	Status Status
}

func (t *Throttled) Error() string { return t.Status.Refusal(t.Cost) }

// Operation is what the limiter knows of one operation.
type Operation struct {
	// Kind is "query", "mutation" or "subscription".
	Kind string
	// Price is what the calculator priced it at.
	Price Price
	// Addr is the client's address: the budget of an anonymous client.
	Addr netip.Addr
}

// account starts the ticket of op, from the context's viewer.
func (l *Limiter) account(ctx context.Context, op Operation) Ticket {
	t := Ticket{lim: l, price: op.Price.Total, subscribe: op.Kind == "subscription"}
	t.obs = Observation{Operation: op.Kind, Requested: op.Price.Total}
	if l.Budgets != nil {
		t.client = l.Tiers.ClientFor(folio.ViewerFrom(ctx), op.Addr)
		t.obs.Tier = t.client.Tier.Name
	}
	return t
}

// Admit checks an operation's price against the cost ceiling and takes it
// from its client's budget (the context's viewer's, else its address's).
// It returns a *Refusal (folio.ECostLimit) for a price over the ceiling
// and a *Throttled for a budget short of points; either way nothing was
// taken. The context's Report, if any, learns the bucket.
func (l *Limiter) Admit(ctx context.Context, op Operation) (Ticket, error) {
	t, p := l.account(ctx, op), op.Price
	if err := l.Limits.CheckCost(p); err != nil {
		o := t.obs
		o.Outcome = string(folio.ECostLimit)
		l.Note(ctx, o)
		return Ticket{}, err
	}
	if l.Budgets == nil {
		return t, nil
	}
	st := l.Budgets.Take(ctx, t.client, p.Total)
	t.status, t.budgeted = st, true
	ReportFrom(ctx).set(st, !st.Allowed)
	if !st.Allowed {
		o := t.obs
		o.Outcome, o.Local, o.Available = "throttled", st.Local, st.Available
		l.Note(ctx, o)
		return Ticket{}, &Throttled{Cost: p.Total, Status: st}
	}
	return t, nil
}

// DryRun is the answer to a dry run: the price, the ceiling and the
// client's bucket, which the dry run left as it was.
type DryRun struct {
	Price   Price
	MaxCost int
	// Status is the bucket; Budgeted is false when no budget is kept.
	Status   Status
	Budgeted bool
}

// DryRun prices op without running it or charging for it. The context's
// Report, if any, learns the bucket.
func (l *Limiter) DryRun(ctx context.Context, op Operation) DryRun {
	t := l.account(ctx, op)
	o := t.obs
	o.Outcome = "dryRun"
	l.Note(ctx, o)
	d := DryRun{Price: op.Price, MaxCost: l.Limits.MaxCost}
	if l.Budgets != nil {
		d.Status, d.Budgeted = l.Budgets.Look(ctx, t.client), true
		ReportFrom(ctx).set(d.Status, false)
	}
	return d
}

// Price is what the operation was priced at, and charged.
func (t *Ticket) Price() int { return t.price }

// MaxCost is the ceiling the price was checked against.
func (t *Ticket) MaxCost() int { return t.lim.Limits.MaxCost }

// Tier names the budget charged; empty when none was.
func (t *Ticket) Tier() string { return t.obs.Tier }

// Status is the client's bucket as the take left it; ok is false when no
// budget was charged.
func (t *Ticket) Status() (st Status, ok bool) { return t.status, t.budgeted }

// Settle settles the budget to what the operation actually cost, refunding
// what the price assumed and it did not use (or charging what it used
// beyond), and returns the bucket to report. A subscription is not
// settled: its price is what it costs (pass 0). The context's Report, if
// any, learns the bucket after the refund. Call it once.
func (t *Ticket) Settle(ctx context.Context, actual int) Status {
	st := t.status
	if t.budgeted && !t.subscribe && actual != t.price {
		st = t.lim.Budgets.Settle(ctx, t.client, actual-t.price, st)
		ReportFrom(ctx).set(st, false)
	}
	if t.lim.Observe != nil { // the observation is not built for nothing
		o := t.obs
		o.Outcome, o.Actual, o.Local = "ok", actual, st.Local
		if t.budgeted {
			o.Available = st.Available
		}
		t.lim.Observe(ctx, o)
	}
	return st
}

// RefusedPrice is what a document refused before it became an operation
// costs its client: one that does not parse or validate, or is over a shape
// ceiling. Reading it was work, and a client sending nothing else must run
// out of budget as any other does.
const RefusedPrice = MinPrice

// ChargeRefused takes RefusedPrice from the budget of the context's viewer
// (else addr's), into debt if need be, and returns the bucket; budgeted is
// false when no budget is kept. The context's Report, if any, learns the
// bucket, so the refusal carries the RateLimit headers too.
func (l *Limiter) ChargeRefused(ctx context.Context, addr netip.Addr) (st Status, budgeted bool) {
	if l.Budgets == nil {
		return Status{}, false
	}
	c := l.Tiers.ClientFor(folio.ViewerFrom(ctx), addr)
	st = l.Budgets.Adjust(ctx, c, RefusedPrice)
	ReportFrom(ctx).set(st, false)
	return st, true
}
