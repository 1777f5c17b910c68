package graph

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/webhook"
)

// eventType is the domain's name of a schema event: ARTICLE_PUBLISHED →
// article.published.
func eventType(e model.WebhookEvent) folio.EventType {
	return folio.EventType(strings.ToLower(strings.Replace(string(e), "_", ".", 1)))
}

// webhookEvent is the schema's name of a domain event.
func webhookEvent(t folio.EventType) model.WebhookEvent {
	return model.WebhookEvent(strings.ToUpper(strings.Replace(string(t), ".", "_", 1)))
}

func eventTypes(field string, in []model.WebhookEvent) ([]folio.EventType, error) {
	out := make([]folio.EventType, len(in))
	for i, e := range in {
		out[i] = eventType(e)
	}
	events, ferr := folio.NormalizeEvents(field, out)
	if ferr != nil {
		return nil, ferr
	}
	return events, nil
}

// checkWebhookURL checks a webhook URL's form and, through the guard, where
// its host resolves: an internal address is refused now, before anything
// is stored (and again at each delivery, by the sender's dialer).
func (r *Resolver) checkWebhookURL(ctx context.Context, raw string) error {
	u, ferr := folio.ValidateWebhookURL(raw)
	if ferr != nil {
		return ferr
	}
	guard := r.WebhookGuard
	if guard == nil {
		guard = &webhook.Guard{}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := guard.Resolve(ctx, u.Hostname()); err != nil {
		if errors.Is(err, webhook.ErrForbiddenAddress) {
			return folio.InvalidField("url", "Webhooks may not point at private, loopback, link-local or metadata addresses.")
		}
		return folio.InvalidField("url", "The URL's host does not resolve: check its spelling.")
	}
	return nil
}

// webhooks is the store of webhooks, which refuses all but admins.
func (r *Resolver) webhooks() (folio.WebhookStore, error) {
	if r.Webhooks == nil {
		return nil, errors.New("webhooks are not configured")
	}
	return r.Webhooks, nil
}

// graceUntil is when a secret rotated out now stops signing.
func (r *Resolver) graceUntil() time.Time {
	grace := r.WebhookSecretGrace
	if grace <= 0 {
		grace = 24 * time.Hour
	}
	return time.Now().Add(grace)
}

// newWebhookSecret makes a signing secret, whsec_….
func newWebhookSecret() string { return webhook.NewSecret() }
