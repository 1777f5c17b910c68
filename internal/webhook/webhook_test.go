package webhook_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/folio/folio/internal/webhook"
)

// The example of the Standard Webhooks specification's reference
// libraries: the same secret, id, timestamp and body give the same
// signature, so any of their verifiers accepts ours.
func TestSign_StandardWebhooksVector(t *testing.T) {
	const (
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		id     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		want   = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	ts := time.Unix(1614265330, 0)
	body := []byte(`{"test": 2432232314}`)
	got, err := webhook.Sign([]string{secret}, id, ts, body)
	if err != nil || got != want {
		t.Fatalf("Sign = %q, %v; want %q", got, err, want)
	}
	h := http.Header{}
	h.Set(webhook.HeaderID, id)
	h.Set(webhook.HeaderTimestamp, "1614265330")
	h.Set(webhook.HeaderSignature, "v1,bm9wZQ== "+got)
	if err := webhook.Verify(secret, h, body, ts.Add(time.Minute)); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if err := webhook.Verify(secret, h, body, ts.Add(10*time.Minute)); err == nil {
		t.Error("Verify accepted a timestamp 10 minutes old")
	}
}

func TestGuard_Forbidden(t *testing.T) {
	g := &webhook.Guard{}
	for _, tc := range []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", true}, {"10.0.0.1", true}, {"172.16.5.4", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"0.0.0.0", true}, {"100.64.0.1", true}, {"::1", true},
		{"fe80::1", true}, {"fd00:ec2::254", true}, {"::ffff:127.0.0.1", true}, {"::", true}, {"224.0.0.1", true},
		{"93.184.215.14", false}, {"2606:4700::1111", false}, {"8.8.8.8", false},
	} {
		if got := g.Forbidden(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("Forbidden(%s) = %v, want %v", tc.ip, got, tc.want)
		}
	}
	if (&webhook.Guard{AllowPrivate: true}).Forbidden(netip.MustParseAddr("127.0.0.1")) {
		t.Error("AllowPrivate still refused loopback")
	}
}

type table map[string]string

func (tb table) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	return []net.IPAddr{{IP: net.ParseIP(tb[host])}}, nil
}

// The guard refuses a name that resolves inside before dialing; the
// dialer of this test fails it if it is called at all.
func TestGuard_DialContext(t *testing.T) {
	g := &webhook.Guard{Resolver: table{"meta.example": "169.254.169.254", "v6.example": "::1"},
		Dial: func(_ context.Context, _, addr string) (net.Conn, error) {
			t.Errorf("dialed %s", addr)
			return nil, errors.New("no")
		}}
	for _, addr := range []string{"meta.example:80", "v6.example:443", "127.0.0.1:80", "[::1]:80", "10.0.0.1:80"} {
		if _, err := g.DialContext(t.Context(), "tcp", addr); !errors.Is(err, webhook.ErrForbiddenAddress) {
			t.Errorf("DialContext(%s) = %v, want ErrForbiddenAddress", addr, err)
		}
	}
}
