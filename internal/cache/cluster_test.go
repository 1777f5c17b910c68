package cache_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/folio/folio/internal/cache"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/redistest"
)

// TestStore_Cluster runs the cache on a real three-node Redis Cluster: a
// batch's keys fall in many slots (a plain MGET would fail with CROSSSLOT),
// two instances share what one cached, a write invalidates it for the
// other, and persisted queries round-trip.
func TestStore_Cluster(t *testing.T) {
	getWorld(t)
	rdb := redistest.Cluster(t)
	const prefix = "folio:cluster:"
	opts := cache.Options{Redis: rdb, Prefix: prefix, Timeout: time.Second}
	c, other := cache.New(testDB, testDB, opts), cache.New(testDB, testDB, opts)
	f := postgrestest.Fixture{TB: t, DB: testDB}
	editor := f.User("cluster_editor", folio.RoleEditor)
	var ids []int64
	for i := range 12 {
		a := f.Article(postgrestest.Article{Author: editor, Slug: fmt.Sprintf("cluster-%d", i), Title: "Before"})
		ids = append(ids, a.ID)
	}
	slots := map[int64]bool{}
	for _, id := range ids {
		slots[rdb.ClusterKeySlot(context.Background(), prefix+"article:id:"+itoa(id)).Val()] = true
	}
	if len(slots) < 2 {
		t.Fatalf("the batch's keys fell in %d slot, want several for the test to mean anything", len(slots))
	}

	t.Run("ReadThroughAcrossSlots", func(t *testing.T) {
		load := func(s *cache.Store) func(ctx context.Context) {
			return func(ctx context.Context) {
				as, err := s.ArticlesByIDs(ctx, ids)
				if err != nil || len(as) != len(ids) {
					t.Fatalf("by id: got %d rows, %v; want %d", len(as), err, len(ids))
				}
			}
		}
		if n := counted(t, load(c)); n != 1 {
			t.Fatalf("cold: %d statements, want 1", n)
		}
		if n := counted(t, load(other)); n != 0 {
			t.Fatalf("second instance, warm: %d statements, want 0", n)
		}
		if st := other.Stats(); st.Errors != 0 || st.Hits != uint64(len(ids)) {
			t.Fatalf("second instance stats %+v, want %d hits and no errors", st, len(ids))
		}
	})
	t.Run("InvalidationReachesTheOtherInstance", func(t *testing.T) {
		ctx := context.Background()
		v := folio.Viewer{UserID: editor.ID, Role: folio.RoleEditor}
		title := "After"
		if _, err := c.UpdateArticle(ctx, v, folio.ArticlePatch{ID: ids[3], ExpectedVersion: 1, Title: &title}); err != nil {
			t.Fatal(err)
		}
		got, err := other.ArticlesByIDs(ctx, []int64{ids[3]})
		if err != nil || len(got) != 1 || got[0].Title != "After" {
			t.Fatalf("after the write the other instance read %+v, %v; want title After", got, err)
		}
	})
	t.Run("PersistedQueries", func(t *testing.T) {
		ctx := context.Background()
		c.Queries().Add(ctx, "abc123", "{ viewer { id } }")
		if doc, ok := other.Queries().Get(ctx, "abc123"); !ok || doc != "{ viewer { id } }" {
			t.Fatalf("got %q %v, want the document the other instance added", doc, ok)
		}
	})
}
