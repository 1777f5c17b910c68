package graph

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/live"
	"github.com/folio/folio/internal/loader"
)

// Subscriptions: how an event from internal/live becomes a response.
//
// A subscription's resolver registers a live.Subscriber whose accept
// function checks, for each event, that this subscriber may see it. The
// event then waits in the subscriber's bounded buffer until the transport
// asks for the next response: liveEvents, around each response, takes it,
// puts in the context the loaders of the event shared by every subscriber
// of the same visibility class, and hands the event to the resolver's
// channel, from which gqlgen resolves its fields. One event to a thousand
// anonymous subscribers loads its rows once.

// stream is one subscription's state, from its resolver to its responses.
type stream struct {
	sub  *live.Subscriber
	push func(ctx context.Context, d live.Delivery) // hands the event to the resolver's channel
	gone chan struct{}                              // closed when the subscriber was dropped as too slow
	told bool                                       // the client was told why, once; the stream then ends
}

type streamKey struct{}

func streamFrom(ctx context.Context) *stream {
	s, _ := ctx.Value(streamKey{}).(*stream)
	return s
}

// liveEvents is the extension that runs subscriptions: it counts them
// against the connection's limit and feeds each its events.
type liveEvents struct {
	perConnection int
	store         folio.Store
}

var (
	_ graphql.HandlerExtension     = liveEvents{}
	_ graphql.OperationInterceptor = liveEvents{}
	_ graphql.ResponseInterceptor  = liveEvents{}
)

func (liveEvents) ExtensionName() string                   { return "LiveEvents" }
func (liveEvents) Validate(graphql.ExecutableSchema) error { return nil }

func isSubscription(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	op := graphql.GetOperationContext(ctx).Operation
	return op != nil && op.Operation == ast.Subscription
}

// InterceptOperation refuses a subscription over the connection's limit and
// gives the others their stream.
func (l liveEvents) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if !isSubscription(ctx) {
		return next(ctx)
	}
	if c := connFrom(ctx); c != nil && l.perConnection > 0 {
		if n := c.subs.Add(1); int(n) > l.perConnection {
			c.subs.Add(-1)
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
				Message:    "This connection has " + strconv.Itoa(l.perConnection) + " subscriptions already, the most it may have: stop one first.",
				Extensions: map[string]any{"code": extCode(folio.ERateLimited)},
			}}})
		}
		context.AfterFunc(ctx, func() { c.subs.Add(-1) })
	}
	return next(context.WithValue(ctx, streamKey{}, &stream{gone: make(chan struct{})}))
}

// InterceptResponse waits for the subscription's next event and resolves
// it with the event's shared loaders.
func (l liveEvents) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	st := streamFrom(ctx)
	if st == nil || st.sub == nil {
		return next(ctx)
	}
	c := connFrom(ctx)
	var refused chan struct{}
	if c != nil {
		refused = c.refused
	}
	select {
	case <-ctx.Done():
		return nil
	case <-refused:
		return refusedResponse(c, st)
	case <-st.gone:
		if st.told {
			return nil
		}
		st.told = true
		return &graphql.Response{Errors: gqlerror.List{{
			Message:    "Disconnected: events arrived faster than this client read them. Subscribe again.",
			Extensions: map[string]any{"code": extCode(folio.ERateLimited)},
		}}}
	case d := <-st.sub.C():
		if c != nil && c.recheck != nil {
			// Cached for LiveOptions.Recheck: not a round trip per event.
			c.recheck(ctx, false)
			if c.refusal() != nil {
				return refusedResponse(c, st)
			}
		}
		ctx = loader.With(ctx, eventLoaders(d, folio.ViewerFrom(ctx), l.store))
		st.push(ctx, d)
		return next(ctx)
	}
}

// refusedResponse ends a subscription whose connection's credentials were
// refused: a WebSocket is closed already (4401, 4403); an SSE stream gets
// the reason once, then ends.
func refusedResponse(c *connection, st *stream) *graphql.Response {
	if !c.sse || st.told {
		return nil
	}
	st.told = true
	fe := c.refusal()
	return &graphql.Response{Errors: gqlerror.List{{
		Message:    fe.Message,
		Extensions: map[string]any{"code": extCode(fe.Code)},
	}}}
}

// visibility is who sees the same rows: anonymous readers and readers see
// published articles (and a signed-in author their own drafts), editors
// see everything. Subscribers of one class share an event's loaders.
func visibility(v folio.Viewer) string {
	switch {
	case v.SeesAllDrafts():
		return "all"
	case v.Anonymous():
		return "public"
	default:
		return "user:" + strconv.FormatInt(v.UserID, 10)
	}
}

// eventLoaders are the loaders of event d for viewers like v.
func eventLoaders(d live.Delivery, v folio.Viewer, s folio.Store) *loader.Loaders {
	return d.Shared.Get(visibility(v), func() any { return loader.New(s, v) }).(*loader.Loaders)
}

// subscribe starts a subscription to topic: accept tells whether a
// delivery is for this subscriber (loading through the event's shared
// loaders), value makes its payload. The channel it returns is fed by
// liveEvents, one event per response.
// eventReads send an event's reads to the primary: an event follows its
// write at once, before a replica may have replayed it.
var eventReads = &folio.Reads{Primary: true}

func subscribe[T any](ctx context.Context, r *Resolver, topic live.Topic,
	accept func(ctx context.Context, l *loader.Loaders, v folio.Viewer, e live.Event) bool,
	value func(ctx context.Context, l *loader.Loaders, e live.Event) (T, error),
) (<-chan T, error) {
	st := streamFrom(ctx)
	if r.Live == nil || st == nil {
		return nil, folio.Errorf(folio.EInvalid, "Subscriptions are not served here: connect over WebSocket (graphql-transport-ws) or Server-Sent Events.")
	}
	v := folio.ViewerFrom(ctx)
	conn := connFrom(ctx)
	var slowOnce sync.Once
	st.sub = r.Live.Subscribe(topic,
		func(actx context.Context, d live.Delivery) bool {
			actx = folio.WithReads(actx, eventReads)
			return accept(actx, eventLoaders(d, v, r.Store), v, d.Event)
		},
		func() {
			slowOnce.Do(func() {
				close(st.gone)
				if conn != nil {
					conn.close(closePolicy, "slow consumer: events arrived faster than they were read")
				}
			})
		})
	context.AfterFunc(ctx, st.sub.Close)
	out := make(chan T, 1)
	st.push = func(ctx context.Context, d live.Delivery) {
		ctx = folio.WithReads(ctx, eventReads)
		val, err := value(ctx, loader.For(ctx), d.Event)
		if err != nil {
			graphql.AddError(ctx, err)
		}
		out <- val // never blocks: one event per response, received right after
	}
	return out, nil
}

// articleOf loads the article an event is about and tells whether v may
// see it.
func articleOf(ctx context.Context, l *loader.Loaders, v folio.Viewer, id int64) (*folio.Article, bool) {
	a, err := l.ArticleByID.Load(ctx, id)
	if err != nil || a == nil {
		return nil, false
	}
	return a, v.CanSeeArticle(a)
}

// subscribedArticle is the article a subscription names, which the
// subscriber must be able to read now.
func subscribedArticle(ctx context.Context, articleID string) (int64, error) {
	id, err := parseIDOf("articleId", articleID, folio.KindArticle)
	if err != nil {
		return 0, err
	}
	a, err := loader.For(ctx).ArticleByID.Load(ctx, id)
	if err != nil {
		return 0, err
	}
	if a == nil || !folio.ViewerFrom(ctx).CanSeeArticle(a) {
		return 0, &folio.Error{Code: folio.ENotFound, Field: "articleId", Message: "No article you may read has this ID."}
	}
	return id, nil
}

// commentEvent accepts an event on a comment the subscriber may see: on an
// article it may read, the comment of that article.
func commentEvent(kinds ...live.Kind) func(context.Context, *loader.Loaders, folio.Viewer, live.Event) bool {
	return func(ctx context.Context, l *loader.Loaders, v folio.Viewer, e live.Event) bool {
		if !slices.Contains(kinds, e.Kind) {
			return false
		}
		if _, ok := articleOf(ctx, l, v, e.ArticleID); !ok {
			return false
		}
		c, err := l.CommentByID.Load(ctx, e.CommentID)
		return err == nil && c != nil && c.ArticleID == e.ArticleID
	}
}

// threadEvents accepts commentEvents' events: those of commentEvent, and a
// deletion only for a subscriber who may have seen the comment: one it was
// sent, or one written before it subscribed (its thread query showed it).
// A subscriber who was refused the comment (the article was a draft then)
// never hears of its deletion. The dispatch goroutine alone calls it.
func threadEvents(now time.Time) func(context.Context, *loader.Loaders, folio.Viewer, live.Event) bool {
	visible := commentEvent(live.CommentAdded, live.CommentEdited, live.CommentDeleted)
	sent := map[int64]bool{}
	return func(ctx context.Context, l *loader.Loaders, v folio.Viewer, e live.Event) bool {
		if !visible(ctx, l, v, e) {
			return false
		}
		if e.Kind != live.CommentDeleted {
			if len(sent) < maxTracked {
				sent[e.CommentID] = true
			}
			return true
		}
		c, err := l.CommentByID.Load(ctx, e.CommentID)
		if err != nil || c == nil {
			return false
		}
		seen := sent[c.ID] || c.CreatedAt.Before(now)
		delete(sent, c.ID)
		return seen
	}
}

// maxTracked bounds the comments one subscriber's deletions are checked
// against.
const maxTracked = 10_000

func loadComment(ctx context.Context, l *loader.Loaders, e live.Event) (*folio.Comment, error) {
	return mustLoad(ctx, l.CommentByID, e.CommentID, "event comment")
}

var commentEventKinds = map[live.Kind]model.CommentEventKind{
	live.CommentAdded:   model.CommentEventKindAdded,
	live.CommentEdited:  model.CommentEventKindEdited,
	live.CommentDeleted: model.CommentEventKindDeleted,
}

// publishedMatches accepts a publication the subscriber may see, carrying
// every tag of tagSlugs and in category categorySlug when they are given.
func publishedMatches(tagSlugs []string, categorySlug *string) func(context.Context, *loader.Loaders, folio.Viewer, live.Event) bool {
	return func(ctx context.Context, l *loader.Loaders, v folio.Viewer, e live.Event) bool {
		a, ok := articleOf(ctx, l, v, e.ArticleID)
		if !ok || a.Status != folio.StatusPublished {
			return false
		}
		if categorySlug != nil {
			if a.CategoryID == nil {
				return false
			}
			c, err := l.CategoryByID.Load(ctx, *a.CategoryID)
			if err != nil || c == nil || c.Slug != *categorySlug {
				return false
			}
		}
		if len(tagSlugs) > 0 {
			tags, err := l.TagsOfArticle.Load(ctx, a.ID)
			if err != nil {
				return false
			}
			for _, want := range tagSlugs {
				if !slices.ContainsFunc(tags, func(t *folio.Tag) bool { return t.Slug == want }) {
					return false
				}
			}
		}
		return true
	}
}

// connection is one live connection (a WebSocket, or an SSE stream): its
// subscriptions, and how to end it.
type connection struct {
	subs    atomic.Int32
	closeFn func(code int, reason string)
	// sse: a Server-Sent Events stream, which has no close code: a refusal
	// is told as an error response, then the stream ends.
	sse bool

	// recheck checks the connection's credentials again, if the last check
	// is older than LiveOptions.Recheck or force; nil: anonymous, nothing
	// to check. A refusal ends the connection.
	recheck   func(ctx context.Context, force bool)
	checkMu   sync.Mutex
	checkedAt time.Time

	timerMu sync.Mutex
	timer   *time.Timer
	stopped bool

	refuseOnce sync.Once
	refused    chan struct{} // closed when the credentials were refused
	refusedErr atomic.Pointer[folio.Error]
}

func newConnection(sse bool) *connection {
	return &connection{sse: sse, refused: make(chan struct{})}
}

// refusal is why the connection's credentials were refused; nil while
// they hold.
func (c *connection) refusal() *folio.Error { return c.refusedErr.Load() }

// refuse ends the connection because its credentials no longer hold: a
// WebSocket closes with 4401 (revoked, signed out) or 4403 (rights
// lowered); an SSE stream's subscription gets fe as its last response.
func (c *connection) refuse(fe *folio.Error) {
	c.refuseOnce.Do(func() {
		c.refusedErr.Store(fe)
		close(c.refused)
		if c.sse {
			return
		}
		code, reason := closeUnauthorized, "Unauthorized: "
		if fe.Code == folio.EForbidden {
			code, reason = closeForbidden, "Forbidden: "
		}
		reason += fe.Message
		if len(reason) > 123 { // a close frame's limit
			reason = reason[:123]
		}
		c.close(code, reason)
	})
}

// stopWatch stops the timer of the credentials' checks.
func (c *connection) stopWatch() {
	c.timerMu.Lock()
	defer c.timerMu.Unlock()
	c.stopped = true
	if c.timer != nil {
		c.timer.Stop()
	}
}

// close ends the connection with a WebSocket close code and reason.
func (c *connection) close(code int, reason string) {
	if c != nil && c.closeFn != nil {
		c.closeFn(code, reason)
	}
}
