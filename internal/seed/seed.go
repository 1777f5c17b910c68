// Package seed fills a migrated Folio database with deterministic demo data.
//
// Rows are generated in memory from fixed random streams and streamed into
// Postgres with COPY inside a single transaction, so a load either lands
// completely or not at all, and the same scale always produces the same rows.
package seed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Scale names a preset size of the demo data set.
type Scale string

// The available scales, smallest first.
const (
	// ScaleTiny is a dozen users and sixty articles: enough for unit tests.
	ScaleTiny Scale = "tiny"
	// ScaleSmall is a hundred users and a thousand articles: enough to click around.
	ScaleSmall Scale = "small"
	// ScaleMedium is two thousand users and fifty thousand articles: enough
	// for pagination, search and query plans to behave as they would in production.
	ScaleMedium Scale = "medium"
)

// scales lists every valid Scale in the order error messages show them.
var scales = []Scale{ScaleTiny, ScaleSmall, ScaleMedium}

// ParseScale turns a command-line value into a Scale, ignoring case and
// surrounding space.
func ParseScale(s string) (Scale, error) {
	for _, sc := range scales {
		if strings.EqualFold(strings.TrimSpace(s), string(sc)) {
			return sc, nil
		}
	}
	return "", unknownScale(s)
}

// unknownScale is the error for a scale name that is not one of scales.
func unknownScale(s string) error {
	names := make([]string, len(scales))
	for i, sc := range scales {
		names[i] = string(sc)
	}
	return fmt.Errorf("unknown seed scale %q: valid scales are %s", s, strings.Join(names, ", "))
}

// sizes are the row counts a Scale stands for.
type sizes struct {
	users      int // including the admin, editors and authors
	editors    int
	authors    int
	categories int
	tags       int
	articles   int
	comments   int // including replies
	reactions  int
}

// sizes reports the row counts for s.
func (s Scale) sizes() (sizes, error) {
	switch s {
	case ScaleTiny:
		return sizes{users: 12, editors: 1, authors: 4, categories: 4, tags: 10, articles: 60, comments: 300, reactions: 200}, nil
	case ScaleSmall:
		return sizes{users: 100, editors: 2, authors: 20, categories: 12, tags: 60, articles: 1_000, comments: 10_000, reactions: 6_000}, nil
	case ScaleMedium:
		return sizes{users: 2_000, editors: 5, authors: 200, categories: 12, tags: 300, articles: 50_000, comments: 400_000, reactions: 300_000}, nil
	}
	// Only the exact constants are accepted here; ParseScale is the
	// forgiving front door.
	return sizes{}, unknownScale(string(s))
}

// Stats counts what Load wrote.
type Stats struct {
	Users      int // every user, whatever the role
	Authors    int // users with role 'author'; only they write articles
	Categories int
	Tags       int
	Articles   int // every article, whatever the status
	Published  int // articles with status 'published'
	Comments   int // every comment, replies and soft-deleted ones included
	Replies    int // comments with a parent
	Reactions  int
	Duration   time.Duration // wall time of the whole load, generation included
}

// Options adjusts a Load.
type Options struct {
	// Replace empties the content tables first instead of refusing a
	// database that already has data.
	Replace bool
	// Now anchors every generated timestamp. The zero value means
	// 2026-11-01T00:00:00Z, which keeps the output byte-for-byte repeatable.
	Now time.Time
	// PasswordHash, when set, is the password hash of the demo accounts
	// (DemoAccounts), so a person can sign in to the demo. Nobody else in
	// the data set has a password.
	PasswordHash string
}

// DemoAccounts are the emails of the first seeded user of each role, at
// every scale: admin, editor, author, reader.
var DemoAccounts = map[string]string{
	"admin": "admin@demo.folio.example", "editor": "editor@demo.folio.example",
	"author": "author@demo.folio.example", "reader": "reader@demo.folio.example",
}

// defaultNow is the anchor used when Options.Now is zero.
var defaultNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// anchor is the time the data set is generated relative to, in whole seconds
// because Postgres keeps microseconds and generation works in seconds.
func (o Options) anchor() time.Time {
	if o.Now.IsZero() {
		return defaultNow
	}
	return o.Now.UTC().Truncate(time.Second)
}

// ErrNotEmpty is returned by Load when the database already has content and
// Options.Replace is false, so demo data is never mixed into real data.
var ErrNotEmpty = errors.New("seed: database is not empty")

// Load generates the data set for scale and writes it into db, which must
// already be migrated. It returns ErrNotEmpty if users, categories or tags
// already have rows, unless opts.Replace is set, in which case it truncates
// every content table (and, through CASCADE, anything referencing them)
// first. Everything runs in one transaction, so on error the database is
// left as it was.
func Load(ctx context.Context, db *pgxpool.Pool, scale Scale, opts Options) (Stats, error) {
	start := time.Now()
	sz, err := scale.sizes()
	if err != nil {
		return Stats{}, err
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("begin: %w", err)
	}
	// A no-op once committed; otherwise it undoes a partial load.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()

	// Refuse before generating: a server that seeds an empty database at
	// every start should not build a data set only to throw it away.
	if err := prepare(ctx, tx, opts.Replace); err != nil {
		return Stats{}, err
	}
	data, err := generate(sz, opts.anchor())
	if err != nil {
		return Stats{}, fmt.Errorf("generate %s data: %w", scale, err)
	}
	data.passwordHash = opts.PasswordHash
	if err := copyAll(ctx, tx, data); err != nil {
		return Stats{}, err
	}
	if err := finish(ctx, tx); err != nil {
		return Stats{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return Stats{}, fmt.Errorf("commit: %w", err)
	}
	if _, err := db.Exec(ctx, vacuumSQL); err != nil { // not in a transaction
		return Stats{}, fmt.Errorf("vacuum: %w", err)
	}

	st := data.stats()
	st.Duration = time.Since(start)
	return st, nil
}

// lockSQL serialises concurrent loads so the second one sees the first one's
// rows and refuses, rather than failing halfway on unique violations.
const lockSQL = `SELECT pg_advisory_xact_lock(7239051183404226917)`

// hasRowsSQL checks the tables whose ids the data set claims. Articles,
// comments and reactions cannot exist without users, so they need no check.
const hasRowsSQL = `SELECT EXISTS (SELECT 1 FROM users)
	OR EXISTS (SELECT 1 FROM categories)
	OR EXISTS (SELECT 1 FROM tags)`

// truncateSQL empties every content table. RESTART IDENTITY resets the ids of
// the tables the seed does not fill, too, so a replaced database looks fresh.
const truncateSQL = `TRUNCATE users, categories, tags, articles, article_tags,
	comments, reactions, newsletter_subscriptions, api_keys
	RESTART IDENTITY CASCADE`

// prepare takes the seed lock and makes sure the content tables are empty,
// emptying them when replace is set.
func prepare(ctx context.Context, tx pgx.Tx, replace bool) error {
	if _, err := tx.Exec(ctx, lockSQL); err != nil {
		return fmt.Errorf("take seed lock: %w", err)
	}
	if replace {
		if _, err := tx.Exec(ctx, truncateSQL); err != nil {
			return fmt.Errorf("truncate content tables: %w", err)
		}
		return nil
	}
	var hasRows bool
	if err := tx.QueryRow(ctx, hasRowsSQL).Scan(&hasRows); err != nil {
		return fmt.Errorf("check for existing rows: %w", err)
	}
	if hasRows {
		return ErrNotEmpty
	}
	return nil
}

// identityTables are the seeded tables whose ids come from an identity column.
var identityTables = []string{"users", "categories", "tags", "articles", "comments"}

// setvalSQL moves a table's identity past the explicit ids COPY wrote, so the
// application's first INSERT does not collide with seeded rows.
const setvalSQL = `SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), COALESCE(max(id), 0) + 1, false) FROM %[1]s`

// vacuumSQL refreshes planner statistics and the visibility map once the
// data is committed. Without statistics the first queries against freshly
// loaded tables may pick poor plans; without the visibility map the
// index-only scans the tag page and the counts are built on (see migration
// 00004) read the heap, or are not chosen at all, until autovacuum comes
// round: the tag page `postgres` on the medium seed took 8 ms instead of 3.
const vacuumSQL = `VACUUM (ANALYZE) users, categories, tags, articles, article_tags, comments, reactions`

// finish advances the identity sequences.
func finish(ctx context.Context, tx pgx.Tx) error {
	for _, table := range identityTables {
		if _, err := tx.Exec(ctx, fmt.Sprintf(setvalSQL, table)); err != nil {
			return fmt.Errorf("advance %s id sequence: %w", table, err)
		}
	}
	return nil
}
