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

// Throttle slows password guessing: sign-in attempts are counted per
// account and per client address in Redis, shared by every instance, and
// past a limit further attempts are refused until the window since the
// first one has passed. A success clears the account's count. Sign-ups are
// counted per address the same way.
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
	// MaxMailsPerRecipient is how many newsletter confirmations one
	// address may be sent per window (0 means 3), so that
	// subscribeNewsletter cannot mail-bomb it.
	MaxMailsPerRecipient int
}

// Accounts are keyed by a hash of the address, so Redis holds no emails.
func (t *Throttle) keys(email, addr string) (acct, client string) {
	h := sha256.Sum256([]byte(strings.ToLower(email)))
	return t.Prefix + "signin:acct:" + hex.EncodeToString(h[:16]), t.Prefix + "signin:addr:" + addr
}

// reserve counts one attempt against a key and, past the limit, returns
// how long until the key's window ends. Counting before the password is
// checked, in one atomic step, means guesses sent in parallel are counted
// like guesses sent one by one.
var reserve = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
  return ttl
end
return 0`)

func (t *Throttle) reserve(ctx context.Context, key string, limit int) time.Duration {
	ms, err := reserve.Run(ctx, t.Redis, []string{key}, limit, t.Window.Milliseconds()).Int64()
	if err != nil {
		t.warn(ctx, err)
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}

// SignIn counts a sign-in attempt for email from addr and returns how long
// the caller must wait first; zero means go ahead. Every attempt counts
// until one succeeds, which clears the account's count.
func (t *Throttle) SignIn(ctx context.Context, email, addr string) time.Duration {
	if t == nil || t.Redis == nil {
		return 0
	}
	acct, client := t.keys(email, addr)
	return max(t.reserve(ctx, acct, t.MaxPerAccount), t.reserve(ctx, client, t.MaxPerAddress))
}

// SignUp counts an account creation from addr: sign-up says whether an
// email is taken, so it is throttled like guessing.
func (t *Throttle) SignUp(ctx context.Context, addr string) time.Duration {
	if t == nil || t.Redis == nil {
		return 0
	}
	return t.reserve(ctx, t.Prefix+"signup:addr:"+addr, t.MaxPerAddress)
}

// Subscribe counts a newsletter subscription of email from addr: each may
// send a mail, so both the recipient (MaxMailsPerRecipient) and the client
// (MaxPerAddress) are limited per window. It returns how long to wait.
func (t *Throttle) Subscribe(ctx context.Context, email, addr string) time.Duration {
	if t == nil || t.Redis == nil {
		return 0
	}
	limit := t.MaxMailsPerRecipient
	if limit <= 0 {
		limit = 3
	}
	h := sha256.Sum256([]byte(strings.ToLower(email)))
	return max(t.reserve(ctx, t.Prefix+"newsletter:to:"+hex.EncodeToString(h[:16]), limit),
		t.reserve(ctx, t.Prefix+"newsletter:addr:"+addr, t.MaxPerAddress))
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
