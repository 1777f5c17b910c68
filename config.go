package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/folio/folio/internal/cache"
	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/ratelimit"
)

// config is everything the process reads from its environment. Flags of the
// same name (lower case, dashes) override the environment. Each field is
// filled by one entry of settings, which says what it means.
type config struct {
	DatabaseURL, RedisURL, HTTPAddr string
	// DatabaseReplicaURLs are streaming replicas that answer reads while
	// they lag by no more than ReplicaMaxLag.
	DatabaseReplicaURLs []string
	ReplicaMaxLag       time.Duration
	// RedisAddrs and RedisMasterName choose a Redis Cluster (two or more
	// addresses) or Sentinel (a master name) instead of REDIS_URL's one server.
	RedisAddrs      []string
	RedisMasterName string
	Env             string // development or production
	LogLevel        slog.Level

	MigrateOnStart, SeedIfEmpty, Playground bool

	RequestTimeout, ShutdownTimeout time.Duration
	// MaxConcurrentOperations bounds the queries and mutations executing
	// at once; 0: no bound.
	MaxConcurrentOperations int

	RateLimit rateLimitConfig

	JWTKeys                                                      string
	DevJWTKeyFile                                                string // "" for the default, "none" for a key per process
	AccessTokenTTL, RefreshTokenTTL                              time.Duration
	SignInFreeAttempts, SignInMaxPerAccount, SignInMaxPerAddress int
	SignInDelay, SignInWindow                                    time.Duration

	CacheTTL, CacheTimeout time.Duration
	// ResponseCache answers anonymous queries from Redis; on only while
	// CacheTTL is.
	ResponseCache    responseCacheConfig
	TrustedDocuments bool

	Jobs jobsConfig
	Mail mailConfig
	Live liveConfig

	Media mediaConfig

	ops opsConfig
}

// mediaConfig is where uploaded images are kept and what uploads may be.
type mediaConfig struct {
	Uploads                 bool
	MaxBytes                int64
	MaxDimension, MaxPixels int
	Store, Dir, PublicURL   string
	S3Endpoint, S3Region    string
	S3Bucket, S3AccessKeyID string
	S3SecretAccessKey       string
	S3PathStyle             bool
}

// jobsConfig is the configuration of the job queue and of webhooks.
type jobsConfig struct {
	Workers             int // 0: the server only queues; `folio worker` runs
	MaxAttempts         int
	RetryBase, RetryMax time.Duration
	RescueAfter         time.Duration
	WebhookTimeout      time.Duration
	WebhookAllowPrivate bool
	WebhookSecretGrace  time.Duration
}

// mailConfig is how e-mail leaves: an SMTP server, or (development, no
// SMTP_HOST) the log and /dev/mail.
type mailConfig struct {
	SMTPHost, SMTPTLS, SMTPUsername, SMTPPassword, From, SiteURL, APIURL string
	SMTPPort                                                             int
}

// liveConfig is the configuration of subscriptions.
type liveConfig struct {
	KeepAlive, InitTimeout, ReactionsInterval  time.Duration
	Recheck                                    time.Duration
	MaxMessageBytes, PerConnection, PerAddress int
	PerUser, Buffer                            int
}

// rateLimitConfig is the configuration of the query-cost rate limit.
type rateLimitConfig struct {
	Budgets        bool
	Limits         ratelimit.Limits
	Tiers          ratelimit.Tiers
	TrustedProxies clientaddr.Proxies
}

// opsConfig is the configuration of production operations: observability,
// shutdown, HTTP hardening and TLS.
type opsConfig struct {
	Introspection             bool
	LogJSON                   bool
	MetricsAddr               string
	PProf                     bool
	OTLPEndpoint, ServiceName string
	StatementTimeout          time.Duration
	ShutdownDelay             time.Duration
	CORSOrigins               []string
	TLSCertFile, TLSKeyFile   string
	MaxOperationLabels        int // bounds distinct operation names in metrics
}

func (o opsConfig) tls() bool { return o.TLSCertFile != "" }

const (
	envDevelopment = "development"
	envProduction  = "production"
)

func (c config) production() bool { return c.Env == envProduction }

// devOrigins are the origins allowed by default in development: a frontend
// served by its own dev server (Vite, Next.js, …) on any local port.
const devOrigins = "http://localhost:*,http://127.0.0.1:*"

// setting is one configuration variable, declared once: its name in the
// environment (the flag is the same in lower case with dashes), the
// placeholder --help shows for its value, its default
// as text ("" when it depends on other settings; shown then says what it
// is), what it means (--help and the README's table both come from here),
// and how to read it into a config. A setting may read the settings above
// it, already parsed.
type setting struct {
	name, arg, def, shown, help string
	parse                       func(c *config, name, v string) error
}

// settings are every configuration variable, in the order of the README.
var settings = []setting{
	{"DATABASE_URL", "URL", "postgres://postgres@127.0.0.1:5432/folio?sslmode=disable", "", "Postgres; pool size with `pool_max_conns=N`", text(func(c *config) *string { return &c.DatabaseURL })},
	{"DATABASE_REPLICA_URLS", "URL,…", "", "unset: every read from `DATABASE_URL`", "Postgres streaming replicas that answer queries' reads; writes, a mutation's reads and a client's reads until the replica has replayed its last write (`Folio-Read-After`) stay on the primary (docs/scaling.md)", func(c *config, name, v string) error {
		c.DatabaseReplicaURLs = nil
		for _, u := range strings.Split(v, ",") {
			if u = strings.TrimSpace(u); u == "" {
				continue
			}
			if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
				return fmt.Errorf("%s must be postgres:// URLs separated by commas", name)
			}
			c.DatabaseReplicaURLs = append(c.DatabaseReplicaURLs, u)
		}
		return nil
	}},
	{"REPLICA_MAX_LAG", "DURATION", "2s", "", "a replica further behind the primary than this (measured every second) is skipped until it catches up", func(c *config, name, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s must be a positive duration such as 2s, not %q", name, v)
		}
		c.ReplicaMaxLag = d
		return nil
	}},
	{"REDIS_URL", "URL", "redis://127.0.0.1:6379/0", "", "Redis", text(func(c *config) *string { return &c.RedisURL })},
	{"REDIS_ADDRS", "HOST:PORT,…", "", "unset: `REDIS_URL`'s one server", "Redis Cluster nodes (two or more; any of them, the rest are discovered), or Sentinels with `REDIS_MASTER_NAME`; `REDIS_URL` then still gives the user, password, TLS (`rediss://`) and database, not the address", func(c *config, name, v string) error {
		c.RedisAddrs = nil
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a == "" {
				continue
			}
			if _, _, err := net.SplitHostPort(a); err != nil {
				return fmt.Errorf("%s must be host:port addresses separated by commas, not %q", name, a)
			}
			c.RedisAddrs = append(c.RedisAddrs, a)
		}
		return nil
	}},
	{"REDIS_MASTER_NAME", "NAME", "", "unset: no Sentinel", "the Sentinel master's name: `REDIS_ADDRS` are then Sentinels, and Folio follows the master through failovers", func(c *config, name, v string) error {
		c.RedisMasterName = v
		if v != "" && len(c.RedisAddrs) == 0 {
			return fmt.Errorf("%s needs REDIS_ADDRS, the Sentinels' addresses", name)
		}
		return nil
	}},
	{"HTTP_ADDR", "HOST:PORT", ":8080", "", "where to serve", text(func(c *config) *string { return &c.HTTPAddr })},
	{"ENV", "development|production", envDevelopment, "", "`development` or `production`", func(c *config, name, v string) error {
		c.Env = v
		if v != envDevelopment && v != envProduction {
			return fmt.Errorf("%s must be %q or %q, not %q", name, envDevelopment, envProduction, v)
		}
		return nil
	}},
	{"LOG_LEVEL", "debug|info|warn|error", "info", "", "`debug` (logs every SQL statement), `info`, `warn`, `error`", func(c *config, name, v string) error {
		if c.LogLevel.UnmarshalText([]byte(v)) != nil {
			return fmt.Errorf("%s must be debug, info, warn or error, not %q", name, v)
		}
		return nil
	}},
	{"LOG_FORMAT", "json|text", "", "`json` in production, `text` in development", "`json`: one object per line", func(c *config, name, v string) error {
		switch v {
		case "":
			c.ops.LogJSON = c.production()
		case "json", "text":
			c.ops.LogJSON = v == "json"
		default:
			return fmt.Errorf("%s must be json or text, not %q", name, v)
		}
		return nil
	}},
	{"MIGRATE_ON_START", "true|false", "", "`true` in development, `false` in production", "apply pending migrations at start; otherwise a server refuses an outdated schema", devFlag(func(c *config) *bool { return &c.MigrateOnStart })},
	{"SEED_IF_EMPTY", "true|false", "", "`true` in development, `false` in production", "load the `small` demo data into an empty database", devFlag(func(c *config) *bool { return &c.SeedIfEmpty })},
	{"PLAYGROUND", "true|false", "", "`true` in development, `false` in production", "GraphiQL at `/`", devFlag(func(c *config) *bool { return &c.Playground })},
	{"INTROSPECTION", "true|false", "", "as `PLAYGROUND`", "answer introspection queries, serve `GET /schema.graphql`, and let validation errors suggest field names (\"Did you mean …?\")", func(c *config, name, v string) error {
		return parseBool(&c.ops.Introspection, name, v, c.Playground)
	}},
	{"MAX_CONCURRENT_OPERATIONS", "N", "0", "", "how many GraphQL requests execute at once on an instance (live connections aside); the rest wait their turn, first come first served, until `REQUEST_TIMEOUT`; `0`: no bound. A bound trades req/s for a shorter tail or for memory (README, \"Concurrent operations\")", nonNegative(" (no bound)", func(c *config) *int { return &c.MaxConcurrentOperations })},
	{"REQUEST_TIMEOUT", "DURATION", "10s", "", "how long one request may work, SQL included, before it answers `TIMEOUT`", duration(func(c *config) *time.Duration { return &c.RequestTimeout })},
	{"STATEMENT_TIMEOUT", "DURATION", "", "`REQUEST_TIMEOUT` + 5s", "Postgres `statement_timeout` of the server's connections, a backstop behind the request deadline; `0`: none; a `statement_timeout` in `DATABASE_URL` wins", func(c *config, name, v string) error {
		if v == "" {
			c.ops.StatementTimeout = 0
			if c.RequestTimeout > 0 {
				c.ops.StatementTimeout = c.RequestTimeout + 5*time.Second
			}
			return nil
		}
		return parseDuration(&c.ops.StatementTimeout, name, v)
	}},
	{"SHUTDOWN_DELAY", "DURATION", "0s", "", "on SIGTERM, how long to keep serving with `/readyz` failing before the listener closes", duration(func(c *config) *time.Duration { return &c.ops.ShutdownDelay })},
	{"SHUTDOWN_TIMEOUT", "DURATION", "15s", "", "how long in-flight requests may finish on SIGTERM", duration(func(c *config) *time.Duration { return &c.ShutdownTimeout })},
	{"RATE_LIMIT", "true|false", "true", "", "charge each operation's cost to its client's budget in Redis (the ceilings hold either way)", func(c *config, name, v string) error {
		return parseBool(&c.RateLimit.Budgets, name, v, true)
	}},
	{"MAX_QUERY_COST", "N", strconv.Itoa(ratelimit.DefaultLimits.MaxCost), "", "the most one operation may cost", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxCost })},
	{"MAX_QUERY_DEPTH", "N", strconv.Itoa(ratelimit.DefaultLimits.MaxDepth), "", "the deepest fields may nest", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxDepth })},
	{"MAX_QUERY_ALIASES", "N", strconv.Itoa(ratelimit.DefaultLimits.MaxAliases), "", "the most aliased fields in a document", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxAliases })},
	{"MAX_QUERY_TOKENS", "N", strconv.Itoa(ratelimit.DefaultLimits.MaxTokens), "", "the most tokens in a document", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxTokens })},
	{"MAX_QUERY_FIELDS", "N", strconv.Itoa(ratelimit.DefaultLimits.MaxFields), "", "the most fields a document selects, each fragment unfolded where it is spread", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxFields })},
	{"MAX_QUERY_SELECTION_FIELDS", "N", strconv.Itoa(ratelimit.DefaultLimits.MaxSelectionFields), "", "the most fields in one selection set, fragments unfolded", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxSelectionFields })},
	{"MAX_QUERY_REPEATED_FIELDS", "N", strconv.Itoa(ratelimit.DefaultLimits.MaxRepeatedFields), "", "the most times one response key is selected in one selection set, fragments unfolded (validation compares every pair)", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxRepeatedFields })},
	{"MAX_QUERY_FRAGMENT_SPREADS", "N", strconv.Itoa(ratelimit.DefaultLimits.MaxFragmentSpreads), "", "the most fragment spreads in a document, nested fragments unfolded", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxFragmentSpreads })},
	{"MAX_QUERY_VARIABLES", "N", strconv.Itoa(ratelimit.DefaultLimits.MaxVariables), "", "the most variables one operation declares", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxVariables })},
	{"RATE_LIMIT_ANONYMOUS", "CAPACITY/RATE", tierText(ratelimit.DefaultTiers.Anonymous), "", "the budget of each client address: capacity/points restored a second; a capacity under `MAX_QUERY_COST` is refused", tier("anonymous", func(c *config) *ratelimit.Tier { return &c.RateLimit.Tiers.Anonymous })},
	{"RATE_LIMIT_USER", "CAPACITY/RATE", tierText(ratelimit.DefaultTiers.User), "", "the budget of each signed-in user, as above", tier("user", func(c *config) *ratelimit.Tier { return &c.RateLimit.Tiers.User })},
	{"RATE_LIMIT_API_KEY", "CAPACITY/RATE", tierText(ratelimit.DefaultTiers.APIKey), "", "the budget of each API key, as above", tier("apiKey", func(c *config) *ratelimit.Tier { return &c.RateLimit.Tiers.APIKey })},
	{"TRUSTED_PROXIES", "CIDR,…", "", "none", "comma-separated CIDR blocks or addresses whose `X-Forwarded-For` is believed", func(c *config, name, v string) (err error) {
		if c.RateLimit.TrustedProxies, err = clientaddr.ParseProxies(v); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		return nil
	}},
	{"JWT_KEYS", "KID:SEED,…", "", "in development, kept in DEV_JWT_KEY_FILE; required in production", "access-token keys, `kid:base64-seed,…`, the first signing (`go run . keygen`)", text(func(c *config) *string { return &c.JWTKeys })},
	{"DEV_JWT_KEY_FILE", "PATH|none", "", "folio/dev-jwt.key in the user's config directory", "development without JWT_KEYS: the file (mode 0600, created when missing) that keeps the access-token key, so tokens survive a restart; `none` for a key per process", text(func(c *config) *string { return &c.DevJWTKeyFile })},
	{"ACCESS_TOKEN_TTL", "DURATION", "15m", "", "lifetime of access tokens", duration(func(c *config) *time.Duration { return &c.AccessTokenTTL })},
	{"REFRESH_TOKEN_TTL", "DURATION", "720h", "", "lifetime of refresh tokens", duration(func(c *config) *time.Duration { return &c.RefreshTokenTTL })},
	{"SIGNIN_FREE_ATTEMPTS", "N", "5", "", "sign-in attempts per account and client address before each further one waits", positive(func(c *config) *int { return &c.SignInFreeAttempts })},
	{"SIGNIN_DELAY", "DURATION", "1s", "", "the first wait after the free attempts; it doubles with each attempt, up to SIGNIN_WINDOW", duration(func(c *config) *time.Duration { return &c.SignInDelay })},
	{"SIGNIN_MAX_PER_ACCOUNT", "N", "100", "", "sign-in attempts per account per window from every address together, past which all wait", positive(func(c *config) *int { return &c.SignInMaxPerAccount })},
	{"SIGNIN_MAX_PER_ADDRESS", "N", "50", "", "sign-in attempts per client address per window, over every account", positive(func(c *config) *int { return &c.SignInMaxPerAddress })},
	{"SIGNIN_WINDOW", "DURATION", "15m", "", "how long a sign-in attempt counts, and the longest wait", duration(func(c *config) *time.Duration { return &c.SignInWindow })},
	{"CACHE_TTL", "DURATION", "10m", "", "how long looked-up rows live in Redis; `0` turns the cache off", duration(func(c *config) *time.Duration { return &c.CacheTTL })},
	{"RESPONSE_CACHE_TTL", "DURATION", "5m", "", "how long anonymous queries' responses live in Redis; `0` turns the response cache off (it is off too with `CACHE_TTL=0`)", duration(func(c *config) *time.Duration { return &c.ResponseCache.TTL })},
	{"RESPONSE_CACHE_MAX_AGE", "DURATION", "60s", "", "`Cache-Control: max-age` of cacheable GET responses, for browsers and CDNs", duration(func(c *config) *time.Duration { return &c.ResponseCache.MaxAge })},
	{"CACHE_TIMEOUT", "DURATION", cache.DefaultTimeout.String(), "", "the longest one Redis round trip of the cache may take before Postgres answers instead; three in a row that fail or take longer skip Redis for 5 s. Sized for a saturated box: with both cores of the 2-core bench machine busy, 32 concurrent `MGET`s of 20 articles took p50 8–12 ms, p99 65 ms, p99.9 160–200 ms, at most 280 ms (at 50 ms, 2% of healthy round trips failed)", duration(func(c *config) *time.Duration { return &c.CacheTimeout })},
	{"TRUSTED_DOCUMENTS", "true|false", "false", "", "run only operations registered with `go run . documents load`", func(c *config, name, v string) error {
		return parseBool(&c.TrustedDocuments, name, v, false)
	}},
	{"METRICS_ADDR", "HOST:PORT", "", "empty (off)", "where to serve Prometheus's `GET /metrics`, a listener apart from `HTTP_ADDR`, e.g. `:9090`", text(func(c *config) *string { return &c.ops.MetricsAddr })},
	{"PPROF", "true|false", "false", "", "serve Go's profiler at `/debug/pprof/` on `METRICS_ADDR` (never on `HTTP_ADDR`); without it the server does not sample its heap, which costs about 2% of CPU", func(c *config, name, v string) error {
		if err := parseBool(&c.ops.PProf, name, v, false); err != nil {
			return err
		}
		if c.ops.PProf && c.ops.MetricsAddr == "" {
			return fmt.Errorf("%s needs METRICS_ADDR: the profiler is served only on the metrics listener", name)
		}
		return nil
	}},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "URL", "", "empty (off)", "OTLP/HTTP collector for traces, e.g. `http://otel-collector:4318` (spans go to its `/v1/traces`)", text(func(c *config) *string { return &c.ops.OTLPEndpoint })},
	{"OTEL_SERVICE_NAME", "NAME", "folio", "", "`service.name` of the traces", text(func(c *config) *string { return &c.ops.ServiceName })},
	{"CORS_ALLOWED_ORIGINS", "ORIGIN,…", "", "`" + devOrigins + "` in development (any local port); none in production", "comma-separated origins whose pages may call the API, such as `https://app.example.com`; one `*` in an origin stands for any text (`http://localhost:*`); `*` alone allows any origin", func(c *config, name, v string) error {
		if v == "" && !c.production() {
			v = devOrigins
		}
		var errs []error
		for _, origin := range strings.Split(v, ",") {
			if origin = strings.TrimSpace(origin); origin == "" {
				continue
			}
			if origin != "*" && !strings.HasPrefix(origin, "http://") && !strings.HasPrefix(origin, "https://") {
				errs = append(errs, fmt.Errorf("%s must list origins such as https://app.example.com, not %q", name, origin))
			}
			c.ops.CORSOrigins = append(c.ops.CORSOrigins, strings.TrimSuffix(origin, "/"))
		}
		return errors.Join(errs...)
	}},
	{"TLS_CERT_FILE", "FILE", "", "empty (plain HTTP)", "PEM certificate: serve HTTPS (TLS 1.2+) and send HSTS", text(func(c *config) *string { return &c.ops.TLSCertFile })},
	{"TLS_KEY_FILE", "FILE", "", "empty (plain HTTP)", "PEM private key of `TLS_CERT_FILE`", func(c *config, _, v string) error {
		c.ops.TLSKeyFile = v
		switch {
		case (c.ops.TLSCertFile == "") != (v == ""):
			return errors.New("TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither")
		case v != "":
			if _, err := tls.LoadX509KeyPair(c.ops.TLSCertFile, v); err != nil {
				return fmt.Errorf("TLS_CERT_FILE and TLS_KEY_FILE do not hold a usable certificate and key: %v", err)
			}
		}
		return nil
	}},
	{"JOBS_WORKERS", "N", "10", "", "how many jobs (webhook deliveries) the server runs at once; `0`: the server only queues them, and `folio worker` processes run them", nonNegative("", func(c *config) *int { return &c.Jobs.Workers })},
	{"JOBS_MAX_ATTEMPTS", "N", "8", "", "how many times a failing job runs before it is discarded (a webhook delivery then shows `DISCARDED`)", positive(func(c *config) *int { return &c.Jobs.MaxAttempts })},
	{"JOBS_RETRY_BASE", "DURATION", "30s", "", "the wait after a job's first failure; it doubles with each failure after, with jitter (half of each wait is random)", duration(func(c *config) *time.Duration { return &c.Jobs.RetryBase })},
	{"JOBS_RETRY_MAX", "DURATION", "1h", "", "the longest wait between two attempts", duration(func(c *config) *time.Duration { return &c.Jobs.RetryMax })},
	{"JOBS_RESCUE_AFTER", "DURATION", "1h", "", "a job still running after this long (its process died, say with `kill -9`) is run again", duration(func(c *config) *time.Duration { return &c.Jobs.RescueAfter })},
	{"WEBHOOK_TIMEOUT", "DURATION", "10s", "", "how long one delivery attempt may take, connection to last byte", duration(func(c *config) *time.Duration { return &c.Jobs.WebhookTimeout })},
	{"WEBHOOK_ALLOW_PRIVATE", "true|false", "false", "", "let webhooks reach private, loopback, link-local and metadata addresses (refused by default, when created and again when delivered, after DNS resolution)", func(c *config, name, v string) error {
		return parseBool(&c.Jobs.WebhookAllowPrivate, name, v, false)
	}},
	{"SMTP_HOST", "HOST", "", "empty: in development mail is logged and shown at `/dev/mail`; in production it waits in the queue", "the SMTP server that sends e-mail", text(func(c *config) *string { return &c.Mail.SMTPHost })},
	{"SMTP_PORT", "N", "587", "", "its port (465 with `SMTP_TLS=tls`)", positive(func(c *config) *int { return &c.Mail.SMTPPort })},
	{"SMTP_TLS", "starttls|tls|none", "starttls", "", "`starttls` (required), `tls` (from the first byte) or `none` (only for a relay on the same host)", func(c *config, name, v string) error {
		c.Mail.SMTPTLS = v
		if v != "starttls" && v != "tls" && v != "none" {
			return fmt.Errorf("%s must be starttls, tls or none, not %q", name, v)
		}
		return nil
	}},
	{"SMTP_USERNAME", "NAME", "", "empty (no authentication)", "SMTP user (PLAIN authentication, over TLS)", text(func(c *config) *string { return &c.Mail.SMTPUsername })},
	{"SMTP_PASSWORD", "SECRET", "", "", "SMTP password", text(func(c *config) *string { return &c.Mail.SMTPPassword })},
	{"MAIL_FROM", "ADDRESS", "Folio <no-reply@localhost>", "", "the sender of Folio's e-mail", text(func(c *config) *string { return &c.Mail.From })},
	{"SITE_URL", "URL", "http://localhost:8080", "", "the site the links in e-mail open (the frontend), e.g. `https://folio.example`: a newsletter confirmation link is `SITE_URL/newsletter/confirm?token=…`, a sign-up verification link `SITE_URL/verify-email?token=…`", func(c *config, name, v string) error {
		c.Mail.SiteURL = strings.TrimRight(v, "/")
		if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return fmt.Errorf("%s must start with http:// or https://, not %q", name, v)
		}
		return nil
	}},
	{"API_URL", "URL", "http://localhost:8080", "", "where mail clients reach this API, for the one-click unsubscribe link of newsletter mail (`API_URL/newsletter/unsubscribe?token=…`, RFC 8058)", func(c *config, name, v string) error {
		c.Mail.APIURL = strings.TrimRight(v, "/")
		if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return fmt.Errorf("%s must start with http:// or https://, not %q", name, v)
		}
		return nil
	}},
	{"WEBHOOK_SECRET_GRACE", "DURATION", "24h", "", "after `rotateWebhookSecret`, how long the old secret signs deliveries beside the new one", duration(func(c *config) *time.Duration { return &c.Jobs.WebhookSecretGrace })},
	{"LIVE_KEEPALIVE", "DURATION", "25s", "", "how often live connections are pinged (`graphql-transport-ws` ping, `graphql-ws` `ka`, an SSE comment); a WebSocket that misses two pongs is closed", duration(func(c *config) *time.Duration { return &c.Live.KeepAlive })},
	{"LIVE_INIT_TIMEOUT", "DURATION", "10s", "", "how long a WebSocket may wait before `connection_init` (then close 4408)", duration(func(c *config) *time.Duration { return &c.Live.InitTimeout })},
	{"LIVE_MAX_MESSAGE_BYTES", "N", "65536", "", "the largest message a WebSocket client may send", positive(func(c *config) *int { return &c.Live.MaxMessageBytes })},
	{"LIVE_SUBSCRIPTIONS_PER_CONNECTION", "N", "20", "", "subscriptions one connection may run at once", positive(func(c *config) *int { return &c.Live.PerConnection })},
	{"LIVE_CONNECTIONS_PER_ADDRESS", "N", "100", "", "live connections (WebSocket or SSE) one client address may hold", positive(func(c *config) *int { return &c.Live.PerAddress })},
	{"LIVE_CONNECTIONS_PER_USER", "N", "20", "", "live connections one signed-in user may hold", positive(func(c *config) *int { return &c.Live.PerUser })},
	{"LIVE_AUTH_RECHECK", "DURATION", "30s", "", "a live connection signed in with an API key or an access token has its credentials checked again once the last check is this old: before the next event, and on a timer while idle; a revoked key or signed-out session closes it with 4401, a lowered role with 4403", func(c *config, name, v string) error {
		if err := parseDuration(&c.Live.Recheck, name, v); err != nil || c.Live.Recheck > 0 {
			return err
		}
		return fmt.Errorf("%s must be a duration above zero such as 30s, not %q", name, v)
	}},
	{"LIVE_BUFFER", "N", "16", "", "events that may wait for one subscriber; a subscriber further behind is disconnected as too slow (close 1008)", positive(func(c *config) *int { return &c.Live.Buffer })},
	{"LIVE_REACTIONS_INTERVAL", "DURATION", "1s", "", "reaction events are coalesced: at most one per article per interval, with the latest counts; `0`: each at once", duration(func(c *config) *time.Duration { return &c.Live.ReactionsInterval })},
	{"UPLOADS", "true|false", "false", "", "take image uploads (`setArticleCoverImage`, `setAvatar`: GraphQL multipart requests with a preflight header); off, such requests are refused with `UPLOADS_DISABLED`, and stored images are still served", func(c *config, name, v string) error {
		return parseBool(&c.Media.Uploads, name, v, false)
	}},
	{"IMAGE_MAX_BYTES", "N", "10485760", "", "the largest image file taken, in bytes (`IMAGE_TOO_LARGE`)", func(c *config, name, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		c.Media.MaxBytes = n
		if err != nil || n < 1 || n > 100<<20 {
			return fmt.Errorf("%s must be a number of bytes from 1 to 104857600, not %q", name, v)
		}
		return nil
	}},
	{"IMAGE_MAX_DIMENSION", "N", "8000", "", "the widest and tallest image taken, in pixels, read from the file's header before any pixel is decoded (`IMAGE_DIMENSIONS_TOO_LARGE`)", positive(func(c *config) *int { return &c.Media.MaxDimension })},
	{"IMAGE_MAX_PIXELS", "N", "25000000", "", "the most pixels (width × height) an image taken may have: decoding one holds them all in memory, 4 bytes each", positive(func(c *config) *int { return &c.Media.MaxPixels })},
	{"MEDIA_STORE", "local|s3", "local", "", "where images are kept: `local`, files in `MEDIA_DIR` served at `/media/{key}`; `s3`, an S3-compatible bucket (`S3_*`) whose objects clients fetch from `MEDIA_PUBLIC_URL`", func(c *config, name, v string) error {
		c.Media.Store = v
		if v != "local" && v != "s3" {
			return fmt.Errorf("%s must be local or s3, not %q", name, v)
		}
		return nil
	}},
	{"MEDIA_DIR", "PATH", "media", "", "the directory of `MEDIA_STORE=local`, made when missing; every instance must see the same one (a shared volume), or use `s3`", text(func(c *config) *string { return &c.Media.Dir })},
	{"MEDIA_PUBLIC_URL", "URL", "", "`API_URL`/media with `local`; required with `s3`", "where clients fetch images: an image's URL is this, `/`, its key (a bucket's public URL, or a CDN in front of it)", func(c *config, name, v string) error {
		v = strings.TrimRight(v, "/")
		if v == "" && c.Media.Store == "local" {
			v = c.Mail.APIURL + "/media"
		}
		c.Media.PublicURL = v
		if v == "" {
			return fmt.Errorf("%s is required with MEDIA_STORE=s3: the URL clients fetch the bucket's objects from", name)
		}
		if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return fmt.Errorf("%s must start with http:// or https://, not %q", name, v)
		}
		return nil
	}},
	{"S3_ENDPOINT", "URL", "", "empty", "the S3 service of `MEDIA_STORE=s3`, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`", func(c *config, name, v string) error {
		c.Media.S3Endpoint = v
		if c.Media.Store == "s3" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return fmt.Errorf("%s must be the http:// or https:// URL of the S3 service with MEDIA_STORE=s3, not %q", name, v)
		}
		return nil
	}},
	{"S3_REGION", "REGION", "us-east-1", "", "the bucket's region", text(func(c *config) *string { return &c.Media.S3Region })},
	{"S3_BUCKET", "NAME", "", "empty", "the bucket images are kept in (it must exist)", func(c *config, name, v string) error {
		c.Media.S3Bucket = v
		if c.Media.Store == "s3" && v == "" {
			return fmt.Errorf("%s is required with MEDIA_STORE=s3", name)
		}
		return nil
	}},
	{"S3_ACCESS_KEY_ID", "ID", "", "empty", "the access key that signs S3 requests", text(func(c *config) *string { return &c.Media.S3AccessKeyID })},
	{"S3_SECRET_ACCESS_KEY", "SECRET", "", "empty", "its secret", text(func(c *config) *string { return &c.Media.S3SecretAccessKey })},
	{"S3_PATH_STYLE", "true|false", "false", "", "address the bucket as a path (`endpoint/bucket/key`), as MinIO and most self-hosted services want, rather than as a host name", func(c *config, name, v string) error {
		return parseBool(&c.Media.S3PathStyle, name, v, false)
	}},
}

// settingGroups title the runs of settings in --help, each by its first.
var settingGroups = map[string]string{
	"DATABASE_URL":              "Connections",
	"ENV":                       "Environment and logs",
	"MIGRATE_ON_START":          "Development conveniences",
	"MAX_CONCURRENT_OPERATIONS": "Load, timeouts and shutdown",
	"RATE_LIMIT":                "Cost and rate limits",
	"JWT_KEYS":                  "Authentication",
	"CACHE_TTL":                 "Caches and trusted documents",
	"METRICS_ADDR":              "Observability",
	"CORS_ALLOWED_ORIGINS":      "Browsers and TLS",
	"JOBS_WORKERS":              "Jobs and webhooks",
	"LIVE_KEEPALIVE":            "Live updates (subscriptions)",
	"UPLOADS":                   "Images",
}

// flagName is the flag of an environment variable: DATABASE_URL → database-url.
func flagName(env string) string { return strings.ReplaceAll(strings.ToLower(env), "_", "-") }

// configFlags registers the flags of the settings named in only (every
// setting when only is nil) on fs, with defaults from the environment
// read through getenv. After fs is parsed, the returned function builds
// the config; its errors say what is wrong and how to fix it. A setting
// left out is still read from the environment, for the settings that
// depend on it, but its errors are not the command's.
func configFlags(fs *flag.FlagSet, getenv func(string) string, only []string) func() (config, error) {
	uses := func(name string) bool { return only == nil || slices.Contains(only, name) }
	raw := make([]string, len(settings))
	for i, s := range settings {
		v := strings.TrimSpace(getenv(s.name))
		if v == "" {
			v = s.def
		}
		raw[i] = v
		if uses(s.name) {
			fs.StringVar(&raw[i], flagName(s.name), v, strings.ReplaceAll(s.help, "`", ""))
		}
	}
	return func() (config, error) {
		c := config{ops: opsConfig{MaxOperationLabels: 200}}
		c.RateLimit.Limits = ratelimit.DefaultLimits
		var errs []string
		for i, s := range settings {
			if err := s.parse(&c, s.name, raw[i]); err != nil && uses(s.name) {
				errs = append(errs, strings.ReplaceAll(err.Error(), "\n", "; "))
			}
		}
		if len(errs) > 0 {
			// One line, however many problems: it is printed as the reason
			// the process did not start.
			return c, errors.New(strings.Join(errs, "; "))
		}
		return c, nil
	}
}

// settingsTable is the README's table of settings, made from settings.
func settingsTable() string {
	var b strings.Builder
	b.WriteString("| variable | default | meaning |\n|---|---|---|\n")
	for _, s := range settings {
		def := s.shown
		if def == "" {
			def = "`" + s.def + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.name, def, s.help)
	}
	return b.String()
}

func text(field func(*config) *string) func(*config, string, string) error {
	return func(c *config, _, v string) error { *field(c) = v; return nil }
}

func devFlag(field func(*config) *bool) func(*config, string, string) error {
	return func(c *config, name, v string) error { return parseBool(field(c), name, v, !c.production()) }
}

func duration(field func(*config) *time.Duration) func(*config, string, string) error {
	return func(c *config, name, v string) error { return parseDuration(field(c), name, v) }
}

func positive(field func(*config) *int) func(*config, string, string) error {
	return func(c *config, name, v string) error {
		n, err := strconv.Atoi(v)
		*field(c) = n
		if err != nil || n < 1 {
			return fmt.Errorf("%s must be a whole number of 1 or more, not %q", name, v)
		}
		return nil
	}
}

// nonNegative parses a whole number of 0 or more; zero says, if set, what
// 0 means, for the error.
func nonNegative(zero string, field func(*config) *int) func(*config, string, string) error {
	return func(c *config, name, v string) error {
		n, err := strconv.Atoi(v)
		*field(c) = n
		if err != nil || n < 0 {
			return fmt.Errorf("%s must be a whole number of 0%s or more, not %q", name, zero, v)
		}
		return nil
	}
}

func parseBool(dst *bool, name, v string, def bool) error {
	if v == "" {
		*dst = def
		return nil
	}
	b, err := strconv.ParseBool(v)
	*dst = b
	if err != nil {
		return fmt.Errorf("%s must be true or false, not %q", name, v)
	}
	return nil
}

func parseDuration(dst *time.Duration, name, v string) error {
	d, err := time.ParseDuration(v)
	*dst = d
	if err != nil || d < 0 {
		return fmt.Errorf("%s must be a duration such as 2ms or 15s, not %q", name, v)
	}
	return nil
}

func tierText(t ratelimit.Tier) string {
	return strconv.FormatFloat(t.Capacity, 'f', -1, 64) + "/" + strconv.FormatFloat(t.RestoreRate, 'f', -1, 64)
}

// tier reads "capacity/rate". A bucket smaller than the cost ceiling would
// refuse, forever, operations the ceiling allows.
func tier(tierName string, field func(*config) *ratelimit.Tier) func(*config, string, string) error {
	return func(c *config, name, v string) error {
		cp, r, ok := strings.Cut(v, "/")
		capacity, err1 := strconv.ParseFloat(strings.TrimSpace(cp), 64)
		rate, err2 := strconv.ParseFloat(strings.TrimSpace(r), 64)
		*field(c) = ratelimit.Tier{Name: tierName, Capacity: capacity, RestoreRate: rate}
		switch maxCost := c.RateLimit.Limits.MaxCost; {
		case !ok || err1 != nil || err2 != nil || capacity <= 0 || rate <= 0:
			return fmt.Errorf("%s must be capacity/points-per-second such as 1000/50, not %q", name, v)
		case capacity < float64(maxCost):
			return fmt.Errorf("%s: a capacity of %s is under MAX_QUERY_COST (%d), so some allowed operations could never run", name, cp, maxCost)
		}
		return nil
	}
}

// responseCacheConfig configures the response cache (internal/respcache).
type responseCacheConfig struct {
	// TTL is how long an anonymous query's response lives in Redis; 0
	// turns the response cache off. It is off as well when CACHE_TTL is 0.
	TTL time.Duration
	// MaxAge is the Cache-Control max-age of cacheable GET responses.
	MaxAge time.Duration
}

// command is one of folio's commands, as help shows it.
type command struct {
	name, args, summary string
	// about says more, under the usage line of the command's own help.
	about string
	// settings are the names of the settings the command reads (nil: every
	// one); only their flags are offered.
	settings []string
	// flags registers the command's own flags, if it has any; their usage
	// names the value's placeholder in backquotes, as package flag expects.
	flags func(fs *flag.FlagSet)
}

// dbSettings are what a command that only talks to the database reads.
var dbSettings = []string{"DATABASE_URL", "ENV", "LOG_LEVEL", "LOG_FORMAT"}

// redisSettings are what a command that only talks to Redis reads.
var redisSettings = []string{"REDIS_URL", "ENV", "LOG_LEVEL", "LOG_FORMAT"}

// commands are folio's commands in the order help lists them; serve is the
// default.
var commands = []command{
	{name: "serve", summary: "serve the GraphQL API over HTTP (the default command)",
		about: "In development it creates the database if missing, applies the migrations and loads demo data into an empty database."},
	{name: "migrate", args: "up|down|status", summary: "apply, roll back or list the database migrations", settings: dbSettings,
		about: "  up      apply every pending migration (in development, create a missing database first)\n" +
			"  down    roll back the newest migration\n" +
			"  status  list each migration, applied or pending; changes nothing"},
	{name: "seed", summary: "load deterministic demo data into the database", settings: dbSettings,
		about: "Migrates first. Refuses a database with content unless --replace is given.",
		flags: func(fs *flag.FlagSet) {
			fs.String("scale", "small", "how much demo data: `tiny|small|medium`")
			fs.Bool("replace", false, "wipe the existing content first")
		}},
	{name: "documents", args: "load FILE", summary: "register the operations of a persisted-documents manifest (TRUSTED_DOCUMENTS)", settings: dbSettings,
		about: `FILE maps each document's SHA-256 to its text, {"<sha256>": "<document>"}, as GraphQL Code Generator's client preset writes it.`},
	{name: "accounts", args: "unlock EMAIL", summary: "clear an account's sign-in delays, on every instance", settings: redisSettings,
		about: "Sign-in attempts wait after repeated failures (see SIGNIN_FREE_ATTEMPTS); unlock clears every count of the account,\n" +
			"from every address, so its owner can sign in at once. It changes nothing else: not the password, not the sessions."},
	{name: "worker", summary: "run queued jobs (webhook deliveries) without serving HTTP",
		settings: append(append([]string{}, dbSettings...), "METRICS_ADDR", "SHUTDOWN_TIMEOUT", "JOBS_WORKERS", "JOBS_MAX_ATTEMPTS", "JOBS_RETRY_BASE", "JOBS_RETRY_MAX", "JOBS_RESCUE_AFTER", "WEBHOOK_TIMEOUT", "WEBHOOK_ALLOW_PRIVATE",
			"SMTP_HOST", "SMTP_PORT", "SMTP_TLS", "SMTP_USERNAME", "SMTP_PASSWORD", "MAIL_FROM", "SITE_URL", "API_URL", "JWT_KEYS",
			"MEDIA_STORE", "MEDIA_DIR", "MEDIA_PUBLIC_URL", "S3_ENDPOINT", "S3_REGION", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_PATH_STYLE"),
		about: "Runs beside servers started with JOBS_WORKERS=0 (or as well as servers that run jobs); it deletes the images writes stopped using, so it needs the same MEDIA_STORE. On SIGTERM, running jobs get SHUTDOWN_TIMEOUT to finish; then they are cancelled and run again later."},
	{name: "keygen", summary: "print a new access-token key for JWT_KEYS", settings: []string{},
		about: "Rotate keys by putting the new key first in JWT_KEYS and keeping the old one after it until its tokens expire."},
	{name: "help", args: "[COMMAND]", summary: "show this help, or a command's", settings: []string{}},
}

func lookupCommand(name string) (command, error) {
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == name })
	if i < 0 {
		return command{}, fmt.Errorf("unknown command %q: run `folio help` for the commands", name)
	}
	return commands[i], nil
}

// flagSet is a command's flags; it prints nothing, run does.
func flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// flagError makes a parse error one line with a way forward: the flag
// meant, when one is close, and where the flags are listed.
func flagError(cmd command, fs *flag.FlagSet, err error) error {
	bad, unknown := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !unknown {
		return fmt.Errorf("%v: run `folio %s --help` for its flags", err, cmd.name)
	}
	bad = strings.TrimLeft(bad, "-")
	var near []string
	fs.VisitAll(func(f *flag.Flag) {
		if strings.Contains(f.Name, bad) || strings.Contains(bad, f.Name) {
			near = append(near, "--"+f.Name)
		}
	})
	hint := ""
	if len(near) > 0 && len(near) <= 3 {
		hint = "did you mean " + strings.Join(near, " or ") + "? "
	}
	return fmt.Errorf("%s has no flag --%s: %srun `folio %s --help` for its flags", cmd.name, bad, hint, cmd.name)
}

// printOverview writes `folio help`: the commands, one line each.
func printOverview(w io.Writer) {
	fmt.Fprint(w, "Folio serves the GraphQL API of a publishing platform.\n\nUsage: folio [COMMAND] [ARGUMENTS] [FLAGS]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-24s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprint(w, "\nSettings come from environment variables; a flag of the same name in lower\n"+
		"case overrides one (--database-url for DATABASE_URL).\n"+
		"Run `folio COMMAND --help` for a command's flags.\n")
}

// printCommandHelp writes `folio COMMAND --help`: its usage, then its own
// flags and the settings it reads, grouped, with their environment
// variables and defaults. fs holds the flags registered for cmd.
func printCommandHelp(w io.Writer, cmd command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: folio %s [FLAGS]\n\n%s.\n", strings.TrimSpace(cmd.name+" "+cmd.args), upperFirst(cmd.summary))
	if cmd.about != "" {
		fmt.Fprintf(w, "%s\n", cmd.about)
	}
	if cmd.flags != nil {
		fmt.Fprintf(w, "\nFlags of %s:\n", cmd.name)
		own := flagSet(cmd.name)
		cmd.flags(own)
		own.VisitAll(func(f *flag.Flag) {
			arg, usage := flag.UnquoteUsage(f)
			def := ""
			if arg != "" {
				def = "default " + f.DefValue
			}
			printFlag(w, f.Name, arg, def, usage)
		})
	}
	group := ""
	for _, s := range settings {
		if cmd.settings != nil && !slices.Contains(cmd.settings, s.name) {
			continue
		}
		if g, ok := settingGroups[s.name]; ok || group == "" {
			if !ok {
				g = "Settings"
			}
			group = g
			fmt.Fprintf(w, "\n%s:\n", group)
		}
		def := s.shown
		if def == "" {
			def = s.def
			if def == "" {
				def = "empty"
			}
		}
		printFlag(w, flagName(s.name), s.arg, "env "+s.name+"; default "+strings.ReplaceAll(def, "`", ""), strings.ReplaceAll(s.help, "`", ""))
	}
}

// printFlag writes one flag: its name and placeholder, where its default
// comes from, and its meaning wrapped below.
func printFlag(w io.Writer, name, arg, def, usage string) {
	head := "  --" + name
	if arg != "" {
		head += " " + arg
	}
	if def != "" {
		head = fmt.Sprintf("%-36s %s", head, def)
	}
	fmt.Fprintln(w, head)
	line := "     "
	for _, word := range strings.Fields(usage) {
		if len(line)+1+len(word) > 80 && len(line) > 5 {
			fmt.Fprintln(w, line)
			line = "     "
		}
		line += " " + word
	}
	fmt.Fprintln(w, line)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// isHelp reports whether the parse error asks for help (-h, --help).
func isHelp(err error) bool { return errors.Is(err, flag.ErrHelp) }
