package live_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/live"
	"github.com/folio/folio/internal/redistest"
)

// cutter is a TCP proxy to Redis that a test can cut (every connection
// closed, new ones refused) and restore.
type cutter struct {
	ln    net.Listener
	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

func newCutter(t *testing.T) *cutter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln}
	t.Cleanup(func() { ln.Close(); c.setCut(true) })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			if c.cut {
				c.mu.Unlock()
				in.Close()
				continue
			}
			out, err := net.Dial("tcp", redistest.Addr())
			if err != nil {
				c.mu.Unlock()
				in.Close()
				continue
			}
			c.conns = append(c.conns, in, out)
			c.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	return c
}

func (c *cutter) setCut(cut bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cut = cut
	if cut {
		for _, conn := range c.conns {
			conn.Close()
		}
		c.conns = nil
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestHub_RedisOutageAndReturn: during an outage an instance's own events
// still reach its subscribers; when Redis returns, events from other
// instances do again.
func TestHub_RedisOutageAndReturn(t *testing.T) {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	channel := "folio:test:" + hex.EncodeToString(b) + ":live"
	cut := newCutter(t)
	viaProxy := redis.NewClient(&redis.Options{Addr: cut.ln.Addr().String(), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { viaProxy.Close() })
	a := live.New(live.Options{Redis: viaProxy, Channel: channel})
	other := live.New(live.Options{Redis: redistest.Client(t), Channel: channel})
	run(t, a)
	run(t, other)
	waitUntil(t, "both hubs subscribed", func() bool { return a.Stats().RedisUp && other.Stats().RedisUp })
	s := a.Subscribe(live.CommentsOf(1), nil, nil)
	defer s.Close()

	other.Publish(context.Background(), live.Event{Kind: live.CommentAdded, ArticleID: 1, CommentID: 1})
	if d := receive(t, s); d.Event.CommentID != 1 {
		t.Fatalf("before the outage: %+v", d)
	}

	cut.setCut(true)
	waitUntil(t, "the outage noticed", func() bool { return !a.Stats().RedisUp })
	a.Publish(context.Background(), live.Event{Kind: live.CommentAdded, ArticleID: 1, CommentID: 2})
	if d := receive(t, s); d.Event.CommentID != 2 {
		t.Fatalf("during the outage, own event: %+v", d)
	}
	if a.Stats().RedisErrors == 0 {
		t.Error("the outage was not counted")
	}

	cut.setCut(false)
	waitUntil(t, "the subscription back", func() bool { return a.Stats().RedisUp })
	other.Publish(context.Background(), live.Event{Kind: live.CommentAdded, ArticleID: 1, CommentID: 3})
	if d := receive(t, s); d.Event.CommentID != 3 {
		t.Fatalf("after the outage: %+v", d)
	}
}
