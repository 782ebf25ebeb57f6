package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"sync"
	"time"
)

// Record is one decision-log line: one per request, whatever became of it,
// including requests the HTTP server refused before raygate's handler.
//
//	decision_id: random, also sent to the caller as X-Raygate-Decision-Id
//	decision: "allow" (forwarded), "deny" (refused by rolegate or by raygate's
//	          own routing checks), "unauthenticated", "error", "refused"
//	          (malformed: refused by the HTTP server before any decision)
//	generation: the bundle generation in service when the request was decided
//	groups:   groups the credential asserted (logged; not yet decided on)
//	closed:   for a stream raygate ended: "revoked" or "shutdown"
//	failure:  an allowed request that failed after the decision:
//	          "upstream_unavailable" (502), "client_body_error" (400: the
//	          caller's body broke off), "client_gone" (499: the caller left)
//	reason:   rolegate's reason (grant, no_grant, bad_path, no_route, ...), the
//	          authentication failure (missing_token, unknown_token, ...), or
//	          raygate's (unknown_project, misconfigured_route)
//	rule:     the deciding assignment or statement id (operators only: never
//	          sent to the caller)
//	check_us: time to authenticate and decide; latency_ms: the whole request,
//	          upstream included (for a log stream, its whole duration)
type Record struct {
	ID            string
	Principal     string
	Groups        []string
	Generation    uint64
	Closed        string
	Failure       string
	Method        string
	Path          string
	Route         string
	Action        string
	Resource      string
	Decision      string
	Reason        string
	Rule          string
	Status        int
	CheckUS       float64
	LatencyMS     float64
	Remote        string
	UpstreamError string
}

type recordJSON struct {
	Time          string   `json:"ts"`
	ID            string   `json:"decision_id"`
	Principal     *string  `json:"principal"`
	Groups        []string `json:"groups,omitempty"`
	Generation    uint64   `json:"generation"`
	Closed        string   `json:"closed,omitempty"`
	Failure       string   `json:"failure,omitempty"`
	Method        string   `json:"method"`
	Path          string   `json:"path"`
	Route         *string  `json:"route"`
	Action        *string  `json:"action"`
	Resource      *string  `json:"resource"`
	Decision      string   `json:"decision"`
	Reason        string   `json:"reason"`
	Rule          *string  `json:"rule"`
	Status        int      `json:"status"`
	CheckUS       float64  `json:"check_us"`
	LatencyMS     float64  `json:"latency_ms"`
	Remote        string   `json:"remote"`
	UpstreamError string   `json:"upstream_error,omitempty"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// AccessLog writes Records as JSON Lines, one write per line. A file log is
// reopened on Reopen (SIGHUP), for log rotation by rename; a write error is
// counted and reported once per run of failures, never ignored silently.
type AccessLog struct {
	mu      sync.Mutex
	w       io.Writer
	path    string   // "" for a writer given by the caller
	f       *os.File // the open file when path != ""
	failing bool
	// OnError, when set, is told of the first write error of a run of them
	// (and OnRecover of the first success after).
	OnError   func(err error)
	OnRecover func()
	Errors    func() // counts every failed write (metrics)
}

// NewAccessLog returns an AccessLog writing to w.
func NewAccessLog(w io.Writer) *AccessLog { return &AccessLog{w: w} }

// OpenAccessLog opens (creating, appending) the log file at path.
func OpenAccessLog(path string) (*AccessLog, error) {
	l := &AccessLog{path: path}
	if err := l.Reopen(); err != nil {
		return nil, err
	}
	return l, nil
}

// Reopen opens the log file anew (after a rotation renamed it) and closes the
// old one. A writer log has nothing to reopen.
func (l *AccessLog) Reopen() error {
	if l.path == "" {
		return nil
	}
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	l.mu.Lock()
	old := l.f
	l.f, l.w = f, f
	l.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// Close closes the log file.
func (l *AccessLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		return l.f.Close()
	}
	return nil
}

// Write writes one line for rec.
func (l *AccessLog) Write(rec *Record) {
	b, err := json.Marshal(recordJSON{
		Time:          time.Now().UTC().Format(time.RFC3339Nano),
		ID:            rec.ID,
		Principal:     orNull(rec.Principal),
		Groups:        rec.Groups,
		Generation:    rec.Generation,
		Closed:        rec.Closed,
		Failure:       rec.Failure,
		Method:        rec.Method,
		Path:          rec.Path,
		Route:         orNull(rec.Route),
		Action:        orNull(rec.Action),
		Resource:      orNull(rec.Resource),
		Decision:      rec.Decision,
		Reason:        rec.Reason,
		Rule:          orNull(rec.Rule),
		Status:        rec.Status,
		CheckUS:       rec.CheckUS,
		LatencyMS:     rec.LatencyMS,
		Remote:        rec.Remote,
		UpstreamError: rec.UpstreamError,
	})
	if err != nil {
		return
	}
	b = append(b, '\n')
	l.mu.Lock()
	_, err = l.w.Write(b)
	first, recovered := err != nil && !l.failing, err == nil && l.failing
	l.failing = err != nil
	l.mu.Unlock()
	if err != nil && l.Errors != nil {
		l.Errors()
	}
	if first && l.OnError != nil {
		l.OnError(err)
	}
	if recovered && l.OnRecover != nil {
		l.OnRecover()
	}
}

// newDecisionID is a random id naming one decision in the log and to the
// caller (X-Raygate-Decision-Id), so a refusal a user reports can be found.
func newDecisionID() string {
	var b [12]byte
	rand.Read(b[:]) // never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}
