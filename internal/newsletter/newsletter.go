// Package newsletter is the newsletter's rules: double opt-in with a
// confirmation token that the service makes, hashes and gives a lifetime,
// over a folio.NewsletterStore that keeps the subscriptions and sends the
// mail. The clear token is never stored: the store keeps its hash and a
// reference the mail job makes it again from (auth.MailTokens).
package newsletter

import (
	"context"
	"fmt"
	"time"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
)

// TokenTTL is how long a confirmation link works.
const TokenTTL = 48 * time.Hour

// Service subscribes, confirms and unsubscribes addresses. The zero value
// with a Store is ready to use.
type Service struct {
	Store folio.NewsletterStore
	// Now is the clock tokens expire by; nil means time.Now.
	Now func() time.Time
	// Tokens makes confirmation tokens (auth.PurposeNewsletterConfirm);
	// the mail job needs the same keys to make them again.
	Tokens auth.MailTokens
	// Throttle limits subscriptions per recipient and per client; nil
	// limits nothing.
	Throttle *auth.Throttle
	// Links verifies unsubscribe links; without a key none is valid.
	Links Links
}

// Subscribe records a pending subscription of email and queues the mail
// carrying its confirmation token, which works for TokenTTL. It returns the
// address as stored (normalized); EInvalid on field "email" for something
// that is not an address; ERateLimited when the address or the client
// (clientAddr) asked too often.
func (s Service) Subscribe(ctx context.Context, email, clientAddr string) (string, error) {
	email, err := normalize(email)
	if err != nil {
		return "", err
	}
	if wait := s.Throttle.Subscribe(ctx, email, clientAddr); wait > 0 {
		return "", &folio.Error{Code: folio.ERateLimited, RetryAfter: wait,
			Message: fmt.Sprintf("Too many subscription requests for this address or from yours: try again in %d seconds.", int((wait+time.Second-1)/time.Second))}
	}
	ref, token, err := s.Tokens.New()
	if err != nil {
		return "", fmt.Errorf("confirmation token: %w", err)
	}
	if err := s.Store.SubscribeNewsletter(ctx, email, ref, auth.HashToken(token), s.now().Add(TokenTTL)); err != nil {
		return "", err
	}
	return email, nil
}

// Confirm confirms the subscription token was sent for and returns its
// address; EInvalid on field "token" when the token is unknown, used or
// expired.
func (s Service) Confirm(ctx context.Context, token string) (string, error) {
	return s.Store.ConfirmNewsletter(ctx, auth.HashToken(token))
}

// normalize checks an address, keeping a nil *folio.Error from becoming a
// non-nil error.
func normalize(email string) (string, error) {
	email, ferr := folio.NormalizeEmail("email", email)
	if ferr != nil {
		return "", ferr
	}
	return email, nil
}

func (s Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}
