// Package images_test tests cover images and avatars end to end: uploads
// as a client sends them (GraphQL multipart requests through the whole
// HTTP stack), over a database of its own, files on a local disk store
// served at /media/, and the river queue that releases replaced images.
package images_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/cache"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/jobs"
	"github.com/folio/folio/internal/media"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/redistest"
	"github.com/folio/folio/internal/respcache"
)

var testDB *postgres.DB

func TestMain(m *testing.M) { postgrestest.Main(m, "images", &testDB) }

// limits are small, so that the hostile files stay small too.
var limits = media.Limits{MaxBytes: 300_000, MaxDimension: 2000, MaxPixels: 2_000_000}

// env is one server taking uploads into a directory of its own, with a
// queue that releases images. Tests share testDB's queue hook, so they do
// not run in parallel.
type env struct {
	*graphtest.Server
	bucket *s3mem.Backend // with options.s3: the bucket's objects; dir is unused
	dir    string
	disk   *media.Disk
	media  *media.Service
	queue  *jobs.Queue
	keys   *auth.KeySet
}

type options struct {
	uploadsOff bool
	workers    int // 0: the queue only inserts release jobs; tests run them (release)
	// rdb and prefix, when set, put the entity cache in front of the
	// database, shared with any other env given the same.
	rdb    redis.UniversalClient
	prefix string
	dir    string // the media directory; "" for a new one
	keys   *auth.KeySet
	// s3 stores into a bucket of an in-process S3 server (gofakes3)
	// instead of a directory.
	s3 bool
}

func newEnv(t *testing.T, o options) *env {
	t.Helper()
	e := &env{dir: o.dir, keys: o.keys}
	if e.dir == "" {
		e.dir = t.TempDir()
	}
	if e.keys == nil {
		e.keys = auth.MustGenerateKeys()
	}
	// Releases queued by an earlier test are for files of its own
	// directory; this test counts and runs its own.
	if _, err := testDB.Pool.Exec(t.Context(), `DELETE FROM river_job WHERE kind = 'image_release'`); err != nil {
		t.Fatal(err)
	}
	e.disk = &media.Disk{Dir: e.dir}
	var files media.Store = e.disk
	if o.s3 {
		e.bucket = s3mem.New()
		if err := e.bucket.CreateBucket("folio-media"); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(gofakes3.New(e.bucket).Server())
		t.Cleanup(srv.Close)
		s3, err := media.NewS3(media.S3Options{Endpoint: srv.URL, Region: "us-east-1", Bucket: "folio-media",
			AccessKeyID: "test", SecretAccessKey: "test-secret", PathStyle: true, PublicURL: srv.URL + "/folio-media"})
		if err != nil {
			t.Fatal(err)
		}
		files = s3
	}
	e.media = media.New(files, limits, testDB)
	q, err := jobs.New(jobs.Options{Pool: testDB.Pool, Workers: o.workers, RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond, Images: e.media})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stop queue: %v", err)
		}
	})
	e.queue = q
	testDB.SetJobs(q)
	t.Cleanup(func() { testDB.SetJobs(nil) })
	var store folio.Store = testDB
	var writer folio.Writer = testDB
	wrap := func(h http.Handler) http.Handler { return h }
	if o.rdb != nil {
		// Both caches, stacked as server.go stacks them.
		c := cache.New(testDB, testDB, cache.Options{Redis: o.rdb, Prefix: o.prefix, Tombstone: 100 * time.Millisecond})
		rc := respcache.New(respcache.Options{Redis: o.rdb, Prefix: o.prefix})
		store, writer, wrap = rc.Store(c), rc.Writer(c), rc.Middleware
	}
	var uploadMax int64
	if !o.uploadsOff {
		uploadMax = limits.MaxBytes
	}
	authn := &auth.Service{Store: testDB, Keys: e.keys}
	h := graph.NewHandler(graph.Options{Store: store, Writer: writer, Auth: authn, Media: e.media, Uploads: !o.uploadsOff})
	e.Server = graphtest.Serve(t, wrap(h), func(h *httpapi.Options) {
		h.Auth, h.UploadMaxBytes, h.Media = authn, uploadMax, e.disk.Handler()
	})
	e.disk.BaseURL = e.URL + "/media"
	return e
}

// cachedPair is two instances behind one database, one Redis and one media
// directory, each with its own entity cache and response cache.
func cachedPair(t *testing.T) (*env, *env) {
	rdb := redistest.Client(t)
	o := options{rdb: rdb, prefix: redistest.Prefix(t, rdb), dir: t.TempDir(), keys: auth.MustGenerateKeys()}
	return newEnv(t, o), newEnv(t, o)
}

// person is a verified user with a session.
type person struct {
	user *folio.User
	id   string
	h    http.Header
}

func (e *env) person(t *testing.T, role folio.Role) person {
	t.Helper()
	handle := fmt.Sprintf("%s_%s", role, graphtest.RandomHex(4))
	access, _, id := e.SignUp(t, testDB, e.keys, handle+"@example.com", "correct horse battery staple", handle)
	if _, err := testDB.Pool.Exec(t.Context(), `UPDATE users SET role = $2 WHERE handle = $1`, handle, string(role)); err != nil {
		t.Fatal(err)
	}
	us, err := testDB.UsersByHandles(t.Context(), []string{handle})
	if err != nil || len(us) != 1 {
		t.Fatalf("read back %s: %v", handle, err)
	}
	return person{user: us[0], id: id, h: graphtest.Bearer(access)}
}

// article makes an article by author, a draft unless published.
func article(t *testing.T, author *folio.User, published bool) *folio.Article {
	t.Helper()
	a := postgrestest.Article{Author: author, Slug: "a-" + graphtest.RandomHex(4), Title: "An article", Body: "Words.", Status: folio.StatusDraft}
	if published {
		a.Status, a.PublishedAt = folio.StatusPublished, time.Now().Add(-time.Hour)
	}
	return postgrestest.Fixture{TB: t, DB: testDB}.Article(a)
}

// files lists the media directory, or the bucket.
func (e *env) files(t *testing.T) []string {
	t.Helper()
	if e.bucket != nil {
		list, err := e.bucket.ListBucket("folio-media", nil, gofakes3.ListBucketPage{})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, c := range list.Contents {
			keys = append(keys, c.Key)
		}
		sort.Strings(keys)
		return keys
	}
	entries, err := os.ReadDir(e.dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, d := range entries {
		names = append(names, d.Name())
	}
	sort.Strings(names)
	return names
}

// imageRows counts the image records.
func imageRows(t *testing.T) int {
	t.Helper()
	var n int
	if err := testDB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM images`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantNothingStored fails unless the media directory holds no file (not
// even a temporary one) and no image is recorded beyond before.
func (e *env) wantNothingStored(t *testing.T, rowsBefore int) {
	t.Helper()
	if f := e.files(t); len(f) != 0 {
		t.Errorf("files left in the media directory: %v", f)
	}
	if n := imageRows(t); n != rowsBefore {
		t.Errorf("image rows = %d, want %d", n, rowsBefore)
	}
}

// releaseJobs are the keys of the queued image releases not yet run.
func releaseJobs(t *testing.T) []string {
	t.Helper()
	rows, err := testDB.Pool.Query(t.Context(), `SELECT args->>'key' FROM river_job WHERE kind = 'image_release' AND state = 'available' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// runReleases works the queued releases as the queue's worker would, and
// takes them off the queue.
func (e *env) runReleases(t *testing.T) []string {
	t.Helper()
	keys := releaseJobs(t)
	for _, k := range keys {
		if err := e.media.Release(t.Context(), k); err != nil {
			t.Fatalf("release %s: %v", k, err)
		}
	}
	if _, err := testDB.Pool.Exec(t.Context(), `DELETE FROM river_job WHERE kind = 'image_release'`); err != nil {
		t.Fatal(err)
	}
	return keys
}

// waitFor polls cond until it holds or within passes: for what another
// goroutine (the queue's worker) does, with no event to wait on.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
