package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/folio/folio/internal/folio"
)

// QueueSchedule is the queue of scheduled publications. Only a queue given
// a Publisher works it, so a process without the server's writes (their
// cache invalidation and subscriptions) never takes such a job.
const QueueSchedule = "schedule"

// PublishArgs is the job of publishing one scheduled article. At is the
// schedule it was queued for: when the article's schedule has changed
// since (rescheduled, taken off, published by hand), the job does nothing.
type PublishArgs struct {
	ArticleID int64     `json:"article_id"`
	At        time.Time `json:"publish_at"`
	// By is the user who scheduled it; the publication is theirs, with the
	// rights they have when it runs.
	By int64 `json:"by"`
}

// Kind names the job in river's tables.
func (PublishArgs) Kind() string { return "publish_article" }

// ScheduleStore reads, straight from the database, what a scheduled
// publication needs to check before it publishes.
type ScheduleStore interface {
	ArticlesByIDs(ctx context.Context, ids []int64) ([]*folio.Article, error)
	UsersByIDs(ctx context.Context, ids []int64) ([]*folio.User, error)
}

// Publisher publishes: the server's folio.Writer, decorated as for a
// request, so that a scheduled publication invalidates the caches, raises
// webhooks and tells subscribers exactly as publishing by hand does.
type Publisher interface {
	SetArticleStatus(ctx context.Context, v folio.Viewer, id int64, s folio.ArticleStatus, expectedVersion *int) (*folio.Article, error)
}

// InsertPublishTx queues the publication of an article at at inside tx.
func (q *Queue) InsertPublishTx(ctx context.Context, tx pgxTx, articleID int64, at time.Time, by int64) error {
	args := PublishArgs{ArticleID: articleID, At: at, By: by}
	if _, err := q.client.InsertTx(ctx, tx, args, &river.InsertOpts{Queue: QueueSchedule, ScheduledAt: at}); err != nil {
		return fmt.Errorf("insert publish job: %w", err)
	}
	return nil
}

// publishWorker publishes a scheduled article exactly once: it publishes
// through SetArticleStatus at the version it read, which also takes the
// schedule off in the same statement. A second run of the job (river runs
// a job at least once) or a job of a superseded schedule finds no
// matching schedule and does nothing; a write in between (an edit, a new
// schedule) makes the version stale, and the job reads again.
type publishWorker struct {
	river.WorkerDefaults[PublishArgs]
	store     ScheduleStore
	publisher Publisher
	log       *slog.Logger
}

func (w *publishWorker) Timeout(*river.Job[PublishArgs]) time.Duration { return 30 * time.Second }

// publishAttempts bounds the re-reads after concurrent writes, which each
// make progress for someone.
const publishAttempts = 5

func (w *publishWorker) Work(ctx context.Context, job *river.Job[PublishArgs]) error {
	args := job.Args
	for range publishAttempts {
		as, err := w.store.ArticlesByIDs(ctx, []int64{args.ArticleID})
		if err != nil {
			return err
		}
		if len(as) == 0 || as[0].PublishAt == nil || !as[0].PublishAt.Equal(args.At) {
			return nil // deleted, or its schedule changed: not this job's to publish
		}
		a := as[0]
		us, err := w.store.UsersByIDs(ctx, []int64{args.By})
		if err != nil {
			return err
		}
		v := folio.Viewer{UserID: args.By}
		if len(us) == 1 {
			v.Role = us[0].Role
		}
		_, err = w.publisher.SetArticleStatus(ctx, v, a.ID, folio.StatusPublished, &a.Version)
		if err == nil {
			w.log.Info("published on schedule", "article", a.ID, "publish_at", args.At, "by", args.By)
			return nil
		}
		switch folio.ErrorCode(err) {
		case folio.EConflict:
			continue // changed since the read: read again
		case folio.EForbidden, folio.ENotFound:
			// Whoever scheduled it may no longer publish: the schedule
			// stays, for an editor to see and set again.
			w.log.Warn("scheduled publication refused: its scheduler may no longer publish", "article", a.ID, "by", args.By, "error", err)
			return river.JobCancel(err)
		default:
			return err
		}
	}
	return fmt.Errorf("publish article %d: changed under the job %d times", args.ArticleID, publishAttempts)
}
