package graph

import (
	"context"
	"fmt"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/clientaddr"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/loader"
	"github.com/folio/folio/internal/markdown"
)

// The bodies of the mutation resolvers: decode the input, call the domain,
// split its error into userErrors and the field's error.

func (r *Resolver) signUp(ctx context.Context, in model.SignUpInput) (*model.SignUpPayload, error) {
	s, err := r.Auth.SignUp(ctx, folio.NewUser{Email: in.Email, Password: in.Password, Handle: in.Handle, DisplayName: in.DisplayName}, clientAddr(ctx))
	p := &model.SignUpPayload{Session: session(ctx, s)}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) signIn(ctx context.Context, in model.SignInInput) (*model.SignInPayload, error) {
	s, err := r.Auth.SignIn(ctx, in.Email, in.Password, clientAddr(ctx))
	p := &model.SignInPayload{Session: session(ctx, s)}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) refreshSession(ctx context.Context, in model.RefreshSessionInput) (*model.RefreshSessionPayload, error) {
	s, err := r.Auth.Refresh(ctx, in.RefreshToken)
	if err != nil {
		return nil, err // every refusal is UNAUTHENTICATED: sign in again
	}
	return &model.RefreshSessionPayload{Session: session(ctx, s), UserErrors: []*model.UserError{}}, nil
}

func (r *Resolver) signOut(ctx context.Context, in model.SignOutInput) (*model.SignOutPayload, error) {
	token := ""
	if in.RefreshToken != nil {
		token = *in.RefreshToken
	}
	ok, err := r.Auth.SignOut(ctx, folio.ViewerFrom(ctx), token, in.Everywhere != nil && *in.Everywhere)
	p := &model.SignOutPayload{SignedOut: ok}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) updateProfile(ctx context.Context, in model.UpdateProfileInput) (*model.UpdateProfilePayload, error) {
	patch := folio.ProfilePatch{DisplayName: in.DisplayName, Bio: in.Bio}
	patch.AvatarURL, patch.SetAvatarURL = in.AvatarURL.ValueOK()
	err := patch.Normalize()
	var u *folio.User
	if err == nil {
		u, err = r.Writer.UpdateProfile(ctx, folio.ViewerFrom(ctx), patch)
	}
	p := &model.UpdateProfilePayload{User: u}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) setUserRole(ctx context.Context, in model.SetUserRoleInput) (*model.SetUserRolePayload, error) {
	id, err := parseIDOf("userId", in.UserID, kindUser)
	var u *folio.User
	if err == nil {
		u, err = r.Writer.SetUserRole(ctx, folio.ViewerFrom(ctx), id, roleOf(in.Role))
	}
	p := &model.SetUserRolePayload{User: u}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) createAPIKey(ctx context.Context, in model.CreateAPIKeyInput) (*model.CreateAPIKeyPayload, error) {
	k, secret, err := r.Auth.CreateAPIKey(ctx, folio.ViewerFrom(ctx), in.Name)
	p := &model.CreateAPIKeyPayload{APIKey: k}
	if err == nil {
		p.Secret = &secret
	}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) revokeAPIKey(ctx context.Context, in model.RevokeAPIKeyInput) (*model.RevokeAPIKeyPayload, error) {
	id, err := parseIDOf("id", in.ID, kindAPIKey)
	var k *folio.APIKey
	if err == nil {
		k, err = r.Auth.RevokeAPIKey(ctx, folio.ViewerFrom(ctx), id)
	}
	p := &model.RevokeAPIKeyPayload{APIKey: k}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) createArticle(ctx context.Context, in model.CreateArticleInput) (*model.CreateArticlePayload, error) {
	na := folio.NewArticle{Title: in.Title, Body: in.Body, Excerpt: deref(in.Excerpt), Slug: deref(in.Slug)}
	var catErr, tagErr error
	na.CategoryID, catErr = optionalID("categoryId", in.CategoryID, kindCategory)
	na.TagIDs, tagErr = idList("tagIds", in.TagIds, kindTag)
	err := collect(catErr, tagErr, na.Normalize())
	var a *folio.Article
	if err == nil {
		a, err = r.Writer.CreateArticle(ctx, folio.ViewerFrom(ctx), na)
	}
	p := &model.CreateArticlePayload{Article: a}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) updateArticle(ctx context.Context, in model.UpdateArticleInput) (*model.UpdateArticlePayload, error) {
	id, err := parseIDOf("id", in.ID, kindArticle)
	if err != nil {
		return nil, err // the target, not a detail of the input
	}
	patch := folio.ArticlePatch{ID: id, ExpectedVersion: in.ExpectedVersion, Title: in.Title, Body: in.Body, Excerpt: in.Excerpt, Slug: in.Slug}
	var catErr, tagErr error
	if c, ok := in.CategoryID.ValueOK(); ok {
		patch.SetCategory = true
		patch.CategoryID, catErr = optionalID("categoryId", c, kindCategory)
	}
	if in.TagIds != nil {
		var tags []int64
		tags, tagErr = idList("tagIds", in.TagIds, kindTag)
		patch.TagIDs = &tags
	}
	err = collect(catErr, tagErr, patch.Normalize())
	var a *folio.Article
	if err == nil {
		a, err = r.Writer.UpdateArticle(ctx, folio.ViewerFrom(ctx), patch)
	}
	p := &model.UpdateArticlePayload{Article: a}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) setArticleStatus(ctx context.Context, in model.ArticleStatusInput, s folio.ArticleStatus) (*model.ArticleStatusPayload, error) {
	id, err := parseIDOf("id", in.ID, kindArticle)
	if err != nil {
		return nil, err
	}
	a, err := r.Writer.SetArticleStatus(ctx, folio.ViewerFrom(ctx), id, s, in.ExpectedVersion)
	p := &model.ArticleStatusPayload{Article: a}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) deleteArticle(ctx context.Context, in model.DeleteArticleInput) (*model.DeleteArticlePayload, error) {
	id, err := parseIDOf("id", in.ID, kindArticle)
	if err != nil {
		return nil, err
	}
	if _, err := r.Writer.DeleteArticle(ctx, folio.ViewerFrom(ctx), id); err != nil {
		p := &model.DeleteArticlePayload{}
		p.UserErrors, err = userErrorsOf(err)
		return p, err
	}
	gid := globalID(kindArticle, id)
	return &model.DeleteArticlePayload{DeletedArticleID: &gid, UserErrors: []*model.UserError{}}, nil
}

func (r *Resolver) addComment(ctx context.Context, in model.AddCommentInput) (*model.AddCommentPayload, error) {
	articleID, err := parseIDOf("articleId", in.ArticleID, kindArticle)
	if err != nil {
		return nil, err
	}
	nc := folio.NewComment{ArticleID: articleID}
	var parentErr, bodyErr error
	nc.ParentID, parentErr = optionalID("parentId", in.ParentID, kindComment)
	nc.Body, bodyErr = folio.CheckCommentBody("body", in.Body)
	err = collect(parentErr, bodyErr)
	var c *folio.Comment
	if err == nil {
		c, err = r.Writer.AddComment(ctx, folio.ViewerFrom(ctx), nc)
	}
	p := &model.AddCommentPayload{Comment: c}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) editComment(ctx context.Context, in model.EditCommentInput) (*model.EditCommentPayload, error) {
	id, err := parseIDOf("id", in.ID, kindComment)
	if err != nil {
		return nil, err
	}
	body, err := folio.CheckCommentBody("body", in.Body)
	var c *folio.Comment
	if err == nil {
		c, err = r.Writer.EditComment(ctx, folio.ViewerFrom(ctx), id, body)
	}
	p := &model.EditCommentPayload{Comment: c}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) deleteComment(ctx context.Context, in model.DeleteCommentInput) (*model.DeleteCommentPayload, error) {
	id, err := parseIDOf("id", in.ID, kindComment)
	if err != nil {
		return nil, err
	}
	c, err := r.Writer.DeleteComment(ctx, folio.ViewerFrom(ctx), id)
	p := &model.DeleteCommentPayload{Comment: c}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) react(ctx context.Context, in model.ReactionInput, add bool) (*model.ReactionPayload, error) {
	id, err := parseIDOf("articleId", in.ArticleID, kindArticle)
	if err != nil {
		return nil, err
	}
	v, kind := folio.ViewerFrom(ctx), reactionOf(in.Kind)
	if add {
		err = r.Writer.AddReaction(ctx, v, id, kind)
	} else {
		err = r.Writer.RemoveReaction(ctx, v, id, kind)
	}
	var a *folio.Article
	if err == nil {
		a, err = mustLoad(ctx, loader.For(ctx).ArticleByID, id, "article")
	}
	p := &model.ReactionPayload{Article: a}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) subscribeNewsletter(ctx context.Context, in model.SubscribeNewsletterInput) (*model.SubscribeNewsletterPayload, error) {
	email, err := r.newsletter().Subscribe(ctx, in.Email)
	p := &model.SubscribeNewsletterPayload{}
	if err == nil {
		p.Email = &email
	}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) confirmNewsletter(ctx context.Context, in model.ConfirmNewsletterInput) (*model.ConfirmNewsletterPayload, error) {
	email, err := r.newsletter().Confirm(ctx, in.Token)
	p := &model.ConfirmNewsletterPayload{}
	if err == nil {
		p.Email = &email
	}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func (r *Resolver) unsubscribeNewsletter(ctx context.Context, in model.UnsubscribeNewsletterInput) (*model.UnsubscribeNewsletterPayload, error) {
	err := r.newsletter().Unsubscribe(ctx, in.Email)
	p := &model.UnsubscribeNewsletterPayload{Ok: err == nil}
	p.UserErrors, err = userErrorsOf(err)
	return p, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// bodyHTML renders an article's Markdown to sanitised HTML.
func bodyHTML(a *folio.Article) (string, error) {
	if a.BodyOmitted { // a list row read without its body: a bug, never an empty page
		return "", fmt.Errorf("render article %d: row read without its body", a.ID)
	}
	html, err := markdown.HTML(a.Body)
	if err != nil {
		return "", fmt.Errorf("render article %d: %w", a.ID, err)
	}
	return html, nil
}

// clientAddr is the address the request came from, as the rate limiter
// resolved it (trusting X-Forwarded-For only from configured proxies): the
// sign-in throttle counts by it.
func clientAddr(ctx context.Context) string { return clientaddr.From(ctx).String() }
