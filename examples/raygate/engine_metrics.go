package main

import (
	"github.com/prometheus/client_golang/prometheus"
	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// engineCollector exports rolegate's own operations counters (SPEC §15),
// read from the engine on every scrape: the library counts every decision
// (the gateway's, and the revalidation of open streams) without a lock, so
// reading them on scrape costs nothing per request.
type engineCollector struct {
	engine                                 *rolegate.Engine
	decisions, shadowAllowed, shadowDenied *prometheus.Desc
}

// ExportEngine turns engine's decision counters on and exports them on m's
// registry: raygate_rolegate_decisions_total{reason} (every reason, zeros
// included), and, once a shadow bundle has taken a decision,
// raygate_rolegate_shadow_allowed_total (decisions the shadow allowed and
// the live bundle denied) and raygate_rolegate_shadow_denied_total (the
// reverse). It sets the engine's operations options to counters only (any
// other option set before is turned off): call it once, at start.
func (m *Metrics) ExportEngine(engine *rolegate.Engine) error {
	if err := engine.SetOps(rolegate.OpsOptions{Counters: true}); err != nil {
		return err
	}
	c := &engineCollector{
		engine: engine,
		decisions: prometheus.NewDesc("raygate_rolegate_decisions_total",
			"Decisions rolegate took, by reason (grant, no_grant, invalid_input, ...).", []string{"reason"}, nil),
		shadowAllowed: prometheus.NewDesc("raygate_rolegate_shadow_allowed_total",
			"Decisions the shadow bundle allowed where the live bundle denied.", nil, nil),
		shadowDenied: prometheus.NewDesc("raygate_rolegate_shadow_denied_total",
			"Decisions the shadow bundle denied where the live bundle allowed.", nil, nil),
	}
	return m.Registry.Register(c)
}

func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.decisions
	ch <- c.shadowAllowed
	ch <- c.shadowDenied
}

// Collect reads the counters once. A closed engine (at shutdown) exports
// nothing rather than failing the whole scrape.
func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	s, err := c.engine.Stats(false)
	if err != nil {
		return
	}
	for r := rolegate.Reason(0); r < rolegate.NumReasons; r++ {
		ch <- prometheus.MustNewConstMetric(c.decisions, prometheus.CounterValue, float64(s.ByReason[r]), r.String())
	}
	if s.ShadowChecked+s.ShadowSkipped > 0 {
		ch <- prometheus.MustNewConstMetric(c.shadowAllowed, prometheus.CounterValue, float64(s.ShadowAllowed))
		ch <- prometheus.MustNewConstMetric(c.shadowDenied, prometheus.CounterValue, float64(s.ShadowDenied))
	}
}
