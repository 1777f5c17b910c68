package live

import (
	"context"

	"github.com/folio/folio/internal/folio"
)

// Writer returns w decorated to raise an event after each write that
// subscribers hear of. Each write of w commits before it returns, so an
// event is never raised for a write that was rolled back; a nil Hub
// returns w.
func (h *Hub) Writer(w folio.Writer) folio.Writer {
	if h == nil {
		return w
	}
	return writer{Writer: w, h: h}
}

type writer struct {
	folio.Writer
	h *Hub
}

// SetArticleStatus implements folio.ArticleWriter: a publication is an
// event.
func (w writer) SetArticleStatus(ctx context.Context, v folio.Viewer, id int64, s folio.ArticleStatus, expected *int) (*folio.Article, error) {
	a, err := w.Writer.SetArticleStatus(ctx, v, id, s, expected)
	if err == nil && a.Status == folio.StatusPublished {
		w.h.Publish(ctx, Event{Kind: ArticlePublished, ArticleID: a.ID})
	}
	return a, err
}

// AddReaction implements folio.ArticleWriter.
func (w writer) AddReaction(ctx context.Context, v folio.Viewer, articleID int64, k folio.ReactionKind) error {
	err := w.Writer.AddReaction(ctx, v, articleID, k)
	if err == nil {
		w.h.Publish(ctx, Event{Kind: ReactionsChanged, ArticleID: articleID})
	}
	return err
}

// RemoveReaction implements folio.ArticleWriter.
func (w writer) RemoveReaction(ctx context.Context, v folio.Viewer, articleID int64, k folio.ReactionKind) error {
	err := w.Writer.RemoveReaction(ctx, v, articleID, k)
	if err == nil {
		w.h.Publish(ctx, Event{Kind: ReactionsChanged, ArticleID: articleID})
	}
	return err
}

// AddComment implements folio.CommentWriter.
func (w writer) AddComment(ctx context.Context, v folio.Viewer, in folio.NewComment) (*folio.Comment, error) {
	c, err := w.Writer.AddComment(ctx, v, in)
	if err == nil {
		w.h.Publish(ctx, Event{Kind: CommentAdded, ArticleID: c.ArticleID, CommentID: c.ID})
	}
	return c, err
}

// EditComment implements folio.CommentWriter.
func (w writer) EditComment(ctx context.Context, v folio.Viewer, id int64, body string) (*folio.Comment, error) {
	c, err := w.Writer.EditComment(ctx, v, id, body)
	if err == nil {
		w.h.Publish(ctx, Event{Kind: CommentEdited, ArticleID: c.ArticleID, CommentID: c.ID})
	}
	return c, err
}

// DeleteComment implements folio.CommentWriter.
func (w writer) DeleteComment(ctx context.Context, v folio.Viewer, id int64) (*folio.Comment, error) {
	c, err := w.Writer.DeleteComment(ctx, v, id)
	if err == nil {
		w.h.Publish(ctx, Event{Kind: CommentDeleted, ArticleID: c.ArticleID, CommentID: c.ID})
	}
	return c, err
}
