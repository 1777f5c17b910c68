package graph

import (
	"context"
	"net/http"
	"sync"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/folio"
)

// The sessions a request starts, and what they let its payload show.

// session hands a new session to the client. The request that made it
// still runs as the caller it came in as (anonymous, for a sign-in), so it
// notes the session's user as signed in for the rest of the request: the
// payload may show that user's own private fields.
func session(ctx context.Context, s *auth.Session) *model.Session {
	if s == nil {
		return nil
	}
	if st, ok := ctx.Value(sessionsKey{}).(*sessions); ok {
		st.mu.Lock()
		if st.users == nil {
			st.users = map[int64]bool{}
		}
		st.users[s.User.ID] = true
		st.mu.Unlock()
	}
	return &model.Session{AccessToken: s.AccessToken, AccessTokenExpiresAt: s.AccessExpiresAt,
		RefreshToken: s.RefreshToken, RefreshTokenExpiresAt: s.RefreshExpiresAt, User: s.User}
}

type sessionsKey struct{}

// sessions are the users a request signed in.
type sessions struct {
	mu    sync.Mutex
	users map[int64]bool // made on the first sign-in: most requests make none
}

func withSessions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), sessionsKey{}, &sessions{})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ownEmail shows u's email to u (signed in, or signed in by this request)
// and to admins; to nobody else.
func ownEmail(ctx context.Context, u *folio.User) *string {
	if folio.ViewerFrom(ctx).CanSeeEmail(u.ID) {
		return &u.Email
	}
	if st, ok := ctx.Value(sessionsKey{}).(*sessions); ok {
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.users[u.ID] {
			return &u.Email
		}
	}
	return nil
}

// clientAddr is the address the request came from, as the rate limiter
// resolved it (trusting X-Forwarded-For only from configured proxies): the
// sign-in throttle counts by it.
func clientAddr(ctx context.Context) string { return clientaddr.From(ctx).String() }
