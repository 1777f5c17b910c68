package seed_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/seed"
)

// MustNewDB returns a pool on a freshly migrated database of its own,
// dropped when the test ends.
func MustNewDB(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	return postgrestest.MustDB(tb, "seed").Pool
}

// MustLoad loads scale into db and fails the test on error.
func MustLoad(tb testing.TB, db *pgxpool.Pool, scale seed.Scale, opts seed.Options) seed.Stats {
	tb.Helper()
	st, err := seed.Load(context.Background(), db, scale, opts)
	if err != nil {
		tb.Fatalf("Load(%s): %v", scale, err)
	}
	return st
}

// MustCount runs a query returning one integer.
func MustCount(tb testing.TB, db *pgxpool.Pool, query string) int {
	tb.Helper()
	var n int
	if err := db.QueryRow(context.Background(), query).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// contentTables lists each seeded table with the columns that order its
// rows uniquely, for digests.
var contentTables = []struct{ name, order string }{
	{"users", "id"},
	{"categories", "id"},
	{"tags", "id"},
	{"articles", "id"},
	{"article_tags", "article_id, tag_id"},
	{"comments", "id"},
	{"reactions", "article_id, user_id, kind"},
}

// MustDigest returns an md5 of each seeded table's rows in key order.
func MustDigest(tb testing.TB, db *pgxpool.Pool) map[string]string {
	tb.Helper()
	out := make(map[string]string, len(contentTables))
	for _, table := range contentTables {
		query := fmt.Sprintf(`SELECT md5(coalesce(string_agg(t::text, E'\n' ORDER BY %s), '')) FROM %s t`, table.order, table.name)
		var sum string
		if err := db.QueryRow(context.Background(), query).Scan(&sum); err != nil {
			tb.Fatalf("digest %s: %v", table.name, err)
		}
		out[table.name] = sum
	}
	return out
}

// assertSameDigests fails for every table whose digest differs.
func assertSameDigests(tb testing.TB, got, want map[string]string) {
	tb.Helper()
	for _, table := range contentTables {
		if got[table.name] != want[table.name] {
			tb.Errorf("%s digest: got %s, want %s", table.name, got[table.name], want[table.name])
		}
	}
}

func TestParseScale(t *testing.T) {
	t.Run("KnownNames", func(t *testing.T) {
		for _, want := range []seed.Scale{seed.ScaleTiny, seed.ScaleSmall, seed.ScaleMedium} {
			got, err := seed.ParseScale(string(want))
			if err != nil || got != want {
				t.Errorf("ParseScale(%q): got %q, %v; want %q, nil", want, got, err, want)
			}
		}
	})
	t.Run("IgnoresCaseAndSpace", func(t *testing.T) {
		got, err := seed.ParseScale(" Medium ")
		if err != nil || got != seed.ScaleMedium {
			t.Errorf(`ParseScale(" Medium "): got %q, %v; want %q, nil`, got, err, seed.ScaleMedium)
		}
	})
	t.Run("UnknownNameListsValidScales", func(t *testing.T) {
		_, err := seed.ParseScale("huge")
		want := "tiny, small, medium"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseScale(huge) error: got %v, want one mentioning %q", err, want)
		}
	})
}

func TestLoad_Tiny(t *testing.T) {
	t.Parallel()
	db := MustNewDB(t)
	st := MustLoad(t, db, seed.ScaleTiny, seed.Options{})

	t.Run("StatsMatchRows", func(t *testing.T) {
		checks := []struct {
			name        string
			stat, sized int
			query       string
		}{
			{"users", st.Users, 12, `SELECT count(*) FROM users`},
			{"authors", st.Authors, 4, `SELECT count(*) FROM users WHERE role = 'author'`},
			{"categories", st.Categories, 4, `SELECT count(*) FROM categories`},
			{"tags", st.Tags, 10, `SELECT count(*) FROM tags`},
			{"articles", st.Articles, 60, `SELECT count(*) FROM articles`},
			{"published", st.Published, 54, `SELECT count(*) FROM articles WHERE status = 'published'`},
			{"comments", st.Comments, 300, `SELECT count(*) FROM comments`},
			{"replies", st.Replies, 60, `SELECT count(*) FROM comments WHERE parent_id IS NOT NULL`},
			{"reactions", st.Reactions, 200, `SELECT count(*) FROM reactions`},
		}
		for _, c := range checks {
			if got := MustCount(t, db, c.query); got != c.stat {
				t.Errorf("%s rows: got %d, want %d (Stats)", c.name, got, c.stat)
			}
			if c.stat != c.sized {
				t.Errorf("Stats %s: got %d, want %d", c.name, c.stat, c.sized)
			}
		}
		if st.Duration <= 0 {
			t.Errorf("Stats.Duration: got %v, want > 0", st.Duration)
		}
	})

	t.Run("RepliesHangOffTopLevelCommentsOfTheSameArticle", func(t *testing.T) {
		const query = `SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id
			WHERE p.parent_id IS NOT NULL OR p.article_id <> c.article_id OR c.created_at <= p.created_at`
		if got := MustCount(t, db, query); got != 0 {
			t.Errorf("misthreaded replies: got %d, want 0", got)
		}
	})

	t.Run("EveryStatusAppearsWithMatchingPublishedAt", func(t *testing.T) {
		for _, status := range []string{"published", "draft", "archived"} {
			query := fmt.Sprintf(`SELECT count(*) FROM articles WHERE status = '%s'`, status)
			if got := MustCount(t, db, query); got == 0 {
				t.Errorf("%s articles: got 0, want some", status)
			}
		}
		const query = `SELECT count(*) FROM articles WHERE (status = 'draft') = (published_at IS NOT NULL)`
		if got := MustCount(t, db, query); got != 0 {
			t.Errorf("articles with published_at contradicting status: got %d, want 0", got)
		}
	})

	t.Run("SlugsAndHandlesAreUnique", func(t *testing.T) {
		for _, query := range []string{
			`SELECT count(*) - count(DISTINCT slug) FROM articles`,
			`SELECT count(*) - count(DISTINCT lower(handle::text)) FROM users`,
			`SELECT count(*) - count(DISTINCT lower(email::text)) FROM users`,
		} {
			if got := MustCount(t, db, query); got != 0 {
				t.Errorf("%s: got %d duplicates, want 0", query, got)
			}
		}
	})

	t.Run("TimestampsAreOrdered", func(t *testing.T) {
		for _, query := range []string{
			`SELECT count(*) FROM articles WHERE created_at > published_at OR updated_at < created_at OR updated_at < published_at`,
			`SELECT count(*) FROM comments c JOIN articles a ON a.id = c.article_id
				WHERE a.status <> 'published' OR c.created_at <= a.published_at OR c.updated_at < c.created_at OR c.deleted_at < c.created_at`,
			`SELECT count(*) FROM reactions x JOIN articles a ON a.id = x.article_id WHERE a.status <> 'published' OR x.created_at < a.published_at`,
			`SELECT count(*) FROM (SELECT created_at FROM articles UNION ALL SELECT updated_at FROM comments
				UNION ALL SELECT created_at FROM reactions) t WHERE created_at > '2026-11-01T00:00:00Z'`,
		} {
			if got := MustCount(t, db, query); got != 0 {
				t.Errorf("%s: got %d rows out of order, want 0", query, got)
			}
		}
	})

	t.Run("ReadingMinutesFollowWordCount", func(t *testing.T) {
		const query = `SELECT count(*) FROM articles a WHERE reading_minutes <> ceil(
			(SELECT count(*) FROM regexp_split_to_table(a.body, '\s+') w WHERE w ~ '[A-Za-z0-9]') / 200.0)`
		if got := MustCount(t, db, query); got != 0 {
			t.Errorf("articles with wrong reading_minutes: got %d, want 0", got)
		}
	})

	t.Run("IdentitiesContinueAfterSeededIDs", func(t *testing.T) {
		ctx := context.Background()
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatalf("begin: %v", err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		var got int
		if err := tx.QueryRow(ctx, `INSERT INTO tags (slug, name) VALUES ('brand-new', 'Brand New') RETURNING id`).Scan(&got); err != nil {
			t.Fatalf("insert tag: %v", err)
		}
		if want := st.Tags + 1; got != want {
			t.Errorf("new tag id: got %d, want %d", got, want)
		}
	})
}

func TestLoad_Small(t *testing.T) {
	t.Parallel()
	db := MustNewDB(t)
	st := MustLoad(t, db, seed.ScaleSmall, seed.Options{})

	t.Run("StatsMatchScale", func(t *testing.T) {
		got := st
		got.Duration = 0
		want := seed.Stats{Users: 100, Authors: 20, Categories: 12, Tags: 60, Articles: 1000, Published: 900,
			Comments: 10000, Replies: 2000, Reactions: 6000}
		if got != want {
			t.Errorf("Stats: got %+v, want %+v", got, want)
		}
	})

	t.Run("AttentionIsSkewed", func(t *testing.T) {
		// With 8,000 top-level comments over 900 articles the mean is about 9;
		// a long tail means the busiest article has several times that.
		const query = `SELECT max(n) FROM (SELECT count(*) AS n FROM comments GROUP BY article_id) t`
		if got := MustCount(t, db, query); got < 50 {
			t.Errorf("most comments on one article: got %d, want at least 50", got)
		}
		const fewQuery = `SELECT count(*) FROM articles a WHERE a.status = 'published'
			AND (SELECT count(*) FROM comments c WHERE c.article_id = a.id) BETWEEN 1 AND 5`
		if got := MustCount(t, db, fewQuery); got < 200 {
			t.Errorf("articles with 1-5 comments: got %d, want at least 200", got)
		}
	})

	t.Run("ArticlesCarryOneToFiveTags", func(t *testing.T) {
		const query = `SELECT count(*) FROM articles a
			WHERE (SELECT count(*) FROM article_tags t WHERE t.article_id = a.id) NOT BETWEEN 1 AND 5`
		if got := MustCount(t, db, query); got != 0 {
			t.Errorf("articles with too few or many tags: got %d, want 0", got)
		}
	})
}

func TestLoad_Deterministic(t *testing.T) {
	t.Parallel()
	first, second := MustNewDB(t), MustNewDB(t)
	MustLoad(t, first, seed.ScaleTiny, seed.Options{})
	MustLoad(t, second, seed.ScaleTiny, seed.Options{})
	want := MustDigest(t, first)

	t.Run("SeparateDatabasesGetIdenticalRows", func(t *testing.T) {
		assertSameDigests(t, MustDigest(t, second), want)
	})

	t.Run("ReplaceReproducesIdenticalRows", func(t *testing.T) {
		MustLoad(t, second, seed.ScaleTiny, seed.Options{Replace: true})
		assertSameDigests(t, MustDigest(t, second), want)
	})

	t.Run("ExplicitDefaultNowMatchesZeroNow", func(t *testing.T) {
		now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		MustLoad(t, second, seed.ScaleTiny, seed.Options{Replace: true, Now: now})
		assertSameDigests(t, MustDigest(t, second), want)
	})
}

func TestLoad_NonEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustNewDB(t)
	MustLoad(t, db, seed.ScaleTiny, seed.Options{})
	want := MustDigest(t, db)

	t.Run("RefusedWithErrNotEmpty", func(t *testing.T) {
		_, err := seed.Load(ctx, db, seed.ScaleTiny, seed.Options{})
		if !errors.Is(err, seed.ErrNotEmpty) {
			t.Fatalf("Load into loaded database: got %v, want %v", err, seed.ErrNotEmpty)
		}
		assertSameDigests(t, MustDigest(t, db), want)
	})

	t.Run("ReplaceEmptiesEveryContentTable", func(t *testing.T) {
		if _, err := db.Exec(ctx, `INSERT INTO newsletter_subscriptions (email) VALUES ('someone@example.com')`); err != nil {
			t.Fatalf("insert subscription: %v", err)
		}
		st := MustLoad(t, db, seed.ScaleTiny, seed.Options{Replace: true})
		if st.Users != 12 {
			t.Errorf("Stats.Users: got %d, want 12", st.Users)
		}
		if got := MustCount(t, db, `SELECT count(*) FROM newsletter_subscriptions`); got != 0 {
			t.Errorf("newsletter subscriptions after Replace: got %d, want 0", got)
		}
		assertSameDigests(t, MustDigest(t, db), want)
	})
}

func TestLoad_Failure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustNewDB(t)
	// The trigger fails the last COPY, after every other table is written.
	const failReactions = `
		CREATE FUNCTION fail_reactions() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN RAISE EXCEPTION 'reactions are broken'; END $$;
		CREATE TRIGGER fail_reactions BEFORE INSERT ON reactions
			FOR EACH STATEMENT EXECUTE FUNCTION fail_reactions();`

	t.Run("EmptyDatabaseStaysEmpty", func(t *testing.T) {
		if _, err := db.Exec(ctx, failReactions); err != nil {
			t.Fatalf("create trigger: %v", err)
		}
		_, err := seed.Load(ctx, db, seed.ScaleTiny, seed.Options{})
		if err == nil || !strings.Contains(err.Error(), "reactions are broken") {
			t.Fatalf("Load with failing reactions: got %v, want the trigger's error", err)
		}
		if got := MustCount(t, db, `SELECT count(*) FROM users`); got != 0 {
			t.Errorf("users after failed load: got %d, want 0", got)
		}
	})

	t.Run("ReplaceKeepsPreviousRows", func(t *testing.T) {
		if _, err := db.Exec(ctx, `DROP TRIGGER fail_reactions ON reactions`); err != nil {
			t.Fatalf("drop trigger: %v", err)
		}
		MustLoad(t, db, seed.ScaleTiny, seed.Options{})
		want := MustDigest(t, db)
		if _, err := db.Exec(ctx, `CREATE TRIGGER fail_reactions BEFORE INSERT ON reactions
			FOR EACH STATEMENT EXECUTE FUNCTION fail_reactions()`); err != nil {
			t.Fatalf("create trigger: %v", err)
		}
		if _, err := seed.Load(ctx, db, seed.ScaleTiny, seed.Options{Replace: true}); err == nil {
			t.Fatal("Load with failing reactions: got nil error, want the trigger's error")
		}
		assertSameDigests(t, MustDigest(t, db), want)
	})
}

func TestLoad_UnknownScale(t *testing.T) {
	// A nil pool proves the scale is checked before the database is touched.
	// Load takes only the exact constants; ParseScale is what forgives case.
	for _, scale := range []seed.Scale{"huge", "Tiny", ""} {
		_, err := seed.Load(context.Background(), nil, scale, seed.Options{})
		if err == nil || !strings.Contains(err.Error(), "unknown seed scale") {
			t.Errorf("Load(%q): got %v, want an unknown-scale error", scale, err)
		}
	}
}

// TestLoad_Medium is a manual timing run, not part of the normal suite:
//
//	FOLIO_SEED_MEDIUM=1 go test -run TestLoad_Medium -v ./internal/seed/
func TestLoad_Medium(t *testing.T) {
	if os.Getenv("FOLIO_SEED_MEDIUM") != "1" {
		t.Skip("set FOLIO_SEED_MEDIUM=1 to time a medium load")
	}
	db := MustNewDB(t)
	st := MustLoad(t, db, seed.ScaleMedium, seed.Options{})
	t.Logf("medium load: %+v", st)
	if got := MustCount(t, db, `SELECT count(*) FROM comments`); got != st.Comments {
		t.Errorf("comments rows: got %d, want %d", got, st.Comments)
	}
	if st.Duration > 2*time.Minute {
		t.Errorf("Duration: got %v, want under 2m", st.Duration)
	}
}
