package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/folio/folio/internal/httpapi"
	"github.com/folio/folio/internal/postgres/postgrestest"
)

// TestServe_ReadReplica runs the whole server over a real primary and a
// pg_basebackup -R replica of it: queries read from the replica, a
// mutation reads its own write, the client's next request that echoes
// Folio-Read-After sees it too, and with the replica stopped every query
// still answers.
func TestServe_ReadReplica(t *testing.T) {
	pair := postgrestest.MustReplica(t)
	primaryURL, replicaURL := pair.CreateDB("folio")
	base := startServer(t, map[string]string{
		"DATABASE_URL": primaryURL, "DATABASE_REPLICA_URLS": replicaURL,
		// A paused replica stays within the bound for the whole test, so
		// what it answers shows that the replica answered.
		"REPLICA_MAX_LAG": "1h",
		"SEED_IF_EMPTY":   "false", "RATE_LIMIT": "false",
	}, nil)

	post := func(query string, header http.Header) (http.Header, map[string]any) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query})
		req, _ := http.NewRequest(http.MethodPost, base+"/query", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Folio-CSRF", "1")
		for k, v := range header {
			req.Header[k] = v
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct {
			Data   map[string]any
			Errors []any
		}
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if len(out.Errors) > 0 || res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d, errors %v", query, res.StatusCode, out.Errors)
		}
		return res.Header, out.Data
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	handle := "ryw_" + hex.EncodeToString(suffix[:])
	userQ := `{ user(handle: "` + handle + `") { handle } }`
	found := func(data map[string]any) bool { return data["user"] != nil }

	pair.PauseReplay()
	// signUp answers the same for a new address and a taken one, without
	// the account; signIn then reads it (written one request earlier, not
	// on the paused replica) into its own payload, from the primary.
	if _, data := post(`mutation { signUp(input: {email: "`+handle+`@example.com", password: "a long enough password", handle: "`+handle+`", displayName: "RYW"}) { email userErrors { code } } }`, nil); data["signUp"] == nil {
		t.Fatalf("signUp = %v", data)
	}
	h, data := post(`mutation { signIn(input: {email: "`+handle+`@example.com", password: "a long enough password"}) { session { user { handle } } userErrors { code } } }`, nil)
	if s, _ := json.Marshal(data); !strings.Contains(string(s), `"handle":"`+handle+`"`) {
		t.Fatalf("signIn = %s, want the new user in its own payload (read from the primary)", s)
	}
	pos := h.Get(httpapi.ReadAfterHeader)
	if pos == "" {
		t.Fatalf("signIn answered without %s", httpapi.ReadAfterHeader)
	}

	if _, data := post(userQ, nil); found(data) {
		t.Fatal("a query without the position found the user: it did not read from the paused replica")
	}
	if _, data := post(userQ, http.Header{httpapi.ReadAfterHeader: {pos}}); !found(data) {
		t.Fatal("the next request echoing the position did not find the user it wrote")
	}
	if _, data := post(userQ, http.Header{"Cookie": {httpapi.ReadAfterCookie + "=" + pos}}); !found(data) {
		t.Fatal("the next request with the cookie did not find the user it wrote")
	}

	pair.ResumeReplay()
	pair.CatchUp()
	pair.StopReplica()
	for i := range 3 {
		post(`{ tags(first: 5) { totalCount edges { node { slug } } } articles(first: 3) { edges { node { title } } } }`, nil)
		if _, data := post(userQ, nil); !found(data) {
			t.Fatalf("query %d with the replica stopped: user not found", i)
		}
	}
}
