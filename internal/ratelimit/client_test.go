package ratelimit_test

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/ratelimit"
)

func TestTiers_ClientFor(t *testing.T) {
	tiers := ratelimit.DefaultTiers
	v4 := netip.MustParseAddr("203.0.113.9")
	for _, tc := range []struct {
		name   string
		viewer folio.Viewer
		addr   netip.Addr
		key    string
		tier   string
	}{
		{"APIKey", folio.Viewer{UserID: 42, APIKeyID: 7}, v4, "key:7", "apiKey"},
		{"User", folio.Viewer{UserID: 42}, v4, "user:42", "user"},
		{"Anonymous", folio.Viewer{}, v4, "ip:203.0.113.9", "anonymous"},
		{"MappedIPv4", folio.Viewer{}, netip.MustParseAddr("::ffff:203.0.113.9"), "ip:203.0.113.9", "anonymous"},
		{"IPv6Per64", folio.Viewer{}, netip.MustParseAddr("2001:db8:1:2:aaaa::1"), "ip:2001:db8:1:2::/64", "anonymous"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tiers.ClientFor(tc.viewer, tc.addr)
			if c.Key != tc.key || c.Tier.Name != tc.tier {
				t.Errorf("got %s (%s), want %s (%s)", c.Key, c.Tier.Name, tc.key, tc.tier)
			}
		})
	}
}

func TestProxies_ClientAddr(t *testing.T) {
	proxies, err := ratelimit.ParseProxies("10.0.0.0/8, 192.168.1.7")
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
			if got := proxies.ClientAddr(r); got.String() != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseProxies(t *testing.T) {
	if _, err := ratelimit.ParseProxies("10.0.0.0/8,nonsense"); err == nil {
		t.Error("nonsense: got no error")
	}
	if ps, err := ratelimit.ParseProxies(""); err != nil || len(ps) != 0 {
		t.Errorf("empty: got %v, %v; want none", ps, err)
	}
}
