package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// TestDB_Replicas runs reads against a real streaming replica
// (pg_basebackup -R) of a throwaway primary.
func TestDB_Replicas(t *testing.T) {
	pair := postgrestest.MustReplica(t)
	primaryURL, replicaURL := pair.CreateDB("folio")
	ctx := context.Background()
	// The periodic check is left to the test (CheckReplicas), so each
	// subtest decides when the router learns of a change.
	db, err := postgres.Open(ctx, primaryURL, postgres.Options{Replicas: []string{replicaURL}, MaxReplicaLag: time.Minute, ReplicaCheck: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	var clock time.Duration // added to the replica checks' clock
	postgres.SetReplicaClock(db, func() time.Time { return time.Now().Add(clock) })

	replicaReads := func() uint64 { _, rs := db.ReadStats(); return rs[0].Reads }
	replicaUp := func() bool { _, rs := db.ReadStats(); return rs[0].Up }
	// has reads tag slug through the router with ctx, and reports whether
	// it was there and whether the replica answered.
	has := func(ctx context.Context, slug string) (found, fromReplica bool) {
		t.Helper()
		before := replicaReads()
		tags, err := db.TagsBySlugs(ctx, []string{slug})
		if err != nil {
			t.Fatalf("TagsBySlugs: %v", err)
		}
		return len(tags) == 1, replicaReads() > before
	}
	// behind writes a tag on the primary that the paused replica lacks.
	behind := func(slug string) uint64 {
		t.Helper()
		pair.PauseReplay()
		t.Cleanup(pair.ResumeReplay)
		if _, err := db.CreateTag(ctx, folio.Viewer{UserID: 1, Role: folio.RoleAdmin}, folio.NewTag{Name: slug, Slug: slug}); err != nil {
			t.Fatal(err)
		}
		pos, err := db.WritePosition(ctx)
		if err != nil {
			t.Fatal(err)
		}
		postgres.CheckReplicas(ctx, db)
		return pos
	}
	resume := func() {
		t.Helper()
		pair.ResumeReplay()
		pair.CatchUp()
		clock = 0
		postgres.CheckReplicas(ctx, db)
	}

	t.Run("ReadGoesToReplica", func(t *testing.T) {
		if !replicaUp() {
			t.Fatal("replica not in use after the first check")
		}
		behind("lagging")
		defer resume()
		// Within the lag bound the replica still answers, without the tag:
		// the read went to it, not to the primary.
		found, fromReplica := has(ctx, "lagging")
		if found || !fromReplica {
			t.Fatalf("read: found %v, from replica %v; want the replica's answer, without the tag", found, fromReplica)
		}
	})

	t.Run("ReadAfterWriteInRequest", func(t *testing.T) {
		behind("in-request")
		defer resume()
		reads := &folio.Reads{}
		reads.Write() // a mutation
		found, fromReplica := has(folio.WithReads(ctx, reads), "in-request")
		if !found || fromReplica {
			t.Fatalf("read in the writing request: found %v, from replica %v; want the write, from the primary", found, fromReplica)
		}
	})

	t.Run("ReadAfterWriteByClient", func(t *testing.T) {
		pos := behind("next-request")
		// The next request echoes the position of its client's write.
		next := folio.WithReads(ctx, &folio.Reads{After: pos})
		found, fromReplica := has(next, "next-request")
		if !found || fromReplica {
			t.Fatalf("next request, replica behind: found %v, from replica %v; want the write, from the primary", found, fromReplica)
		}
		resume()
		found, fromReplica = has(next, "next-request")
		if !found || !fromReplica {
			t.Fatalf("next request, replica caught up: found %v, from replica %v; want the write, from the replica", found, fromReplica)
		}
	})

	t.Run("LaggingPastBound", func(t *testing.T) {
		behind("past-bound")
		defer resume()
		clock = time.Hour // an hour on with nothing replayed
		postgres.CheckReplicas(ctx, db)
		if replicaUp() {
			t.Fatal("replica an hour behind still in use")
		}
		found, fromReplica := has(ctx, "past-bound")
		if !found || fromReplica {
			t.Fatalf("read: found %v, from replica %v; want the primary's answer", found, fromReplica)
		}
	})

	t.Run("StatementErrorKeepsReplica", func(t *testing.T) {
		// Bad input fails on the replica as it would on the primary: the
		// error is the caller's, and the replica stays in use.
		if _, err := postgres.ReadCount(ctx, db, `SELECT 1/0`); err == nil {
			t.Fatal("SELECT 1/0 answered")
		}
		if !replicaUp() {
			t.Fatal("a statement's own error took the replica out of use")
		}
	})

	t.Run("ReplicaStopped", func(t *testing.T) {
		if !replicaUp() {
			t.Fatal("replica not in use before the stop")
		}
		pair.StopReplica()
		defer func() {
			pair.StartReplica()
			pair.CatchUp()
			postgres.CheckReplicas(ctx, db)
			if !replicaUp() {
				t.Error("replica not in use again after it came back")
			}
		}()
		// No check has run: the router still believes in the replica, and
		// the first read finds it gone.
		for i := range 5 {
			if _, err := db.TagsBySlugs(ctx, []string{"lagging"}); err != nil {
				t.Fatalf("read %d with the replica stopped: %v", i, err)
			}
			if n, err := db.CountTags(ctx); err != nil || n == 0 {
				t.Fatalf("count %d with the replica stopped: %d, %v", i, n, err)
			}
		}
		if replicaUp() {
			t.Fatal("stopped replica still in use")
		}
		postgres.CheckReplicas(ctx, db)
		if replicaUp() {
			t.Fatal("stopped replica in use after a check")
		}
	})
}

func TestParsePosition(t *testing.T) {
	for _, s := range []string{"0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF"} {
		p, err := postgres.ParsePosition(s)
		if err != nil || postgres.FormatPosition(p) != s {
			t.Errorf("ParsePosition(%q) = %x, %v; formatted back %q", s, p, err, postgres.FormatPosition(p))
		}
	}
	for _, s := range []string{"", "16", "x/1", "1/100000000"} {
		if _, err := postgres.ParsePosition(s); err == nil {
			t.Errorf("ParsePosition(%q): no error", s)
		}
	}
}
