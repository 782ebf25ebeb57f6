package main

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Record is one access-log line: one per request, whatever became of it.
//
//	decision: "allow" (forwarded), "deny" (refused by rolegate or by raygate's
//	          own routing checks), "unauthenticated", "error"
//	reason:   rolegate's reason (grant, no_grant, bad_path, no_route, ...), the
//	          authentication failure (missing_token, unknown_token, ...), or
//	          raygate's (unknown_project, misconfigured_route)
//	rule:     the deciding assignment or statement id (operators only: never
//	          sent to the caller)
//	check_us: time to authenticate and decide; latency_ms: the whole request,
//	          upstream included (for a log stream, its whole duration)
type Record struct {
	Principal     string
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
	Time          string  `json:"ts"`
	Principal     *string `json:"principal"`
	Method        string  `json:"method"`
	Path          string  `json:"path"`
	Route         *string `json:"route"`
	Action        *string `json:"action"`
	Resource      *string `json:"resource"`
	Decision      string  `json:"decision"`
	Reason        string  `json:"reason"`
	Rule          *string `json:"rule"`
	Status        int     `json:"status"`
	CheckUS       float64 `json:"check_us"`
	LatencyMS     float64 `json:"latency_ms"`
	Remote        string  `json:"remote"`
	UpstreamError string  `json:"upstream_error,omitempty"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// AccessLog writes Records as JSON Lines, one write per line.
type AccessLog struct {
	mu sync.Mutex
	w  io.Writer
}

// NewAccessLog returns an AccessLog writing to w.
func NewAccessLog(w io.Writer) *AccessLog { return &AccessLog{w: w} }

// Write writes one line for rec.
func (l *AccessLog) Write(rec *Record) {
	b, err := json.Marshal(recordJSON{
		Time:          time.Now().UTC().Format(time.RFC3339Nano),
		Principal:     orNull(rec.Principal),
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
	l.w.Write(b)
	l.mu.Unlock()
}
