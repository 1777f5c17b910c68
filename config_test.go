package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/folio/folio/internal/ratelimit"
)

var update = flag.Bool("update", false, "rewrite the README's settings table from config.go")

// TestREADME_Settings fails when the README's table of settings is not the
// one config.go's settings make; -update rewrites it.
func TestREADME_Settings(t *testing.T) {
	const begin, end = "-update .` -->\n", "<!-- end of settings -->"
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the settings markers %q … %q", begin, end)
	}
	got, want := readme[i+len(begin):j], settingsTable()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile("README.md", []byte(readme[:i+len(begin)]+want+readme[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's settings table is stale; run `go test -run TestREADME_Settings -update .`\ngot:\n%s\nwant:\n%s", got, want)
}

// TestHelp_ListsEverySetting checks serve's help names each setting's
// flag, placeholder and variable, with its help.
func TestHelp_ListsEverySetting(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"serve", "--help"}, envOf(nil), &out, io.Discard, nil); err != nil {
		t.Fatalf("serve --help: got %v, want no error", err)
	}
	for _, s := range settings {
		if !strings.Contains(out.String(), "--"+flagName(s.name)+" "+s.arg+" ") || !strings.Contains(out.String(), "env "+s.name+";") {
			t.Errorf("--help lacks %s (--%s %s):\n%s", s.name, flagName(s.name), s.arg, out.String())
		}
	}
}

// TestRun_ConfigErrors checks that a bad setting stops start-up with a
// line that names it.
func TestRun_ConfigErrors(t *testing.T) {
	for name, tt := range map[string]struct {
		env  map[string]string
		want string
	}{
		"LogFormat":         {map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT must be json or text"},
		"CORSOrigin":        {map[string]string{"CORS_ALLOWED_ORIGINS": "https://ok.example.com, evil.example.com"}, "CORS_ALLOWED_ORIGINS"},
		"Introspection":     {map[string]string{"INTROSPECTION": "sometimes"}, "INTROSPECTION must be true or false"},
		"ShutdownDelay":     {map[string]string{"SHUTDOWN_DELAY": "soon"}, "SHUTDOWN_DELAY"},
		"StatementTimout":   {map[string]string{"STATEMENT_TIMEOUT": "-1s"}, "STATEMENT_TIMEOUT"},
		"OTLPEndpoint":      {map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL"},
		"BadTier":           {map[string]string{"RATE_LIMIT_USER": "lots"}, "RATE_LIMIT_USER must be capacity/points-per-second"},
		"ZeroRate":          {map[string]string{"RATE_LIMIT_USER": "2000/0"}, "RATE_LIMIT_USER must be"},
		"TierUnderCeiling":  {map[string]string{"RATE_LIMIT_ANONYMOUS": "500/50"}, "under MAX_QUERY_COST (1000)"},
		"BadProxy":          {map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, "TRUSTED_PROXIES"},
		"BadCost":           {map[string]string{"MAX_QUERY_COST": "0"}, "MAX_QUERY_COST must be a whole number"},
		"PProfNeedsMetrics": {map[string]string{"PPROF": "true"}, "PPROF needs METRICS_ADDR"},
		"MediaStore":        {map[string]string{"MEDIA_STORE": "ftp"}, "MEDIA_STORE must be local or s3"},
		"S3NeedsEverything": {map[string]string{"MEDIA_STORE": "s3"}, "MEDIA_PUBLIC_URL is required with MEDIA_STORE=s3"},
		"S3Endpoint":        {map[string]string{"MEDIA_STORE": "s3", "MEDIA_PUBLIC_URL": "https://cdn.example.com", "S3_ENDPOINT": "s3.example.com"}, "S3_ENDPOINT must be"},
		"S3Bucket":          {map[string]string{"MEDIA_STORE": "s3", "MEDIA_PUBLIC_URL": "https://cdn.example.com", "S3_ENDPOINT": "https://s3.example.com"}, "S3_BUCKET is required"},
		"ImageMaxBytes":     {map[string]string{"IMAGE_MAX_BYTES": "0"}, "IMAGE_MAX_BYTES must be"},
		"ConcurrentOps":     {map[string]string{"MAX_CONCURRENT_OPERATIONS": "-1"}, "MAX_CONCURRENT_OPERATIONS must be a whole number of 0 (no bound) or more"},
	} {
		t.Run(name, func(t *testing.T) {
			if msg := runErr(t, tt.env); !strings.Contains(msg, tt.want) {
				t.Errorf("got %q, want it to contain %q", msg, tt.want)
			}
		})
	}
}

func TestConfig_OpsDefaults(t *testing.T) {
	for _, tt := range []struct {
		env              map[string]string
		json, introspect bool
		statementTimeout string
	}{
		{map[string]string{}, false, true, "15s"},
		{map[string]string{"ENV": "production"}, true, false, "15s"},
		{map[string]string{"ENV": "production", "INTROSPECTION": "true", "LOG_FORMAT": "text", "REQUEST_TIMEOUT": "2s"}, false, true, "7s"},
		{map[string]string{"PLAYGROUND": "false", "STATEMENT_TIMEOUT": "0"}, false, false, "0s"},
	} {
		fs := flagSet("serve")
		load := configFlags(fs, envOf(tt.env), nil)
		if err := fs.Parse(nil); err != nil {
			t.Fatal(err)
		}
		cfg, err := load()
		if err != nil {
			t.Fatalf("%v: %v", tt.env, err)
		}
		if cfg.ops.LogJSON != tt.json || cfg.ops.Introspection != tt.introspect || cfg.ops.StatementTimeout.String() != tt.statementTimeout {
			t.Errorf("%v: got json %v introspection %v statement timeout %s, want %v %v %s", tt.env,
				cfg.ops.LogJSON, cfg.ops.Introspection, cfg.ops.StatementTimeout, tt.json, tt.introspect, tt.statementTimeout)
		}
	}
}

func loadConfig(t *testing.T, env map[string]string, args ...string) (config, error) {
	t.Helper()
	fs := flagSet("serve")
	load := configFlags(fs, envOf(env), nil)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return load()
}

func TestConfig_RateLimit(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c, err := loadConfig(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		rl := c.RateLimit
		if !rl.Budgets || rl.Limits != ratelimit.DefaultLimits || rl.Tiers != ratelimit.DefaultTiers || len(rl.TrustedProxies) != 0 {
			t.Errorf("got %+v", rl)
		}
	})
	t.Run("FromEnvAndFlags", func(t *testing.T) {
		c, err := loadConfig(t, map[string]string{
			"RATE_LIMIT_ANONYMOUS": "500/5", "RATE_LIMIT_API_KEY": "20000/1000", "MAX_QUERY_COST": "400",
			"TRUSTED_PROXIES": "10.0.0.0/8", "RATE_LIMIT": "false",
		}, "--rate-limit-user", "800/12.5", "--max-query-depth", "9")
		if err != nil {
			t.Fatal(err)
		}
		rl := c.RateLimit
		want := ratelimit.Tiers{
			Anonymous: ratelimit.Tier{Name: "anonymous", Capacity: 500, RestoreRate: 5},
			User:      ratelimit.Tier{Name: "user", Capacity: 800, RestoreRate: 12.5},
			APIKey:    ratelimit.Tier{Name: "apiKey", Capacity: 20000, RestoreRate: 1000},
		}
		if rl.Budgets || rl.Tiers != want || rl.Limits.MaxCost != 400 || rl.Limits.MaxDepth != 9 ||
			len(rl.TrustedProxies) != 1 || !rl.TrustedProxies[0].Contains(netip.MustParseAddr("10.1.2.3")) {
			t.Errorf("got %+v", rl)
		}
	})
}

func TestConfig_MaxConcurrentOperations(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want int
	}{
		{nil, 0},
		{map[string]string{"MAX_CONCURRENT_OPERATIONS": "16"}, 16},
	} {
		c, err := loadConfig(t, tt.env)
		if err != nil {
			t.Fatal(err)
		}
		if c.MaxConcurrentOperations != tt.want {
			t.Errorf("%v: MaxConcurrentOperations = %d, want %d", tt.env, c.MaxConcurrentOperations, tt.want)
		}
	}
}

func TestConfig_Media(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c, err := loadConfig(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := c.Media
		if m.Uploads || m.Store != "local" || m.Dir != "media" || m.PublicURL != "http://localhost:8080/media" || m.MaxBytes != 10<<20 {
			t.Errorf("got %+v; want uploads off, local files in media/ served under API_URL/media", m)
		}
	})
	t.Run("S3", func(t *testing.T) {
		c, err := loadConfig(t, map[string]string{"UPLOADS": "true", "MEDIA_STORE": "s3", "MEDIA_PUBLIC_URL": "https://cdn.example.com/",
			"S3_ENDPOINT": "https://s3.eu-west-1.amazonaws.com", "S3_BUCKET": "folio-media"})
		if err != nil {
			t.Fatal(err)
		}
		if m := c.Media; !m.Uploads || m.PublicURL != "https://cdn.example.com" || m.S3Bucket != "folio-media" || m.S3Region != "us-east-1" {
			t.Errorf("got %+v", m)
		}
	})
}

func TestConfig_PProf(t *testing.T) {
	c, err := loadConfig(t, map[string]string{"PPROF": "true", "METRICS_ADDR": ":9090"})
	if err != nil || !c.ops.PProf {
		t.Errorf("got %+v, %v; want PProf on", c.ops, err)
	}
}
