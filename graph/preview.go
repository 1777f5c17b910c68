package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/auth"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
)

// previewPrefix starts every preview token, so one is recognised (in a
// log, a leak report) for what it is.
const previewPrefix = "fpv_"

// withPreview widens the request's viewer to the draft a Folio-Preview
// token grants. A token that grants nothing (unknown, expired, revoked, or
// made for an older version) refuses the request, so that a build or a
// reviewer learns why the draft is not there; without the header nothing
// changes. httpapi and the response cache keep such answers out of shared
// caches.
func withPreview(store folio.PreviewStore, log *slog.Logger, next http.Handler) http.Handler {
	if store == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.Header.Get(httpapi.PreviewHeader)
		if token == "" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Cache-Control", "private, no-store")
		refused := folio.Errorf(folio.EUnauthenticated, "The %s token is unknown, expired, revoked, or made for an older version of its article: ask for a new preview link.", httpapi.PreviewHeader)
		if !strings.HasPrefix(token, previewPrefix) {
			httpapi.WriteError(w, r, refused)
			return
		}
		g, ok, err := store.PreviewGrant(r.Context(), auth.HashToken(token))
		if err != nil {
			log.ErrorContext(r.Context(), "check preview token", "error", err)
			httpapi.WriteError(w, r, folio.Errorf(folio.EInternal, "The preview token could not be checked."))
			return
		}
		if !ok {
			httpapi.WriteError(w, r, refused)
			return
		}
		v := folio.ViewerFrom(r.Context())
		v.Preview = g
		next.ServeHTTP(w, r.WithContext(folio.WithViewer(r.Context(), v)))
	})
}

func (r *Resolver) createPreviewToken(ctx context.Context, input model.CreatePreviewTokenInput) (*model.CreatePreviewTokenPayload, error) {
	id, err := parseIDOf("articleId", input.ArticleID, folio.KindArticle)
	if err != nil {
		return nil, err
	}
	secs := folio.DefaultPreviewSeconds
	if input.ExpiresIn != nil {
		secs = *input.ExpiresIn
	}
	p := &model.CreatePreviewTokenPayload{}
	if err = folio.CheckPreviewSeconds("expiresIn", secs); err == nil {
		if r.Previews == nil {
			return nil, errors.New("preview tokens: no store configured")
		}
		token := previewPrefix + auth.NewToken()
		expires := time.Now().Add(time.Duration(secs) * time.Second)
		if p.PreviewToken, err = r.Previews.CreatePreviewToken(ctx, folio.ViewerFrom(ctx), id, auth.HashToken(token), expires); err == nil {
			p.Token = &token
		}
	}
	return p, splitUserErrors(&p.UserErrors, err)
}

func (r *Resolver) revokePreviewToken(ctx context.Context, input model.RevokePreviewTokenInput) (*model.RevokePreviewTokenPayload, error) {
	id, err := parseIDOf("id", input.ID, folio.KindPreviewToken)
	if err != nil {
		return nil, err
	}
	if r.Previews == nil {
		return nil, errors.New("preview tokens: no store configured")
	}
	p := &model.RevokePreviewTokenPayload{}
	p.PreviewToken, err = r.Previews.RevokePreviewToken(ctx, folio.ViewerFrom(ctx), id)
	return p, splitUserErrors(&p.UserErrors, err)
}
