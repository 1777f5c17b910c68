// Command subload opens many WebSocket subscribers (graphql-transport-ws)
// to commentAdded on one article of a running Folio server, adds one
// comment, and reports how long the event took to reach them (p50, p99),
// the server's RSS and the SQL statements the event ran. It speaks to
// loopback addresses only.
//
//	go run ./tools/subload -n 5000 -pid $(pgrep -n folio) -metrics http://127.0.0.1:9090/metrics
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
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

	"github.com/coder/websocket"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "subload:", err)
		os.Exit(1)
	}
}

const subscription = `subscription($a: ID!) { commentAdded(articleId: $a) { id body author { handle } article { title commentCount } } }`

func run() error {
	target := flag.String("url", "http://127.0.0.1:8080/query", "the server's GraphQL endpoint, on a loopback address")
	n := flag.Int("n", 5000, "subscribers, one WebSocket each")
	pid := flag.Int("pid", 0, "the server's process id, to read its RSS from /proc (0: not reported)")
	metricsURL := flag.String("metrics", "http://127.0.0.1:9090/metrics", "the server's /metrics (METRICS_ADDR): subscriptions and SQL statements are read there")
	flag.Parse()
	u, err := url.Parse(*target)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s is not a loopback address", *target)
	}
	ctx := context.Background()

	token, err := signIn(*target)
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	var feed struct {
		Articles struct {
			Nodes []struct{ ID string } `json:"nodes"`
		} `json:"articles"`
	}
	if err := post(*target, "", `{ articles(first: 1) { nodes { id } } }`, nil, &feed); err != nil || len(feed.Articles.Nodes) == 0 {
		return fmt.Errorf("find an article: %v", err)
	}
	article := feed.Articles.Nodes[0].ID
	comment := func(body string) error {
		var out struct {
			AddComment struct {
				Comment *struct{ ID string } `json:"comment"`
			} `json:"addComment"`
		}
		err := post(*target, token, `mutation($a: ID!, $b: String!) { addComment(input: {articleId: $a, body: $b}) { comment { id } } }`,
			map[string]any{"a": article, "b": body}, &out)
		if err == nil && out.AddComment.Comment == nil {
			err = errors.New("no comment in the answer")
		}
		return err
	}
	// The mutation's own statements, with nobody listening.
	s0, _ := metric(*metricsURL, "folio_sql_statements_total")
	if err := comment("subload warm-up"); err != nil {
		return fmt.Errorf("comment: %w", err)
	}
	s1, _ := metric(*metricsURL, "folio_sql_statements_total")
	alone := s1 - s0

	wsURL := "ws" + strings.TrimPrefix(*target, "http")
	received := make([]time.Time, *n)
	var got atomic.Int64
	var sent atomic.Int64 // start of the mutation, unix nanos
	allDone := make(chan struct{})
	conns := make([]*websocket.Conn, *n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 100)
	var dialErr atomic.Value
	start := time.Now()
	for i := range *n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := subscribe(ctx, wsURL, article)
			if err != nil {
				dialErr.Store(err)
				return
			}
			conns[i] = c
		})
	}
	wg.Wait()
	if err, _ := dialErr.Load().(error); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	fmt.Printf("%d subscribers connected in %s\n", *n, time.Since(start).Round(time.Millisecond))
	for i, c := range conns {
		go func() {
			for {
				_, b, err := c.Read(ctx)
				if err != nil {
					return
				}
				var m struct {
					Type string `json:"type"`
				}
				_ = json.Unmarshal(b, &m)
				switch m.Type {
				case "ping":
					_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`))
				case "next":
					received[i] = time.Now()
					if got.Add(1) == int64(*n) {
						close(allDone)
					}
				}
			}
		}()
	}
	// Every subscription registered before the event.
	deadline := time.Now().Add(60 * time.Second)
	for {
		active, err := metric(*metricsURL, "folio_subscriptions_active")
		if err != nil {
			return fmt.Errorf("read %s: %w", *metricsURL, err)
		}
		if active >= float64(*n) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %v of %d subscriptions active after 60s", active, *n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	rssBefore := rss(*pid)
	b0, _ := metric(*metricsURL, "folio_sql_statements_total")
	t0 := time.Now()
	sent.Store(t0.UnixNano())
	if err := comment("subload: one event to every subscriber"); err != nil {
		return fmt.Errorf("comment: %w", err)
	}
	select {
	case <-allDone:
	case <-time.After(30 * time.Second):
	}
	b1, _ := metric(*metricsURL, "folio_sql_statements_total")
	rssAfter := rss(*pid)
	var lat []time.Duration
	for _, r := range received {
		if !r.IsZero() {
			lat = append(lat, r.Sub(t0))
		}
	}
	slices.Sort(lat)
	fmt.Printf("delivered to %d of %d subscribers\n", len(lat), *n)
	if len(lat) > 0 {
		fmt.Printf("delivery after the mutation was sent: p50 %s, p99 %s, max %s\n",
			lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*99/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	}
	fmt.Printf("SQL statements: %v for the mutation and its event, %v for the mutation alone: the event ran %v\n", b1-b0, alone, b1-b0-alone)
	if *pid != 0 {
		fmt.Printf("server RSS: %d MiB with the subscribers, %d MiB after the event\n", rssBefore>>10, rssAfter>>10)
	}
	for _, c := range conns {
		_ = c.Close(websocket.StatusNormalClosure, "")
	}
	return nil
}

// subscribe opens one graphql-transport-ws connection and subscribes.
func subscribe(ctx context.Context, wsURL, article string) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	if err := c.Write(dctx, websocket.MessageText, []byte(`{"type":"connection_init"}`)); err != nil {
		return nil, err
	}
	if _, b, err := c.Read(dctx); err != nil || !bytes.Contains(b, []byte("connection_ack")) {
		return nil, fmt.Errorf("no ack: %s %v", b, err)
	}
	msg, _ := json.Marshal(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": subscription, "variables": map[string]any{"a": article}}})
	return c, c.Write(dctx, websocket.MessageText, msg)
}

// signIn signs in as the development seed's reader: an account made by
// signUp could not comment until its address is verified.
func signIn(target string) (string, error) {
	var out struct {
		SignIn struct {
			Session *struct {
				AccessToken string `json:"accessToken"`
			} `json:"session"`
		} `json:"signIn"`
	}
	err := post(target, "", `mutation($in: SignInInput!) { signIn(input: $in) { session { accessToken } } }`,
		map[string]any{"in": map[string]any{"email": "reader@demo.folio.example", "password": "folio-demo-password"}}, &out)
	if err != nil {
		return "", err
	}
	if out.SignIn.Session == nil {
		return "", errors.New("no session: is this a development server with its demo data?")
	}
	return out.SignIn.Session.AccessToken, nil
}

func post(target, token, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		return errors.New(r.Errors[0].Message)
	}
	return json.Unmarshal(r.Data, out)
}

// metric reads one unlabelled sample from a Prometheus text page.
func metric(u, name string) (float64, error) {
	res, err := http.Get(u)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(v, 64)
		}
	}
	return 0, fmt.Errorf("%s not found", name)
}

// rss is the process's resident set in KiB, 0 when unknown.
func rss(pid int) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
