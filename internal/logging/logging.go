// Package logging builds Folio's slog handlers: every line passes through a
// redactor that keeps secrets out of the logs wherever they appear, and
// lines written within a traced request carry its trace and span ids.
package logging

import (
	"context"
	"io"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// New returns a logger writing to w at level: JSON when json is set (what
// production uses, one object per line), text otherwise. Its handler
// redacts secrets and adds trace ids.
func New(w io.Writer, level slog.Leveler, json bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if json {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(&handler{next: h})
}

// handler redacts every record and attribute before next sees them and
// adds trace_id and span_id when the record's context carries a sampled or
// remote span.
type handler struct {
	next slog.Handler
	// groups are the open groups, outermost first: a key is sensitive
	// whatever group it sits in.
	// secretGroup is set under a group whose name is itself sensitive:
	// everything logged within it is redacted.
	secretGroup bool
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, RedactString(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.redact(a))
		return true
	})
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		out.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.redact(a)
	}
	return &handler{next: h.next.WithAttrs(red), secretGroup: h.secretGroup}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(name), secretGroup: h.secretGroup || SensitiveKey(name)}
}

func (h *handler) redact(a slog.Attr) slog.Attr {
	if h.secretGroup {
		return slog.String(a.Key, Redacted)
	}
	return redactAttr(a)
}
