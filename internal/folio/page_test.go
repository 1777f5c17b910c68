package folio

import "testing"

func ptr[T any](v T) *T { return &v }

func TestNewPage(t *testing.T) {
	c := &Cursor{Time: 1, ID: 2}
	tests := []struct {
		name        string
		first, last *int
		after       *Cursor
		before      *Cursor
		want        Page
		wantField   string // the field of the EInvalid error, "" for success
	}{
		{name: "DefaultIsFirst20", want: Page{Limit: DefaultPageSize}},
		{name: "First", first: ptr(5), after: c, want: Page{Limit: 5, After: *c, HasAfter: true}},
		{name: "Last", last: ptr(7), before: c, want: Page{Limit: 7, Backward: true, Before: *c, HasBefore: true}},
		{name: "LoneBeforeReadsBackward", before: c, want: Page{Limit: DefaultPageSize, Backward: true, Before: *c, HasBefore: true}},
		{name: "ZeroIsAllowed", first: ptr(0), want: Page{Limit: 0}},
		{name: "MaxIsAllowed", last: ptr(MaxPageSize), want: Page{Limit: MaxPageSize, Backward: true}},
		{name: "FirstNegative", first: ptr(-1), wantField: "first"},
		{name: "FirstTooLarge", first: ptr(MaxPageSize + 1), wantField: "first"},
		{name: "LastTooLarge", last: ptr(1000), wantField: "last"},
		{name: "FirstAndLast", first: ptr(1), last: ptr(1), wantField: "last"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewPage(tt.first, tt.last, tt.after, tt.before)
			if tt.wantField != "" {
				e, ok := err.(*Error)
				if !ok || e.Code != EInvalid || e.Field != tt.wantField {
					t.Fatalf("got %v, want EInvalid on %s", err, tt.wantField)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestViewer_CanSeeArticle(t *testing.T) {
	draft := &Article{AuthorID: 7, Status: StatusDraft}
	archived := &Article{AuthorID: 7, Status: StatusArchived}
	published := &Article{AuthorID: 7, Status: StatusPublished}
	tests := []struct {
		name   string
		v      Viewer
		a      *Article
		canSee bool
	}{
		{"AnonymousSeesPublished", Viewer{}, published, true},
		{"AnonymousMissesDraft", Viewer{}, draft, false},
		{"AnonymousMissesArchived", Viewer{}, archived, false},
		{"ReaderMissesDraft", Viewer{UserID: 8, Role: RoleReader}, draft, false},
		{"OtherAuthorMissesDraft", Viewer{UserID: 8, Role: RoleAuthor}, draft, false},
		{"AuthorSeesOwnDraft", Viewer{UserID: 7, Role: RoleAuthor}, draft, true},
		{"EditorSeesDraft", Viewer{UserID: 9, Role: RoleEditor}, draft, true},
		{"AdminSeesArchived", Viewer{UserID: 9, Role: RoleAdmin}, archived, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.CanSeeArticle(tt.a); got != tt.canSee {
				t.Errorf("got %v, want %v", got, tt.canSee)
			}
		})
	}
}
