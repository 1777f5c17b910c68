package postgres

import (
	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/folio"
)

// Lists whose rows show their author or their category read them in the
// statement that reads the page (folio.Page.WithAuthors, WithCategories):
// the list's rows are aliased (a, or x around a LATERAL), the author is
// joined as u and the category as c, and their columns come after
// everything else the statement selects.

// relatedJoins returns the columns and the joins that read the rows'
// relations p asks for, on the list's rows aliased alias.
func relatedJoins(p folio.Page, alias string) (cols, joins string) {
	if p.WithAuthors {
		cols += ", " + userCols
		joins += " JOIN users u ON u.id = " + alias + ".author_id"
	}
	if p.WithCategories {
		cols += ", " + categoryCols
		joins += " LEFT JOIN categories c ON c.id = " + alias + ".category_id"
	}
	return cols, joins
}

// related collects the rows' relations read with a list, each once.
type related struct {
	p          folio.Page
	authors    []*folio.User
	categories []*folio.Category
	seen       map[[2]int64]struct{} // {0, user id} and {1, category id}
}

// relatedRow is one row's relations while it is scanned.
type relatedRow struct {
	author *folio.User
	// The category's columns, null when the article has none.
	catID                     *int64
	catSlug, catName, catDesc *string
	catPos                    *int
}

// dest returns the destinations of the relation columns p asks for.
func (x *relatedRow) dest(p folio.Page) []any {
	var d []any
	if p.WithAuthors {
		x.author = new(folio.User)
		d = append(d, userDest(x.author)...)
	}
	if p.WithCategories {
		d = append(d, &x.catID, &x.catSlug, &x.catName, &x.catDesc, &x.catPos)
	}
	return d
}

// add keeps the relations of a scanned row.
func (r *related) add(x *relatedRow) {
	if r.seen == nil {
		r.seen = make(map[[2]int64]struct{})
	}
	if x.author != nil {
		if _, ok := r.seen[[2]int64{0, x.author.ID}]; !ok {
			r.seen[[2]int64{0, x.author.ID}] = struct{}{}
			r.authors = append(r.authors, x.author)
		}
	}
	if x.catID != nil {
		if _, ok := r.seen[[2]int64{1, *x.catID}]; !ok {
			r.seen[[2]int64{1, *x.catID}] = struct{}{}
			r.categories = append(r.categories, &folio.Category{ID: *x.catID, Slug: *x.catSlug, Name: *x.catName, Description: *x.catDesc, Position: *x.catPos})
		}
	}
}

// fill puts what was read into l.
func fill[T any](l *folio.List[T], r *related) {
	l.Authors, l.Categories = r.authors, r.categories
}

// scan reads the rows of scan followed by their relations' columns.
func (r *related) scan(scan scanFunc[*folio.Article]) scanFunc[*folio.Article] {
	return func(rw pgx.Row, extra ...any) (*folio.Article, error) {
		var x relatedRow
		v, err := scan(rw, append(extra, x.dest(r.p)...)...)
		if err == nil {
			r.add(&x)
		}
		return v, err
	}
}
