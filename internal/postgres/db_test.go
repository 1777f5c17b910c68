package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/postgres"
)

// showSetting opens the database at url with opts and returns the value of
// the session setting name on one of its connections.
func showSetting(t *testing.T, url string, opts postgres.Options, name string) string {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.Pool.QueryRow(ctx, "SHOW "+name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpen_StatementTimeout(t *testing.T) {
	ctx := context.Background()
	url := testDB.Pool.Config().ConnString()
	show := func(opts postgres.Options, url string) string {
		t.Helper()
		return showSetting(t, url, opts, "statement_timeout")
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

// TestOpen_GenericPlans: every statement is planned once per connection,
// unless the URL says otherwise, and the one plan of a per-parent page
// still walks its index.
func TestOpen_GenericPlans(t *testing.T) {
	ctx := context.Background()
	url := testDB.Pool.Config().ConnString()
	show := func(url string) string {
		t.Helper()
		return showSetting(t, url, postgres.Options{}, "plan_cache_mode")
	}
	if got := show(url); got != "force_generic_plan" {
		t.Errorf("plan_cache_mode = %q, want force_generic_plan", got)
	}
	if got := show(url + "&plan_cache_mode=auto"); got != "auto" {
		t.Errorf("with the URL's plan_cache_mode: got %q, want auto", got)
	}
	// The generic plan of a per-parent page is the plan a custom one
	// would be: an index scan per parent, not a scan of the table.
	conn, err := testDB.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `PREPARE per_parent(bigint[]) AS SELECT c.id FROM unnest($1) AS p(parent)
CROSS JOIN LATERAL (SELECT c.id FROM comments c WHERE c.parent_id = p.parent ORDER BY c.created_at, c.id LIMIT 6) c`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, "DEALLOCATE per_parent")
	rows, err := conn.Query(ctx, "EXPLAIN (COSTS OFF) EXECUTE per_parent('{1,2}')")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	if !strings.Contains(text, "comments_parent_idx") || strings.Contains(text, "Seq Scan on comments") {
		t.Errorf("generic plan of a per-parent page:\n%s\nwant an index scan of comments_parent_idx", text)
	}
}

// TestOpen_ResultsLargerThanTheReadBuffer: results many times the read
// buffer, in many rows, in one value and in a batch, arrive whole and in
// order, and the connection answers the next statement rightly after them.
func TestOpen_ResultsLargerThanTheReadBuffer(t *testing.T) {
	ctx := context.Background()
	conn, err := testDB.Pool.Acquire(ctx) // opened by postgres.Open, so through the buffer
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()

	checkRows := func(rows pgx.Rows) {
		t.Helper()
		n := 0
		for rows.Next() {
			var g int
			var s string
			if err := rows.Scan(&g, &s); err != nil {
				t.Fatal(err)
			}
			n++
			if g != n || s != strings.Repeat(fmt.Sprintf("%032d", g), 50) {
				t.Fatalf("row %d: got g=%d and %d bytes, not the row sent", n, g, len(s))
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != 300 {
			t.Fatalf("got %d rows, want 300", n)
		}
	}
	const manyRows = `SELECT g, repeat(lpad(g::text, 32, '0'), 50) FROM generate_series(1, 300) g` // 480 KB
	const oneValue = `SELECT repeat('ab', 150000)`                                                 // 300 KB

	rows, err := conn.Query(ctx, manyRows)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(rows)

	var big string
	if err := conn.QueryRow(ctx, oneValue).Scan(&big); err != nil {
		t.Fatal(err)
	}
	if big != strings.Repeat("ab", 150000) {
		t.Fatalf("one value of %d bytes came back as %d bytes, not as sent", 300000, len(big))
	}

	b := &pgx.Batch{}
	b.Queue(manyRows)
	b.Queue(oneValue)
	b.Queue(`SELECT 42`)
	br := conn.SendBatch(ctx, b)
	rows, err = br.Query()
	if err != nil {
		t.Fatal(err)
	}
	checkRows(rows)
	if err := br.QueryRow().Scan(&big); err != nil || len(big) != 300000 {
		t.Fatalf("batch's one value: %d bytes, %v", len(big), err)
	}
	var n int
	if err := br.QueryRow().Scan(&n); err != nil || n != 42 {
		t.Fatalf("batch's last statement: %d, %v; want 42", n, err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT 7`).Scan(&n); err != nil || n != 7 {
		t.Fatalf("after the large results: got %d, %v; want 7", n, err)
	}
}
