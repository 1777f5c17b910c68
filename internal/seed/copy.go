package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// tableCopy is one COPY: the target, its columns and a stream of rows.
type tableCopy struct {
	table   string
	columns []string
	count   int
	rows    pgx.CopyFromSource
}

// copyAll streams every table of d into tx, parents before children.
func copyAll(ctx context.Context, tx pgx.Tx, d *dataset) error {
	copies := []tableCopy{
		d.copyUsers(), d.copyCategories(), d.copyTags(), d.copyArticles(),
		d.copyArticleTags(), d.copyComments(), d.copyReactions(),
	}
	for _, c := range copies {
		n, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.columns, c.rows)
		if err != nil {
			return fmt.Errorf("copy %s: %w", c.table, err)
		}
		if n != int64(c.count) {
			return fmt.Errorf("copy %s: wrote %d rows, want %d", c.table, n, c.count)
		}
	}
	return nil
}

// stream yields n rows built by fill one at a time, so even the largest
// table never exists as a [][]any. pgx encodes each row before asking for
// the next, which makes reusing one row slice safe.
func stream(n, width int, fill func(i int, row []any)) pgx.CopyFromSource {
	row := make([]any, width)
	i := 0
	return pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		fill(i, row)
		i++
		return row, nil
	})
}

func (d *dataset) copyUsers() tableCopy {
	return tableCopy{
		table:   "users",
		columns: []string{"id", "handle", "email", "display_name", "bio", "avatar_url", "role", "created_at", "updated_at", "password_hash", "email_verified_at"},
		count:   len(d.users),
		rows: stream(len(d.users), 11, func(i int, row []any) {
			u := &d.users[i]
			row[0], row[1], row[2], row[3] = int64(i+1), u.handle, u.email, u.displayName
			row[4], row[5], row[6] = u.bio, nullString(u.avatarURL), u.role
			// Verified when made, so the data set is the same on every load.
			row[7], row[8], row[9], row[10] = timestamp(u.created), timestamp(u.updated), nil, timestamp(u.created)
			if d.passwordHash != "" && u.handle == "demo_"+u.role {
				row[9] = d.passwordHash
			}
		}),
	}
}

func (d *dataset) copyCategories() tableCopy {
	return tableCopy{
		table:   "categories",
		columns: []string{"id", "slug", "name", "description"},
		count:   len(d.categories),
		rows: stream(len(d.categories), 4, func(i int, row []any) {
			c := &d.categories[i]
			row[0], row[1], row[2], row[3] = int64(i+1), c.slug, c.name, c.description
		}),
	}
}

func (d *dataset) copyTags() tableCopy {
	return tableCopy{
		table:   "tags",
		columns: []string{"id", "slug", "name"},
		count:   len(d.tags),
		rows: stream(len(d.tags), 3, func(i int, row []any) {
			t := &d.tags[i]
			row[0], row[1], row[2] = int64(i+1), t.slug, t.name
		}),
	}
}

// copyArticles generates each body as its row is sent: bodies are most of
// the data set's bytes and are needed nowhere else.
func (d *dataset) copyArticles() tableCopy {
	return tableCopy{
		table: "articles",
		columns: []string{"id", "author_id", "category_id", "slug", "title", "excerpt", "body",
			"status", "published_at", "created_at", "updated_at", "reading_minutes"},
		count: len(d.articles),
		rows: stream(len(d.articles), 12, func(i int, row []any) {
			a := &d.articles[i]
			id := int64(i + 1)
			text, words := body(bodyRand(id), a.topic)
			row[0], row[1], row[2], row[3] = id, a.author, nullID(a.category), a.slug
			row[4], row[5], row[6], row[7] = a.title, a.excerpt, text, a.status.String()
			row[8], row[9], row[10] = nullTimestamp(a.published), timestamp(a.created), timestamp(a.updated)
			row[11] = int32(readingMinutes(words))
		}),
	}
}

func (d *dataset) copyArticleTags() tableCopy {
	return tableCopy{
		table:   "article_tags",
		columns: []string{"article_id", "tag_id"},
		count:   len(d.articleTags),
		rows: stream(len(d.articleTags), 2, func(i int, row []any) {
			row[0], row[1] = d.articleTags[i].article, d.articleTags[i].tag
		}),
	}
}

// copyComments writes comment texts from one stream in id order, which
// keeps them deterministic without storing them.
func (d *dataset) copyComments() tableCopy {
	r := newRand(streamCommentText)
	return tableCopy{
		table:   "comments",
		columns: []string{"id", "article_id", "author_id", "parent_id", "body", "created_at", "updated_at", "deleted_at"},
		count:   len(d.comments),
		rows: stream(len(d.comments), 8, func(i int, row []any) {
			c := &d.comments[i]
			text := commentText(r, d.articles[c.article-1].topic, c.parent != 0)
			row[0], row[1], row[2], row[3] = int64(i+1), c.article, c.author, nullID(c.parent)
			row[4], row[5], row[6], row[7] = text, timestamp(c.created), timestamp(c.updated), nullTimestamp(c.deleted)
		}),
	}
}

func (d *dataset) copyReactions() tableCopy {
	return tableCopy{
		table:   "reactions",
		columns: []string{"article_id", "user_id", "kind", "created_at"},
		count:   len(d.reactions),
		rows: stream(len(d.reactions), 4, func(i int, row []any) {
			x := &d.reactions[i]
			row[0], row[1], row[2], row[3] = x.article, x.user, reactionKinds[x.kind], timestamp(x.created)
		}),
	}
}

// readingMinutes is the reading time at 200 words a minute, rounded up.
func readingMinutes(words int) int {
	return max(1, (words+199)/200)
}

// timestamp converts generation seconds to a time for a timestamptz column.
func timestamp(sec int64) time.Time {
	return time.Unix(sec, 0).UTC()
}

// nullTimestamp is timestamp, or NULL for 0.
func nullTimestamp(sec int64) any {
	if sec == 0 {
		return nil
	}
	return timestamp(sec)
}

// nullID is id, or NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullString is s, or NULL for "".
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
