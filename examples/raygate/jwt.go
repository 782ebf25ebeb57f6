package main

// OIDC/JWT bearer tokens. The signature, the algorithm and the JOSE parsing
// are go-jose's; raygate chooses the keys (a JWKS), the allowed algorithms and
// the claims it insists on, and maps the claims to the principal.

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// AllowedJWTAlgorithms are the only signature algorithms raygate verifies:
// asymmetric ones. "none" and the HMAC family are never accepted (an HS256
// token "signed" with a public key is the classic confusion attack).
var AllowedJWTAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// MaxClockSkew bounds the leeway an operator may configure for exp and nbf.
const MaxClockSkew = 5 * time.Minute

// maxJWTBytes: a bearer token longer than this is refused unparsed.
const maxJWTBytes = 16 << 10

// JWTConfig says which tokens JWTAuth accepts and how claims map to the
// principal.
type JWTConfig struct {
	Issuer     string        // required: the iss claim, exactly
	Audience   string        // required: one of the aud values
	ClockSkew  time.Duration // leeway for exp and nbf, at most MaxClockSkew
	Algorithms []string      // subset of AllowedJWTAlgorithms; empty: all of them
	// Principal is how claims name the principal: "entra" (tid and oid:
	// entra:<tid>/<oid>), "sub" (Prefix + sub) or "email" (Prefix + email,
	// only with email_verified true).
	Principal string
	Prefix    string
	// GroupsClaim names the claim (an array of strings) whose values are
	// asserted as the principal's groups in every decision (SPEC §13);
	// "groups" when empty. NoGroups asserts none (the claim is not read).
	GroupsClaim string
	NoGroups    bool
}

// JWTAuth authenticates JWT bearer tokens against a JWKS.
type JWTAuth struct {
	cfg   JWTConfig
	algs  []jose.SignatureAlgorithm
	keys  *JWKS
	now   func() time.Time
	cache verifiedCache
}

// verifiedCache remembers tokens that verified, by digest, until they
// expire: a client sends the same token with every request, and a signature
// check costs 50-250 us where a lookup costs well under one. The cache is
// emptied whenever the key set changes (a key withdrawn withdraws its tokens)
// and when it reaches maxCached entries.
type verifiedCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]cachedIdentity
	keys    *jose.JSONWebKeySet // the key set the entries were verified with
}

type cachedIdentity struct {
	id      Identity
	expires time.Time // exp + clock skew: when a fresh check would refuse it
}

const maxCached = 10000

func (c *verifiedCache) get(d [sha256.Size]byte, keys *jose.JSONWebKeySet, now time.Time) (Identity, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys != keys {
		return Identity{}, false
	}
	e, ok := c.entries[d]
	if !ok || !now.Before(e.expires) {
		return Identity{}, false
	}
	return e.id, true
}

func (c *verifiedCache) put(d [sha256.Size]byte, keys *jose.JSONWebKeySet, e cachedIdentity) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys != keys || len(c.entries) >= maxCached {
		c.entries, c.keys = map[[sha256.Size]byte]cachedIdentity{}, keys
	}
	c.entries[d] = e
}

// NewJWTAuth checks cfg and returns the authenticator.
func NewJWTAuth(cfg JWTConfig, keys *JWKS) (*JWTAuth, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("jwt: issuer and audience are both required")
	}
	if cfg.ClockSkew < 0 || cfg.ClockSkew > MaxClockSkew {
		return nil, fmt.Errorf("jwt: clock_skew %v: want 0 to %v", cfg.ClockSkew, MaxClockSkew)
	}
	switch cfg.Principal {
	case "entra", "sub", "email":
	case "":
		cfg.Principal = "sub"
	default:
		return nil, fmt.Errorf("jwt: principal %q: want entra, sub or email", cfg.Principal)
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	a := &JWTAuth{cfg: cfg, keys: keys, now: time.Now}
	for _, name := range cfg.Algorithms {
		ok := false
		for _, allowed := range AllowedJWTAlgorithms {
			if string(allowed) == name {
				a.algs, ok = append(a.algs, allowed), true
			}
		}
		if !ok {
			return nil, fmt.Errorf("jwt: algorithm %q not allowed (RS256, ES256, EdDSA)", name)
		}
	}
	if len(a.algs) == 0 {
		a.algs = AllowedJWTAlgorithms
	}
	return a, nil
}

func authErr(reason string) error { return &AuthError{Reason: reason} }

// Ready implements Authenticator: ready once keys are loaded.
func (a *JWTAuth) Ready() (bool, string) { return a.keys.Ready() }

// Authenticate implements Authenticator.
func (a *JWTAuth) Authenticate(r *http.Request) (Identity, error) {
	raw, err := BearerToken(r)
	if err != nil {
		return Identity{}, err
	}
	return a.Verify(raw)
}

// Verify checks one compact JWT and returns the identity its claims name.
func (a *JWTAuth) Verify(raw string) (Identity, error) {
	if len(raw) > maxJWTBytes {
		return Identity{}, authErr("invalid_token")
	}
	digest, keys, now := sha256.Sum256([]byte(raw)), a.keys.keys.Load(), a.now()
	if id, ok := a.cache.get(digest, keys, now); ok {
		return id, nil
	}
	id, exp, err := a.verify(raw)
	if err != nil {
		return Identity{}, err
	}
	if keys == a.keys.keys.Load() { // not verified with a key set fetched meanwhile
		a.cache.put(digest, keys, cachedIdentity{id: id, expires: exp.Add(a.cfg.ClockSkew)})
	}
	return id, nil
}

// verify checks the token for real (signature, claims) and returns the
// identity and the token's expiry.
func (a *JWTAuth) verify(raw string) (Identity, time.Time, error) {
	var never time.Time
	tok, err := jwt.ParseSigned(raw, a.algs) // refuses any algorithm outside a.algs
	if err != nil {
		if strings.Contains(err.Error(), "algorithm") {
			return Identity{}, never, authErr("algorithm_not_allowed")
		}
		return Identity{}, never, authErr("invalid_token")
	}
	if len(tok.Headers) != 1 {
		return Identity{}, never, authErr("invalid_token")
	}
	h := tok.Headers[0]
	key, ok := a.keys.Key(h.KeyID, h.Algorithm)
	if !ok {
		return Identity{}, never, authErr("unknown_key")
	}
	var std jwt.Claims
	var c tokenClaims
	var all map[string]json.RawMessage // only for a groups claim other than "groups"
	dest := []any{&std, &c}
	if !a.cfg.NoGroups && a.cfg.GroupsClaim != "groups" {
		dest = append(dest, &all)
	}
	if err := tok.Claims(key.Key, dest...); err != nil {
		return Identity{}, never, authErr("bad_signature")
	}
	if err := a.validate(&std); err != nil {
		return Identity{}, never, err
	}
	principal, err := a.principal(&std, &c)
	if err != nil {
		return Identity{}, never, err
	}
	id := Identity{Principal: principal}
	if !a.cfg.NoGroups {
		raw := c.Groups
		if a.cfg.GroupsClaim != "groups" {
			raw = all[a.cfg.GroupsClaim]
		}
		if _, over := c.ClaimNames[a.cfg.GroupsClaim]; over && len(raw) == 0 {
			// The groups are elsewhere: deciding without them could skip
			// a deny on one of them, so the token is refused.
			return Identity{}, never, authErr("groups_not_in_token")
		}
		if id.Groups, err = parseGroups(raw); err != nil {
			return Identity{}, never, err
		}
	}
	return id, std.Expiry.Time(), nil
}

func (a *JWTAuth) validate(std *jwt.Claims) error {
	if std.Expiry == nil {
		return authErr("missing_exp") // a token that never expires is refused
	}
	err := std.ValidateWithLeeway(jwt.Expected{Issuer: a.cfg.Issuer,
		AnyAudience: jwt.Audience{a.cfg.Audience}, Time: a.now()}, a.cfg.ClockSkew)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jwt.ErrExpired):
		return authErr("token_expired")
	case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
		return authErr("token_not_yet_valid")
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return authErr("wrong_issuer")
	case errors.Is(err, jwt.ErrInvalidAudience):
		return authErr("wrong_audience")
	}
	return authErr("invalid_token")
}

// tokenClaims are the claims raygate reads beyond the registered ones.
type tokenClaims struct {
	TenantID      string          `json:"tid"`
	ObjectID      string          `json:"oid"`
	Email         string          `json:"email"`
	EmailVerified any             `json:"email_verified"` // bool, or "true" from some issuers
	Groups        json.RawMessage `json:"groups"`
	// ClaimNames is OIDC's distributed claims: Entra ID names the groups
	// claim there instead when the user is in too many groups ("overage").
	ClaimNames map[string]json.RawMessage `json:"_claim_names"`
}

// parseGroups reads a groups claim: absent or null asserts none; anything
// but an array of strings refuses the token (invalid_groups_claim). Dropping
// a malformed claim instead would be unsafe: a deny assignment on one of the
// groups would then not apply. How many groups there are, and whether any
// is empty, is the library's to judge (invalid_input, a 403).
func parseGroups(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var g []string
	if json.Unmarshal(raw, &g) != nil {
		return nil, authErr("invalid_groups_claim")
	}
	return g, nil
}

// principal maps claims to the principal id; a claim it needs that is
// missing, empty or of the wrong shape refuses the token.
func (a *JWTAuth) principal(std *jwt.Claims, c *tokenClaims) (string, error) {
	clean := func(s string) bool { return s != "" && !strings.ContainsAny(s, "/ \t\r\n") }
	switch a.cfg.Principal {
	case "entra":
		if !clean(c.TenantID) || !clean(c.ObjectID) {
			return "", authErr("missing_claim")
		}
		return "entra:" + c.TenantID + "/" + c.ObjectID, nil
	case "email":
		verified := c.EmailVerified == true || c.EmailVerified == "true"
		if c.Email == "" || !verified || strings.ContainsAny(c.Email, " \t\r\n") {
			return "", authErr("missing_claim")
		}
		// ASCII case only: strings.ToLower folds Unicode (U+212A KELVIN
		// SIGN to "k"), which would let "\u212aim@corp" act as "kim@corp".
		return a.cfg.Prefix + asciiLower(c.Email), nil
	default:
		if std.Subject == "" || strings.ContainsAny(std.Subject, " \t\r\n") {
			return "", authErr("missing_claim")
		}
		return a.cfg.Prefix + std.Subject, nil
	}
}

// JWKS holds the verification keys: from a file, or from a URL (an issuer's
// jwks_uri), refreshed periodically and on a token naming an unknown key id
// (key rotation), at most once per MinRefresh. When the URL is unreachable the
// keys in hand stay in service.
type JWKS struct {
	Source     string        // a file path, or an http(s) URL
	MinRefresh time.Duration // least time between fetches (default 1 minute)
	Client     *http.Client

	keys      atomic.Pointer[jose.JSONWebKeySet]
	mu        sync.Mutex // one fetch at a time
	lastTry   time.Time
	lastError atomic.Pointer[string]
	Result    func(ok bool) // told of every refresh (metrics)
}

// Ready reports whether any key is loaded.
func (k *JWKS) Ready() (bool, string) {
	if s := k.keys.Load(); s != nil && len(s.Keys) > 0 {
		return true, ""
	}
	if e := k.lastError.Load(); e != nil {
		return false, "no JWKS keys: " + *e
	}
	return false, "no JWKS keys loaded"
}

// Key returns the signing key with kid usable with alg, fetching the set
// again (rate limited) when kid is unknown.
func (k *JWKS) Key(kid, alg string) (*jose.JSONWebKey, bool) {
	if key, ok := k.find(kid, alg); ok {
		return key, true
	}
	if k.refresh(false) { // a file is read again too: rotated by the operator
		return k.find(kid, alg)
	}
	return nil, false
}

func (k *JWKS) find(kid, alg string) (*jose.JSONWebKey, bool) {
	set := k.keys.Load()
	if set == nil {
		return nil, false
	}
	for i := range set.Keys {
		key := &set.Keys[i]
		if key.KeyID != kid || key.IsPublic() == false || (key.Use != "" && key.Use != "sig") ||
			(key.Algorithm != "" && key.Algorithm != alg) {
			continue
		}
		return key, true
	}
	return nil, false
}

func (k *JWKS) isURL() bool {
	return strings.HasPrefix(k.Source, "https://") || strings.HasPrefix(k.Source, "http://")
}

// Refresh loads the set now (a file is always read; a URL fetched).
func (k *JWKS) Refresh() error {
	k.refresh(true)
	if e := k.lastError.Load(); e != nil {
		return errors.New(*e)
	}
	return nil
}

// refresh fetches unless one was tried within MinRefresh (force skips the
// wait); it reports whether a new set was loaded.
func (k *JWKS) refresh(force bool) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	min := k.MinRefresh
	if min <= 0 {
		min = time.Minute
	}
	if !force && time.Since(k.lastTry) < min {
		return false
	}
	k.lastTry = time.Now()
	set, err := k.load()
	if k.Result != nil {
		k.Result(err == nil)
	}
	if err != nil {
		msg := err.Error()
		k.lastError.Store(&msg)
		return false
	}
	k.lastError.Store(nil)
	k.keys.Store(set)
	return true
}

func (k *JWKS) load() (*jose.JSONWebKeySet, error) {
	var data []byte
	var err error
	if k.isURL() {
		data, err = fetchCapped(k.Client, k.Source, MaxJWKSBytes)
	} else {
		data, err = ReadFileCapped(k.Source, MaxJWKSBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", k.Source, err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("jwks %s: %w", k.Source, err)
	}
	for i, key := range set.Keys {
		if !key.IsPublic() {
			return nil, fmt.Errorf("jwks %s: /keys/%d: a private or symmetric key; a JWKS must hold public keys only", k.Source, i)
		}
	}
	return &set, nil
}

// Run refreshes every interval until ctx ends.
func (k *JWKS) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			k.refresh(true)
		}
	}
}

// Discover returns the jwks_uri of an OIDC issuer (its
// /.well-known/openid-configuration), checking the document names the issuer.
func Discover(client *http.Client, issuer string) (string, error) {
	data, err := fetchCapped(client, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", MaxJWKSBytes)
	if err != nil {
		return "", err
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("openid-configuration: %w", err)
	}
	if doc.Issuer != issuer || doc.JWKSURI == "" {
		return "", fmt.Errorf("openid-configuration: issuer %q (want %q), jwks_uri %q", doc.Issuer, issuer, doc.JWKSURI)
	}
	return doc.JWKSURI, CheckFetchURL(doc.JWKSURI)
}

// CheckFetchURL insists on https, except to a loopback address (tests, a
// local sidecar): keys and bundles fetched in the clear could be swapped.
func CheckFetchURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme == "https" && u.Host != "" {
		return nil
	}
	if u.Scheme == "http" {
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("%q: want an https URL (plain http only to a loopback address)", raw)
}

// fetchCapped GETs url and returns the body (at most limit bytes, status 200).
func fetchCapped(client *http.Client, url string, limit int64) ([]byte, error) {
	if client == nil {
		client = defaultFetchClient
	}
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return readCapped(resp.Body, limit, url)
}

var defaultFetchClient = &http.Client{Timeout: 10 * time.Second,
	Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, TLSHandshakeTimeout: 5 * time.Second}}

// MultiAuth tries JWT for tokens shaped like a JWT (three dot-separated
// parts) and the static tokens for the rest, when both are configured.
type MultiAuth struct {
	JWT    *JWTAuth
	Static *TokenFile
}

// Authenticate implements Authenticator.
func (m *MultiAuth) Authenticate(r *http.Request) (Identity, error) {
	raw, err := BearerToken(r)
	if err != nil {
		return Identity{}, err
	}
	if strings.Count(raw, ".") == 2 {
		return m.JWT.Verify(raw)
	}
	return m.Static.Authenticate(r)
}

// Ready implements Authenticator: both must be ready.
func (m *MultiAuth) Ready() (bool, string) {
	if ok, why := m.JWT.Ready(); !ok {
		return ok, why
	}
	return m.Static.Ready()
}
