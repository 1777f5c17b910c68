package ratelimit

import (
	"context"
	"errors"
	"sync"
)

// takeLines coalesce the takes of each client, as a database commits a
// group: while one of a client's takes is with Redis, the takes that
// arrive for it wait, and go together, in one script run, when it is back.
// Under load, where many requests of one client (an anonymous address, an
// API key) are in flight at once, that is one round trip and one run for
// many requests instead of one each; a lone request goes at once, as
// before.
//
// The script judges a group's takes in the order they came, each as if it
// had run alone (bucketScript): a bucket short of points refuses the takes
// it cannot pay for and grants the rest, as the same takes one after the
// other would have been.
type takeLines struct {
	mu sync.Mutex
	m  map[string]*takeLine
	// joined, if set, is called when a take joins a waiting group (tests).
	joined func()
}

// takeLine is one client's: whether a take of it is with Redis, and the
// group waiting for its turn.
type takeLine struct {
	busy bool
	next *takeGroup
}

// takeGroup is takes waiting together, in the order they came. Its first
// member sends it when its turn comes (turn closes); done closes when the
// answer is in.
type takeGroup struct {
	points   []float64
	turn     chan struct{}
	done     chan struct{}
	outcomes string // bucketScript's: '1' for each take granted
	avail    float64
	err      error
}

// errRedisDown answers a group whose turn came after Redis failed: its
// members take from the instance's buckets, as run does.
var errRedisDown = errors.New("redis failed lately")

// redisTake is redisRun for one take, coalesced with the client's other
// takes. It reports whether the take was granted.
func (b *Budgets) redisTake(ctx context.Context, c Client, points float64) (bool, float64, error) {
	key := b.prefix + c.Key
	l := &b.lines
	l.mu.Lock()
	if l.m == nil {
		l.m = make(map[string]*takeLine)
	}
	line := l.m[key]
	if line == nil {
		line = &takeLine{}
		l.m[key] = line
	}
	if !line.busy {
		line.busy = true
		l.mu.Unlock()
		defer b.handOn(key)
		outcomes, avail, err := b.redisRun(ctx, c, false, points)
		return outcomes == "1", avail, err
	}
	g := line.next
	if g == nil {
		g = &takeGroup{turn: make(chan struct{}), done: make(chan struct{})}
		line.next = g
	}
	i := len(g.points)
	g.points = append(g.points, points)
	joined := l.joined
	l.mu.Unlock()
	if joined != nil {
		joined()
	}
	if i == 0 {
		// The first member sends the group, for all of them: it waits
		// even if its own request goes away, and the call does not
		// end with it. redisRun bounds the call with the timeout.
		<-g.turn
		func() {
			defer close(g.done)
			defer b.handOn(key)
			if b.downUntil.Load() != 0 {
				g.err = errRedisDown
				return
			}
			g.outcomes, g.avail, g.err = b.redisRun(context.WithoutCancel(ctx), c, false, g.points...)
		}()
	} else {
		select {
		case <-g.done:
		case <-ctx.Done():
			// The request went away; its points stay in the group's take.
			return false, 0, ctx.Err()
		}
	}
	if g.err != nil {
		return false, 0, g.err
	}
	return g.outcomes[i] == '1', g.avail, nil
}

// handOn gives the client's line to its waiting group, or frees it.
func (b *Budgets) handOn(key string) {
	l := &b.lines
	l.mu.Lock()
	defer l.mu.Unlock()
	line := l.m[key]
	if line.next == nil {
		delete(l.m, key)
		return
	}
	close(line.next.turn)
	line.next = nil
}
