package ratelimit_test

import (
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
