package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
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
	Env                             string // development or production
	LogLevel                        slog.Level

	MigrateOnStart, SeedIfEmpty, Playground bool

	RequestTimeout, ShutdownTimeout time.Duration

	RateLimit rateLimitConfig

	JWTKeys                                  string
	AccessTokenTTL, RefreshTokenTTL          time.Duration
	SignInMaxPerAccount, SignInMaxPerAddress int
	SignInWindow                             time.Duration

	CacheTTL, CacheTimeout time.Duration
	// ResponseCache answers anonymous queries from Redis; on only while
	// CacheTTL is.
	ResponseCache    responseCacheConfig
	TrustedDocuments bool

	ops opsConfig
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

// setting is one configuration variable, declared once: its name in the
// environment (the flag is the same in lower case with dashes), its default
// as text ("" when it depends on other settings; shown then says what it
// is), what it means (--help and the README's table both come from here),
// and how to read it into a config. A setting may read the settings above
// it, already parsed.
type setting struct {
	name, def, shown, help string
	parse                  func(c *config, name, v string) error
}

// settings are every configuration variable, in the order of the README.
var settings = []setting{
	{"DATABASE_URL", "postgres://postgres@127.0.0.1:5432/folio?sslmode=disable", "", "Postgres; pool size with `pool_max_conns=N`", text(func(c *config) *string { return &c.DatabaseURL })},
	{"REDIS_URL", "redis://127.0.0.1:6379/0", "", "Redis", text(func(c *config) *string { return &c.RedisURL })},
	{"HTTP_ADDR", ":8080", "", "where to serve", text(func(c *config) *string { return &c.HTTPAddr })},
	{"ENV", envDevelopment, "", "`development` or `production`", func(c *config, name, v string) error {
		c.Env = v
		if v != envDevelopment && v != envProduction {
			return fmt.Errorf("%s must be %q or %q, not %q", name, envDevelopment, envProduction, v)
		}
		return nil
	}},
	{"LOG_LEVEL", "info", "", "`debug` (logs every SQL statement), `info`, `warn`, `error`", func(c *config, name, v string) error {
		if c.LogLevel.UnmarshalText([]byte(v)) != nil {
			return fmt.Errorf("%s must be debug, info, warn or error, not %q", name, v)
		}
		return nil
	}},
	{"LOG_FORMAT", "", "`json` in production, `text` in development", "`json`: one object per line", func(c *config, name, v string) error {
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
	{"MIGRATE_ON_START", "", "`true` in development, `false` in production", "apply pending migrations at start; otherwise a server refuses an outdated schema", devFlag(func(c *config) *bool { return &c.MigrateOnStart })},
	{"SEED_IF_EMPTY", "", "`true` in development, `false` in production", "load the `small` demo data into an empty database", devFlag(func(c *config) *bool { return &c.SeedIfEmpty })},
	{"PLAYGROUND", "", "`true` in development, `false` in production", "GraphiQL at `/`", devFlag(func(c *config) *bool { return &c.Playground })},
	{"INTROSPECTION", "", "as `PLAYGROUND`", "answer introspection queries, serve `GET /schema.graphql`, and let validation errors suggest field names (\"Did you mean …?\")", func(c *config, name, v string) error {
		return parseBool(&c.ops.Introspection, name, v, c.Playground)
	}},
	{"REQUEST_TIMEOUT", "10s", "", "how long one request may work, SQL included, before it answers `TIMEOUT`", duration(func(c *config) *time.Duration { return &c.RequestTimeout })},
	{"STATEMENT_TIMEOUT", "", "`REQUEST_TIMEOUT` + 5s", "Postgres `statement_timeout` of the server's connections, a backstop behind the request deadline; `0`: none; a `statement_timeout` in `DATABASE_URL` wins", func(c *config, name, v string) error {
		if v == "" {
			c.ops.StatementTimeout = 0
			if c.RequestTimeout > 0 {
				c.ops.StatementTimeout = c.RequestTimeout + 5*time.Second
			}
			return nil
		}
		return parseDuration(&c.ops.StatementTimeout, name, v)
	}},
	{"SHUTDOWN_DELAY", "0s", "", "on SIGTERM, how long to keep serving with `/readyz` failing before the listener closes", duration(func(c *config) *time.Duration { return &c.ops.ShutdownDelay })},
	{"SHUTDOWN_TIMEOUT", "15s", "", "how long in-flight requests may finish on SIGTERM", duration(func(c *config) *time.Duration { return &c.ShutdownTimeout })},
	{"RATE_LIMIT", "true", "", "charge each operation's cost to its client's budget in Redis (the ceilings hold either way)", func(c *config, name, v string) error {
		return parseBool(&c.RateLimit.Budgets, name, v, true)
	}},
	{"MAX_QUERY_COST", strconv.Itoa(ratelimit.DefaultLimits.MaxCost), "", "the most one operation may cost", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxCost })},
	{"MAX_QUERY_DEPTH", strconv.Itoa(ratelimit.DefaultLimits.MaxDepth), "", "the deepest fields may nest", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxDepth })},
	{"MAX_QUERY_ALIASES", strconv.Itoa(ratelimit.DefaultLimits.MaxAliases), "", "the most aliased fields in a document", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxAliases })},
	{"MAX_QUERY_TOKENS", strconv.Itoa(ratelimit.DefaultLimits.MaxTokens), "", "the most tokens in a document", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxTokens })},
	{"MAX_QUERY_FIELDS", strconv.Itoa(ratelimit.DefaultLimits.MaxFields), "", "the most fields a document selects, each fragment unfolded where it is spread", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxFields })},
	{"MAX_QUERY_SELECTION_FIELDS", strconv.Itoa(ratelimit.DefaultLimits.MaxSelectionFields), "", "the most fields in one selection set, fragments unfolded", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxSelectionFields })},
	{"MAX_QUERY_REPEATED_FIELDS", strconv.Itoa(ratelimit.DefaultLimits.MaxRepeatedFields), "", "the most times one response key is selected in one selection set, fragments unfolded (validation compares every pair)", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxRepeatedFields })},
	{"MAX_QUERY_FRAGMENT_SPREADS", strconv.Itoa(ratelimit.DefaultLimits.MaxFragmentSpreads), "", "the most fragment spreads in a document, nested fragments unfolded", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxFragmentSpreads })},
	{"MAX_QUERY_VARIABLES", strconv.Itoa(ratelimit.DefaultLimits.MaxVariables), "", "the most variables one operation declares", positive(func(c *config) *int { return &c.RateLimit.Limits.MaxVariables })},
	{"RATE_LIMIT_ANONYMOUS", tierText(ratelimit.DefaultTiers.Anonymous), "", "the budget of each client address: capacity/points restored a second; a capacity under `MAX_QUERY_COST` is refused", tier("anonymous", func(c *config) *ratelimit.Tier { return &c.RateLimit.Tiers.Anonymous })},
	{"RATE_LIMIT_USER", tierText(ratelimit.DefaultTiers.User), "", "the budget of each signed-in user, as above", tier("user", func(c *config) *ratelimit.Tier { return &c.RateLimit.Tiers.User })},
	{"RATE_LIMIT_API_KEY", tierText(ratelimit.DefaultTiers.APIKey), "", "the budget of each API key, as above", tier("apiKey", func(c *config) *ratelimit.Tier { return &c.RateLimit.Tiers.APIKey })},
	{"TRUSTED_PROXIES", "", "none", "comma-separated CIDR blocks or addresses whose `X-Forwarded-For` is believed", func(c *config, name, v string) (err error) {
		if c.RateLimit.TrustedProxies, err = clientaddr.ParseProxies(v); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		return nil
	}},
	{"JWT_KEYS", "", "generated per process in development; required in production", "access-token keys, `kid:base64-seed,…`, the first signing (`go run . keygen`)", text(func(c *config) *string { return &c.JWTKeys })},
	{"ACCESS_TOKEN_TTL", "15m", "", "lifetime of access tokens", duration(func(c *config) *time.Duration { return &c.AccessTokenTTL })},
	{"REFRESH_TOKEN_TTL", "720h", "", "lifetime of refresh tokens", duration(func(c *config) *time.Duration { return &c.RefreshTokenTTL })},
	{"SIGNIN_MAX_PER_ACCOUNT", "5", "", "failed sign-ins per account per window before attempts wait", positive(func(c *config) *int { return &c.SignInMaxPerAccount })},
	{"SIGNIN_MAX_PER_ADDRESS", "50", "", "failed sign-ins per client address per window", positive(func(c *config) *int { return &c.SignInMaxPerAddress })},
	{"SIGNIN_WINDOW", "15m", "", "how long a failed sign-in counts", duration(func(c *config) *time.Duration { return &c.SignInWindow })},
	{"CACHE_TTL", "10m", "", "how long looked-up rows live in Redis; `0` turns the cache off", duration(func(c *config) *time.Duration { return &c.CacheTTL })},
	{"RESPONSE_CACHE_TTL", "5m", "", "how long anonymous queries' responses live in Redis; `0` turns the response cache off (it is off too with `CACHE_TTL=0`)", duration(func(c *config) *time.Duration { return &c.ResponseCache.TTL })},
	{"RESPONSE_CACHE_MAX_AGE", "60s", "", "`Cache-Control: max-age` of cacheable GET responses, for browsers and CDNs", duration(func(c *config) *time.Duration { return &c.ResponseCache.MaxAge })},
	{"CACHE_TIMEOUT", cache.DefaultTimeout.String(), "", "the longest one Redis round trip of the cache may take before Postgres answers instead; three in a row that fail or take longer skip Redis for 5 s. Sized for a saturated box: with both cores of the 2-core bench machine busy, 32 concurrent `MGET`s of 20 articles took p50 8–12 ms, p99 65 ms, p99.9 160–200 ms, at most 280 ms (at 50 ms, 2% of healthy round trips failed)", duration(func(c *config) *time.Duration { return &c.CacheTimeout })},
	{"TRUSTED_DOCUMENTS", "false", "", "run only operations registered with `go run . documents load`", func(c *config, name, v string) error {
		return parseBool(&c.TrustedDocuments, name, v, false)
	}},
	{"METRICS_ADDR", "", "empty (off)", "where to serve Prometheus's `GET /metrics`, a listener apart from `HTTP_ADDR`, e.g. `:9090`", text(func(c *config) *string { return &c.ops.MetricsAddr })},
	{"PPROF", "false", "", "serve Go's profiler at `/debug/pprof/` on `METRICS_ADDR` (never on `HTTP_ADDR`)", func(c *config, name, v string) error {
		if err := parseBool(&c.ops.PProf, name, v, false); err != nil {
			return err
		}
		if c.ops.PProf && c.ops.MetricsAddr == "" {
			return fmt.Errorf("%s needs METRICS_ADDR: the profiler is served only on the metrics listener", name)
		}
		return nil
	}},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "", "empty (off)", "OTLP/HTTP collector for traces, e.g. `http://otel-collector:4318` (spans go to its `/v1/traces`)", text(func(c *config) *string { return &c.ops.OTLPEndpoint })},
	{"OTEL_SERVICE_NAME", "folio", "", "`service.name` of the traces", text(func(c *config) *string { return &c.ops.ServiceName })},
	{"CORS_ALLOWED_ORIGINS", "", "empty (no cross-origin browser access)", "comma-separated origins such as `https://app.example.com`, or `*`", func(c *config, name, v string) error {
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
	{"TLS_CERT_FILE", "", "empty (plain HTTP)", "PEM certificate: serve HTTPS (TLS 1.2+) and send HSTS", text(func(c *config) *string { return &c.ops.TLSCertFile })},
	{"TLS_KEY_FILE", "", "empty (plain HTTP)", "PEM private key of `TLS_CERT_FILE`", func(c *config, _, v string) error {
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
}

func flagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// flagName is the flag of an environment variable: DATABASE_URL → database-url.
func flagName(env string) string { return strings.ReplaceAll(strings.ToLower(env), "_", "-") }

// configFlags registers the configuration's flags on fs, with defaults from
// the environment read through getenv. After fs is parsed, the returned
// function builds the config; its errors say what is wrong and how to fix it.
func configFlags(fs *flag.FlagSet, getenv func(string) string) func() (config, error) {
	raw := make([]string, len(settings))
	for i, s := range settings {
		v := strings.TrimSpace(getenv(s.name))
		if v == "" {
			v = s.def
		}
		usage := strings.ReplaceAll(s.help, "`", "") + " (env " + s.name
		if s.shown != "" {
			usage += "; default " + strings.ReplaceAll(s.shown, "`", "")
		}
		fs.StringVar(&raw[i], flagName(s.name), v, usage+")")
	}
	return func() (config, error) {
		c := config{ops: opsConfig{MaxOperationLabels: 200}}
		c.RateLimit.Limits = ratelimit.DefaultLimits
		var errs []string
		for i, s := range settings {
			if err := s.parse(&c, s.name, raw[i]); err != nil {
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
