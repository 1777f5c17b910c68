package admission_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/folio/folio/internal/admission"
)

// waitFor yields until cond holds: the gate's counters say when a waiter
// is in line, so no test guesses with a sleep. The bound only turns a hang
// into a failure.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !cond(); runtime.Gosched() {
		if time.Now().After(end) {
			t.Fatalf("never: %s", what)
		}
	}
}

// enterAsync enters g in a goroutine and sends name on entered once in.
func enterAsync(g *admission.Gate, ctx context.Context, name string, entered chan<- string, failed chan<- error) {
	go func() {
		if err := g.Enter(ctx); err != nil {
			failed <- err
			return
		}
		entered <- name
	}()
}

// TestGate_EachLeaveAdmitsOne: nobody gets in while the gate is full, and
// each Leave lets in exactly one waiter. (The order among waiters is
// x/sync/semaphore's, first come first served; the gate's count of waiters
// rises a moment before a waiter joins the semaphore's line, so a test
// cannot tell two arrivals' order apart.)
func TestGate_EachLeaveAdmitsOne(t *testing.T) {
	g := admission.New(2)
	ctx := context.Background()
	for range 2 {
		if err := g.Enter(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if s := g.Stats(); s != (admission.Stats{Limit: 2, Running: 2}) {
		t.Fatalf("stats with the gate full: %+v", s)
	}
	entered, failed := make(chan string, 3), make(chan error, 3)
	for _, name := range []string{"a", "b", "c"} {
		enterAsync(g, ctx, name, entered, failed)
	}
	waitFor(t, "three in line", func() bool { return g.Stats().Waiting == 3 })
	in := map[string]bool{}
	for left := 3; left > 0; left-- {
		select {
		case name := <-entered:
			t.Fatalf("%s entered a full gate", name)
		default:
		}
		g.Leave()
		in[<-entered] = true
		waitFor(t, "the gate full again", func() bool { return g.Stats() == admission.Stats{Limit: 2, Running: 2, Waiting: int64(left - 1)} })
	}
	if len(in) != 3 {
		t.Fatalf("entered: %v", in)
	}
	select {
	case err := <-failed:
		t.Fatal(err)
	default:
	}
}

func TestGate_WaiterGivesUpWithItsContext(t *testing.T) {
	g := admission.New(1)
	if err := g.Enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	entered, failed := make(chan string, 1), make(chan error, 1)
	enterAsync(g, ctx, "quitter", entered, failed)
	waitFor(t, "the waiter in line", func() bool { return g.Stats().Waiting == 1 })
	cancel()
	if err := <-failed; !errors.Is(err, context.Canceled) {
		t.Fatalf("Enter = %v, want the context's error", err)
	}
	if s := g.Stats(); s != (admission.Stats{Limit: 1, Running: 1}) {
		t.Fatalf("stats after the waiter left: %+v", s)
	}
	// The quitter took no turn: after one Leave the gate admits one again,
	// and only one.
	g.Leave()
	if err := g.Enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	expired, stop := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer stop()
	if err := g.Enter(expired); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Enter of a full gate past the deadline = %v, want DeadlineExceeded", err)
	}
}

func TestGate_NoBound(t *testing.T) {
	for _, limit := range []int{0, -1} {
		if g := admission.New(limit); g != nil {
			t.Fatalf("New(%d) = %+v, want nil (no bound)", limit, g)
		}
	}
	var g *admission.Gate
	for range 100 {
		if err := g.Enter(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	g.Leave()
	if s := g.Stats(); s != (admission.Stats{}) {
		t.Fatalf("a nil gate's stats: %+v", s)
	}
}

func BenchmarkGate_EnterLeave(b *testing.B) {
	g := admission.New(16)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := g.Enter(ctx); err != nil {
				b.Fatal(err)
			}
			g.Leave()
		}
	})
}
