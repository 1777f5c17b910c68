// Package postgres implements Folio's stores on PostgreSQL with pgx. It knows
// the domain types of internal/folio and nothing of GraphQL.
package postgres

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is a connection pool with Folio's stores as methods.
type DB struct {
	Pool *pgxpool.Pool
	// Created reports that Open created the database (Options.CreateMissing),
	// so that the process can say so.
	Created bool
	tracer  *Tracer
	// jobs queues the jobs of writes (SetJobs); nil queues none.
	jobs JobInserter
	// replicas take reads when Options.Replicas are set; nil otherwise.
	replicas *replicaSet
}

// Options tune Open.
type Options struct {
	// Logger receives every statement at debug level; nil logs nothing.
	Logger *slog.Logger
	// CreateMissing creates the database when it does not exist yet, as a
	// development convenience. Production leaves that to the operator.
	CreateMissing bool
	// Tracers also see every statement, after the statement counter (the
	// OpenTelemetry tracer, for instance).
	Tracers []pgx.QueryTracer
	// StatementTimeout, when set, is each connection's Postgres
	// statement_timeout: a backstop that ends a statement the request's own
	// deadline failed to stop. A statement_timeout in the URL wins.
	StatementTimeout time.Duration
	// Replicas are the URLs of streaming replicas that may answer reads
	// (see replicas.go for which reads, and when).
	Replicas []string
	// MaxReplicaLag is the lag past which a replica is skipped.
	MaxReplicaLag time.Duration
	// ReplicaCheck is how often replicas' lag is measured (default
	// DefaultReplicaCheck).
	ReplicaCheck time.Duration
}

// readBuffer is how much of what Postgres sent one read takes off the
// socket. pgx's own reader asks for at most 8 KB at a time, so the article
// page's 18 KB of rows took three reads; under load most of a result is
// waiting in the socket by the time it is read, and one read takes it all.
// Per connection, so 64 KB for each of the pool's connections. What this
// buffer holds pgconn cannot see: nothing may read a connection's socket
// past pgx (pgconn's SyncConn and Hijack), and nothing in Folio or River
// does.
const readBuffer = 64 << 10

// bufferedFrontend is pgx's frontend reading through readBuffer.
func bufferedFrontend(r io.Reader, w io.Writer) *pgproto3.Frontend {
	return pgproto3.NewFrontend(bufio.NewReaderSize(r, readBuffer), w)
}

// Open connects to the database at rawURL and checks that it answers. Its
// errors are meant to be shown as is to whoever started the process.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL is not a valid Postgres URL (want postgres://user@host:port/dbname): %v", err) // pgconn masks any password in the URL
	}
	counter := &Tracer{Logger: opts.Logger}
	configure := func(cfg *pgxpool.Config) {
		cfg.ConnConfig.Tracer = counter
		if len(opts.Tracers) > 0 {
			cfg.ConnConfig.Tracer = multitracer.New(append([]pgx.QueryTracer{counter}, opts.Tracers...)...)
		}
		// A cancelled context (deadline passed, client gone) makes pgx ask
		// Postgres to cancel the statement, so it stops running there too; the
		// default only closes the connection, leaving the backend at work.
		cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
			return &pgconn.CancelRequestContextWatcherHandler{Conn: c, CancelRequestDelay: 0, DeadlineDelay: time.Second}
		}
		// Plan each prepared statement once. Left to choose, Postgres kept
		// planning the statements that take an array of ids afresh on every
		// run (a generic plan over unnest($1) assumes ten ids, so it always
		// looked dearer than a plan for the ids at hand): on the article
		// page that was 0.56 ms of Postgres CPU a request, as much as
		// running them. Folio's SQL writes the conditions that select a
		// partial index as literals, so a generic plan uses the same
		// indexes. A DATABASE_URL that sets plan_cache_mode wins.
		if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
			cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
		}
		if _, set := cfg.ConnConfig.RuntimeParams["statement_timeout"]; !set && opts.StatementTimeout > 0 {
			cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
		}
		cfg.ConnConfig.BuildFrontend = bufferedFrontend
		cfg.AfterConnect = func(_ context.Context, conn *pgx.Conn) error {
			// Times leave Postgres in UTC whatever the server's or the process's
			// time zone, so API output does not depend on where we run.
			conn.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID, Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
			return nil
		}
	}
	configure(cfg)
	pool, err := connect(ctx, cfg)
	created := false
	if err != nil && opts.CreateMissing && isMissingDatabase(err) {
		if cerr := createDatabase(ctx, cfg.ConnConfig); cerr != nil {
			return nil, cerr
		}
		created = true
		pool, err = connect(ctx, cfg)
	}
	if err != nil {
		return nil, describeConnectError(cfg.ConnConfig, err)
	}
	db := &DB{Pool: pool, Created: created, tracer: counter}
	if len(opts.Replicas) > 0 {
		if db.replicas, err = openReplicas(ctx, db, opts.Replicas, configure, opts); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return db, nil
}

func connect(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// Close waits for the pools' connections to be returned and closes them.
func (db *DB) Close() {
	if db.replicas != nil {
		db.replicas.close()
	}
	db.Pool.Close()
}

// Ping checks that Postgres answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

func isMissingDatabase(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "3D000"
}

// createDatabase creates the database named in cfg through the server's
// maintenance database.
func createDatabase(ctx context.Context, cfg *pgx.ConnConfig) error {
	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("database %q does not exist and could not be created: %w", cfg.Database, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{cfg.Database}.Sanitize()); err != nil {
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42P04" { // created meanwhile by someone else
			return fmt.Errorf("database %q does not exist and could not be created: %w", cfg.Database, err)
		}
	}
	return nil
}

// describeConnectError turns a failed first connection into one line that
// says what is wrong and what to do, without the password.
func describeConnectError(cfg *pgx.ConnConfig, err error) error {
	where := fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "3D000":
			return fmt.Errorf("database %q does not exist on %s:%d: create it (createdb %s) or point DATABASE_URL at another", cfg.Database, cfg.Host, cfg.Port, cfg.Database)
		case "28P01", "28000":
			return fmt.Errorf("Postgres refused the credentials for %s: check the user and password in DATABASE_URL", where)
		}
		return fmt.Errorf("Postgres at %s answered with an error: %s (SQLSTATE %s)", where, pgErr.Message, pgErr.Code)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("Postgres at %s did not answer in time: is it running and reachable? (set DATABASE_URL)", where)
	}
	return fmt.Errorf("cannot reach Postgres at %s: is it running? (set DATABASE_URL): %s", where, rootCause(err))
}

// rootCause keeps the last, most specific words of err's first line
// ("connection refused"): pgx repeats itself for every address it tried.
func rootCause(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}
