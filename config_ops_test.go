package main

import (
	"strings"
	"testing"
)

func TestRun_OpsConfigErrors(t *testing.T) {
	for name, tt := range map[string]struct {
		env  map[string]string
		want string
	}{
		"LogFormat":       {map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT must be json or text"},
		"CORSOrigin":      {map[string]string{"CORS_ALLOWED_ORIGINS": "https://ok.example.com, evil.example.com"}, "CORS_ALLOWED_ORIGINS"},
		"Introspection":   {map[string]string{"INTROSPECTION": "sometimes"}, "INTROSPECTION must be true or false"},
		"ShutdownDelay":   {map[string]string{"SHUTDOWN_DELAY": "soon"}, "SHUTDOWN_DELAY"},
		"StatementTimout": {map[string]string{"STATEMENT_TIMEOUT": "-1s"}, "STATEMENT_TIMEOUT"},
		"OTLPEndpoint":    {map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL"},
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
		fs := flagSet("serve", nil)
		load := configFlags(fs, envOf(tt.env))
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
