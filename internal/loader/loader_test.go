package loader_test

import (
	"context"
	"errors"
	"fmt"
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

// loadAll calls load for every key at once, as sibling fields do, and
// returns the results in key order with the statements they took.
func loadAll[K comparable, V any](t *testing.T, keys []K, load func(context.Context, K) (V, error)) ([]V, []error, int64) {
	t.Helper()
	var n atomic.Int64
	ctx := postgres.WithStatementCounter(context.Background(), &n)
	out := make([]V, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() { out[i], errs[i] = load(ctx, k) })
	}
	wg.Wait()
	return out, errs, n.Load()
}

func TestLoaders_BatchByKey(t *testing.T) {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	var users []*folio.User
	for i := range 30 {
		users = append(users, f.User(fmt.Sprintf("user%02d", i), folio.RoleReader))
	}
	l := loader.New(testDB, folio.Viewer{}, 10*time.Millisecond).At(0)

	t.Run("OneStatementInKeyOrder", func(t *testing.T) {
		keys := []int64{users[5].ID, users[0].ID, 999999, users[29].ID, users[5].ID}
		got, errs, statements := loadAll(t, keys, func(ctx context.Context, id int64) (*folio.User, error) { return l.UserByID.Load(ctx, id)() })
		if statements != 1 {
			t.Errorf("statements: got %d, want 1", statements)
		}
		for i, id := range keys {
			if errs[i] != nil {
				t.Fatalf("key %d: %v", id, errs[i])
			}
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

	t.Run("HandleLookupPrimesIDs", func(t *testing.T) {
		l := loader.New(testDB, folio.Viewer{}, 10*time.Millisecond).At(0)
		_, _, first := loadAll(t, []string{"user07"}, func(ctx context.Context, h string) (*folio.User, error) { return l.UserByHandle.Load(ctx, h)() })
		got, _, second := loadAll(t, []int64{users[7].ID}, func(ctx context.Context, id int64) (*folio.User, error) { return l.UserByID.Load(ctx, id)() })
		if first != 1 || second != 0 || got[0].Handle != "user07" {
			t.Errorf("got %d then %d statements (%+v), want 1 then 0", first, second, got[0])
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
	l := loader.New(testDB, folio.Viewer{}, 10*time.Millisecond).At(0)
	p2, _ := folio.NewPage(ptr(2), nil, nil, nil)
	p3, _ := folio.NewPage(ptr(3), nil, nil, nil)
	keys := []loader.PageKey{{ID: author.ID, Page: p2}, {ID: other.ID, Page: p2}, {ID: author.ID, Page: p3}}
	got, errs, statements := loadAll(t, keys, func(ctx context.Context, k loader.PageKey) (folio.List[*folio.Article], error) {
		return l.ArticlesByAuthor.Load(ctx, k)()
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if statements != 2 {
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
	l := loader.New(failingStore{testDB}, folio.Viewer{}, 10*time.Millisecond).At(0)
	_, errs, _ := loadAll(t, []int64{1, 2, 3}, func(ctx context.Context, id int64) (*folio.User, error) { return l.UserByID.Load(ctx, id)() })
	for i, err := range errs {
		if !errors.Is(err, errDown) {
			t.Errorf("key %d: got %v, want the store's error", i, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestLoaders_LevelsBatchApart(t *testing.T) {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	u := f.User("leveled", folio.RoleReader)
	ls := loader.New(testDB, folio.Viewer{}, 10*time.Millisecond)
	if ls.At(3) != ls.At(3) || ls.At(3) == ls.At(4) {
		t.Fatal("At must return one Level per depth")
	}
	// The same key at two depths, asked for at once: one statement each.
	_, _, statements := loadAll(t, []int{3, 4}, func(ctx context.Context, depth int) (*folio.User, error) {
		return ls.At(depth).UserByID.Load(ctx, u.ID)()
	})
	if statements != 2 {
		t.Errorf("statements: got %d, want 2", statements)
	}
}
