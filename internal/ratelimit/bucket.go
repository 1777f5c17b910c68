package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Tier is the budget of a kind of client: a bucket of Capacity points that
// refills at RestoreRate points a second, continuously, up to Capacity.
type Tier struct {
	Name        string
	Capacity    float64
	RestoreRate float64
}

// Tiers are the budgets of anonymous clients, signed-in users and API keys.
type Tiers struct {
	Anonymous, User, APIKey Tier
}

// DefaultTiers: an anonymous client may spend a burst of one maximal
// operation and then about five home feeds a second; a person twice that;
// an API key, for integrations, ten times.
var DefaultTiers = Tiers{
	Anonymous: Tier{Name: "anonymous", Capacity: 1000, RestoreRate: 50},
	User:      Tier{Name: "user", Capacity: 2000, RestoreRate: 100},
	APIKey:    Tier{Name: "apiKey", Capacity: 10000, RestoreRate: 500},
}

// Status is a bucket after a take, an adjustment or a look.
type Status struct {
	// Allowed reports whether the points were taken.
	Allowed bool
	// Capacity and RestoreRate are the client's tier.
	Capacity    float64
	RestoreRate float64
	// Available is what the bucket holds now. It may be negative after an
	// operation cost more than its price said (a list longer than assumed).
	Available float64
	// Wait is how long until the points asked for are available, when they
	// were not taken.
	Wait time.Duration
	// Local reports that Redis was unreachable and the instance's own
	// bucket answered.
	Local bool
}

// Refusal is what a client is told when its budget cannot pay cost: the
// price, the balance, the refill and how long to wait.
func (s Status) Refusal(cost int) string {
	return fmt.Sprintf("This operation costs %d points and your budget holds %d; it refills at %s points a second. Retry in %d ms, or ask for less.",
		cost, int(math.Floor(s.Available)), strconv.FormatFloat(s.RestoreRate, 'f', -1, 64), s.Wait.Milliseconds())
}

// ResetIn is how long until the bucket is full again if nothing is spent.
func (s Status) ResetIn() time.Duration {
	if s.Available >= s.Capacity || s.RestoreRate <= 0 {
		return 0
	}
	return time.Duration((s.Capacity - s.Available) / s.RestoreRate * float64(time.Second))
}

// Budgets keep each client's bucket in Redis, so that every instance draws
// on the same budget. When Redis does not answer they keep buckets in
// memory instead, per instance, until it does again: the service neither
// refuses everyone nor stops limiting.
type Budgets struct {
	rdb    redis.UniversalClient
	prefix string
	log    *slog.Logger
	// Timeout bounds each Redis call; past it the local bucket answers.
	timeout time.Duration
	// retry is how long to stay on local buckets after Redis failed,
	// before trying it again.
	retry time.Duration
	now   func() time.Time

	downUntil atomic.Int64 // unix nanoseconds; 0 while Redis answers
	local     localBuckets

	taken, throttled, fallbacks atomic.Int64

	// The adjustments Settle has not sent yet, summed per client and sent
	// together settleWindow after the first of them: one round trip per
	// client per window, however many requests it made meanwhile.
	settleMu sync.Mutex
	pending  map[string]*adjustment
	settling sync.WaitGroup

	// lines coalesce each client's takes (redisTake).
	lines takeLines
}

// settleWindow is how long Settle gathers a client's adjustments before it
// sends their sum. A refund reaches the bucket this much later; the
// request reports its bucket with its refund applied anyway.
const settleWindow = 10 * time.Millisecond

// adjustment is a client's adjustments waiting to be sent.
type adjustment struct {
	c     Client
	delta int
}

// BudgetOptions configure Budgets; zero values take the defaults.
type BudgetOptions struct {
	// Prefix starts every Redis key; default "folio:ratelimit:". Tests use
	// a random one.
	Prefix string
	Logger *slog.Logger
	// Timeout bounds each Redis call (default 250ms).
	Timeout time.Duration
	// RetryAfter is how long to serve from memory after Redis failed before
	// trying it again (default 1s).
	RetryAfter time.Duration
	// Now is the clock of the in-memory buckets; Redis uses its own.
	Now func() time.Time
}

// NewBudgets keeps budgets in rdb.
func NewBudgets(rdb redis.UniversalClient, o BudgetOptions) *Budgets {
	if o.Prefix == "" {
		o.Prefix = "folio:ratelimit:"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 250 * time.Millisecond
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Budgets{rdb: rdb, prefix: o.Prefix, log: o.Logger, timeout: o.Timeout, retry: o.RetryAfter, now: o.Now,
		local: localBuckets{m: map[string]*localBucket{}}}
}

// BudgetStats count what the budgets decided, for metrics.
type BudgetStats struct {
	// Taken counts operations whose price was taken; Throttled those
	// refused for want of points.
	Taken, Throttled int64
	// Fallbacks counts calls answered by an in-memory bucket because Redis
	// was unreachable.
	Fallbacks int64
}

// Stats returns the counts since the budgets were made.
func (b *Budgets) Stats() BudgetStats {
	return BudgetStats{Taken: b.taken.Load(), Throttled: b.throttled.Load(), Fallbacks: b.fallbacks.Load()}
}

// bucketScript updates one bucket atomically with Redis's clock, so that
// instances whose clocks disagree still share one budget.
//
// KEYS[1] the bucket, a hash of a (points available) and t (microseconds).
// ARGV capacity, restore rate (points/s), force ("1": take even when short,
// for charges after the fact), then the points of one or more takes, in
// order (negative refunds). Each take is judged in turn, as if it had run
// alone: it is granted if the bucket holds it after the takes granted
// before it, and otherwise refused, changing nothing. A take of 0 points
// is granted even in debt; a look is one take of 0. Returns {available,
// outcomes}, outcomes a string of "1" (granted) or "0" per take, in order.
// A full bucket is deleted: absent means full.
var bucketScript = redis.NewScript(`
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local force = ARGV[3] == "1"
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local b = redis.call("HMGET", KEYS[1], "a", "t")
local avail = capacity
if b[1] then
  local elapsed = (now - tonumber(b[2])) / 1000000
  if elapsed < 0 then elapsed = 0 end
  avail = math.min(capacity, tonumber(b[1]) + elapsed * rate)
end
local points, outcomes = 0, {}
for i = 4, #ARGV do
  local p = tonumber(ARGV[i])
  if p > 0 and points + p > avail and not force then
    outcomes[#outcomes + 1] = "0"
  else
    points = points + p
    outcomes[#outcomes + 1] = "1"
  end
end
if points ~= 0 then
  avail = math.min(capacity, avail - points)
  if avail >= capacity then
    redis.call("DEL", KEYS[1])
  else
    redis.call("HSET", KEYS[1], "a", string.format("%.6f", avail), "t", string.format("%.0f", now))
    local ttl = 1000
    if rate > 0 then ttl = math.ceil((capacity - avail) / rate * 1000) + 1000 end
    redis.call("PEXPIRE", KEYS[1], ttl)
  end
end
return {string.format("%.6f", avail), table.concat(outcomes)}
`)

// Take takes points from c's bucket if it holds them; otherwise it takes
// nothing and says how long to wait.
func (b *Budgets) Take(ctx context.Context, c Client, points int) Status {
	s := b.run(ctx, c, float64(points), false)
	if s.Allowed {
		b.taken.Add(1)
	} else {
		b.throttled.Add(1)
	}
	return s
}

// Adjust settles an operation after it ran: a negative delta refunds what
// it did not use, a positive one charges what it used beyond its price,
// even into debt. The bucket never holds more than its capacity.
func (b *Budgets) Adjust(ctx context.Context, c Client, delta int) Status {
	return b.run(ctx, c, float64(delta), true)
}

// Settle adjusts c's bucket by delta like Adjust, but in the background,
// so that the request does not wait a second round trip to Redis for its
// refund: the adjustments of a client are summed over settleWindow and
// sent as one. It returns the bucket as this request can tell without
// asking: st, the status of its take, with delta applied.
func (b *Budgets) Settle(_ context.Context, c Client, delta int, st Status) Status {
	b.settleMu.Lock()
	if b.pending == nil {
		b.pending = make(map[string]*adjustment)
		b.settling.Add(1)
		time.AfterFunc(settleWindow, b.flush)
	}
	if a := b.pending[c.Key]; a != nil {
		a.c, a.delta = c, a.delta+delta
	} else {
		b.pending[c.Key] = &adjustment{c: c, delta: delta}
	}
	b.settleMu.Unlock()
	st.Available = min(st.Capacity, st.Available-float64(delta))
	return st
}

// flush sends the adjustments gathered since the first after the last flush.
func (b *Budgets) flush() {
	defer b.settling.Done()
	b.settleMu.Lock()
	batch := b.pending
	b.pending = nil
	b.settleMu.Unlock()
	for _, a := range batch {
		if a.delta != 0 {
			b.run(context.Background(), a.c, float64(a.delta), true)
		}
	}
}

// Wait blocks until every adjustment Settle took has reached its bucket.
// Call it on shutdown, after the server stopped taking requests.
func (b *Budgets) Wait() { b.settling.Wait() }

// Look returns c's bucket without changing it.
func (b *Budgets) Look(ctx context.Context, c Client) Status {
	return b.run(ctx, c, 0, false)
}

func (b *Budgets) run(ctx context.Context, c Client, points float64, force bool) Status {
	t := c.Tier
	s := Status{Capacity: t.Capacity, RestoreRate: t.RestoreRate}
	until := b.downUntil.Load()
	useRedis := until == 0
	if !useRedis && b.now().UnixNano() >= until {
		// Redis failed a while ago: one call probes it again, the others
		// stay on the local buckets until it answers.
		useRedis = b.downUntil.CompareAndSwap(until, b.now().Add(b.retry).UnixNano())
	}
	if useRedis {
		var (
			allowed bool
			avail   float64
			err     error
		)
		if points > 0 && !force {
			allowed, avail, err = b.redisTake(ctx, c, points)
		} else {
			var outcomes string
			outcomes, avail, err = b.redisRun(ctx, c, force, points)
			allowed = outcomes == "1"
		}
		if err == nil {
			if until != 0 {
				b.downUntil.Store(0)
				b.log.InfoContext(ctx, "rate limit: Redis answers again; budgets are shared across instances again")
			}
			s.Allowed, s.Available = allowed, avail
			s.Wait = wait(points, avail, t.RestoreRate, allowed)
			return s
		}
		if ctx.Err() != nil {
			// The client went away: nothing to decide, and Redis is not
			// to blame. Let the request through to end on its own.
			s.Allowed, s.Available = true, 0
			return s
		}
		if until == 0 && b.downUntil.CompareAndSwap(0, b.now().Add(b.retry).UnixNano()) {
			b.log.ErrorContext(ctx, "rate limit: Redis is unreachable; each instance limits with its own in-memory buckets until it answers",
				"error", err.Error(), "retry_in", b.retry)
		}
	}
	b.fallbacks.Add(1)
	s.Local = true
	s.Allowed, s.Available = b.local.run(b.prefix+c.Key, t, points, force, b.now())
	s.Wait = wait(points, s.Available, t.RestoreRate, s.Allowed)
	return s
}

// redisRun runs bucketScript on c's bucket for takes of points, in
// order, and returns which were granted: a '1' or '0' per take.
func (b *Budgets) redisRun(ctx context.Context, c Client, force bool, points ...float64) (string, float64, error) {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	f := "0"
	if force {
		f = "1"
	}
	args := make([]any, 0, 3+len(points))
	args = append(args, formatFloat(c.Tier.Capacity), formatFloat(c.Tier.RestoreRate), f)
	for _, p := range points {
		args = append(args, formatFloat(p))
	}
	res, err := bucketScript.Run(ctx, b.rdb, []string{b.prefix + c.Key}, args...).Slice()
	if err != nil {
		return "", 0, fmt.Errorf("bucket script: %w", err)
	}
	var outcomes, str string
	if len(res) == 2 {
		str, _ = res[0].(string)
		outcomes, _ = res[1].(string)
	}
	if len(outcomes) != len(points) {
		return "", 0, errors.New("bucket script: unexpected reply")
	}
	avail, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return "", 0, fmt.Errorf("bucket script: available %q: %w", str, err)
	}
	return outcomes, avail, nil
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// wait is how long until points are available, for a take that failed.
func wait(points, avail, rate float64, allowed bool) time.Duration {
	if allowed || rate <= 0 {
		return 0
	}
	return time.Duration(math.Ceil((points-avail)/rate*1000)) * time.Millisecond
}

// localBuckets are the instance's own buckets, used while Redis is
// unreachable. Buckets that have refilled are dropped as the map grows.
type localBuckets struct {
	mu sync.Mutex
	m  map[string]*localBucket
}

type localBucket struct {
	avail float64
	at    time.Time
	tier  Tier
}

// maxLocalBuckets bounds the map between sweeps.
const maxLocalBuckets = 100_000

func (l *localBuckets) run(key string, t Tier, points float64, force bool, now time.Time) (bool, float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.m[key]
	avail := t.Capacity
	if b != nil {
		avail = min(t.Capacity, b.avail+max(0, now.Sub(b.at).Seconds())*t.RestoreRate)
	}
	if points > 0 && points > avail && !force {
		return false, avail
	}
	if points == 0 {
		return true, avail
	}
	avail = min(t.Capacity, avail-points)
	if b == nil {
		if len(l.m) >= maxLocalBuckets {
			l.sweep(now)
		}
		b = &localBucket{}
		l.m[key] = b
	}
	b.avail, b.at, b.tier = avail, now, t
	return true, avail
}

// sweep drops the buckets that have refilled: absent means full.
func (l *localBuckets) sweep(now time.Time) {
	for k, b := range l.m {
		if b.avail+now.Sub(b.at).Seconds()*b.tier.RestoreRate >= b.tier.Capacity {
			delete(l.m, k)
		}
	}
}
