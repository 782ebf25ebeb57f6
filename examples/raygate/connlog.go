package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Go's HTTP server answers some requests itself, before any handler runs: a
// malformed request line or escape, a duplicate Host, headers over the limit
// (431), an unsupported Transfer-Encoding (501), an Expect it cannot meet. The
// decision log must still have a line for each, so every connection is
// wrapped: the wrapper notes the status line the server writes while no
// handler has run for the current request, and the server's ConnState hook
// logs the request when the connection closes.

type loggedConn struct {
	net.Conn
	active  atomic.Bool  // a request was being read (StateActive)
	handled atomic.Bool  // the handler ran for it
	status  atomic.Int32 // the status the server wrote without a handler
}

func (c *loggedConn) Write(p []byte) (int, error) {
	if !c.handled.Load() && c.status.Load() == 0 && len(p) >= 12 && bytes.HasPrefix(p, []byte("HTTP/1.")) {
		var code int32
		for _, b := range p[9:12] {
			code = code*10 + int32(b-'0')
		}
		c.status.Store(code)
	}
	return c.Conn.Write(p)
}

// loggingListener wraps accepted connections (and terminates TLS beneath the
// wrapper, so the wrapper sees the server's plaintext answers). HTTP/2 is not
// offered: Ray's clients speak HTTP/1.1, and one protocol is one thing to
// check.
type loggingListener struct {
	net.Listener
	tls *tls.Config // nil: plain HTTP
}

func (l *loggingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.tls != nil {
		c = tls.Server(c, l.tls)
	}
	return &loggedConn{Conn: c}, nil
}

type connKey struct{}

// connContext puts the connection wrapper where the handler finds it.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if lc, ok := c.(*loggedConn); ok {
		return context.WithValue(ctx, connKey{}, lc)
	}
	return ctx
}

// markHandled tells the connection wrapper that the handler runs for the
// current request (the handler then writes the decision-log line itself).
func markHandled(r *http.Request) {
	if lc, ok := r.Context().Value(connKey{}).(*loggedConn); ok {
		lc.handled.Store(true)
	}
}

// connState is the http.Server ConnState hook logging refused requests.
func (g *Gateway) connState(c net.Conn, st http.ConnState) {
	lc, ok := c.(*loggedConn)
	if !ok {
		return
	}
	switch st {
	case http.StateActive:
		lc.handled.Store(false)
		lc.status.Store(0)
		lc.active.Store(true)
	case http.StateIdle, http.StateHijacked:
		lc.active.Store(false)
	case http.StateClosed:
		if lc.active.Load() && !lc.handled.Load() {
			g.refused(lc.RemoteAddr().String(), int(lc.status.Load()))
		}
	}
}

// refused logs a request the HTTP server refused before the handler.
func (g *Gateway) refused(remote string, status int) {
	reason := map[int]string{
		0:   "incomplete_request",
		400: "malformed_request",
		408: "request_timeout",
		413: "request_too_large",
		417: "expectation_failed",
		431: "headers_too_large",
		501: "not_implemented",
		505: "http_version_not_supported",
	}[status]
	if reason == "" {
		reason = "refused_by_http_server"
	}
	rec := &Record{ID: newDecisionID(), Decision: "refused", Reason: reason, Status: status, Remote: remote,
		Generation: g.engine.Generation()}
	g.metrics.request(status, reason)
	g.access.Write(rec)
}

// NewServer returns the http.Server for g, with the limits raygate keeps and
// the hooks that log refused requests. Serve it on Listener(ln, tlsConfig).
func (g *Gateway) NewServer() *http.Server {
	return &http.Server{
		Handler:                      g,
		ReadHeaderTimeout:            10 * time.Second,
		IdleTimeout:                  2 * time.Minute,
		MaxHeaderBytes:               64 << 10,
		DisableGeneralOptionsHandler: true, // OPTIONS * reaches the handler, so it is logged (and refused)
		ConnState:                    g.connState,
		ConnContext:                  connContext,
		ErrorLog:                     slog.NewLogLogger(g.ops.Handler(), slog.LevelWarn),
	}
}

// Listener wraps ln for NewServer's server; tlsConfig nil serves plain HTTP.
func Listener(ln net.Listener, tlsConfig *tls.Config) net.Listener {
	return &loggingListener{Listener: ln, tls: tlsConfig}
}
