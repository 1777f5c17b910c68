package cache

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/folio/folio/internal/folio"
)

func same(s string) string { return s }

func (c *Store) articles() kind[*folio.Article] {
	return kind[*folio.Article]{name: "article", field: "slug",
		id: func(a *folio.Article) int64 { return a.ID }, key: func(a *folio.Article) string { return a.Slug },
		byID: c.Store.ArticlesByIDs, byName: c.Store.ArticlesBySlugs,
		partial: func(a *folio.Article) bool { return a.BodyOmitted }}
}

func (c *Store) users() kind[*folio.User] {
	return kind[*folio.User]{name: "user", field: "handle",
		id: func(u *folio.User) int64 { return u.ID }, key: func(u *folio.User) string { return strings.ToLower(u.Handle) },
		byID: c.Store.UsersByIDs, byName: c.Store.UsersByHandles,
		partial: func(u *folio.User) bool { return u.Partial }}
}

func (c *Store) tags() kind[*folio.Tag] {
	return kind[*folio.Tag]{name: "tag", field: "slug",
		id: func(t *folio.Tag) int64 { return t.ID }, key: func(t *folio.Tag) string { return t.Slug },
		byID: c.Store.TagsByIDs, byName: c.Store.TagsBySlugs}
}

func (c *Store) categories() kind[*folio.Category] {
	return kind[*folio.Category]{name: "category", field: "slug",
		id: func(x *folio.Category) int64 { return x.ID }, key: func(x *folio.Category) string { return x.Slug },
		byID: c.Store.CategoriesByIDs, byName: c.Store.CategoriesBySlugs}
}

// ArticlesByIDs implements folio.ArticleStore through the cache.
func (c *Store) ArticlesByIDs(ctx context.Context, ids []int64) ([]*folio.Article, error) {
	return byIDs(ctx, c, c.articles(), ids)
}

// ArticlesBySlugs implements folio.ArticleStore through the cache.
func (c *Store) ArticlesBySlugs(ctx context.Context, slugs []string) ([]*folio.Article, error) {
	return byNames(ctx, c, c.articles(), slugs, same)
}

// ArticleBySlugWith implements folio.ArticleStore through the cache: the
// article comes from the cache, and what is below it is left to the
// loaders, which read it through the cache too.
func (c *Store) ArticleBySlugWith(ctx context.Context, slug string, _ folio.ArticleWith) (folio.ArticlePage, error) {
	rows, err := c.ArticlesBySlugs(ctx, []string{slug})
	return folio.ArticlePage{List: folio.List[*folio.Article]{Items: rows}}, err
}

// UsersByIDs implements folio.UserStore through the cache.
func (c *Store) UsersByIDs(ctx context.Context, ids []int64) ([]*folio.User, error) {
	return byIDs(ctx, c, c.users(), ids)
}

// UsersByHandles implements folio.UserStore through the cache; handles
// match case-insensitively, as in the store.
func (c *Store) UsersByHandles(ctx context.Context, handles []string) ([]*folio.User, error) {
	return byNames(ctx, c, c.users(), handles, strings.ToLower)
}

// TagsByIDs implements folio.TaxonomyStore through the cache.
func (c *Store) TagsByIDs(ctx context.Context, ids []int64) ([]*folio.Tag, error) {
	return byIDs(ctx, c, c.tags(), ids)
}

// TagsBySlugs implements folio.TaxonomyStore through the cache.
func (c *Store) TagsBySlugs(ctx context.Context, slugs []string) ([]*folio.Tag, error) {
	return byNames(ctx, c, c.tags(), slugs, same)
}

// CategoriesByIDs implements folio.TaxonomyStore through the cache.
func (c *Store) CategoriesByIDs(ctx context.Context, ids []int64) ([]*folio.Category, error) {
	return byIDs(ctx, c, c.categories(), ids)
}

// CategoriesBySlugs implements folio.TaxonomyStore through the cache.
func (c *Store) CategoriesBySlugs(ctx context.Context, slugs []string) ([]*folio.Category, error) {
	return byNames(ctx, c, c.categories(), slugs, same)
}

// TagsOfArticles implements folio.TaxonomyStore through the cache: Redis
// keeps each article's tag ids, and the tags themselves as tag rows, so a
// renamed tag is one key to invalidate.
func (c *Store) TagsOfArticles(ctx context.Context, articleIDs []int64) (map[int64][]*folio.Tag, error) {
	if len(articleIDs) == 0 {
		return c.Store.TagsOfArticles(ctx, articleIDs)
	}
	keys := make([]string, len(articleIDs))
	for i, id := range articleIDs {
		keys[i] = c.tagsKey(id)
	}
	vals, ok := c.mget(ctx, keys)
	if !ok {
		return c.Store.TagsOfArticles(ctx, articleIDs)
	}
	tagIDs := map[int64][]int64{}
	var missing []int64
	for i, v := range vals {
		var ids []int64
		if usable(v) && json.Unmarshal([]byte(*v), &ids) == nil {
			tagIDs[articleIDs[i]] = ids
			continue
		}
		missing = append(missing, articleIDs[i])
	}
	c.count("article_tags", len(tagIDs), len(missing))
	out := make(map[int64][]*folio.Tag, len(articleIDs))
	if len(tagIDs) > 0 {
		var all []int64
		for _, ids := range tagIDs {
			all = append(all, ids...)
		}
		tags, err := c.TagsByIDs(ctx, dedupe(all))
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]*folio.Tag, len(tags))
		for _, t := range tags {
			byID[t.ID] = t
		}
		for a, ids := range tagIDs {
			for _, id := range ids { // ids are stored in slug order
				if t, ok := byID[id]; ok {
					out[a] = append(out[a], t)
				}
			}
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	loaded, err := c.Store.TagsOfArticles(ctx, missing)
	if err != nil {
		return nil, err
	}
	fill := make([]entry, 0, len(missing))
	for _, a := range missing {
		ids := make([]int64, len(loaded[a]))
		for i, t := range loaded[a] {
			ids[i] = t.ID
			fill = append(fill, entry{c.idKey("tag", t.ID), encode(t), c.jittered()})
		}
		fill = append(fill, entry{c.tagsKey(a), encode(ids), c.jittered()})
		out[a] = loaded[a]
	}
	c.fill(ctx, fill)
	return out, nil
}

func (c *Store) tagsKey(articleID int64) string { return c.idKey("article", articleID) + ":tags" }

func dedupe(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
