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
//	raygate hash-token < token.txt   # the digest to put in the token file
//
// See README.md beside this file.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	if len(os.Args) > 1 && os.Args[1] == "hash-token" {
		os.Exit(hashToken())
	}
	os.Exit(run())
}

func hashToken() int {
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	token := strings.TrimRight(line, "\r\n")
	if (err != nil && line == "") || token == "" {
		fmt.Fprintln(os.Stderr, "raygate hash-token: give the token on standard input")
		return 2
	}
	fmt.Println(TokenDigest(token))
	return 0
}

func run() int {
	var (
		listen      = flag.String("listen", "127.0.0.1:8000", "address to listen on")
		bundlePath  = flag.String("bundle", "", "rolegate bundle (JSON) with the routes; reloaded when it changes")
		tokensPath  = flag.String("tokens", "", "token file mapping SHA-256 token digests to principals; reloaded when it changes")
		accessPath  = flag.String("access-log", "-", "access log file (JSON Lines), - for standard output")
		interval    = flag.Duration("reload-interval", time.Second, "how often to look for a changed bundle or token file")
		allowShared = flag.Bool("allow-shared-cluster", false, "allow two projects to name the same Ray cluster (Ray does not isolate them)")
		upstreamArg multiFlag
	)
	flag.Var(&upstreamArg, "upstream", "PROJECT=URL of the project's Ray dashboard (repeatable)")
	flag.Parse()
	ops := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	fail := func(msg string, args ...any) int { ops.Error(msg, args...); return 1 }

	if *bundlePath == "" || *tokensPath == "" || len(upstreamArg) == 0 || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: raygate -bundle FILE -tokens FILE -upstream PROJECT=URL [-upstream ...] [-listen ADDR] [-access-log FILE]")
		return 2
	}
	upstreams := Upstreams{}
	for _, spec := range upstreamArg {
		if err := upstreams.Add(spec, *allowShared); err != nil {
			return fail("bad -upstream", "error", err.Error())
		}
	}

	// The bundle: the first load must succeed; later ones may fail and the
	// bundle in service stays.
	bundleData, err := os.ReadFile(*bundlePath)
	if err != nil {
		return fail("cannot read the bundle", "error", err.Error())
	}
	engine, err := rolegate.NewEngine(bundleData)
	if err != nil {
		return fail("the bundle does not compile", "path", *bundlePath, "error", err.Error())
	}
	bundleWatch := &FileWatcher{Name: "bundle", Path: *bundlePath, Interval: *interval, Log: ops,
		Apply: func(data []byte) ([]any, error) {
			if err := engine.Publish(data); err != nil {
				return nil, err
			}
			return []any{"generation", engine.Generation()}, nil
		}}
	bundleWatch.Prime(bundleData)

	tokens := &TokenFile{}
	tokenWatch := &FileWatcher{Name: "tokens", Path: *tokensPath, Interval: *interval, Log: ops,
		Apply: func(data []byte) ([]any, error) {
			n, err := tokens.Load(data)
			return []any{"tokens", n}, err
		}}
	if err := tokenWatch.Load(); err != nil {
		return fail("cannot load the token file", "path", *tokensPath, "error", err.Error())
	}

	access := NewAccessLog(os.Stdout)
	if *accessPath != "-" {
		f, err := os.OpenFile(*accessPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
		if err != nil {
			return fail("cannot open the access log", "error", err.Error())
		}
		defer f.Close()
		access = NewAccessLog(f)
	}

	gw := NewGateway(engine, tokens, upstreams, access, ops)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fail("cannot listen", "error", err.Error())
	}
	srv := &http.Server{
		Handler:           gw,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(ops.Handler(), slog.LevelWarn),
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	kickBundle, kickTokens := make(chan struct{}, 1), make(chan struct{}, 1)
	go bundleWatch.Run(ctx, kickBundle)
	go tokenWatch.Run(ctx, kickTokens)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for s := range sigs {
			if s == syscall.SIGHUP {
				for _, k := range []chan struct{}{kickBundle, kickTokens} {
					select {
					case k <- struct{}{}:
					default:
					}
				}
				continue
			}
			ops.Info("shutting down", "signal", s.String())
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			srv.Shutdown(sctx)
			cancel()
			stop()
			return
		}
	}()

	ops.Info("raygate listening", "addr", ln.Addr().String(), "projects", upstreams.Names(),
		"bundle", *bundlePath, "generation", engine.Generation(), "rolegate", rolegate.LibraryVersionString())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fail("serve failed", "error", err.Error())
	}
	<-ctx.Done()
	gw.Wait() // upgraded (hijacked) streams outlive Shutdown; their handlers hold no engine call
	engine.Close()
	return 0
}
