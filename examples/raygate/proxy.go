package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// ProjectPrefix is the path prefix that names a project: a request for
// project P's Ray cluster is sent to raygate as /projects/P/<Ray API path>,
// and raygate forwards <Ray API path> to P's dashboard.
//
// One project, one Ray cluster. Ray enforces no isolation between the jobs of
// one cluster (its security docs: "use separate, isolated Ray Clusters"), and
// its job ids carry no project, so the project is chosen by the path, and the
// path chooses the cluster. Sharing one cluster between projects would make
// "a contributor on A cannot touch B" untrue: raygate refuses that unless told
// otherwise (-allow-shared-cluster).
const ProjectPrefix = "/projects/"

var projectNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Upstreams maps project names (compared case-insensitively, as rolegate
// compares scopes) to Ray dashboard base URLs.
type Upstreams map[string]*url.URL

// ParseUpstream parses "project=http://host:port".
func (u Upstreams) Add(spec string, allowShared bool) error {
	name, raw, ok := strings.Cut(spec, "=")
	if !ok {
		return fmt.Errorf("upstream %q: want PROJECT=URL", spec)
	}
	if !projectNameRE.MatchString(name) {
		return fmt.Errorf("upstream %q: project name must match %s", spec, projectNameRE)
	}
	target, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("upstream %q: %v", spec, err)
	}
	if (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" ||
		(target.Path != "" && target.Path != "/") || target.RawQuery != "" || target.User != nil {
		return fmt.Errorf("upstream %q: want http(s)://host:port of a Ray dashboard, with no path or query", spec)
	}
	target.Path = ""
	key := asciiLower(name)
	if _, dup := u[key]; dup {
		return fmt.Errorf("upstream %q: project %q given twice (names compare case-insensitively)", spec, name)
	}
	if !allowShared {
		for other, t := range u {
			if strings.EqualFold(t.Host, target.Host) {
				return fmt.Errorf("upstream %q: projects %q and %q would share the Ray cluster at %s; "+
					"Ray does not isolate jobs within a cluster (use -allow-shared-cluster to accept that)",
					spec, other, key, target.Host)
			}
		}
	}
	u[key] = target
	return nil
}

// Names returns the project names, sorted.
func (u Upstreams) Names() []string {
	var out []string
	for k := range u {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Gateway is the authenticating, authorising reverse proxy.
type Gateway struct {
	engine    *rolegate.Engine
	auth      Authenticator
	upstreams Upstreams
	proxy     *httputil.ReverseProxy
	access    *AccessLog
	ops       *slog.Logger
	inflight  sync.WaitGroup
}

type forwardKey struct{}

type forward struct {
	base    *url.URL
	path    string // decoded path to send upstream
	rawPath string // the same as received (escapes kept)
	rec     *Record
}

// NewGateway returns a Gateway deciding with engine, authenticating with
// auth and forwarding to upstreams.
func NewGateway(engine *rolegate.Engine, auth Authenticator, upstreams Upstreams,
	access *AccessLog, ops *slog.Logger) *Gateway {
	g := &Gateway{engine: engine, auth: auth, upstreams: upstreams, access: access, ops: ops}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // never send Ray traffic through an environment proxy
	transport.MaxIdleConnsPerHost = 64
	g.proxy = &httputil.ReverseProxy{
		Rewrite:      g.rewrite,
		Transport:    transport,
		ErrorHandler: g.upstreamError,
		// Rewrite (unlike Director) drops the caller's X-Forwarded-* and
		// hop-by-hop headers, and upgrades (the WebSocket `ray job logs
		// --follow` and `ray job submit` use) pass through.
	}
	return g
}

func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	f := pr.In.Context().Value(forwardKey{}).(*forward)
	pr.Out.URL.Scheme = f.base.Scheme
	pr.Out.URL.Host = f.base.Host
	pr.Out.URL.Path = f.path
	pr.Out.URL.RawPath = f.rawPath
	pr.Out.Host = ""
	// The caller's credential is for raygate, not for Ray.
	pr.Out.Header.Del("Authorization")
	pr.Out.Header.Del("X-Ray-Authorization")
	pr.SetXForwarded()
}

func (g *Gateway) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	f := r.Context().Value(forwardKey{}).(*forward)
	f.rec.UpstreamError = err.Error()
	g.ops.Warn("upstream request failed", "upstream", f.base.Host, "error", err.Error())
	writeJSON(w, http.StatusBadGateway, map[string]string{"error": "bad_gateway", "reason": "upstream_unavailable"})
}

// Wait blocks until every request handler has returned.
func (g *Gateway) Wait() { g.inflight.Wait() }

// ServeHTTP authenticates, decides with rolegate's check_request, and
// forwards or refuses. Every request gets one access-log line.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.inflight.Add(1)
	defer g.inflight.Done()
	start := time.Now()
	target := r.RequestURI // the request target exactly as received
	path := target
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	rec := &Record{Method: r.Method, Path: path, Remote: r.RemoteAddr}
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		rec.Status = sw.status
		if rec.Status == 0 {
			if rec.Decision == "allow" && isUpgrade(r) {
				// ReverseProxy hijacked the connection for the upgrade
				// the upstream accepted (a refusal goes through WriteHeader).
				rec.Status = http.StatusSwitchingProtocols
			} else {
				rec.Status = http.StatusOK
			}
		}
		rec.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
		g.access.Write(rec)
	}()

	principal, err := g.auth.Authenticate(r)
	if err != nil {
		reason := "unauthenticated"
		var ae *AuthError
		if errors.As(err, &ae) {
			reason = ae.Reason
		}
		rec.Decision, rec.Reason = "unauthenticated", reason
		rec.CheckUS = micros(time.Since(start))
		sw.Header().Set("WWW-Authenticate", `Bearer realm="raygate"`)
		writeJSON(sw, http.StatusUnauthorized, map[string]string{"error": "unauthenticated", "reason": reason})
		return
	}
	rec.Principal = principal

	d, err := g.engine.CheckRequest(principal, r.Method, target)
	rec.CheckUS = micros(time.Since(start))
	if err != nil {
		rec.Decision, rec.Reason = "error", "decision_failed"
		g.ops.Error("check_request failed", "error", err.Error())
		writeJSON(sw, http.StatusInternalServerError, map[string]string{"error": "internal", "reason": "decision_failed"})
		return
	}
	rec.Route, rec.Action, rec.Resource = d.Route, d.Action, d.Resource
	rec.Reason, rec.Rule = d.Reason.String(), d.Rule
	if !d.Allowed {
		rec.Decision = "deny"
		// The reason, action and scope help a caller ask for the right
		// role (as Azure's AuthorizationFailed does); the deciding rule is
		// the operator's business and goes to the access log only.
		writeJSON(sw, http.StatusForbidden, denyBody{Error: "forbidden", Reason: rec.Reason,
			Action: d.Action, Resource: d.Resource})
		return
	}

	f, status, reason := g.forwardFor(path, target, d.Resource)
	if f == nil {
		rec.Decision, rec.Reason = "deny", reason
		if status == http.StatusInternalServerError {
			g.ops.Error("route scope outside the project its path names; refusing",
				"path", path, "route", d.Route, "resource", d.Resource)
		}
		writeJSON(sw, status, map[string]string{"error": http.StatusText(status), "reason": reason})
		return
	}
	rec.Decision = "allow"
	f.rec = rec
	g.proxy.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), forwardKey{}, f)))
}

// forwardFor picks the upstream for an allowed request, and the path to send
// it. Beyond rolegate's rules it insists that the project the path names is
// the project of the scope rolegate allowed, so a route that maps one
// project's path onto another project's scope can never forward.
func (g *Gateway) forwardFor(path, target, scope string) (*forward, int, string) {
	if strings.Contains(target, "#") { // never valid in an HTTP request target
		return nil, http.StatusBadRequest, "bad_path"
	}
	rest, ok := strings.CutPrefix(path, ProjectPrefix)
	if !ok {
		return nil, http.StatusInternalServerError, "misconfigured_route"
	}
	seg, tail, _ := strings.Cut(rest, "/")
	name, err := url.PathUnescape(seg)
	if err != nil {
		return nil, http.StatusBadRequest, "bad_path"
	}
	key := asciiLower(name)
	ls := asciiLower(scope)
	if own := asciiLower(ProjectPrefix) + key; ls != own && !strings.HasPrefix(ls, own+"/") {
		return nil, http.StatusInternalServerError, "misconfigured_route"
	}
	base := g.upstreams[key]
	if base == nil {
		return nil, http.StatusNotFound, "unknown_project"
	}
	rawPath := "/" + tail
	decoded, err := url.PathUnescape(rawPath)
	if err != nil {
		return nil, http.StatusBadRequest, "bad_path"
	}
	return &forward{base: base, path: decoded, rawPath: rawPath}, 0, ""
}

type denyBody struct {
	Error    string `json:"error"`
	Reason   string `json:"reason"`
	Action   string `json:"action,omitempty"`
	Resource string `json:"resource,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// statusWriter records the status for the access log. Unwrap lets
// http.ResponseController (which ReverseProxy uses to flush and to hijack
// for upgrades) reach the underlying writer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func isUpgrade(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" &&
		strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade")
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }
