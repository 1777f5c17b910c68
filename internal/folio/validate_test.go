package folio

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestArticleFilter_Validate(t *testing.T) {
	jan, feb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	tags := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "tag-" + strings.Repeat("a", i+1)
		}
		return out
	}
	tests := []struct {
		name      string
		filter    ArticleFilter
		wantField string // the field of the EInvalid error, "" for success
		wantIn    string // a part of its message
	}{
		{name: "Empty"},
		{name: "Everything", filter: ArticleFilter{Statuses: []ArticleStatus{StatusDraft}, AuthorID: ptr(int64(7)), AuthorHandle: ptr("Ada_L"),
			CategorySlug: ptr("backend"), TagSlugs: []string{"go", "postgres-15"}, PublishedAfter: &jan, PublishedBefore: &feb}},
		{name: "OnlyOneBound", filter: ArticleFilter{PublishedBefore: &jan}},
		{name: "MaxTags", filter: ArticleFilter{TagSlugs: tags(MaxFilterTags)}},
		{name: "BadHandle", filter: ArticleFilter{AuthorHandle: ptr("a")}, wantField: "filter.authorHandle", wantIn: `"a" is not a handle`},
		{name: "BadCategory", filter: ArticleFilter{CategorySlug: ptr("Back End")}, wantField: "filter.category", wantIn: "not a category slug"},
		{name: "TooManyTags", filter: ArticleFilter{TagSlugs: tags(MaxFilterTags + 1)}, wantField: "filter.tags", wantIn: "at most 10 tags, not 11"},
		{name: "BadTag", filter: ArticleFilter{TagSlugs: []string{"go", "-go"}}, wantField: "filter.tags", wantIn: `"-go" is not a tag slug`},
		{name: "LongValueTruncated", filter: ArticleFilter{CategorySlug: ptr(strings.Repeat("X", 100))}, wantField: "filter.category", wantIn: strings.Repeat("X", 64) + "…\""},
		{name: "EmptyRange", filter: ArticleFilter{PublishedAfter: &feb, PublishedBefore: &jan}, wantField: "filter.publishedBefore", wantIn: "later than"},
		{name: "PointRange", filter: ArticleFilter{PublishedAfter: &jan, PublishedBefore: &jan}, wantField: "filter.publishedBefore"},
		{name: "FirstProblemWins", filter: ArticleFilter{AuthorHandle: ptr("?"), TagSlugs: []string{"?"}}, wantField: "filter.authorHandle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.filter.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != EInvalid || e.Field != tt.wantField {
				t.Fatalf("got %v, want EInvalid on %s", err, tt.wantField)
			}
			if !strings.Contains(e.Message, tt.wantIn) {
				t.Errorf("got message %q, want it to contain %q", e.Message, tt.wantIn)
			}
		})
	}
}
