package clientaddr_test

import (
	"net/http/httptest"
	"testing"

	"github.com/folio/folio/internal/clientaddr"
)

func TestProxies_Of(t *testing.T) {
	proxies, err := clientaddr.ParseProxies("10.0.0.0/8, 192.168.1.7")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer, xff, want string
	}{
		{"NoProxy", "203.0.113.9:5000", "", "203.0.113.9"},
		{"UntrustedPeerForgesXFF", "203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},
		{"TrustedProxy", "10.1.2.3:5000", "198.51.100.1", "198.51.100.1"},
		{"TrustedSingleAddress", "192.168.1.7:5000", "198.51.100.1", "198.51.100.1"},
		{"ChainOfProxies", "10.1.2.3:5000", "198.51.100.1, 10.9.9.9", "198.51.100.1"},
		// The client may prepend anything; only what our proxies appended counts.
		{"ForgedLeftOfProxy", "10.1.2.3:5000", "1.1.1.1, 198.51.100.1", "198.51.100.1"},
		{"GarbageStopsTheWalk", "10.1.2.3:5000", "198.51.100.1, junk", "10.1.2.3"},
		{"ProxyWithoutXFF", "10.1.2.3:5000", "", "10.1.2.3"},
		{"IPv6Peer", "[2001:db8::1]:5000", "198.51.100.1", "2001:db8::1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/query", nil)
			r.RemoteAddr = tc.peer
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := proxies.Of(r); got.String() != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseProxies(t *testing.T) {
	if _, err := clientaddr.ParseProxies("10.0.0.0/8,nonsense"); err == nil {
		t.Error("nonsense: got no error")
	}
	if ps, err := clientaddr.ParseProxies(""); err != nil || len(ps) != 0 {
		t.Errorf("empty: got %v, %v; want none", ps, err)
	}
}

func TestFrom(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if a := clientaddr.From(r.Context()); a.IsValid() {
		t.Errorf("got %s from a bare context, want the zero address", a)
	}
	want := clientaddr.Proxies(nil).Of(r)
	if got := clientaddr.From(clientaddr.With(r.Context(), want)); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
