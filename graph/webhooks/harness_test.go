// Package webhooks_test tests webhooks end to end: the GraphQL API over a
// database of its own, the river queue's workers, and real receivers
// (httptest servers on loopback, which the tests' guard allows).
package webhooks_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/folio/folio/graph"
	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/jobs"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
	"github.com/folio/folio/internal/webhook"
)

var testDB *postgres.DB

func TestMain(m *testing.M) { postgrestest.Main(m, "webhooks", &testDB) }

// env is one server with a running queue over the test database. Tests
// share testDB's webhooks table and its queue hook, so they do not run in
// parallel; each starts from no webhooks.
type env struct {
	*graphtest.Server
	queue *jobs.Queue
	guard *webhook.Guard
	keys  *auth.KeySet
}

type queueOptions struct {
	maxAttempts int
	guard       *webhook.Guard
	workers     int // 0: 4; -1: none (the queue only inserts)
	// store and writer serve the API (default testDB); publisher, when
	// set, publishes scheduled articles.
	store     folio.Store
	writer    folio.Writer
	publisher jobs.Publisher
}

func newEnv(t testing.TB, o queueOptions) *env {
	t.Helper()
	if _, err := testDB.Pool.Exec(t.Context(), `DELETE FROM webhooks`); err != nil {
		t.Fatal(err)
	}
	q := startQueue(t, &o)
	testDB.SetJobs(q)
	t.Cleanup(func() { testDB.SetJobs(nil) })
	keys := auth.MustGenerateKeys()
	e := &env{queue: q, guard: o.guard, keys: keys}
	if o.store == nil {
		o.store, o.writer = testDB, testDB
	}
	e.Server = graphtest.New(t, graph.Options{Store: o.store, Writer: o.writer, Auth: &auth.Service{Store: testDB, Keys: keys},
		Webhooks: testDB, WebhookGuard: o.guard})
	return e
}

// startQueue starts a queue over the test database, as one instance runs
// it, and stops it when the test ends unless the test stopped it first.
func startQueue(t testing.TB, o *queueOptions) *jobs.Queue {
	t.Helper()
	if o.guard == nil {
		o.guard = &webhook.Guard{AllowPrivate: true} // the receivers are on loopback
	}
	if o.maxAttempts == 0 {
		o.maxAttempts = 5
	}
	switch o.workers {
	case 0:
		o.workers = 4
	case -1:
		o.workers = 0
	}
	q, err := jobs.New(jobs.Options{Pool: testDB.Pool, Store: testDB, Sender: webhook.NewSender(o.guard, 5*time.Second),
		Workers: o.workers, MaxAttempts: o.maxAttempts, RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond,
		Articles: testDB, Publisher: o.publisher})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopQueue(t, q) })
	return q
}

// stopQueue stops q's workers, as a shutting-down instance does; stopping
// it again does nothing.
func stopQueue(t testing.TB, q *jobs.Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Stop(ctx); err != nil {
		t.Errorf("stop queue: %v", err)
	}
}

// person signs up through the API and is given role.
func (e *env) person(t testing.TB, role folio.Role) http.Header {
	t.Helper()
	handle := fmt.Sprintf("%s_%s", role, graphtest.RandomHex(4))
	access, _, _ := e.SignUp(t, testDB, e.keys, handle+"@example.com", "correct horse battery staple", handle)
	if _, err := testDB.Pool.Exec(t.Context(), `UPDATE users SET role = $2 WHERE handle = $1`, handle, string(role)); err != nil {
		t.Fatal(err)
	}
	return graphtest.Bearer(access)
}

type userError struct {
	Field   *string `json:"field"`
	Message string  `json:"message"`
	Code    string  `json:"code"`
}

const createWebhook = `mutation($in: CreateWebhookInput!) { createWebhook(input: $in) { webhook { id url events } secret userErrors { field message code } } }`

type createdWebhook struct {
	ID     string
	Secret string
	Errors []userError
}

func (e *env) createWebhook(t testing.TB, admin http.Header, url string, events ...string) createdWebhook {
	t.Helper()
	var out struct {
		CreateWebhook struct {
			Webhook *struct {
				ID string `json:"id"`
			} `json:"webhook"`
			Secret     *string     `json:"secret"`
			UserErrors []userError `json:"userErrors"`
		} `json:"createWebhook"`
	}
	if events == nil {
		events = []string{}
	}
	e.OK(t, admin, createWebhook, map[string]any{"in": map[string]any{"url": url, "events": events}}, &out)
	c := createdWebhook{Errors: out.CreateWebhook.UserErrors}
	if w := out.CreateWebhook.Webhook; w != nil {
		c.ID, c.Secret = w.ID, *out.CreateWebhook.Secret
	}
	return c
}

// article makes a draft through the API and returns its ID.
func (e *env) article(t testing.TB, author http.Header, title string) string {
	t.Helper()
	var out struct {
		CreateArticle struct {
			Article struct {
				ID string `json:"id"`
			} `json:"article"`
		} `json:"createArticle"`
	}
	e.OK(t, author, `mutation($in: CreateArticleInput!) { createArticle(input: $in) { article { id } } }`,
		map[string]any{"in": map[string]any{"title": title, "body": "Body of " + title}}, &out)
	return out.CreateArticle.Article.ID
}

func (e *env) publish(t testing.TB, editor http.Header, id string) {
	t.Helper()
	var out struct {
		PublishArticle struct {
			UserErrors []userError `json:"userErrors"`
		} `json:"publishArticle"`
	}
	e.OK(t, editor, `mutation($id: ID!) { publishArticle(input: {id: $id}) { article { id } userErrors { field message code } } }`, map[string]any{"id": id}, &out)
	if len(out.PublishArticle.UserErrors) > 0 {
		t.Fatalf("publish: %+v", out.PublishArticle.UserErrors)
	}
}

type delivery struct {
	ID           string  `json:"id"`
	EventID      string  `json:"eventId"`
	Event        string  `json:"event"`
	Payload      string  `json:"payload"`
	Status       string  `json:"status"`
	Attempts     int     `json:"attempts"`
	LastError    *string `json:"lastError"`
	ResponseCode *int    `json:"responseCode"`
}

// deliveries reads the webhook's delivery records through the API.
func (e *env) deliveries(t testing.TB, admin http.Header) []delivery {
	t.Helper()
	var out struct {
		Webhooks []struct {
			Deliveries []delivery `json:"deliveries"`
		} `json:"webhooks"`
	}
	e.OK(t, admin, `{ webhooks { deliveries(first: 20) { id eventId event payload status attempts lastError responseCode } } }`, nil, &out)
	var all []delivery
	for _, w := range out.Webhooks {
		all = append(all, w.Deliveries...)
	}
	return all
}

// waitFor polls cond until it holds, failing the test after the deadline.
func waitFor(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting %s for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond) // polling, not settling: cond decides
	}
}

// jobStates counts river's delivery jobs by state.
func jobStates(t testing.TB) map[string]int { return jobsByState(t, "webhook_delivery") }

// jobsByState counts river's jobs of kind by state.
func jobsByState(t testing.TB, kind string) map[string]int {
	t.Helper()
	rows, err := testDB.Pool.Query(t.Context(), `SELECT state::text, count(*) FROM river_job WHERE kind = $1 GROUP BY state`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		out[s] = n
	}
	return out
}
