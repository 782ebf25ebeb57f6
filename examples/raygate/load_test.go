package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// BenchmarkDecisionJWT is BenchmarkDecision with a JWT: authenticate
// (signature and claims), check_request and a 403, without the network.
func BenchmarkDecisionJWT(b *testing.B) {
	for _, alg := range []jose.SignatureAlgorithm{jose.EdDSA, jose.ES256, jose.RS256} {
		b.Run(string(alg), func(b *testing.B) {
			gw, token := jwtGateway(b, alg, Upstreams{})
			req := httptest.NewRequest("POST", "/projects/b/api/jobs/", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				gw.ServeHTTP(w, req)
				if w.Code != 403 {
					b.Fatal(w.Code)
				}
			}
		})
	}
}

func jwtGateway(tb testing.TB, alg jose.SignatureAlgorithm, ups Upstreams) (*Gateway, string) {
	bundle, _ := os.ReadFile("bundle.json")
	engine, err := rolegate.NewEngine(bundle)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { engine.Close() })
	k := newKey(tb, "k", alg)
	path := tb.TempDir() + "/jwks.json"
	os.WriteFile(path, jwksJSON(k), 0o600)
	auth := newJWTAuthFor(tb, path, JWTConfig{Issuer: testIssuer, Audience: testAudience, Prefix: "user:"})
	token := k.sign(tb, nil, func(c *jwt.Claims) { c.Subject = "cora" })
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return NewGateway(engine, auth, ups, NewAccessLog(io.Discard), quiet, GatewayOptions{}), token
}

// TestLoad (RAYGATE_LOAD=1) measures whole requests through raygate to a
// fake Ray on 127.0.0.1 at concurrency 16: requests per second and the
// latency median and p99, static token against JWT, and direct for the
// baseline.
func TestLoad(t *testing.T) {
	if os.Getenv("RAYGATE_LOAD") == "" {
		t.Skip("set RAYGATE_LOAD=1 (a few seconds of load on 127.0.0.1)")
	}
	fake := newFakeRay(t, "a")
	ups := Upstreams{}
	ups.Add("a="+fake.srv.URL, false)
	h := newHarness(t)
	h.gw.upstreams = ups
	h.gw.access = NewAccessLog(io.Discard)
	jgw, token := jwtGateway(t, jose.EdDSA, ups)
	jsrv := startGateway(t, jgw)
	for _, tc := range []struct{ name, url, token string }{
		{"direct", fake.srv.URL + "/api/jobs/", ""},
		{"static token", h.srv.URL + "/projects/a/api/jobs/", tokCora},
		{"JWT EdDSA", jsrv.URL + "/projects/a/api/jobs/", token},
	} {
		for _, conc := range []int{1, 16} {
			rps, med, p99 := load(t, tc.url, tc.token, conc, 3*time.Second)
			t.Logf("%-13s c=%-2d %7.0f req/s   median %6.0f us   p99 %6.0f us", tc.name, conc, rps, med, p99)
		}
	}
}

func load(t *testing.T, url, token string, conc int, d time.Duration) (rps, med, p99 float64) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	var mu sync.Mutex
	var lat []float64
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []float64
			for time.Now().Before(end) {
				req, _ := http.NewRequest("GET", url, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil || resp.StatusCode != 200 {
					t.Errorf("%v %v", resp, err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, float64(time.Since(t0).Microseconds()))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Float64s(lat)
	if len(lat) == 0 {
		return 0, 0, 0
	}
	return float64(len(lat)) / d.Seconds(), lat[len(lat)/2], lat[int(0.99*float64(len(lat)-1))]
}

// BenchmarkJWTVerifyUncached is the cost of a token's first use: signature
// and claims, without the verified-token cache.
func BenchmarkJWTVerifyUncached(b *testing.B) {
	for _, alg := range []jose.SignatureAlgorithm{jose.EdDSA, jose.ES256, jose.RS256} {
		b.Run(string(alg), func(b *testing.B) {
			k := newKey(b, "k", alg)
			path := b.TempDir() + "/jwks.json"
			os.WriteFile(path, jwksJSON(k), 0o600)
			a := newJWTAuthFor(b, path, JWTConfig{Issuer: testIssuer, Audience: testAudience})
			tok := k.sign(b, nil, nil)
			for b.Loop() {
				if _, _, err := a.verify(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
