package folio

// MaxPageSize is the most rows any list returns at once.
const MaxPageSize = 100

// DefaultPageSize is the page size when a caller asks for neither first nor last.
const DefaultPageSize = 20

// Cursor is a decoded position in an ordered list: the sort key of one row
// and its id as the tiebreaker. Only the field of the list's order is set.
// It is comparable so that pages can be batched by equal arguments.
type Cursor struct {
	Time int64   // microseconds since the Unix epoch, for time orders
	Text string  // for text orders (slugs)
	Rank float32 // for search relevance
	ID   int64
}

// Page asks for one page of an ordered list, Relay style, already validated.
// It is comparable: loaders batch lists of many parents that ask for the
// same page into one statement.
type Page struct {
	// Limit is how many rows are wanted, 0 to MaxPageSize.
	Limit int
	// Backward is set when the rows are counted from the end (last/before).
	Backward bool
	// After and Before bound the page when HasAfter and HasBefore are set.
	After     Cursor
	HasAfter  bool
	Before    Cursor
	HasBefore bool

	// SkipBody leaves the Markdown body out of article rows (Body empty,
	// BodyOmitted set): a list of cards never shows it, and at ~3.5 KB an
	// article it is most of what a list would read and decode. The zero
	// value reads whole rows, so a caller that does not know better is
	// served correctly, only slower.
	SkipBody bool
	// SkipSnippet leaves search hits without their highlighted snippet,
	// which costs a ts_headline over each hit's body.
	SkipSnippet bool
	// WithTotal counts the list's rows in the statement that reads the page
	// (List.Total), instead of in a statement of its own. It applies only
	// to a page no cursor bounds, whose rows are the list's.
	WithTotal bool
	// Related reads the rows' relations in the statement that reads the
	// page.
	Related
	// Replies reads a page of each comment's replies in the statement
	// that reads a page of comments, into List.Replies.
	Replies Replies
}

// Related asks a read to read some relations of its rows in its own
// statement, instead of leaving them to statements of their own. A store
// that cannot leaves them out of the List, and the loaders read them.
type Related struct {
	// WithAuthors reads each row's author (an article's or a comment's)
	// into List.Authors.
	WithAuthors bool
	// WithCategories reads each article's category into List.Categories.
	WithCategories bool
	// WithTags reads each article's tags into List.Tags.
	WithTags bool
	// WithStats reads each article's comment and reaction counts into
	// List.Stats.
	WithStats bool
	// AuthorColumns, when it has UserProjected, reads only these parts of
	// the authors' rows (a comment's author shows a handle and a name,
	// not the eleven columns of a user): they come back Partial.
	AuthorColumns UserColumns
}

// Replies asks a read of top-level comments, a page read forward, to read
// the first Limit replies of each comment it reads as well, oldest first,
// in the same statement, instead of in a level of its own. The zero value
// asks for none. A store that cannot leaves List.Replies nil.
type Replies struct {
	Set   bool
	Limit int
	// WithTotal counts each comment's replies; WithAuthors reads the
	// replies' authors into their List.Authors.
	WithTotal   bool
	WithAuthors bool
}

// NewPage validates Relay pagination arguments and returns the page they ask
// for. after and before may be nil.
func NewPage(first, last *int, after, before *Cursor) (Page, error) {
	var p Page
	switch {
	case first != nil && last != nil:
		return p, InvalidField("last", "Pass either first or last, not both: first pages forward from after, last pages backward from before.")
	case first != nil:
		if *first < 0 || *first > MaxPageSize {
			return p, InvalidField("first", "first must be between 0 and %d, got %d.", MaxPageSize, *first)
		}
		p.Limit = *first
	case last != nil:
		if *last < 0 || *last > MaxPageSize {
			return p, InvalidField("last", "last must be between 0 and %d, got %d.", MaxPageSize, *last)
		}
		p.Limit, p.Backward = *last, true
	default:
		p.Limit = DefaultPageSize
		// Without first or last, a lone before still means "the rows just before it".
		p.Backward = before != nil && after == nil
	}
	if after != nil {
		p.After, p.HasAfter = *after, true
	}
	if before != nil {
		p.Before, p.HasBefore = *before, true
	}
	return p, nil
}

// List is one page of an ordered list.
type List[T any] struct {
	Items []T
	// HasNext reports rows after the last item; HasPrevious rows before the first.
	HasNext     bool
	HasPrevious bool
	// Total is how many rows the whole list has, when the page was read
	// with Page.WithTotal; nil otherwise.
	Total *int
	// Authors are the authors of the rows read for Items (which may include
	// the row after the last item), each once, when the page was read with
	// Page.WithAuthors; nil otherwise, or when there were none.
	Authors []*User
	// Categories are the categories of the articles read, each once, when
	// the page was read with Page.WithCategories; nil otherwise, or when
	// there were none.
	Categories []*Category
	// Tags are the tags of each article read, sorted by slug, when the
	// page was read with Page.WithTags; nil otherwise. Every article read
	// has an entry, empty when it has no tags.
	Tags map[int64][]*Tag
	// Replies are the replies of each comment read, one page each, when
	// the page was read with Page.Replies; nil otherwise.
	Replies map[int64]List[*Comment]
	// Stats are the counts of each article read, when the page was read
	// with Page.WithStats; nil otherwise.
	Stats map[int64]ArticleStats
}
