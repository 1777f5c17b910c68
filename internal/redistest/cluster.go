package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster starts a real three-node Redis Cluster (three masters, no
// replicas) on spare loopback ports in a temporary directory, and returns a
// client of it; the servers are stopped when the test ends. Without
// redis-server and redis-cli the test is skipped, saying so.
func Cluster(tb testing.TB) *redis.ClusterClient {
	tb.Helper()
	server, err1 := exec.LookPath("redis-server")
	cli, err2 := exec.LookPath("redis-cli")
	if err1 != nil || err2 != nil {
		tb.Skip("a Redis Cluster test needs redis-server and redis-cli on PATH (apt-get install redis-server)")
	}
	dir := tb.TempDir()
	var addrs []string
	for i := 0; i < 3; i++ {
		port := sparePort(tb)
		node := filepath.Join(dir, strconv.Itoa(port))
		if err := os.Mkdir(node, 0o755); err != nil {
			tb.Fatal(err)
		}
		cmd := exec.Command(server, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "2000", "--dir", node,
			"--save", "", "--appendonly", "no", "--daemonize", "no")
		out, err := os.Create(filepath.Join(node, "log"))
		if err != nil {
			tb.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			tb.Fatalf("start redis-server: %v", err)
		}
		tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); out.Close() })
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		waitPing(tb, addr)
		addrs = append(addrs, addr)
	}
	create := exec.Command(cli, append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "0", "--cluster-yes")...)
	if out, err := create.CombinedOutput(); err != nil {
		tb.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	// Every node must agree the cluster is up before a client's slot map
	// is complete.
	deadline := time.Now().Add(20 * time.Second)
	for _, a := range addrs {
		c := redis.NewClient(&redis.Options{Addr: a})
		for {
			info, err := c.ClusterInfo(context.Background()).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				c.Close()
				tb.Fatalf("redis cluster at %s not ok after 20s: %v %s", a, err, info)
			}
			time.Sleep(50 * time.Millisecond) // polling the cluster's state, bounded by the deadline
		}
		c.Close()
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ContextTimeoutEnabled: true})
	tb.Cleanup(func() { c.Close() })
	if err := c.ForEachShard(context.Background(), func(ctx context.Context, s *redis.Client) error {
		return s.Ping(ctx).Err()
	}); err != nil {
		tb.Fatalf("redis cluster: %v", err)
	}
	return c
}

// sparePort finds a free loopback port whose cluster bus port (port+10000)
// is free too.
func sparePort(tb testing.TB) int {
	tb.Helper()
	for i := 0; i < 50; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if port+10000 > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port+10000))
		if err != nil {
			continue
		}
		bus.Close()
		return port
	}
	tb.Fatal("no spare port pair for a Redis Cluster node")
	return 0
}

// waitPing polls a freshly started server until it answers.
func waitPing(tb testing.TB, addr string) {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			tb.Fatalf("redis-server at %s did not answer within 10s", addr)
		}
		time.Sleep(20 * time.Millisecond) // polling a starting server, bounded by the deadline
	}
}
