package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/redistest"
)

// TestThrottle_Cluster counts sign-in attempts from two instances on one
// real Redis Cluster: an account's keys share a hash tag, so the script
// that reserves an attempt on an account and address finds them in one
// slot, and the address's own counter is a one-key script elsewhere.
func TestThrottle_Cluster(t *testing.T) {
	rdb := redistest.Cluster(t)
	mk := func() *auth.Throttle {
		return &auth.Throttle{Redis: rdb, Prefix: "folio:cluster:", Window: time.Minute,
			FreeAttempts: 3, Delay: time.Minute, MaxPerAccount: 100, MaxPerAddress: 100}
	}
	a, b := mk(), mk()
	ctx := context.Background()
	for i, inst := range []*auth.Throttle{a, b, a} {
		if wait := inst.SignIn(ctx, "Ann@example.com", "10.0.0.1"); wait != 0 {
			t.Fatalf("attempt %d: told to wait %s, want allowed", i+1, wait)
		}
	}
	if wait := b.SignIn(ctx, "ann@example.com", "10.0.0.1"); wait <= 0 || wait > time.Minute {
		t.Fatalf("fourth attempt from one address: wait %s, want (0, 1m]", wait)
	}
	if wait := b.SignIn(ctx, "ann@example.com", "10.0.0.2"); wait != 0 {
		t.Fatalf("the owner from another address: wait %s, want allowed", wait)
	}
	a.Succeeded(ctx, "ann@example.com", "10.0.0.1")
	if wait := b.SignIn(ctx, "ann@example.com", "10.0.0.1"); wait != 0 {
		t.Fatalf("after a success: wait %s, want allowed", wait)
	}
	if _, err := a.Unlock(ctx, "ann@example.com"); err != nil {
		t.Fatalf("unlock on a Cluster: %v", err)
	}
}
