package graph

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/folio/folio/graph/model"
	"github.com/folio/folio/internal/folio"
)

// parseGlobalID decodes an ID the API handed out (see folio.NodeID). field
// names the argument for the error a person sees.
func parseGlobalID(field, s string) (kind string, id int64, err error) {
	kind, id, ok := folio.ParseNodeID(s)
	if !ok {
		return "", 0, folio.InvalidField(field, "%q is not a Folio ID: pass an id exactly as the API returned it.", truncate(s, 64))
	}
	return kind, id, nil
}

// parseIDOf decodes an ID that must name an object of the given kind.
func parseIDOf(field, s, want string) (int64, error) {
	kind, id, err := parseGlobalID(field, s)
	if err != nil {
		return 0, err
	}
	if kind != want {
		return 0, folio.InvalidField(field, "%s must be the ID of %s, but it names %s.", field, withArticle(want), withArticle(kind))
	}
	return id, nil
}

// withArticle puts "a" or "an" before a type's name: an Article, a User
// (a U sounds like "you" in our type names).
func withArticle(typeName string) string {
	if typeName != "" && strings.ContainsRune("AEIO", rune(typeName[0])) {
		return "an " + typeName
	}
	return "a " + typeName
}

// truncate shortens s to at most n bytes and an ellipsis, on a character
// boundary, for quoting a caller's input back.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// A cursor names its list's order so a cursor from one list is refused by
// another instead of silently paging wrong: "v1|order|key|id" in base64.
const (
	orderPublished = "pub"
	orderCreated   = "cre"
	orderSlug      = "slug"
	orderThread    = "thread"
	orderRank      = "rank"
)

// Time keys stay within years 1 to 9999, inside what Postgres accepts.
var (
	minCursorTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxCursorTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
)

func encodeCursor(order string, c folio.Cursor) string {
	var key string
	switch order {
	case orderSlug:
		key = c.Text
	case orderRank:
		key = strconv.FormatFloat(float64(c.Rank), 'g', -1, 32)
	default:
		key = strconv.FormatInt(c.Time, 10)
	}
	return folio.EncodeOpaque("v1|" + order + "|" + key + "|" + strconv.FormatInt(c.ID, 10))
}

func decodeCursor(field, order string, s *string) (*folio.Cursor, error) {
	if s == nil {
		return nil, nil
	}
	bad := folio.InvalidField(field, "%q is not a cursor of this list: pass a cursor exactly as this list returned it (pageInfo.endCursor, pageInfo.startCursor or an edge's cursor).", truncate(*s, 64))
	raw, err := folio.DecodeOpaque(*s)
	if err != nil {
		return nil, bad
	}
	// The key may itself hold "|" (a text key); the id is after the last one.
	rest, ok := strings.CutPrefix(string(raw), "v1|"+order+"|")
	i := strings.LastIndexByte(rest, '|')
	if !ok || i < 0 {
		return nil, bad
	}
	key, num := rest[:i], rest[i+1:]
	var c folio.Cursor
	if c.ID, err = strconv.ParseInt(num, 10, 64); err != nil || c.ID <= 0 {
		return nil, bad
	}
	switch order {
	case orderSlug:
		// Postgres takes neither NUL nor broken UTF-8 in text; no slug has them.
		if !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0 {
			return nil, bad
		}
		c.Text = key
	case orderRank:
		r, err := strconv.ParseFloat(key, 32)
		if err != nil {
			return nil, bad
		}
		c.Rank = float32(r)
	default:
		if c.Time, err = strconv.ParseInt(key, 10, 64); err != nil || c.Time < minCursorTime || c.Time > maxCursorTime {
			return nil, bad
		}
	}
	return &c, nil
}

// pageOf validates Relay arguments for a list in the given order.
func pageOf(order string, first *int, after *string, last *int, before *string) (folio.Page, error) {
	a, err := decodeCursor("after", order, after)
	if err != nil {
		return folio.Page{}, err
	}
	b, err := decodeCursor("before", order, before)
	if err != nil {
		return folio.Page{}, err
	}
	return folio.NewPage(first, last, a, b)
}

func timeCursor(t time.Time, id int64) folio.Cursor { return folio.Cursor{Time: t.UnixMicro(), ID: id} }

// articleCursor places a in a list of the given order.
func articleCursor(order string) func(*folio.Article) string {
	return func(a *folio.Article) string {
		var c folio.Cursor
		switch {
		case order == orderCreated:
			c = timeCursor(a.CreatedAt, a.ID)
		case a.PublishedAt != nil:
			c = timeCursor(*a.PublishedAt, a.ID)
		}
		return encodeCursor(order, c)
	}
}

func commentCursor(c *folio.Comment) string {
	return encodeCursor(orderThread, timeCursor(c.CreatedAt, c.ID))
}

func tagCursor(t *folio.Tag) string {
	return encodeCursor(orderSlug, folio.Cursor{Text: t.Slug, ID: t.ID})
}

func categoryCursor(c *folio.Category) string {
	return encodeCursor(orderSlug, folio.Cursor{Text: c.SortKey(), ID: c.ID})
}

func searchCursor(h *folio.SearchHit) string {
	return encodeCursor(orderRank, folio.Cursor{Rank: h.Rank, ID: h.Article.ID})
}

func articleConnection(l folio.List[*folio.Article], order string, count model.Counter) *model.ArticleConnection {
	return &model.ArticleConnection{Page: model.NewPage(l, articleCursor(order), count)}
}

func commentConnection(l folio.List[*folio.Comment], count model.Counter) *model.CommentConnection {
	return &model.CommentConnection{Page: model.NewPage(l, commentCursor, count)}
}

func tagConnection(l folio.List[*folio.Tag], count model.Counter) *model.TagConnection {
	return &model.TagConnection{Page: model.NewPage(l, tagCursor, count)}
}

func categoryConnection(l folio.List[*folio.Category], count model.Counter) *model.CategoryConnection {
	return &model.CategoryConnection{Page: model.NewPage(l, categoryCursor, count)}
}

func searchConnection(l folio.List[*folio.SearchHit], count model.Counter) *model.SearchResultConnection {
	return &model.SearchResultConnection{Page: model.NewPage(l, searchCursor, count)}
}
