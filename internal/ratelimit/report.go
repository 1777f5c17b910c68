package ratelimit

import (
	"context"
	"sync"
)

// Report carries what the response must tell the client about its budget,
// from the cost control that learns it to the transport that sends it
// (as RateLimit headers, and a 429 when refused), neither knowing the
// other. The zero Report has nothing to tell.
type Report struct {
	mu      sync.Mutex
	status  Status
	known   bool
	refused bool
}

func (r *Report) set(st Status, refused bool) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.known, r.refused = st, true, refused
}

// Budget is the client's bucket as the operation left it, and whether the
// budget refused the operation; ok is false when no budget was consulted.
func (r *Report) Budget() (st Status, refused, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status, r.refused, r.known
}

type reportKey struct{}

// WithReport returns ctx carrying r, for the cost control to fill.
func WithReport(ctx context.Context, r *Report) context.Context {
	return context.WithValue(ctx, reportKey{}, r)
}

// ReportFrom returns the context's Report; nil if none.
func ReportFrom(ctx context.Context) *Report {
	r, _ := ctx.Value(reportKey{}).(*Report)
	return r
}

type dryRunKey struct{}

// WithDryRun returns ctx noting whether the request asked for a dry run
// by a means of its transport (a header).
func WithDryRun(ctx context.Context, dry bool) context.Context {
	return context.WithValue(ctx, dryRunKey{}, dry)
}

// DryRunFrom reports whether the context notes a dry run.
func DryRunFrom(ctx context.Context) bool {
	dry, _ := ctx.Value(dryRunKey{}).(bool)
	return dry
}
