package live_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/live"
	"github.com/folio/folio/internal/redistest"
)

// TestHub_ClusterShardedPubSub: on a real three-node Redis Cluster, two
// instances (hubs on clients of their own) exchange events by sharded
// pub/sub, so the channel's shard alone carries them rather than every
// node of the cluster.
func TestHub_ClusterShardedPubSub(t *testing.T) {
	ca := redistest.Cluster(t)
	cb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: ca.Options().Addrs, ContextTimeoutEnabled: true})
	t.Cleanup(func() { cb.Close() })
	const channel = "folio:test:live"
	a := live.New(live.Options{Redis: ca, Channel: channel})
	b := live.New(live.Options{Redis: cb, Channel: channel})
	run(t, a)
	run(t, b)
	waitUntil(t, "both hubs subscribed", func() bool { return a.Stats().RedisUp && b.Stats().RedisUp })

	ctx := t.Context()
	// The channel's shard is the master of its slot: ask it.
	node, err := ca.MasterForKey(ctx, channel)
	if err != nil {
		t.Fatal(err)
	}
	shard, err := node.PubSubShardNumSub(ctx, channel).Result()
	if err != nil {
		t.Fatal(err)
	}
	if shard[channel] != 2 {
		t.Errorf("sharded subscribers of %s = %d, want the two hubs", channel, shard[channel])
	}
	plain, err := node.PubSubNumSub(ctx, channel).Result()
	if err != nil {
		t.Fatal(err)
	}
	if plain[channel] != 0 {
		t.Errorf("plain subscribers of %s = %d, want none on a Cluster", channel, plain[channel])
	}

	s := b.Subscribe(live.CommentsOf(4), nil, nil)
	defer s.Close()
	a.Publish(ctx, live.Event{Kind: live.CommentAdded, ArticleID: 4, CommentID: 11})
	if d := receive(t, s); d.Event.CommentID != 11 || d.Event.ArticleID != 4 {
		t.Fatalf("delivery on the other instance = %+v", d.Event)
	}
	if st := a.Stats(); st.RedisErrors != 0 {
		t.Errorf("publishing instance counted %d Redis errors", st.RedisErrors)
	}
	if st := b.Stats(); st.Received != 1 {
		t.Errorf("receiving instance got %d events from Redis, want 1", st.Received)
	}
}
