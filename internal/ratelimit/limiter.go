package ratelimit

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
	// Proxies are the peers whose X-Forwarded-For is believed.
	Proxies Proxies
	// Disabled serves with no pricing and no ceilings at all. Only
	// benchmarks measuring what pricing costs should set it.
	Disabled bool
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
