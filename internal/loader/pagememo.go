package loader

import (
	"context"
	"sync"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/folio/folio/internal/folio"
)

// pageMemo is a paged loader's memo (a dataloader.Cache): its entries by
// page, then by parent. The keys of a request share one page or a few (a
// field's page is its arguments, the same for all its rows), and comparing
// a page with the few there are is cheaper than hashing it: dataloader's
// map of whole keys hashed the page, cursors and all, on every lookup,
// and an article page's replies look theirs up four times a comment.
type pageMemo[V any] struct {
	mu    sync.RWMutex
	pages []pageEntries[V]
	// index finds a page among many, once there are more than fewPages
	// (a document of many aliased lists, each with its own arguments).
	index map[folio.Page]int
}

// fewPages is how many pages are compared one by one before the memo
// indexes them by hash.
const fewPages = 8

type pageEntries[V any] struct {
	page folio.Page
	byID map[int64]dataloader.Thunk[V]
}

func newPageMemo[V any]() dataloader.Cache[PageKey, V] { return &pageMemo[V]{} }

// find returns the position of page p, or -1 (under mu).
func (m *pageMemo[V]) find(p folio.Page) int {
	if m.index != nil {
		if i, ok := m.index[p]; ok {
			return i
		}
		return -1
	}
	for i := range m.pages {
		if m.pages[i].page == p {
			return i
		}
	}
	return -1
}

func (m *pageMemo[V]) Get(_ context.Context, k PageKey) (dataloader.Thunk[V], bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if i := m.find(k.Page); i >= 0 {
		th, ok := m.pages[i].byID[k.ID]
		return th, ok
	}
	return nil, false
}

func (m *pageMemo[V]) Set(_ context.Context, k PageKey, th dataloader.Thunk[V]) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.find(k.Page)
	if i < 0 {
		i = len(m.pages)
		m.pages = append(m.pages, pageEntries[V]{page: k.Page, byID: make(map[int64]dataloader.Thunk[V])})
		switch {
		case m.index != nil:
			m.index[k.Page] = i
		case len(m.pages) > fewPages:
			m.index = make(map[folio.Page]int, len(m.pages))
			for j := range m.pages {
				m.index[m.pages[j].page] = j
			}
		}
	}
	m.pages[i].byID[k.ID] = th
}

func (m *pageMemo[V]) Delete(_ context.Context, k PageKey) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i := m.find(k.Page); i >= 0 {
		if _, ok := m.pages[i].byID[k.ID]; ok {
			delete(m.pages[i].byID, k.ID)
			return true
		}
	}
	return false
}

func (m *pageMemo[V]) Clear() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pages, m.index = nil, nil
}
