package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/folio/folio/internal/logging"
)

const (
	jwt    = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	apiKey = "folio_k3y1d_abcdefghijklmnopqrstuvwxyz012345"
)

// secrets lists every value the tests hand the logger that must not come out.
var secrets = []string{jwt, apiKey, "hunter2", "s3ss10n-cookie", "refresh-me-please", "topsecret"}

func capture(level slog.Level) (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return logging.New(&buf, level, true), &buf
}

func assertNoSecrets(t *testing.T, out string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("log shows secret %q:\n%s", s, out)
		}
	}
}

func TestHandler_Redacts(t *testing.T) {
	header := http.Header{}
	header.Set("Authorization", "Bearer "+jwt)
	header.Set("Cookie", "session=s3ss10n-cookie")
	header.Set("X-API-Key", apiKey)
	header.Set("Content-Type", "application/json")
	vars := map[string]any{
		"input": map[string]any{"email": "ada@example.com", "password": "hunter2", "refreshToken": "refresh-me-please"},
		"list":  []any{map[string]any{"clientSecret": "topsecret"}, "note " + jwt},
		"first": 10,
	}
	tests := []struct {
		name string
		log  func(*slog.Logger)
		keep []string // what must still be there
	}{
		{"Headers", func(l *slog.Logger) { l.Info("request", "headers", header) }, []string{"application/json", `"Authorization":["[REDACTED]"]`}},
		{"Variables", func(l *slog.Logger) { l.Info("request", "variables", vars) }, []string{"ada@example.com", `"first":10`}},
		{"SensitiveKeys", func(l *slog.Logger) {
			l.Info("sign in", "password", "hunter2", "token", jwt, "x-api-key", apiKey, "apiKey", apiKey, "api_key_id", 7)
		}, []string{`"api_key_id":7`}},
		{"ShapeInMessageAndValues", func(l *slog.Logger) {
			l.Info("bad token "+jwt, "detail", "key "+apiKey+" was revoked", "error", errors.New("parse bearer "+jwt))
		}, []string{"was revoked", "bad token"}},
		{"Groups", func(l *slog.Logger) {
			l.Info("x", slog.Group("auth", "password", "hunter2", "user", "ada"))
			l.WithGroup("credentials").Info("y", "value", "hunter2")
		}, []string{`"user":"ada"`}},
		{"WithAttrs", func(l *slog.Logger) { l.With("cookie", "s3ss10n-cookie", "who", jwt).Info("z") }, []string{`"cookie":"[REDACTED]"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, buf := capture(slog.LevelDebug)
			tt.log(l)
			out := buf.String()
			assertNoSecrets(t, out)
			if !strings.Contains(out, logging.Redacted) {
				t.Errorf("log has no %s marker:\n%s", logging.Redacted, out)
			}
			for _, k := range tt.keep {
				if !strings.Contains(out, k) {
					t.Errorf("log lacks %s:\n%s", k, out)
				}
			}
		})
	}
}

func TestSensitiveKey(t *testing.T) {
	for key, want := range map[string]bool{
		"password": true, "newPassword": true, "refresh_token": true, "Authorization": true, "X-API-Key": true,
		"Set-Cookie": true, "client_secret": true, "api_key_id": false, "user_id": false, "tokenCount": false, "email": false,
	} {
		if got := logging.SensitiveKey(key); got != want {
			t.Errorf("SensitiveKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestHandler_TraceIDs(t *testing.T) {
	l, buf := capture(slog.LevelInfo)
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5, 6}, TraceFlags: trace.FlagsSampled,
	})
	l.InfoContext(trace.ContextWithSpanContext(context.Background(), sc), "traced")
	l.InfoContext(context.Background(), "untraced")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2", len(lines))
	}
	var traced, untraced map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &traced)
	_ = json.Unmarshal([]byte(lines[1]), &untraced)
	if traced["trace_id"] != sc.TraceID().String() || traced["span_id"] != sc.SpanID().String() {
		t.Errorf("traced line: got %v, want trace_id %s span_id %s", traced, sc.TraceID(), sc.SpanID())
	}
	if _, ok := untraced["trace_id"]; ok {
		t.Errorf("untraced line has a trace id: %v", untraced)
	}
}

func TestRedis_LogsThroughSlog(t *testing.T) {
	l, buf := capture(slog.LevelInfo)
	logging.Redis{Logger: l}.Printf(context.Background(), "redis: auth failed with password %s for %s", "hunter2", "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl")
	out := buf.String()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not one JSON line: %q", out)
	}
	if m["level"] != "WARN" || m["component"] != "redis" || !strings.Contains(m["msg"].(string), "auth failed") {
		t.Errorf("got %v, want a WARN line from component redis", m)
	}
	if strings.Contains(out, "eyJhbGciOiJFZERTQSJ9") {
		t.Errorf("the token shows: %s", out)
	}
}
