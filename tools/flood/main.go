// Command flood sends graphtest's table of hostile requests to a running
// Folio server over many connections for a while, sends { __typename }
// alongside, and reports how long those took and the server's peak
// memory. It speaks to loopback addresses only.
//
//	go run ./tools/flood -url http://127.0.0.1:8080/query -pid $(pgrep -n folio)
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/folio/folio/graph/graphtest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
}

func run() error {
	target := flag.String("url", "http://127.0.0.1:8080/query", "the server's GraphQL endpoint, on a loopback address")
	duration := flag.Duration("duration", 30*time.Second, "how long to flood")
	conns := flag.Int("conns", 32, "connections sending hostile requests")
	pid := flag.Int("pid", 0, "the server's process id, to read its peak RSS from /proc (0: not reported)")
	every := flag.Duration("probe-every", 20*time.Millisecond, "how often to send { __typename }")
	flag.Parse()
	if err := loopbackOnly(*target); err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	table := graphtest.HostileRequests()
	flood := &http.Client{Transport: &http.Transport{MaxConnsPerHost: *conns, MaxIdleConnsPerHost: *conns}, Timeout: 30 * time.Second}
	probe := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}, Timeout: 10 * time.Second}

	var sent, failed atomic.Int64
	var wg sync.WaitGroup
	for w := range *conns {
		wg.Go(func() {
			for i := w; ctx.Err() == nil; i++ {
				h := table[i%len(table)]
				n := i/len(table)**conns + w // a fresh document each time
				// The flood and the probe come from different (documentation)
				// addresses, so that a server trusting loopback as a proxy
				// keeps their budgets apart.
				if _, err := send(ctx, flood, *target, h.ContentType, h.Varied(n), "192.0.2.1"); err != nil && ctx.Err() == nil {
					failed.Add(1)
				}
				sent.Add(1)
			}
		})
	}

	var latencies []time.Duration
	statuses := map[int]int{}
	wg.Go(func() {
		body := []byte(`{"query":"{ __typename }"}`)
		tick := time.NewTicker(*every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			start := time.Now()
			status, err := send(context.Background(), probe, *target, "application/json", bytes.NewReader(body), "192.0.2.2")
			if err != nil {
				status = -1
			}
			latencies = append(latencies, time.Since(start))
			statuses[status]++
		}
	})

	var peak int64
	wg.Go(func() {
		if *pid == 0 {
			return
		}
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if kb, err := procStatus(*pid, "VmRSS"); err == nil {
				peak = max(peak, kb)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})
	wg.Wait()

	fmt.Printf("flooded %s for %s over %d connections: %d hostile requests (%d failed to send), %d kinds\n",
		*target, *duration, *conns, sent.Load(), failed.Load(), len(table))
	if len(latencies) > 0 {
		slices.Sort(latencies)
		q := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
		fmt.Printf("{ __typename }: %d sent, statuses %v, p50 %s, p99 %s, max %s\n",
			len(latencies), statuses, q(0.50).Round(time.Microsecond), q(0.99).Round(time.Microsecond), latencies[len(latencies)-1].Round(time.Microsecond))
	}
	if *pid != 0 {
		hwm, err := procStatus(*pid, "VmHWM")
		if err != nil {
			return err
		}
		fmt.Printf("server RSS: peak sampled %d MiB, high-water mark since start %d MiB\n", peak>>10, hwm>>10)
	}
	return nil
}

// send posts one request and reads the whole answer.
func send(ctx context.Context, c *http.Client, target, contentType string, body io.Reader, from string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Folio-CSRF", "1")
	req.Header.Set("X-Forwarded-For", from)
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, err = io.Copy(io.Discard, res.Body)
	return res.StatusCode, err
}

// loopbackOnly refuses a target that is not on this machine.
func loopbackOnly(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("-url must be a loopback address (127.0.0.1, ::1, localhost): this floods whatever it is pointed at")
}

// procStatus reads one figure, in KiB, from /proc/pid/status.
func procStatus(pid int, field string) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}
