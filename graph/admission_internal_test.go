package graph

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/folio/folio/internal/admission"
)

// TestAdmit_ClientLeftInLine: a request whose client leaves while it waits
// never runs, and still gets the busy answer (503), never the empty 200 an
// unwritten response would be: the idempotency keys would keep that as the
// key's answer, and replay it to the retry.
func TestAdmit_ClientLeftInLine(t *testing.T) {
	gate := admission.New(1)
	if err := gate.Enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	ran := false
	h := admit(gate, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ran = true }))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":"mutation { signOut }"}`)).WithContext(ctx)
	r.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if ran {
		t.Fatal("the request ran without a turn")
	}
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"code":"SERVICE_UNAVAILABLE"`) || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("got %d %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if st := gate.Stats(); st != (admission.Stats{Limit: 1, Running: 1}) {
		t.Fatalf("gate after the client left: %+v", st)
	}
}
