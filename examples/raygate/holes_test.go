package main

// Regression tests for the holes an attack review found (one test each).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	tokAda  = "tok-ada-0123456789abcdef0123456789abcdef"
	tokCora = "tok-cora-0123456789abcdef0123456789abcdef"
	tokRita = "tok-rita-0123456789abcdef0123456789abcdef"
)

// upgrader is a fake Ray that accepts any upgrade with a 101 and then counts
// every byte sent on the raw connection (a tunnel).
type upgrader struct {
	srv      *httptest.Server
	requests atomic.Int64
	tunneled atomic.Int64
}

func newUpgrader(t *testing.T) *upgrader {
	u := &upgrader{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.requests.Add(1)
		if r.Header.Get("Upgrade") == "" {
			fmt.Fprint(w, "{}")
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: %s\r\n\r\n", r.Header.Get("Upgrade"))
		brw.Flush()
		buf := make([]byte, 4096)
		for {
			n, err := brw.Read(buf)
			u.tunneled.Add(int64(n))
			if n > 0 {
				conn.Write(buf[:n]) // echo: a WebSocket stream stand-in
			}
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func harnessWithUpstream(t *testing.T, url string) *harness {
	h := newHarness(t)
	h.gw.upstreams["a"] = mustURL(t, url)
	return h
}

// rawConn sends a raw request and returns the connection and its reader.
func rawConn(t *testing.T, h *harness, req string) (net.Conn, *bufio.Reader, *http.Response) {
	conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	io.WriteString(conn, req)
	br := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	return conn, br, resp
}

// Hole 1: an Upgrade on any allowed route used to become an unchecked tunnel
// when the upstream answered 101.
func TestUpgradeOnlyWebSocketOnStreamingRoutes(t *testing.T) {
	up := newUpgrader(t)
	h := harnessWithUpstream(t, up.srv.URL)
	for _, tc := range []struct{ target, upgrade string }{
		{"/projects/a/api/version", "h2c"},
		{"/projects/a/api/version", "websocket"},     // not a streaming route
		{"/projects/a/api/jobs/j1/logs/tail", "h2c"}, // streaming route, not a WebSocket
		{"/projects/a/api/jobs/j1/logs/tail", "foo, websocket"},
	} {
		conn, _, resp := rawConn(t, h, "GET "+tc.target+" HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "+tokAda+
			"\r\nConnection: Upgrade\r\nUpgrade: "+tc.upgrade+"\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n")
		if resp.StatusCode != 400 {
			t.Errorf("%s Upgrade %s: %d, want 400", tc.target, tc.upgrade, resp.StatusCode)
		}
		io.WriteString(conn, "DELETE /api/jobs/j1 HTTP/1.1\r\nHost: x\r\n\r\n")
		conn.Close()
	}
	time.Sleep(50 * time.Millisecond)
	if n := up.requests.Load(); n != 0 {
		t.Errorf("refused upgrades reached the upstream %d times", n)
	}
	if n := up.tunneled.Load(); n != 0 {
		t.Errorf("%d bytes tunneled unchecked", n)
	}
	// A WebSocket on the streaming route passes.
	conn, br, resp := rawConn(t, h, "GET /projects/a/api/jobs/j1/logs/tail HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "+tokCora+
		"\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if resp.StatusCode != 101 {
		t.Fatalf("websocket on the streaming route: %d", resp.StatusCode)
	}
	io.WriteString(conn, "ping")
	buf := make([]byte, 4)
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("stream echo: %q %v", buf, err)
	}
}

// Hole 7b: an open stream used to outlive its token's revocation.
func TestStreamClosedWhenTokenRevoked(t *testing.T) {
	up := newUpgrader(t)
	h := harnessWithUpstream(t, up.srv.URL)
	_, br, resp := rawConn(t, h, "GET /projects/a/api/jobs/j1/logs/tail HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "+tokCora+
		"\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if resp.StatusCode != 101 {
		t.Fatalf("%d", resp.StatusCode)
	}
	h.gw.streams.Revalidate() // still valid: stays open
	if n := h.gw.streams.Len(); n != 1 {
		t.Fatalf("%d streams open, want 1", n)
	}
	tokens := h.gw.auth.(*TokenFile)
	if _, err := tokens.Load(tokenFileJSONFor(map[string]string{tokAda: "user:ada"})); err != nil {
		t.Fatal(err)
	}
	h.gw.streams.Revalidate()
	if _, err := br.ReadByte(); err == nil {
		t.Fatal("stream still open after its token was revoked")
	}
	waitFor(t, func() bool { return h.gw.streams.Len() == 0 })
	waitFor(t, func() bool {
		lines := h.mu.lines(t)
		return len(lines) == 1 && lines[0]["closed"] == "revoked"
	})
}

// The drain closes streams (they would otherwise hold shutdown forever).
func TestCloseAllStreams(t *testing.T) {
	up := newUpgrader(t)
	h := harnessWithUpstream(t, up.srv.URL)
	_, br, resp := rawConn(t, h, "GET /projects/a/api/jobs/j1/logs/tail HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "+tokAda+
		"\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if resp.StatusCode != 101 {
		t.Fatalf("%d", resp.StatusCode)
	}
	done := make(chan struct{})
	go func() { h.gw.Wait(); close(done) }()
	h.gw.streams.CloseAll()
	if _, err := br.ReadByte(); err == nil {
		t.Fatal("stream open after CloseAll")
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("handlers did not return after CloseAll")
	}
}

// Hole 3: raygate's own reads refuse non-regular files and oversized ones,
// reading at most limit+1 bytes.
func TestReadFileCapped(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	os.WriteFile(big, bytes.Repeat([]byte("x"), 101), 0o600)
	if _, err := ReadFileCapped(big, 100); err == nil {
		t.Error("101 bytes read under a 100-byte cap")
	}
	if data, err := ReadFileCapped(big, 101); err != nil || len(data) != 101 {
		t.Errorf("at the cap: %d %v", len(data), err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err == nil {
		go func() { // a writer, so a blocking open would not hang the test
			if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				f.Write([]byte("{}"))
				f.Close()
			}
		}()
		if _, err := ReadFileCapped(fifo, 100); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("fifo: %v", err)
		}
	}
	for _, p := range []string{"/dev/zero", dir} {
		if _, err := ReadFileCapped(p, 100); err == nil {
			t.Errorf("%s read", p)
		}
	}
	n, err := readCapped(io.LimitReader(zeroReader{}, 1<<30), 1000, "stream")
	if err == nil || n != nil {
		t.Error("endless stream read")
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Hole 4: headers are forwarded from an allowlist.
func TestForwardedHeaderAllowlist(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest("GET", h.srv.URL+"/projects/a/api/jobs/", nil)
	req.Header.Set("Authorization", "Bearer "+tokRita)
	smuggled := map[string]string{"X-Forwarded-Prefix": "/evil", "X-Forwarded-Port": "1", "X-Forwarded-User": "admin",
		"X-Real-IP": "10.0.0.1", "X_Forwarded_For": "10.0.0.2", "X-HTTP-Method-Override": "DELETE",
		"X-Method-Override": "DELETE", "Cookie": "session=1", "Forwarded": "for=10.0.0.3", "X-Forwarded-Host": "evil",
		"X-Forwarded-Proto": "https", "X-Ray-Authorization": "x", "Proxy-Authorization": "x"}
	for k, v := range smuggled {
		req.Header[k] = []string{v}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "ray-cli")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatal(resp, err)
	}
	resp.Body.Close()
	got := h.a.last.Load().Header
	for k, v := range smuggled {
		if g, ok := got[http.CanonicalHeaderKey(k)]; ok && g[0] == v {
			t.Errorf("%s reached Ray: %q", k, v)
		}
		if _, ok := got[k]; ok && k == "X_Forwarded_For" {
			t.Errorf("%s reached Ray", k)
		}
	}
	for k := range got {
		switch k {
		case "Accept", "Accept-Encoding", "User-Agent", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto":
		default:
			t.Errorf("unexpected header reached Ray: %s", k)
		}
	}
	if got.Get("Accept") != "application/json" || got.Get("User-Agent") != "ray-cli" {
		t.Errorf("allowed headers lost: %v", got)
	}
	if got.Get("X-Forwarded-For") != "127.0.0.1" || got.Get("X-Forwarded-Proto") != "http" {
		t.Errorf("raygate's X-Forwarded-*: %v", got)
	}
	t.Logf("upstream saw %v", got)
}

// Hole 5: an escaped /projects/ prefix was a 500 misconfigured_route with an
// ERROR log.
func TestEscapedPrefixIsBadRequest(t *testing.T) {
	h := newHarness(t)
	for _, target := range []string{"/%70rojects/a/api/version", "/pro%6Aects/a/api/version"} {
		code, body := h.raw(t, "GET", target, tokAda)
		if code == 200 || code == 500 {
			t.Errorf("%s: %d %v", target, code, body)
		}
		t.Logf("%s: %d %v", target, code, body)
	}
	if code, body := h.raw(t, "GET", "/%70rojects/a/api/version", tokAda); code != 400 || body["reason"] != "bad_path" {
		t.Errorf("/%%70rojects: %d %v", code, body)
	}
	if h.a.hits.Load() != 0 {
		t.Error("forwarded")
	}
}

// Hole 6a: requests Go refuses before the handler get a decision-log line.
func TestRefusedBeforeHandlerAreLogged(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		req    string
		status int
	}{
		{"GET /%zz HTTP/1.1\r\nHost: gw\r\n\r\n", 400},
		{"GET /projects/a/api/version HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"GET /projects/a/api/version HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("x", 70<<10) + "\r\n\r\n", 431},
		{"POST /projects/a/api/jobs/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 401},
	} {
		before := len(h.mu.lines(t))
		_, _, resp := rawConn(t, h, tc.req)
		if resp.StatusCode != tc.status {
			t.Errorf("%.40q: %d, want %d", tc.req, resp.StatusCode, tc.status)
		}
		waitFor(t, func() bool { return len(h.mu.lines(t)) == before+1 })
		if t.Failed() {
			return
		}
		last := h.mu.lines(t)[before]
		if last["status"] != float64(tc.status) || last["decision_id"] == "" {
			t.Errorf("%.40q: logged %v", tc.req, last)
		}
		t.Logf("%.40q -> %v %v", tc.req, last["decision"], last["reason"])
	}
}

// Hole 6b: a caller's broken body was logged as upstream_unavailable 502.
func TestClientBodyErrorIsNotUpstreamError(t *testing.T) {
	h := newHarness(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	defer slow.Close()
	h.gw.upstreams["a"] = mustURL(t, slow.URL)
	conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /projects/a/api/jobs/ HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer %s\r\nContent-Length: 1000\r\n\r\n0123456789", tokCora)
	time.Sleep(100 * time.Millisecond)
	conn.Close()
	waitFor(t, func() bool { return len(h.mu.lines(t)) == 1 })
	rec := h.mu.lines(t)[0]
	if rec["failure"] != "client_body_error" || rec["status"] != float64(400) {
		t.Errorf("client body error logged as %v %v", rec["status"], rec["failure"])
	}
}

// Hole 6c: decision-log write errors were ignored, and the file was never
// reopened for rotation.
func TestDecisionLogReopenAndErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "decisions.log")
	l, err := OpenAccessLog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Write(&Record{ID: "1", Decision: "allow"})
	os.Rename(path, path+".1")
	l.Write(&Record{ID: "2", Decision: "allow"}) // still the old (renamed) file
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	l.Write(&Record{ID: "3", Decision: "allow"})
	old, _ := os.ReadFile(path + ".1")
	neu, _ := os.ReadFile(path)
	if bytes.Count(old, []byte("\n")) != 2 || !bytes.Contains(neu, []byte(`"decision_id":"3"`)) || bytes.Count(neu, []byte("\n")) != 1 {
		t.Errorf("rotation: old %q new %q", old, neu)
	}
	var errs, first, recovered int
	fw := &failingWriter{}
	bl := NewAccessLog(fw)
	bl.Errors = func() { errs++ }
	bl.OnError = func(error) { first++ }
	bl.OnRecover = func() { recovered++ }
	fw.fail = true
	bl.Write(&Record{})
	bl.Write(&Record{})
	fw.fail = false
	bl.Write(&Record{})
	if errs != 2 || first != 1 || recovered != 1 {
		t.Errorf("errors %d, first %d, recovered %d", errs, first, recovered)
	}
}

type failingWriter struct{ fail bool }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.fail {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Error("condition not met within 5s")
}

// Hole 6d: the SIGTERM drain waited forever on an idle WebSocket; it is now
// bounded by drain_timeout, after which open streams are closed.
func TestDrainIsBounded(t *testing.T) {
	up := newUpgrader(t)
	h := harnessWithUpstream(t, up.srv.URL)
	_, _, resp := rawConn(t, h, "GET /projects/a/api/jobs/j1/logs/tail HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "+tokAda+
		"\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if resp.StatusCode != 101 {
		t.Fatalf("%d", resp.StatusCode)
	}
	a := &app{gw: h.gw, cfg: Config{DrainTimeout: 200 * time.Millisecond}, ops: h.gw.ops}
	start := time.Now()
	a.drain(h.srv.Config)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("drain took %v", d)
	}
	if n := h.gw.streams.Len(); n != 0 {
		t.Errorf("%d streams open after the drain", n)
	}
}
