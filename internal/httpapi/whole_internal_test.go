package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener counts the writes of the connections it accepts, and
// fails them while failing is set.
type countingListener struct {
	net.Listener
	writes  atomic.Int64
	failing atomic.Bool
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.l.writes.Add(1)
	if c.l.failing.Load() {
		return 0, errors.New("write failed")
	}
	return c.Conn.Write(p)
}

// getAll gets url with client and reads the whole body.
func getAll(t *testing.T, client *http.Client, url string) (*http.Response, []byte) {
	t.Helper()
	res, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// serveCounting serves h as Server does, over a countingListener.
func serveCounting(t *testing.T, h http.Handler) (*countingListener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	srv := &http.Server{Handler: h, ConnContext: withConn}
	go func() { _ = srv.Serve(gatherListener{cl}) }()
	t.Cleanup(func() { _ = srv.Close() })
	return cl, "http://" + ln.Addr().String()
}

func TestWriteWhole_SendsAResponseInOneWrite(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 8<<10) // 128 KB, past net/http's 4 KB buffer
	small := []byte(`{"data":{}}`)
	mid := big[:6<<10] // fills net/http's buffer once and leaves the rest in it
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { WriteWhole(w, r, http.StatusOK, big) })
	mux.HandleFunc("/mid", func(w http.ResponseWriter, r *http.Request) { WriteWhole(w, r, http.StatusOK, mid) })
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) { WriteWhole(w, r, http.StatusOK, small) })
	mux.HandleFunc("/plain", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(big) })
	cl, base := serveCounting(t, mux)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	t.Cleanup(client.CloseIdleConnections)

	// One kept-alive connection carries them all, in turn.
	for _, c := range []struct {
		path   string
		body   []byte
		writes func(int64) bool
		want   string
	}{
		{"/big", big, func(n int64) bool { return n == 1 }, "1"},
		{"/small", small, func(n int64) bool { return n == 1 }, "1"},
		{"/mid", mid, func(n int64) bool { return n == 1 }, "1"},
		{"/plain", big, func(n int64) bool { return n >= 2 }, "2 or more, as net/http writes"},
		{"/big", big, func(n int64) bool { return n == 1 }, "1"},
	} {
		before := cl.writes.Load()
		_, got := getAll(t, client, base+c.path)
		if !bytes.Equal(got, c.body) {
			t.Fatalf("%s: got %d bytes, want the %d written", c.path, len(got), len(c.body))
		}
		// The client has read the whole response: every write of it is
		// counted.
		if n := cl.writes.Load() - before; !c.writes(n) {
			t.Errorf("%s: %d writes, want %s", c.path, n, c.want)
		}
	}
}

func TestWriteWhole_AFailedWriteClosesTheConnection(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 64<<10)
	cl, base := serveCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteWhole(w, r, http.StatusOK, big)
	}))
	cl.failing.Store(true)
	res, err := http.Get(base)
	if err == nil {
		res.Body.Close()
		t.Fatalf("got %d, want the connection closed", res.StatusCode)
	}
	if cl.writes.Load() != 1 {
		t.Errorf("%d writes, want the one that failed", cl.writes.Load())
	}
}

func TestServer_GivesRequestsAGatheringConnection(t *testing.T) {
	var gathered atomic.Bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gc, _ := r.Context().Value(connKey{}).(*gatherConn)
		gathered.Store(gc != nil)
		WriteWhole(w, r, http.StatusOK, []byte("ok"))
	})
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Server{Addr: "127.0.0.1:0", Ready: ready, ShutdownTimeout: 5 * time.Second}.Serve(ctx, h)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	res, err := http.Get("http://" + <-ready)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if !gathered.Load() {
		t.Error("the request did not find its connection: Serve does not hand out gathering connections")
	}
}

func TestWriteWhole_UnderTLS(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 4<<10) // 64 KB: four TLS records
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteWhole(w, r, http.StatusOK, big)
	}))
	cl := &countingListener{Listener: srv.Listener}
	srv.Listener = gatherListener{cl}
	srv.Config.ConnContext = withConn
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)

	for _, h2 := range []bool{false, true} {
		tr := srv.Client().Transport.(*http.Transport).Clone()
		tr.ForceAttemptHTTP2 = h2
		if !h2 {
			tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
		}
		client := &http.Client{Transport: tr}
		// The handshake is over once a first answer is in: the second's
		// writes are the answer's alone.
		for i := range 2 {
			before := cl.writes.Load()
			res, got := getAll(t, client, srv.URL)
			if !bytes.Equal(got, big) || res.ProtoMajor != map[bool]int{false: 1, true: 2}[h2] {
				t.Fatalf("HTTP/%d: got %d bytes, want the %d written", res.ProtoMajor, len(got), len(big))
			}
			if n := cl.writes.Load() - before; i == 1 && !h2 && n != 1 {
				t.Errorf("HTTP/1.1 over TLS: %d writes, want 1", n)
			}
		}
		client.CloseIdleConnections()
	}
}
