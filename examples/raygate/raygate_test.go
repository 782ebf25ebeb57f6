package main

// Tests of the gateway against fake upstreams (no Ray needed). The test
// against a real Ray cluster with Ray's own clients is tests/raygate/.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

type seen struct {
	Path, RawPath, Query, Auth, RayAuth, XFF string
	Header                                   http.Header
}

type fakeRay struct {
	srv  *httptest.Server
	hits atomic.Int64
	last atomic.Pointer[seen]
}

func newFakeRay(t *testing.T, name string) *fakeRay {
	f := &fakeRay{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		f.last.Store(&seen{Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Query: r.URL.RawQuery,
			Auth: r.Header.Get("Authorization"), RayAuth: r.Header.Get("X-Ray-Authorization"),
			XFF: r.Header.Get("X-Forwarded-For"), Header: r.Header.Clone()})
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"cluster":%q,"path":%q}`, name, r.URL.Path)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

var testTokens = map[string]string{"tok-ada-0123456789abcdef0123456789abcdef": "user:ada", "tok-cora-0123456789abcdef0123456789abcdef": "user:cora", "tok-rita-0123456789abcdef0123456789abcdef": "user:rita"}

func tokenFileJSONFor(m map[string]string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"tokens":[`)
	i := 0
	for tok, p := range m {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"principal":%q,"sha256":%q}`, p, TokenDigest(tok))
		i++
	}
	b.WriteString("]}")
	return b.Bytes()
}

type harness struct {
	gw     *Gateway
	srv    *httptest.Server
	engine *rolegate.Engine
	a, b   *fakeRay
	access *bytes.Buffer
	mu     *syncWriter
}

type syncWriter struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncWriter) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("access log line is not JSON: %q", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	bundle, err := os.ReadFile("bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	engine, err := rolegate.NewEngine(bundle)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	tokens := &TokenFile{}
	if _, err := tokens.Load(tokenFileJSONFor(testTokens)); err != nil {
		t.Fatal(err)
	}
	h := &harness{engine: engine, a: newFakeRay(t, "a"), b: newFakeRay(t, "b")}
	ups := Upstreams{}
	for _, spec := range []string{"a=" + h.a.srv.URL, "b=" + h.b.srv.URL} {
		if err := ups.Add(spec, false); err != nil {
			t.Fatal(err)
		}
	}
	h.mu = &syncWriter{b: &bytes.Buffer{}}
	ops := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h.gw = NewGateway(engine, tokens, ups, NewAccessLog(h.mu), ops,
		GatewayOptions{StreamingRoutes: []string{"r-job-logs-tail"}})
	h.srv = startGateway(t, h.gw)
	return h
}

// startGateway serves g on 127.0.0.1 the way raygate does (its http.Server
// and connection wrapper, so refusals before the handler are logged too).
func startGateway(t *testing.T, g *Gateway) *httptest.Server {
	ts := httptest.NewUnstartedServer(g)
	ts.Config = g.NewServer()
	ts.Listener = Listener(ts.Listener, nil)
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

// raw sends target exactly as given (no client-side cleaning).
func (h *harness) raw(t *testing.T, method, target, token string) (int, map[string]any) {
	t.Helper()
	conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	auth := ""
	if token != "" {
		auth = "Authorization: Bearer " + token + "\r\n"
	}
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: gw\r\n%sContent-Length: 0\r\nConnection: close\r\n\r\n", method, target, auth)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(body, &m)
	if m == nil {
		m = map[string]any{"_raw": string(body)}
	}
	return resp.StatusCode, m
}

func TestAuthentication(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ header, reason string }{
		{"", "missing_token"},
		{"Bearer nope", "unknown_token"},
		{"Basic dXNlcjpwdw==", "malformed_authorization"},
		{"Bearer", "malformed_authorization"},
		{"Bearer tok-ada-0123456789abcdef0123456789abcdef extra", "malformed_authorization"},
	} {
		req, _ := http.NewRequest("GET", h.srv.URL+"/projects/a/api/version", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]string
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 401 || body["reason"] != tc.reason || body["error"] != "unauthenticated" ||
			!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%q: got %d %v", tc.header, resp.StatusCode, body)
		}
	}
	if n := h.a.hits.Load() + h.b.hits.Load(); n != 0 {
		t.Errorf("unauthenticated requests reached Ray %d times", n)
	}
	// Scheme is case-insensitive (RFC 7235).
	req, _ := http.NewRequest("GET", h.srv.URL+"/projects/a/api/version", nil)
	req.Header.Set("Authorization", "bearer tok-rita-0123456789abcdef0123456789abcdef")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 200 {
		t.Errorf("lower-case bearer: %d", resp.StatusCode)
	}
}

// A refused request is answered at once, whatever body it announces: the
// gateway never reads it, and asks net/http not to wait to drain it (a
// client sending "Content-Length: 1000" and nothing more would otherwise
// hold the connection open with no token at all).
func TestRefusalDoesNotWaitForTheBody(t *testing.T) {
	h := newHarness(t)
	conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /projects/a/api/jobs/ HTTP/1.1\r\nHost: gw\r\nContent-Length: 1000\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a token-less request with a stalled body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !resp.Close {
		t.Errorf("got %d, close=%v; want 401 and the connection closed", resp.StatusCode, resp.Close)
	}
}

func TestForwarding(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest("GET", h.srv.URL+"/projects/a/api/jobs/raysubmit_1?x=1&y=%2F", nil)
	req.Header.Set("Authorization", "Bearer tok-rita-0123456789abcdef0123456789abcdef")
	req.Header.Set("X-Ray-Authorization", "Bearer smuggled")
	req.Header.Set("X-Forwarded-For", "10.9.9.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"cluster":"a"`) {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
	s := h.a.last.Load()
	if s.Path != "/api/jobs/raysubmit_1" || s.Query != "x=1&y=%2F" {
		t.Errorf("upstream saw path %q query %q", s.Path, s.Query)
	}
	if s.Auth != "" || s.RayAuth != "" {
		t.Errorf("caller credentials reached Ray: %q %q", s.Auth, s.RayAuth)
	}
	if strings.Contains(s.XFF, "10.9.9.9") {
		t.Errorf("caller's X-Forwarded-For was passed on: %q", s.XFF)
	}
	// Escapes are forwarded as received (decoded once, by Ray, as by rolegate).
	if code, _ := h.raw(t, "GET", "/projects/a/api/jobs/job%41%20x", "tok-rita-0123456789abcdef0123456789abcdef"); code != 200 {
		t.Fatalf("escaped job id: %d", code)
	}
	if s := h.a.last.Load(); s.Path != "/api/jobs/jobA x" || s.RawPath != "/api/jobs/job%41%20x" {
		t.Errorf("upstream saw %q (raw %q)", s.Path, s.RawPath)
	}
	// Project names compare case-insensitively, as scopes do: same cluster.
	if code, _ := h.raw(t, "GET", "/projects/A/api/jobs/", "tok-rita-0123456789abcdef0123456789abcdef"); code != 200 || h.a.last.Load().Path != "/api/jobs/" {
		t.Errorf("/projects/A: %d", code)
	}
	// An admin may name a project that has no cluster: 404, nothing forwarded.
	before := h.a.hits.Load() + h.b.hits.Load()
	if code, body := h.raw(t, "GET", "/projects/zzz/api/jobs/", "tok-ada-0123456789abcdef0123456789abcdef"); code != 404 || body["reason"] != "unknown_project" {
		t.Errorf("unknown project: %d %v", code, body)
	}
	if h.a.hits.Load()+h.b.hits.Load() != before {
		t.Error("unknown project was forwarded")
	}
}

func TestDecisions(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		token, method, target string
		status                int
		reason, cluster       string
	}{
		{"tok-rita-0123456789abcdef0123456789abcdef", "GET", "/projects/a/api/jobs/", 200, "", "a"},
		{"tok-rita-0123456789abcdef0123456789abcdef", "POST", "/projects/a/api/jobs/", 403, "no_grant", ""},
		{"tok-rita-0123456789abcdef0123456789abcdef", "GET", "/projects/a/api/jobs/j1/logs", 403, "no_grant", ""},
		{"tok-rita-0123456789abcdef0123456789abcdef", "GET", "/projects/b/api/jobs/", 403, "no_grant", ""},
		{"tok-cora-0123456789abcdef0123456789abcdef", "POST", "/projects/a/api/jobs/", 200, "", "a"},
		{"tok-cora-0123456789abcdef0123456789abcdef", "PUT", "/projects/a/api/packages/gcs/_ray_pkg_0123.zip", 200, "", "a"},
		{"tok-cora-0123456789abcdef0123456789abcdef", "GET", "/projects/a/api/jobs/j1/logs", 200, "", "a"},
		{"tok-cora-0123456789abcdef0123456789abcdef", "POST", "/projects/b/api/jobs/", 403, "no_grant", ""},
		{"tok-cora-0123456789abcdef0123456789abcdef", "POST", "/projects/a/api/jobs/j1/stop", 403, "no_grant", ""},
		{"tok-cora-0123456789abcdef0123456789abcdef", "DELETE", "/projects/a/api/jobs/j1", 403, "no_grant", ""},
		{"tok-ada-0123456789abcdef0123456789abcdef", "POST", "/projects/b/api/jobs/j1/stop", 200, "", "b"},
		{"tok-ada-0123456789abcdef0123456789abcdef", "DELETE", "/projects/a/api/jobs/j1", 200, "", "a"},
		{"tok-ada-0123456789abcdef0123456789abcdef", "GET", "/projects/a/api/v0/logs/file", 403, "no_route", ""},
		{"tok-ada-0123456789abcdef0123456789abcdef", "GET", "/api/jobs/", 403, "no_route", ""},
		{"tok-ada-0123456789abcdef0123456789abcdef", "PATCH", "/projects/a/api/jobs/", 403, "no_route", ""},
	}
	for _, tc := range cases {
		ha, hb := h.a.hits.Load(), h.b.hits.Load()
		code, body := h.raw(t, tc.method, tc.target, tc.token)
		if code != tc.status {
			t.Errorf("%s %s %s: status %d, want %d (%v)", tc.token, tc.method, tc.target, code, tc.status, body)
			continue
		}
		if tc.status == 403 {
			if body["reason"] != tc.reason || body["error"] != "forbidden" {
				t.Errorf("%s %s %s: body %v, want reason %s", tc.token, tc.method, tc.target, body, tc.reason)
			}
			if _, leaked := body["rule"]; leaked {
				t.Errorf("rule id sent to the caller: %v", body)
			}
		}
		da, db := h.a.hits.Load()-ha, h.b.hits.Load()-hb
		want := map[string][2]int64{"": {0, 0}, "a": {1, 0}, "b": {0, 1}}[tc.cluster]
		if da != want[0] || db != want[1] {
			t.Errorf("%s %s %s: hits a=%d b=%d, want %v", tc.token, tc.method, tc.target, da, db, want)
		}
	}
	// The 403 body names action and scope; the access log also names the rule.
	_, body := h.raw(t, "POST", "/projects/b/api/jobs/", "tok-cora-0123456789abcdef0123456789abcdef")
	if body["action"] != "Ray.Cluster/jobs/write" || body["resource"] != "/projects/b" {
		t.Errorf("403 body: %v", body)
	}
	lines := h.mu.lines(t)
	if len(lines) != len(cases)+1 {
		t.Fatalf("%d access log lines for %d requests", len(lines), len(cases)+1)
	}
	first := lines[0]
	for _, k := range []string{"ts", "principal", "method", "path", "route", "action", "resource",
		"decision", "reason", "rule", "status", "check_us", "latency_ms"} {
		if _, ok := first[k]; !ok {
			t.Errorf("access log line lacks %q: %v", k, first)
		}
	}
	if first["principal"] != "user:rita" || first["decision"] != "allow" || first["rule"] != "a-rita-a" ||
		first["route"] != "r-jobs-list" || first["status"] != float64(200) {
		t.Errorf("access log: %v", first)
	}
}

func TestTraversalAndSmuggling(t *testing.T) {
	h := newHarness(t)
	for _, target := range []string{
		"/projects/a/api/jobs/../../../projects/b/api/jobs/",
		"/projects/a/../b/api/jobs/",
		"/projects/a/api/jobs/%2e%2e/%2e%2e/%2e%2e/projects/b/api/jobs/",
		"/projects/a/api/jobs/..%2f..%2f..%2fprojects%2fb%2fapi%2fjobs%2f",
		"/projects/a%2f..%2fb/api/jobs/",
		"/projects/b%2Fapi/jobs/",
		"//projects/b/api/jobs/",
		"/projects//b/api/jobs/",
		"/projects/./b/api/jobs/",
		"/projects/a/api/jobs/x%5c..%5c..",
		"/projects/a/api/jobs/x\\..\\..",
		"/projects/a/api/jobs/%00",
		"/projects/a/api/jobs/%zz",
		"/projects/a/api/jobs/%c0%ae%c0%ae",
		"http://127.0.0.1:1/projects/b/api/jobs/",
		"*",
	} {
		ha, hb := h.a.hits.Load(), h.b.hits.Load()
		code, body := h.raw(t, "GET", target, "tok-cora-0123456789abcdef0123456789abcdef")
		t.Logf("%-70s %d %v", target, code, body["reason"])
		if code == 200 || (code == 403 && body["reason"] != "bad_path") {
			t.Errorf("%s: %d %v", target, code, body)
		}
		if h.a.hits.Load() != ha || h.b.hits.Load() != hb {
			t.Errorf("%s: reached Ray", target)
		}
	}
	// A fragment is never valid in a request target: refused after the
	// decision (rolegate would decide on the path before '#').
	if code, body := h.raw(t, "GET", "/projects/a/api/jobs/#/../../b", "tok-cora-0123456789abcdef0123456789abcdef"); code != 400 || body["reason"] != "bad_path" {
		t.Errorf("fragment: %d %v", code, body)
	}
}

func TestScopeMustMatchProject(t *testing.T) {
	h := newHarness(t)
	// A route whose scope names another project than its path: raygate
	// refuses to forward even though rolegate allows.
	bad := `{"version":1,"actions":[{"name":"x/read"}],
	  "roles":[{"id":"r","actions":["x/read"]}],
	  "assignments":[{"id":"a1","principal":"user:cora","role":"r","scope":"/projects/b"}],
	  "routes":[{"id":"r-wrong","method":"GET","path":"/projects/a/api/version","action":"x/read","scope":"/projects/b"},
	            {"id":"r-root","method":"GET","path":"/api/version","action":"x/read","scope":"/projects/b"}]}`
	if err := h.engine.Publish([]byte(bad)); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/projects/a/api/version", "/api/version"} {
		if code, body := h.raw(t, "GET", target, "tok-cora-0123456789abcdef0123456789abcdef"); code != 500 || body["reason"] != "misconfigured_route" {
			t.Errorf("%s: %d %v", target, code, body)
		}
	}
	if h.a.hits.Load()+h.b.hits.Load() != 0 {
		t.Error("a misrouted request was forwarded")
	}
}

func TestUpstreamConfig(t *testing.T) {
	u := Upstreams{}
	for _, bad := range []string{"a", "=http://x:1", "a/b=http://x:1", "a=ftp://x:1", "a=http://x:1/ray",
		"a=http://x:1?q", "a=http://u:p@x:1"} {
		if err := u.Add(bad, false); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := u.Add("a=http://127.0.0.1:1", false); err != nil {
		t.Fatal(err)
	}
	if err := u.Add("A=http://127.0.0.1:2", false); err == nil {
		t.Error("a and A both accepted")
	}
	if err := u.Add("b=http://127.0.0.1:1/", false); err == nil || !strings.Contains(err.Error(), "share") {
		t.Errorf("shared cluster accepted: %v", err)
	}
	if err := u.Add("b=http://127.0.0.1:1/", true); err != nil {
		t.Errorf("shared cluster with -allow-shared-cluster: %v", err)
	}
}

func TestTokenFile(t *testing.T) {
	for _, bad := range []string{`{}x`, `{"tokens":[{"principal":"p","sha256":"abc"}]}`,
		`{"tokens":[{"principal":"","sha256":"` + TokenDigest("x") + `"}]}`,
		`{"tokens":[{"principal":"p","sha256":"` + TokenDigest("x") + `","extra":1}]}`,
		`{"tokens":[{"principal":"p","sha256":"` + TokenDigest("x") + `"},{"principal":"q","sha256":"` + TokenDigest("x") + `"}]}`,
	} {
		if _, err := ParseTokens([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	m, err := ParseTokens([]byte(`{"tokens":[{"principal":"user:x","sha256":"` + TokenDigest("s3cret") + `","comment":"c"}]}`))
	if err != nil || len(m) != 1 {
		t.Fatal(m, err)
	}
}

// Hot reload under load: bundles are swapped, a bad one among them, while
// requests run; none fails, and each swap takes effect.
func TestHotReloadUnderLoad(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "bundle.json")
	orig, _ := os.ReadFile("bundle.json")
	grantB := bytes.Replace(orig, []byte(`"assignments": [`),
		[]byte(`"assignments": [{"id": "a-rita-b", "principal": "user:rita", "role": "ray-reader", "scope": "/projects/b"},`), 1)
	write := func(data []byte) {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	write(orig)
	var logBuf syncWriter
	logBuf.b = &bytes.Buffer{}
	w := &FileWatcher{Name: "bundle", Path: path, Interval: 5 * time.Millisecond, Limit: DefaultMaxBundleBytes,
		Log:   slog.New(slog.NewJSONHandler(&logBuf, nil)),
		Apply: func(data []byte) ([]any, error) { return nil, h.engine.Publish(data) }}
	w.Prime(orig)

	stop := make(chan struct{})
	var fails, total atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{}
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", h.srv.URL+"/projects/a/api/jobs/", nil)
				req.Header.Set("Authorization", "Bearer tok-cora-0123456789abcdef0123456789abcdef")
				resp, err := client.Do(req)
				total.Add(1)
				if err != nil || resp.StatusCode != 200 {
					fails.Add(1)
				}
				if resp != nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	ritaB := func() int {
		code, _ := h.raw(t, "GET", "/projects/b/api/jobs/", "tok-rita-0123456789abcdef0123456789abcdef")
		return code
	}
	gen0 := h.engine.Generation()
	settle := func() { time.Sleep(20 * time.Millisecond) } // let requests run on each bundle
	for round := 0; round < 3; round++ {
		write(grantB)
		w.Poll()
		settle()
		if c := ritaB(); c != 200 {
			t.Errorf("round %d: new bundle not in effect: %d", round, c)
		}
		write([]byte(`{"version": 1, "actions": [`)) // broken: logged, old one stays
		w.Poll()
		settle()
		if c := ritaB(); c != 200 {
			t.Errorf("round %d: a bad bundle changed the decision: %d", round, c)
		}
		write(orig)
		w.Poll()
		settle()
		if c := ritaB(); c != 403 {
			t.Errorf("round %d: original bundle not back: %d", round, c)
		}
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	if fails.Load() != 0 {
		t.Errorf("%d of %d requests failed during reloads", fails.Load(), total.Load())
	}
	if g := h.engine.Generation() - gen0; g != 6 {
		t.Errorf("%d publishes, want 6", g)
	}
	if !strings.Contains(logBuf.b.String(), "rejected; the one in service stays in service") {
		t.Errorf("bad bundle not logged: %s", logBuf.b.String())
	}
	t.Logf("%d requests during 9 swaps, 0 failed", total.Load())
}

// BenchmarkDecision is raygate's own cost per request without the network:
// authenticate, check_request, and a 403 answer (nothing is forwarded).
func BenchmarkDecision(b *testing.B) {
	bundle, _ := os.ReadFile("bundle.json")
	engine, err := rolegate.NewEngine(bundle)
	if err != nil {
		b.Fatal(err)
	}
	defer engine.Close()
	tokens := &TokenFile{}
	tokens.Load(tokenFileJSONFor(testTokens))
	gw := NewGateway(engine, tokens, Upstreams{}, NewAccessLog(io.Discard), slog.New(slog.NewJSONHandler(io.Discard, nil)), GatewayOptions{})
	req := httptest.NewRequest("POST", "/projects/b/api/jobs/", nil)
	req.Header.Set("Authorization", "Bearer tok-cora-0123456789abcdef0123456789abcdef")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		gw.ServeHTTP(w, req)
		if w.Code != 403 {
			b.Fatal(w.Code)
		}
	}
}

// The token file reloads like the bundle: a new token works at once, a bad
// file is logged and the tokens in service stay.
func TestTokenReload(t *testing.T) {
	h := newHarness(t)
	tokens := h.gw.auth.(*TokenFile)
	path := filepath.Join(t.TempDir(), "tokens.json")
	var logBuf syncWriter
	logBuf.b = &bytes.Buffer{}
	w := &FileWatcher{Name: "tokens", Path: path, Interval: time.Hour, Limit: MaxTokenFileBytes,
		Unreadable: tokens.Fail,
		Log:        slog.New(slog.NewJSONHandler(&logBuf, nil)),
		Apply:      func(data []byte) ([]any, error) { _, err := tokens.Load(data); return nil, err }}
	with := map[string]string{"tok-new-0123456789abcdef0123456789abcdef": "user:rita"}
	os.WriteFile(path, tokenFileJSONFor(with), 0o600)
	w.Poll()
	if code, _ := h.raw(t, "GET", "/projects/a/api/jobs/", "tok-new-0123456789abcdef0123456789abcdef"); code != 200 {
		t.Errorf("new token: %d", code)
	}
	if code, _ := h.raw(t, "GET", "/projects/a/api/jobs/", "tok-rita-0123456789abcdef0123456789abcdef"); code != 401 {
		t.Errorf("removed token still works: %d", code)
	}
	// Truncated, emptied, deleted: fail closed (401 for everyone, not ready).
	for _, bad := range [][]byte{[]byte(`{"tokens": [`), []byte(``), []byte(`{"tokens": []}`), nil} {
		os.WriteFile(path, tokenFileJSONFor(with), 0o600)
		w.Poll()
		if code, _ := h.raw(t, "GET", "/projects/a/api/jobs/", "tok-new-0123456789abcdef0123456789abcdef"); code != 200 {
			t.Fatalf("good file back: %d", code)
		}
		if bad == nil {
			os.Remove(path)
		} else {
			os.WriteFile(path, bad, 0o600)
		}
		w.Poll()
		code, body := h.raw(t, "GET", "/projects/a/api/jobs/", "tok-new-0123456789abcdef0123456789abcdef")
		if code != 401 {
			t.Errorf("token file %q: old token still valid: %d %v", bad, code, body)
		}
		if ok, why := tokens.Ready(); ok {
			t.Errorf("token file %q: still ready", bad)
		} else {
			t.Logf("token file %q: not ready: %s", bad, why)
		}
	}
	if !strings.Contains(logBuf.b.String(), "failing closed") {
		t.Errorf("bad token file not logged: %s", logBuf.b.String())
	}
	w.Poll()
	w.Poll()
	if n := strings.Count(logBuf.b.String(), "unreadable"); n != 1 {
		t.Errorf("a missing file logged %d times, want once", n)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
