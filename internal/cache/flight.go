package cache

import (
	"context"
	"sync"
)

// group makes concurrent misses for the same key in one instance share one
// load: the first caller loads every key no one else is loading, in one
// call, and later callers wait for the keys already in flight.
type group struct {
	mu sync.Mutex
	m  map[string]*call
}

type call struct {
	done  chan struct{}
	val   any
	found bool
	err   error
}

// do returns the values of keys, found or not: it loads with load the keys
// not already in flight and waits for the others.
func (g *group) do(ctx context.Context, keys []string, load func(keys []string) (map[string]any, error)) (map[string]any, error) {
	var mine []string
	calls := make(map[string]*call, len(keys))
	g.mu.Lock()
	for _, k := range keys {
		if _, dup := calls[k]; dup {
			continue
		}
		c, ok := g.m[k]
		if !ok {
			c = &call{done: make(chan struct{})}
			g.m[k] = c
			mine = append(mine, k)
		}
		calls[k] = c
	}
	g.mu.Unlock()

	if len(mine) > 0 {
		vals, err := load(mine)
		g.mu.Lock()
		for _, k := range mine {
			c := calls[k]
			c.val, c.found = vals[k]
			c.err = err
			delete(g.m, k)
			close(c.done)
		}
		g.mu.Unlock()
	}

	out := make(map[string]any, len(calls))
	for k, c := range calls {
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if c.err != nil {
			return nil, c.err
		}
		if c.found {
			out[k] = c.val
		}
	}
	return out, nil
}
