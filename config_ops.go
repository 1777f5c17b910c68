package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"strings"
	"time"
)

// opsConfig is the configuration of production operations: observability,
// shutdown, HTTP hardening and TLS.
type opsConfig struct {
	// MetricsAddr serves Prometheus's /metrics on a listener of its own,
	// kept off the public port; empty turns metrics off.
	MetricsAddr string
	// OTLPEndpoint receives traces over OTLP/HTTP; empty turns tracing off.
	OTLPEndpoint string
	ServiceName  string
	// StatementTimeout is Postgres's statement_timeout for the server's
	// connections, a backstop behind the request deadline; zero: none.
	StatementTimeout time.Duration
	// ShutdownDelay keeps serving, readiness failing, before the listener
	// closes, so load balancers stop sending traffic first.
	ShutdownDelay time.Duration
	// CORSOrigins may call the API from a browser ("*": any).
	CORSOrigins []string
	// Introspection answers schema queries and lets validation errors
	// suggest field names.
	Introspection bool
	// TLSCertFile and TLSKeyFile, both set, make the server speak HTTPS.
	TLSCertFile, TLSKeyFile string
	// LogJSON writes one JSON object per line (LOG_FORMAT=json, the
	// default in production) instead of text.
	LogJSON bool
	// MaxOperationLabels bounds distinct operation names in metrics.
	MaxOperationLabels int
}

func (o opsConfig) tls() bool { return o.TLSCertFile != "" }

type rawOpsConfig struct {
	metricsAddr, otlpEndpoint, serviceName, statementTimeout, shutdownDelay string
	cors, introspection, tlsCert, tlsKey, logFormat                         string
}

func (r *rawOpsConfig) flags(fs *flag.FlagSet, env func(key, def string) string) {
	fs.StringVar(&r.metricsAddr, "metrics-addr", env("METRICS_ADDR", ""), "address to serve Prometheus /metrics on; empty: off (env METRICS_ADDR)")
	fs.StringVar(&r.otlpEndpoint, "otel-exporter-otlp-endpoint", env("OTEL_EXPORTER_OTLP_ENDPOINT", ""), "OTLP/HTTP collector for traces, e.g. http://collector:4318; empty: off (env OTEL_EXPORTER_OTLP_ENDPOINT)")
	fs.StringVar(&r.serviceName, "otel-service-name", env("OTEL_SERVICE_NAME", "folio"), "service name in traces (env OTEL_SERVICE_NAME)")
	fs.StringVar(&r.statementTimeout, "statement-timeout", env("STATEMENT_TIMEOUT", ""), "Postgres statement_timeout for served requests (env STATEMENT_TIMEOUT; default REQUEST_TIMEOUT plus 5s; 0: none)")
	fs.StringVar(&r.shutdownDelay, "shutdown-delay", env("SHUTDOWN_DELAY", "0s"), "on SIGTERM, how long to keep serving with readiness failing before closing the listener (env SHUTDOWN_DELAY)")
	fs.StringVar(&r.cors, "cors-allowed-origins", env("CORS_ALLOWED_ORIGINS", ""), "comma-separated origins allowed to call the API from a browser, * for any (env CORS_ALLOWED_ORIGINS)")
	fs.StringVar(&r.introspection, "introspection", env("INTROSPECTION", ""), "answer introspection and suggest field names: true or false (env INTROSPECTION; default: as PLAYGROUND)")
	fs.StringVar(&r.logFormat, "log-format", env("LOG_FORMAT", ""), "json or text (env LOG_FORMAT; default json in production, text in development)")
	fs.StringVar(&r.tlsCert, "tls-cert-file", env("TLS_CERT_FILE", ""), "PEM certificate to serve HTTPS with (env TLS_CERT_FILE)")
	fs.StringVar(&r.tlsKey, "tls-key-file", env("TLS_KEY_FILE", ""), "PEM private key of TLS_CERT_FILE (env TLS_KEY_FILE)")
}

func (r *rawOpsConfig) build(c config, errs *[]error) opsConfig {
	o := opsConfig{MetricsAddr: r.metricsAddr, OTLPEndpoint: r.otlpEndpoint, ServiceName: r.serviceName, TLSCertFile: r.tlsCert, TLSKeyFile: r.tlsKey}
	o.StatementTimeout = c.RequestTimeout + 5*time.Second
	if c.RequestTimeout == 0 {
		o.StatementTimeout = 0
	}
	if r.statementTimeout != "" {
		o.StatementTimeout = parseDuration("STATEMENT_TIMEOUT", r.statementTimeout, errs)
	}
	o.ShutdownDelay = parseDuration("SHUTDOWN_DELAY", r.shutdownDelay, errs)
	for _, origin := range strings.Split(r.cors, ",") {
		if origin = strings.TrimSpace(origin); origin == "" {
			continue
		}
		if origin != "*" && !strings.HasPrefix(origin, "http://") && !strings.HasPrefix(origin, "https://") {
			*errs = append(*errs, fmt.Errorf("CORS_ALLOWED_ORIGINS must list origins such as https://app.example.com, not %q", origin))
		}
		o.CORSOrigins = append(o.CORSOrigins, strings.TrimSuffix(origin, "/"))
	}
	o.Introspection = parseBool("INTROSPECTION", r.introspection, c.Playground, errs)
	switch {
	case (r.tlsCert == "") != (r.tlsKey == ""):
		*errs = append(*errs, fmt.Errorf("TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither"))
	case r.tlsCert != "":
		if _, err := tls.LoadX509KeyPair(r.tlsCert, r.tlsKey); err != nil {
			*errs = append(*errs, fmt.Errorf("TLS_CERT_FILE and TLS_KEY_FILE do not hold a usable certificate and key: %v", err))
		}
	}
	switch r.logFormat {
	case "":
		o.LogJSON = c.production()
	case "json", "text":
		o.LogJSON = r.logFormat == "json"
	default:
		*errs = append(*errs, fmt.Errorf("LOG_FORMAT must be json or text, not %q", r.logFormat))
	}
	o.MaxOperationLabels = 200
	return o
}
