package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

var testDB *postgres.DB

func TestMain(m *testing.M) { postgrestest.Main(m, "postgres", &testDB) }

func slugs(tags []*folio.Tag) []string {
	out := []string{}
	for _, t := range tags {
		out = append(out, t.Slug)
	}
	return out
}

func TestDB_ListTags(t *testing.T) {
	f := postgrestest.Fixture{TB: t, DB: testDB}
	byslug := map[string]*folio.Tag{}
	for _, s := range []string{"e", "a", "c", "b", "d"} {
		byslug[s] = f.Tag(s, s)
	}
	at := func(s string) *folio.Cursor { return &folio.Cursor{Text: s, ID: byslug[s].ID} }
	page := func(first, last *int, after, before *folio.Cursor) folio.Page {
		p, err := folio.NewPage(first, last, after, before)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	n := func(i int) *int { return &i }

	tests := []struct {
		name           string
		p              folio.Page
		want           []string
		next, previous bool
	}{
		{"First", page(n(2), nil, nil, nil), []string{"a", "b"}, true, false},
		{"AfterToTheEnd", page(n(10), nil, at("c"), nil), []string{"d", "e"}, false, true},
		{"Last", page(nil, n(2), nil, nil), []string{"d", "e"}, false, true},
		{"LastBefore", page(nil, n(2), nil, at("d")), []string{"b", "c"}, true, true},
		{"LastBeforeReachesTheStart", page(nil, n(5), nil, at("c")), []string{"a", "b"}, true, false},
		{"BetweenForward", page(n(10), nil, at("a"), at("e")), []string{"b", "c", "d"}, true, true},
		{"BetweenBackwardCut", page(nil, n(2), at("a"), at("e")), []string{"c", "d"}, true, true},
		{"Zero", page(n(0), nil, at("d"), nil), []string{}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := testDB.ListTags(context.Background(), tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if got := slugs(l.Items); !slices.Equal(got, tt.want) || l.HasNext != tt.next || l.HasPrevious != tt.previous {
				t.Errorf("got %v next=%v previous=%v, want %v next=%v previous=%v", got, l.HasNext, l.HasPrevious, tt.want, tt.next, tt.previous)
			}
		})
	}
}

func TestDB_DataExceptionIsInvalidInput(t *testing.T) {
	// A cursor the API would refuse, handed to the store directly: Postgres
	// rejects the NUL, and the store reports the caller's input, not a fault.
	p := folio.Page{Limit: 1, HasAfter: true, After: folio.Cursor{Text: "a\x00b", ID: 1}}
	_, err := testDB.ListTags(context.Background(), p)
	var fe *folio.Error
	if !errors.As(err, &fe) || fe.Code != folio.EInvalid {
		t.Errorf("got %v, want an EInvalid error", err)
	}
}
