package graph_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/graph/graphtest"
	"github.com/folio/folio/internal/httpapi"
)

// TestHostileRequests sends the hostile table through the whole HTTP stack:
// each request is refused with its code within a second, answered in under
// 64 KiB without echoing itself, before any SQL, and the server answers
// right after. The server waits half a second for a body.
func TestHostileRequests(t *testing.T) {
	getWorld(t)
	s := newServerHTTP(t, testDB, func(o *httpapi.Options) { o.BodyTimeout = 500 * time.Millisecond })
	for _, h := range graphtest.HostileRequests() {
		t.Run(h.Name, func(t *testing.T) {
			start := time.Now()
			r := s.Post(t, h.ContentType, h.Reader())
			if took := time.Since(start); took > time.Second {
				t.Errorf("refused after %s, want within 1s", took)
			}
			if (h.Status != 0 && r.Status != h.Status) || r.Code() != h.Code {
				t.Errorf("got %d %s, want %d %s: %.300s", r.Status, r.Code(), h.Status, h.Code, r.Raw)
			}
			if len(r.Raw) >= 64<<10 {
				t.Errorf("the response is %d bytes, want under 64 KiB", len(r.Raw))
			}
			if strings.Contains(r.Raw, strings.Repeat("s3cr3t-", 5)) || strings.Contains(r.Raw, strings.Repeat("x", 100)) {
				t.Errorf("the response echoes the request: %.300s", r.Raw)
			}
			if r.Statements != 0 {
				t.Errorf("%d SQL statements ran, want none", r.Statements)
			}
			var out struct {
				Typename string `json:"__typename"`
			}
			if s.OK(t, nil, `{ __typename }`, nil, &out); out.Typename != "Query" {
				t.Errorf("{ __typename } right after: got %q", out.Typename)
			}
		})
	}
}

// TestHostileRequests_ErrorsCapped checks a document that fails validation
// many times over lists only the first errors and says how many it left out.
func TestHostileRequests_ErrorsCapped(t *testing.T) {
	var q strings.Builder
	q.WriteString("{ ")
	for i := range 99 {
		q.WriteString("unknown" + itoa(int64(i)) + " ")
	}
	q.WriteString("}")
	r := srv(t).Do(t, nil, q.String(), nil)
	if r.Status != http.StatusOK || len(r.Errors) != 20 {
		t.Fatalf("got %d with %d errors, want 20", r.Status, len(r.Errors))
	}
	if last := r.Errors[19].Message; !strings.Contains(last, "80 more errors") {
		t.Errorf("last error: got %q, want it to count the 80 left out", last)
	}
}

// TestHostileRequests_DeadlineBeforeValidation checks a request whose
// deadline passed before its document was validated is not validated:
// validation cannot be interrupted.
func TestHostileRequests_DeadlineBeforeValidation(t *testing.T) {
	s := newTimedServer(t, testDB, time.Nanosecond)
	r := s.Do(t, nil, `{ __typename }`, nil)
	if r.Code() != "TIMEOUT" || !strings.Contains(r.Errors[0].Message, "before its document was validated") || r.Statements != 0 {
		t.Errorf("got %d %s after %d statements, want TIMEOUT before any: %s", r.Status, r.Code(), r.Statements, r.Raw)
	}
}
