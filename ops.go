package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/folio/folio/internal/accesslog"
	"github.com/folio/folio/internal/httpsec"
	"github.com/folio/folio/internal/lifecycle"
	"github.com/folio/folio/internal/logging"
	"github.com/folio/folio/internal/metrics"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/requestid"
	"github.com/folio/folio/internal/tracing"
)

// ops is what a serving process needs beyond its API: tracing, metrics and
// the drain that coordinates shutdown.
type ops struct {
	tp          trace.TracerProvider
	tracingOn   bool
	stopTracing func(context.Context) error
	metrics     *metrics.Metrics // nil when METRICS_ADDR is empty
	drain       *lifecycle.Drain
}

func startOps(ctx context.Context, cfg config, log *slog.Logger) (*ops, error) {
	tp, stop, err := tracing.Setup(ctx, tracing.Options{Endpoint: cfg.ops.OTLPEndpoint, ServiceName: cfg.ops.ServiceName})
	if err != nil {
		return nil, err
	}
	o := &ops{tp: tp, tracingOn: cfg.ops.OTLPEndpoint != "", stopTracing: stop, drain: lifecycle.New()}
	if cfg.ops.MetricsAddr != "" {
		o.metrics = metrics.New(metrics.Options{MaxOperations: cfg.ops.MaxOperationLabels})
	}
	// go-redis logs reconnects and pool trouble through its own logger.
	redis.SetLogger(logging.Redis{Logger: log})
	return o, nil
}

// close flushes the spans still buffered.
func (o *ops) close(log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.stopTracing(ctx); err != nil {
		log.Warn("flush traces", "error", err)
	}
}

// dbOptions traces each statement and sets Postgres's statement_timeout.
func (o *ops) dbOptions(cfg config) func(*postgres.Options) {
	return func(opts *postgres.Options) {
		opts.StatementTimeout = cfg.ops.StatementTimeout
		if o.tracingOn {
			opts.Tracers = append(opts.Tracers, tracing.NewPGX(o.tp))
		}
	}
}

// watch exports the pool's statistics and traces Redis commands.
func (o *ops) watch(db *postgres.DB, rdb redis.UniversalClient) error {
	if o.metrics != nil {
		o.metrics.WatchStatements(db.Statements)
		o.metrics.WatchPool(db.Pool.Stat)
	}
	if o.tracingOn {
		if err := redisotel.InstrumentTracing(rdb, redisotel.WithTracerProvider(o.tp), redisotel.WithDBStatement(false)); err != nil {
			return fmt.Errorf("trace Redis commands: %w", err)
		}
	}
	return nil
}

// wrap puts the layers every request goes through around the routes, outer
// first: the trace span, the request id, the access log and metrics, the
// security headers, CORS, and the drain of long-lived connections.
func (o *ops) wrap(cfg config, log *slog.Logger, routes http.Handler) http.Handler {
	h := o.drain.LongLived(routes)
	h = httpsec.CORS(cfg.ops.CORSOrigins, h)
	h = httpsec.Headers(cfg.ops.tls(), h)
	var rec accesslog.Recorder
	if o.metrics != nil {
		rec = o.metrics
	}
	h = accesslog.Middleware(accesslog.Options{Logger: log, Recorder: rec, Quiet: []string{"/healthz", "/readyz"}}, h)
	h = requestid.Middleware(h)
	return tracing.Middleware(o.tp, h)
}

// serveHTTP serves h until ctx ends, then shuts down in order: readiness
// fails and WebSockets are sent away, SHUTDOWN_DELAY passes (load
// balancers notice), the listener closes and in-flight requests finish
// within SHUTDOWN_TIMEOUT, and the metrics listener closes last.
func (o *ops) serveHTTP(ctx context.Context, cfg config, log *slog.Logger, h http.Handler, ready chan<- string) error {
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("cannot listen on HTTP_ADDR %s: %v", cfg.HTTPAddr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		// The response may take the whole request timeout, and then some.
		WriteTimeout: max(30*time.Second, cfg.RequestTimeout+5*time.Second),
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 2)
	if cfg.ops.tls() {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		go func() { errc <- srv.ServeTLS(ln, cfg.ops.TLSCertFile, cfg.ops.TLSKeyFile) }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	msrv, err := o.serveMetrics(cfg, log, errc)
	if err != nil {
		_ = srv.Close()
		return err
	}
	log.Info("serving", "addr", ln.Addr().String(), "tls", cfg.ops.tls(), "env", cfg.Env, "playground", cfg.Playground,
		"introspection", cfg.ops.Introspection, "tracing", o.tracingOn)
	if ready != nil {
		ready <- ln.Addr().String()
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
	log.Info("shutting down", "delay", cfg.ops.ShutdownDelay, "timeout", cfg.ShutdownTimeout)
	o.drain.Begin()
	if cfg.ops.ShutdownDelay > 0 {
		time.Sleep(cfg.ops.ShutdownDelay)
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// Whatever is still running is cut off; its contexts end, and with
		// them its SQL.
		_ = srv.Close()
		err = fmt.Errorf("requests still running after SHUTDOWN_TIMEOUT (%s) were cut off", cfg.ShutdownTimeout)
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

// serveMetrics serves /metrics on METRICS_ADDR, if set.
func (o *ops) serveMetrics(cfg config, log *slog.Logger, errc chan<- error) (*http.Server, error) {
	if o.metrics == nil {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.ops.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on METRICS_ADDR %s: %v", cfg.ops.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", o.metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("metrics: %w", err)
		}
	}()
	log.Info("serving metrics", "addr", ln.Addr().String())
	return srv, nil
}
