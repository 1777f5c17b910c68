package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/mail"
)

// QueueMail is the queue of e-mail.
const QueueMail = "mail"

// MailStore is what the mail worker reads and writes.
type MailStore interface {
	// OutboxMail returns a waiting message; ENotFound when it is gone.
	OutboxMail(ctx context.Context, id int64) (*folio.OutboxMail, error)
	// MarkMailSent records that it left and forgets its token.
	MarkMailSent(ctx context.Context, id int64) error
	// QueueUnsentMail gives every unsent, unqueued message its job.
	QueueUnsentMail(ctx context.Context) (int, error)
}

// MailArgs is the job of sending one outbox message.
type MailArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

// Kind names the job in river's tables.
func (MailArgs) Kind() string { return "email_outbox" }

// InsertMailTx queues a sending job per outbox id inside tx.
func (q *Queue) InsertMailTx(ctx context.Context, tx pgxTx, ids []int64) error {
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: MailArgs{OutboxID: id}, InsertOpts: &river.InsertOpts{Queue: QueueMail}}
	}
	if _, err := q.client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("insert mail jobs: %w", err)
	}
	return nil
}

// mailWorker sends one outbox message. A message marked sent is not sent
// again when its job runs twice.
type mailWorker struct {
	river.WorkerDefaults[MailArgs]
	store       MailStore
	sender      mail.Sender
	linkBase    string
	unsubscribe func(email string) string
	// tokens make the tokens of a kind of mail again from their reference.
	tokens map[string]auth.MailTokens
}

func newMailWorker(o Options) *mailWorker {
	w := &mailWorker{store: o.MailStore, sender: o.Mailer, linkBase: o.LinkBase, unsubscribe: o.UnsubscribeURL}
	if o.Keys != nil {
		w.tokens = map[string]auth.MailTokens{
			"newsletter_confirm": o.Keys.MailTokens(auth.PurposeNewsletterConfirm),
			"verify_email":       o.Keys.MailTokens(auth.PurposeVerifyEmail),
		}
	}
	return w
}

// token is the clear token m carries: made again from its reference, or
// read from a row written before tokens were made that way.
func (w *mailWorker) token(m *folio.OutboxMail) (string, error) {
	if m.Ref == "" {
		if m.Token == "" {
			return "", fmt.Errorf("%s mail %d has no token", m.Kind, m.ID)
		}
		return m.Token, nil
	}
	tokens, ok := w.tokens[m.Kind]
	if !ok {
		return "", fmt.Errorf("%s mail %d: no keys to make its token", m.Kind, m.ID)
	}
	return tokens.Token(m.Ref)
}

func (w *mailWorker) Timeout(*river.Job[MailArgs]) time.Duration { return time.Minute }

func (w *mailWorker) Work(ctx context.Context, job *river.Job[MailArgs]) error {
	m, err := w.store.OutboxMail(ctx, job.Args.OutboxID)
	if folio.ErrorCode(err) == folio.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if m.SentAt != nil {
		return nil
	}
	var msg mail.Message
	switch m.Kind {
	case "newsletter_confirm":
		var unsub string
		if w.unsubscribe != nil {
			unsub = w.unsubscribe(m.Recipient)
		}
		token, terr := w.token(m)
		if terr != nil {
			// Its key was rotated out: the link could not work.
			return river.JobCancel(terr)
		}
		msg, err = mail.NewsletterConfirmation(m.Recipient, w.linkBase, token, unsub)
	case "verify_email":
		token, terr := w.token(m)
		if terr != nil {
			return river.JobCancel(terr)
		}
		msg, err = mail.VerifyEmail(m.Recipient, w.linkBase, token)
	case "signup_attempt":
		msg, err = mail.SignUpAttempt(m.Recipient, w.linkBase)
	case "comment_reply":
		var p struct {
			CommentID                                int64
			ArticleTitle, ArticleSlug, Replier, Body string
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			return river.JobCancel(fmt.Errorf("reply mail %d: %w", m.ID, err))
		}
		msg, err = mail.CommentReply(mail.Reply{To: m.Recipient, Replier: p.Replier, ArticleTitle: p.ArticleTitle,
			ArticleSlug: p.ArticleSlug, Body: p.Body, CommentID: p.CommentID}, w.linkBase)
	default:
		// A kind this version cannot write: discard rather than retry.
		return river.JobCancel(fmt.Errorf("unknown mail kind %q", m.Kind))
	}
	if err != nil {
		return river.JobCancel(fmt.Errorf("render %s mail: %w", m.Kind, err))
	}
	if err := w.sender.Send(ctx, msg); err != nil {
		return fmt.Errorf("send mail %d: %w", m.ID, err)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return w.store.MarkMailSent(rctx, m.ID)
}
