package graph

import (
	"context"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
)

// The taxonomy mutations (editors and admins). schema.resolvers.go hands
// each to one of these, so the editorial work stays in files of its own.

func (r *mutationResolver) createTag(ctx context.Context, in model.CreateTagInput) (*model.TagPayload, error) {
	nt := folio.NewTag{Name: in.Name, Slug: deref(in.Slug)}
	err := nt.Normalize()
	p := &model.TagPayload{}
	if err == nil {
		p.Tag, err = changedTag(r.Writer.CreateTag(ctx, folio.ViewerFrom(ctx), nt))
	}
	return p, splitUserErrors(&p.UserErrors, err)
}

func (r *mutationResolver) updateTag(ctx context.Context, in model.UpdateTagInput) (*model.TagPayload, error) {
	id, err := parseIDOf("id", in.ID, folio.KindTag)
	if err != nil {
		return nil, err // the target, not a detail of the input
	}
	patch := folio.TagPatch{ID: id, Name: in.Name, Slug: in.Slug}
	err = patch.Normalize()
	p := &model.TagPayload{}
	if err == nil {
		p.Tag, err = changedTag(r.Writer.UpdateTag(ctx, folio.ViewerFrom(ctx), patch))
	}
	return p, splitUserErrors(&p.UserErrors, err)
}

func (r *mutationResolver) mergeTags(ctx context.Context, in model.MergeTagsInput) (*model.MergeTagsPayload, error) {
	from, fromErr := idList("from", in.From, folio.KindTag)
	into, intoErr := parseIDOf("into", in.Into, folio.KindTag)
	err := collect(fromErr, intoErr)
	if err == nil {
		err = folio.CheckTagMerge(from, into)
	}
	p := &model.MergeTagsPayload{MergedTagIds: []string{}}
	if err == nil {
		var ch *folio.TagChange
		if ch, err = r.Writer.MergeTags(ctx, folio.ViewerFrom(ctx), from, into); err == nil {
			p.Tag = ch.Tag
			for _, t := range ch.Removed {
				p.MergedTagIds = append(p.MergedTagIds, t.NodeID())
			}
		}
	}
	return p, splitUserErrors(&p.UserErrors, err)
}

func (r *mutationResolver) deleteTag(ctx context.Context, in model.DeleteTagInput) (*model.DeleteTagPayload, error) {
	id, err := parseIDOf("id", in.ID, folio.KindTag)
	if err != nil {
		return nil, err
	}
	p := &model.DeleteTagPayload{}
	if _, err = r.Writer.DeleteTag(ctx, folio.ViewerFrom(ctx), id); err == nil {
		gid := folio.NodeID(folio.KindTag, id)
		p.DeletedTagID = &gid
	}
	return p, splitUserErrors(&p.UserErrors, err)
}

func changedTag(ch *folio.TagChange, err error) (*folio.Tag, error) {
	if err != nil {
		return nil, err
	}
	return ch.Tag, nil
}

func (r *mutationResolver) createCategory(ctx context.Context, in model.CreateCategoryInput) (*model.CategoryPayload, error) {
	nc := folio.NewCategory{Name: in.Name, Slug: deref(in.Slug), Description: deref(in.Description)}
	if in.Position != nil {
		nc.Position = *in.Position
	}
	err := nc.Normalize()
	p := &model.CategoryPayload{}
	if err == nil {
		p.Category, err = changedCategory(r.Writer.CreateCategory(ctx, folio.ViewerFrom(ctx), nc))
	}
	return p, splitUserErrors(&p.UserErrors, err)
}

func (r *mutationResolver) updateCategory(ctx context.Context, in model.UpdateCategoryInput) (*model.CategoryPayload, error) {
	id, err := parseIDOf("id", in.ID, folio.KindCategory)
	if err != nil {
		return nil, err // the target, not a detail of the input
	}
	patch := folio.CategoryPatch{ID: id, Name: in.Name, Slug: in.Slug, Description: in.Description, Position: in.Position}
	err = patch.Normalize()
	p := &model.CategoryPayload{}
	if err == nil {
		p.Category, err = changedCategory(r.Writer.UpdateCategory(ctx, folio.ViewerFrom(ctx), patch))
	}
	return p, splitUserErrors(&p.UserErrors, err)
}

func (r *mutationResolver) mergeCategories(ctx context.Context, in model.MergeCategoriesInput) (*model.MergeCategoriesPayload, error) {
	from, fromErr := idList("from", in.From, folio.KindCategory)
	into, intoErr := parseIDOf("into", in.Into, folio.KindCategory)
	err := collect(fromErr, intoErr)
	if err == nil {
		err = folio.CheckTagMerge(from, into)
	}
	p := &model.MergeCategoriesPayload{MergedCategoryIds: []string{}}
	if err == nil {
		var ch *folio.CategoryChange
		if ch, err = r.Writer.MergeCategories(ctx, folio.ViewerFrom(ctx), from, into); err == nil {
			p.Category = ch.Category
			for _, c := range ch.Removed {
				p.MergedCategoryIds = append(p.MergedCategoryIds, c.NodeID())
			}
		}
	}
	return p, splitUserErrors(&p.UserErrors, err)
}

func (r *mutationResolver) deleteCategory(ctx context.Context, in model.DeleteCategoryInput) (*model.DeleteCategoryPayload, error) {
	id, err := parseIDOf("id", in.ID, folio.KindCategory)
	if err != nil {
		return nil, err
	}
	p := &model.DeleteCategoryPayload{}
	if _, err = r.Writer.DeleteCategory(ctx, folio.ViewerFrom(ctx), id); err == nil {
		gid := folio.NodeID(folio.KindCategory, id)
		p.DeletedCategoryID = &gid
	}
	return p, splitUserErrors(&p.UserErrors, err)
}

func changedCategory(ch *folio.CategoryChange, err error) (*folio.Category, error) {
	if err != nil {
		return nil, err
	}
	return ch.Category, nil
}
