package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// rolegate's own counters on /metrics: N requests make N decisions, by
// reason, and a shadow's disagreements appear once it has decided.
func TestEngineCountersOnMetrics(t *testing.T) {
	h := newHarness(t)
	if err := h.gw.metrics.ExportEngine(h.engine); err != nil {
		t.Fatal(err)
	}
	a := &app{engine: h.engine, gw: h.gw, metrics: h.gw.metrics, ops: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		ready: func() (bool, string) { return true, "" }}
	hs := httptest.NewServer(a.healthHandler())
	defer hs.Close()
	scrape := func() string {
		resp, err := http.Get(hs.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	expect := func(m string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(m, w+"\n") {
				t.Errorf("metrics lack %q", w)
			}
		}
	}
	m := scrape()
	expect(m, `raygate_rolegate_decisions_total{reason="grant"} 0`, `raygate_rolegate_decisions_total{reason="no_grant"} 0`)
	if strings.Contains(m, "raygate_rolegate_shadow_") {
		t.Error("shadow metrics without a shadow")
	}
	const n = 7
	for i := 0; i < n; i++ {
		if code, _ := h.raw(t, "GET", "/projects/a/api/jobs/", tokRita); code != 200 {
			t.Fatalf("rita: %d", code)
		}
	}
	h.raw(t, "POST", "/projects/a/api/jobs/", tokRita) // reader: no_grant
	h.raw(t, "GET", "/projects/a/api/jobs/", "nope")   // unauthenticated: no decision
	expect(scrape(), `raygate_rolegate_decisions_total{reason="grant"} 7`,
		`raygate_rolegate_decisions_total{reason="no_grant"} 1`)

	// A shadow without rita's grant denies what the live bundle allows.
	var b map[string]any
	data, err := os.ReadFile("bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(data, &b)
	var keep []any
	for _, x := range b["assignments"].([]any) {
		if x.(map[string]any)["id"] != "a-rita-a" {
			keep = append(keep, x)
		}
	}
	b["assignments"] = keep
	shadow, _ := json.Marshal(b)
	if err := h.engine.PublishShadow(shadow); err != nil {
		t.Fatal(err)
	}
	h.raw(t, "GET", "/projects/a/api/jobs/", tokRita)
	expect(scrape(), `raygate_rolegate_decisions_total{reason="grant"} 8`,
		"raygate_rolegate_shadow_denied_total 1", "raygate_rolegate_shadow_allowed_total 0")
}
