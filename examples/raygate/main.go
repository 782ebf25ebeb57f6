// Command raygate is an authenticating, authorising reverse proxy for Ray's
// dashboard and Jobs API, deciding every request with rolegate.
//
// Ray's security model: the dashboard, the Jobs API and the client give
// complete access to a cluster, and access control must be enforced outside
// Ray. raygate is that outside: it maps a bearer token to a principal (the
// token file), asks rolegate's check_request whether the principal may send
// this method and path (the bundle's routes map Ray API paths to actions and
// scopes), and forwards what is allowed to the project's Ray dashboard.
//
//	raygate -bundle bundle.json -tokens tokens.json \
//	        -upstream a=http://127.0.0.1:8265 -upstream b=http://127.0.0.1:8266
//	ray job submit --address http://127.0.0.1:8000/projects/a \
//	        --headers '{"Authorization": "Bearer <token>"}' -- python job.py
//
//	raygate -config raygate.yaml     # everything in a file; flags override it
//	raygate hash-token < token.txt   # the digest to put in the token file
//	raygate gen-signing-key          # an ed25519 key pair for signed bundles
//	raygate sign-bundle KEYFILE < bundle.json > bundle.json.sig
//
// See README.md beside this file.
package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// Version is raygate's version, set at build time with
// -ldflags "-X main.Version=...".
var Version = "dev"

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "hash-token":
			os.Exit(hashToken())
		case "gen-signing-key":
			os.Exit(genSigningKey())
		case "sign-bundle":
			os.Exit(signBundle(os.Args[2:]))
		}
	}
	os.Exit(run(os.Args[1:]))
}

func hashToken() int {
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	token := strings.TrimRight(line, "\r\n")
	if (err != nil && line == "") || token == "" {
		fmt.Fprintln(os.Stderr, "raygate hash-token: give the token on standard input")
		return 2
	}
	if len(token) < MinStaticTokenBytes {
		fmt.Fprintf(os.Stderr, "raygate hash-token: a token must be at least %d bytes (raygate refuses shorter ones)\n", MinStaticTokenBytes)
		return 2
	}
	fmt.Println(TokenDigest(token))
	return 0
}

func genSigningKey() int {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("private (keep secret; for sign-bundle): %s\npublic (bundle.public_key): %s\n",
		base64.StdEncoding.EncodeToString(priv.Seed()), base64.StdEncoding.EncodeToString(pub))
	return 0
}

func signBundle(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: raygate sign-bundle KEYFILE < bundle.json > bundle.json.sig")
		return 2
	}
	text, err := ReadFileCapped(args[0], 4096)
	seed, err2 := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
	if err != nil || err2 != nil || len(seed) != ed25519.SeedSize {
		fmt.Fprintln(os.Stderr, "raygate sign-bundle: KEYFILE must hold the base64 private key gen-signing-key printed")
		return 2
	}
	data, err := readCapped(os.Stdin, DefaultMaxBundleBytes, "bundle")
	if err != nil {
		fmt.Fprintln(os.Stderr, "raygate sign-bundle:", err)
		return 1
	}
	fmt.Println(base64.StdEncoding.EncodeToString(ed25519.Sign(ed25519.NewKeyFromSeed(seed), data)))
	return 0
}

// loadConfig builds the configuration: defaults, then the -config file,
// then the flags that were given.
func loadConfig(args []string) (Config, bool, error) {
	fs := flag.NewFlagSet("raygate", flag.ContinueOnError)
	c := DefaultConfig()
	var (
		configPath = fs.String("config", "", "configuration file (YAML or JSON); flags override it")
		version    = fs.Bool("version", false, "print the version and exit")
		o          Config // flag values, applied only when given
		upstreams  multiFlag
		streaming  multiFlag
	)
	fs.StringVar(&o.Listen, "listen", c.Listen, "address to listen on")
	fs.StringVar(&o.HealthListen, "health-listen", "", "address for /healthz, /readyz and /metrics (unauthenticated: keep it private)")
	fs.StringVar(&o.TLS.Cert, "tls-cert", "", "TLS certificate (PEM), reloaded on change")
	fs.StringVar(&o.TLS.Key, "tls-key", "", "TLS private key (PEM)")
	fs.StringVar(&o.Bundle.File, "bundle", "", "rolegate bundle file (JSON); reloaded when it changes")
	fs.StringVar(&o.Bundle.URL, "bundle-url", "", "poll the bundle from this http(s) URL (ETag)")
	fs.StringVar(&o.Bundle.PublicKey, "bundle-public-key", "", "base64 ed25519 key: publish only bundles whose .sig verifies")
	fs.StringVar(&o.Auth.TokensFile, "tokens", "", "static token file (SHA-256 digests to principals)")
	fs.StringVar(&o.Logging.DecisionLog, "access-log", c.Logging.DecisionLog, "decision log file (JSON Lines), - for standard output")
	fs.DurationVar(&o.ReloadInterval, "reload-interval", c.ReloadInterval, "how often to look for a changed bundle or token file")
	fs.BoolVar(&o.AllowSharedCluster, "allow-shared-cluster", false, "allow two projects to name the same Ray cluster")
	fs.Var(&upstreams, "upstream", "PROJECT=URL of the project's Ray dashboard (repeatable)")
	fs.Var(&streaming, "stream-route", "route id that may upgrade to a WebSocket (repeatable), e.g. r-job-logs-tail")
	if err := fs.Parse(args); err != nil {
		return c, false, err
	}
	if *version {
		return c, true, nil
	}
	if fs.NArg() != 0 {
		return c, false, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *configPath != "" {
		data, err := ReadFileCapped(*configPath, 1<<20)
		if err != nil {
			return c, false, err
		}
		if err := ParseConfig(data, &c); err != nil {
			return c, false, fmt.Errorf("%s: %w", *configPath, err)
		}
	}
	fs.Visit(func(f *flag.Flag) { applyFlag(&c, &o, f.Name, upstreams, streaming) })
	return c, false, c.Validate()
}

func applyFlag(c, o *Config, name string, upstreams, streaming multiFlag) {
	switch name {
	case "listen":
		c.Listen = o.Listen
	case "health-listen":
		c.HealthListen = o.HealthListen
	case "tls-cert":
		c.TLS.Cert = o.TLS.Cert
	case "tls-key":
		c.TLS.Key = o.TLS.Key
	case "bundle":
		c.Bundle.File, c.Bundle.URL = o.Bundle.File, ""
	case "bundle-url":
		c.Bundle.URL, c.Bundle.File = o.Bundle.URL, ""
	case "bundle-public-key":
		c.Bundle.PublicKey = o.Bundle.PublicKey
	case "tokens":
		c.Auth.TokensFile = o.Auth.TokensFile
	case "access-log":
		c.Logging.DecisionLog = o.Logging.DecisionLog
	case "reload-interval":
		c.ReloadInterval = o.ReloadInterval
	case "allow-shared-cluster":
		c.AllowSharedCluster = o.AllowSharedCluster
	case "upstream":
		c.Upstreams = map[string]string{}
		for _, spec := range upstreams {
			name, url, _ := strings.Cut(spec, "=")
			c.Upstreams[name] = url
		}
	case "stream-route":
		c.StreamingRoutes = streaming
	}
}

func run(args []string) int {
	cfg, version, err := loadConfig(args)
	if version {
		fmt.Printf("raygate %s (librolegate %s)\n", Version, rolegate.LibraryVersionString())
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "raygate:", err)
		return 2
	}
	level := slog.LevelInfo
	if err := level.UnmarshalText([]byte(cfg.Logging.Level)); err != nil {
		fmt.Fprintln(os.Stderr, "raygate: config: logging.level:", err)
		return 2
	}
	ops := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	a, err := assemble(cfg, ops)
	if err != nil {
		ops.Error("cannot start", "error", err.Error())
		return 1
	}
	return a.serve()
}

// app is a running raygate: what assemble built and serve runs.
type app struct {
	cfg     Config
	ops     *slog.Logger
	engine  *rolegate.Engine
	gw      *Gateway
	access  *AccessLog
	metrics *Metrics
	ready   func() (bool, string)
	// watchers run until ctx ends; wg joins them before the engine closes.
	watchers []func(ctx context.Context)
	kicks    []chan struct{}
	certs    *CertReloader
}

func (a *app) watch(f func(ctx context.Context, kick <-chan struct{})) {
	k := make(chan struct{}, 1)
	a.kicks = append(a.kicks, k)
	a.watchers = append(a.watchers, func(ctx context.Context) { f(ctx, k) })
}

func assemble(cfg Config, ops *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, ops: ops}
	upstreams := Upstreams{}
	for name, u := range cfg.Upstreams {
		if err := upstreams.Add(name+"="+u, cfg.AllowSharedCluster); err != nil {
			return nil, fmt.Errorf("upstreams.%s: %w", name, err)
		}
	}
	var gen func() uint64
	a.metrics = NewMetrics(func() uint64 { return gen() })
	bundleReady, err := a.loadBundle()
	if err != nil {
		return nil, err
	}
	gen = a.engine.Generation
	if err := a.metrics.ExportEngine(a.engine); err != nil {
		a.engine.Close()
		return nil, fmt.Errorf("rolegate counters: %w", err)
	}
	auth, err := a.loadAuth()
	if err != nil {
		a.engine.Close()
		return nil, err
	}
	a.ready = func() (bool, string) {
		if ok, why := bundleReady(); !ok {
			return ok, why
		}
		return auth.Ready()
	}
	if a.access, err = a.openLog(); err != nil {
		a.engine.Close()
		return nil, err
	}
	if cfg.TLS.Cert != "" {
		a.certs = &CertReloader{CertFile: cfg.TLS.Cert, KeyFile: cfg.TLS.Key,
			OnError: func(err error) {
				ops.Error("certificate reload failed; the one in service stays", "error", err.Error())
			}}
		if err := a.certs.Load(); err != nil {
			a.engine.Close()
			return nil, err
		}
	}
	a.gw = NewGateway(a.engine, auth, upstreams, a.access, ops,
		GatewayOptions{StreamingRoutes: cfg.StreamingRoutes, TLS: a.certs != nil, Metrics: a.metrics})
	a.watchers = append(a.watchers, func(ctx context.Context) { a.gw.streams.Run(ctx, cfg.StreamRecheck) })
	return a, nil
}

func (a *app) openLog() (*AccessLog, error) {
	l := NewAccessLog(os.Stdout)
	if p := a.cfg.Logging.DecisionLog; p != "-" {
		var err error
		if l, err = OpenAccessLog(p); err != nil {
			return nil, fmt.Errorf("logging.decision_log: %w", err)
		}
	}
	l.OnError = func(err error) { a.ops.Error("decision log write failed", "error", err.Error()) }
	l.OnRecover = func() { a.ops.Info("decision log writes again") }
	l.Errors = a.metrics.logErrors.Inc
	return l, nil
}
