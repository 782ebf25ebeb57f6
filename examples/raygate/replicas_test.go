package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// bundleServer serves one bundle with an ETag and its detached signature.
type bundleServer struct {
	srv         *httptest.Server
	mu          sync.Mutex
	bundle, sig []byte
	down        bool
	full, cond  int // 200s and 304s served
}

func (b *bundleServer) set(bundle, sig []byte, down bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bundle, b.sig, b.down = bundle, sig, down
}

func newBundleServer(t *testing.T) *bundleServer {
	b := &bundleServer{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		switch r.URL.Path {
		case "/bundle.json.sig":
			if b.sig == nil {
				http.NotFound(w, r)
				return
			}
			w.Write(b.sig)
		case "/bundle.json":
			sum := sha256.Sum256(b.bundle)
			etag := `"` + hex.EncodeToString(sum[:8]) + `"`
			w.Header().Set("ETag", etag)
			if r.Header.Get("If-None-Match") == etag {
				b.cond++
				w.WriteHeader(http.StatusNotModified)
				return
			}
			b.full++
			w.Write(b.bundle)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func signB64(priv ed25519.PrivateKey, data []byte) []byte {
	return []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(priv, data)) + "\n")
}

// replica is one raygate: an engine fed by a BundleSource and a gateway.
type replica struct {
	engine *rolegate.Engine
	src    *BundleSource
	srv    *httptest.Server
}

// Many replicas, one policy: several raygates poll one bundle server; a new
// signed bundle reaches all of them within the poll interval; a badly signed,
// unsigned or non-compiling bundle is refused by all, and so is a bundle while
// the server is down; the last good bundle stays in service.
func TestReplicasConvergeOnSignedBundle(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	orig, _ := os.ReadFile("bundle.json")
	grantB := bytes.Replace(orig, []byte(`"assignments": [`),
		[]byte(`"assignments": [{"id": "a-rita-b", "principal": "user:rita", "role": "ray-reader", "scope": "/projects/b"},`), 1)
	bs := newBundleServer(t)
	bs.set(orig, signB64(priv, orig), false)
	const interval = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	var reps []*replica
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	for i := 0; i < 3; i++ {
		r := &replica{}
		r.src = &BundleSource{URL: bs.srv.URL + "/bundle.json", PublicKey: pub, Log: quiet}
		r.src.Publish = func(data []byte) error {
			if r.engine == nil {
				e, err := rolegate.NewEngine(data)
				r.engine = e
				return err
			}
			return r.engine.Publish(data)
		}
		if _, err := r.src.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.engine.Close() })
		tokens := &TokenFile{}
		tokens.Load(tokenFileJSONFor(testTokens))
		fake := newFakeRay(t, "b")
		ups := Upstreams{}
		ups.Add("b="+fake.srv.URL, false)
		g := NewGateway(r.engine, tokens, ups, NewAccessLog(io.Discard), quiet, GatewayOptions{})
		r.srv = startGateway(t, g)
		wg.Add(1)
		go func() { defer wg.Done(); r.src.Run(ctx, interval, nil) }()
		reps = append(reps, r)
	}
	ritaB := func(r *replica) int {
		req, _ := http.NewRequest("GET", r.srv.URL+"/projects/b/api/jobs/", nil)
		req.Header.Set("Authorization", "Bearer "+tokRita)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	converged := func(want int, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			n := 0
			for _, r := range reps {
				if ritaB(r) == want {
					n++
				}
			}
			if n == len(reps) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d replicas answer %d after %v", n, len(reps), want, within)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	converged(403, time.Second)
	gen := reps[0].engine.Generation()
	start := time.Now()
	bs.set(grantB, signB64(priv, grantB), false)
	converged(200, 3*interval)
	t.Logf("3 replicas converged in %v (poll interval %v)", time.Since(start).Round(time.Millisecond), interval)
	for name, b := range map[string][2][]byte{
		"signed by another key":       {orig, signB64(otherPriv, orig)},
		"unsigned":                    {orig, nil},
		"signature of another bundle": {orig, signB64(priv, grantB)},
		"signed but broken":           {[]byte(`{"version": 1`), signB64(priv, []byte(`{"version": 1`))},
		"server down":                 {orig, signB64(priv, orig)},
	} {
		bs.set(b[0], b[1], name == "server down")
		time.Sleep(4 * interval)
		for i, r := range reps {
			if c := ritaB(r); c != 200 {
				t.Errorf("%s: replica %d answers %d: the bad bundle was published", name, i, c)
			}
			if g := r.engine.Generation(); g != gen+1 {
				t.Errorf("%s: replica %d generation %d, want %d", name, i, g, gen+1)
			}
		}
	}
	bs.mu.Lock()
	t.Logf("bundle server: %d full answers, %d not-modified", bs.full, bs.cond)
	bs.mu.Unlock()
}
