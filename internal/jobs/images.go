package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// QueueMedia is the queue of image releases.
const QueueMedia = "media"

// ImageReleaseArgs is the job of releasing an image a write stopped
// referring to: deleting its files and record unless something refers to
// it again by then.
type ImageReleaseArgs struct {
	Key string `json:"key"`
}

// Kind names the job in river's tables.
func (ImageReleaseArgs) Kind() string { return "image_release" }

// ImageReleaser releases images (*media.Service).
type ImageReleaser interface {
	Release(ctx context.Context, key string) error
}

// InsertImageReleaseTx queues the release of image key inside tx.
func (q *Queue) InsertImageReleaseTx(ctx context.Context, tx pgxTx, key string) error {
	if _, err := q.client.InsertTx(ctx, tx, ImageReleaseArgs{Key: key}, &river.InsertOpts{Queue: QueueMedia}); err != nil {
		return fmt.Errorf("insert image release job: %w", err)
	}
	return nil
}

// imageReleaseWorker runs releases. A release is idempotent: one of an
// image already gone, or referred to again, does nothing; a failure (the
// bucket unreachable) leaves the image whole, and the job is retried.
type imageReleaseWorker struct {
	river.WorkerDefaults[ImageReleaseArgs]
	releaser ImageReleaser
}

func (w *imageReleaseWorker) Timeout(*river.Job[ImageReleaseArgs]) time.Duration { return time.Minute }

func (w *imageReleaseWorker) Work(ctx context.Context, job *river.Job[ImageReleaseArgs]) error {
	return w.releaser.Release(ctx, job.Args.Key)
}
