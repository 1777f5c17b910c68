package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// ErrForbiddenAddress is the refusal of an address in a private, loopback,
// link-local, metadata or otherwise internal range.
var ErrForbiddenAddress = errors.New("address not allowed for webhooks")

// Resolver looks up a host's addresses; *net.Resolver is one.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Guard keeps webhooks away from internal addresses (SSRF): names are
// resolved, and the addresses checked, before any connection is made, and
// the dialer checks the address it connects to once more, so that a name
// that resolves differently the second time (DNS rebinding) gets nowhere.
type Guard struct {
	// AllowPrivate lets webhooks reach every address (tests, or a
	// deployment whose receivers are internal).
	AllowPrivate bool
	// Resolver resolves names; nil means net.DefaultResolver.
	Resolver Resolver
	// Dial connects to an address already checked; nil means a net.Dialer
	// whose Control refuses forbidden addresses.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// blocked are ranges that no webhook may reach, beyond those netip's
// predicates name: "this network", carrier-grade NAT, IETF protocol
// assignments, benchmarking, reserved, NAT64 (it may map to any IPv4),
// 6to4 and the IPv6 documentation range.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// Forbidden reports whether ip is in a range webhooks may not reach:
// loopback, private (RFC 1918, fc00::/7), link-local (169.254.0.0/16 with
// the cloud metadata address, fe80::/10), unspecified, multicast and the
// blocked ranges; always false with AllowPrivate.
func (g *Guard) Forbidden(ip netip.Addr) bool {
	if g.AllowPrivate {
		return false
	}
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Resolve returns host's addresses if every one of them may be reached;
// otherwise ErrForbiddenAddress, naming none of them.
func (g *Guard) Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		if g.Forbidden(ip) {
			return nil, ErrForbiddenAddress
		}
		return []netip.Addr{ip}, nil
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP)
		// A name with any internal address is refused whole: it is either
		// a mistake or an attempt to reach inside.
		if !ok || g.Forbidden(ip) {
			return nil, ErrForbiddenAddress
		}
		out = append(out, ip.Unmap())
	}
	return out, nil
}

// DialContext resolves addr's host through the guard and connects to the
// first address that answers; http.Transport calls it for every connection.
func (g *Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := g.Resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	dial := g.Dial
	if dial == nil {
		d := &net.Dialer{Timeout: 10 * time.Second, Control: g.control}
		dial = d.DialContext
	}
	var errs []error
	for _, ip := range ips {
		c, err := dial(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// control is the dialer's last check, on the address it is about to
// connect to.
func (g *Guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || g.Forbidden(ap.Addr()) {
		return ErrForbiddenAddress
	}
	return nil
}
