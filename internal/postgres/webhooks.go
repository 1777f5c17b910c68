package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// JobInserter puts the jobs a write causes into the job queue inside the
// write's own transaction: a committed write has its jobs, a rolled-back
// one has none.
type JobInserter interface {
	// InsertDeliveriesTx queues one delivery job per webhook_deliveries id.
	InsertDeliveriesTx(ctx context.Context, tx pgx.Tx, deliveryIDs []int64) error
	// InsertMailTx queues one sending job per email_outbox id.
	InsertMailTx(ctx context.Context, tx pgx.Tx, outboxIDs []int64) error
	// InsertPublishTx queues the publication of an article at at, by the
	// user by who scheduled it.
	InsertPublishTx(ctx context.Context, tx pgx.Tx, articleID int64, at time.Time, by int64) error
	// InsertImageReleaseTx queues the release of an image a write stopped
	// referring to (DB.ReleaseImage).
	InsertImageReleaseTx(ctx context.Context, tx pgx.Tx, key string) error
}

// SetJobs makes the writes announce their events to webhooks through j;
// until it is called (and with nil) writes announce nothing. Call it before
// serving.
func (db *DB) SetJobs(j JobInserter) { db.jobs = j }

// event is the body of a webhook delivery, in the Standard Webhooks shape.
type event struct {
	Type      folio.EventType `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      any             `json:"data"`
}

// articleEvent is what an article event tells: enough to find the article
// (by slug through the API) and what changed.
type articleEvent struct {
	ID          int64      `json:"id"`
	Slug        string     `json:"slug"`
	Title       string     `json:"title"`
	Status      string     `json:"status"`
	AuthorID    int64      `json:"authorId"`
	Version     int        `json:"version"`
	PublishedAt *time.Time `json:"publishedAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
}

type commentEvent struct {
	ID        int64     `json:"id"`
	ArticleID int64     `json:"articleId"`
	AuthorID  int64     `json:"authorId"`
	ParentID  *int64    `json:"parentId"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"createdAt"`
}

func articleData(a *folio.Article) articleEvent {
	return articleEvent{ID: a.ID, Slug: a.Slug, Title: a.Title, Status: string(a.Status), AuthorID: a.AuthorID,
		Version: a.Version, PublishedAt: a.PublishedAt, UpdatedAt: a.UpdatedAt}
}

func commentData(c *folio.Comment) commentEvent {
	return commentEvent{ID: c.ID, ArticleID: c.ArticleID, AuthorID: c.AuthorID, ParentID: c.ParentID, Body: c.Body, CreatedAt: c.CreatedAt}
}

// newEventID makes the id receivers deduplicate by: evt_ and 128 random bits.
func newEventID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return "evt_" + hex.EncodeToString(b)
}

// insertDeliveries writes one delivery per webhook that wants the event.
const insertDeliveries = `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
SELECT id, $1, $2, $3 FROM webhooks WHERE $2 = ANY (events)
RETURNING id`

// emit announces an event inside tx: a delivery row for each webhook that
// wants it, and their jobs, in the write's transaction.
func (db *DB) emit(ctx context.Context, tx pgx.Tx, typ folio.EventType, data any) error {
	if db.jobs == nil {
		return nil
	}
	body, err := json.Marshal(event{Type: typ, Timestamp: time.Now().UTC(), Data: data})
	if err != nil {
		return fmt.Errorf("encode %s event: %w", typ, err)
	}
	rows, err := tx.Query(ctx, insertDeliveries, newEventID(), string(typ), string(body))
	if err != nil {
		return fmt.Errorf("record %s deliveries: %w", typ, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("record %s deliveries: %w", typ, err)
	}
	if len(ids) == 0 {
		return nil
	}
	if err := db.jobs.InsertDeliveriesTx(ctx, tx, ids); err != nil {
		return fmt.Errorf("queue %s deliveries: %w", typ, err)
	}
	return nil
}

const webhookCols = `id, url, events, secret, COALESCE(previous_secret, ''), previous_secret_until, created_at, updated_at`

func scanWebhook(row pgx.Row) (*folio.Webhook, error) {
	var w folio.Webhook
	var events []string
	if err := row.Scan(&w.ID, &w.URL, &events, &w.Secret, &w.PreviousSecret, &w.PreviousSecretUntil, &w.CreatedAt, &w.UpdatedAt); err != nil {
		return nil, err
	}
	for _, e := range events {
		w.Events = append(w.Events, folio.EventType(e))
	}
	return &w, nil
}

func eventNames(events []folio.EventType) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = string(e)
	}
	return out
}

func mayManageWebhooks(v folio.Viewer) error {
	if !v.Is(folio.RoleAdmin) {
		return folio.Errorf(folio.EForbidden, "Only admins manage webhooks.")
	}
	return nil
}

// webhookResult reads one webhook row, a missing one as not found.
func webhookResult(row pgx.Row, what string) (*folio.Webhook, error) {
	w, err := scanWebhook(row)
	if isNoRows(err) {
		return nil, folio.Errorf(folio.ENotFound, "No webhook has this ID.")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, translate(err))
	}
	return w, nil
}

// CreateWebhook registers an endpoint (admins).
func (db *DB) CreateWebhook(ctx context.Context, v folio.Viewer, in folio.NewWebhook, secret string) (*folio.Webhook, error) {
	if err := mayManageWebhooks(v); err != nil {
		return nil, err
	}
	return webhookResult(db.Pool.QueryRow(ctx, `INSERT INTO webhooks (url, events, secret) VALUES ($1, $2, $3) RETURNING `+webhookCols,
		in.URL, eventNames(in.Events), secret), "create webhook")
}

// Webhooks lists every webhook, oldest first (admins).
func (db *DB) Webhooks(ctx context.Context, v folio.Viewer) ([]*folio.Webhook, error) {
	if err := mayManageWebhooks(v); err != nil {
		return nil, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+webhookCols+` FROM webhooks ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*folio.Webhook, error) { return scanWebhook(r) })
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", translate(err))
	}
	return out, nil
}

// UpdateWebhook changes a webhook's URL or events (admins).
func (db *DB) UpdateWebhook(ctx context.Context, v folio.Viewer, p folio.WebhookPatch) (*folio.Webhook, error) {
	if err := mayManageWebhooks(v); err != nil {
		return nil, err
	}
	var events []string
	if p.Events != nil {
		events = eventNames(*p.Events)
	}
	return webhookResult(db.Pool.QueryRow(ctx, `UPDATE webhooks SET url = COALESCE($2, url), events = COALESCE($3, events), updated_at = now()
WHERE id = $1 RETURNING `+webhookCols, p.ID, p.URL, events), "update webhook")
}

// RotateWebhookSecret replaces the signing secret, the old one signing
// along until graceUntil (admins).
func (db *DB) RotateWebhookSecret(ctx context.Context, v folio.Viewer, id int64, secret string, graceUntil time.Time) (*folio.Webhook, error) {
	if err := mayManageWebhooks(v); err != nil {
		return nil, err
	}
	return webhookResult(db.Pool.QueryRow(ctx, `UPDATE webhooks SET previous_secret = secret, previous_secret_until = $3, secret = $2, updated_at = now()
WHERE id = $1 RETURNING `+webhookCols, id, secret, graceUntil), "rotate webhook secret")
}

// DeleteWebhook removes a webhook and its deliveries (admins); jobs still
// queued for it find nothing and end.
func (db *DB) DeleteWebhook(ctx context.Context, v folio.Viewer, id int64) (*folio.Webhook, error) {
	if err := mayManageWebhooks(v); err != nil {
		return nil, err
	}
	return webhookResult(db.Pool.QueryRow(ctx, `DELETE FROM webhooks WHERE id = $1 RETURNING `+webhookCols, id), "delete webhook")
}

const deliveryCols = `d.id, d.webhook_id, d.event_id, d.event_type, d.payload, d.status, d.attempts, d.last_error,
d.response_code, d.created_at, d.updated_at, d.delivered_at`

func scanDelivery(row pgx.Row, extra ...any) (*folio.WebhookDelivery, error) {
	var d folio.WebhookDelivery
	var payload string
	dest := append([]any{&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &payload, &d.Status, &d.Attempts, &d.LastError,
		&d.ResponseCode, &d.CreatedAt, &d.UpdatedAt, &d.DeliveredAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	d.Payload = []byte(payload)
	return &d, nil
}

// WebhookDeliveries lists a webhook's deliveries, newest first (admins).
func (db *DB) WebhookDeliveries(ctx context.Context, v folio.Viewer, webhookID int64, limit int) ([]*folio.WebhookDelivery, error) {
	if err := mayManageWebhooks(v); err != nil {
		return nil, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries d WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT $2`, webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*folio.WebhookDelivery, error) { return scanDelivery(r) })
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", translate(err))
	}
	return out, nil
}

// RedeliverWebhook sets a delivery pending again and queues its job, in
// one transaction (admins). Its event id stays: a receiver that had it
// already sees the same id.
func (db *DB) RedeliverWebhook(ctx context.Context, v folio.Viewer, deliveryID int64) (*folio.WebhookDelivery, error) {
	if err := mayManageWebhooks(v); err != nil {
		return nil, err
	}
	if db.jobs == nil {
		return nil, fmt.Errorf("redeliver %d: no job queue configured", deliveryID)
	}
	return inTxReturning(ctx, db, "redeliver", func(tx pgx.Tx) (*folio.WebhookDelivery, error) {
		d, err := scanDelivery(tx.QueryRow(ctx, `UPDATE webhook_deliveries d SET status = 'pending', updated_at = now()
WHERE d.id = $1 RETURNING `+deliveryCols, deliveryID))
		if isNoRows(err) {
			return nil, folio.Errorf(folio.ENotFound, "No webhook delivery has this ID.")
		}
		if err != nil {
			return nil, fmt.Errorf("redeliver %d: %w", deliveryID, translate(err))
		}
		if err := db.jobs.InsertDeliveriesTx(ctx, tx, []int64{d.ID}); err != nil {
			return nil, fmt.Errorf("queue redelivery %d: %w", d.ID, err)
		}
		return d, nil
	})
}

// Delivery returns a delivery with its webhook, for the job that sends it;
// ENotFound when either is gone (the webhook was deleted).
func (db *DB) Delivery(ctx context.Context, id int64) (*folio.Webhook, *folio.WebhookDelivery, error) {
	row := db.Pool.QueryRow(ctx, `SELECT `+deliveryCols+`, w.url, w.secret, COALESCE(w.previous_secret, ''), w.previous_secret_until
FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1`, id)
	var w folio.Webhook
	d, err := scanDelivery(row, &w.URL, &w.Secret, &w.PreviousSecret, &w.PreviousSecretUntil)
	if isNoRows(err) {
		return nil, nil, folio.Errorf(folio.ENotFound, "No webhook delivery has this ID.")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read delivery %d: %w", id, translate(err))
	}
	w.ID = d.WebhookID
	return &w, d, nil
}

// RecordAttempt counts one attempt at a delivery and its outcome.
func (db *DB) RecordAttempt(ctx context.Context, id int64, a folio.DeliveryAttempt) error {
	status := folio.DeliverySucceeded
	switch {
	case a.Err != "" && a.Final:
		status = folio.DeliveryDiscarded
	case a.Err != "":
		status = folio.DeliveryFailed
	}
	_, err := db.Pool.Exec(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, last_error = NULLIF($3, ''),
response_code = $4, updated_at = now(), delivered_at = CASE WHEN $2 = 'succeeded' THEN now() ELSE delivered_at END WHERE id = $1`,
		id, string(status), a.Err, a.ResponseCode)
	if err != nil {
		return fmt.Errorf("record attempt at delivery %d: %w", id, translate(err))
	}
	return nil
}

// queueMail hands outbox rows to the queue inside tx and marks them queued.
func (db *DB) queueMail(ctx context.Context, tx pgx.Tx, ids []int64) error {
	if db.jobs == nil || len(ids) == 0 {
		return nil
	}
	if err := db.jobs.InsertMailTx(ctx, tx, ids); err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE email_outbox SET queued_at = now() WHERE id = ANY($1)`, ids); err != nil {
		return fmt.Errorf("mark mail queued: %w", err)
	}
	return nil
}

// QueueUnsentMail drains the outbox onto the queue: every row neither sent
// nor queued (those written before the queue existed, or while it was not
// configured) gets its job, in one transaction. Rows another process is
// queueing are skipped. It returns how many it queued.
func (db *DB) QueueUnsentMail(ctx context.Context) (int, error) {
	if db.jobs == nil {
		return 0, nil
	}
	return inTxReturning(ctx, db, "queue unsent mail", func(tx pgx.Tx) (int, error) {
		rows, err := tx.Query(ctx, `SELECT id FROM email_outbox WHERE sent_at IS NULL AND queued_at IS NULL ORDER BY id FOR UPDATE SKIP LOCKED`)
		if err != nil {
			return 0, fmt.Errorf("find unsent mail: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return 0, fmt.Errorf("find unsent mail: %w", err)
		}
		return len(ids), db.queueMail(ctx, tx, ids)
	})
}

// OutboxMail reads one outbox row for the job that sends it.
func (db *DB) OutboxMail(ctx context.Context, id int64) (*folio.OutboxMail, error) {
	var m folio.OutboxMail
	var payload string
	err := db.Pool.QueryRow(ctx, `SELECT id, recipient::text, kind, COALESCE(payload->>'ref', ''), COALESCE(payload->>'token', ''), payload::text, sent_at FROM email_outbox WHERE id = $1`, id).
		Scan(&m.ID, &m.Recipient, &m.Kind, &m.Ref, &m.Token, &payload, &m.SentAt)
	m.Payload = []byte(payload)
	if isNoRows(err) {
		return nil, folio.Errorf(folio.ENotFound, "No mail has this ID.")
	}
	if err != nil {
		return nil, fmt.Errorf("read mail %d: %w", id, translate(err))
	}
	return &m, nil
}

// MarkMailSent records that a mail left, and forgets its payload (a token's
// reference, or the clear token of an older row).
func (db *DB) MarkMailSent(ctx context.Context, id int64) error {
	if _, err := db.Pool.Exec(ctx, `UPDATE email_outbox SET sent_at = now(), payload = '{}' WHERE id = $1`, id); err != nil {
		return fmt.Errorf("mark mail %d sent: %w", id, translate(err))
	}
	return nil
}
