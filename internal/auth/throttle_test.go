package auth

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio/folio/internal/redistest"
)

func newThrottle(t *testing.T, adjust func(*Throttle)) *Throttle {
	t.Helper()
	rdb := redistest.Client(t)
	th := &Throttle{Redis: rdb, Prefix: redistest.Prefix(t, rdb), Window: time.Hour,
		FreeAttempts: 5, Delay: time.Minute, MaxDelay: 10 * time.Minute, MaxPerAccount: 1000, MaxPerAddress: 1000}
	if adjust != nil {
		adjust(th)
	}
	return th
}

const owner = "owner@example.com"

// attempts makes n attempts and returns how many went through at once.
func attempts(th *Throttle, email, addr string, n int) int {
	through := 0
	for range n {
		if th.SignIn(context.Background(), email, addr) == 0 {
			through++
		}
	}
	return through
}

func TestThrottle_GuesserCannotLockOutTheOwner(t *testing.T) {
	th := newThrottle(t, nil)
	ctx := context.Background()
	if n := attempts(th, owner, "203.0.113.9", 5); n != 5 {
		t.Fatalf("%d of the free attempts went through, want 5", n)
	}
	// The guesser's address now waits, however it asks.
	for range 3 {
		if wait := th.SignIn(ctx, owner, "203.0.113.9"); wait <= 0 || wait > time.Minute {
			t.Fatalf("the guesser's next attempt waits %v, want up to the first delay (1m)", wait)
		}
	}
	// The owner, from home, is not slowed at all.
	if wait := th.SignIn(ctx, owner, "198.51.100.7"); wait != 0 {
		t.Fatalf("the owner waits %v from another address", wait)
	}
	// A refused attempt is not counted: the guesser's delay did not grow.
	n, err := th.Redis.HGet(ctx, th.pairKey(owner, "203.0.113.9"), "n").Int()
	if err != nil || n != 5 {
		t.Fatalf("counted attempts = %d, %v; want 5", n, err)
	}
}

func TestThrottle_ParallelGuessesCountLikeSerialOnes(t *testing.T) {
	th := newThrottle(t, nil)
	var through atomic.Int64
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			if th.SignIn(context.Background(), owner, "203.0.113.9") == 0 {
				through.Add(1)
			}
		})
	}
	wg.Wait()
	if through.Load() != 5 {
		t.Fatalf("%d of 40 parallel attempts went through, want the 5 free ones", through.Load())
	}
}

// elapse moves a pair's last attempt back by d, as if d had passed.
func elapse(t *testing.T, th *Throttle, email, addr string, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	k := th.pairKey(email, addr)
	last, err := th.Redis.HGet(ctx, k, "last").Int64()
	if err != nil {
		t.Fatal(err)
	}
	if err := th.Redis.HSet(ctx, k, "last", last-d.Milliseconds()).Err(); err != nil {
		t.Fatal(err)
	}
}

func TestThrottle_DelayDoublesUpToItsCap(t *testing.T) {
	th := newThrottle(t, nil)
	ctx := context.Background()
	const addr = "203.0.113.9"
	attempts(th, owner, addr, 5)
	for _, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute, 10 * time.Minute} {
		wait := th.SignIn(ctx, owner, addr)
		if wait <= want-5*time.Second || wait > want {
			t.Fatalf("wait = %v, want about %v", wait, want)
		}
		elapse(t, th, owner, addr, wait)
		if wait := th.SignIn(ctx, owner, addr); wait != 0 {
			t.Fatalf("after waiting, the attempt still waits %v", wait)
		}
	}
}

func TestThrottle_AccountWideThresholdCatchesSpreadGuesses(t *testing.T) {
	th := newThrottle(t, func(th *Throttle) { th.MaxPerAccount = 12 })
	ctx := context.Background()
	for i := range 12 { // twelve addresses, one guess each: none is delayed alone
		if wait := th.SignIn(ctx, owner, "203.0.113."+strconv.Itoa(i)); wait != 0 {
			t.Fatalf("guess %d waits %v", i, wait)
		}
	}
	wait := th.SignIn(ctx, owner, "198.51.100.7")
	if wait <= 0 || wait > time.Hour {
		t.Fatalf("past the account-wide threshold an attempt waits %v, want the rest of the window", wait)
	}
	if wait := th.SignIn(ctx, "someone-else@example.com", "198.51.100.7"); wait != 0 {
		t.Fatalf("another account waits %v", wait)
	}
}

func TestThrottle_OneAddressSprayingAccounts(t *testing.T) {
	th := newThrottle(t, func(th *Throttle) { th.MaxPerAddress = 3 })
	ctx := context.Background()
	for i := range 3 {
		if wait := th.SignIn(ctx, "user"+strconv.Itoa(i)+"@example.com", "203.0.113.9"); wait != 0 {
			t.Fatalf("attempt %d waits %v", i, wait)
		}
	}
	if wait := th.SignIn(ctx, "user9@example.com", "203.0.113.9"); wait <= 0 {
		t.Fatal("the fourth account from one address went through")
	}
	if wait := th.SignIn(ctx, "user9@example.com", "198.51.100.7"); wait != 0 {
		t.Fatalf("another address waits %v", wait)
	}
}

func TestThrottle_SuccessClearsItsDelay(t *testing.T) {
	th := newThrottle(t, nil)
	ctx := context.Background()
	const addr = "198.51.100.7"
	attempts(th, owner, addr, 5)
	if th.SignIn(ctx, owner, addr) == 0 {
		t.Fatal("the sixth attempt went through at once")
	}
	elapse(t, th, owner, addr, time.Minute)
	if th.SignIn(ctx, owner, addr) != 0 {
		t.Fatal("the attempt after the delay waits")
	}
	th.Succeeded(ctx, owner, addr)
	if n := attempts(th, owner, addr, 5); n != 5 {
		t.Fatalf("after a success %d of 5 attempts went through, want all", n)
	}
	// The success took its own attempt back from the account's count.
	// Counted: 5 free, the one after the delay, 5 more (the refused one is
	// not counted).
	if n, err := th.Redis.Get(ctx, th.accountKey(owner)).Int(); err != nil || n != 10 {
		t.Fatalf("account count = %d, %v; want 10 (11 counted, one given back)", n, err)
	}
}

func TestThrottle_UnlockClearsEveryCountOfTheAccount(t *testing.T) {
	th := newThrottle(t, func(th *Throttle) { th.MaxPerAccount = 12 })
	ctx := context.Background()
	for i := range 3 {
		attempts(th, owner, "203.0.113."+strconv.Itoa(i), 6)
	}
	attempts(th, "bystander@example.com", "203.0.113.1", 6)
	if th.SignIn(ctx, owner, "198.51.100.7") == 0 {
		t.Fatal("the account is not yet at its threshold; the test is wrong")
	}
	removed, err := th.Unlock(ctx, owner)
	if err != nil || removed != 4 { // three addresses' delays and the account's window
		t.Fatalf("Unlock removed %d keys, %v; want 4", removed, err)
	}
	for i := range 3 {
		if wait := th.SignIn(ctx, owner, "203.0.113."+strconv.Itoa(i)); wait != 0 {
			t.Fatalf("after unlock, address %d waits %v", i, wait)
		}
	}
	if wait := th.SignIn(ctx, "bystander@example.com", "203.0.113.1"); wait == 0 {
		t.Fatal("unlocking one account cleared another's delay")
	}
}

func TestThrottle_RedisDownLetsAttemptsThrough(t *testing.T) {
	th := newThrottle(t, nil)
	th.Redis = redistest.Dead(t)
	if n := attempts(th, owner, "203.0.113.9", 7); n != 7 {
		t.Fatalf("%d of 7 attempts went through with Redis down, want all", n)
	}
}
