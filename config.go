package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/folio/folio/internal/cache"
)

// config is everything the process reads from its environment. Flags of the
// same name (lower case, dashes) override the environment.
type config struct {
	DatabaseURL string
	RedisURL    string
	HTTPAddr    string
	Env         string // development or production
	LogLevel    slog.Level

	// MigrateOnStart applies pending migrations when serving. On by default
	// in development; in production an operator opts in.
	MigrateOnStart bool
	// SeedIfEmpty loads the small demo data set into an empty database.
	SeedIfEmpty bool
	// Playground serves GraphiQL at /. Introspection goes with it.
	Playground bool

	RequestTimeout  time.Duration
	ShutdownTimeout time.Duration

	ops opsConfig
	// JWTKeys are the access-token keys, "kid:seed,…", the first signing.
	// Required in production; development generates one per process.
	JWTKeys         string
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	// Failed sign-ins allowed per account and per client address within
	// SignInWindow before further attempts wait.
	SignInMaxPerAccount int
	SignInMaxPerAddress int
	SignInWindow        time.Duration

	RateLimit rateLimitConfig
	// CacheTTL is how long looked-up rows live in Redis; 0 turns the cache off.
	CacheTTL     time.Duration
	CacheTimeout time.Duration
	// ResponseCache answers anonymous queries from Redis; on only while
	// CacheTTL is.
	ResponseCache responseCacheConfig
	// TrustedDocuments runs only operations registered with
	// `folio documents load`; APQ registration is off then.
	TrustedDocuments bool
}

const (
	envDevelopment = "development"
	envProduction  = "production"
)

func (c config) production() bool { return c.Env == envProduction }

// The defaults reach the Postgres and Redis of a developer's machine.
const (
	defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/folio?sslmode=disable"
	defaultRedisURL    = "redis://127.0.0.1:6379/0"
	defaultHTTPAddr    = ":8080"
)

func flagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// configFlags registers the configuration's flags on fs, with defaults from
// the environment read through getenv. After fs is parsed, the returned
// function builds the config; its errors say what is wrong and how to fix it.
func configFlags(fs *flag.FlagSet, getenv func(string) string) func() (config, error) {
	env := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	var r rawConfig
	fs.StringVar(&r.databaseURL, "database-url", env("DATABASE_URL", defaultDatabaseURL), "Postgres URL (env DATABASE_URL)")
	fs.StringVar(&r.redisURL, "redis-url", env("REDIS_URL", defaultRedisURL), "Redis URL (env REDIS_URL)")
	fs.StringVar(&r.httpAddr, "http-addr", env("HTTP_ADDR", defaultHTTPAddr), "address to serve HTTP on (env HTTP_ADDR)")
	fs.StringVar(&r.env, "env", env("ENV", envDevelopment), "development or production (env ENV)")
	fs.StringVar(&r.logLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (env LOG_LEVEL)")
	fs.StringVar(&r.migrate, "migrate-on-start", env("MIGRATE_ON_START", ""), "apply pending migrations at start: true or false (env MIGRATE_ON_START; default true in development)")
	fs.StringVar(&r.seed, "seed-if-empty", env("SEED_IF_EMPTY", ""), "load demo data into an empty database: true or false (env SEED_IF_EMPTY; default true in development)")
	fs.StringVar(&r.playground, "playground", env("PLAYGROUND", ""), "serve the GraphiQL playground and introspection: true or false (env PLAYGROUND; default true in development)")
	fs.StringVar(&r.requestTimeout, "request-timeout", env("REQUEST_TIMEOUT", "10s"), "how long one request may work, SQL included (env REQUEST_TIMEOUT)")
	fs.StringVar(&r.shutdown, "shutdown-timeout", env("SHUTDOWN_TIMEOUT", "15s"), "how long in-flight requests may finish on shutdown (env SHUTDOWN_TIMEOUT)")
	r.ops.flags(fs, env)
	fs.StringVar(&r.jwtKeys, "jwt-keys", env("JWT_KEYS", ""), "access-token signing keys, kid:base64-seed,… the first signs; `folio keygen` makes one (env JWT_KEYS; required in production)")
	fs.StringVar(&r.accessTTL, "access-token-ttl", env("ACCESS_TOKEN_TTL", "15m"), "lifetime of access tokens (env ACCESS_TOKEN_TTL)")
	fs.StringVar(&r.refreshTTL, "refresh-token-ttl", env("REFRESH_TOKEN_TTL", "720h"), "lifetime of refresh tokens (env REFRESH_TOKEN_TTL)")
	fs.StringVar(&r.signInPerAccount, "signin-max-per-account", env("SIGNIN_MAX_PER_ACCOUNT", "5"), "failed sign-ins per account per window before attempts wait (env SIGNIN_MAX_PER_ACCOUNT)")
	fs.StringVar(&r.signInPerAddress, "signin-max-per-address", env("SIGNIN_MAX_PER_ADDRESS", "50"), "failed sign-ins per client address per window (env SIGNIN_MAX_PER_ADDRESS)")
	fs.StringVar(&r.signInWindow, "signin-window", env("SIGNIN_WINDOW", "15m"), "how long a failed sign-in counts (env SIGNIN_WINDOW)")
	r.rateLimit = rateLimitFlags(fs, env)
	fs.StringVar(&r.trusted, "trusted-documents", env("TRUSTED_DOCUMENTS", "false"), "run only operations registered with `folio documents load` (env TRUSTED_DOCUMENTS)")
	fs.StringVar(&r.cacheTTL, "cache-ttl", env("CACHE_TTL", "10m"), "how long looked-up rows live in Redis; 0 turns the cache off (env CACHE_TTL)")
	r.responseCache = responseCacheFlags(fs, env)
	fs.StringVar(&r.cacheTimeout, "cache-timeout", env("CACHE_TIMEOUT", cache.DefaultTimeout.String()), "how long one Redis round trip of the cache may take before Postgres answers instead (env CACHE_TIMEOUT)")
	return r.build
}

// rawConfig is the configuration as text, before it is checked.
type rawConfig struct {
	databaseURL, redisURL, httpAddr, env, logLevel      string
	migrate, seed, playground, requestTimeout, shutdown string
	ops                                                 rawOpsConfig
	jwtKeys, accessTTL, refreshTTL                      string
	signInPerAccount, signInPerAddress, signInWindow    string
	rateLimit                                           func(*[]error) rateLimitConfig
	cacheTTL, cacheTimeout, trusted                     string
	responseCache                                       func(*[]error) responseCacheConfig
}

func (r *rawConfig) build() (config, error) {
	c := config{DatabaseURL: r.databaseURL, RedisURL: r.redisURL, HTTPAddr: r.httpAddr, Env: r.env}
	var errs []error
	if c.Env != envDevelopment && c.Env != envProduction {
		errs = append(errs, fmt.Errorf("ENV must be %q or %q, not %q", envDevelopment, envProduction, c.Env))
	}
	if err := c.LogLevel.UnmarshalText([]byte(r.logLevel)); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, not %q", r.logLevel))
	}
	dev := !c.production()
	c.MigrateOnStart = parseBool("MIGRATE_ON_START", r.migrate, dev, &errs)
	c.SeedIfEmpty = parseBool("SEED_IF_EMPTY", r.seed, dev, &errs)
	c.Playground = parseBool("PLAYGROUND", r.playground, dev, &errs)
	c.RequestTimeout = parseDuration("REQUEST_TIMEOUT", r.requestTimeout, &errs)
	c.ShutdownTimeout = parseDuration("SHUTDOWN_TIMEOUT", r.shutdown, &errs)
	c.ops = r.ops.build(c, &errs)
	c.JWTKeys = r.jwtKeys
	c.AccessTokenTTL = parseDuration("ACCESS_TOKEN_TTL", r.accessTTL, &errs)
	c.RefreshTokenTTL = parseDuration("REFRESH_TOKEN_TTL", r.refreshTTL, &errs)
	c.SignInMaxPerAccount = parsePositive("SIGNIN_MAX_PER_ACCOUNT", r.signInPerAccount, &errs)
	c.SignInMaxPerAddress = parsePositive("SIGNIN_MAX_PER_ADDRESS", r.signInPerAddress, &errs)
	c.SignInWindow = parseDuration("SIGNIN_WINDOW", r.signInWindow, &errs)
	c.RateLimit = r.rateLimit(&errs)
	c.CacheTTL = parseDuration("CACHE_TTL", r.cacheTTL, &errs)
	c.CacheTimeout = parseDuration("CACHE_TIMEOUT", r.cacheTimeout, &errs)
	c.ResponseCache = r.responseCache(&errs)
	c.TrustedDocuments = parseBool("TRUSTED_DOCUMENTS", r.trusted, false, &errs)
	if len(errs) > 0 {
		// One line, however many problems: it is printed as the reason the
		// process did not start.
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return c, errors.New(strings.Join(msgs, "; "))
	}
	return c, nil
}

func parseBool(name, v string, def bool, errs *[]error) bool {
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s must be true or false, not %q", name, v))
	}
	return b
}

func parseDuration(name, v string, errs *[]error) time.Duration {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		*errs = append(*errs, fmt.Errorf("%s must be a duration such as 2ms or 15s, not %q", name, v))
	}
	return d
}

func parsePositive(name, v string, errs *[]error) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		*errs = append(*errs, fmt.Errorf("%s must be a whole number of 1 or more, not %q", name, v))
	}
	return n
}
