package loader_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

var testDB *postgres.DB

func TestMain(m *testing.M) { postgrestest.Main(m, "loader", &testDB) }

// counted returns a context that counts the statements run under it.
func counted() (context.Context, *atomic.Int64) {
	var n atomic.Int64
	return postgres.WithStatementCounter(context.Background(), &n), &n
}

func TestLoader_LoadMany(t *testing.T) {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	var users []*folio.User
	for i := range 30 {
		users = append(users, f.User(fmt.Sprintf("user%02d", i), folio.RoleReader))
	}

	t.Run("OneStatementInKeyOrder", func(t *testing.T) {
		l := loader.New(testDB, folio.Viewer{})
		ctx, n := counted()
		keys := []int64{users[5].ID, users[0].ID, 999999, users[29].ID, users[5].ID}
		got, errs := l.UserByID.LoadMany(ctx, keys)
		if errs != nil {
			t.Fatalf("errors: %v", errs)
		}
		if n.Load() != 1 {
			t.Errorf("statements: got %d, want 1", n.Load())
		}
		for i, id := range keys {
			if id == 999999 {
				if got[i] != nil {
					t.Errorf("missing key: got %+v, want nil", got[i])
				}
				continue
			}
			if got[i] == nil || got[i].ID != id {
				t.Errorf("key %d: got %+v", id, got[i])
			}
		}
	})

	t.Run("MemoAnswersWithoutStatements", func(t *testing.T) {
		l := loader.New(testDB, folio.Viewer{})
		ctx, n := counted()
		l.UserByID.LoadMany(ctx, []int64{users[1].ID, users[2].ID})
		// A missing key is remembered as missing too.
		l.UserByID.LoadMany(ctx, []int64{999999})
		before := n.Load()
		got, err := l.UserByID.Load(ctx, users[2].ID)
		if err != nil || got == nil || got.ID != users[2].ID {
			t.Fatalf("got %+v, %v", got, err)
		}
		if missing, _ := l.UserByID.Load(ctx, 999999); missing != nil {
			t.Errorf("missing key: got %+v", missing)
		}
		// Only the keys not loaded yet reach Postgres.
		l.UserByID.LoadMany(ctx, []int64{users[1].ID, users[3].ID})
		if after := n.Load(); before != 2 || after != 3 {
			t.Errorf("statements: got %d, then %d, want 2 then 3", before, after)
		}
	})

	t.Run("ConcurrentAsksShareOneBatch", func(t *testing.T) {
		// Two levels (or nodes and edges.node) asking for one key at once:
		// whichever comes second waits for the first one's batch.
		l := loader.New(testDB, folio.Viewer{})
		ctx, n := counted()
		keys := []int64{users[10].ID, users[11].ID, users[12].ID}
		var wg sync.WaitGroup
		got := make([][]*folio.User, 8)
		for i := range got {
			wg.Go(func() { got[i], _ = l.UserByID.LoadMany(ctx, keys) })
		}
		wg.Wait()
		if n.Load() != 1 {
			t.Errorf("statements: got %d, want 1", n.Load())
		}
		for i := range got {
			if len(got[i]) != 3 || got[i][2] == nil || got[i][2].ID != users[12].ID {
				t.Errorf("caller %d: got %+v", i, got[i])
			}
		}
	})

	t.Run("LoadAloneIsABatchOfOne", func(t *testing.T) {
		l := loader.New(testDB, folio.Viewer{})
		ctx, n := counted()
		got, err := l.UserByID.Load(ctx, users[9].ID)
		if err != nil || got == nil || got.Handle != "user09" || n.Load() != 1 {
			t.Errorf("got %+v, %v after %d statements, want user09 after 1", got, err, n.Load())
		}
	})

	t.Run("HandleLookupPrimesIDs", func(t *testing.T) {
		l := loader.New(testDB, folio.Viewer{})
		ctx, n := counted()
		l.UserByHandle.LoadMany(ctx, []string{"user07"})
		got, _ := l.UserByID.Load(ctx, users[7].ID)
		if n.Load() != 1 || got == nil || got.Handle != "user07" {
			t.Errorf("got %d statements (%+v), want 1", n.Load(), got)
		}
	})

	t.Run("HeldOnlyWhenLoadingWouldNotWait", func(t *testing.T) {
		l := loader.New(testDB, folio.Viewer{})
		ctx := context.Background()
		a, b := users[13].ID, users[14].ID
		if l.UserByID.Held(ctx, []int64{a}) {
			t.Error("held before anything was loaded")
		}
		l.UserByID.LoadMany(ctx, []int64{a, 999999})
		l.UserByID.Prime(ctx, b, users[14])
		if !l.UserByID.Held(ctx, []int64{a, 999999, b}) {
			t.Error("loaded, missing-and-remembered and primed keys: not held")
		}
		if l.UserByID.Held(ctx, []int64{a, users[15].ID}) {
			t.Error("held with a key never loaded")
		}
		// While a batch is in flight, even keys already in the memo are
		// not held: the batch may be bringing one of them.
		tx, err := testDB.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "LOCK TABLE users IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			l.UserByID.LoadMany(ctx, []int64{users[16].ID})
		}()
		for l.UserByID.Held(ctx, []int64{a}) { // until the batch has claimed its key
			runtime.Gosched()
		}
		tx.Rollback(ctx)
		<-done
		if !l.UserByID.Held(ctx, []int64{a, users[16].ID}) {
			t.Error("not held after the batch finished")
		}
	})

	t.Run("ForgetDropsTheMemo", func(t *testing.T) {
		l := loader.New(testDB, folio.Viewer{})
		ctx, n := counted()
		l.UserByID.Load(ctx, users[4].ID)
		l.Forget()
		l.UserByID.Load(ctx, users[4].ID)
		if n.Load() != 2 {
			t.Errorf("statements: got %d, want 2", n.Load())
		}
	})
}

func TestLoaders_PagedGroupsEqualPages(t *testing.T) {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	author := f.User("pager", folio.RoleAuthor)
	var articles []*folio.Article
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 6 {
		articles = append(articles, f.Article(postgrestest.Article{Author: author, Slug: fmt.Sprintf("paged-%d", i), Title: "T",
			PublishedAt: base.Add(time.Duration(i) * time.Hour)}))
	}
	other := f.User("pager_two", folio.RoleAuthor)
	l := loader.New(testDB, folio.Viewer{})
	p2, _ := folio.NewPage(ptr(2), nil, nil, nil)
	p3, _ := folio.NewPage(ptr(3), nil, nil, nil)
	keys := []loader.PageKey{{ID: author.ID, Page: p2}, {ID: other.ID, Page: p2}, {ID: author.ID, Page: p3}}
	ctx, n := counted()
	got, errs := l.ArticlesByAuthor.LoadMany(ctx, keys)
	if errs != nil {
		t.Fatal(errs)
	}
	if statements := n.Load(); statements != 2 {
		t.Errorf("statements: got %d, want 2 (one per distinct page)", statements)
	}
	if len(got[0].Items) != 2 || got[0].Items[0].ID != articles[5].ID || !got[0].HasNext {
		t.Errorf("author, first 2: got %+v", got[0])
	}
	if len(got[1].Items) != 0 || got[1].HasNext {
		t.Errorf("author without articles: got %+v, want an empty page", got[1])
	}
	if len(got[2].Items) != 3 || got[2].Items[2].ID != articles[3].ID {
		t.Errorf("author, first 3: got %+v", got[2])
	}
}

// failingStore makes every user lookup fail, a fault Postgres cannot be
// asked for on cue.
type failingStore struct{ folio.Store }

var errDown = errors.New("connection reset by peer")

func (failingStore) UsersByIDs(context.Context, []int64) ([]*folio.User, error) { return nil, errDown }

func TestLoaders_ErrorReachesEveryKey(t *testing.T) {
	l := loader.New(failingStore{testDB}, folio.Viewer{})
	ctx := context.Background()
	_, errs := l.UserByID.LoadMany(ctx, []int64{1, 2, 3})
	if len(errs) != 3 {
		t.Fatalf("errors: got %v, want one per key", errs)
	}
	for i, err := range errs {
		if !errors.Is(err, errDown) {
			t.Errorf("key %d: got %v, want the store's error", i, err)
		}
	}
	// The failure is remembered: a field under it reports it without
	// asking the store again.
	if _, err := l.UserByID.Load(ctx, 2); !errors.Is(err, errDown) {
		t.Errorf("Load after the failed batch: got %v, want the store's error", err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestNew_OneAllocation: a request's loaders are one allocation; each is
// made when first used, since a request uses a few of the two dozen.
func TestNew_OneAllocation(t *testing.T) {
	v := folio.Viewer{UserID: 7, Role: folio.RoleReader}
	if n := testing.AllocsPerRun(100, func() { loader.New(testDB, v) }); n != 1 {
		t.Errorf("loader.New allocates %v times, want once", n)
	}
	// Forgetting makes nothing of the loaders never used.
	if n := testing.AllocsPerRun(100, func() { loader.New(testDB, v).Forget() }); n != 1 {
		t.Errorf("loader.New and Forget allocate %v times, want once", n)
	}
	// Made on first use, with the viewer New was given.
	f := postgrestest.Fixture{TB: t, DB: testDB}
	u := f.User("newonealloc", folio.RoleReader)
	l := loader.New(testDB, v)
	got, err := l.UserByHandle.Load(context.Background(), "newonealloc")
	if err != nil || got == nil || got.ID != u.ID {
		t.Fatalf("UserByHandle.Load = %v, %v; want user %d", got, err, u.ID)
	}
	if !l.UserByID.Held(context.Background(), []int64{u.ID}) {
		t.Error("a user found by handle was not primed by id")
	}
	if l.Viewer() != v {
		t.Errorf("Viewer() = %+v, want %+v", l.Viewer(), v)
	}
}
