package main

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Streams tracks the open WebSocket streams (Ray's log follow). A stream
// outlives the single decision that let it open, so it is decided again
// periodically: when its credential no longer authenticates (a token revoked,
// a JWT expired) or the bundle no longer allows it, the stream is closed.
// Shutdown closes every stream after the drain period.
type Streams struct {
	g    *Gateway
	mu   sync.Mutex
	open map[*stream]struct{}
}

type stream struct {
	cancel context.CancelFunc
	probe  *http.Request // method, target and the credential, nothing else
	closed string        // why raygate closed it: "revoked", "shutdown"
}

// NewStreams returns an empty registry for g.
func NewStreams(g *Gateway) *Streams { return &Streams{g: g, open: map[*stream]struct{}{}} }

// Open registers the stream r is about to become and returns the context to
// run it under (cancelling it tears the stream down: ReverseProxy closes the
// upstream side when the request context ends) and the function to call when
// the stream ended.
func (s *Streams) Open(ctx context.Context, r *http.Request, rec *Record) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	probe := &http.Request{Method: r.Method, RequestURI: r.RequestURI, URL: r.URL, Header: http.Header{}}
	if v, ok := r.Header["Authorization"]; ok {
		probe.Header["Authorization"] = v
	}
	st := &stream{cancel: cancel, probe: probe}
	s.mu.Lock()
	s.open[st] = struct{}{}
	s.mu.Unlock()
	s.g.metrics.streams.Inc()
	return ctx, func() {
		s.mu.Lock()
		delete(s.open, st)
		rec.Closed = st.closed
		s.mu.Unlock()
		s.g.metrics.streams.Dec()
		cancel()
	}
}

// Revalidate authenticates and decides every open stream again and closes
// those no longer allowed.
func (s *Streams) Revalidate() {
	for _, st := range s.snapshot() {
		reason := ""
		if id, err := s.g.auth.Authenticate(st.probe); err != nil {
			reason = "credential no longer valid: " + err.Error()
		} else if d, err := s.g.checkRequest(id, st.probe.Method, st.probe.RequestURI); err != nil || !d.Allowed {
			reason = "no longer allowed"
		}
		if reason != "" {
			s.g.ops.Info("closing a stream", "target", st.probe.RequestURI, "why", reason)
			s.close(st, "revoked")
		}
	}
}

// CloseAll closes every open stream (at shutdown, after the drain period).
func (s *Streams) CloseAll() {
	for _, st := range s.snapshot() {
		s.close(st, "shutdown")
	}
}

// Len is the number of open streams.
func (s *Streams) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.open)
}

func (s *Streams) snapshot() []*stream {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*stream, 0, len(s.open))
	for st := range s.open {
		out = append(out, st)
	}
	return out
}

func (s *Streams) close(st *stream, why string) {
	s.mu.Lock()
	if st.closed == "" {
		st.closed = why
	}
	s.mu.Unlock()
	st.cancel()
}

// Run revalidates every interval until ctx ends.
func (s *Streams) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Revalidate()
		}
	}
}
