// Package jobs is Folio's durable job queue: river over the same Postgres,
// so that a write and the jobs it causes commit together. It runs the
// workers (in the server, or in `folio worker`) and counts what they do.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/mail"
	"github.com/folio/folio/internal/webhook"
)

// QueueWebhooks is the queue of webhook deliveries.
const QueueWebhooks = "webhooks"

// Store is what the delivery worker reads and writes.
type Store interface {
	// Delivery returns a delivery and its webhook; ENotFound when either
	// is gone.
	Delivery(ctx context.Context, id int64) (*folio.Webhook, *folio.WebhookDelivery, error)
	// RecordAttempt counts one attempt and its outcome.
	RecordAttempt(ctx context.Context, id int64, a folio.DeliveryAttempt) error
}

// Recorder counts what the queue does; *metrics.Metrics is one.
type Recorder interface {
	// JobDone counts a job that ran: outcome is "completed", "retry" or
	// "discarded"; wait is how long it queued, run how long it ran.
	JobDone(kind, outcome string, wait, run time.Duration)
}

// Options configure a Queue.
type Options struct {
	Pool   *pgxpool.Pool
	Store  Store
	Sender *webhook.Sender
	// Workers is how many jobs run at once; 0 makes a queue that only
	// inserts (the server with its workers off).
	Workers int
	// MaxAttempts is how many times a job runs before it is discarded.
	MaxAttempts int
	// RetryBase and RetryMax shape the backoff: about RetryBase·2ⁿ after the
	// nth failure, with jitter, at most RetryMax.
	RetryBase, RetryMax time.Duration
	// RescueAfter is how long a job may run (or sit running after its
	// process died) before it is run again.
	RescueAfter time.Duration
	Logger      *slog.Logger
	Metrics     Recorder // nil counts nothing
	// MailStore, Mailer and LinkBase (the site the links in mails point
	// to) send the outbox's mail; with Mailer nil, no mail is sent.
	MailStore MailStore
	Mailer    mail.Sender
	LinkBase  string
	// UnsubscribeURL is the signed one-click unsubscribe link of an
	// address, carried by every newsletter mail.
	UnsubscribeURL func(email string) string
	// Keys are the access-token keys (JWT_KEYS) the tokens mailed in links
	// are made again from (auth.MailTokens); nil sends no mail that
	// carries a token.
	Keys *auth.KeySet
	// Articles and Publisher run scheduled publications; with Publisher
	// nil this queue leaves them to one that has it.
	Articles  ScheduleStore
	Publisher Publisher
	// Images releases the images writes stopped referring to; with it nil
	// this queue leaves their jobs to one that has it.
	Images ImageReleaser
}

// Queue inserts jobs and, with workers, runs them.
type Queue struct {
	client  *river.Client[pgx.Tx]
	opts    Options
	stopSub func()
	done    chan struct{}
}

// pgxTx is the transaction jobs are inserted in.
type pgxTx = pgx.Tx

// DeliveryArgs is the job of one webhook delivery.
type DeliveryArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job in river's tables.
func (DeliveryArgs) Kind() string { return "webhook_delivery" }

// New builds a Queue; Start runs its workers.
func New(o Options) (*Queue, error) {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 30 * time.Second
	}
	if o.RetryMax <= 0 {
		o.RetryMax = time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	cfg := &river.Config{
		// River waits FetchCooldown (100 ms by default) between fetches of
		// at most a worker's worth of jobs each, which capped one process at
		// about 90 deliveries a second with 10 workers; a shorter cooldown
		// costs only queries while jobs are waiting.
		FetchCooldown: 10 * time.Millisecond,
		Logger:        o.Logger,
		MaxAttempts:   o.MaxAttempts,
		RetryPolicy:   Backoff{Base: o.RetryBase, Max: o.RetryMax},
		// A queue inserts jobs that another process may be the one to work
		// (a scheduled publication, mail without a mailer here).
		SkipUnknownJobCheck: true,
	}
	if o.Sender != nil {
		cfg.JobTimeout = o.Sender.Timeout + deliveryMargin
	}
	if o.RescueAfter > 0 {
		if o.RescueAfter <= cfg.JobTimeout {
			return nil, fmt.Errorf("jobs are rescued after %s, but one may run %s (the webhook timeout and %s): rescue them later", o.RescueAfter, cfg.JobTimeout, deliveryMargin)
		}
		cfg.RescueStuckJobsAfter = o.RescueAfter
	}
	if o.Workers > 0 {
		workers := river.NewWorkers()
		if err := river.AddWorkerSafely(workers, &deliveryWorker{store: o.Store, sender: o.Sender, log: o.Logger}); err != nil {
			return nil, fmt.Errorf("register the delivery worker: %w", err)
		}
		cfg.Queues = map[string]river.QueueConfig{QueueWebhooks: {MaxWorkers: o.Workers}}
		if o.Mailer != nil && o.MailStore != nil {
			if err := river.AddWorkerSafely(workers, newMailWorker(o)); err != nil {
				return nil, fmt.Errorf("register the mail worker: %w", err)
			}
			cfg.Queues[QueueMail] = river.QueueConfig{MaxWorkers: max(1, o.Workers/2)}
		} else {
			// No mailer here: mail jobs are still inserted (river would
			// refuse a kind this client cannot work) and wait in their
			// queue for a process that has one.
			cfg.SkipUnknownJobCheck = true
		}
		if o.Publisher != nil && o.Articles != nil {
			if err := river.AddWorkerSafely(workers, &publishWorker{store: o.Articles, publisher: o.Publisher, log: o.Logger}); err != nil {
				return nil, fmt.Errorf("register the publish worker: %w", err)
			}
			cfg.Queues[QueueSchedule] = river.QueueConfig{MaxWorkers: max(1, o.Workers/2)}
		}
		if o.Images != nil {
			if err := river.AddWorkerSafely(workers, &imageReleaseWorker{releaser: o.Images}); err != nil {
				return nil, fmt.Errorf("register the image release worker: %w", err)
			}
			cfg.Queues[QueueMedia] = river.QueueConfig{MaxWorkers: max(1, o.Workers/2)}
		}
		cfg.Workers = workers
	}
	client, err := river.NewClient(riverpgxv5.New(o.Pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return &Queue{client: client, opts: o}, nil
}

// InsertDeliveriesTx queues a delivery job per id inside tx: they exist if
// and only if tx commits.
func (q *Queue) InsertDeliveriesTx(ctx context.Context, tx pgx.Tx, ids []int64) error {
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: DeliveryArgs{DeliveryID: id}, InsertOpts: &river.InsertOpts{Queue: QueueWebhooks}}
	}
	if _, err := q.client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("insert delivery jobs: %w", err)
	}
	return nil
}

// Start runs the workers until Stop; a queue without workers does nothing.
func (q *Queue) Start(ctx context.Context) error {
	if q.opts.Workers <= 0 {
		return nil
	}
	if q.opts.Metrics != nil {
		events, stop := q.client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
		q.stopSub, q.done = stop, make(chan struct{})
		go q.count(events)
	}
	// Jobs run under their own context: the server's ending must not cut
	// them short; Stop decides how long they get.
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start the job queue: %w", err)
	}
	// The outbox may hold mail written before the queue existed: it gets
	// its jobs now, so nothing already in it is lost.
	if q.opts.Mailer != nil && q.opts.MailStore != nil {
		n, err := q.opts.MailStore.QueueUnsentMail(ctx)
		if err != nil {
			return fmt.Errorf("drain the outbox onto the queue: %w", err)
		}
		if n > 0 {
			q.opts.Logger.Info("queued mail waiting in the outbox", "count", n)
		}
	}
	return nil
}

// Stop stops fetching jobs and lets the running ones finish until ctx
// ends; then it cancels them, and river returns them to the queue as
// retryable (their handlers are idempotent). It returns once the workers
// are stopped.
func (q *Queue) Stop(ctx context.Context) error {
	if q.opts.Workers <= 0 {
		return nil
	}
	defer func() {
		if q.stopSub != nil {
			q.stopSub()
			<-q.done
		}
	}()
	err := q.client.Stop(ctx)
	if err == nil {
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("stop the job queue: %w", err)
	}
	q.opts.Logger.Warn("jobs still running at the shutdown timeout: cancelling them; they will run again")
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := q.client.StopAndCancel(hard); err != nil {
		return fmt.Errorf("cancel the running jobs: %w", err)
	}
	return nil
}

// count turns river's events into metrics.
func (q *Queue) count(events <-chan *river.Event) {
	defer close(q.done)
	for ev := range events {
		if ev.Job == nil {
			continue
		}
		outcome := "completed"
		switch {
		case ev.Kind == river.EventKindJobFailed && ev.Job.State == rivertype.JobStateDiscarded:
			outcome = "discarded"
		case ev.Kind == river.EventKindJobFailed:
			outcome = "retry"
		}
		var wait, run time.Duration
		if ev.JobStats != nil {
			wait, run = ev.JobStats.QueueWaitDuration, ev.JobStats.RunDuration
		}
		q.opts.Metrics.JobDone(ev.Job.Kind, outcome, wait, run)
	}
}

// Backoff is the retry policy: about Base·2ⁿ⁻¹ after the nth failure, at
// most Max, with "equal jitter" (half fixed, half random) so that jobs that
// failed together do not retry together.
type Backoff struct {
	Base, Max time.Duration
}

// NextRetry implements river.ClientRetryPolicy.
func (b Backoff) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(b.Delay(len(job.Errors) + 1))
}

// Delay is the wait after the nth failure.
func (b Backoff) Delay(n int) time.Duration {
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	half := d / 2
	return half + rand.N(half+1)
}

// Depth counts the queue's jobs by state, for metrics; completed and
// cancelled jobs, kept a while for inspection, are left out.
func (q *Queue) Depth(ctx context.Context) (map[string]int64, error) {
	rows, err := q.opts.Pool.Query(ctx, `SELECT state::text, count(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled') GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("queue depth: %w", err)
	}
	out := map[string]int64{}
	var state string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&state, &n}, func() error { out[state] = n; return nil })
	if err != nil {
		return nil, fmt.Errorf("queue depth: %w", err)
	}
	return out, nil
}
