package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"sync/atomic"
	"time"
)

// drainGrace is how long, after the listener closed, a kept-alive
// connection may take to carry one more request before shutdown closes it.
const drainGrace = time.Second

// onceListener closes once: the drain closes it before Shutdown, which
// closes it again and would report the second close as an error.
type onceListener struct {
	net.Listener
	once sync.Once
	err  error
}

func (l *onceListener) Close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return l.err
}

// Server is how the handler is served and stopped.
type Server struct {
	// Addr is where to serve the API (HTTP_ADDR).
	Addr string
	// TLSCertFile and TLSKeyFile, both set, serve HTTPS (TLS 1.2+).
	TLSCertFile, TLSKeyFile string
	// RequestTimeout is the request deadline; responses may take that long
	// and then some before the write times out.
	RequestTimeout time.Duration
	// ShutdownDelay keeps serving, readiness failing, before the listener
	// closes, so load balancers stop sending traffic first.
	ShutdownDelay time.Duration
	// ShutdownTimeout bounds how long requests in flight may finish.
	ShutdownTimeout time.Duration
	// Drain is the one the handler's readiness reads.
	Drain *Drain
	// OnShutdown, if set, runs when the listener closes, after
	// ShutdownDelay: it ends what Shutdown does not wait for (live
	// connections, which it tells to go away).
	OnShutdown func()

	// MetricsAddr, if set, is a listener of its own, never the public
	// port, serving Metrics at GET /metrics.
	MetricsAddr string
	Metrics     http.Handler
	// PProf adds Go's profiler at /debug/pprof/ to the metrics listener.
	PProf bool

	Logger *slog.Logger
	// Started, if set, is called with the listeners' addresses (metrics
	// empty when off) once they accept connections, before Ready: the
	// command prints its banner there.
	Started func(addr, metricsAddr string)
	// Ready, if set, receives the API listener's address once it accepts
	// connections; LogAttrs are added to the "serving" log line.
	Ready    chan<- string
	LogAttrs []any
}

// Serve serves h until ctx ends, then shuts down in order: readiness fails,
// ShutdownDelay passes (load balancers notice), the listener closes and
// requests in flight finish within ShutdownTimeout (what still runs then is
// cut off, its contexts and so its SQL cancelled), and the metrics listener
// closes last.
func (s Server) Serve(ctx context.Context, h http.Handler) error {
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on HTTP_ADDR %s: %v", s.Addr, err)
	}
	ln := &onceListener{Listener: gatherListener{l}}
	// While draining, every response says Connection: close, and its
	// connection closes after it: see the shutdown below.
	var draining atomic.Bool
	var conns atomic.Int64 // open connections, not hijacked
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if draining.Load() {
				w.Header().Set("Connection", "close")
			}
			h.ServeHTTP(w, r)
		}),
		ConnState: func(_ net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				conns.Add(1)
			case http.StateClosed, http.StateHijacked:
				conns.Add(-1)
			}
		},
		ConnContext:       withConn,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		// The response may take the whole request timeout, and then some.
		WriteTimeout: max(30*time.Second, s.RequestTimeout+5*time.Second),
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if s.OnShutdown != nil {
		srv.RegisterOnShutdown(s.OnShutdown)
	}
	errc := make(chan error, 2)
	tlsOn := s.TLSCertFile != ""
	if tlsOn {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		go func() { errc <- srv.ServeTLS(ln, s.TLSCertFile, s.TLSKeyFile) }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	msrv, err := s.serveMetrics(log, errc)
	if err != nil {
		_ = srv.Close()
		return err
	}
	log.Info("serving", append([]any{"addr", ln.Addr().String(), "tls", tlsOn}, s.LogAttrs...)...)
	if s.Started != nil {
		maddr := ""
		if msrv != nil {
			maddr = msrv.Addr
		}
		s.Started(ln.Addr().String(), maddr)
	}
	if s.Ready != nil {
		s.Ready <- ln.Addr().String()
	}

	select {
	case err := <-errc:
		_ = srv.Close()
		if msrv != nil {
			_ = msrv.Close()
		}
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "delay", s.ShutdownDelay, "timeout", s.ShutdownTimeout)
	// From now on each response says Connection: close and its connection
	// closes after it. Then the listener closes, and the connections still
	// open are given drainGrace to carry their client's next request, before
	// Shutdown closes those left idle. Closing an idle kept-alive connection
	// at once (as http.Server's SetKeepAlivesEnabled(false) and Shutdown
	// do) races a client sending its next request down it: a POST cut that
	// way is lost to a client, which cannot retry it blindly.
	draining.Store(true)
	if s.Drain != nil {
		s.Drain.Begin()
	}
	if s.ShutdownDelay > 0 {
		time.Sleep(s.ShutdownDelay)
	}
	_ = ln.Close()
	for grace := time.Now().Add(min(drainGrace, s.ShutdownTimeout)); conns.Load() > 0 && time.Now().Before(grace); {
		time.Sleep(5 * time.Millisecond)
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		_ = srv.Close()
		err = fmt.Errorf("requests still running after SHUTDOWN_TIMEOUT (%s) were cut off", s.ShutdownTimeout)
	}
	if msrv != nil {
		mctx, mcancel := context.WithTimeout(context.Background(), time.Second)
		defer mcancel()
		_ = msrv.Shutdown(mctx)
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// serveMetrics serves /metrics, and the profiler if asked, on MetricsAddr.
func (s Server) serveMetrics(log *slog.Logger, errc chan<- error) (*http.Server, error) {
	if s.MetricsAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", s.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on METRICS_ADDR %s: %v", s.MetricsAddr, err)
	}
	srv := &http.Server{Addr: ln.Addr().String(), Handler: s.metricsRoutes(), ReadHeaderTimeout: 5 * time.Second,
		// A CPU profile takes ?seconds= (30 by default) to record.
		WriteTimeout: 90 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("metrics: %w", err)
		}
	}()
	log.Info("serving metrics", "addr", ln.Addr().String(), "pprof", s.PProf)
	return srv, nil
}

// metricsRoutes are the operators' routes: never on the public port.
func (s Server) metricsRoutes() http.Handler {
	mux := http.NewServeMux()
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics)
	}
	if s.PProf {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}
