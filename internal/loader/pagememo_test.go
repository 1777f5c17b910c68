package loader

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/folio/folio/internal/folio"
)

// TestPageMemo_AsAMap: a paged loader's memo keeps, finds and forgets
// entries as a map of whole keys does, with few pages (compared one by
// one) and with many (indexed), pages that differ in one cursor included.
func TestPageMemo_AsAMap(t *testing.T) {
	ctx := context.Background()
	for _, npages := range []int{1, fewPages, 3 * fewPages} {
		pages := make([]folio.Page, npages)
		for i := range pages {
			pages[i] = folio.Page{Limit: 5, After: folio.Cursor{Text: "c", ID: int64(i)}, HasAfter: i%2 == 1}
		}
		memo := newPageMemo[int]()
		model := map[PageKey]int{}
		rng := rand.New(rand.NewPCG(1, uint64(npages)))
		for op := range 5000 {
			k := PageKey{ID: rng.Int64N(20), Page: pages[rng.IntN(npages)]}
			switch r := rng.IntN(20); {
			case r < 8:
				v := op
				memo.Set(ctx, k, func() (int, error) { return v, nil })
				model[k] = v
			case r < 18:
				th, ok := memo.Get(ctx, k)
				want, wantOK := model[k]
				if ok != wantOK {
					t.Fatalf("%d pages, op %d: Get(%v) found %v, want %v", npages, op, k, ok, wantOK)
				}
				if ok {
					if got, _ := th(); got != want {
						t.Fatalf("%d pages, op %d: Get(%v) = %d, want %d", npages, op, k, got, want)
					}
				}
			case r < 19:
				_, wantOK := model[k]
				if got := memo.Delete(ctx, k); got != wantOK {
					t.Fatalf("%d pages, op %d: Delete(%v) = %v, want %v", npages, op, k, got, wantOK)
				}
				delete(model, k)
			default:
				if rng.IntN(10) == 0 {
					memo.Clear()
					clear(model)
				}
			}
		}
	}
}

// The memo is a dataloader cache.
var _ dataloader.Cache[PageKey, int] = (*pageMemo[int])(nil)
