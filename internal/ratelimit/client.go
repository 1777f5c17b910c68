package ratelimit

import (
	"net/netip"
	"strconv"

	"github.com/folio/folio/internal/folio"
)

// Client is whose budget an operation draws on.
type Client struct {
	// Key names the bucket: "key:7" for an API key, "user:42" for a
	// signed-in person, "ip:203.0.113.9" for anyone else.
	Key  string
	Tier Tier
}

// ClientFor picks the budget of a request: its API key's, else its user's,
// else its address's. IPv6 addresses share a bucket per /64, the block one
// host is usually given, so that a client cannot mint fresh budgets by
// changing the low bits of its address.
func (t Tiers) ClientFor(v folio.Viewer, addr netip.Addr) Client {
	switch {
	case v.APIKeyID != 0:
		return Client{Key: "key:" + strconv.FormatInt(v.APIKeyID, 10), Tier: t.APIKey}
	case v.UserID != 0:
		return Client{Key: "user:" + strconv.FormatInt(v.UserID, 10), Tier: t.User}
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return Client{Key: "ip:" + p.String(), Tier: t.Anonymous}
	}
	return Client{Key: "ip:" + addr.String(), Tier: t.Anonymous}
}
