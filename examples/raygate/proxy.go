package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	metrics   *Metrics
	inflight  sync.WaitGroup
	streams   *Streams
	// streaming holds the route ids that may upgrade to a WebSocket (Ray's
	// `ray job logs --follow` uses r-job-logs-tail). Every other upgrade is
	// refused: an upgrade the upstream accepts becomes a raw tunnel that
	// raygate can no longer check.
	streaming map[string]bool
	tls       bool // the listener is TLS: X-Forwarded-Proto https
}

// GatewayOptions are the Gateway's optional settings.
type GatewayOptions struct {
	StreamingRoutes []string // route ids that may upgrade to a WebSocket
	TLS             bool
	Metrics         *Metrics // nil: a private registry nobody scrapes
}

type forwardKey struct{}

type forward struct {
	base    *url.URL
	project string // lower-case project name
	path    string // decoded path to send upstream
	rawPath string // the same as received (escapes kept)
	rec     *Record
	body    *bodyReader
}

// NewGateway returns a Gateway deciding with engine, authenticating with
// auth and forwarding to upstreams.
func NewGateway(engine *rolegate.Engine, auth Authenticator, upstreams Upstreams,
	access *AccessLog, ops *slog.Logger, opt GatewayOptions) *Gateway {
	g := &Gateway{engine: engine, auth: auth, upstreams: upstreams, access: access, ops: ops,
		metrics: opt.Metrics, streaming: map[string]bool{}, tls: opt.TLS}
	if g.metrics == nil {
		g.metrics = NewMetrics(nil)
	}
	for _, id := range opt.StreamingRoutes {
		g.streaming[id] = true
	}
	g.streams = NewStreams(g)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // never send Ray traffic through an environment proxy
	transport.MaxIdleConnsPerHost = 64
	g.proxy = &httputil.ReverseProxy{
		Rewrite:      g.rewrite,
		Transport:    transport,
		ErrorHandler: g.upstreamError,
		// ReverseProxy checks that an upgrade response names the protocol
		// the request asked for; rewrite only lets a WebSocket ask.
	}
	return g
}

// forwardedHeaders is the allowlist of request headers sent on to Ray: what
// Ray's HTTP API, its job CLI and its dashboard need. Everything else stays
// behind (Cookie, X-Real-IP, X-Forwarded-* from the caller, method overrides,
// identity headers an upstream might trust), since a header Ray or a library
// under it honours is a way round raygate's decision. raygate sets
// X-Forwarded-For, X-Forwarded-Host and X-Forwarded-Proto itself.
var forwardedHeaders = []string{
	"Accept", "Accept-Encoding", "Accept-Language", "Cache-Control", "Content-Encoding",
	"Content-Type", "If-Match", "If-Modified-Since", "If-None-Match", "If-Unmodified-Since",
	"Range", "User-Agent", "Te",
}

// websocketHeaders go on only for an upgrade raygate allowed.
var websocketHeaders = []string{
	"Connection", "Upgrade", "Sec-Websocket-Key", "Sec-Websocket-Version",
	"Sec-Websocket-Protocol", "Sec-Websocket-Extensions", "Origin",
}

func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	f := pr.In.Context().Value(forwardKey{}).(*forward)
	pr.Out.URL.Scheme = f.base.Scheme
	pr.Out.URL.Host = f.base.Host
	pr.Out.URL.Path = f.path
	pr.Out.URL.RawPath = f.rawPath
	pr.Out.Host = ""
	in := pr.Out.Header
	out := make(http.Header, len(forwardedHeaders))
	copyHeaders(out, in, forwardedHeaders)
	if isWebSocket(pr.In) {
		copyHeaders(out, in, websocketHeaders)
	}
	pr.Out.Header = out
	pr.SetXForwarded()
	if g.tls {
		out.Set("X-Forwarded-Proto", "https")
	}
	if f.body != nil {
		pr.Out.Body = f.body
	}
}

func copyHeaders(dst, src http.Header, names []string) {
	for _, k := range names {
		if v, ok := src[k]; ok {
			dst[k] = v
		}
	}
}

func (g *Gateway) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	f := r.Context().Value(forwardKey{}).(*forward)
	f.rec.UpstreamError = err.Error()
	switch {
	case f.body != nil && f.body.err != nil:
		// The caller's body broke off (or was malformed): not Ray's fault.
		f.rec.Failure = "client_body_error"
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad_request", "reason": "client_body_error"})
	case r.Context().Err() != nil:
		f.rec.Failure = "client_gone" // nobody reads the answer; 499 is nginx's code for it
		w.WriteHeader(499)
	default:
		f.rec.Failure = "upstream_unavailable"
		g.ops.Warn("upstream request failed", "upstream", f.base.Host, "error", err.Error())
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "bad_gateway", "reason": "upstream_unavailable"})
	}
}

// bodyReader remembers the error reading the caller's request body, so a
// broken upload is told apart from an unreachable Ray.
type bodyReader struct {
	io.ReadCloser
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// Wait blocks until every request handler has returned.
func (g *Gateway) Wait() { g.inflight.Wait() }

// ServeHTTP authenticates, decides with rolegate's check_request, and
// forwards or refuses. Every request gets one decision-log line.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.inflight.Add(1)
	defer g.inflight.Done()
	markHandled(r)
	start := time.Now()
	target := r.RequestURI // the request target exactly as received
	path := target
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	rec := &Record{ID: newDecisionID(), Method: r.Method, Path: path, Remote: r.RemoteAddr,
		Generation: g.engine.Generation()}
	sw := &statusWriter{ResponseWriter: w}
	sw.Header().Set("X-Raygate-Decision-Id", rec.ID)
	defer func() { g.finish(rec, sw, r, start) }()

	id, err := g.auth.Authenticate(r)
	if err != nil {
		g.unauthenticated(sw, rec, err, start)
		return
	}
	rec.Principal, rec.Groups = id.Principal, id.Groups
	// The verified credential's groups are asserted with the principal
	// (SPEC §13): the decision is for the principal and each of them.
	d, ok := g.decide(sw, rec, id, r, target, start)
	if !ok {
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
	if reason := g.upgradeRefusal(r, d.Route); reason != "" {
		rec.Decision, rec.Reason = "deny", reason
		writeJSON(sw, http.StatusBadRequest, map[string]string{"error": "bad_request", "reason": reason})
		return
	}
	rec.Decision = "allow"
	f.rec = rec
	if r.Body != nil && r.Body != http.NoBody {
		f.body = &bodyReader{ReadCloser: r.Body}
	}
	ctx := context.WithValue(r.Context(), forwardKey{}, f)
	if isWebSocket(r) {
		var done func()
		ctx, done = g.streams.Open(ctx, r, rec)
		defer done()
	}
	g.proxy.ServeHTTP(sw, r.WithContext(ctx))
}

func (g *Gateway) unauthenticated(sw *statusWriter, rec *Record, err error, start time.Time) {
	reason := "unauthenticated"
	var ae *AuthError
	if errors.As(err, &ae) {
		reason = ae.Reason
	}
	rec.Decision, rec.Reason = "unauthenticated", reason
	rec.CheckUS = micros(time.Since(start))
	sw.Header().Set("WWW-Authenticate", `Bearer realm="raygate"`)
	writeJSON(sw, http.StatusUnauthorized, map[string]string{"error": "unauthenticated", "reason": reason})
}

// decide asks rolegate and answers a refusal; ok is false when it did.
func (g *Gateway) decide(sw *statusWriter, rec *Record, id Identity, r *http.Request, target string,
	start time.Time) (rolegate.RequestDecision, bool) {
	t := time.Now()
	d, err := g.checkRequest(id, r.Method, target)
	g.metrics.decision.Observe(time.Since(t).Seconds())
	rec.CheckUS = micros(time.Since(start))
	if err != nil {
		rec.Decision, rec.Reason = "error", "decision_failed"
		g.ops.Error("check_request failed", "error", err.Error())
		writeJSON(sw, http.StatusInternalServerError, map[string]string{"error": "internal", "reason": "decision_failed"})
		return d, false
	}
	rec.Route, rec.Action, rec.Resource = d.Route, d.Action, d.Resource
	rec.Reason, rec.Rule = d.Reason.String(), d.Rule
	if !d.Allowed {
		rec.Decision = "deny"
		// The reason, action and scope help a caller ask for the right
		// role (as Azure's AuthorizationFailed does); the deciding rule is
		// the operator's business and goes to the decision log only.
		writeJSON(sw, http.StatusForbidden, denyBody{Error: "forbidden", Reason: rec.Reason,
			Action: d.Action, Resource: d.Resource})
		return d, false
	}
	return d, true
}

// contexts recycles the rolegate.Context that carries a request's asserted
// groups: a Context is built by one goroutine at a time, so each request
// takes its own from the pool, and once its buffers have grown, refilling it
// allocates nothing.
var contexts = sync.Pool{New: func() any { return new(rolegate.Context) }}

// checkRequest is check_request for id's principal with id's groups
// asserted. More than the library's limit of groups (1024), or an empty
// group id, is a deny with reason invalid_input (a 403, as any deny: the
// token verified, so the caller is authenticated but not authorised).
func (g *Gateway) checkRequest(id Identity, method, target string) (rolegate.RequestDecision, error) {
	if len(id.Groups) == 0 {
		return g.engine.CheckRequest(id.Principal, method, target)
	}
	ctx := contexts.Get().(*rolegate.Context)
	defer contexts.Put(ctx)
	ctx.Reset()
	if len(id.Groups) > rolegateMaxGroups {
		// Over the limit the library refuses the query anyway; adding
		// the first rolegateMaxGroups+1 is enough to make it say so,
		// without copying a hostile token's every group.
		id.Groups = id.Groups[:rolegateMaxGroups+1]
	}
	for _, grp := range id.Groups {
		ctx.AddGroup(grp)
	}
	return g.engine.CheckRequestQuery(id.Principal, method, target, ctx)
}

// rolegateMaxGroups is the C ABI's ROLEGATE_MAX_ASSERTED_GROUPS.
const rolegateMaxGroups = 1024

// upgradeRefusal is why an upgrade may not go on ("" when it may, or when
// the request asks none): only a WebSocket, only on a streaming route.
func (g *Gateway) upgradeRefusal(r *http.Request, route string) string {
	if len(r.Header.Values("Upgrade")) == 0 {
		return ""
	}
	if !isWebSocket(r) {
		return "upgrade_not_allowed"
	}
	if !g.streaming[route] {
		return "upgrade_not_allowed"
	}
	return ""
}

func (g *Gateway) finish(rec *Record, sw *statusWriter, r *http.Request, start time.Time) {
	rec.Status = sw.status
	if rec.Status == 0 {
		if rec.Decision == "allow" && isWebSocket(r) {
			// ReverseProxy hijacked the connection for the upgrade the
			// upstream accepted (a refusal goes through WriteHeader).
			rec.Status = http.StatusSwitchingProtocols
		} else {
			rec.Status = http.StatusOK
		}
	}
	rec.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	reason := rec.Reason
	if rec.Failure != "" {
		reason = rec.Failure
	}
	g.metrics.request(rec.Status, reason)
	g.access.Write(rec)
}

// forwardFor picks the upstream for an allowed request, and the path to send
// it. Beyond rolegate's rules it insists that the project the path names is
// the project of the scope rolegate allowed, so a route that maps one
// project's path onto another project's scope can never forward.
func (g *Gateway) forwardFor(path, target, scope string) (*forward, int, string) {
	if strings.Contains(target, "#") { // never valid in an HTTP request target
		return nil, http.StatusBadRequest, "bad_path"
	}
	first, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if first != strings.Trim(ProjectPrefix, "/") {
		// rolegate matched the decoded path: "/%70rojects/a" is the
		// caller's spelling of a project path, refused as non-canonical; a
		// route that is not under /projects/ at all is the operator's error.
		if dec, err := url.PathUnescape(first); err != nil || dec == strings.Trim(ProjectPrefix, "/") {
			return nil, http.StatusBadRequest, "bad_path"
		}
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
	return &forward{base: base, project: key, path: decoded, rawPath: rawPath}, 0, ""
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
	if status >= 400 {
		// A refused request's body is never read: without this, net/http
		// would wait to drain it (up to 256 KiB) before answering, and a
		// client that announces a body and sends none could hold the
		// connection (and a file descriptor) forever without a token.
		w.Header().Set("Connection", "close")
	}
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

// isWebSocket: the request asks to upgrade to a WebSocket and nothing else
// (one Upgrade header naming exactly "websocket", RFC 6455 §4.1).
func isWebSocket(r *http.Request) bool {
	up := r.Header.Values("Upgrade")
	return len(up) == 1 && strings.EqualFold(strings.TrimSpace(up[0]), "websocket") &&
		headerHasToken(r.Header.Values("Connection"), "upgrade")
}

func headerHasToken(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
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
