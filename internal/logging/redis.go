package logging

import (
	"context"
	"fmt"
	"log/slog"
)

// Redis adapts a logger to go-redis's (redis.SetLogger), so the client's
// own messages (reconnects, pool trouble) are structured and redacted like
// every other line, at warn level: go-redis only logs what went wrong.
type Redis struct{ Logger *slog.Logger }

// Printf implements go-redis's internal.Logging.
func (r Redis) Printf(ctx context.Context, format string, v ...any) {
	r.Logger.WarnContext(ctx, fmt.Sprintf(format, v...), "component", "redis")
}
