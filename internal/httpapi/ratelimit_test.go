package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/redistest"
)

// charging is an executor that charges price to the client's budget, as
// the cost control does, and answers a GraphQL body.
func charging(t *testing.T, price int) (http.Handler, *http.Request) {
	t.Helper()
	rdb := redistest.Client(t)
	tier := ratelimit.Tier{Name: "test", Capacity: 100, RestoreRate: 10}
	lim := ratelimit.Limiter{
		Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: redistest.Prefix(t, rdb)}),
		Tiers:   ratelimit.Tiers{Anonymous: tier, User: tier, APIKey: tier},
	}.WithDefaults()
	var seen http.Request
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = *r
		op := ratelimit.Operation{Kind: "query", Price: ratelimit.Price{Total: price}, Addr: netip.MustParseAddr("203.0.113.9")}
		if ratelimit.DryRunFrom(r.Context()) {
			lim.DryRun(r.Context(), op)
		} else {
			_, _ = lim.Admit(r.Context(), op)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{}}`))
	})
	return h, &seen
}

// serveQuery sends one query through the whole stack to exec, asking for
// a dry run by header when dryRun is set.
func serveQuery(exec http.Handler, dryRun string) *httptest.ResponseRecorder {
	r := postQuery()
	if dryRun != "" {
		r.Header.Set(httpapi.DryRunHeader, dryRun)
	}
	w := httptest.NewRecorder()
	httpapi.New(httpapi.Options{GraphQL: exec}).ServeHTTP(w, r)
	return w
}

func TestNew_RateLimit(t *testing.T) {
	t.Run("Headers", func(t *testing.T) {
		exec, _ := charging(t, 30)
		w := serveQuery(exec, "")
		h := w.Header()
		if w.Code != http.StatusOK || h.Get("RateLimit-Limit") != "100" || h.Get("RateLimit-Remaining") != "70" || h.Get("RateLimit-Reset") != "3" {
			t.Fatalf("status %d, RateLimit %q/%q/%q; want 200, 100/70/3", w.Code, h.Get("RateLimit-Limit"), h.Get("RateLimit-Remaining"), h.Get("RateLimit-Reset"))
		}
		if h.Get("Retry-After") != "" {
			t.Errorf("Retry-After %q on an operation the budget paid", h.Get("Retry-After"))
		}
	})
	t.Run("Refused", func(t *testing.T) {
		exec, _ := charging(t, 60)
		serveQuery(exec, "")
		w := serveQuery(exec, "")
		if w.Code != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 429", w.Code)
		}
		if s, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || s < 1 || s > 3 {
			t.Errorf("Retry-After %q, want 1 to 3 seconds", w.Header().Get("Retry-After"))
		}
	})
	t.Run("DryRunHeader", func(t *testing.T) {
		exec, seen := charging(t, 30)
		w := serveQuery(exec, "true")
		if !ratelimit.DryRunFrom(seen.Context()) {
			t.Error("the executor was not told of the dry run")
		}
		if got := w.Header().Get("RateLimit-Remaining"); got != "100" {
			t.Errorf("RateLimit-Remaining %q after a dry run, want 100", got)
		}
	})
	t.Run("BadDryRunHeader", func(t *testing.T) {
		exec, seen := charging(t, 30)
		w := serveQuery(exec, "yes")
		if w.Code != http.StatusBadRequest || seen.Method != "" {
			t.Fatalf("status %d (executor reached: %v), want 400 before the executor", w.Code, seen.Method != "")
		}
		if !strings.Contains(w.Body.String(), `"code":"BAD_USER_INPUT"`) {
			t.Errorf("body %s, want BAD_USER_INPUT", w.Body)
		}
	})
	t.Run("NoBudget", func(t *testing.T) {
		exec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"data":{}}`)) })
		w := serveQuery(exec, "")
		if w.Code != http.StatusOK || w.Header().Get("RateLimit-Limit") != "" {
			t.Errorf("status %d, RateLimit-Limit %q; want 200 and none", w.Code, w.Header().Get("RateLimit-Limit"))
		}
	})
}

func TestBudgetHeaders(t *testing.T) {
	st := ratelimit.Status{Capacity: 100, RestoreRate: 10, Available: -4.5, Wait: 1500 * time.Millisecond}
	h := http.Header{}
	httpapi.BudgetHeaders(h, st, true)
	for k, want := range map[string]string{"RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "11", "Retry-After": "2"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	h = http.Header{}
	httpapi.BudgetHeaders(h, st, false)
	if h.Get("Retry-After") != "" {
		t.Errorf("Retry-After %q when not refused", h.Get("Retry-After"))
	}
}
