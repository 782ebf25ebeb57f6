package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with serial n.
func writeCert(t *testing.T, dir string, n int64) *x509.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(n), Subject: pkix.Name{CommonName: "raygate-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	return cert
}

// TLS end to end: the gateway serves TLS (HTTP/1.1), forwards with
// X-Forwarded-Proto https, logs refusals, and picks up a renewed certificate
// without a restart.
func TestTLSEndToEnd(t *testing.T) {
	dir := t.TempDir()
	c1 := writeCert(t, dir, 1)
	certs := &CertReloader{CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem")}
	if err := certs.Load(); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.gw.tls = true
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := h.gw.NewServer()
	go srv.Serve(Listener(ln, certs.TLSConfig()))
	t.Cleanup(func() { srv.Close() })
	get := func(trust *x509.Certificate) (*http.Response, error) {
		pool := x509.NewCertPool()
		pool.AddCert(trust)
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		req, _ := http.NewRequest("GET", "https://"+ln.Addr().String()+"/projects/a/api/jobs/", nil)
		req.Header.Set("Authorization", "Bearer "+tokRita)
		return client.Do(req)
	}
	resp, err := get(c1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("%d", resp.StatusCode)
	}
	if p := h.a.last.Load().Header.Get("X-Forwarded-Proto"); p != "https" {
		t.Errorf("X-Forwarded-Proto %q", p)
	}
	time.Sleep(1100 * time.Millisecond) // the reloader looks at most once a second
	c2 := writeCert(t, dir, 2)
	resp, err = get(c2)
	if err != nil {
		t.Fatalf("renewed certificate not served: %v", err)
	}
	resp.Body.Close()
	if s := resp.TLS.PeerCertificates[0].SerialNumber.Int64(); s != 2 {
		t.Errorf("serial %d", s)
	}
	// A malformed request over TLS is logged too.
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n")
	io.ReadAll(conn)
	conn.Close()
	waitFor(t, func() bool {
		l := h.mu.lines(t)
		return len(l) == 3 && l[2]["reason"] == "malformed_request"
	})
}

// The config file: known fields only, every error with its line or field
// path; flags override it.
func TestConfig(t *testing.T) {
	dir := t.TempDir()
	good := `listen: 127.0.0.1:0
health_listen: 127.0.0.1:0
upstreams: {a: "http://127.0.0.1:8265"}
streaming_routes: [r-job-logs-tail]
bundle: {file: bundle.json}
auth:
  tokens_file: tokens.json
  jwt: {issuer: "https://issuer", audience: "api://raygate", jwks_file: jwks.json, clock_skew: 30s, principal: entra}
logging: {decision_log: "-"}
`
	path := filepath.Join(dir, "raygate.yaml")
	os.WriteFile(path, []byte(good), 0o600)
	c, _, err := loadConfig([]string{"-config", path, "-listen", "127.0.0.1:1234"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:1234" || c.Auth.JWT.ClockSkew != 30*time.Second || c.StreamingRoutes[0] != "r-job-logs-tail" {
		t.Errorf("%+v", c)
	}
	for bad, want := range map[string]string{
		good + "listn: x\n": "line 10: field listn not found",
		"listen: [1]\n":     "line 1",
		"bundle: {file: a, url: b}\nupstreams: {a: http://x}\nauth: {tokens_file: t}\n":       "bundle: exactly one of file and url",
		strings.Replace(good, "clock_skew: 30s", "clock_skew: 1h", 1):                         "auth.jwt.clock_skew",
		strings.Replace(good, "principal: entra", "principal: name", 1):                       "auth.jwt.principal",
		strings.Replace(good, "file: bundle.json", "url: http://example.com/b", 1):            "bundle.url",
		strings.Replace(good, "jwks_file: jwks.json", "jwks_file: j, algorithms: [HS256]", 1): "auth.jwt.algorithms[0]",
	} {
		os.WriteFile(path, []byte(bad), 0o600)
		_, _, err := loadConfig([]string{"-config", path})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q, got %v", want, err)
		}
	}
}

// /healthz, /readyz and /metrics on the health listener; readiness follows
// the credentials (a token file emptied turns it false).
func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t)
	tokens := h.gw.auth.(*TokenFile)
	a := &app{engine: h.engine, gw: h.gw, metrics: h.gw.metrics, ops: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		ready: func() (bool, string) { return tokens.Ready() }}
	hs := httptest.NewServer(a.healthHandler())
	defer hs.Close()
	h.raw(t, "GET", "/projects/a/api/jobs/", tokRita)
	h.raw(t, "GET", "/projects/a/api/jobs/", "nope")
	get := func(p string) (int, string) {
		resp, err := http.Get(hs.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if code, body := get("/readyz"); code != 200 {
		t.Errorf("readyz %d %s", code, body)
	}
	_, m := get("/metrics")
	for _, want := range []string{`raygate_requests_total{reason="grant",status="200"} 1`,
		`raygate_requests_total{reason="unknown_token",status="401"} 1`, "raygate_decision_seconds_count 1",
		"raygate_bundle_age_seconds", "raygate_open_streams 0"} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	tokens.Load([]byte(`{"tokens": []}`))
	code, body := get("/readyz")
	var r map[string]string
	json.Unmarshal([]byte(body), &r)
	if code != 503 || r["status"] != "not_ready" {
		t.Errorf("readyz with no tokens: %d %s", code, body)
	}
}

// The shipped example configuration parses (known fields only).
func TestExampleConfigParses(t *testing.T) {
	data, err := os.ReadFile("deploy/raygate.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	if err := ParseConfig(data, &c); err != nil {
		t.Fatal(err)
	}
	if c.Auth.JWT == nil || c.Auth.JWT.Principal != "entra" || c.StreamingRoutes[0] != "r-job-logs-tail" {
		t.Errorf("%+v", c)
	}
}
