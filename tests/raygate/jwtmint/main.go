// Command jwtmint is the integration test's stand-in for an OIDC issuer: it
// makes a signing key and its JWKS, and signs short-lived tokens with it.
//
//	jwtmint keygen DIR                 # DIR/key.json (private JWK), DIR/jwks.json
//	jwtmint sign DIR ISSUER AUDIENCE SUB   # prints a token valid for an hour
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "jwtmint:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 2 && args[0] == "keygen":
		return keygen(args[1])
	case len(args) == 5 && args[0] == "sign":
		return sign(args[1], args[2], args[3], args[4])
	}
	return fmt.Errorf("usage: jwtmint keygen DIR | jwtmint sign DIR ISSUER AUDIENCE SUB")
}

func keygen(dir string) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	kid := fmt.Sprintf("k-%d", time.Now().UnixNano())
	privJWK, _ := json.Marshal(jose.JSONWebKey{Key: priv, KeyID: kid, Algorithm: "EdDSA", Use: "sig"})
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub, KeyID: kid, Algorithm: "EdDSA", Use: "sig"}}})
	if err := os.WriteFile(filepath.Join(dir, "key.json"), privJWK, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "jwks.json"), set, 0o644)
}

func sign(dir, issuer, audience, sub string) error {
	data, err := os.ReadFile(filepath.Join(dir, "key.json"))
	if err != nil {
		return err
	}
	var key jose.JSONWebKey
	if err := json.Unmarshal(data, &key); err != nil {
		return err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key.Key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", key.KeyID))
	if err != nil {
		return err
	}
	now := time.Now()
	tok, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: issuer, Audience: jwt.Audience{audience},
		Subject: sub, IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		Expiry: jwt.NewNumericDate(now.Add(time.Hour))}).Serialize()
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}
