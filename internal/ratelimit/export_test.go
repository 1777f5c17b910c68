package ratelimit

// OnJoin has f called whenever a take joins a waiting group.
func OnJoin(b *Budgets, f func()) {
	b.lines.mu.Lock()
	defer b.lines.mu.Unlock()
	b.lines.joined = f
}
