// Command folio serves Folio's GraphQL API.
//
//	folio [serve]                     serve HTTP (the default)
//	folio migrate up|down|status      manage the database schema
//	folio seed --scale tiny|small|medium [--replace]
//	folio documents load FILE         register trusted documents
//	folio worker                      run queued jobs (webhook deliveries)
//	folio accounts unlock EMAIL       clear an account's sign-in delays
//	folio keygen                      print a new access-token key
//	folio help [COMMAND]              list the commands, or a command's flags
//
// Configuration comes from the environment (DATABASE_URL, REDIS_URL,
// HTTP_ADDR, ENV, LOG_LEVEL, …); flags of the same name override it.
package main

//go:generate go run ./tools/gqlgen

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/internal/accesslog"
	"github.com/folio/folio/internal/admission"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/cache"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/idempotency"
	"github.com/folio/folio/internal/jobs"
	"github.com/folio/folio/internal/live"
	"github.com/folio/folio/internal/logging"
	"github.com/folio/folio/internal/mail"
	"github.com/folio/folio/internal/media"
	"github.com/folio/folio/internal/metrics"
	"github.com/folio/folio/internal/newsletter"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/respcache"
	"github.com/folio/folio/internal/seed"
	"github.com/folio/folio/internal/tracing"
	"github.com/folio/folio/internal/webhook"
)

// defaultGOGC is the garbage collector's target when GOGC is not set. A
// request allocates a few hundred kilobytes that die with it, and the live
// heap is small (about ten megabytes), so letting the heap grow to 11× the
// live data before collecting costs little memory and saves the
// collections that, at Go's default of 100, took a quarter of the CPU
// under load (README, "Memory and the garbage collector"). Set GOMEMLIMIT
// to the container's memory less a margin to keep a ceiling. It applies to
// the long-running commands (serve, worker) only: the one-off ones (seed,
// migrate) hold much more live data for a while, which 11× would inflate.
const defaultGOGC = 1000

func main() {
	if gc, ok := gcTarget(os.Args[1:], os.Getenv); ok {
		debug.SetGCPercent(gc)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintf(os.Stderr, "folio: %v\n", err)
		os.Exit(1)
	}
}

// run executes one command. ready, if set, receives the HTTP listener's
// address once the server accepts connections (tests use it).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error {
	name, args := commandOf(args)
	cmd, err := lookupCommand(name)
	if err != nil {
		return err
	}
	fs := flagSet(name)
	load := configFlags(fs, getenv, cmd.settings)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	positional, err := parseInterspersed(fs, args)
	switch {
	case name == "help" || isHelp(err):
		if name == "help" {
			printOverview(stdout)
		} else {
			printCommandHelp(stdout, cmd, fs)
		}
		return nil
	case err != nil:
		return flagError(cmd, fs, err)
	}
	if cmd.args == "" && len(positional) > 0 {
		return fmt.Errorf("unexpected arguments %q: the command comes first, as in `folio migrate status --database-url …`", positional)
	}
	if name == "keygen" {
		fmt.Fprintln(stdout, auth.GenerateKey())
		return nil
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	switch name {
	case "migrate":
		return migrate(ctx, cfg, log, positional, stdout)
	case "seed":
		scale, replace := fs.Lookup("scale").Value.String(), fs.Lookup("replace").Value.String() == "true"
		return seedCmd(ctx, cfg, log, scale, replace, stdout)
	case "documents":
		return documentsCmd(ctx, cfg, log, positional, stdout)
	case "accounts":
		return accountsCmd(ctx, cfg, log, positional, stdout)
	case "worker":
		return workerCmd(ctx, cfg, log, ready)
	}
	return serve(ctx, cfg, log, stdout, ready)
}

// gcTarget is the GOGC the command in args runs with, when it is not
// Go's own: defaultGOGC for serve and worker, unless GOGC is set.
func gcTarget(args []string, getenv func(string) string) (int, bool) {
	name, _ := commandOf(args)
	if (name != "serve" && name != "worker") || getenv("GOGC") != "" {
		return 0, false
	}
	return defaultGOGC, true
}

// heapProfileRate is Go's heap-profile sampling for a server: the rate the
// process started with (Go's 512 KB, or GODEBUG's memprofilerate) where the
// profiler is served (PPROF), none elsewhere. Go samples unless the binary
// cannot profile, and Folio's can (it links the profiler for PPROF): a
// stack walk every 512 KB allocated, 2% of the article page's CPU under
// load (pprof), for a profile no one could read.
func heapProfileRate(pprof bool) int {
	if pprof {
		return startMemProfileRate
	}
	return 0
}

// startMemProfileRate is runtime.MemProfileRate before serve changes it.
var startMemProfileRate = runtime.MemProfileRate

// commandOf splits the command's name off its arguments: serve when none
// is named, help for `folio --help` (the commands, not serve's flags), and
// the command with --help for `folio help command`.
func commandOf(args []string) (string, []string) {
	name := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		name, args = "help", nil
	}
	if name == "help" && len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], []string{"--help"}
	}
	return name, args
}

// parseInterspersed parses flags wherever they stand among the arguments
// (`migrate up --env production` as well as `migrate --env production up`)
// and returns the arguments that are not flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// newLogger logs JSON or text (LOG_FORMAT) and redacts secrets in both.
func newLogger(cfg config, w io.Writer) *slog.Logger {
	return logging.New(w, cfg.LogLevel, cfg.ops.LogJSON)
}

// openDB connects to Postgres; a development database that does not exist
// yet is created, so the quick start needs no createdb.
func openDB(ctx context.Context, cfg config, log *slog.Logger, adjust ...func(*postgres.Options)) (*postgres.DB, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	opts := postgres.Options{Logger: log, CreateMissing: !cfg.production()}
	for _, f := range adjust {
		f(&opts)
	}
	return postgres.Open(ctx, cfg.DatabaseURL, opts)
}

// redisOptions chooses the Redis topology: REDIS_URL's one server, a
// Cluster (REDIS_ADDRS, two or more) or Sentinel (REDIS_ADDRS and
// REDIS_MASTER_NAME). Every part of Folio takes a redis.UniversalClient,
// so none of them knows which it got.
func redisOptions(cfg config) (*redis.UniversalOptions, error) {
	single, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL is not a valid Redis URL (want redis://host:port/db): %v", err)
	}
	addrs := cfg.RedisAddrs
	if len(addrs) == 0 {
		addrs = []string{single.Addr}
	}
	if len(addrs) > 1 && cfg.RedisMasterName == "" && single.DB != 0 {
		return nil, fmt.Errorf("REDIS_URL selects database %d, but a Redis Cluster (REDIS_ADDRS) has only database 0", single.DB)
	}
	return &redis.UniversalOptions{
		Addrs:      addrs,
		MasterName: cfg.RedisMasterName,
		DB:         single.DB,
		Username:   single.Username,
		Password:   single.Password,
		TLSConfig:  single.TLSConfig,
		// Callers bound each command with their context (the cache allows
		// tens of milliseconds), so a stalled Redis costs a request that
		// much and no more; go-redis ignores context deadlines unless told
		// otherwise.
		ContextTimeoutEnabled: true,
		DialTimeout:           time.Second,
		// RESP2: Folio uses no RESP3 push (client-side caching, maintenance
		// notifications), and on RESP3 go-redis peeks at the socket for
		// pushes around every command: two more syscalls each, on the
		// rate limit's one command per request.
		Protocol: 2,
	}, nil
}

func openRedis(ctx context.Context, cfg config) (redis.UniversalClient, error) {
	opts, err := redisOptions(cfg)
	if err != nil {
		return nil, err
	}
	client := redis.NewUniversalClient(opts)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("cannot reach Redis at %s: is it running? (set REDIS_URL or REDIS_ADDRS): %v", strings.Join(opts.Addrs, ","), err)
	}
	return client, nil
}

// serve wires Folio and serves it until ctx ends: config → Postgres →
// Redis → the cache over the stores → authentication and the rate limit →
// the HTTP surface → serving, with a bounded shutdown.
func serve(ctx context.Context, cfg config, log *slog.Logger, stdout io.Writer, ready chan<- string) error {
	runtime.MemProfileRate = heapProfileRate(cfg.ops.PProf)
	obs, err := observe(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer obs.flush(log)
	db, err := openDB(ctx, cfg, log, obs.dbOptions(cfg), func(o *postgres.Options) {
		o.Replicas, o.MaxReplicaLag = cfg.DatabaseReplicaURLs, cfg.ReplicaMaxLag
	})
	if err != nil {
		return err
	}
	defer db.Close()
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	if err := obs.watch(db, rdb); err != nil {
		return err
	}
	prepared, err := prepareDB(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	prepared.created = db.Created

	// A key a write invalidated refuses refills for as long as a replica
	// may still answer with what the write replaced.
	c := cache.New(db, db, cache.Options{Redis: rdb, Prefix: redisPrefix, TTL: cfg.CacheTTL, Timeout: cfg.CacheTimeout, Logger: log, Metrics: obs.cacheMetrics(),
		Tombstone: time.Second + db.Staleness()})
	var store, writer, authStore = folio.Store(db), folio.Writer(db), auth.Store(db)
	if cfg.CacheTTL > 0 {
		store, writer, authStore = c, c, c.Accounts(db)
	}
	var trusted graph.TrustedDocuments
	if cfg.TrustedDocuments {
		trusted = db
	}
	limiter := newLimiter(cfg.RateLimit, rdb, log, obs.metrics)
	defer limiter.Wait() // the refunds of the last requests
	// Outermost, so that it sees every row and every write; nil when off.
	rc := newResponseCache(cfg, rdb, c, trusted, limiter, db.Staleness(), log, obs.metrics)
	store, writer, authStore = rc.Store(store), rc.Writer(writer), rc.Accounts(authStore)
	// Outside the response cache: subscribers hear of a write once the
	// cached answers it changed are gone.
	hub := live.New(live.Options{Redis: rdb, Channel: redisPrefix + "live", Buffer: cfg.Live.Buffer,
		ReactionsInterval: cfg.Live.ReactionsInterval, Logger: log})
	writer = hub.Writer(writer)
	// The hub outlives the signal: subscribers get events while the server drains.
	hubCtx, stopHub := context.WithCancel(context.WithoutCancel(ctx))
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); hub.Run(hubCtx) }()
	defer func() { stopHub(); <-hubDone }()
	if obs.metrics != nil {
		obs.metrics.WatchLive(func() metrics.LiveStats {
			s := hub.Stats()
			return metrics.LiveStats{Subscribers: s.Subscribers, Published: s.Published, Received: s.Received,
				Delivered: s.Delivered, Slow: s.Slow, RedisErrors: s.RedisErrors, RedisUp: s.RedisUp}
		})
	}
	conns := &graph.Connections{}
	signingKeys, err := accessKeys(cfg, log)
	if err != nil {
		return err
	}
	authn := newAuth(cfg, signingKeys, authStore, rdb, log)
	jr, err := startJobs(ctx, cfg, signingKeys, db, writer, log, obs.metrics)
	if err != nil {
		return err
	}
	defer func() { <-jr.stopped }()
	guard, links, devMail := jr.guard, jr.links, jr.devMail

	images, mediaHandler, err := newMedia(cfg, db)
	if err != nil {
		return err
	}
	var uploadMax int64
	if cfg.Media.Uploads {
		uploadMax = cfg.Media.MaxBytes
	}
	gate := admission.New(cfg.MaxConcurrentOperations)
	if obs.metrics != nil {
		obs.metrics.WatchAdmission(func() metrics.AdmissionStats {
			s := gate.Stats()
			return metrics.AdmissionStats{Limit: s.Limit, Running: s.Running, Waiting: s.Waiting}
		})
	}
	executor := graph.NewHandler(graph.Options{
		Store: store, Writer: writer, Auth: authn, Logger: log, Media: images, Uploads: cfg.Media.Uploads, Admission: gate,
		Introspection: cfg.ops.Introspection, HideSuggestions: !cfg.ops.Introspection, TracerProvider: obs.tp,
		PersistedQueries: c.Queries(), TrustedDocuments: trusted, Limiter: limiter, Unavailable: postgres.Unavailable,
		Webhooks: db, WebhookGuard: guard, WebhookSecretGrace: cfg.Jobs.WebhookSecretGrace, NewsletterLinks: links, Previews: db,
		Live: graph.LiveOptions{Hub: hub, Connections: conns, Origins: cfg.ops.CORSOrigins,
			KeepAlive: cfg.Live.KeepAlive, InitTimeout: cfg.Live.InitTimeout, MaxMessageBytes: int64(cfg.Live.MaxMessageBytes),
			PerConnection: cfg.Live.PerConnection, PerAddress: cfg.Live.PerAddress, PerUser: cfg.Live.PerUser,
			Recheck: cfg.Live.Recheck},
	})
	var schema http.Handler
	if cfg.ops.Introspection {
		schema = graph.SchemaHandler()
	}
	// Idempotency-Key: a retried mutation runs once. The lease outlasts any
	// request, so a duplicate never runs beside a first still running.
	keys := idempotency.New(idempotency.Options{Redis: rdb, Prefix: redisPrefix, Timeout: cfg.CacheTimeout,
		Lease: max(2*time.Minute, cfg.RequestTimeout+30*time.Second), Logger: log})
	drain := &httpapi.Drain{}
	var ryw *httpapi.ReadYourWrites
	if len(cfg.DatabaseReplicaURLs) > 0 {
		ryw = &httpapi.ReadYourWrites{Position: db.WritePosition, Window: db.Staleness(), Secure: cfg.ops.tls()}
	}
	api := httpapi.New(httpapi.Options{
		GraphQL: keys.Middleware(rc.Middleware(executor)), Schema: schema, Playground: cfg.Playground, Drain: drain, DevMail: devMail,
		Unsubscribe: newsletter.Service{Store: writer, Links: links}.UnsubscribeHandler(),
		Checks:      []httpapi.Check{{Name: "postgres", Ping: db.Ping}, {Name: "redis", Ping: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }}},
		Auth:        authn, Proxies: cfg.RateLimit.TrustedProxies, Timeout: cfg.RequestTimeout,
		CORSOrigins: cfg.ops.CORSOrigins, HSTS: cfg.ops.tls(), ReadYourWrites: ryw,
		UploadMaxBytes: uploadMax, Media: mediaHandler,
		Logger: log, Recorder: obs.recorder(), TracerProvider: obs.tp,
	})
	return httpapi.Server{
		Started: func(addr, metricsAddr string) { printBanner(stdout, cfg, prepared, addr, metricsAddr) },
		Addr:    cfg.HTTPAddr, TLSCertFile: cfg.ops.TLSCertFile, TLSKeyFile: cfg.ops.TLSKeyFile,
		RequestTimeout: cfg.RequestTimeout, ShutdownDelay: cfg.ops.ShutdownDelay, ShutdownTimeout: cfg.ShutdownTimeout, Drain: drain,
		OnShutdown:  conns.GoAway,
		MetricsAddr: cfg.ops.MetricsAddr, Metrics: obs.metricsHandler(), PProf: cfg.ops.PProf,
		Logger: log, Ready: ready, LogAttrs: []any{"env", cfg.Env, "playground", cfg.Playground, "introspection", cfg.ops.Introspection, "tracing", obs.tracing},
	}.Serve(ctx, api)
}

// jobsRun is the job queue as serve and worker start it, with what the
// server needs of it.
type jobsRun struct {
	guard   *webhook.Guard
	links   newsletter.Links
	devMail http.Handler    // development's last mails; nil otherwise
	stopped <-chan struct{} // closed once the workers have stopped
}

// startJobs builds the queue over db (webhook deliveries through the
// address guard, mail, unsubscribe links, scheduled publications through
// publisher, the writes as decorated for requests), hands it to db so that
// writes enqueue their jobs, and runs its workers until ctx ends.
func startJobs(ctx context.Context, cfg config, keys *auth.KeySet, db *postgres.DB, publisher jobs.Publisher, log *slog.Logger, m *metrics.Metrics) (jobsRun, error) {
	j := jobsRun{guard: &webhook.Guard{AllowPrivate: cfg.Jobs.WebhookAllowPrivate}, links: newsletter.Links{Keys: keys.Derive(auth.PurposeUnsubscribe)}}
	var mailer mail.Sender
	mailer, j.devMail = newMailer(cfg, log)
	queue, err := newQueue(cfg, db, keys, j.guard, mailer, j.links, publisher, log, m, cfg.Jobs.Workers)
	if err != nil {
		return j, err
	}
	db.SetJobs(queue)
	j.stopped, err = runQueue(ctx, queue, cfg.ShutdownTimeout, log)
	return j, err
}

// newQueue builds the job queue over db, running workers jobs at once (0:
// it only inserts); deliveries go out through guard.
func newQueue(cfg config, db *postgres.DB, keys *auth.KeySet, guard *webhook.Guard, mailer mail.Sender, links newsletter.Links, publisher jobs.Publisher, log *slog.Logger, m *metrics.Metrics, workers int) (*jobs.Queue, error) {
	images, _, err := newMedia(cfg, db)
	if err != nil {
		return nil, err
	}
	o := jobs.Options{
		Images:   images,
		Articles: db, Publisher: publisher,
		Pool: db.Pool, Store: db, Sender: webhook.NewSender(guard, cfg.Jobs.WebhookTimeout),
		Workers: workers, MaxAttempts: cfg.Jobs.MaxAttempts, RetryBase: cfg.Jobs.RetryBase, RetryMax: cfg.Jobs.RetryMax,
		RescueAfter: cfg.Jobs.RescueAfter, Logger: log,
		MailStore: db, Mailer: mailer, LinkBase: cfg.Mail.SiteURL, Keys: keys,
		UnsubscribeURL: func(email string) string {
			return cfg.Mail.APIURL + "/newsletter/unsubscribe?token=" + url.QueryEscape(links.UnsubscribeToken(email))
		},
	}
	if m != nil {
		o.Metrics = m
		q, err := jobs.New(o)
		if err == nil {
			m.WatchQueue(q.Depth)
		}
		return q, err
	}
	return jobs.New(o)
}

// newMedia is where images are kept (MEDIA_STORE), the service that takes
// uploads into it and releases them, and, for a local store, the handler
// of GET /media/{key} (nil for S3, whose bucket serves its objects).
func newMedia(cfg config, db *postgres.DB) (*media.Service, http.Handler, error) {
	limits := media.Limits{MaxBytes: cfg.Media.MaxBytes, MaxDimension: cfg.Media.MaxDimension, MaxPixels: cfg.Media.MaxPixels}
	if cfg.Media.Store == "s3" {
		s3, err := media.NewS3(media.S3Options{Endpoint: cfg.Media.S3Endpoint, Region: cfg.Media.S3Region, Bucket: cfg.Media.S3Bucket,
			AccessKeyID: cfg.Media.S3AccessKeyID, SecretAccessKey: cfg.Media.S3SecretAccessKey, PathStyle: cfg.Media.S3PathStyle, PublicURL: cfg.Media.PublicURL})
		if err != nil {
			return nil, nil, fmt.Errorf("MEDIA_STORE=s3: %w", err)
		}
		return media.New(s3, limits, db), nil, nil
	}
	disk := &media.Disk{Dir: cfg.Media.Dir, BaseURL: cfg.Media.PublicURL}
	return media.New(disk, limits, db), disk.Handler(), nil
}

// newMailer is how mail leaves: SMTP when SMTP_HOST is set; in
// development otherwise the log, with the last messages served (the
// returned handler); in production otherwise nothing, and mail waits in
// the queue until a server with SMTP runs it.
func newMailer(cfg config, log *slog.Logger) (mail.Sender, http.Handler) {
	if cfg.Mail.SMTPHost != "" {
		return &mail.SMTP{Host: cfg.Mail.SMTPHost, Port: cfg.Mail.SMTPPort, TLS: cfg.Mail.SMTPTLS,
			Username: cfg.Mail.SMTPUsername, Password: cfg.Mail.SMTPPassword, From: cfg.Mail.From}, nil
	}
	if cfg.production() {
		log.Warn("SMTP_HOST is not set: e-mail waits in the queue and is not sent")
		return nil, nil
	}
	dev := &mail.Dev{Logger: log}
	return dev, dev.Handler()
}

// runQueue starts the queue's workers and stops them when ctx ends, giving
// running jobs up to timeout to finish; the returned channel closes once
// they are stopped.
func runQueue(ctx context.Context, q *jobs.Queue, timeout time.Duration, log *slog.Logger) (<-chan struct{}, error) {
	stopped := make(chan struct{})
	if err := q.Start(ctx); err != nil {
		return nil, err
	}
	go func() {
		defer close(stopped)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		if err := q.Stop(sctx); err != nil {
			log.Error("stop the job queue", "error", err)
		}
	}()
	return stopped, nil
}

// workerCmd runs queued jobs until ctx ends: `folio worker`, for
// deployments that keep job processing apart from serving.
func workerCmd(ctx context.Context, cfg config, log *slog.Logger, ready chan<- string) error {
	if cfg.Jobs.Workers < 1 {
		return errors.New("folio worker needs JOBS_WORKERS of 1 or more")
	}
	db, err := openDB(ctx, cfg, log, func(o *postgres.Options) { o.CreateMissing = false })
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := postgres.NewMigrator(db)
	if err != nil {
		return err
	}
	n, err := m.Pending(ctx)
	m.Close()
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the database lacks %d migration(s): run `folio migrate up`", n)
	}
	var mt *metrics.Metrics
	if cfg.ops.MetricsAddr != "" {
		mt = metrics.New(metrics.Options{})
		mt.WatchPool(db.Pool.Stat)
	}
	keys, err := accessKeys(cfg, log)
	if err != nil {
		return err
	}
	// A scheduled publication run here must forget cached answers and
	// tell subscribers, as one run by a server does: the same writes, over
	// the same Redis.
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	publisher, stopHub := publishingWriter(ctx, cfg, db, rdb, log)
	defer stopHub()
	jr, err := startJobs(ctx, cfg, keys, db, publisher, log, mt)
	if err != nil {
		return err
	}
	stopped := jr.stopped
	if mt != nil {
		ln, err := net.Listen("tcp", cfg.ops.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen on METRICS_ADDR %s: %v", cfg.ops.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", mt.Handler())
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		log.Info("metrics", "addr", ln.Addr().String())
	}
	log.Info("working", "workers", cfg.Jobs.Workers)
	if ready != nil {
		ready <- ""
	}
	<-stopped
	return nil
}

// publishingWriter is db's writes decorated as serve decorates them (the
// entity cache, the response cache, the live hub), for a process that
// publishes without serving; stop ends the hub once the jobs are done.
func publishingWriter(ctx context.Context, cfg config, db *postgres.DB, rdb redis.UniversalClient, log *slog.Logger) (w folio.Writer, stop func()) {
	c := cache.New(db, db, cache.Options{Redis: rdb, Prefix: redisPrefix, TTL: cfg.CacheTTL, Timeout: cfg.CacheTimeout, Logger: log})
	w = db
	if cfg.CacheTTL > 0 {
		w = c
	}
	w = newResponseCache(cfg, rdb, c, nil, nil, db.Staleness(), log, nil).Writer(w)
	hub := live.New(live.Options{Redis: rdb, Channel: redisPrefix + "live", Buffer: cfg.Live.Buffer,
		ReactionsInterval: cfg.Live.ReactionsInterval, Logger: log})
	hubCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { defer close(done); hub.Run(hubCtx) }()
	return hub.Writer(w), func() { cancel(); <-done }
}

// observability is what makes a serving process visible: traces and metrics.
type observability struct {
	tp          trace.TracerProvider
	tracing     bool
	stopTracing func(context.Context) error
	metrics     *metrics.Metrics // nil when METRICS_ADDR is empty
}

func observe(ctx context.Context, cfg config, log *slog.Logger) (*observability, error) {
	tp, stop, err := tracing.Setup(ctx, tracing.Options{Endpoint: cfg.ops.OTLPEndpoint, ServiceName: cfg.ops.ServiceName})
	if err != nil {
		return nil, err
	}
	o := &observability{tp: tp, tracing: cfg.ops.OTLPEndpoint != "", stopTracing: stop}
	if cfg.ops.MetricsAddr != "" {
		o.metrics = metrics.New(metrics.Options{MaxOperations: cfg.ops.MaxOperationLabels})
	}
	// go-redis logs reconnects and pool trouble through its own logger.
	redis.SetLogger(logging.Redis{Logger: log})
	return o, nil
}

// flush sends the spans still buffered.
func (o *observability) flush(log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.stopTracing(ctx); err != nil {
		log.Warn("flush traces", "error", err)
	}
}

// dbOptions traces each statement and sets Postgres's statement_timeout.
func (o *observability) dbOptions(cfg config) func(*postgres.Options) {
	return func(opts *postgres.Options) {
		opts.StatementTimeout = cfg.ops.StatementTimeout
		if o.tracing {
			opts.Tracers = append(opts.Tracers, tracing.NewPGX(o.tp))
		}
	}
}

// watch exports the pool's statistics and traces Redis commands.
func (o *observability) watch(db *postgres.DB, rdb redis.UniversalClient) error {
	if o.metrics != nil {
		o.metrics.WatchStatements(db.Statements)
		o.metrics.WatchPool(db.Pool.Stat)
		o.metrics.WatchReads(func() metrics.ReadStats {
			primary, replicas := db.ReadStats()
			s := metrics.ReadStats{Primary: primary}
			for _, r := range replicas {
				s.Replicas = append(s.Replicas, metrics.ReplicaStats{Name: r.Name, Up: r.Up, Lag: r.Lag, Reads: r.Reads})
			}
			return s
		})
	}
	if o.tracing {
		if err := redisotel.InstrumentTracing(rdb, redisotel.WithTracerProvider(o.tp), redisotel.WithDBStatement(false)); err != nil {
			return fmt.Errorf("trace Redis commands: %w", err)
		}
	}
	return nil
}

// The metrics as each consumer takes them: a nil *Metrics must not become
// a non-nil interface.
func (o *observability) recorder() accesslog.Recorder {
	if o.metrics == nil {
		return nil
	}
	return o.metrics
}

func (o *observability) cacheMetrics() interface {
	CacheAdd(kind, result string, n int)
} {
	if o.metrics == nil {
		return nil
	}
	return o.metrics
}

func (o *observability) metricsHandler() http.Handler {
	if o.metrics == nil {
		return nil
	}
	return o.metrics.Handler()
}

// newLimiter builds the rate limit from its configuration; the budgets live
// in rdb under Folio's key prefix. Its decisions and fallbacks are counted
// in m, when metrics are on.
func newLimiter(c rateLimitConfig, rdb redis.UniversalClient, log *slog.Logger, m *metrics.Metrics) *ratelimit.Limiter {
	lim := &ratelimit.Limiter{Limits: c.Limits, Tiers: c.Tiers}
	if c.Budgets {
		lim.Budgets = ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: redisPrefix + "ratelimit:", Logger: log})
	}
	if m == nil || lim.Budgets == nil {
		return lim
	}
	b := lim.Budgets
	m.WatchRateLimitFallbacks(func() int64 { return int64(b.Stats().Fallbacks) })
	lim.Observe = func(_ context.Context, o ratelimit.Observation) {
		switch o.Outcome {
		case "ok":
			m.RateLimit(true, float64(o.Actual), o.Available)
		case "throttled":
			m.RateLimit(false, float64(o.Requested), o.Available)
		}
	}
	return lim
}

// documentsCmd registers trusted documents: `folio documents load FILE`
// reads a persisted-documents manifest ({"<sha256>": "<document>"}, as
// GraphQL Code Generator's client preset writes it) into the database.
func documentsCmd(ctx context.Context, cfg config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "load" {
		return errors.New("usage: folio documents load persisted-documents.json")
	}
	raw, err := os.ReadFile(args[1])
	if err != nil {
		return fmt.Errorf("read the manifest: %v", err)
	}
	var docs map[string]string
	if err := json.Unmarshal(raw, &docs); err != nil {
		return fmt.Errorf("%s is not a persisted-documents manifest ({\"<sha256>\": \"<document>\"}): %v", args[1], err)
	}
	// Registering documents is not the moment to create a database.
	db, err := openDB(ctx, cfg, log, func(o *postgres.Options) { o.CreateMissing = false })
	if err != nil {
		return err
	}
	defer db.Close()
	added, err := db.SaveTrustedDocuments(ctx, docs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "registered %d new of %d documents\n", added, len(docs))
	return nil
}

// accountsCmd runs `folio accounts unlock EMAIL`.
func accountsCmd(ctx context.Context, cfg config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "unlock" {
		return errors.New("usage: folio accounts unlock EMAIL")
	}
	email, ferr := folio.NormalizeEmail("EMAIL", args[1])
	if ferr != nil {
		return fmt.Errorf("%q is not an email address: %v", args[1], ferr.Message)
	}
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	removed, err := newThrottle(cfg, rdb, log).Unlock(ctx, email)
	if err != nil {
		return err
	}
	if removed == 0 {
		fmt.Fprintf(stdout, "%s has no sign-in delays: nothing to unlock\n", email)
		return nil
	}
	fmt.Fprintf(stdout, "unlocked %s: cleared %d sign-in counts; its owner can sign in at once\n", email, removed)
	return nil
}

// DemoPassword signs in every account of the demo data (seed.DemoAccounts).
const DemoPassword = "folio-demo-password"

// demoPasswordHash is the demo accounts' password hash, or none in
// production: a published password must never open a real deployment.
func demoPasswordHash(cfg config) string {
	if cfg.production() {
		return ""
	}
	h, err := auth.HashPassword(DemoPassword)
	if err != nil {
		panic(err) // argon2id with fixed parameters does not fail
	}
	return h
}

// redisPrefix starts every key Folio writes to Redis; the version changes
// when the meaning of a key does.
const redisPrefix = "folio:v1:"

// accessKeys are the access-token keys from config, which every other
// secret Folio signs with is derived from (auth.KeySet.Derive). Development
// without JWT_KEYS keeps its key in a file outside the repository
// (DEV_JWT_KEY_FILE), so tokens and mailed links survive a restart and
// agree between serve and worker, or with `none` gets a key per process.
func accessKeys(cfg config, log *slog.Logger) (*auth.KeySet, error) {
	if cfg.JWTKeys == "" && cfg.production() {
		return nil, errors.New("JWT_KEYS must be set in production (make a key with `folio keygen`), so every instance signs and verifies with the same keys")
	}
	if cfg.JWTKeys != "" {
		keys, err := auth.ParseKeys(cfg.JWTKeys)
		if err != nil {
			return nil, fmt.Errorf("JWT_KEYS: %v", err)
		}
		return keys, nil
	}
	path, err := devKeyFile(cfg)
	if path == "" {
		log.Warn("JWT_KEYS is not set: signing access tokens with a key generated for this process; tokens will not survive a restart", "reason", err)
		return auth.MustGenerateKeys(), nil
	}
	keys, created, err := auth.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("DEV_JWT_KEY_FILE: %v", err)
	}
	log.Info("JWT_KEYS is not set: signing access tokens with the development key in a file", "path", path, "created", created)
	return keys, nil
}

// newAuth builds authentication over keys.
func newAuth(cfg config, keys *auth.KeySet, db auth.Store, rdb redis.UniversalClient, log *slog.Logger) *auth.Service {
	return &auth.Service{
		Store: db, Keys: keys, Logger: log,
		AccessTTL: cfg.AccessTokenTTL, RefreshTTL: cfg.RefreshTokenTTL,
		Throttle:    newThrottle(cfg, rdb, log),
		Revocations: &auth.Revocations{Redis: rdb, Prefix: redisPrefix, Logger: log, Live: db.SessionLive},
	}
}

// devKeyFile is where development keeps its access-token key: "" (and why)
// for a key per process.
func devKeyFile(cfg config) (string, error) {
	switch cfg.DevJWTKeyFile {
	case "none":
		return "", errors.New("DEV_JWT_KEY_FILE is none")
	case "":
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, "folio", "dev-jwt.key"), nil
	}
	return cfg.DevJWTKeyFile, nil
}

// newThrottle is the sign-in throttle as the settings describe it.
func newThrottle(cfg config, rdb redis.UniversalClient, log *slog.Logger) *auth.Throttle {
	return &auth.Throttle{Redis: rdb, Prefix: redisPrefix, Logger: log, Window: cfg.SignInWindow,
		FreeAttempts: cfg.SignInFreeAttempts, Delay: cfg.SignInDelay,
		MaxPerAccount: cfg.SignInMaxPerAccount, MaxPerAddress: cfg.SignInMaxPerAddress}
}

// prepared is what prepareDB did to the database, for the start banner.
type prepared struct {
	created    bool        // the database did not exist
	migrations int         // migrations applied at start
	seeded     *seed.Stats // the demo data loaded into the empty database
}

// prepareDB applies pending migrations and seeds an empty development
// database, as configured; otherwise it refuses to serve an outdated schema.
func prepareDB(ctx context.Context, cfg config, db *postgres.DB, log *slog.Logger) (prepared, error) {
	var p prepared
	m, err := postgres.NewMigrator(db)
	if err != nil {
		return p, err
	}
	defer m.Close()
	if cfg.MigrateOnStart {
		if p.migrations, err = m.Up(ctx); err != nil {
			return p, err
		}
		if p.migrations > 0 {
			log.Info("applied migrations", "count", p.migrations)
		}
	} else if n, err := m.Pending(ctx); err != nil {
		return p, err
	} else if n > 0 {
		return p, fmt.Errorf("the database lacks %d migration(s): run `folio migrate up` (or set MIGRATE_ON_START=true)", n)
	}
	if !cfg.SeedIfEmpty {
		return p, nil
	}
	stats, err := seed.Load(ctx, db.Pool, seed.ScaleSmall, seed.Options{PasswordHash: demoPasswordHash(cfg)})
	switch {
	case errors.Is(err, seed.ErrNotEmpty):
		return p, nil
	case err != nil:
		return p, fmt.Errorf("seed demo data: %w", err)
	}
	p.seeded = &stats
	log.Info("seeded demo data into the empty database", "scale", seed.ScaleSmall, "articles", stats.Articles, "took", stats.Duration.Round(time.Millisecond))
	return p, nil
}

// printBanner tells whoever started the server what happened to the
// database and where to go next: the log's "serving" line is for machines.
// addr and metricsAddr are the listeners' addresses (metricsAddr empty
// when metrics are off).
func printBanner(w io.Writer, cfg config, p prepared, addr, metricsAddr string) {
	var db []string
	if p.created {
		db = append(db, "created")
	}
	if p.migrations > 0 {
		db = append(db, plural(p.migrations, "migration")+" applied")
	} else {
		db = append(db, "schema up to date")
	}
	if s := p.seeded; s != nil {
		db = append(db, fmt.Sprintf("demo data loaded (%s users, %s articles, %s comments, %s tags, %s categories in %s)",
			thousands(s.Users), thousands(s.Articles), thousands(s.Comments), thousands(s.Tags), thousands(s.Categories), s.Duration.Round(time.Millisecond)))
	}
	base := baseURL(addr, cfg.ops.tls())
	fmt.Fprintf(w, "\nFolio is serving (%s).\n", cfg.Env)
	line := func(label, value string) { fmt.Fprintf(w, "  %-14s %s\n", label, value) }
	line("database", databaseName(cfg.DatabaseURL)+": "+strings.Join(db, ", "))
	if cfg.Playground {
		line("playground", base+"/")
	}
	line("API", base+"/query")
	if cfg.ops.Introspection {
		line("schema", base+"/schema.graphql")
	}
	if metricsAddr != "" {
		line("metrics", baseURL(metricsAddr, false)+"/metrics")
	}
	if !cfg.production() {
		roles := slices.Sorted(maps.Keys(seed.DemoAccounts))
		for i, r := range roles {
			roles[i] = seed.DemoAccounts[r]
		}
		line("demo accounts", strings.Join(roles, ", "))
		line("password", DemoPassword)
	}
	fmt.Fprintln(w)
}

// baseURL is the URL a browser on this machine reaches a listener at: an
// address that listens on every interface is reached at localhost.
func baseURL(addr string, tls bool) string {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return scheme + "://" + addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// plural counts things: 1 migration, 4 migrations.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return thousands(n) + " " + thing + "s"
}

// thousands writes n with commas: 10000 → 10,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func migrate(ctx context.Context, cfg config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) != 1 || (args[0] != "up" && args[0] != "down" && args[0] != "status") {
		return errors.New("usage: folio migrate up|down|status")
	}
	// Only up may create a missing (development) database: status and
	// down read or undo, and must not leave anything behind.
	return withMigrator(ctx, cfg, log, args[0] == "up", func(_ *postgres.DB, m *postgres.Migrator) error {
		switch args[0] {
		case "up":
			n, err := m.Up(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
			if m.QueueApplied > 0 {
				fmt.Fprintf(stdout, "applied %d job queue (river) migration(s)\n", m.QueueApplied)
			}
			return nil
		case "down":
			return m.Down(ctx)
		default:
			return m.Status(ctx, stdout)
		}
	})
}

// withMigrator runs f with a connection to the configured database and a
// migrator over it, and closes both. create lets a development database
// that does not exist be created.
func withMigrator(ctx context.Context, cfg config, log *slog.Logger, create bool, f func(*postgres.DB, *postgres.Migrator) error) error {
	db, err := openDB(ctx, cfg, log, func(o *postgres.Options) { o.CreateMissing = o.CreateMissing && create })
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := postgres.NewMigrator(db)
	if err != nil {
		return err
	}
	defer m.Close()
	return f(db, m)
}

func seedCmd(ctx context.Context, cfg config, log *slog.Logger, scaleName string, replace bool, stdout io.Writer) error {
	scale, err := seed.ParseScale(scaleName)
	if err != nil {
		return err
	}
	var stats seed.Stats
	err = withMigrator(ctx, cfg, log, true, func(db *postgres.DB, m *postgres.Migrator) error {
		if _, err := m.Up(ctx); err != nil {
			return err
		}
		stats, err = seed.Load(ctx, db.Pool, scale, seed.Options{Replace: replace, PasswordHash: demoPasswordHash(cfg)})
		return err
	})
	if errors.Is(err, seed.ErrNotEmpty) {
		return errors.New("the database already has content: pass --replace to wipe it and seed again")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %s: %d users, %d categories, %d tags, %d articles (%d published), %d comments, %d reactions in %s\n",
		scale, stats.Users, stats.Categories, stats.Tags, stats.Articles, stats.Published, stats.Comments, stats.Reactions, stats.Duration.Round(time.Millisecond))
	return nil
}

// newResponseCache builds the response cache, or nil when it is off: with
// RESPONSE_CACHE_TTL=0, or with the entity cache off (CACHE_TTL=0), so
// that "cache off" runs every request. A request naming a document only
// by hash finds its text where the handler does: among trusted documents
// if only those run, else among the persisted queries.
func newResponseCache(cfg config, rdb redis.UniversalClient, c *cache.Store, trusted graph.TrustedDocuments,
	lim *ratelimit.Limiter, staleness time.Duration, log *slog.Logger, m *metrics.Metrics) *respcache.Cache {
	if cfg.CacheTTL <= 0 || cfg.ResponseCache.TTL <= 0 {
		return nil
	}
	docs := func(ctx context.Context, hash string) (string, bool) { return c.Queries().Get(ctx, hash) }
	if trusted != nil {
		docs = func(ctx context.Context, hash string) (string, bool) {
			doc, ok, err := trusted.TrustedDocument(ctx, hash)
			return doc, ok && err == nil
		}
	}
	o := respcache.Options{Redis: rdb, Prefix: redisPrefix, TTL: cfg.ResponseCache.TTL, MaxAge: cfg.ResponseCache.MaxAge,
		Timeout: cfg.CacheTimeout, Limiter: lim, Documents: docs, Logger: log, Staleness: staleness,
		// Introspection and field suggestions change what errors and
		// introspection answers say; and servers over different databases
		// (development, tests) may share one Redis.
		Variant: "introspection=" + strconv.FormatBool(cfg.ops.Introspection) + ";db=" + databaseName(cfg.DatabaseURL)}
	if m != nil {
		o.Metrics = m
	}
	return respcache.New(o)
}

// databaseName names the database of a URL by host and path, leaving out
// credentials and connection settings, which may differ between instances
// of one deployment.
func databaseName(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || u.Host == "" {
		return databaseURL // a key=value string: only ever hashed
	}
	return u.Host + u.Path
}
