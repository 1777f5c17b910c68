package mutations_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/cache"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/newsletter"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/ratelimit"
	"github.com/folio/folio/internal/redistest"
)

var testDB *postgres.DB

// testLinks signs the newsletter's unsubscribe links of every test server.
var testLinks = newsletter.Links{Keys: auth.MustGenerateKeys().Derive(auth.PurposeUnsubscribe)}

func TestMain(m *testing.M) { postgrestest.Main(m, "mutations", &testDB) }

// env is one server over the test database with real authentication: its
// own signing keys and a sign-in throttle under a Redis key prefix of its own.
type env struct {
	*graphtest.Server
	auth  *auth.Service
	keys  *auth.KeySet
	rdb   *redis.Client
	logs  *graphtest.SyncBuffer
	seq   atomic.Int64
	addr  string
	limit int
	cache *cache.Store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	rdb := redistest.Client(t)
	return newEnvWith(t, rdb, redistest.Prefix(t, rdb), auth.MustGenerateKeys(), false)
}

// newCachedPair returns two instances, as behind a load balancer: one
// database, one Redis, the same signing keys, each with its own cache
// decorator and loaders.
func newCachedPair(t *testing.T, adjust ...func(*graph.Options)) (*env, *env) {
	t.Helper()
	rdb := redistest.Client(t)
	prefix, keys := redistest.Prefix(t, rdb), auth.MustGenerateKeys()
	return newEnvWith(t, rdb, prefix, keys, true, adjust...), newEnvWith(t, rdb, prefix, keys, true, adjust...)
}

// tombstone is short in tests, which wait it out to measure a warm cache.
const tombstone = 100 * time.Millisecond

func newEnvWith(t *testing.T, rdb redis.UniversalClient, prefix string, keys *auth.KeySet, cached bool, adjust ...func(*graph.Options)) *env {
	t.Helper()
	e := &env{keys: keys, logs: &graphtest.SyncBuffer{}, limit: 3}
	// env.rdb flushes a single server's keys; a Cluster is the test's own.
	e.rdb, _ = rdb.(*redis.Client)
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var store folio.Store = testDB
	var writer folio.Writer = testDB
	var accounts auth.Store = testDB
	if cached {
		e.cache = cache.New(testDB, testDB, cache.Options{Redis: rdb, Prefix: prefix, Logger: logger, Tombstone: tombstone})
		store, writer, accounts = e.cache, e.cache, e.cache.Accounts(testDB)
	}
	e.auth = &auth.Service{Store: accounts, Keys: e.keys, Logger: logger,
		Throttle:    &auth.Throttle{Redis: rdb, Prefix: prefix, Logger: logger, Window: time.Minute, FreeAttempts: e.limit, Delay: time.Minute, MaxPerAccount: 1000, MaxPerAddress: 1000},
		Revocations: &auth.Revocations{Redis: rdb, Prefix: prefix, Logger: logger, Live: testDB.SessionLive}}
	o := graph.Options{Store: store, Writer: writer, Auth: e.auth, Logger: logger, Introspection: true, NewsletterLinks: testLinks, Previews: testDB}
	if cached {
		o.PersistedQueries = e.cache.Queries()
		o.Limiter = &ratelimit.Limiter{Budgets: ratelimit.NewBudgets(rdb, ratelimit.BudgetOptions{Prefix: prefix + "budget:"})}
	}
	for _, f := range adjust {
		f(&o)
	}
	e.Server = graphtest.New(t, o)
	return e
}

// person is a signed-up user with a live session.
type person struct {
	user    *folio.User
	id      string // global ID
	email   string
	pw      string
	access  string
	refresh string
}

func (p person) h() http.Header { return graphtest.Bearer(p.access) }

// sessionID is the session p's access token was issued for (its "sid").
func (p person) sessionID(t *testing.T) string {
	t.Helper()
	parts := strings.Split(p.access, ".")
	if len(parts) != 3 {
		t.Fatalf("access token %q is not a JWT", p.access)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		SID string `json:"sid"`
	}
	if err != nil || json.Unmarshal(raw, &claims) != nil || claims.SID == "" {
		t.Fatalf("access token payload %q names no session", raw)
	}
	return claims.SID
}

const signUpMutation = `mutation($in: SignUpInput!) { signUp(input: $in) {
  email userErrors { field message code } } }`

type sessionData struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	User         struct {
		ID     string `json:"id"`
		Handle string `json:"handle"`
		Role   string `json:"role"`
	} `json:"user"`
}

type userError struct {
	Field   *string `json:"field"`
	Message string  `json:"message"`
	Code    string  `json:"code"`
}

// signUp makes a person through the API (signUp, then verifyEmail with the
// mailed token) and gives them role.
func (e *env) signUp(t *testing.T, role folio.Role) person {
	t.Helper()
	n := e.seq.Add(1)
	handle := fmt.Sprintf("%s_%d_%s", role, n, graphtest.RandomHex(3))
	p := person{email: handle + "@example.com", pw: "correct horse battery " + handle}
	p.access, p.refresh, p.id = e.SignUp(t, testDB, e.keys, p.email, p.pw, handle)
	us, err := testDB.UsersByHandles(context.Background(), []string{handle})
	if err != nil || len(us) != 1 {
		t.Fatalf("read back user: %v", err)
	}
	p.user = us[0]
	if role != folio.RoleReader {
		if _, err := testDB.Pool.Exec(context.Background(), `UPDATE users SET role = $2 WHERE id = $1`, p.user.ID, string(role)); err != nil {
			t.Fatal(err)
		}
		p.user.Role = role
	}
	return p
}

// fixture builds rows directly, for what the API cannot make (categories, tags).
func fixture(t *testing.T) postgrestest.Fixture { return postgrestest.Fixture{TB: t, DB: testDB} }

// wantCode fails unless the first error carries code.
func wantCode(t *testing.T, r graphtest.Response, code string) {
	t.Helper()
	if r.Code() != code {
		t.Fatalf("code = %q, want %q (status %d, response %s)", r.Code(), code, r.Status, r.Raw)
	}
}

// wantUserErrors fails unless the payload's userErrors carry exactly these
// "field:CODE" pairs, in order.
func wantUserErrors(t *testing.T, got []userError, want ...string) {
	t.Helper()
	var g []string
	for _, e := range got {
		f := ""
		if e.Field != nil {
			f = *e.Field
		}
		if e.Message == "" {
			t.Errorf("user error on %q has no message", f)
		}
		g = append(g, f+":"+e.Code)
	}
	if strings.Join(g, ",") != strings.Join(want, ",") {
		t.Fatalf("userErrors = %v, want %v (%+v)", g, want, got)
	}
}

// globalID spells an ID the way the API does, for IDs a test makes up.
func globalID(kind string, id int64) string { return folio.NodeID(kind, id) }
