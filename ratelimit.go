package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/metrics"
	"github.com/folio/folio/internal/ratelimit"
)

// rateLimitConfig is the configuration of the query-cost rate limit.
type rateLimitConfig struct {
	// Budgets charges each operation's cost to its client's bucket in
	// Redis. Off, the ceilings still hold.
	Budgets        bool
	Limits         ratelimit.Limits
	Tiers          ratelimit.Tiers
	TrustedProxies ratelimit.Proxies
}

// rateLimitFlags registers the rate limit's flags; the returned function
// builds its configuration once fs is parsed, adding its problems to errs.
func rateLimitFlags(fs *flag.FlagSet, env func(key, def string) string) func(errs *[]error) rateLimitConfig {
	d, t := ratelimit.DefaultLimits, ratelimit.DefaultTiers
	tier := func(x ratelimit.Tier) string {
		return strconv.FormatFloat(x.Capacity, 'f', -1, 64) + "/" + strconv.FormatFloat(x.RestoreRate, 'f', -1, 64)
	}
	budgets := fs.String("rate-limit", env("RATE_LIMIT", "true"), "charge each operation's cost to its client's budget in Redis: true or false (env RATE_LIMIT)")
	anon := fs.String("rate-limit-anonymous", env("RATE_LIMIT_ANONYMOUS", tier(t.Anonymous)), "budget per client address: capacity/points restored a second (env RATE_LIMIT_ANONYMOUS)")
	user := fs.String("rate-limit-user", env("RATE_LIMIT_USER", tier(t.User)), "budget per signed-in user: capacity/points a second (env RATE_LIMIT_USER)")
	key := fs.String("rate-limit-api-key", env("RATE_LIMIT_API_KEY", tier(t.APIKey)), "budget per API key: capacity/points a second (env RATE_LIMIT_API_KEY)")
	cost := fs.String("max-query-cost", env("MAX_QUERY_COST", strconv.Itoa(d.MaxCost)), "the most one operation may cost (env MAX_QUERY_COST)")
	depth := fs.String("max-query-depth", env("MAX_QUERY_DEPTH", strconv.Itoa(d.MaxDepth)), "the deepest fields may nest (env MAX_QUERY_DEPTH)")
	aliases := fs.String("max-query-aliases", env("MAX_QUERY_ALIASES", strconv.Itoa(d.MaxAliases)), "the most aliased fields in a document (env MAX_QUERY_ALIASES)")
	tokens := fs.String("max-query-tokens", env("MAX_QUERY_TOKENS", strconv.Itoa(d.MaxTokens)), "the most tokens in a document (env MAX_QUERY_TOKENS)")
	proxies := fs.String("trusted-proxies", env("TRUSTED_PROXIES", ""), "CIDR blocks or addresses of the proxies whose X-Forwarded-For is believed, comma-separated (env TRUSTED_PROXIES)")
	return func(errs *[]error) rateLimitConfig {
		c := rateLimitConfig{Budgets: parseBool("RATE_LIMIT", *budgets, true, errs), Limits: d}
		c.Limits.MaxCost = parsePositive("MAX_QUERY_COST", *cost, errs)
		c.Limits.MaxDepth = parsePositive("MAX_QUERY_DEPTH", *depth, errs)
		c.Limits.MaxAliases = parsePositive("MAX_QUERY_ALIASES", *aliases, errs)
		c.Limits.MaxTokens = parsePositive("MAX_QUERY_TOKENS", *tokens, errs)
		c.Tiers.Anonymous = parseTier("RATE_LIMIT_ANONYMOUS", "anonymous", *anon, c.Limits.MaxCost, errs)
		c.Tiers.User = parseTier("RATE_LIMIT_USER", "user", *user, c.Limits.MaxCost, errs)
		c.Tiers.APIKey = parseTier("RATE_LIMIT_API_KEY", "apiKey", *key, c.Limits.MaxCost, errs)
		var err error
		if c.TrustedProxies, err = ratelimit.ParseProxies(*proxies); err != nil {
			*errs = append(*errs, fmt.Errorf("TRUSTED_PROXIES: %v", err))
		}
		return c
	}
}

// parseTier reads "capacity/rate". A bucket smaller than the cost ceiling
// would refuse, forever, operations the ceiling allows.
func parseTier(name, tier, v string, maxCost int, errs *[]error) ratelimit.Tier {
	c, r, ok := strings.Cut(v, "/")
	capacity, err1 := strconv.ParseFloat(strings.TrimSpace(c), 64)
	rate, err2 := strconv.ParseFloat(strings.TrimSpace(r), 64)
	switch {
	case !ok || err1 != nil || err2 != nil || capacity <= 0 || rate <= 0:
		*errs = append(*errs, fmt.Errorf("%s must be capacity/points-per-second such as 1000/50, not %q", name, v))
	case capacity < float64(maxCost):
		*errs = append(*errs, fmt.Errorf("%s: a capacity of %s is under MAX_QUERY_COST (%d), so some allowed operations could never run", name, c, maxCost))
	}
	return ratelimit.Tier{Name: tier, Capacity: capacity, RestoreRate: rate}
}

// newLimiter builds the rate limit from its configuration; the budgets live
// in rdb under Folio's key prefix. Its decisions and fallbacks are counted
// in m, when metrics are on.
func newLimiter(c rateLimitConfig, rdb redis.UniversalClient, log *slog.Logger, m *metrics.Metrics) *ratelimit.Limiter {
	lim := &ratelimit.Limiter{Limits: c.Limits, Tiers: c.Tiers, Proxies: c.TrustedProxies}
	if c.Budgets {
		lim.Budgets = ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: redisPrefix + "ratelimit:", Logger: log})
	}
	if m == nil || lim.Budgets == nil {
		return lim
	}
	b := lim.Budgets
	m.Registry().MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "folio_ratelimit_fallbacks_total",
		Help: "Rate-limit decisions made by an instance's in-memory bucket because Redis was unreachable.",
	}, func() float64 { return float64(b.Stats().Fallbacks) }))
	lim.Observe = func(_ context.Context, o ratelimit.Observation) {
		switch o.Outcome {
		case "ok":
			m.RateLimit(true, float64(o.Actual), o.Available)
		case "throttled":
			m.RateLimit(false, float64(o.Requested), o.Available)
		}
	}
	return lim
}
