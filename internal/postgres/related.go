package postgres

import (
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// Reads whose rows show their author, their category or their tags read
// them in the statement that reads the rows (folio.Related): the rows are
// aliased (a, or x around a LATERAL), the author is joined as u, the
// category as c and the tags, aggregated into arrays, as tg; their columns
// come after everything else the statement selects.

// tagsJoin aggregates the tags of the article aliased as what follows it
// into arrays ordered by slug; an article without tags gets NULLs. The
// rows are sorted once, in the subquery, rather than once per array by
// ORDER BY inside each aggregate, which took a third of a feed's
// statement; an aggregate over a sorted subquery keeps its order.
const tagsJoin = ` CROSS JOIN LATERAL (SELECT array_agg(t.id) AS ids, array_agg(t.slug) AS slugs, array_agg(t.name) AS names
FROM (SELECT t.id, t.slug, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = `

// statsJoin counts the live comments (replies included) and the
// reactions by kind of the article aliased as what follows it, as
// ArticleStats does, from the indexes alone.
const statsJoin = ` CROSS JOIN LATERAL (SELECT count(*) AS n FROM comments lc WHERE lc.deleted_at IS NULL AND lc.article_id = %[1]s.id) cs
CROSS JOIN LATERAL (SELECT array_agg(rk.kind) AS kinds, array_agg(rk.n) AS counts FROM
(SELECT rk.kind, count(*) AS n FROM reactions rk WHERE rk.article_id = %[1]s.id GROUP BY rk.kind) rk) rs`

// relatedJoins returns the columns and the joins that read the relations
// r asks for, of the rows aliased alias.
//
// Each row's author is looked up by key, row by row: a page's rows are few.
// A plain join let the generic plan, which guesses ten parents for any
// unnest($1), hash the whole users table instead, on every request, at a
// cost that grows with the table (0.6 ms of a 2,000-user article page's
// 0.7). The LIMIT keeps Postgres from flattening the subquery back into
// that join; id is the key, so it drops nothing.
func relatedJoins(r folio.Related, alias string) (cols, joins string) {
	if r.WithAuthors {
		cols += ", " + userColumns(r.AuthorColumns)
		joins += " CROSS JOIN LATERAL (SELECT * FROM users u WHERE u.id = " + alias + ".author_id LIMIT 1) u"
	}
	if r.WithCategories {
		cols += ", " + categoryCols
		joins += " LEFT JOIN categories c ON c.id = " + alias + ".category_id"
	}
	if r.WithTags || r.WithStats { // what the tags and counts belong to
		cols += ", " + alias + ".id"
	}
	if r.WithTags {
		cols += ", tg.ids, tg.slugs, tg.names"
		joins += tagsJoin + alias + ".id ORDER BY t.slug) t) tg"
	}
	if r.WithStats {
		cols += ", cs.n, rs.kinds, rs.counts"
		joins += fmt.Sprintf(statsJoin, alias)
	}
	return cols, joins
}

// related collects the rows' relations read with them, each once.
type related struct {
	r          folio.Related
	authors    []*folio.User
	categories []*folio.Category
	tags       map[int64][]*folio.Tag
	stats      map[int64]folio.ArticleStats
	// The ids of authors and categories, once there are too many to look
	// through (isNew).
	authorIDs, categoryIDs map[int64]struct{}
}

// relatedRow is one row's relations while it is scanned.
type relatedRow struct {
	author *folio.User
	// The category's columns, null when the article has none.
	catID                     *int64
	catSlug, catName, catDesc *string
	catPos                    *int
	// The article's id, with its tags or counts.
	articleID int64
	// The tags' columns, null when it has none.
	tagIDs             []int64
	tagSlugs, tagNames []string
	// The counts: live comments, reactions by kind.
	comments        int
	kinds           []folio.ReactionKind
	reactionsOfKind []int
}

// appendDest appends to d the destinations of the relation columns r
// asks for. The author is read into x.author when the caller made one.
func (x *relatedRow) appendDest(d []any, r folio.Related) []any {
	if r.WithAuthors {
		if x.author == nil {
			x.author = new(folio.User)
		}
		d = appendUserDestOf(d, x.author, r.AuthorColumns)
	}
	if r.WithCategories {
		d = append(d, &x.catID, &x.catSlug, &x.catName, &x.catDesc, &x.catPos)
	}
	if r.WithTags || r.WithStats {
		d = append(d, &x.articleID)
	}
	if r.WithTags {
		d = append(d, &x.tagIDs, &x.tagSlugs, &x.tagNames)
	}
	if r.WithStats {
		d = append(d, &x.comments, &x.kinds, &x.reactionsOfKind)
	}
	return d
}

// add keeps the relations of a scanned row.
func (r *related) add(x *relatedRow) {
	if x.author != nil && isNew(r.authors, func(u *folio.User) int64 { return u.ID }, &r.authorIDs, x.author.ID) {
		r.authors = append(r.authors, x.author)
	}
	if x.catID != nil && isNew(r.categories, func(c *folio.Category) int64 { return c.ID }, &r.categoryIDs, *x.catID) {
		r.categories = append(r.categories, &folio.Category{ID: *x.catID, Slug: *x.catSlug, Name: *x.catName, Description: *x.catDesc, Position: *x.catPos})
	}
	if r.r.WithTags {
		if r.tags == nil {
			r.tags = make(map[int64][]*folio.Tag)
		}
		tags := make([]*folio.Tag, len(x.tagIDs))
		for i, id := range x.tagIDs {
			tags[i] = &folio.Tag{ID: id, Slug: x.tagSlugs[i], Name: x.tagNames[i]}
		}
		r.tags[x.articleID] = tags
	}
	if r.r.WithStats {
		if r.stats == nil {
			r.stats = make(map[int64]folio.ArticleStats)
		}
		s := folio.ArticleStats{Comments: x.comments}
		for i, k := range x.kinds {
			s.Reactions.Add(k, x.reactionsOfKind[i])
		}
		r.stats[x.articleID] = s
	}
}

// fewIDs is how many rows isNew looks through before it keeps a map:
// a page's rows mostly share a handful of authors and categories, and a
// map for them was most of a page's allocations here.
const fewIDs = 16

// isNew reports whether no row of kept has id, and remembers id as kept
// if so: it looks through kept while it is short, and keeps their ids in
// *index (made at first need) once it is long.
func isNew[T any](kept []T, idOf func(T) int64, index *map[int64]struct{}, id int64) bool {
	if *index == nil {
		if len(kept) < fewIDs {
			for _, k := range kept {
				if idOf(k) == id {
					return false
				}
			}
			return true
		}
		*index = make(map[int64]struct{}, 2*len(kept))
		for _, k := range kept {
			(*index)[idOf(k)] = struct{}{}
		}
	}
	if _, ok := (*index)[id]; ok {
		return false
	}
	(*index)[id] = struct{}{}
	return true
}

// fill puts what was read into l.
func fill[T any](l *folio.List[T], r *related) {
	l.Authors, l.Categories, l.Tags, l.Stats = r.authors, r.categories, r.tags, r.stats
}

// scan reads the rows of scan followed by their relations' columns.
func (r *related) scan(scan scanFunc[*folio.Article]) scanFunc[*folio.Article] {
	return func(rw pgx.Row, extra ...any) (*folio.Article, error) {
		var x relatedRow
		v, err := scan(rw, x.appendDest(extra, r.r)...)
		if err == nil {
			r.add(&x)
		}
		return v, err
	}
}
