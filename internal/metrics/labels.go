package metrics

import "sync"

// labelSet bounds the values of a label whose source is the client (an
// operation name): the allowed values, then the first max others seen;
// anything later is Other, so a client inventing names cannot make the
// series grow without bound.
type labelSet struct {
	mu   sync.RWMutex
	seen map[string]struct{}
	max  int
}

func newLabelSet(allowed []string, max int) *labelSet {
	s := &labelSet{seen: make(map[string]struct{}, len(allowed)), max: max + len(allowed)}
	for _, a := range allowed {
		s.seen[a] = struct{}{}
	}
	return s
}

func (s *labelSet) label(v string) string {
	if v == "" {
		return Anonymous
	}
	if !validName(v) {
		return Other
	}
	s.mu.RLock()
	_, ok := s.seen[v]
	s.mu.RUnlock()
	if ok {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[v]; ok {
		return v
	}
	if len(s.seen) >= s.max {
		return Other
	}
	s.seen[v] = struct{}{}
	return v
}

// validName accepts GraphQL names (and error codes) of at most 64 bytes.
func validName(v string) bool {
	if len(v) > 64 {
		return false
	}
	for i, c := range v {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
