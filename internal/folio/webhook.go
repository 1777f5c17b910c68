package folio

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
)

// EventType names something that happened, as webhooks announce it.
type EventType string

// The events a webhook may subscribe to.
const (
	EventArticlePublished EventType = "article.published"
	EventArticleUpdated   EventType = "article.updated"
	EventArticleArchived  EventType = "article.archived"
	EventArticleDeleted   EventType = "article.deleted"
	EventCommentAdded     EventType = "comment.added"
)

// EventTypes are every event, in the order documentation lists them.
var EventTypes = []EventType{EventArticlePublished, EventArticleUpdated, EventArticleArchived, EventArticleDeleted, EventCommentAdded}

// Webhook is an endpoint that receives signed events.
type Webhook struct {
	ID     int64
	URL    string
	Events []EventType
	// Secret signs deliveries (whsec_…). PreviousSecret signs them too until
	// PreviousSecretUntil, so that receivers can switch during a rotation.
	Secret              string
	PreviousSecret      string
	PreviousSecretUntil *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Secrets are the secrets that sign a delivery made at now: the current one
// first, then the previous one during its grace period.
func (w *Webhook) Secrets(now time.Time) []string {
	s := []string{w.Secret}
	if w.PreviousSecret != "" && w.PreviousSecretUntil != nil && now.Before(*w.PreviousSecretUntil) {
		s = append(s, w.PreviousSecret)
	}
	return s
}

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// The delivery statuses: pending until the receiver answers 2xx
// (succeeded); failed while retries remain; discarded when they ran out.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySucceeded DeliveryStatus = "succeeded"
	DeliveryFailed    DeliveryStatus = "failed"
	DeliveryDiscarded DeliveryStatus = "discarded"
)

// WebhookDelivery is one event sent (or to send) to one webhook.
type WebhookDelivery struct {
	ID           int64
	WebhookID    int64
	EventID      string
	EventType    EventType
	Payload      []byte // the JSON body, as sent
	Status       DeliveryStatus
	Attempts     int
	LastError    *string
	ResponseCode *int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DeliveredAt  *time.Time
}

// NewWebhook is the input of a new webhook.
type NewWebhook struct {
	URL    string
	Events []EventType
}

// WebhookPatch changes a webhook; nil fields stay as they are.
type WebhookPatch struct {
	ID     int64
	URL    *string
	Events *[]EventType
}

// DeliveryAttempt is the outcome of one attempt to deliver.
type DeliveryAttempt struct {
	ResponseCode *int
	Err          string // empty when the receiver accepted it
	// Final says no retry follows a failure: the delivery is discarded.
	Final bool
}

// WebhookStore keeps webhooks and their deliveries. Every method is for
// admins: others get EForbidden. Unknown IDs are ENotFound.
type WebhookStore interface {
	CreateWebhook(ctx context.Context, v Viewer, in NewWebhook, secret string) (*Webhook, error)
	Webhooks(ctx context.Context, v Viewer) ([]*Webhook, error)
	UpdateWebhook(ctx context.Context, v Viewer, p WebhookPatch) (*Webhook, error)
	// RotateWebhookSecret makes secret the signing secret and keeps the old
	// one signing until graceUntil.
	RotateWebhookSecret(ctx context.Context, v Viewer, id int64, secret string, graceUntil time.Time) (*Webhook, error)
	DeleteWebhook(ctx context.Context, v Viewer, id int64) (*Webhook, error)
	// WebhookDeliveries lists a webhook's deliveries, newest first, at most limit.
	WebhookDeliveries(ctx context.Context, v Viewer, webhookID int64, limit int) ([]*WebhookDelivery, error)
	// RedeliverWebhook queues a delivery again, whatever its status.
	RedeliverWebhook(ctx context.Context, v Viewer, deliveryID int64) (*WebhookDelivery, error)
}

// MaxWebhookURL is the longest URL a webhook may have.
const MaxWebhookURL = 2048

// ValidateWebhookURL checks the form of a webhook URL: absolute, http or
// https, with a host and no credentials. Where it points is checked by the
// sender's address guard.
func ValidateWebhookURL(raw string) (*url.URL, *Error) {
	if raw == "" || len(raw) > MaxWebhookURL {
		return nil, InvalidField("url", "Give the endpoint's URL, at most %d characters.", MaxWebhookURL)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, InvalidField("url", "The URL must be absolute and start with http:// or https://.")
	}
	if u.User != nil {
		return nil, InvalidField("url", "The URL must not carry credentials: deliveries are signed instead.")
	}
	return u, nil
}

// NormalizeEvents checks a list of event names, dropping repeats.
func NormalizeEvents(field string, in []EventType) ([]EventType, *Error) {
	if len(in) == 0 {
		return nil, InvalidField(field, "Name at least one event.")
	}
	var out []EventType
	for _, e := range in {
		if !slices.Contains(EventTypes, e) {
			names := make([]string, len(EventTypes))
			for i, t := range EventTypes {
				names[i] = string(t)
			}
			return nil, InvalidField(field, "Unknown event %q: the events are %s.", e, strings.Join(names, ", "))
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// OutboxMail is a message waiting in the e-mail outbox.
type OutboxMail struct {
	ID        int64
	Recipient string
	Kind      string // "newsletter_confirm", "verify_email", "signup_attempt", "comment_reply"
	// Ref is what the mail's token is made from again (auth.MailTokens);
	// the token itself is never stored. Token is the clear token of a row
	// written before that was so; both are empty once sent.
	Ref   string
	Token string
	// Payload is the message's data as JSON (a reply: the article, who
	// replied, what they said); emptied once sent.
	Payload []byte
	SentAt  *time.Time
}

// EmailVerificationTTL is how long the link mailed at sign-up works. An
// account still unverified after it holds its address only until someone
// signs up with that address again, which replaces it: signing up with
// someone else's address cannot keep them out.
const EmailVerificationTTL = 48 * time.Hour

// MailToken is what is stored of a token mailed in a link: its hash, which
// finds the record when the link comes back, its deadline, and the
// reference the mail job makes the token again from.
type MailToken struct {
	Ref     string
	Hash    []byte
	Expires time.Time
}
