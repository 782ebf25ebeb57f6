package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// loadBundle loads the first bundle (it must compile), sets up its reload and
// returns its readiness test.
func (a *app) loadBundle() (func() (bool, string), error) {
	b := a.cfg.Bundle
	limit := b.MaxBytes
	if limit == 0 {
		limit = DefaultMaxBundleBytes
	}
	if b.File != "" {
		data, err := ReadFileCapped(b.File, limit)
		if err != nil {
			return nil, fmt.Errorf("bundle.file: %w", err)
		}
		if a.engine, err = rolegate.NewEngine(data); err != nil {
			return nil, fmt.Errorf("bundle.file %s does not compile: %w", b.File, err)
		}
		a.metrics.Published()
		w := &FileWatcher{Name: "bundle", Path: b.File, Interval: a.cfg.ReloadInterval, Limit: limit, Log: a.ops,
			Result: func(ok bool) { a.metrics.Reload("bundle", ok) },
			Apply: func(data []byte) ([]any, error) {
				if err := a.engine.Publish(data); err != nil {
					return nil, err
				}
				return []any{"generation", a.engine.Generation()}, nil
			}}
		w.Prime(data)
		a.watch(w.Run)
		return func() (bool, string) { return true, "" }, nil
	}
	var pub []byte
	if b.PublicKey != "" {
		pub, _ = ParsePublicKey(b.PublicKey) // Validate checked it
	}
	src := &BundleSource{URL: b.URL, SigURL: b.SignatureURL, PublicKey: pub, Limit: limit, Log: a.ops,
		Result: func(ok bool) { a.metrics.Reload("bundle", ok) }}
	src.Publish = func(data []byte) error {
		if a.engine == nil {
			e, err := rolegate.NewEngine(data)
			a.engine = e
			return err
		}
		return a.engine.Publish(data)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := src.Poll(ctx); err != nil || a.engine == nil {
		return nil, fmt.Errorf("bundle.url: the first bundle must load: %v", err)
	}
	a.metrics.Published()
	a.watch(func(ctx context.Context, kick <-chan struct{}) { src.Run(ctx, b.PollInterval, kick) })
	return func() (bool, string) {
		if age := time.Since(src.Fresh()); age > b.MaxStale {
			return false, fmt.Sprintf("bundle server not reached for %v", age.Round(time.Second))
		}
		return true, ""
	}, nil
}

// loadAuth sets up the authenticators the configuration names.
func (a *app) loadAuth() (Authenticator, error) {
	var static *TokenFile
	if p := a.cfg.Auth.TokensFile; p != "" {
		static = &TokenFile{}
		w := &FileWatcher{Name: "tokens", Path: p, Interval: a.cfg.ReloadInterval, Limit: MaxTokenFileBytes,
			Log: a.ops, Unreadable: static.Fail, Result: func(ok bool) { a.metrics.Reload("tokens", ok) },
			Apply: func(data []byte) ([]any, error) {
				n, err := static.Load(data)
				return []any{"tokens", n}, err
			}}
		if err := w.Load(); err != nil {
			return nil, fmt.Errorf("auth.tokens_file %s: %w", p, err)
		}
		a.watch(w.Run)
	}
	j := a.cfg.Auth.JWT
	if j == nil {
		return static, nil
	}
	source := j.JWKSFile
	if source == "" {
		source = j.JWKSURL
	}
	if source == "" {
		var err error
		if source, err = Discover(nil, j.Issuer); err != nil {
			return nil, fmt.Errorf("auth.jwt.issuer: discovery: %w", err)
		}
	}
	keys := &JWKS{Source: source, MinRefresh: j.MinRefresh, Result: func(ok bool) { a.metrics.Reload("jwks", ok) }}
	if err := keys.Refresh(); err != nil {
		a.ops.Warn("no JWKS yet; refusing JWTs until it loads", "error", err.Error())
	}
	interval := j.RefreshInterval
	if interval <= 0 {
		interval = 15 * time.Minute
	}
	a.watchers = append(a.watchers, func(ctx context.Context) { keys.Run(ctx, interval) })
	jwtAuth, err := NewJWTAuth(j.authConfig(), keys)
	if err != nil {
		return nil, fmt.Errorf("auth.jwt: %w", err)
	}
	if static != nil {
		return &MultiAuth{JWT: jwtAuth, Static: static}, nil
	}
	return jwtAuth, nil
}

// healthHandler serves /healthz (the process answers), /readyz (a bundle
// and credentials are loaded and fresh) and /metrics.
func (a *app) healthHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if ok, why := a.ready(); !ok {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not_ready", "reason": why})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "generation": a.engine.Generation()})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics.Registry, promhttp.HandlerOpts{}))
	return mux
}

// serve runs until SIGINT or SIGTERM, then drains: new requests stop, those
// in flight get drain_timeout, open streams are closed after it, the
// watchers are stopped and joined, and only then is the engine closed.
func (a *app) serve() int {
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		a.ops.Error("cannot listen", "error", err.Error())
		return 1
	}
	srv := a.gw.NewServer()
	var tlsConf = a.tlsConfig()
	var health *http.Server
	if a.cfg.HealthListen != "" {
		hl, err := net.Listen("tcp", a.cfg.HealthListen)
		if err != nil {
			a.ops.Error("cannot listen (health)", "error", err.Error())
			return 1
		}
		health = &http.Server{Handler: a.healthHandler(), ReadHeaderTimeout: 5 * time.Second}
		go health.Serve(hl)
	}
	ctx, stopWatchers := context.WithCancel(context.Background())
	defer stopWatchers()
	var wg sync.WaitGroup
	for _, w := range a.watchers {
		wg.Add(1)
		go func() { defer wg.Done(); w(ctx) }()
	}
	done := make(chan struct{})
	go a.signals(srv, health, done)
	a.ops.Info("raygate listening", "addr", ln.Addr().String(), "tls", tlsConf != nil,
		"health", a.cfg.HealthListen, "generation", a.engine.Generation(),
		"version", Version, "rolegate", rolegate.LibraryVersionString())
	if err := srv.Serve(Listener(ln, tlsConf)); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.ops.Error("serve failed", "error", err.Error())
		stopWatchers()
		wg.Wait()
		return 1
	}
	<-done
	stopWatchers()
	wg.Wait() // no watcher is inside Publish once this returns
	a.engine.Close()
	a.access.Close()
	return 0
}

func (a *app) tlsConfig() *tls.Config {
	if a.certs == nil {
		return nil
	}
	return a.certs.TLSConfig()
}

// signals handles SIGHUP (reload now, reopen the decision log) and
// SIGINT/SIGTERM (drain and stop; done is closed when drained).
func (a *app) signals(srv, health *http.Server, done chan struct{}) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	for s := range sigs {
		if s == syscall.SIGHUP {
			for _, k := range a.kicks {
				select {
				case k <- struct{}{}:
				default:
				}
			}
			if err := a.access.Reopen(); err != nil {
				a.ops.Error("cannot reopen the decision log", "error", err.Error())
			}
			continue
		}
		a.ops.Info("shutting down", "signal", s.String(), "drain_timeout", a.cfg.DrainTimeout.String())
		a.drain(srv)
		if health != nil {
			health.Close()
		}
		close(done)
		return
	}
}

// drain stops srv: requests in flight (and hijacked streams, which Shutdown
// does not wait for) get DrainTimeout, then open streams are closed.
func (a *app) drain(srv *http.Server) {
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.DrainTimeout)
	defer cancel()
	srv.Shutdown(sctx)
	waited := make(chan struct{})
	go func() { a.gw.Wait(); close(waited) }()
	select {
	case <-waited:
		return
	case <-sctx.Done():
	}
	a.ops.Warn("drain timeout: closing open streams", "streams", a.gw.streams.Len())
	a.gw.streams.CloseAll()
	srv.Close()
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		a.ops.Error("handlers still running after closing streams; stopping anyway")
	}
}

// authConfig is the file's JWT settings as JWTAuth takes them. groups_claim
// absent is the default claim ("groups"); set to "" it asserts no groups.
func (j *JWTFileConfig) authConfig() JWTConfig {
	jc := JWTConfig{Issuer: j.Issuer, Audience: j.Audience, ClockSkew: j.ClockSkew,
		Algorithms: j.Algorithms, Principal: j.Principal, Prefix: j.PrincipalPrefix}
	if j.GroupsClaim != nil {
		jc.GroupsClaim, jc.NoGroups = *j.GroupsClaim, *j.GroupsClaim == ""
	}
	return jc
}
