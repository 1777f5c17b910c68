package postgres

import (
	"context"
	"time"
)

// CheckReplicas measures the replicas' lag now, as the periodic check does.
func CheckReplicas(ctx context.Context, db *DB) { db.replicas.check(ctx, db.Pool) }

// SetReplicaClock replaces the clock the replica checks read.
func SetReplicaClock(db *DB, now func() time.Time) { db.replicas.now = now }

// ReadCount runs a one-number statement as the stores' reads run.
func ReadCount(ctx context.Context, db *DB, sql string) (int, error) {
	return count(ctx, db, "test", sql)
}
