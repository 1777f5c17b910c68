package cache

import (
	"context"
	"encoding/json"
	"strconv"
)

// kind describes one cached row type: its key space and how to read its
// id and its unique name (slug or handle, normalised as lookups compare it).
type kind[T any] struct {
	name   string                                                 // "article"
	field  string                                                 // "slug"
	id     func(T) int64                                          //
	key    func(T) string                                         // the row's name, normalised
	byID   func(ctx context.Context, ids []int64) ([]T, error)    // the store's batch lookup
	byName func(ctx context.Context, names []string) ([]T, error) // the store's batch lookup
	// partial, if set, picks out rows that lack part of what a lookup
	// returns (an article read for a list, without its body): they are
	// never written to Redis, and one found there is a miss.
	partial func(T) bool
}

func (k kind[T]) whole(r T) bool { return k.partial == nil || !k.partial(r) }

// byIDs returns the rows with these ids, from Redis where it has them, the
// rest from the store in one call (shared with concurrent callers) and then
// written back.
func byIDs[T any](ctx context.Context, c *Store, k kind[T], ids []int64) ([]T, error) {
	if len(ids) == 0 {
		return k.byID(ctx, ids)
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = c.idKey(k.name, id)
	}
	vals, ok := c.mget(ctx, keys)
	if !ok {
		return k.byID(ctx, ids)
	}
	out := make([]T, 0, len(ids))
	idOf := make(map[string]int64)
	var missing []string
	for i, v := range vals {
		var row T
		if usable(v) && *v != negative && json.Unmarshal([]byte(*v), &row) == nil && k.whole(row) {
			out = append(out, row)
			continue
		}
		if _, dup := idOf[keys[i]]; !dup {
			idOf[keys[i]] = ids[i]
			missing = append(missing, keys[i])
		}
	}
	c.count(k.name, len(out), len(missing))
	if len(missing) == 0 {
		return out, nil
	}
	return loadMissing(ctx, c, out, missing, func(keys []string) (map[string]any, error) {
		want := make([]int64, len(keys))
		for i, key := range keys {
			want[i] = idOf[key]
		}
		rows, err := k.byID(ctx, want)
		if err != nil {
			return nil, err
		}
		found := make(map[string]any, len(rows))
		fill := make([]entry, 0, len(rows))
		for _, r := range rows {
			key := c.idKey(k.name, k.id(r))
			found[key] = r
			if k.whole(r) {
				fill = append(fill, entry{key, encode(r), c.jittered()})
			}
		}
		c.fill(ctx, fill)
		return found, nil
	})
}

// byNames returns the rows with these names. Redis maps a name to an id
// (or to "no such name", for a short while), and the id to the row through
// byIDs. A name whose row now has another name (a renamed slug) is a miss.
func byNames[T any](ctx context.Context, c *Store, k kind[T], names []string, norm func(string) string) ([]T, error) {
	if len(names) == 0 {
		return k.byName(ctx, names)
	}
	keys := make([]string, len(names))
	nameOf := make(map[string]string, len(names))
	for i, n := range names {
		keys[i] = c.nameKey(k.name, k.field, norm(n))
		nameOf[keys[i]] = n
	}
	vals, ok := c.mget(ctx, keys)
	if !ok {
		return k.byName(ctx, names)
	}
	var ids []int64
	idKeys := map[int64]string{}
	var missing []string
	seen := map[string]bool{}
	negatives := 0
	for i, v := range vals {
		if seen[keys[i]] {
			continue
		}
		seen[keys[i]] = true
		switch {
		case usable(v) && *v == negative:
			negatives++
		case usable(v):
			id, err := strconv.ParseInt(*v, 10, 64)
			if err == nil {
				ids = append(ids, id)
				idKeys[id] = keys[i]
				continue
			}
			missing = append(missing, keys[i])
		default:
			missing = append(missing, keys[i])
		}
	}
	c.count(k.name, negatives, 0)
	var out []T
	if len(ids) > 0 {
		rows, err := byIDs(ctx, c, k, ids)
		if err != nil {
			return nil, err
		}
		got := map[int64]bool{}
		for _, r := range rows {
			if key := idKeys[k.id(r)]; key == c.nameKey(k.name, k.field, k.key(r)) {
				out = append(out, r)
				got[k.id(r)] = true
			}
		}
		for _, id := range ids {
			if !got[id] {
				missing = append(missing, idKeys[id]) // renamed or deleted since
			}
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	c.count(k.name, 0, len(missing))
	return loadMissing(ctx, c, out, missing, func(keys []string) (map[string]any, error) {
		want := make([]string, len(keys))
		for i, key := range keys {
			want[i] = nameOf[key]
		}
		rows, err := k.byName(ctx, want)
		if err != nil {
			return nil, err
		}
		found := make(map[string]any, len(rows))
		fill := make([]entry, 0, 2*len(keys))
		for _, r := range rows {
			key := c.nameKey(k.name, k.field, k.key(r))
			found[key] = r
			if k.whole(r) {
				fill = append(fill, entry{key, strconv.FormatInt(k.id(r), 10), c.jittered()},
					entry{c.idKey(k.name, k.id(r)), encode(r), c.jittered()})
			}
		}
		for _, key := range keys {
			if _, ok := found[key]; !ok {
				fill = append(fill, entry{key, negative, c.o.NegativeTTL})
			}
		}
		c.fill(ctx, fill)
		return found, nil
	})
}

// loadMissing loads the missing keys with load, shared with concurrent
// callers loading the same keys, and appends the rows found to out.
func loadMissing[T any](ctx context.Context, c *Store, out []T, missing []string, load func(keys []string) (map[string]any, error)) ([]T, error) {
	loaded, err := c.flights.do(ctx, missing, load)
	if err != nil {
		return nil, err
	}
	for _, key := range missing {
		if r, ok := loaded[key]; ok {
			out = append(out, r.(T))
		}
	}
	return out, nil
}
