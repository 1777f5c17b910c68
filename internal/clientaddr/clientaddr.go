// Package clientaddr tells which address a request comes from, believing
// X-Forwarded-For only from trusted proxies, and carries that address in a
// context. The HTTP layer sets it once; the rate limiter and the sign-in
// throttle read it.
package clientaddr

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

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

// Of is the address of the client that sent r: the socket's peer, unless
// the peer is a trusted proxy, in which case X-Forwarded-For is read from
// the right, past the trusted proxies, to the first address that is not
// one. Whatever an untrusted peer puts in X-Forwarded-For is ignored: it
// could name anyone.
func (ps Proxies) Of(r *http.Request) netip.Addr {
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

// With returns a context that carries the client's address.
func With(ctx context.Context, a netip.Addr) context.Context {
	return context.WithValue(ctx, addrKey{}, a)
}

// From returns the client address of ctx; the zero Addr if none.
func From(ctx context.Context) netip.Addr {
	a, _ := ctx.Value(addrKey{}).(netip.Addr)
	return a
}
