package main

// Authentication: who is calling? This is the seam between raygate and an
// identity provider. rolegate decides what a principal may do; it does not
// verify credentials. raygate ships one Authenticator, TokenFile, which maps
// opaque bearer tokens to principals through a file the operator provides. A
// deployment with an identity provider (OIDC, mTLS, a session service) writes
// its own Authenticator that verifies the credential and returns the
// principal id the bundle uses ("user:ada"), and passes it to NewGateway.
// raygate ships two: TokenFile (static tokens) and JWTAuth (OIDC/JWT bearer
// tokens checked against a JWKS, jwt.go).

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
)

// Identity is a verified caller.
type Identity struct {
	Principal string // the principal id the bundle names ("user:ada", "entra:<tid>/<oid>")
	// Groups are ids the credential asserts the principal belongs to (a
	// verified JWT's groups claim): every decision is taken for the
	// principal and these groups (SPEC §13). An authenticator must return
	// only groups it has verified; static tokens return none.
	Groups []string
}

// Authenticator turns a request's credentials into an Identity. It must not
// trust anything in the request that it has not verified. Implementations
// are called from many goroutines at once.
type Authenticator interface {
	// Authenticate returns the caller's identity, or an *AuthError.
	Authenticate(r *http.Request) (Identity, error)
	// Ready reports whether the authenticator can admit anyone (keys or
	// tokens loaded); the reason says why not.
	Ready() (ok bool, reason string)
}

// AuthError is a failed authentication. Reason goes into the 401 body and
// the access log; it must not reveal anything about valid credentials.
type AuthError struct {
	Reason string // "missing_token", "malformed_authorization", "unknown_token"
}

func (e *AuthError) Error() string { return "unauthenticated: " + e.Reason }

var (
	errMissingToken   = &AuthError{Reason: "missing_token"}
	errMalformedToken = &AuthError{Reason: "malformed_authorization"}
	errUnknownToken   = &AuthError{Reason: "unknown_token"}
	errNoTokens       = &AuthError{Reason: "no_credentials_loaded"}
)

// MinStaticTokenBytes is the shortest static token raygate accepts: 32 bytes
// (for example 24 random bytes in base64url) keep guessing out of reach, and a
// short token is refused before any lookup.
const MinStaticTokenBytes = 32

// BearerToken returns the token of an "Authorization: Bearer TOKEN" header
// (RFC 6750; the scheme is case-insensitive).
func BearerToken(r *http.Request) (string, error) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return "", errMissingToken
	}
	if len(values) > 1 {
		return "", errMalformedToken
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	token = strings.TrimLeft(token, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", errMalformedToken
	}
	return token, nil
}

// TokenFile authenticates bearer tokens against a token file. The file holds
// no tokens, only their SHA-256 digests (the tokens are long random strings,
// so a plain digest is enough), each with the principal it stands for:
//
//	{"tokens": [{"principal": "user:ada", "sha256": "9f86d08...", "comment": "optional"}]}
//
// `raygate hash-token` prints the digest of a token read from standard input.
// Load swaps in a new file atomically. The file fails closed: a file that is
// emptied, truncated, deleted or does not parse leaves no token valid (every
// request is refused 401 and readiness turns false) until a good file is back,
// because revoking a token by editing the file must never silently fail.
type TokenFile struct {
	byDigest atomic.Pointer[map[[sha256.Size]byte]string]
	problem  atomic.Pointer[string] // why no token is valid; nil when a good file is loaded
}

type tokenFileJSON struct {
	Tokens []struct {
		Principal string `json:"principal"`
		SHA256    string `json:"sha256"`
		Comment   string `json:"comment"`
	} `json:"tokens"`
}

// ParseTokens parses a token file.
func ParseTokens(data []byte) (map[[sha256.Size]byte]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f tokenFileJSON
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("token file: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("token file: trailing data after the JSON object")
	}
	if f.Tokens == nil {
		return nil, errors.New("token file: /tokens: missing (an empty file is refused, not read as no tokens)")
	}
	m := make(map[[sha256.Size]byte]string, len(f.Tokens))
	for i, t := range f.Tokens {
		if t.Principal == "" {
			return nil, fmt.Errorf("token file: /tokens/%d/principal: missing or empty", i)
		}
		raw, err := hex.DecodeString(t.SHA256)
		if err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("token file: /tokens/%d/sha256: want 64 hex digits", i)
		}
		var d [sha256.Size]byte
		copy(d[:], raw)
		if _, dup := m[d]; dup {
			return nil, fmt.Errorf("token file: /tokens/%d/sha256: duplicate digest", i)
		}
		m[d] = t.Principal
	}
	return m, nil
}

// Load parses data and puts it in service. A file that does not parse, or
// holds no token, empties the tokens in service (fail closed) and returns the
// error.
func (tf *TokenFile) Load(data []byte) (int, error) {
	m, err := ParseTokens(data)
	if err == nil && len(m) == 0 {
		err = errors.New("token file: /tokens: no tokens")
	}
	if err != nil {
		tf.Fail(err)
		return 0, err
	}
	tf.byDigest.Store(&m)
	tf.problem.Store(nil)
	return len(m), nil
}

// Fail empties the tokens in service: the file is gone or unreadable.
func (tf *TokenFile) Fail(err error) {
	msg := err.Error()
	tf.problem.Store(&msg)
	tf.byDigest.Store(nil)
}

// Ready implements Authenticator.
func (tf *TokenFile) Ready() (bool, string) {
	if p := tf.problem.Load(); p != nil {
		return false, *p
	}
	if tf.byDigest.Load() == nil {
		return false, "no token file loaded"
	}
	return true, ""
}

// Authenticate implements Authenticator.
func (tf *TokenFile) Authenticate(r *http.Request) (Identity, error) {
	token, err := BearerToken(r)
	if err != nil {
		return Identity{}, err
	}
	m := tf.byDigest.Load()
	if m == nil {
		return Identity{}, errNoTokens
	}
	if len(token) < MinStaticTokenBytes {
		return Identity{}, errUnknownToken
	}
	// The lookup is by digest: timing reveals nothing usable about the
	// token, only about digests an attacker cannot invert.
	if p, ok := (*m)[sha256.Sum256([]byte(token))]; ok {
		return Identity{Principal: p}, nil
	}
	return Identity{}, errUnknownToken
}

// TokenDigest is the hex SHA-256 digest a token file records for token.
func TokenDigest(token string) string {
	d := sha256.Sum256([]byte(token))
	return hex.EncodeToString(d[:])
}
