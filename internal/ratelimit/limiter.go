package ratelimit

import "context"

// Limiter is the whole rate limit as the GraphQL handler applies it: the
// ceilings every operation must fit under, and the budgets its cost is
// charged to.
type Limiter struct {
	// Limits are the ceilings; zero fields take DefaultLimits.
	Limits Limits
	// Budgets keep each client's bucket; nil charges nothing (the ceilings
	// still hold and responses still report the cost).
	Budgets *Budgets
	// Tiers size the buckets; a zero Tiers takes DefaultTiers.
	Tiers Tiers
	// Disabled serves with no pricing and no ceilings at all. Only
	// benchmarks measuring what pricing costs should set it.
	Disabled bool
	// Observe, if set, is told what was decided about each operation. It
	// runs on the request's path and must be quick.
	Observe func(context.Context, Observation)
}

// WithDefaults returns l with its unset parts taken from the defaults.
func (l Limiter) WithDefaults() Limiter {
	l.Limits = l.Limits.WithDefaults()
	if l.Tiers == (Tiers{}) {
		l.Tiers = DefaultTiers
	}
	return l
}

// Wait blocks until the refunds of finished operations have reached their
// buckets; call it on shutdown once the server has stopped serving.
func (l *Limiter) Wait() {
	if l != nil && l.Budgets != nil {
		l.Budgets.Wait()
	}
}

// Note tells Observe, if set, what was decided about an operation.
func (l *Limiter) Note(ctx context.Context, o Observation) {
	if l.Observe != nil {
		l.Observe(ctx, o)
	}
}

// Observation is what cost control decided about one operation, for
// metrics and logs.
type Observation struct {
	// Operation is "query", "mutation" or "subscription"; empty when the
	// document was refused before it was parsed.
	Operation string
	// Tier is the budget's tier; empty when no budget was consulted.
	Tier string
	// Requested is the price; Actual what the operation cost when it ran.
	Requested, Actual int
	// Outcome is "ok", "dryRun", "throttled" (RATE_LIMITED), or the code
	// of the ceiling that refused the operation (e.g. COST_LIMIT_EXCEEDED).
	Outcome string
	// Available is what the budget holds after the decision (after the
	// refund, for "ok"); zero when no budget was consulted.
	Available float64
	// Local reports that the instance's own bucket answered (Redis down).
	Local bool
}
