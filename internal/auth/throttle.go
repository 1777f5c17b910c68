package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Throttle slows password guessing without handing anyone a way to lock a
// user out (OWASP's authentication cheat sheet: throttle per account and
// source, with growing delays, rather than locking accounts). Attempts are
// counted in Redis, shared by every instance, per:
//
//   - account and client address: FreeAttempts go through at once; each
//     one after waits Delay, doubling, up to MaxDelay, since the last. A
//     guesser at one address slows only itself: the owner, signing in from
//     another address, is never delayed by it.
//   - client address, over every account: past MaxPerAddress in Window,
//     the address waits for the window to end (one address spraying many
//     accounts).
//   - account, over every address: past MaxPerAccount in Window, a much
//     higher threshold that the doubling delay keeps any one address far
//     below, every attempt waits for the window to end (a guess spread over
//     many addresses).
//
// An attempt is counted before its password is checked, by one atomic
// script per key set, so guesses sent in parallel count like guesses sent
// one by one. A success takes its own attempt back and clears the delay of
// its account and address. `folio accounts unlock EMAIL` clears every count
// of an account.
//
// Redis being down must not lock everyone out, so then the throttle lets
// attempts through and logs a warning; argon2id still makes each guess cost.
type Throttle struct {
	Redis  redis.UniversalClient
	Prefix string // e.g. "folio:v1:"
	Logger *slog.Logger
	// Window is how long a counted attempt is remembered.
	Window time.Duration
	// FreeAttempts per account and address go through without a delay.
	FreeAttempts int
	// Delay is the first wait after the free attempts (default 1 s); it
	// doubles with each further attempt, up to MaxDelay (default Window).
	Delay, MaxDelay time.Duration
	// MaxPerAddress and MaxPerAccount bound the attempts per window of one
	// address over every account, and of one account over every address.
	MaxPerAddress int
	MaxPerAccount int
	// MaxMailsPerRecipient is how many newsletter confirmations one
	// address may be sent per window (0 means 3), so that
	// subscribeNewsletter cannot mail-bomb it.
	MaxMailsPerRecipient int
}

// account is the hash tag of an account's keys: a hash of the email, so
// Redis holds no emails, and one Redis Cluster slot holds all its keys.
func (t *Throttle) account(email string) string {
	h := sha256.Sum256([]byte(strings.ToLower(email)))
	return t.Prefix + "signin:{" + hex.EncodeToString(h[:16]) + "}"
}

func (t *Throttle) pairKey(email, addr string) string { return t.account(email) + ":from:" + addr }
func (t *Throttle) accountKey(email string) string    { return t.account(email) + ":all" }
func (t *Throttle) addressKey(addr string) string     { return t.Prefix + "signin:addr:" + addr }

// reserveAccount counts an attempt on an account from an address, unless
// that pair is still waiting out its delay or the account its window: then
// it returns the wait in milliseconds and counts nothing. The time is
// Redis's, the same for every instance.
var reserveAccount = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free, delay, maxDelay = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local window, limit = tonumber(ARGV[4]), tonumber(ARGV[5])
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n >= free then
  local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
  local wait = last + math.min(maxDelay, delay * 2 ^ (n - free)) - now
  if wait > 0 then return math.ceil(wait) end
end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= limit then
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl < 0 then redis.call('PEXPIRE', KEYS[2], window); ttl = window end
  return ttl
end
redis.call('HSET', KEYS[1], 'n', n + 1, 'last', now)
redis.call('PEXPIRE', KEYS[1], window + maxDelay)
if redis.call('INCR', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], window) end
return 0`)

// reserveWindow counts an attempt against a key and, past the limit,
// returns how long until the key's window ends.
var reserveWindow = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
  return ttl
end
return 0`)

// giveBack takes back one counted attempt from each key that still holds
// it, once its window has not ended; with ARGV[1] = "clear", it deletes
// the first key (a pair's delay) instead.
var giveBack = redis.NewScript(`
local first = 1
if ARGV[1] == 'clear' then redis.call('DEL', KEYS[1]); first = 2 end
for i = first, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 0`)

// redisTimeout bounds each Redis call of the throttle and the revocation
// list: when Redis is down, go-redis would otherwise spend its retries
// (hundreds of milliseconds) on every call, and a sign-in or subscription
// makes several.
const redisTimeout = 300 * time.Millisecond

func bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, redisTimeout)
}

func (t *Throttle) delays() (delay, maxDelay time.Duration) {
	delay, maxDelay = t.Delay, t.MaxDelay
	if delay <= 0 {
		delay = time.Second
	}
	if maxDelay <= 0 {
		maxDelay = t.Window
	}
	return delay, maxDelay
}

func (t *Throttle) wait(ctx context.Context, ms int64, err error) time.Duration {
	if err != nil {
		t.warn(ctx, err)
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}

// SignIn counts a sign-in attempt for email from addr and returns how long
// the caller must wait first; zero means go ahead.
func (t *Throttle) SignIn(ctx context.Context, email, addr string) time.Duration {
	if t == nil || t.Redis == nil {
		return 0
	}
	ctx, cancel := bounded(ctx)
	defer cancel()
	ms, err := reserveWindow.Run(ctx, t.Redis, []string{t.addressKey(addr)}, t.MaxPerAddress, t.Window.Milliseconds()).Int64()
	if wait := t.wait(ctx, ms, err); wait > 0 {
		return wait
	}
	delay, maxDelay := t.delays()
	ms, err = reserveAccount.Run(ctx, t.Redis, []string{t.pairKey(email, addr), t.accountKey(email)},
		t.FreeAttempts, delay.Milliseconds(), maxDelay.Milliseconds(), t.Window.Milliseconds(), t.MaxPerAccount).Int64()
	return t.wait(ctx, ms, err)
}

// SignUp counts an account creation from addr: sign-up says whether an
// email is taken, so it is throttled like guessing.
func (t *Throttle) SignUp(ctx context.Context, addr string) time.Duration {
	if t == nil || t.Redis == nil {
		return 0
	}
	ctx, cancel := bounded(ctx)
	defer cancel()
	ms, err := reserveWindow.Run(ctx, t.Redis, []string{t.Prefix + "signup:addr:" + addr}, t.MaxPerAddress, t.Window.Milliseconds()).Int64()
	return t.wait(ctx, ms, err)
}

// Subscribe counts a newsletter subscription of email from addr: each may
// send a mail, so both the recipient (MaxMailsPerRecipient) and the client
// (MaxPerAddress) are limited per window. It returns how long to wait.
func (t *Throttle) Subscribe(ctx context.Context, email, addr string) time.Duration {
	if t == nil || t.Redis == nil {
		return 0
	}
	ctx, cancel := bounded(ctx)
	defer cancel()
	limit := t.MaxMailsPerRecipient
	if limit <= 0 {
		limit = 3
	}
	h := sha256.Sum256([]byte(strings.ToLower(email)))
	ms, err := reserveWindow.Run(ctx, t.Redis, []string{t.Prefix + "newsletter:to:" + hex.EncodeToString(h[:16])}, limit, t.Window.Milliseconds()).Int64()
	if wait := t.wait(ctx, ms, err); wait > 0 {
		return wait
	}
	ms, err = reserveWindow.Run(ctx, t.Redis, []string{t.Prefix + "newsletter:addr:" + addr}, t.MaxPerAddress, t.Window.Milliseconds()).Int64()
	return t.wait(ctx, ms, err)
}

// Succeeded takes back the attempt that succeeded and clears the delay of
// email from addr.
func (t *Throttle) Succeeded(ctx context.Context, email, addr string) {
	if t == nil || t.Redis == nil {
		return
	}
	ctx, cancel := bounded(ctx)
	defer cancel()
	// Two calls, as the keys of an account and of an address hash to
	// different Redis Cluster slots.
	if err := giveBack.Run(ctx, t.Redis, []string{t.pairKey(email, addr), t.accountKey(email)}, "clear").Err(); err != nil {
		t.warn(ctx, err)
	}
	if err := giveBack.Run(ctx, t.Redis, []string{t.addressKey(addr)}).Err(); err != nil {
		t.warn(ctx, err)
	}
}

// Unlock clears every count of an account: its delays from every address
// and its account-wide window. It reports how many keys it removed.
func (t *Throttle) Unlock(ctx context.Context, email string) (int, error) {
	if t == nil || t.Redis == nil {
		return 0, fmt.Errorf("the sign-in throttle needs Redis")
	}
	// The account's keys share a hash tag, so on a Cluster they live on one
	// node: scanning every master finds them wherever that is.
	pattern := escapeGlob(t.account(email)) + ":*"
	var keys []string
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, 500).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		return iter.Err()
	}
	var err error
	if cc, ok := t.Redis.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	} else {
		err = scan(ctx, t.Redis)
	}
	if err != nil {
		return 0, fmt.Errorf("find sign-in counts: %w", err)
	}
	removed := 0
	for _, k := range keys { // one key per DEL: keys of one slot, but kept simple for any topology
		n, err := t.Redis.Del(ctx, k).Result()
		if err != nil {
			return removed, fmt.Errorf("clear sign-in counts: %w", err)
		}
		removed += int(n)
	}
	return removed, nil
}

// escapeGlob quotes the characters SCAN's MATCH treats as a pattern.
func escapeGlob(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

func (t *Throttle) warn(ctx context.Context, err error) {
	if t.Logger != nil {
		t.Logger.WarnContext(ctx, "sign-in throttle unavailable, letting attempts through", "error", err.Error())
	}
}
