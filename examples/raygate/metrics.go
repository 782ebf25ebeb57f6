package main

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are raygate's Prometheus metrics, served on the health listener
// (/metrics). All names start raygate_.
type Metrics struct {
	Registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	decision  prometheus.Histogram
	reloads   *prometheus.CounterVec
	streams   prometheus.Gauge
	logErrors prometheus.Counter
	published atomic.Int64 // unix nanoseconds of the last successful bundle publish
}

// NewMetrics registers the metrics in a new registry. generation reports the
// bundle generation in service (nil: not exported).
func NewMetrics(generation func() uint64) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "raygate_requests_total",
		Help: "Requests by HTTP status and decision reason (grant, no_grant, unknown_token, upstream_unavailable, ...).",
	}, []string{"status", "reason"})
	m.decision = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "raygate_decision_seconds",
		Help:    "Time rolegate took to decide one request (check_request).",
		Buckets: []float64{1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2},
	})
	m.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "raygate_reloads_total",
		Help: "Reload attempts by source (bundle, tokens, jwks) and result (ok, failed).",
	}, []string{"source", "result"})
	m.streams = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "raygate_open_streams", Help: "Open WebSocket streams (log follow)."})
	m.logErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "raygate_decision_log_write_errors_total", Help: "Decision-log lines that could not be written."})
	age := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "raygate_bundle_age_seconds", Help: "Seconds since the bundle in service was published."},
		func() float64 {
			p := m.published.Load()
			if p == 0 {
				return -1
			}
			return time.Since(time.Unix(0, p)).Seconds()
		})
	m.Registry.MustRegister(m.requests, m.decision, m.reloads, m.streams, m.logErrors, age,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if generation != nil {
		m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "raygate_bundle_generation", Help: "Generation of the bundle in service (1 after start)."},
			func() float64 { return float64(generation()) }))
	}
	return m
}

func (m *Metrics) request(status int, reason string) {
	m.requests.WithLabelValues(strconv.Itoa(status), reason).Inc()
}

// Reload counts one reload attempt of source.
func (m *Metrics) Reload(source string, ok bool) {
	result := "ok"
	if !ok {
		result = "failed"
	}
	m.reloads.WithLabelValues(source, result).Inc()
	if ok && source == "bundle" {
		m.Published()
	}
}

// Published records that a bundle was just put in service.
func (m *Metrics) Published() { m.published.Store(time.Now().UnixNano()) }

// BundleAge is the time since the last publish (0 before any).
func (m *Metrics) BundleAge() time.Duration {
	p := m.published.Load()
	if p == 0 {
		return 0
	}
	return time.Since(time.Unix(0, p))
}
