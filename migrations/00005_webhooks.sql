-- +goose Up

-- Webhooks: endpoints an admin registered, with the events they want. The
-- secret is kept in clear because it signs every delivery (HMAC); during a
-- rotation the previous one signs too, until previous_secret_until.
CREATE TABLE webhooks (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url                   text NOT NULL,
    events                text[] NOT NULL,
    secret                text NOT NULL,
    previous_secret       text,
    previous_secret_until timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_events_idx ON webhooks USING gin (events);

-- One row per event per webhook, written in the transaction of the write
-- that caused the event, beside the river job that delivers it. event_id
-- is the Standard Webhooks webhook-id: the same for every attempt, so that
-- receivers deduplicate by it.
CREATE TABLE webhook_deliveries (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id    bigint NOT NULL REFERENCES webhooks ON DELETE CASCADE,
    event_id      text NOT NULL,
    event_type    text NOT NULL,
    payload       text NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'discarded')),
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    response_code integer,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    delivered_at  timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id DESC);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
