package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// BundleSource polls the bundle from an HTTP(S) URL, so many replicas serve
// one policy. Each poll sends If-None-Match with the ETag of the bundle in
// service (a 304 costs the server nothing). When a public key is configured,
// a bundle is published only if its detached ed25519 signature (fetched from
// SigURL: base64 of the 64 signature bytes) verifies: an unsigned, badly
// signed, oversized or non-compiling bundle is refused and the bundle in
// service stays, as it does while the server is down.
type BundleSource struct {
	URL       string
	SigURL    string            // default URL + ".sig"
	PublicKey ed25519.PublicKey // nil: signatures not required
	Limit     int64
	Client    *http.Client
	Publish   func(data []byte) error
	Result    func(ok bool) // told of every poll that fetched something or failed
	Log       *slog.Logger

	etag    string
	lastErr string
	fresh   atomic.Int64 // unix nanoseconds of the last poll that reached the server
}

// ParsePublicKey reads an ed25519 public key given as base64 (32 bytes).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, errors.New("want the base64 of a 32-byte ed25519 public key")
	}
	return ed25519.PublicKey(raw), nil
}

// Fresh is when the server last answered a poll (zero before any).
func (b *BundleSource) Fresh() time.Time {
	if n := b.fresh.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// Poll fetches the bundle if it changed and publishes it if it verifies.
// It returns whether a new bundle was published, or why polling failed.
func (b *BundleSource) Poll(ctx context.Context) (bool, error) {
	published, err := b.poll(ctx)
	if err != nil {
		if msg := err.Error(); msg != b.lastErr { // once per distinct error
			b.lastErr = msg
			b.Log.Error("bundle poll failed; the bundle in service stays", "url", b.URL, "error", msg)
		}
		if b.Result != nil {
			b.Result(false)
		}
		return false, err
	}
	b.lastErr = ""
	if published && b.Result != nil {
		b.Result(true)
	}
	return published, nil
}

func (b *BundleSource) poll(ctx context.Context) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.URL, nil)
	if err != nil {
		return false, err
	}
	if b.etag != "" {
		req.Header.Set("If-None-Match", b.etag)
	}
	resp, err := b.client().Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		b.fresh.Store(time.Now().UnixNano())
		return false, nil
	case http.StatusOK:
	default:
		return false, fmt.Errorf("GET %s: %s", b.URL, resp.Status)
	}
	data, err := readCapped(resp.Body, b.limit(), b.URL)
	if err != nil {
		return false, err
	}
	if err := b.verify(ctx, data); err != nil {
		return false, err
	}
	if err := b.Publish(data); err != nil {
		return false, fmt.Errorf("bundle from %s does not compile: %w", b.URL, err)
	}
	b.etag = resp.Header.Get("ETag")
	b.fresh.Store(time.Now().UnixNano())
	b.Log.Info("bundle published", "url", b.URL, "etag", b.etag, "bytes", len(data))
	return true, nil
}

// verify checks data's detached signature, when a key is configured.
func (b *BundleSource) verify(ctx context.Context, data []byte) error {
	if b.PublicKey == nil {
		return nil
	}
	sigURL := b.SigURL
	if sigURL == "" {
		sigURL = b.URL + ".sig"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sigURL, nil)
	if err != nil {
		return err
	}
	resp, err := b.client().Do(req)
	if err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("signature %s: %s (an unsigned bundle is refused)", sigURL, resp.Status)
	}
	text, err := readCapped(resp.Body, MaxSignatureBytes, sigURL)
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("signature %s: want the base64 of a 64-byte ed25519 signature", sigURL)
	}
	if !ed25519.Verify(b.PublicKey, data, sig) {
		return fmt.Errorf("signature %s does not verify the bundle; refused", sigURL)
	}
	return nil
}

func (b *BundleSource) client() *http.Client {
	if b.Client != nil {
		return b.Client
	}
	return defaultFetchClient
}

func (b *BundleSource) limit() int64 {
	if b.Limit > 0 {
		return b.Limit
	}
	return DefaultMaxBundleBytes
}

// Run polls every interval, and at once on kick, until ctx ends.
func (b *BundleSource) Run(ctx context.Context, interval time.Duration, kick <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
		}
		b.Poll(ctx)
	}
}
