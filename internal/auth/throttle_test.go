package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/redistest"
)

// TestThrottle_Cluster counts sign-in attempts from two instances on one
// real Redis Cluster: the account's and the address's counters are
// separate keys in separate slots, each updated by its own one-key script.
func TestThrottle_Cluster(t *testing.T) {
	rdb := redistest.Cluster(t)
	mk := func() *auth.Throttle {
		return &auth.Throttle{Redis: rdb, Prefix: "folio:cluster:", Window: time.Minute, MaxPerAccount: 3, MaxPerAddress: 100}
	}
	a, b := mk(), mk()
	ctx := context.Background()
	for i := range 3 {
		inst := a
		if i == 1 {
			inst = b
		}
		if wait := inst.SignIn(ctx, "Ann@example.com", "10.0.0.1"); wait != 0 {
			t.Fatalf("attempt %d: told to wait %s, want allowed", i+1, wait)
		}
	}
	if wait := b.SignIn(ctx, "ann@example.com", "10.0.0.2"); wait <= 0 || wait > time.Minute {
		t.Fatalf("fourth attempt on the account: wait %s, want (0, 1m]", wait)
	}
	a.Succeeded(ctx, "ann@example.com")
	if wait := b.SignIn(ctx, "ann@example.com", "10.0.0.1"); wait != 0 {
		t.Fatalf("after a success: wait %s, want allowed", wait)
	}
}
