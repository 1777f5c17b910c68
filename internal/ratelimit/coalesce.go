package ratelimit

import (
	"context"
	"sync"
)

// takeLines coalesce the takes of each client, as a database commits a
// group: while one of a client's takes is with Redis, the takes that
// arrive for it wait, and go together as one take of their sum when it is
// back. Under load, where many requests of one client (an anonymous
// address, an API key) are in flight at once, that is one round trip and
// one script run for many requests instead of one each; a lone request
// goes at once, as before.
//
// A group whose sum does not fit the bucket takes nothing, and its
// members then take one by one, so a bucket short of points still admits
// exactly the takes it can pay for.
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

// takeGroup is takes waiting together. Its first member sends it when its
// turn comes (turn closes); done closes when the answer is in.
type takeGroup struct {
	points  float64
	members int
	turn    chan struct{}
	done    chan struct{}
	allowed bool
	avail   float64
	err     error
}

// redisTake is redisRun for a take, coalesced with the client's other
// takes; adjustments and looks go alone.
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
		allowed, avail, err := b.redisRun(ctx, c, points, false)
		b.handOn(key)
		return allowed, avail, err
	}
	g, first := line.next, false
	if g == nil {
		g, first = &takeGroup{turn: make(chan struct{}), done: make(chan struct{})}, true
		line.next = g
	}
	g.points += points
	g.members++
	joined := l.joined
	l.mu.Unlock()
	if joined != nil {
		joined()
	}
	if first {
		<-g.turn
		// For all the members: one of them going away must not fail
		// the others' take. redisRun bounds the call with the timeout.
		g.allowed, g.avail, g.err = b.redisRun(context.WithoutCancel(ctx), c, g.points, false)
		close(g.done)
		b.handOn(key)
	} else {
		<-g.done
	}
	if g.err != nil || g.allowed || g.members == 1 {
		return g.allowed, g.avail, g.err
	}
	// The sum did not fit, so nothing was taken: each member asks alone.
	return b.redisRun(ctx, c, points, false)
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
