package redistest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// SentinelSetup is a real Redis master, its replica and one Sentinel
// watching them, started by Sentinel.
type SentinelSetup struct {
	// MasterName is the name the Sentinel knows the master by.
	MasterName string
	// Sentinel is the Sentinel's address; clients ask it for the master.
	Sentinel string
	// Master and Replica are the servers' addresses as started.
	Master, Replica string

	master *exec.Cmd
}

// KillMaster kills the master process, as a crash would: the Sentinel
// notices after a second and promotes the replica.
func (s *SentinelSetup) KillMaster() {
	_ = s.master.Process.Kill()
	_ = s.master.Wait()
}

// Sentinel starts a master, a replica of it and a Sentinel (quorum 1,
// down after 1 s) on spare loopback ports, stopped when the test ends.
// Without redis-server the test is skipped, saying so.
func Sentinel(tb testing.TB) *SentinelSetup {
	tb.Helper()
	server, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Skip("a Redis Sentinel test needs redis-server on PATH (apt-get install redis-server)")
	}
	dir := tb.TempDir()
	start := func(name string, args ...string) (*exec.Cmd, string) {
		port := sparePort(tb)
		d := filepath.Join(dir, name)
		if err := os.Mkdir(d, 0o755); err != nil {
			tb.Fatal(err)
		}
		out, err := os.Create(filepath.Join(d, "log"))
		if err != nil {
			tb.Fatal(err)
		}
		cmd := exec.Command(server, append(args, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", d)...)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			tb.Fatalf("start redis-server (%s): %v", name, err)
		}
		tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); out.Close() })
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		waitPing(tb, addr)
		return cmd, addr
	}
	s := &SentinelSetup{MasterName: "folio"}
	s.master, s.Master = start("master", "--save", "", "--appendonly", "no")
	host, port, _ := net.SplitHostPort(s.Master)
	_, s.Replica = start("replica", "--save", "", "--appendonly", "no", "--replicaof", host, port)
	// A Sentinel rewrites its configuration file, so it gets one of its own.
	conf := filepath.Join(dir, "sentinel.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(
		"sentinel monitor %s %s %s 1\nsentinel down-after-milliseconds %[1]s 1000\nsentinel failover-timeout %[1]s 5000\n",
		s.MasterName, host, port)), 0o644); err != nil {
		tb.Fatal(err)
	}
	_, s.Sentinel = start("sentinel", conf, "--sentinel")
	return s
}
