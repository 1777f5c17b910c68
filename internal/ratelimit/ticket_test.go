package ratelimit_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/redistest"
)

// testLimiter charges every client testTier (100 points, 10 a second) in
// a bucket of its own test's, and records what it observes.
func testLimiter(t *testing.T) (*ratelimit.Limiter, *[]ratelimit.Observation) {
	t.Helper()
	rdb := redistest.Client(t)
	var seen []ratelimit.Observation
	lim := ratelimit.Limiter{
		Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: redistest.Prefix(t, rdb)}),
		Tiers:   ratelimit.Tiers{Anonymous: testTier, User: testTier, APIKey: testTier},
		Limits:  ratelimit.Limits{MaxCost: 50},
		Observe: func(_ context.Context, o ratelimit.Observation) { seen = append(seen, o) },
	}.WithDefaults()
	return &lim, &seen
}

func query(total int) ratelimit.Operation {
	return ratelimit.Operation{Kind: "query", Price: ratelimit.Price{Total: total}, Addr: netip.MustParseAddr("192.0.2.7")}
}

func TestLimiter_Admit(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		lim, seen := testLimiter(t)
		var rep ratelimit.Report
		tk, err := lim.Admit(ratelimit.WithReport(context.Background(), &rep), query(30))
		if err != nil {
			t.Fatalf("Admit: %v", err)
		}
		st, ok := tk.Status()
		if !ok || !st.Allowed || st.Available > 70 {
			t.Fatalf("status = %+v, %v; want 30 of 100 taken", st, ok)
		}
		if got, refused, ok := rep.Budget(); !ok || refused || got != st {
			t.Errorf("report = %+v, %v, %v; want the take's status, not refused", got, refused, ok)
		}
		if tk.Price() != 30 || tk.MaxCost() != 50 || tk.Tier() != "test" {
			t.Errorf("ticket = price %d, max %d, tier %q; want 30, 50, test", tk.Price(), tk.MaxCost(), tk.Tier())
		}
		if len(*seen) != 0 {
			t.Errorf("observed %+v before the operation settled", *seen)
		}
	})
	t.Run("OverCeiling", func(t *testing.T) {
		lim, seen := testLimiter(t)
		var rep ratelimit.Report
		_, err := lim.Admit(ratelimit.WithReport(context.Background(), &rep), query(51))
		var r *ratelimit.Refusal
		if !errors.As(err, &r) || r.Code != folio.ECostLimit || r.Figure != 51 || r.Limit != 50 {
			t.Fatalf("err = %v, want a cost refusal of 51 over 50", err)
		}
		if _, _, ok := rep.Budget(); ok {
			t.Error("the report tells of a budget that was not consulted")
		}
		if len(*seen) != 1 || (*seen)[0].Outcome != string(folio.ECostLimit) {
			t.Errorf("observed %+v, want one cost refusal", *seen)
		}
	})
	t.Run("Throttled", func(t *testing.T) {
		lim, seen := testLimiter(t)
		for range 2 {
			if _, err := lim.Admit(context.Background(), query(45)); err != nil {
				t.Fatalf("Admit: %v", err)
			}
		}
		var rep ratelimit.Report
		_, err := lim.Admit(ratelimit.WithReport(context.Background(), &rep), query(45))
		var th *ratelimit.Throttled
		if !errors.As(err, &th) || th.Cost != 45 || th.Status.Allowed || th.Status.Wait <= 0 {
			t.Fatalf("err = %v, want throttled with a wait", err)
		}
		if _, refused, ok := rep.Budget(); !ok || !refused {
			t.Errorf("report: refused %v, ok %v; want a refusal", refused, ok)
		}
		if n := len(*seen); n != 1 || (*seen)[0].Outcome != "throttled" {
			t.Errorf("observed %+v, want one throttled", *seen)
		}
	})
	t.Run("NoBudgets", func(t *testing.T) {
		lim := ratelimit.Limiter{}.WithDefaults()
		tk, err := lim.Admit(context.Background(), query(10))
		if err != nil {
			t.Fatalf("Admit: %v", err)
		}
		if _, ok := tk.Status(); ok || tk.Tier() != "" {
			t.Errorf("a ticket without budgets reports a budget (tier %q)", tk.Tier())
		}
	})
}

func TestTicket_Settle(t *testing.T) {
	t.Run("Refund", func(t *testing.T) {
		lim, seen := testLimiter(t)
		start := time.Now()
		tk, err := lim.Admit(context.Background(), query(40))
		if err != nil {
			t.Fatalf("Admit: %v", err)
		}
		taken, _ := tk.Status()
		var rep ratelimit.Report
		st := tk.Settle(ratelimit.WithReport(context.Background(), &rep), 10)
		if want := taken.Available + 30; st.Available != want {
			t.Errorf("settled available = %v, want %v", st.Available, want)
		}
		if got, _, ok := rep.Budget(); !ok || got != st {
			t.Errorf("report = %+v, want the settled status", got)
		}
		lim.Wait()
		c := lim.Tiers.ClientFor(folio.Viewer{}, netip.MustParseAddr("192.0.2.7"))
		between(t, "bucket after the refund", lim.Budgets.Look(context.Background(), c).Available, 90, start)
		o := (*seen)[len(*seen)-1]
		if o.Outcome != "ok" || o.Requested != 40 || o.Actual != 10 || o.Available != st.Available {
			t.Errorf("observed %+v", o)
		}
	})
	t.Run("ExactPrice", func(t *testing.T) {
		lim, _ := testLimiter(t)
		tk, _ := lim.Admit(context.Background(), query(20))
		taken, _ := tk.Status()
		var rep ratelimit.Report
		if st := tk.Settle(ratelimit.WithReport(context.Background(), &rep), 20); st != taken {
			t.Errorf("settled = %+v, want the take's %+v", st, taken)
		}
		if _, _, ok := rep.Budget(); ok {
			t.Error("the report changed though nothing was adjusted")
		}
	})
	t.Run("Subscription", func(t *testing.T) {
		lim, _ := testLimiter(t)
		op := query(20)
		op.Kind = "subscription"
		tk, _ := lim.Admit(context.Background(), op)
		taken, _ := tk.Status()
		if st := tk.Settle(context.Background(), 0); st != taken {
			t.Errorf("a subscription was refunded: %+v, want %+v", st, taken)
		}
	})
}

func TestLimiter_DryRun(t *testing.T) {
	lim, seen := testLimiter(t)
	var rep ratelimit.Report
	d := lim.DryRun(ratelimit.WithReport(context.Background(), &rep), query(500))
	if d.Price.Total != 500 || d.MaxCost != 50 || !d.Budgeted || d.Status.Available != 100 {
		t.Fatalf("dry run = %+v; want the price over the ceiling and a full bucket", d)
	}
	if _, refused, ok := rep.Budget(); !ok || refused {
		t.Errorf("report: refused %v, ok %v; want the bucket, not refused", refused, ok)
	}
	if len(*seen) != 1 || (*seen)[0].Outcome != "dryRun" || (*seen)[0].Tier != "test" {
		t.Errorf("observed %+v, want one dry run", *seen)
	}
}

func TestDryRunFrom(t *testing.T) {
	ctx := context.Background()
	if ratelimit.DryRunFrom(ctx) || ratelimit.DryRunFrom(ratelimit.WithDryRun(ctx, false)) {
		t.Error("a dry run without asking")
	}
	if !ratelimit.DryRunFrom(ratelimit.WithDryRun(ctx, true)) {
		t.Error("no dry run when asked")
	}
}
