package webhooks_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/folio/folio/internal/cache"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/live"
	"github.com/folio/folio/internal/redistest"
)

// The schedule's tests never wait for a publication time to come: they
// schedule in the future, as the API demands, then move the queued job's
// time to now, which is what the clock would do. River's scheduler (every
// few seconds, on the elected leader) then makes it available, and a
// worker runs it.

// scheduled is a server whose writes go through the entity cache and a
// live hub, as serve stacks them, with a queue that publishes on schedule
// through the same writes.
type scheduled struct {
	*env
	hub    *live.Hub
	writer folio.Writer
}

func newScheduled(t *testing.T) *scheduled {
	t.Helper()
	rdb := redistest.Client(t)
	c := cache.New(testDB, testDB, cache.Options{Redis: rdb, Prefix: redistest.Prefix(t, rdb), TTL: time.Minute})
	hub := live.New(live.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); hub.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	w := hub.Writer(c)
	e := newEnv(t, queueOptions{store: c, writer: w, publisher: w})
	return &scheduled{env: e, hub: hub, writer: w}
}

const scheduleArticle = `mutation($in: ScheduleArticleInput!) { scheduleArticle(input: $in) {
  article { id status version publishAt publishedAt } userErrors { field message code } } }`

const unscheduleArticle = `mutation($in: ArticleStatusInput!) { unscheduleArticle(input: $in) {
  article { id status version publishAt } userErrors { field message code } } }`

type scheduleResult struct {
	Article *struct {
		ID          string     `json:"id"`
		Status      string     `json:"status"`
		Version     int        `json:"version"`
		PublishAt   *time.Time `json:"publishAt"`
		PublishedAt *time.Time `json:"publishedAt"`
	} `json:"article"`
	UserErrors []userError `json:"userErrors"`
}

func (e *env) schedule(t *testing.T, h http.Header, id string, at time.Time) scheduleResult {
	t.Helper()
	var out struct {
		ScheduleArticle scheduleResult `json:"scheduleArticle"`
	}
	e.OK(t, h, scheduleArticle, map[string]any{"in": map[string]any{"id": id, "publishAt": at.UTC().Format(time.RFC3339Nano)}}, &out)
	return out.ScheduleArticle
}

// publishJobs counts the queue's publication jobs by state.
func publishJobs(t testing.TB) map[string]int { return jobsByState(t, "publish_article") }

// clearPublishJobs forgets the queue's jobs of earlier tests, and, once the
// test's queues have stopped, its own: the webhook tests count theirs.
func clearPublishJobs(t testing.TB) {
	t.Helper()
	clear := func() {
		if _, err := testDB.Pool.Exec(context.Background(), `DELETE FROM river_job`); err != nil {
			t.Error(err)
		}
	}
	clear()
	t.Cleanup(clear)
}

// timeComes moves every waiting publication job's time to now.
func timeComes(t testing.TB) {
	t.Helper()
	if _, err := testDB.Pool.Exec(t.Context(), `UPDATE river_job SET scheduled_at = now() WHERE kind = 'publish_article' AND state = 'scheduled'`); err != nil {
		t.Fatal(err)
	}
}

// publishJobsDone waits until no publication job waits or runs.
func publishJobsDone(t testing.TB) map[string]int {
	t.Helper()
	var states map[string]int
	waitFor(t, "the publication jobs to finish", 20*time.Second, func() bool {
		states = publishJobs(t)
		return states["scheduled"]+states["available"]+states["running"]+states["retryable"] == 0
	})
	return states
}

// articleState reads an article as h sees it through the API (and so
// through the cache).
func (e *env) articleState(t *testing.T, h http.Header, id string) (status string, publishAt *time.Time) {
	t.Helper()
	var out struct {
		Node *struct {
			Status    string     `json:"status"`
			PublishAt *time.Time `json:"publishAt"`
		} `json:"node"`
	}
	e.OK(t, h, `query($id: ID!) { node(id: $id) { ... on Article { status publishAt } } }`, map[string]any{"id": id}, &out)
	if out.Node == nil {
		return "", nil
	}
	return out.Node.Status, out.Node.PublishAt
}

func TestScheduleArticle_Publishes(t *testing.T) {
	clearPublishJobs(t)
	s := newScheduled(t)
	admin, editor := s.person(t, folio.RoleAdmin), s.person(t, folio.RoleEditor)
	rcv := newReceiver(t, ok)
	s.createWebhook(t, admin, rcv.URL+"/hooks", "ARTICLE_PUBLISHED")
	id := s.article(t, editor, "Out on Monday")

	at := time.Now().Add(time.Hour).Truncate(time.Microsecond)
	r := s.schedule(t, editor, id, at)
	if len(r.UserErrors) > 0 || r.Article == nil {
		t.Fatalf("schedule: %+v", r.UserErrors)
	}
	if r.Article.Status != "DRAFT" || r.Article.PublishAt == nil || !r.Article.PublishAt.Equal(at) || r.Article.Version != 2 {
		t.Fatalf("scheduled article = %+v, want a draft at version 2 to publish at %s", r.Article, at)
	}
	// The job waits for the time, in river's table: it outlives any process.
	var jobAt time.Time
	if err := testDB.Pool.QueryRow(t.Context(), `SELECT scheduled_at FROM river_job WHERE kind = 'publish_article' AND state = 'scheduled'`).Scan(&jobAt); err != nil {
		t.Fatalf("read the publication job: %v", err)
	}
	if !jobAt.Equal(at) {
		t.Fatalf("the job is scheduled at %s, want %s", jobAt, at)
	}
	// Read through the cache now, so a stale entry would show below.
	if st, _ := s.articleState(t, editor, id); st != "DRAFT" {
		t.Fatalf("status before the time = %q, want DRAFT", st)
	}
	if st, _ := s.articleState(t, nil, id); st != "" {
		t.Fatalf("an anonymous reader sees the scheduled draft (%q)", st)
	}

	timeComes(t)
	states := publishJobsDone(t)
	if states["completed"] != 1 {
		t.Fatalf("publication jobs = %v, want one completed", states)
	}
	st, publishAt := s.articleState(t, nil, id)
	if st != "PUBLISHED" || publishAt != nil {
		t.Fatalf("after the time an anonymous reader sees status %q, publishAt %v; want PUBLISHED and no schedule", st, publishAt)
	}
	// The same events as publishing by hand: one webhook delivery, one
	// event for subscribers.
	waitFor(t, "the delivery to succeed", 10*time.Second, func() bool {
		d := s.deliveries(t, admin)
		return len(d) == 1 && d[0].Status == "SUCCEEDED"
	})
	if n := len(rcv.received()); n != 1 {
		t.Fatalf("receiver got %d deliveries, want 1", n)
	}
	if n := s.hub.Stats().Published; n != 1 {
		t.Fatalf("live events raised = %d, want 1 (article published)", n)
	}
}

func TestScheduleArticle_ExactlyOnceOnTwoInstances(t *testing.T) {
	clearPublishJobs(t)
	s := newScheduled(t)
	// A second instance: its own queue with workers, over the same
	// database, publishing through its own writes.
	startQueue(t, &queueOptions{publisher: s.writer})
	admin, editor := s.person(t, folio.RoleAdmin), s.person(t, folio.RoleEditor)
	rcv := newReceiver(t, ok)
	s.createWebhook(t, admin, rcv.URL+"/hooks", "ARTICLE_PUBLISHED")
	const n = 6
	ids := make([]string, n)
	for i := range ids {
		ids[i] = s.article(t, editor, "Twice is too many")
		if r := s.schedule(t, editor, ids[i], time.Now().Add(time.Hour)); len(r.UserErrors) > 0 {
			t.Fatalf("schedule: %+v", r.UserErrors)
		}
	}
	// A job run twice (river runs a job at least once) does nothing the
	// second time: duplicate every job, as a crash after the publication
	// and before river's bookkeeping would.
	if _, err := testDB.Pool.Exec(t.Context(), `INSERT INTO river_job (args, kind, max_attempts, queue, state, scheduled_at, priority)
		SELECT args, kind, max_attempts, queue, state, scheduled_at, priority FROM river_job WHERE kind = 'publish_article'`); err != nil {
		t.Fatal(err)
	}
	timeComes(t)
	if states := publishJobsDone(t); states["completed"] != 2*n {
		t.Fatalf("publication jobs = %v, want %d completed", states, 2*n)
	}
	for _, id := range ids {
		if st, _ := s.articleState(t, nil, id); st != "PUBLISHED" {
			t.Fatalf("article %s is %q, want PUBLISHED", id, st)
		}
	}
	waitFor(t, "the deliveries to succeed", 10*time.Second, func() bool {
		d := s.deliveries(t, admin)
		done := 0
		for _, x := range d {
			if x.Status == "SUCCEEDED" {
				done++
			}
		}
		return done == len(d) && len(d) >= n
	})
	if d := s.deliveries(t, admin); len(d) != n {
		t.Fatalf("%d article.published deliveries, want exactly %d (one per article)", len(d), n)
	}
}

func TestScheduleArticle_SurvivesRestart(t *testing.T) {
	clearPublishJobs(t)
	s := newScheduled(t)
	editor := s.person(t, folio.RoleEditor)
	id := s.article(t, editor, "Scheduled before a restart")
	if r := s.schedule(t, editor, id, time.Now().Add(time.Hour)); len(r.UserErrors) > 0 {
		t.Fatalf("schedule: %+v", r.UserErrors)
	}
	// The instance that scheduled it goes away before the time...
	stopQueue(t, s.queue)
	timeComes(t)
	// ...and another, started afterwards, publishes it.
	startQueue(t, &queueOptions{publisher: s.writer})
	if states := publishJobsDone(t); states["completed"] != 1 {
		t.Fatalf("publication jobs = %v, want one completed", states)
	}
	if st, _ := s.articleState(t, editor, id); st != "PUBLISHED" {
		t.Fatalf("status = %q, want PUBLISHED", st)
	}
}

func TestScheduleArticle_RescheduleAndUnschedule(t *testing.T) {
	clearPublishJobs(t)
	s := newScheduled(t)
	admin, editor := s.person(t, folio.RoleAdmin), s.person(t, folio.RoleEditor)
	rcv := newReceiver(t, ok)
	s.createWebhook(t, admin, rcv.URL+"/hooks", "ARTICLE_PUBLISHED")

	moved := s.article(t, editor, "Moved to later")
	s.schedule(t, editor, moved, time.Now().Add(time.Hour))
	later := time.Now().Add(2 * time.Hour).Truncate(time.Microsecond)
	if r := s.schedule(t, editor, moved, later); r.Article == nil || !r.Article.PublishAt.Equal(later) || r.Article.Version != 3 {
		t.Fatalf("reschedule = %+v, want publishAt %s at version 3", r, later)
	}

	dropped := s.article(t, editor, "Called off")
	s.schedule(t, editor, dropped, time.Now().Add(time.Hour))
	var out struct {
		UnscheduleArticle scheduleResult `json:"unscheduleArticle"`
	}
	s.OK(t, editor, unscheduleArticle, map[string]any{"in": map[string]any{"id": dropped}}, &out)
	if a := out.UnscheduleArticle.Article; a == nil || a.PublishAt != nil || a.Status != "DRAFT" {
		t.Fatalf("unschedule = %+v, want a draft without a schedule", out.UnscheduleArticle)
	}
	// Unscheduling again changes nothing.
	s.OK(t, editor, unscheduleArticle, map[string]any{"in": map[string]any{"id": dropped}}, &out)
	if a := out.UnscheduleArticle.Article; a == nil || a.Version != 3 {
		t.Fatalf("second unschedule = %+v, want version 3 unchanged", out.UnscheduleArticle)
	}

	byHand := s.article(t, editor, "Published by hand first")
	s.schedule(t, editor, byHand, time.Now().Add(time.Hour))
	s.publish(t, editor, byHand)
	if _, at := s.articleState(t, editor, byHand); at != nil {
		t.Fatalf("published by hand, the article keeps its schedule %s", at)
	}

	// Every job's time comes, the superseded ones' too: only the moved
	// article's current schedule publishes.
	timeComes(t)
	if states := publishJobsDone(t); states["completed"] != 4 {
		t.Fatalf("publication jobs = %v, want 4 completed (3 doing nothing)", states)
	}
	if st, _ := s.articleState(t, editor, moved); st != "PUBLISHED" {
		t.Fatalf("rescheduled article is %q, want PUBLISHED", st)
	}
	if st, _ := s.articleState(t, editor, dropped); st != "DRAFT" {
		t.Fatalf("unscheduled article is %q, want DRAFT", st)
	}
	waitFor(t, "the deliveries to succeed", 10*time.Second, func() bool {
		d := s.deliveries(t, admin)
		return len(d) == 2 && d[0].Status == "SUCCEEDED" && d[1].Status == "SUCCEEDED"
	})
	if n := len(rcv.received()); n != 2 {
		t.Fatalf("receiver got %d publications, want 2 (by hand, and the moved one)", n)
	}
}

func TestScheduleArticle_Refused(t *testing.T) {
	clearPublishJobs(t)
	s := newScheduled(t)
	editor, author, reader := s.person(t, folio.RoleEditor), s.person(t, folio.RoleAuthor), s.person(t, folio.RoleReader)
	own := s.article(t, author, "The author's own draft")
	future := time.Now().Add(time.Hour)
	vars := func(id string, at time.Time, extra ...any) map[string]any {
		in := map[string]any{"id": id, "publishAt": at.UTC().Format(time.RFC3339Nano)}
		for i := 0; i+1 < len(extra); i += 2 {
			in[extra[i].(string)] = extra[i+1]
		}
		return map[string]any{"in": in}
	}

	t.Run("Anonymous", func(t *testing.T) {
		wantErrCode(t, s.Do(t, nil, scheduleArticle, vars(own, future)), "UNAUTHENTICATED")
	})
	t.Run("Reader", func(t *testing.T) {
		wantErrCode(t, s.Do(t, reader, scheduleArticle, vars(own, future)), "FORBIDDEN")
	})
	t.Run("AuthorOwnDraft", func(t *testing.T) {
		// Scheduling is publishing later: editors only.
		wantErrCode(t, s.Do(t, author, scheduleArticle, vars(own, future)), "FORBIDDEN")
		wantErrCode(t, s.Do(t, author, unscheduleArticle, map[string]any{"in": map[string]any{"id": own}}), "FORBIDDEN")
	})
	t.Run("InThePast", func(t *testing.T) {
		r := s.schedule(t, editor, own, time.Now().Add(-time.Minute))
		wantFieldErrors(t, r.UserErrors, "publishAt:INVALID")
	})
	t.Run("Published", func(t *testing.T) {
		pub := s.article(t, editor, "Out already")
		s.publish(t, editor, pub)
		r := s.schedule(t, editor, pub, future)
		wantFieldErrors(t, r.UserErrors, "id:INVALID")
	})
	t.Run("StaleVersion", func(t *testing.T) {
		var out struct {
			ScheduleArticle scheduleResult `json:"scheduleArticle"`
		}
		s.OK(t, editor, scheduleArticle, vars(own, future, "expectedVersion", 7), &out)
		wantFieldErrors(t, out.ScheduleArticle.UserErrors, "expectedVersion:CONFLICT")
	})
	t.Run("NotAnArticle", func(t *testing.T) {
		wantErrCode(t, s.Do(t, editor, scheduleArticle, vars(globalUserID(), future)), "BAD_USER_INPUT")
	})
	if states := publishJobs(t); len(states) != 0 {
		t.Fatalf("refused schedules queued jobs: %v", states)
	}
	// A draft whose scheduler lost the right to publish stays a draft.
	t.Run("SchedulerDemoted", func(t *testing.T) {
		demoted := s.person(t, folio.RoleEditor)
		id := s.article(t, demoted, "Scheduled by someone since demoted")
		s.schedule(t, demoted, id, future)
		if _, err := testDB.Pool.Exec(t.Context(), `UPDATE users SET role = 'author' WHERE id = (SELECT author_id FROM articles WHERE title = 'Scheduled by someone since demoted')`); err != nil {
			t.Fatal(err)
		}
		timeComes(t)
		if states := publishJobsDone(t); states["cancelled"] != 1 {
			t.Fatalf("publication jobs = %v, want one cancelled", states)
		}
		if st, _ := s.articleState(t, editor, id); st != "DRAFT" {
			t.Fatalf("status = %q, want DRAFT", st)
		}
	})
}

func wantErrCode(t *testing.T, r interface{ Code() string }, code string) {
	t.Helper()
	if got := r.Code(); got != code {
		t.Fatalf("code = %q, want %q (%+v)", got, code, r)
	}
}

func wantFieldErrors(t *testing.T, got []userError, want ...string) {
	t.Helper()
	var g []string
	for _, e := range got {
		f := ""
		if e.Field != nil {
			f = *e.Field
		}
		g = append(g, f+":"+e.Code)
	}
	if len(g) != len(want) {
		t.Fatalf("userErrors = %v, want %v", g, want)
	}
	for i := range g {
		if g[i] != want[i] {
			t.Fatalf("userErrors = %v, want %v", g, want)
		}
	}
}

func globalUserID() string { return folio.NodeID(folio.KindUser, 1) }
