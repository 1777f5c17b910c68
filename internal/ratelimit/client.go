package ratelimit

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

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

// Proxies are the peers trusted to say, in X-Forwarded-For, whom they
// forward for: the load balancers in front of Folio.
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of CIDR blocks or addresses,
// e.g. "10.0.0.0/8, 192.168.1.7".
func ParseProxies(s string) (Proxies, error) {
	var ps Proxies
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") {
			p, err := netip.ParsePrefix(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR block such as 10.0.0.0/8", part)
			}
			ps = append(ps, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or a CIDR block", part)
		}
		ps = append(ps, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return ps, nil
}

func (ps Proxies) trusted(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is the address of the client that sent r: the socket's peer,
// unless the peer is a trusted proxy, in which case X-Forwarded-For is read
// from the right, past the trusted proxies, to the first address that is
// not one. Whatever an untrusted peer puts in X-Forwarded-For is ignored:
// it could name anyone.
func (ps Proxies) ClientAddr(r *http.Request) netip.Addr {
	peer := remoteAddr(r.RemoteAddr)
	if !peer.IsValid() || !ps.trusted(peer) {
		return peer
	}
	client := peer
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// Garbage in the chain: trust nothing to its left.
			return client
		}
		client = a.Unmap()
		if !ps.trusted(client) {
			return client
		}
	}
	return client
}

func remoteAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	a, _ := netip.ParseAddr(s)
	return a.Unmap()
}

type addrKey struct{}

// WithClientAddr returns a context that carries the client's address.
func WithClientAddr(ctx context.Context, a netip.Addr) context.Context {
	return context.WithValue(ctx, addrKey{}, a)
}

// ClientAddrFrom returns the client address of ctx; the zero Addr if none.
func ClientAddrFrom(ctx context.Context) netip.Addr {
	a, _ := ctx.Value(addrKey{}).(netip.Addr)
	return a
}
