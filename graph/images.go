package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
)

// Images: article covers and avatars. A refused file is the field's error,
// with its own code (UNSUPPORTED_IMAGE_TYPE, IMAGE_TOO_LARGE,
// IMAGE_DIMENSIONS_TOO_LARGE, BAD_USER_INPUT on "file"), not a userError:
// there is nothing in it to correct, only another file to send. The
// description (alt) is input like any, in userErrors.

// imageURL is Image.url: the original's URL, or a narrower variant's.
func (r *Resolver) imageURL(img *folio.Image, width *int) (string, error) {
	if r.Media == nil {
		return "", errors.New("image url: no media store configured")
	}
	key := img.Key
	if width != nil {
		if *width < 1 {
			return "", folio.InvalidField("width", "Ask for a width of 1 pixel or more.")
		}
		key = img.KeyFor(*width)
	}
	return r.Media.URL(key), nil
}

// prepareUpload checks and re-encodes an uploaded file into an image to
// attach. The file's claimed type and name are not believed: its bytes
// say what it is.
func (r *Resolver) prepareUpload(ctx context.Context, file graphql.Upload, alt string) (*folio.NewImage, error) {
	if r.Media == nil {
		return nil, folio.Errorf(folio.EUploadsDisabled, "File uploads are off on this server.")
	}
	return r.Media.Prepare(ctx, file.File, file.Size, alt)
}

// mayChangeCover answers, before any file is read, what the write would
// refuse: an article the viewer may not see, or may not edit.
func mayChangeCover(ctx context.Context, v folio.Viewer, id int64) error {
	a, err := loader.For(ctx).ArticleByID.Load(ctx, id)
	if err != nil {
		return err
	}
	if a == nil || !v.CanSeeArticle(a) {
		return folio.Errorf(folio.ENotFound, "No article has this ID.")
	}
	if !v.CanEditArticle(a) {
		return folio.Errorf(folio.EForbidden, "Authors change the cover of their own drafts; editors of any article. You may not change this one's.")
	}
	return nil
}

func (r *mutationResolver) setArticleCoverImage(ctx context.Context, in model.SetArticleCoverImageInput) (*model.ArticleCoverImagePayload, error) {
	id, err := parseIDOf("articleId", in.ArticleID, folio.KindArticle)
	if err != nil {
		return nil, err
	}
	v := folio.ViewerFrom(ctx)
	if err := v.CheckVerified(); err != nil {
		return nil, err
	}
	p := &model.ArticleCoverImagePayload{}
	alt, err := folio.CheckAlt("alt", deref(in.Alt))
	if err != nil {
		return p, splitUserErrors(&p.UserErrors, err)
	}
	if err := mayChangeCover(ctx, v, id); err != nil {
		return nil, err
	}
	img, err := r.prepareUpload(ctx, in.File, alt)
	if err != nil {
		return nil, err
	}
	p.Article, err = r.Writer.SetArticleCover(ctx, v, id, img)
	return p, splitUserErrors(&p.UserErrors, err)
}

func (r *mutationResolver) removeArticleCoverImage(ctx context.Context, in model.RemoveArticleCoverImageInput) (*model.ArticleCoverImagePayload, error) {
	id, err := parseIDOf("articleId", in.ArticleID, folio.KindArticle)
	if err != nil {
		return nil, err
	}
	p := &model.ArticleCoverImagePayload{}
	p.Article, err = r.Writer.SetArticleCover(ctx, folio.ViewerFrom(ctx), id, nil)
	return p, splitUserErrors(&p.UserErrors, err)
}

func (r *mutationResolver) setAvatar(ctx context.Context, in model.SetAvatarInput) (*model.AvatarPayload, error) {
	v := folio.ViewerFrom(ctx)
	if err := v.CheckVerified(); err != nil {
		return nil, err
	}
	img, err := r.prepareUpload(ctx, in.File, "")
	if err != nil {
		return nil, err
	}
	p := &model.AvatarPayload{}
	p.User, err = r.Writer.SetAvatar(ctx, v, img)
	return p, splitUserErrors(&p.UserErrors, err)
}

func (r *mutationResolver) removeAvatar(ctx context.Context) (*model.AvatarPayload, error) {
	p := &model.AvatarPayload{}
	var err error
	p.User, err = r.Writer.SetAvatar(ctx, folio.ViewerFrom(ctx), nil)
	return p, splitUserErrors(&p.UserErrors, err)
}
