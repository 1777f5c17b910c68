package main

import (
	"context"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/internal/redistest"
)

func redisConfig(t *testing.T, env map[string]string) config {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	build := configFlags(fs, envOf(env), nil)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := build()
	if err != nil {
		t.Fatalf("config %v: %v", env, err)
	}
	return cfg
}

func TestRedisOptions_Errors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"MasterNameWithoutAddrs", map[string]string{"REDIS_MASTER_NAME": "folio"}, "REDIS_MASTER_NAME needs REDIS_ADDRS"},
		{"AddrWithoutPort", map[string]string{"REDIS_ADDRS": "10.0.0.1,10.0.0.2:6379"}, `REDIS_ADDRS must be host:port addresses separated by commas, not "10.0.0.1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			_, err := configFlags(fs, envOf(tt.env), nil)()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	t.Run("ClusterHasNoDatabases", func(t *testing.T) {
		cfg := redisConfig(t, map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/3", "REDIS_ADDRS": "127.0.0.1:7000,127.0.0.1:7001"})
		if _, err := redisOptions(cfg); err == nil || !strings.Contains(err.Error(), "only database 0") {
			t.Fatalf("got %v, want a refusal of database 3 on a Cluster", err)
		}
	})
}

// TestOpenRedis_Cluster: two or more REDIS_ADDRS give a Cluster client.
func TestOpenRedis_Cluster(t *testing.T) {
	cluster := redistest.Cluster(t)
	cfg := redisConfig(t, map[string]string{"REDIS_ADDRS": strings.Join(cluster.Options().Addrs, ",")})
	rdb, err := openRedis(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("got a %T, want a *redis.ClusterClient", rdb)
	}
}

// TestOpenRedis_SentinelFailover: with REDIS_MASTER_NAME the client asks
// the Sentinel for the master, and when the master is killed it follows
// the promoted replica: what was written before is still there and new
// writes succeed.
func TestOpenRedis_SentinelFailover(t *testing.T) {
	s := redistest.Sentinel(t)
	cfg := redisConfig(t, map[string]string{"REDIS_ADDRS": s.Sentinel, "REDIS_MASTER_NAME": s.MasterName})
	ctx := context.Background()
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.Set(ctx, "folio:failover", "before", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.Do(ctx, "WAIT", 1, 5000).Int64(); err != nil || n != 1 {
		t.Fatalf("WAIT for the replica: %d, %v; want 1", n, err)
	}
	s.KillMaster()
	deadline := time.Now().Add(30 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		err := rdb.Set(cctx, "folio:failover:after", "after", 0).Err()
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no write succeeded within 30s of killing the master: %v", err)
		}
		time.Sleep(100 * time.Millisecond) // polling for the failover, bounded by the deadline
	}
	if got, err := rdb.Get(ctx, "folio:failover").Result(); err != nil || got != "before" {
		t.Fatalf("after the failover read %q, %v; want the value written before", got, err)
	}
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.Sentinel})
	defer sc.Close()
	addr, err := sc.GetMasterAddrByName(ctx, s.MasterName).Result()
	if err != nil || len(addr) != 2 || addr[0]+":"+addr[1] != s.Replica {
		t.Fatalf("the Sentinel names master %v, %v; want the promoted replica %s", addr, err, s.Replica)
	}
}
