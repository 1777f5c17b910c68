package httpapi

import (
	"math"
	"net/http"
	"strconv"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/ratelimit"
)

// DryRunHeader asks for an operation's price without running it, like the
// request extension {"dryRun": true}.
const DryRunHeader = "Folio-Dry-Run"

// PreviewHeader carries a preview token: the request may read the one
// draft it names. Like credentials, it keeps the answer out of every
// shared cache.
const PreviewHeader = "Folio-Preview"

// rateLimit notes a dry run asked for by header, and gives the response
// the RateLimit-* headers of the budget the operation drew on (the
// executor's cost control fills a ratelimit.Report), and 429 with
// Retry-After when the budget refused the operation.
func rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if v := r.Header.Get(DryRunHeader); v != "" {
			// A dry run mistaken for a real one could run a mutation.
			dry, err := strconv.ParseBool(v)
			if err != nil {
				WriteError(w, r, folio.Errorf(folio.EInvalid, "%s must be true or false.", DryRunHeader))
				return
			}
			ctx = ratelimit.WithDryRun(ctx, dry)
		}
		if r.Header.Get("Upgrade") != "" {
			// A WebSocket carries many operations; no one status fits.
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		bw := &budgetWriter{ResponseWriter: w}
		next.ServeHTTP(bw, r.WithContext(ratelimit.WithReport(ctx, &bw.report)))
	})
}

// BudgetHeaders tells the client about its budget: RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset from st, and Retry-After when
// the budget refused the operation (whose response is then a 429).
func BudgetHeaders(h http.Header, st ratelimit.Status, refused bool) {
	h.Set("RateLimit-Limit", strconv.Itoa(int(st.Capacity)))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(0, int(math.Floor(st.Available)))))
	h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(st.ResetIn().Seconds()))))
	if refused {
		h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(st.Wait.Seconds())))))
	}
}

// DropBudgetHeaders removes BudgetHeaders' RateLimit headers from an
// answer a shared cache may keep: it would hand the first caller's budget
// to everyone.
func DropBudgetHeaders(h http.Header) {
	for _, k := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
		h.Del(k)
	}
}

// ReportBudget sets the headers of what rep says about the budget, and
// returns the status to send in place of code: 429 if the budget refused
// the operation.
func ReportBudget(h http.Header, rep *ratelimit.Report, code int) int {
	st, refused, ok := rep.Budget()
	if !ok {
		return code
	}
	BudgetHeaders(h, st, refused)
	if refused {
		return http.StatusTooManyRequests
	}
	return code
}

// budgetWriter adds the budget's headers before the status goes out.
type budgetWriter struct {
	http.ResponseWriter
	report ratelimit.Report
	wrote  bool
}

func (w *budgetWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	w.ResponseWriter.WriteHeader(ReportBudget(w.Header(), &w.report, code))
}

func (w *budgetWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *budgetWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
