package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
)

// TestNew_ReadYourWrites: a request that writes gives its client the
// write's position, and the client's next request, echoing it by header or
// cookie, carries it to the store.
func TestNew_ReadYourWrites(t *testing.T) {
	var seen *folio.Reads
	exec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = folio.ReadsFrom(r.Context())
		if r.Header.Get("X-Test-Write") != "" {
			seen.Write() // as the GraphQL layer marks a mutation
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{}}`))
	})
	h := httpapi.New(httpapi.Options{GraphQL: exec, ReadYourWrites: &httpapi.ReadYourWrites{
		Position: func(context.Context) (uint64, error) { return 0x16B374D848, nil },
	}})

	t.Run("WriteGivesPosition", func(t *testing.T) {
		r := postQuery()
		r.Header.Set("X-Test-Write", "1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if got := rec.Header().Get(httpapi.ReadAfterHeader); got != "16b374d848" {
			t.Errorf("%s = %q, want 16b374d848", httpapi.ReadAfterHeader, got)
		}
		cookies := rec.Result().Cookies()
		if len(cookies) != 1 || cookies[0].Name != httpapi.ReadAfterCookie || cookies[0].Value != "16b374d848" || !cookies[0].HttpOnly {
			t.Errorf("cookies %v, want one HttpOnly %s=16b374d848", cookies, httpapi.ReadAfterCookie)
		}
	})
	t.Run("ReadGivesNothing", func(t *testing.T) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, postQuery())
		if got := rec.Header().Get(httpapi.ReadAfterHeader); got != "" || len(rec.Result().Cookies()) != 0 {
			t.Errorf("a read got %s %q and cookies %v, want neither", httpapi.ReadAfterHeader, got, rec.Result().Cookies())
		}
		if seen == nil || seen.After != 0 {
			t.Errorf("reads %+v, want one with no position", seen)
		}
	})
	t.Run("HeaderEchoed", func(t *testing.T) {
		r := postQuery()
		r.Header.Set(httpapi.ReadAfterHeader, "16b374d848")
		h.ServeHTTP(httptest.NewRecorder(), r)
		if seen == nil || seen.After != 0x16B374D848 {
			t.Errorf("reads %+v, want After 0x16B374D848", seen)
		}
	})
	t.Run("CookieEchoed", func(t *testing.T) {
		r := postQuery()
		r.AddCookie(&http.Cookie{Name: httpapi.ReadAfterCookie, Value: "ff"})
		h.ServeHTTP(httptest.NewRecorder(), r)
		if seen == nil || seen.After != 0xff {
			t.Errorf("reads %+v, want After 0xff", seen)
		}
	})
	t.Run("GarbageIgnored", func(t *testing.T) {
		r := postQuery()
		r.Header.Set(httpapi.ReadAfterHeader, "not a position")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK || seen == nil || seen.After != 0 {
			t.Errorf("got %d, reads %+v; want an answer with no position", rec.Code, seen)
		}
	})
}
