package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const (
	testIssuer   = "https://login.example.test/tenant/v2.0"
	testAudience = "api://raygate"
)

type signingKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

func newKey(t testing.TB, kid string, alg jose.SignatureAlgorithm) signingKey {
	var priv crypto.Signer
	var err error
	switch alg {
	case jose.RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{kid: kid, alg: alg, priv: priv}
}

func (k signingKey) jwk() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

func jwksJSON(keys ...signingKey) []byte {
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, k.jwk())
	}
	b, _ := json.Marshal(set)
	return b
}

// sign makes a token; mutate adjusts the standard claims first.
func (k signingKey) sign(t testing.TB, extra map[string]any, mutate func(*jwt.Claims)) string {
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.priv},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.kid))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c := jwt.Claims{Issuer: testIssuer, Audience: jwt.Audience{testAudience}, Subject: "ada",
		Expiry: jwt.NewNumericDate(now.Add(10 * time.Minute)), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		IssuedAt: jwt.NewNumericDate(now)}
	if mutate != nil {
		mutate(&c)
	}
	raw, err := jwt.Signed(sig).Claims(c).Claims(extra).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// jwksServer serves a JWKS that the test can change or take down.
type jwksServer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	body    []byte
	down    bool
	fetches atomic.Int64
}

func newJWKSServer(t testing.TB, keys ...signingKey) *jwksServer {
	j := &jwksServer{body: jwksJSON(keys...)}
	j.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.fetches.Add(1)
		j.mu.Lock()
		defer j.mu.Unlock()
		if j.down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write(j.body)
	}))
	t.Cleanup(j.srv.Close)
	return j
}

func (j *jwksServer) set(down bool, keys ...signingKey) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.down = down
	if keys != nil {
		j.body = jwksJSON(keys...)
	}
}

func newJWTAuthFor(t testing.TB, source string, cfg JWTConfig) *JWTAuth {
	keys := &JWKS{Source: source, MinRefresh: 50 * time.Millisecond}
	if err := keys.Refresh(); err != nil {
		t.Fatal(err)
	}
	if cfg.Issuer == "" {
		cfg.Issuer, cfg.Audience, cfg.ClockSkew = testIssuer, testAudience, 30*time.Second
	}
	a, err := NewJWTAuth(cfg, keys)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestJWTRefusals(t *testing.T) {
	rs, es, ed := newKey(t, "rs", jose.RS256), newKey(t, "es", jose.ES256), newKey(t, "ed", jose.EdDSA)
	srv := newJWKSServer(t, rs, es, ed)
	a := newJWTAuthFor(t, srv.srv.URL, JWTConfig{Issuer: testIssuer, Audience: testAudience,
		ClockSkew: 30 * time.Second, Prefix: "user:"})
	for _, k := range []signingKey{rs, es, ed} {
		id, err := a.Verify(k.sign(t, nil, nil))
		if err != nil || id.Principal != "user:ada" {
			t.Errorf("%s: %v %v", k.alg, id, err)
		}
	}
	other := newKey(t, "rs", jose.RS256) // same kid, another key: bad signature
	stranger := newKey(t, "nobody", jose.ES256)
	pubPEM := pemPublic(t, rs)
	hs := hs256(t, "rs", pubPEM)
	for name, tc := range map[string]struct{ token, reason string }{
		"expired": {rs.sign(t, nil, func(c *jwt.Claims) {
			c.Expiry = jwt.NewNumericDate(time.Now().Add(-time.Minute))
		}), "token_expired"},
		"expired within skew": {"", ""},
		"not yet valid": {rs.sign(t, nil, func(c *jwt.Claims) {
			c.NotBefore = jwt.NewNumericDate(time.Now().Add(5 * time.Minute))
		}), "token_not_yet_valid"},
		"no exp":             {rs.sign(t, nil, func(c *jwt.Claims) { c.Expiry = nil }), "missing_exp"},
		"wrong issuer":       {rs.sign(t, nil, func(c *jwt.Claims) { c.Issuer = "https://evil" }), "wrong_issuer"},
		"wrong audience":     {rs.sign(t, nil, func(c *jwt.Claims) { c.Audience = jwt.Audience{"other"} }), "wrong_audience"},
		"unknown kid":        {stranger.sign(t, nil, nil), "unknown_key"},
		"bad signature":      {other.sign(t, nil, nil), "bad_signature"},
		"alg none":           {algNone(t), "algorithm_not_allowed"},
		"HS256 with pub key": {hs, "algorithm_not_allowed"},
		"no sub":             {rs.sign(t, nil, func(c *jwt.Claims) { c.Subject = "" }), "missing_claim"},
		"garbage":            {"a.b.c", "invalid_token"},
	} {
		if tc.token == "" {
			continue
		}
		id, err := a.Verify(tc.token)
		ae, _ := err.(*AuthError)
		if ae == nil || ae.Reason != tc.reason {
			t.Errorf("%s: got %v %v, want %s", name, id, err, tc.reason)
		}
	}
	// Within the clock skew an expired token still passes.
	if _, err := a.Verify(rs.sign(t, nil, func(c *jwt.Claims) {
		c.Expiry = jwt.NewNumericDate(time.Now().Add(-10 * time.Second))
	})); err != nil {
		t.Errorf("expired 10s ago with 30s skew: %v", err)
	}
	if _, err := NewJWTAuth(JWTConfig{Issuer: "i", Audience: "a", Algorithms: []string{"HS256"}}, &JWKS{}); err == nil {
		t.Error("HS256 configurable")
	}
	if _, err := NewJWTAuth(JWTConfig{Issuer: "i", Audience: "a", ClockSkew: time.Hour}, &JWKS{}); err == nil {
		t.Error("an hour of clock skew accepted")
	}
}

func pemPublic(t *testing.T, k signingKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(k.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// hs256 signs a token with HMAC keyed by the RSA public key (the confusion
// attack against verifiers that take the algorithm from the token).
func hs256(t *testing.T, kid string, key []byte) string {
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: key},
		(&jose.SignerOptions{}).WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(sig).Claims(jwt.Claims{Issuer: testIssuer, Audience: jwt.Audience{testAudience},
		Subject: "ada", Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func algNone(t *testing.T) string {
	enc := base64.RawURLEncoding.EncodeToString
	claims, _ := json.Marshal(map[string]any{"iss": testIssuer, "aud": testAudience, "sub": "ada",
		"exp": time.Now().Add(time.Hour).Unix()})
	return enc([]byte(`{"alg":"none","kid":"rs"}`)) + "." + enc(claims) + "."
}

func TestJWTPrincipalMapping(t *testing.T) {
	k := newKey(t, "k", jose.ES256)
	path := filepath.Join(t.TempDir(), "jwks.json")
	os.WriteFile(path, jwksJSON(k), 0o600)
	entra := newJWTAuthFor(t, path, JWTConfig{Issuer: testIssuer, Audience: testAudience, Principal: "entra"})
	id, err := entra.Verify(k.sign(t, map[string]any{"tid": "t1", "oid": "o1", "groups": []string{"g1", "g2"}}, nil))
	if err != nil || id.Principal != "entra:t1/o1" || len(id.Groups) != 2 {
		t.Errorf("entra: %v %v", id, err)
	}
	if _, err := entra.Verify(k.sign(t, map[string]any{"tid": "t1"}, nil)); err == nil {
		t.Error("entra without oid accepted")
	}
	if _, err := entra.Verify(k.sign(t, map[string]any{"tid": "t1/x", "oid": "o"}, nil)); err == nil {
		t.Error("entra tid with a slash accepted")
	}
	email := newJWTAuthFor(t, path, JWTConfig{Issuer: testIssuer, Audience: testAudience, Principal: "email", Prefix: "user:"})
	if id, err := email.Verify(k.sign(t, map[string]any{"email": "Ada@Example.com", "email_verified": true}, nil)); err != nil || id.Principal != "user:ada@example.com" {
		t.Errorf("email: %v %v", id, err)
	}
	if _, err := email.Verify(k.sign(t, map[string]any{"email": "ada@example.com"}, nil)); err == nil {
		t.Error("unverified email accepted")
	}
	// Only ASCII case folds: U+212A KELVIN SIGN must not become "k".
	if id, err := email.Verify(k.sign(t, map[string]any{"email": "\u212aim@Example.com", "email_verified": true}, nil)); err != nil || id.Principal != "user:\u212aim@example.com" {
		t.Errorf("email with a Kelvin sign: %v %v", id, err)
	}
}

// Key rotation while serving: a token with a new kid makes raygate fetch the
// JWKS again (rate limited); with the JWKS server down, the keys in hand stay.
func TestJWKSRotationAndOutage(t *testing.T) {
	k1, k2, k3 := newKey(t, "k1", jose.RS256), newKey(t, "k2", jose.ES256), newKey(t, "k3", jose.EdDSA)
	srv := newJWKSServer(t, k1)
	a := newJWTAuthFor(t, srv.srv.URL, JWTConfig{})
	if _, err := a.Verify(k1.sign(t, nil, nil)); err != nil {
		t.Fatal(err)
	}
	srv.set(false, k1, k2) // the issuer rotates in k2
	time.Sleep(60 * time.Millisecond)
	if _, err := a.Verify(k2.sign(t, nil, nil)); err != nil {
		t.Errorf("rotated key: %v", err)
	}
	// Unknown kids do not make a fetch each: at most one per MinRefresh.
	before := srv.fetches.Load()
	for i := 0; i < 50; i++ {
		a.Verify(k3.sign(t, nil, nil))
	}
	if n := srv.fetches.Load() - before; n > 2 {
		t.Errorf("%d JWKS fetches for 50 unknown-kid tokens", n)
	}
	srv.set(true) // down: k1 and k2 keep working, a new key cannot be learnt
	time.Sleep(60 * time.Millisecond)
	if err := a.keys.Refresh(); err == nil {
		t.Error("refresh from a down server succeeded")
	}
	if _, err := a.Verify(k2.sign(t, nil, nil)); err != nil {
		t.Errorf("cached key during outage: %v", err)
	}
	if ok, _ := a.Ready(); !ok {
		t.Error("not ready during an outage with keys in hand")
	}
	if _, err := a.Verify(k3.sign(t, nil, nil)); err == nil {
		t.Error("unknown key accepted during outage")
	}
	// Never reached: not ready, everyone refused.
	dead := &JWKS{Source: srv.srv.URL}
	dead.Refresh()
	if ok, why := dead.Ready(); ok {
		t.Error("ready without keys")
	} else {
		t.Log(why)
	}
}

// A JWKS holding a private or symmetric key is refused whole.
func TestJWKSRefusesSecretKeys(t *testing.T) {
	k := newKey(t, "k", jose.ES256)
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.priv, KeyID: "k"}}}
	b, _ := json.Marshal(set)
	path := filepath.Join(t.TempDir(), "jwks.json")
	os.WriteFile(path, b, 0o600)
	if err := (&JWKS{Source: path}).Refresh(); err == nil {
		t.Error("private key accepted in a JWKS")
	}
}

// JWT through the gateway, end to end.
func TestGatewayWithJWT(t *testing.T) {
	k := newKey(t, "k", jose.EdDSA)
	srv := newJWKSServer(t, k)
	h := newHarness(t)
	h.gw.auth = newJWTAuthFor(t, srv.srv.URL, JWTConfig{Issuer: testIssuer, Audience: testAudience, Prefix: "user:"})
	if code, body := h.raw(t, "GET", "/projects/a/api/jobs/", k.sign(t, nil, func(c *jwt.Claims) { c.Subject = "rita" })); code != 200 {
		t.Errorf("rita: %d %v", code, body)
	}
	if code, _ := h.raw(t, "POST", "/projects/a/api/jobs/", k.sign(t, nil, func(c *jwt.Claims) { c.Subject = "rita" })); code != 403 {
		t.Errorf("rita submit: %d", code)
	}
	if code, body := h.raw(t, "GET", "/projects/a/api/jobs/", tokRita); code != 401 {
		t.Errorf("a static token against JWT-only auth: %d %v", code, body)
	}
}

// The verified-token cache never outlives the token's expiry or its key.
func TestJWTCacheHonoursExpiryAndKeyWithdrawal(t *testing.T) {
	k1, k2 := newKey(t, "k1", jose.ES256), newKey(t, "k2", jose.ES256)
	srv := newJWKSServer(t, k1, k2)
	a := newJWTAuthFor(t, srv.srv.URL, JWTConfig{})
	tok := k1.sign(t, nil, func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(2 * time.Minute)) })
	for i := 0; i < 2; i++ { // the second is served from the cache
		if _, err := a.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	a.now = func() time.Time { return time.Now().Add(3 * time.Minute) } // past exp + 30s skew
	if _, err := a.Verify(tok); err == nil {
		t.Error("cached token accepted after its expiry")
	}
	a.now = time.Now
	if _, err := a.Verify(tok); err != nil {
		t.Fatal(err)
	}
	srv.set(false, k2) // k1 withdrawn
	if err := a.keys.Refresh(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(tok); err == nil {
		t.Error("cached token accepted after its key was withdrawn")
	}
}

// Discovery: the issuer's openid-configuration names the jwks_uri, and must
// name the issuer itself; fetch URLs must be https unless on loopback.
func TestDiscovery(t *testing.T) {
	k := newKey(t, "k", jose.EdDSA)
	jw := newJWKSServer(t, k)
	var issuer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "jwks_uri": jw.srv.URL})
	}))
	defer srv.Close()
	issuer = srv.URL
	if u, err := Discover(nil, srv.URL); err != nil || u != jw.srv.URL {
		t.Errorf("discover: %q %v", u, err)
	}
	issuer = "https://someone-else"
	if _, err := Discover(nil, srv.URL); err == nil {
		t.Error("a discovery document naming another issuer accepted")
	}
	for _, bad := range []string{"http://example.com/jwks", "ftp://127.0.0.1/x", "http://10.0.0.1/x", "https://"} {
		if CheckFetchURL(bad) == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	for _, good := range []string{"https://login.example.com/keys", "http://127.0.0.1:8080/x", "http://[::1]:1/x"} {
		if err := CheckFetchURL(good); err != nil {
			t.Errorf("%s: %v", good, err)
		}
	}
}
