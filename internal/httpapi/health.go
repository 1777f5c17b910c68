package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"
)

// healthz says the process is up; it checks nothing else so that a slow
// dependency never gets a live instance restarted.
func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Check is one dependency readiness asks after: Postgres, Redis.
type Check struct {
	Name string
	Ping func(context.Context) error
}

// readyz says whether this instance can serve: every check answers within
// a second. A load balancer sends traffic elsewhere while it reports 503.
func readyz(checks []Check) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		status, report := http.StatusOK, make(map[string]string, len(checks))
		for _, c := range checks {
			report[c.Name] = "ok"
			if err := c.Ping(ctx); err != nil {
				report[c.Name], status = "unreachable", http.StatusServiceUnavailable
			}
		}
		writeJSON(w, status, report)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Drain tells whether the server is stopping. When it is, readiness fails
// at once, so load balancers send new traffic elsewhere while
// http.Server.Shutdown lets the requests in flight finish. The zero value
// is a server that is not stopping.
type Drain struct {
	draining atomic.Bool
}

// Begin marks the server as stopping: readiness fails from now on.
func (d *Drain) Begin() { d.draining.Store(true) }

// Draining reports whether Begin was called.
func (d *Drain) Draining() bool { return d.draining.Load() }

// readiness answers 503 {"status":"draining"} once the server is stopping,
// and asks next (the dependency checks) before that.
func (d *Drain) readiness(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d.Draining() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
			return
		}
		next.ServeHTTP(w, r)
	})
}
