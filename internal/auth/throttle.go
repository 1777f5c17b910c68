package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Throttle slows password guessing: failed sign-ins are counted per account
// and per client address in Redis, shared by every instance, and past a
// limit further attempts are refused until the window since the first
// failure has passed. A success clears the account's count.
//
// Redis being down must not lock everyone out, so then the throttle lets
// attempts through and logs a warning; argon2id still makes each guess cost.
type Throttle struct {
	Redis  redis.UniversalClient
	Prefix string // e.g. "folio:v1:"
	Logger *slog.Logger
	// Window is how long a failure counts.
	Window time.Duration
	// MaxPerAccount and MaxPerAddress are the failures allowed per window.
	MaxPerAccount int
	MaxPerAddress int
}

// Accounts are keyed by a hash of the address, so Redis holds no emails.
func (t *Throttle) keys(email, addr string) (acct, client string) {
	h := sha256.Sum256([]byte(strings.ToLower(email)))
	return t.Prefix + "signin:acct:" + hex.EncodeToString(h[:16]), t.Prefix + "signin:addr:" + addr
}

// Wait returns how long the caller must wait before trying to sign in to
// email from addr; zero means go ahead.
func (t *Throttle) Wait(ctx context.Context, email, addr string) time.Duration {
	if t == nil || t.Redis == nil {
		return 0
	}
	acct, client := t.keys(email, addr)
	pipe := t.Redis.Pipeline()
	ac, cc := pipe.Get(ctx, acct), pipe.Get(ctx, client)
	at, ct := pipe.PTTL(ctx, acct), pipe.PTTL(ctx, client)
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		t.warn(ctx, err)
		return 0
	}
	var wait time.Duration
	if n, _ := ac.Int(); n >= t.MaxPerAccount {
		wait = max(wait, at.Val())
	}
	if n, _ := cc.Int(); n >= t.MaxPerAddress {
		wait = max(wait, ct.Val())
	}
	return wait
}

// Failed counts a failed attempt against both the account and the address.
func (t *Throttle) Failed(ctx context.Context, email, addr string) {
	if t == nil || t.Redis == nil {
		return
	}
	acct, client := t.keys(email, addr)
	pipe := t.Redis.Pipeline()
	for _, k := range []string{acct, client} {
		pipe.Incr(ctx, k)
		pipe.ExpireNX(ctx, k, t.Window)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.warn(ctx, err)
	}
}

// Succeeded clears the account's failures.
func (t *Throttle) Succeeded(ctx context.Context, email string) {
	if t == nil || t.Redis == nil {
		return
	}
	acct, _ := t.keys(email, "")
	if err := t.Redis.Del(ctx, acct).Err(); err != nil {
		t.warn(ctx, err)
	}
}

func (t *Throttle) warn(ctx context.Context, err error) {
	if t.Logger != nil {
		t.Logger.WarnContext(ctx, "sign-in throttle unavailable, letting attempts through", "error", err.Error())
	}
}
