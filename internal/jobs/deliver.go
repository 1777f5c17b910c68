package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/webhook"
)

// deliveryWorker sends one webhook delivery. It is idempotent: a delivery
// already accepted by its receiver is not sent again when its job runs a
// second time (after a crash between the send and river's bookkeeping, the
// receiver may still see it twice, with one event id to deduplicate by).
type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	store  Store
	sender *webhook.Sender
	log    *slog.Logger
}

// Timeout bounds one run: the send's own timeout and a margin for the
// bookkeeping around it.
func (w *deliveryWorker) Timeout(*river.Job[DeliveryArgs]) time.Duration {
	return w.sender.Timeout + deliveryMargin
}

// deliveryMargin is a delivery job's time beyond the send's own timeout.
const deliveryMargin = 10 * time.Second

func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	id := job.Args.DeliveryID
	hook, d, err := w.store.Delivery(ctx, id)
	if folio.ErrorCode(err) == folio.ENotFound {
		return nil // its webhook was deleted: nothing to send
	}
	if err != nil {
		return err
	}
	if d.Status == folio.DeliverySucceeded {
		return nil // delivered by an earlier run of this job
	}
	code, sendErr := w.sender.Send(ctx, hook, d)
	a := folio.DeliveryAttempt{ResponseCode: code, Final: job.Attempt >= job.MaxAttempts}
	if sendErr != nil {
		a.Err = sendErr.Error()
	}
	// The record is written even if the job's context ended meanwhile.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := w.store.RecordAttempt(rctx, id, a); err != nil {
		return err
	}
	if sendErr != nil {
		w.log.Info("webhook delivery failed", "delivery", id, "webhook", hook.ID, "event", d.EventID, "attempt", job.Attempt, "final", a.Final, "error", sendErr)
		return fmt.Errorf("deliver %d: %w", id, sendErr)
	}
	return nil
}
