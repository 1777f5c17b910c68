package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/folio/folio/internal/postgres"
)

func TestOpen_StatementTimeout(t *testing.T) {
	ctx := context.Background()
	url := testDB.Pool.Config().ConnString()
	show := func(opts postgres.Options, url string) string {
		t.Helper()
		db, err := postgres.Open(ctx, url, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var v string
		if err := db.Pool.QueryRow(ctx, "SHOW statement_timeout").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Run("Set", func(t *testing.T) {
		if got := show(postgres.Options{StatementTimeout: 1500 * time.Millisecond}, url); got != "1500ms" {
			t.Errorf("got %q, want 1500ms", got)
		}
	})
	t.Run("URLWins", func(t *testing.T) {
		if got := show(postgres.Options{StatementTimeout: time.Second}, url+"&statement_timeout=7000"); got != "7s" {
			t.Errorf("got %q, want the URL's 7s", got)
		}
	})
	t.Run("BackstopStopsAStatement", func(t *testing.T) {
		db, err := postgres.Open(ctx, url, postgres.Options{StatementTimeout: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		// No context deadline at all: only Postgres's timeout ends it.
		_, err = db.Pool.Exec(ctx, "SELECT pg_sleep(30)")
		if err == nil {
			t.Fatal("pg_sleep(30) ran to the end despite statement_timeout")
		}
	})
}
