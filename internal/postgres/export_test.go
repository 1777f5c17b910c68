package postgres

import (
	"context"
	"time"

	"github.com/folio/folio/internal/folio"
)

// CheckReplicas measures the replicas' lag now, as the periodic check does.
func CheckReplicas(ctx context.Context, db *DB) { db.replicas.check(ctx, db.Pool) }

// SetReplicaClock replaces the clock the replica checks read.
func SetReplicaClock(db *DB, now func() time.Time) { db.replicas.now = now }

// ReadCount runs a one-number statement as the stores' reads run.
func ReadCount(ctx context.Context, db *DB, sql string) (int, error) {
	return count(ctx, db, "test", sql)
}

// CommentsByArticlesReversed reads comments with their replies as
// CommentsByArticles does (threadsOf), but has Postgres send the rows in
// reverse, so that reading them, not the statement, must put each page
// in order.
func CommentsByArticlesReversed(ctx context.Context, db *DB, ids []int64, p folio.Page) (map[int64]folio.List[*folio.Comment], error) {
	var a args
	parents := a.add(ids)
	s := threadsOf(parents, p, a)
	s.sql = `SELECT * FROM (` + s.sql + `) t ORDER BY 1 DESC`
	return readLists(ctx, db, s, ids)
}
