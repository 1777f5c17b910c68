package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/folio/folio/internal/folio"
)

// Reads may go to streaming replicas (Options.Replicas). Which reads, and
// why each rule holds:
//
//   - Only the stores' list, count and lookup helpers read from a replica
//     (list, perParent, countBy, count, ArticleStats, FormerSlug); writes,
//     and the reads inside a write's transaction, use the primary.
//   - A request that writes (folio.Reads.Write: every mutation) reads from
//     the primary from its start, so its payload shows its write; so do
//     the subscriptions' deliveries of a write's event (folio.Reads.Primary).
//   - A request that echoes the position of its client's last write
//     (folio.Reads.After) reads from a replica only once that replica has
//     replayed past it; until then from the primary.
//   - A replica is used only while its lag, checked every ReplicaCheck,
//     is within MaxReplicaLag. The lag is measured, not guessed: the time
//     since the later of the last replayed commit's timestamp
//     (pg_last_xact_replay_timestamp) and the last check at which the
//     replica had replayed (pg_last_wal_replay_lsn) all the WAL the primary
//     had written (pg_current_wal_lsn) when the check began. An idle
//     primary therefore does not make a caught-up replica look late.
//   - A replica that fails a check, or cannot be reached by a read, is
//     skipped until a check passes again; the failed read runs again on the
//     primary, so losing a replica costs a retry, never an error. A read a
//     hot standby cancels for a conflict with recovery runs again on the
//     primary too; a statement's own error (bad input) is returned as is.
//
// Whatever a replica answers is therefore at most Staleness old.

// querier is what a read needs of a pool: the primary's or a replica's.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// replica is one read-only copy of the database and its last check.
type replica struct {
	name   string // host:port, for metrics and logs
	pool   *pgxpool.Pool
	usable atomic.Bool
	// replayed is the WAL position the replica had replayed at its last
	// check: it answers a request whose client wrote at or before it.
	replayed atomic.Uint64
	lag      atomic.Int64 // nanoseconds; -1 when down
	reads    atomic.Uint64
	freshAt  time.Time // the last check that found it caught up; only the checker touches it
}

// replicaSet routes reads among the replicas.
type replicaSet struct {
	list         []*replica
	next         atomic.Uint64 // round robin
	maxLag       time.Duration
	every        time.Duration
	primaryReads atomic.Uint64
	log          *slog.Logger
	now          func() time.Time // time.Now; tests move it
	stop         context.CancelFunc
	done         chan struct{}
	closeOnce    sync.Once
}

// DefaultReplicaCheck is how often replicas are checked when
// Options.ReplicaCheck is zero.
const DefaultReplicaCheck = time.Second

// openReplicas opens a pool per replica URL without waiting for any of
// them: a replica that is down at start is skipped until it answers. The
// first check runs before Open returns.
func openReplicas(ctx context.Context, db *DB, urls []string, configure func(*pgxpool.Config), opts Options) (*replicaSet, error) {
	rs := &replicaSet{maxLag: opts.MaxReplicaLag, every: opts.ReplicaCheck, log: opts.Logger, now: time.Now}
	if rs.every <= 0 {
		rs.every = DefaultReplicaCheck
	}
	if rs.log == nil {
		rs.log = slog.New(slog.DiscardHandler)
	}
	for i, u := range urls {
		cfg, err := pgxpool.ParseConfig(u)
		if err != nil {
			rs.closePools()
			return nil, fmt.Errorf("DATABASE_REPLICA_URLS: replica %d is not a valid Postgres URL: %v", i+1, err)
		}
		configure(cfg)
		pool, err := pgxpool.NewWithConfig(ctx, cfg) // connects lazily
		if err != nil {
			rs.closePools()
			return nil, fmt.Errorf("DATABASE_REPLICA_URLS: replica %d: %v", i+1, err)
		}
		r := &replica{name: net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))), pool: pool}
		r.lag.Store(-1)
		rs.list = append(rs.list, r)
	}
	rs.check(ctx, db.Pool)
	loopCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	rs.stop, rs.done = stop, make(chan struct{})
	go rs.run(loopCtx, db.Pool)
	return rs, nil
}

func (rs *replicaSet) run(ctx context.Context, primary *pgxpool.Pool) {
	defer close(rs.done)
	t := time.NewTicker(rs.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rs.check(ctx, primary)
		}
	}
}

func (rs *replicaSet) close() {
	rs.closeOnce.Do(func() {
		if rs.stop != nil {
			rs.stop()
			<-rs.done
		}
		rs.closePools()
	})
}

func (rs *replicaSet) closePools() {
	for _, r := range rs.list {
		r.pool.Close()
	}
}

// Staleness bounds how old what a replica answers can be: the lag allowed
// plus the time until the next check notices more.
func (rs *replicaSet) staleness() time.Duration { return rs.maxLag + rs.every }

const (
	primaryPosition = `SELECT pg_current_wal_lsn()::text`
	replicaState    = `SELECT pg_is_in_recovery(), COALESCE(pg_last_wal_replay_lsn()::text, ''), pg_last_xact_replay_timestamp()`
)

// check measures every replica's lag against the primary's position now.
func (rs *replicaSet) check(ctx context.Context, primary *pgxpool.Pool) {
	ctx, cancel := context.WithTimeout(ctx, max(rs.every, time.Second))
	defer cancel()
	began := rs.now()
	var text string
	if err := primary.QueryRow(ctx, primaryPosition).Scan(&text); err != nil {
		// Without the primary's position no lag can be measured; the
		// replicas keep their last verdict until the primary answers.
		rs.log.WarnContext(ctx, "replica check: primary position", "error", err.Error())
		return
	}
	primaryAt, _ := ParsePosition(text)
	var wg sync.WaitGroup
	for _, r := range rs.list {
		wg.Add(1)
		go func() { defer wg.Done(); rs.checkOne(ctx, r, primaryAt, began) }()
	}
	wg.Wait()
}

func (rs *replicaSet) checkOne(ctx context.Context, r *replica, primaryAt uint64, began time.Time) {
	var recovering bool
	var replayedText string
	var replayedCommit *time.Time
	err := r.pool.QueryRow(ctx, replicaState).Scan(&recovering, &replayedText, &replayedCommit)
	if err == nil && !recovering {
		err = errors.New("not a replica: pg_is_in_recovery() is false (promoted?)")
	}
	replayed, perr := ParsePosition(replayedText)
	if err == nil && perr != nil {
		err = perr
	}
	if err != nil {
		rs.markDown(ctx, r, err)
		return
	}
	// Caught up with where the primary was when the check began: current,
	// give or take the check's own round trips. Otherwise as old as the
	// later of its last replayed commit and the last time it was current.
	lag := time.Duration(0)
	if replayed >= primaryAt {
		r.freshAt = began
	} else {
		fresh := r.freshAt
		if replayedCommit != nil && replayedCommit.After(fresh) {
			fresh = *replayedCommit
		}
		lag = time.Duration(1<<63 - 1)
		if !fresh.IsZero() {
			lag = max(rs.now().Sub(fresh), 0)
		}
	}
	r.replayed.Store(replayed)
	r.lag.Store(int64(lag))
	ok := lag <= rs.maxLag
	if was := r.usable.Swap(ok); was != ok {
		if ok {
			rs.log.InfoContext(ctx, "replica in use", "replica", r.name, "lag", lag.String())
		} else {
			rs.log.WarnContext(ctx, "replica skipped: lagging", "replica", r.name, "lag", lag.String(), "max", rs.maxLag.String())
		}
	}
}

func (rs *replicaSet) markDown(ctx context.Context, r *replica, err error) {
	r.lag.Store(-1)
	if r.usable.Swap(false) {
		rs.log.WarnContext(ctx, "replica skipped: down", "replica", r.name, "error", err.Error())
	}
}

// pick returns the replica a read of ctx's request may use, round robin
// among the usable ones, or nil for the primary.
func (rs *replicaSet) pick(ctx context.Context) *replica {
	var after uint64
	if reads := folio.ReadsFrom(ctx); reads != nil {
		if reads.Primary || reads.Wrote() {
			return nil
		}
		after = reads.After
	}
	n := uint64(len(rs.list))
	start := rs.next.Add(1)
	for i := range n {
		r := rs.list[(start+i)%n]
		if r.usable.Load() && r.replayed.Load() >= after {
			return r
		}
	}
	return nil
}

// reading runs read, which only reads, on a replica when the request may
// read from one and on the primary otherwise. A replica that cannot be
// reached is skipped until its next good check, and read runs again on the
// primary, as does a read cancelled by a conflict with recovery.
func reading[T any](ctx context.Context, db *DB, read func(q querier) (T, error)) (T, error) {
	rs := db.replicas
	if rs == nil {
		return read(db.Pool)
	}
	r := rs.pick(ctx)
	if r == nil {
		rs.primaryReads.Add(1)
		return read(db.Pool)
	}
	r.reads.Add(1)
	out, err := read(r.pool)
	switch {
	case err == nil || ctx.Err() != nil:
		return out, err
	case Unavailable(err):
		rs.markDown(ctx, r, err)
	case !recoveryConflict(err):
		// The statement's own error (bad input, a timeout): the primary
		// would answer the same, and the replica is not to blame.
		return out, err
	}
	rs.primaryReads.Add(1)
	return read(db.Pool)
}

// recoveryConflict reports a query a hot standby cancelled because the
// WAL it replays removed rows the query needed: the replica is fine, and
// the primary can answer.
func recoveryConflict(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// ReplicaStat is one replica's state, for metrics.
type ReplicaStat struct {
	Name  string // host:port
	Up    bool   // in use: answering and within the lag bound
	Lag   time.Duration
	Reads uint64 // reads sent to it
}

// ReadStats returns the reads sent to the primary by the replica router and
// each replica's state; with no replica configured, zero and nil.
func (db *DB) ReadStats() (primary uint64, replicas []ReplicaStat) {
	if db.replicas == nil {
		return 0, nil
	}
	for _, r := range db.replicas.list {
		replicas = append(replicas, ReplicaStat{Name: r.name, Up: r.usable.Load(), Lag: time.Duration(r.lag.Load()), Reads: r.reads.Load()})
	}
	return db.replicas.primaryReads.Load(), replicas
}

// Staleness bounds how old a replica's answer can be: zero without
// replicas. Caches filled from reads keep an invalidated entry away at
// least this long, so a replica cannot put back what a write replaced.
func (db *DB) Staleness() time.Duration {
	if db.replicas == nil {
		return 0
	}
	return db.replicas.staleness()
}

// WritePosition is the primary's WAL position now (pg_current_wal_insert_lsn),
// at or past the end of every transaction committed before the call: a
// replica that has replayed it shows them all.
func (db *DB) WritePosition(ctx context.Context) (uint64, error) {
	var text string
	if err := db.Pool.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&text); err != nil {
		return 0, fmt.Errorf("write position: %w", translate(err))
	}
	return ParsePosition(text)
}

// ParsePosition reads a WAL position as Postgres prints a pg_lsn ("16/B374D848").
func ParsePosition(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if ok {
		h, err1 := strconv.ParseUint(hi, 16, 32)
		l, err2 := strconv.ParseUint(lo, 16, 32)
		if err1 == nil && err2 == nil {
			return h<<32 | l, nil
		}
	}
	return 0, fmt.Errorf("%q is not a WAL position (want hex/hex, as 16/B374D848)", s)
}

// FormatPosition prints a WAL position as Postgres does.
func FormatPosition(p uint64) string {
	return strings.ToUpper(strconv.FormatUint(p>>32, 16)) + "/" + strings.ToUpper(strconv.FormatUint(p&0xFFFFFFFF, 16))
}
