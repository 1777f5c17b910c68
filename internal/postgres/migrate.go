package postgres

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/folio/folio/migrations"
)

// Migrator applies the embedded migrations with goose.
type Migrator struct {
	provider *goose.Provider
	close    func() error
}

// NewMigrator returns a Migrator over db's pool. Close it when done.
func NewMigrator(db *DB) (*Migrator, error) {
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return &Migrator{provider: p, close: sqlDB.Close}, nil
}

// Close releases the migrator's connection (not the pool).
func (m *Migrator) Close() error { return m.close() }

// Up applies every pending migration and returns how many it applied.
func (m *Migrator) Up(ctx context.Context) (int, error) {
	res, err := m.provider.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate up: %w", err)
	}
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
	return n, nil
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
	return nil
}
