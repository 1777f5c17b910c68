package live_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/live"
)

// run runs h until the test ends.
func run(t *testing.T, h *live.Hub) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

func receive(t *testing.T, s *live.Subscriber) live.Delivery {
	t.Helper()
	select {
	case d := <-s.C():
		return d
	case <-time.After(2 * time.Second):
		t.Fatal("no delivery within 2s")
	}
	return live.Delivery{}
}

func TestHub_SlowConsumer(t *testing.T) {
	h := live.New(live.Options{Buffer: 2})
	run(t, h)
	var slow atomic.Int32
	s := h.Subscribe(live.CommentsOf(1), nil, func() { slow.Add(1) })
	for i := range 5 {
		h.Publish(t.Context(), live.Event{Kind: live.CommentAdded, ArticleID: 1, CommentID: int64(i)})
	}
	deadline := time.Now().Add(2 * time.Second)
	for !s.Slow() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if !s.Slow() || slow.Load() != 1 {
		t.Fatalf("slow = %v, onSlow called %d times; want true, once", s.Slow(), slow.Load())
	}
	if n := len(s.C()); n != 2 {
		t.Errorf("buffer holds %d, want its bound 2", n)
	}
	if st := h.Stats(); st.Subscribers != 0 || st.Slow != 1 {
		t.Errorf("stats = %+v, want the slow subscriber gone and counted", st)
	}
}

// syncLog is a log buffer safe for concurrent writes.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestHub_RedisDown(t *testing.T) {
	// A Redis address nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	logs := &syncLog{}
	h := live.New(live.Options{Redis: rdb, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	run(t, h)
	s := h.Subscribe(live.CommentsOf(7), nil, nil)
	defer s.Close()
	h.Publish(t.Context(), live.Event{Kind: live.CommentAdded, ArticleID: 7, CommentID: 1})
	if d := receive(t, s); d.Event.CommentID != 1 {
		t.Fatalf("delivery = %+v", d)
	}
	st := h.Stats()
	if st.RedisErrors == 0 || st.RedisUp {
		t.Errorf("stats = %+v, want the outage counted", st)
	}
	if !strings.Contains(logs.String(), "publish to Redis failed") {
		t.Errorf("log = %q, want the outage logged", logs.String())
	}
}

func TestHub_CoalescesReactions(t *testing.T) {
	h := live.New(live.Options{ReactionsInterval: 100 * time.Millisecond})
	run(t, h)
	s := h.Subscribe(live.ReactionsOf(3), nil, nil)
	defer s.Close()
	start := time.Now()
	for range 50 {
		h.Publish(t.Context(), live.Event{Kind: live.ReactionsChanged, ArticleID: 3})
	}
	receive(t, s)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("delivered after %s, want after the 100ms interval", d)
	}
	select {
	case d := <-s.C():
		t.Fatalf("a second delivery %+v for one burst", d)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestHub_AcceptPerSubscriber(t *testing.T) {
	h := live.New(live.Options{})
	run(t, h)
	var made atomic.Int32
	accept := func(allow bool) func(context.Context, live.Delivery) bool {
		return func(_ context.Context, d live.Delivery) bool {
			d.Shared.Get("loaders", func() any { made.Add(1); return struct{}{} })
			return allow
		}
	}
	yes := h.Subscribe(live.Published, accept(true), nil)
	no := h.Subscribe(live.Published, accept(false), nil)
	defer yes.Close()
	defer no.Close()
	h.Publish(t.Context(), live.Event{Kind: live.ArticlePublished, ArticleID: 9})
	receive(t, yes)
	if len(no.C()) != 0 {
		t.Error("a subscriber that refused the event got it")
	}
	if made.Load() != 1 {
		t.Errorf("shared value made %d times, want once per event", made.Load())
	}
}

// failing is a writer whose writes roll back.
type failing struct{ folio.Writer }

var errRolledBack = errors.New("rolled back")

func (failing) AddComment(context.Context, folio.Viewer, folio.NewComment) (*folio.Comment, error) {
	return nil, errRolledBack
}

func TestWriter_NoEventForFailedWrite(t *testing.T) {
	h := live.New(live.Options{})
	run(t, h)
	s := h.Subscribe(live.CommentsOf(5), nil, nil)
	defer s.Close()
	w := h.Writer(failing{})
	if _, err := w.AddComment(t.Context(), folio.Viewer{UserID: 1}, folio.NewComment{ArticleID: 5}); !errors.Is(err, errRolledBack) {
		t.Fatalf("err = %v", err)
	}
	if st := h.Stats(); st.Published != 0 {
		t.Fatalf("published %d events for a write that rolled back", st.Published)
	}
}
