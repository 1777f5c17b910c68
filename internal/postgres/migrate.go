package postgres

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/folio/folio/migrations"
)

// Migrator applies the embedded migrations with goose, and then the job
// queue's own (river's, with rivermigrate), so that one command prepares
// the whole schema. Down rolls back Folio's migrations only: river's tables
// stay, as they may hold jobs.
type Migrator struct {
	provider *goose.Provider
	river    *rivermigrate.Migrator[pgx.Tx]
	close    func() error
	// QueueApplied counts the job queue's migrations the last Up applied.
	QueueApplied int
}

// NewMigrator returns a Migrator over db's pool. Close it when done.
func NewMigrator(db *DB) (*Migrator, error) {
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	rm, err := rivermigrate.New(riverpgxv5.New(db.Pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("load job queue migrations: %w", err)
	}
	return &Migrator{provider: p, river: rm, close: sqlDB.Close}, nil
}

// Close releases the migrator's connection (not the pool).
func (m *Migrator) Close() error { return m.close() }

// Up applies every pending migration and returns how many of Folio's it
// applied (QueueApplied counts the job queue's).
func (m *Migrator) Up(ctx context.Context) (int, error) {
	res, err := m.provider.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate up: %w", err)
	}
	rr, err := m.river.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return len(res), fmt.Errorf("migrate the job queue up: %w", err)
	}
	m.QueueApplied = len(rr.Versions)
	return len(res), nil
}

// Down rolls back the newest applied migration.
func (m *Migrator) Down(ctx context.Context) error {
	if _, err := m.provider.Down(ctx); err != nil {
		return fmt.Errorf("migrate down: %w", err)
	}
	return nil
}

// Pending reports how many migrations are not applied yet.
func (m *Migrator) Pending(ctx context.Context) (int, error) {
	st, err := m.provider.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration status: %w", err)
	}
	n := 0
	for _, s := range st {
		if s.State == goose.StatePending {
			n++
		}
	}
	river, err := m.riverPending(ctx)
	return n + len(river), err
}

// riverPending lists the job queue's migrations not applied yet.
func (m *Migrator) riverPending(ctx context.Context) ([]rivermigrate.Migration, error) {
	have, err := m.river.ExistingVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("job queue migration status: %w", err)
	}
	applied := map[int]bool{}
	for _, v := range have {
		applied[v.Version] = true
	}
	var pending []rivermigrate.Migration
	for _, v := range m.river.AllVersions() {
		if !applied[v.Version] {
			pending = append(pending, v)
		}
	}
	return pending, nil
}

// Status writes one line per migration: applied (with when) or pending.
func (m *Migrator) Status(ctx context.Context, w io.Writer) error {
	st, err := m.provider.Status(ctx)
	if err != nil {
		return fmt.Errorf("migration status: %w", err)
	}
	for _, s := range st {
		when := "pending"
		if s.State == goose.StateApplied {
			when = "applied " + s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(w, "%-40s %s\n", s.Source.Path, when)
	}
	pending, err := m.riverPending(ctx)
	if err != nil {
		return err
	}
	all := m.river.AllVersions()
	fmt.Fprintf(w, "%-40s %d of %d applied\n", "river (job queue)", len(all)-len(pending), len(all))
	return nil
}
