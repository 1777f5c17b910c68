package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/folio/folio/internal/auth"
)

// TestMain_SIGTERMClosesLiveConnections runs the real binary with a
// subscriber connected and sends it SIGTERM: after SHUTDOWN_DELAY the
// WebSocket is closed with 1001 (going away), and the process exits 0.
func TestMain_SIGTERMClosesLiveConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, db := folioBinary(t), binaryDatabase(t, "main_live")

	const delay = 500 * time.Millisecond
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "ENV=production", "DATABASE_URL="+db.Pool.Config().ConnString(), "HTTP_ADDR=127.0.0.1:0",
		"SHUTDOWN_DELAY="+delay.String(), "REDIS_URL=redis://127.0.0.1:6379/0", "JWT_KEYS="+auth.GenerateKey())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	exited := make(chan error, 1)
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var m struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &m) == nil && m.Msg == "serving" {
				addrc <- m.Addr
			}
		}
		exited <- cmd.Wait()
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-exited:
		t.Fatalf("the server exited before serving: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("the server did not start within a minute")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/query", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init"}`)); err != nil {
		t.Fatal(err)
	}
	if _, b, err := c.Read(ctx); err != nil {
		t.Fatalf("no ack: %s %v", b, err)
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue // a keep-alive
		}
		if code := websocket.CloseStatus(err); code != websocket.StatusGoingAway {
			t.Fatalf("connection ended with %v (status %d), want 1001", err, code)
		}
		break
	}
	if d := time.Since(sent); d < delay {
		t.Errorf("closed %s after SIGTERM, before the %s drain delay", d, delay)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit within 30s of SIGTERM")
	}
}
