// Package live carries Folio's events (a comment added, reactions changed,
// an article published) from the write that raised them to the subscribers
// of every instance: each event is delivered at once to this instance's
// subscribers and published on a Redis channel for the others.
//
// An event names what changed (IDs), never its content: every instance
// loads what its subscribers may see when it delivers, so nothing one
// viewer may read travels to another through Redis. When Redis is down,
// events still reach this instance's subscribers; the outage is logged and
// counted, and fan-out resumes when Redis returns.
package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Kind is what happened.
type Kind string

// The kinds of event.
const (
	CommentAdded     Kind = "comment.added"
	CommentEdited    Kind = "comment.edited"
	CommentDeleted   Kind = "comment.deleted"
	ReactionsChanged Kind = "reactions.changed"
	ArticlePublished Kind = "article.published"
)

// Event is one change, by the IDs of what changed.
type Event struct {
	Kind      Kind  `json:"kind"`
	ArticleID int64 `json:"articleId"`
	CommentID int64 `json:"commentId,omitempty"`
	// Origin is the instance that raised the event: it delivered the event
	// to its own subscribers already and ignores it coming back from Redis.
	Origin string `json:"origin"`
}

// Topic is what a subscriber listens to: the events of one article's
// comments or reactions, or every publication.
type Topic string

// CommentsOf is the topic of an article's comment events.
func CommentsOf(articleID int64) Topic { return Topic("comments:" + strconv.FormatInt(articleID, 10)) }

// ReactionsOf is the topic of an article's reaction events.
func ReactionsOf(articleID int64) Topic {
	return Topic("reactions:" + strconv.FormatInt(articleID, 10))
}

// Published is the topic of article publications.
const Published Topic = "published"

func (e Event) topic() Topic {
	switch e.Kind {
	case CommentAdded, CommentEdited, CommentDeleted:
		return CommentsOf(e.ArticleID)
	case ReactionsChanged:
		return ReactionsOf(e.ArticleID)
	default:
		return Published
	}
}

// Delivery is one event on its way to one subscriber. Shared is common to
// every subscriber of this instance receiving the event, so they can share
// what they load for it (graph keeps a set of loaders per kind of viewer
// there): one event to many subscribers loads its rows once.
type Delivery struct {
	Event  Event
	Shared *Shared
}

// Shared holds values made once per event and shared by its subscribers.
type Shared struct {
	mu sync.Mutex
	m  map[any]any
}

// Get returns the value under key, making it with make the first time.
func (s *Shared) Get(key any, make func() any) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[key]; ok {
		return v
	}
	if s.m == nil {
		s.m = map[any]any{}
	}
	v := make()
	s.m[key] = v
	return v
}

// Options configure a Hub.
type Options struct {
	// Redis carries events between instances; nil: this instance only.
	// On a Redis Cluster (a *redis.ClusterClient) events go by sharded
	// pub/sub (SPUBLISH, SSUBSCRIBE): the channel's shard alone carries
	// them, where a plain PUBLISH is broadcast to every node of the
	// cluster. Elsewhere, plain PUBLISH and SUBSCRIBE.
	Redis redis.UniversalClient
	// Channel is the Redis pub/sub channel ("folio:live" when empty).
	Channel string
	// Buffer is how many deliveries may wait for one subscriber before it
	// is disconnected as too slow (16 when zero).
	Buffer int
	// ReactionsInterval coalesces reaction events: at most one per article
	// per interval, sent at its end; zero sends each at once.
	ReactionsInterval time.Duration
	// AcceptTimeout bounds the authorisation checks of one event (5s when
	// zero).
	AcceptTimeout time.Duration
	Logger        *slog.Logger
}

// Stats are a Hub's counters, for metrics.
type Stats struct {
	Subscribers int    // subscribers now
	Published   uint64 // events raised on this instance
	Received    uint64 // events received from other instances
	Dispatched  uint64 // events fanned out to this instance's subscribers (each checked against every subscriber)
	Delivered   uint64 // deliveries to subscribers
	Slow        uint64 // subscribers disconnected for reading too slowly
	Dropped     uint64 // events dropped because the dispatch queue was full
	RedisErrors uint64 // failed publishes and lost Redis subscriptions
	RedisUp     bool   // whether the Redis subscription is live
}

// Hub delivers events to the subscribers of this instance and exchanges
// them with the other instances through Redis. Run must be running for
// anything to be delivered.
type Hub struct {
	o     Options
	id    string
	queue chan queued

	mu     sync.RWMutex
	topics map[Topic]map[*Subscriber]struct{}
	count  int

	pendingMu sync.Mutex
	pending   map[int64]*time.Timer // reaction events waiting out the interval
	stopped   bool

	published, received, dispatched, delivered, slow, dropped, redisErrors atomic.Uint64
	redisUp                                                                atomic.Bool
}

// New returns a hub; Run it.
func New(o Options) *Hub {
	if o.Channel == "" {
		o.Channel = "folio:live"
	}
	if o.Buffer <= 0 {
		o.Buffer = 16
	}
	if o.AcceptTimeout <= 0 {
		o.AcceptTimeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Hub{o: o, id: hex.EncodeToString(b[:]), queue: make(chan queued, 1024),
		topics: map[Topic]map[*Subscriber]struct{}{}, pending: map[int64]*time.Timer{}}
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	n := h.count
	h.mu.RUnlock()
	return Stats{Subscribers: n, Published: h.published.Load(), Received: h.received.Load(),
		Dispatched: h.dispatched.Load(), Delivered: h.delivered.Load(), Slow: h.slow.Load(), Dropped: h.dropped.Load(),
		RedisErrors: h.redisErrors.Load(), RedisUp: h.redisUp.Load()}
}

// Publish raises e: this instance's subscribers get it whatever Redis
// does, and the other instances through Redis. Call it only once the write
// that raised it has committed.
func (h *Hub) Publish(ctx context.Context, e Event) {
	e.Origin = h.id
	h.published.Add(1)
	h.enqueue(queued{Event: e})
	if h.o.Redis == nil {
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		h.o.Logger.ErrorContext(ctx, "live: encode event", "err", err)
		return
	}
	// Bounded: a write's answer must not wait on a Redis that is gone.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := h.publish(pctx, b); err != nil {
		h.redisErrors.Add(1)
		h.o.Logger.WarnContext(ctx, "live: publish to Redis failed; the event reached this instance's subscribers only",
			"kind", e.Kind, "article_id", e.ArticleID, "err", err)
	}
}

// sharded reports whether events go by sharded pub/sub: on a Redis Cluster.
func (h *Hub) sharded() (*redis.ClusterClient, bool) {
	c, ok := h.o.Redis.(*redis.ClusterClient)
	return c, ok
}

func (h *Hub) publish(ctx context.Context, b []byte) error {
	if c, ok := h.sharded(); ok {
		return c.SPublish(ctx, h.o.Channel, b).Err()
	}
	return h.o.Redis.Publish(ctx, h.o.Channel, b).Err()
}

func (h *Hub) subscribe(ctx context.Context) *redis.PubSub {
	if c, ok := h.sharded(); ok {
		return c.SSubscribe(ctx, h.o.Channel)
	}
	return h.o.Redis.Subscribe(ctx, h.o.Channel)
}

// queued is an event waiting for dispatch; due marks a reaction event
// whose coalescing interval has passed.
type queued struct {
	Event
	due bool
}

func (h *Hub) enqueue(e queued) {
	select {
	case h.queue <- e:
	default:
		h.dropped.Add(1)
		h.o.Logger.Warn("live: dispatch queue full; event dropped", "kind", e.Kind, "article_id", e.ArticleID)
	}
}

// Run dispatches events, and receives other instances' from Redis, until
// ctx ends.
func (h *Hub) Run(ctx context.Context) {
	var wg sync.WaitGroup
	if h.o.Redis != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.receive(ctx)
		}()
	}
	defer func() {
		h.pendingMu.Lock()
		h.stopped = true
		for id, t := range h.pending {
			t.Stop()
			delete(h.pending, id)
		}
		h.pendingMu.Unlock()
		wg.Wait()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-h.queue:
			h.dispatch(ctx, e)
		}
	}
}

// receive follows the Redis channel, subscribing again after each loss,
// until ctx ends.
func (h *Hub) receive(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		ps := h.subscribe(ctx)
		// A blocked read ends with ctx only if the client says so: close it.
		stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
		for {
			msg, err := ps.Receive(ctx)
			if err != nil {
				if ctx.Err() == nil {
					h.redisErrors.Add(1)
					if h.redisUp.Swap(false) {
						h.o.Logger.Warn("live: Redis subscription lost; events from other instances wait until it returns", "err", err)
					}
				}
				break
			}
			switch m := msg.(type) {
			case *redis.Subscription:
				if (m.Kind == "subscribe" || m.Kind == "ssubscribe") && !h.redisUp.Swap(true) {
					h.o.Logger.Info("live: Redis subscription live", "channel", h.o.Channel)
					backoff = 100 * time.Millisecond
				}
			case *redis.Message:
				var e Event
				if err := json.Unmarshal([]byte(m.Payload), &e); err != nil {
					h.o.Logger.Warn("live: undecodable event on Redis", "err", err)
					continue
				}
				if e.Origin == h.id {
					continue // delivered here when it was raised
				}
				h.received.Add(1)
				h.enqueue(queued{Event: e})
			}
		}
		stop()
		_ = ps.Close()
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// dispatch delivers e, or for reactions waits out the interval first.
func (h *Hub) dispatch(ctx context.Context, q queued) {
	e := q.Event
	if e.Kind == ReactionsChanged && h.o.ReactionsInterval > 0 && !q.due {
		h.pendingMu.Lock()
		defer h.pendingMu.Unlock()
		if _, ok := h.pending[e.ArticleID]; ok || h.stopped {
			return // the event due at the interval's end shows the latest counts
		}
		h.pending[e.ArticleID] = time.AfterFunc(h.o.ReactionsInterval, func() {
			h.pendingMu.Lock()
			delete(h.pending, e.ArticleID)
			h.pendingMu.Unlock()
			h.enqueue(queued{Event: e, due: true})
		})
		return
	}
	h.deliver(ctx, e)
}

func (h *Hub) deliver(ctx context.Context, e Event) {
	defer h.dispatched.Add(1)
	h.mu.RLock()
	subs := make([]*Subscriber, 0, len(h.topics[e.topic()]))
	for s := range h.topics[e.topic()] {
		subs = append(subs, s)
	}
	h.mu.RUnlock()
	if len(subs) == 0 {
		return
	}
	actx, cancel := context.WithTimeout(ctx, h.o.AcceptTimeout)
	defer cancel()
	d := Delivery{Event: e, Shared: &Shared{}}
	for _, s := range subs {
		if s.accept != nil && !s.accept(actx, d) {
			continue
		}
		select {
		case s.ch <- d:
			h.delivered.Add(1)
		default:
			if s.slow.CompareAndSwap(false, true) {
				h.slow.Add(1)
				h.remove(s)
				if s.onSlow != nil {
					s.onSlow()
				}
			}
		}
	}
}

// Subscriber receives the deliveries of one topic.
type Subscriber struct {
	h      *Hub
	topic  Topic
	ch     chan Delivery
	accept func(context.Context, Delivery) bool
	onSlow func()
	slow   atomic.Bool
}

// C receives the subscriber's deliveries. It is never closed: select on it
// with the subscription's context.
func (s *Subscriber) C() <-chan Delivery { return s.ch }

// Slow reports whether the subscriber was dropped for reading too slowly.
func (s *Subscriber) Slow() bool { return s.slow.Load() }

// Close stops deliveries to s.
func (s *Subscriber) Close() { s.h.remove(s) }

// Subscribe registers a subscriber to topic. accept, if set, decides for
// each delivery whether this subscriber may have it (it runs on the hub's
// dispatch goroutine: it must be quick, and it shares its loads through
// Delivery.Shared). onSlow, if set, is called once when the subscriber's
// buffer is full, after it stopped receiving: disconnect its client.
func (h *Hub) Subscribe(topic Topic, accept func(context.Context, Delivery) bool, onSlow func()) *Subscriber {
	s := &Subscriber{h: h, topic: topic, ch: make(chan Delivery, h.o.Buffer), accept: accept, onSlow: onSlow}
	h.mu.Lock()
	m := h.topics[topic]
	if m == nil {
		m = map[*Subscriber]struct{}{}
		h.topics[topic] = m
	}
	m[s] = struct{}{}
	h.count++
	h.mu.Unlock()
	return s
}

func (h *Hub) remove(s *Subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.topics[s.topic]
	if _, ok := m[s]; !ok {
		return
	}
	delete(m, s)
	h.count--
	if len(m) == 0 {
		delete(h.topics, s.topic)
	}
}
