package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "folio test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServe_TLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	s, _ := serveProduction(t, map[string]string{"TLS_CERT_FILE": certFile, "TLS_KEY_FILE": keyFile})
	// HTTP/1.1, whose answers are gathered under TLS and sent in one
	// write (httpapi.WriteWhole), and HTTP/2, whose are not.
	for _, h2 := range []bool{false, true} {
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: h2}}
		res, err := client.Post(strings.Replace(s.base, "http://", "https://", 1)+"/query", "application/json",
			strings.NewReader(`{"query":"{ articles { totalCount } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("got %d with headers %v, want 200 with HSTS", res.StatusCode, res.Header)
		}
		if want := map[bool]int{false: 1, true: 2}[h2]; res.ProtoMajor != want {
			t.Errorf("answered over HTTP/%d, want HTTP/%d", res.ProtoMajor, want)
		}
		if !strings.HasPrefix(string(body), `{"data":{"articles":{"totalCount":`) || strconv.Itoa(len(body)) != res.Header.Get("Content-Length") {
			t.Errorf("HTTP/%d: got body %q (Content-Length %s), want the whole answer", res.ProtoMajor, body, res.Header.Get("Content-Length"))
		}
	}
}

func TestConfig_TLSFilesMustPair(t *testing.T) {
	msg := runErr(t, map[string]string{"TLS_CERT_FILE": "/nonexistent.pem"})
	if !strings.Contains(msg, "TLS_KEY_FILE") {
		t.Errorf("got %q, want it to name the missing TLS_KEY_FILE", msg)
	}
	msg = runErr(t, map[string]string{"TLS_CERT_FILE": "/nonexistent.pem", "TLS_KEY_FILE": "/nonexistent.key"})
	if !strings.Contains(msg, "usable certificate") {
		t.Errorf("got %q, want it to say the files are not usable", msg)
	}
}
