package auth

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Revocations make signing out end a session's access tokens at once, not
// when they expire. Postgres is the record: signing out revokes the
// session's refresh tokens there. Redis, shared by every instance, holds
// the revoked session ids for as long as an access token of theirs could
// still be valid (the access lifetime plus the clock leeway), so checking a
// token costs one round trip (EXISTS on one key).
//
// When Redis cannot answer, the check asks Postgres instead (one indexed
// lookup), so an outage neither locks everyone out nor lets revoked tokens
// back in. When Redis cannot be written at sign-out, the session is still
// revoked in Postgres, the failure is logged, and the check's fallback is
// what a later outage would use; until then the revoked tokens work no
// longer than their lifetime.
type Revocations struct {
	Redis  redis.UniversalClient // nil: every check asks Postgres
	Prefix string                // e.g. "folio:v1:"
	Logger *slog.Logger
	// Live reports whether a session still stands in Postgres.
	Live func(ctx context.Context, sessionID string) (bool, error)
}

// key names a revoked session. The user's id is the hash tag, so one user's
// keys share a Redis Cluster slot.
func (r *Revocations) key(userID int64, sessionID string) string {
	return r.Prefix + "session:{u" + strconv.FormatInt(userID, 10) + "}:revoked:" + sessionID
}

// Revoke records the sessions of userID as revoked for ttl.
func (r *Revocations) Revoke(ctx context.Context, userID int64, sessionIDs []string, ttl time.Duration) {
	if r == nil || r.Redis == nil || len(sessionIDs) == 0 {
		return
	}
	ctx, cancel := bounded(ctx)
	defer cancel()
	_, err := r.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, sid := range sessionIDs {
			p.Set(ctx, r.key(userID, sid), 1, ttl)
		}
		return nil
	})
	if err != nil && r.Logger != nil {
		r.Logger.ErrorContext(ctx, "record revoked sessions in Redis; their access tokens work until they expire unless Redis is down when they are used",
			"user_id", userID, "sessions", len(sessionIDs), "error", err.Error())
	}
}

// Revoked reports whether t's session has been revoked.
func (r *Revocations) Revoked(ctx context.Context, t AccessToken) (bool, error) {
	if r == nil {
		return false, nil
	}
	if r.Redis != nil {
		rctx, cancel := bounded(ctx)
		n, err := r.Redis.Exists(rctx, r.key(t.UserID, t.SessionID)).Result()
		cancel()
		if err == nil {
			return n > 0, nil
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if r.Logger != nil {
			r.Logger.WarnContext(ctx, "session revocations unavailable in Redis, asking Postgres", "error", err.Error())
		}
	}
	if r.Live == nil {
		return false, errors.New("no way to check session revocation")
	}
	live, err := r.Live(ctx, t.SessionID)
	return !live, err
}
