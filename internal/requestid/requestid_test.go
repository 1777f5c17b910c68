package requestid

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMiddleware(t *testing.T) {
	tests := []struct {
		name, incoming string
		keep           bool
	}{
		{"KeepsAUUID", "0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"KeepsProxyFormat", "req_01HXYZ.abc", true},
		{"MakesOneWhenMissing", "", false},
		{"RefusesTooShort", "abc", false},
		{"RefusesLogForgery", "abcdefgh\n level=ERROR msg=forged", false},
		{"RefusesTooLong", string(make([]byte, 65)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = From(r.Context()) }))
			req := httptest.NewRequest("GET", "/", nil)
			if tt.incoming != "" {
				req.Header.Set(Header, tt.incoming)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if seen == "" || rec.Header().Get(Header) != seen {
				t.Fatalf("context id %q, response header %q: want the same non-empty id", seen, rec.Header().Get(Header))
			}
			if (seen == tt.incoming) != tt.keep {
				t.Errorf("got %q for incoming %q, keep=%v", seen, tt.incoming, tt.keep)
			}
		})
	}
}
