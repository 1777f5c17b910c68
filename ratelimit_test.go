package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/folio/folio/internal/metrics"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/redistest"
)

func loadConfig(t *testing.T, env map[string]string, args ...string) (config, error) {
	t.Helper()
	fs := flagSet("serve", io.Discard)
	load := configFlags(fs, envOf(env))
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return load()
}

func TestConfig_RateLimit(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c, err := loadConfig(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		rl := c.RateLimit
		if !rl.Budgets || rl.Limits != ratelimit.DefaultLimits || rl.Tiers != ratelimit.DefaultTiers || len(rl.TrustedProxies) != 0 {
			t.Errorf("got %+v", rl)
		}
	})
	t.Run("FromEnvAndFlags", func(t *testing.T) {
		c, err := loadConfig(t, map[string]string{
			"RATE_LIMIT_ANONYMOUS": "500/5", "RATE_LIMIT_API_KEY": "20000/1000", "MAX_QUERY_COST": "400",
			"TRUSTED_PROXIES": "10.0.0.0/8", "RATE_LIMIT": "false",
		}, "--rate-limit-user", "800/12.5", "--max-query-depth", "9")
		if err != nil {
			t.Fatal(err)
		}
		rl := c.RateLimit
		want := ratelimit.Tiers{
			Anonymous: ratelimit.Tier{Name: "anonymous", Capacity: 500, RestoreRate: 5},
			User:      ratelimit.Tier{Name: "user", Capacity: 800, RestoreRate: 12.5},
			APIKey:    ratelimit.Tier{Name: "apiKey", Capacity: 20000, RestoreRate: 1000},
		}
		if rl.Budgets || rl.Tiers != want || rl.Limits.MaxCost != 400 || rl.Limits.MaxDepth != 9 ||
			len(rl.TrustedProxies) != 1 || !rl.TrustedProxies[0].Contains(netip.MustParseAddr("10.1.2.3")) {
			t.Errorf("got %+v", rl)
		}
	})
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"BadTier":          {map[string]string{"RATE_LIMIT_USER": "lots"}, "RATE_LIMIT_USER must be capacity/points-per-second"},
		"ZeroRate":         {map[string]string{"RATE_LIMIT_USER": "2000/0"}, "RATE_LIMIT_USER must be"},
		"TierUnderCeiling": {map[string]string{"RATE_LIMIT_ANONYMOUS": "500/50"}, "under MAX_QUERY_COST (1000)"},
		"BadProxy":         {map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, "TRUSTED_PROXIES"},
		"BadCost":          {map[string]string{"MAX_QUERY_COST": "0"}, "MAX_QUERY_COST must be a whole number"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestNewLimiter_Metrics checks the limiter's decisions and fallbacks reach
// the Prometheus metrics of issue 6.
func TestNewLimiter_Metrics(t *testing.T) {
	m := metrics.New(metrics.Options{})
	c, err := loadConfig(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	lim := newLimiter(c.RateLimit, redistest.Dead(t), slog.New(slog.DiscardHandler), m)
	ctx := context.Background()
	lim.Budgets.Take(ctx, ratelimit.Client{Key: "ip:x", Tier: c.RateLimit.Tiers.Anonymous}, 1)
	lim.Observe(ctx, ratelimit.Observation{Outcome: "ok", Tier: "anonymous", Actual: 12, Available: 988})
	lim.Observe(ctx, ratelimit.Observation{Outcome: "throttled", Tier: "anonymous", Requested: 900, Available: 10})
	lim.Observe(ctx, ratelimit.Observation{Outcome: "dryRun", Tier: "anonymous", Requested: 5})
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`folio_ratelimit_decisions_total{decision="allowed"} 1`,
		`folio_ratelimit_decisions_total{decision="limited"} 1`,
		`folio_ratelimit_fallbacks_total 1`,
		`folio_graphql_operation_cost_count 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
