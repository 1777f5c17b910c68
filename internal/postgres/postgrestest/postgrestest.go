// Package postgrestest gives tests their own throwaway Postgres database,
// migrated and dropped afterwards, and a builder for the rows a test needs.
// Each test package gets a database of its own, so packages run in parallel.
package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/postgres"
)

// BaseURL is the server tests create their databases on: FOLIO_TEST_DATABASE_URL,
// else the local Postgres of a developer's machine and of CI.
func BaseURL() string {
	if u := os.Getenv("FOLIO_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Name returns a fresh database name for prefix, unique per call.
func Name(prefix string) string {
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	return "folio_test_" + prefix + "_" + hex.EncodeToString(suffix[:])
}

// URL is the URL of the database called name on the test server.
func URL(name string) (string, error) {
	u, err := url.Parse(BaseURL())
	if err != nil {
		return "", fmt.Errorf("FOLIO_TEST_DATABASE_URL must be a URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// admin runs one statement on the test server's maintenance database.
func admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, BaseURL())
	if err != nil {
		return fmt.Errorf("connect to test Postgres (set FOLIO_TEST_DATABASE_URL): %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// Drop removes the database called name, if it exists, closing its sessions.
func Drop(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return admin(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

// Create makes a database named after prefix with a random suffix, applies
// the migrations, and returns it with a function that closes and drops it.
// It is for TestMain, where there is no testing.TB.
func Create(ctx context.Context, prefix string) (*postgres.DB, func(), error) {
	name := Name(prefix)
	if err := admin(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, nil, fmt.Errorf("create test database: %w", err)
	}
	drop := func() { _ = Drop(name) }
	dbURL, err := URL(name)
	if err != nil {
		drop()
		return nil, nil, err
	}
	db, err := postgres.Open(ctx, dbURL, postgres.Options{})
	if err != nil {
		drop()
		return nil, nil, err
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		drop()
		return nil, nil, err
	}
	return db, func() { db.Close(); drop() }, nil
}

func migrate(ctx context.Context, db *postgres.DB) error {
	m, err := postgres.NewMigrator(db)
	if err != nil {
		return err
	}
	defer m.Close()
	_, err = m.Up(ctx)
	return err
}

// MustDB returns a fresh migrated database that is dropped when tb ends.
func MustDB(tb testing.TB, prefix string) *postgres.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, drop, err := Create(ctx, prefix)
	if err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(drop)
	return db
}

// Main is a test package's TestMain: it creates the package's database,
// stores it in *db, runs the tests, drops the database and exits.
func Main(m *testing.M, prefix string, db **postgres.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	created, drop, err := Create(ctx, prefix)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s tests: %v\n", prefix, err)
		os.Exit(1)
	}
	*db = created
	code := m.Run()
	drop()
	os.Exit(code)
}
