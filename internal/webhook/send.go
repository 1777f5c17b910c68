package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/folio/folio/internal/folio"
)

// Sender posts deliveries to their webhooks.
type Sender struct {
	Guard *Guard
	// Timeout bounds one attempt, connection to last byte; 0 means 10 s.
	Timeout time.Duration
	// Now is the clock of the timestamps; nil means time.Now.
	Now func() time.Time

	client *http.Client
}

// NewSender returns a Sender whose connections go through g.
func NewSender(g *Guard, timeout time.Duration) *Sender {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would connect where the guard cannot look
		DialContext:           g.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          50,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &Sender{Guard: g, Timeout: timeout, client: &http.Client{
		Transport: tr, Timeout: timeout,
		// A redirect is a failure: following it would leave the URL an
		// admin approved.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Send posts d to w, signed by w's secrets, and returns the response's
// status code (nil when none came) and, unless it was 2xx, why it failed,
// in words fit for the delivery's record.
func (s *Sender) Send(ctx context.Context, w *folio.Webhook, d *folio.WebhookDelivery) (*int, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	sig, err := Sign(w.Secrets(now), d.EventID, now, d.Payload)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return nil, fmt.Errorf("bad webhook URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Folio-Webhooks/1")
	req.Header.Set(HeaderID, d.EventID)
	req.Header.Set(HeaderTimestamp, fmt.Sprint(now.Unix()))
	req.Header.Set(HeaderSignature, sig)
	res, err := s.client.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, ErrForbiddenAddress):
			return nil, ErrForbiddenAddress
		case errors.Is(err, context.DeadlineExceeded):
			return nil, fmt.Errorf("no answer within %s", s.Timeout)
		}
		return nil, fmt.Errorf("post failed: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	code := res.StatusCode
	if code < 200 || code > 299 {
		return &code, fmt.Errorf("receiver answered %d", code)
	}
	return &code, nil
}
