package graph

import (
	"net/http"

	"github.com/folio/folio/internal/admission"
	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
)

// admit runs each request of next inside a turn of gate: at most its limit
// run at once (reading the document, pricing and charging it, executing
// it and writing the answer), the rest wait in line until their deadline.
// It sits inside the response cache and the idempotency keys, whose
// waiters wait for a leader that must be able to take a turn. A live
// connection (httpapi.Streaming) passes: it would hold its turn for hours,
// and the operations sent over it are not bounded.
func admit(gate *admission.Gate, next http.Handler) http.Handler {
	if gate == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if httpapi.Streaming(r) {
			next.ServeHTTP(w, r)
			return
		}
		if gate.Enter(r.Context()) != nil {
			// The deadline passed in line, or the client left. Nothing
			// ran: a retry, even of a mutation, is safe. A client that
			// left gets the answer too, so that no layer above (the
			// idempotency keys) takes an empty 200 for one.
			httpapi.WriteError(w, r, &folio.Error{Code: folio.EUnavailable, RetryAfter: retryAfterUnavailable,
				Message: "The server is busy: the operation waited for its turn until its deadline and did not run. Retry shortly."})
			return
		}
		defer gate.Leave()
		next.ServeHTTP(w, r)
	})
}
