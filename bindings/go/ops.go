package rolegate

// Operations (SPEC §15): decision counters, the decision log and the shadow
// bundle, over the C ABI's rolegate_engine_set_ops / _stats /
// _drain_decisions / _publish_shadow / _clear_shadow.

/*
#include <string.h>
#include "rolegate.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// OpsOptions says what an engine records. The zero value records nothing.
type OpsOptions struct {
	Counters       bool    // decisions by reason (cumulative per engine)
	CountRules     bool    // allows and denies by deciding rule, per generation (the explain path on every decision)
	Log            bool    // the decision log
	LogDeniesOnly  bool    // log denies (and shadow disagreements) only
	LogSampleRate  float64 // fraction of decisions logged, [0, 1]; shadow disagreements always
	LogRingRecords uint32  // records per thread ring; 0 = 1024
}

// SetOps sets what the engine records; it may be called at any time.
func (e *Engine) SetOps(o OpsOptions) error {
	h := e.enter()
	if h == nil {
		return ErrClosed
	}
	defer e.leave()
	var c C.rolegate_ops_options
	C.rolegate_ops_options_init(&c)
	c.counters = cbool(o.Counters)
	c.count_rules = cbool(o.CountRules)
	c.log = cbool(o.Log)
	c.log_denies_only = cbool(o.LogDeniesOnly)
	c.log_sample_rate = C.double(o.LogSampleRate)
	c.log_ring_records = C.uint32_t(o.LogRingRecords)
	var err *C.rolegate_error
	if st := C.rolegate_engine_set_ops(h, &c, &err); st != C.ROLEGATE_OK {
		return errorFrom(st, err)
	}
	return nil
}

func cbool(b bool) C.uint8_t {
	if b {
		return 1
	}
	return 0
}

// RuleCount is how often one rule decided in one bundle generation.
type RuleCount struct {
	Generation uint64
	Rule       string
	Kind       RuleKind
	InService  bool // false: a retired generation, and this read was its last
	Allows     uint64
	Denies     uint64
}

// OpsStats is one read of the counters. ShadowAllowed counts decisions the
// shadow allowed where the live bundle denied, ShadowDenied the reverse
// (Envoy's names, counted on disagreements only).
type OpsStats struct {
	Decisions, Allows, Denies                                 uint64
	ByReason                                                  map[Reason]uint64
	LogRecords, LogDropped                                    uint64
	ShadowChecked, ShadowAllowed, ShadowDenied, ShadowSkipped uint64
	GenerationsDropped                                        uint64
	Rules                                                     []RuleCount // nil unless asked for
}

// Stats reads the counters without stopping readers. With rules it also
// returns the rule counts of the generation in service and of each retired
// generation not yet read (which this read drops).
func (e *Engine) Stats(rules bool) (OpsStats, error) {
	h := e.enter()
	if h == nil {
		return OpsStats{}, ErrClosed
	}
	defer e.leave()
	var s C.rolegate_ops_stats
	s.struct_size = C.uint32_t(unsafe.Sizeof(s))
	var list *C.rolegate_rule_counts
	var lp **C.rolegate_rule_counts
	if rules {
		lp = &list
	}
	if st := C.rolegate_engine_stats(h, &s, lp); st != C.ROLEGATE_OK {
		return OpsStats{}, statusError(st)
	}
	defer C.rolegate_rule_counts_free(list)
	out := OpsStats{
		Decisions: uint64(s.decisions), Allows: uint64(s.allows), Denies: uint64(s.denies),
		ByReason:   map[Reason]uint64{},
		LogRecords: uint64(s.log_records), LogDropped: uint64(s.log_dropped),
		ShadowChecked: uint64(s.shadow_checked), ShadowAllowed: uint64(s.shadow_allowed),
		ShadowDenied: uint64(s.shadow_denied), ShadowSkipped: uint64(s.shadow_skipped),
		GenerationsDropped: uint64(s.generations_dropped),
	}
	for r := 0; r < int(C.ROLEGATE_REASON_COUNT); r++ {
		if c := uint64(s.by_reason[r]); c != 0 {
			out.ByReason[Reason(r)] = c
		}
	}
	if rules {
		n := int(C.rolegate_rule_counts_size(list))
		out.Rules = make([]RuleCount, 0, n)
		for i := 0; i < n; i++ {
			var row C.rolegate_rule_count
			if C.rolegate_rule_counts_get(list, C.size_t(i), &row) != C.ROLEGATE_OK {
				continue
			}
			out.Rules = append(out.Rules, RuleCount{
				Generation: uint64(row.generation), Rule: goString(row.rule, row.rule_len),
				Kind: RuleKind(row.kind), InService: row.in_service != 0,
				Allows: uint64(row.allows), Denies: uint64(row.denies),
			})
		}
	}
	return out, nil
}

// DecisionOp names the query a logged decision came from.
type DecisionOp uint8

const (
	OpCheck         DecisionOp = C.ROLEGATE_DECISION_OP_CHECK
	OpCheckIDs      DecisionOp = C.ROLEGATE_DECISION_OP_CHECK_IDS
	OpCheckWorkload DecisionOp = C.ROLEGATE_DECISION_OP_CHECK_WORKLOAD
	OpCheckRequest  DecisionOp = C.ROLEGATE_DECISION_OP_CHECK_REQUEST
)

// ShadowDecision is the shadow bundle's answer to a logged decision.
type ShadowDecision struct {
	Decision Decision
	Rule     string
}

// DecisionRecord is one decision log record. A string longer than its room
// in the log is cut, and named in Truncated ("principal", "resource", ...).
type DecisionRecord struct {
	TimestampNs, Generation, DecisionID uint64
	Op                                  DecisionOp
	Principal, Action, Resource         string
	Route, Identity                     string // check_request / check_workload only
	Decision                            Decision
	Rule                                string
	Shadow                              *ShadowDecision // nil: no shadow in place
	Truncated                           []string
}

var cutNames = [...]string{"principal", "action", "resource", "route", "identity", "rule", "shadow_rule"}

// DrainDecisions moves up to len(buf) records out of the engine's log into
// buf and returns how many. It never blocks a reader.
func (e *Engine) DrainDecisions(buf []DecisionRecord) (int, error) {
	h := e.enter()
	if h == nil {
		return 0, ErrClosed
	}
	defer e.leave()
	var batch [16]C.rolegate_decision_record
	done := 0
	for done < len(buf) {
		want := min(len(batch), len(buf)-done)
		var n C.size_t
		st := C.rolegate_engine_drain_decisions(h, &batch[0], C.size_t(unsafe.Sizeof(batch[0])), C.size_t(want), &n)
		if st != C.ROLEGATE_OK {
			return done, statusError(st)
		}
		for i := 0; i < int(n); i++ {
			buf[done+i] = recordFrom(&batch[i])
		}
		done += int(n)
		if int(n) < want {
			break
		}
	}
	runtime.KeepAlive(buf)
	return done, nil
}

func recordFrom(r *C.rolegate_decision_record) DecisionRecord {
	text := func(p *C.char, n C.uint16_t) string { return C.GoStringN(p, C.int(n)) }
	out := DecisionRecord{
		TimestampNs: uint64(r.timestamp_ns), Generation: uint64(r.generation), DecisionID: uint64(r.decision_id),
		Op:        DecisionOp(r.op),
		Principal: text(&r.principal[0], r.principal_len), Action: text(&r.action[0], r.action_len),
		Resource: text(&r.resource[0], r.resource_len), Route: text(&r.route[0], r.route_len),
		Identity: text(&r.identity[0], r.identity_len),
		Decision: Decision{Allowed: r.allowed != 0, Reason: Reason(r.reason)},
		Rule:     text(&r.rule[0], r.rule_len),
	}
	if r.shadow != C.ROLEGATE_SHADOW_NONE {
		out.Shadow = &ShadowDecision{
			Decision: Decision{Allowed: r.shadow == C.ROLEGATE_SHADOW_ALLOW, Reason: Reason(r.shadow_reason)},
			Rule:     text(&r.shadow_rule[0], r.shadow_rule_len),
		}
	}
	for bit, name := range cutNames {
		if uint16(r.truncated)&(1<<bit) != 0 {
			out.Truncated = append(out.Truncated, name)
		}
	}
	return out
}

// PublishShadow compiles bundle and puts it beside the live one as the
// shadow: every decision is also taken on it, answers still come from the
// live bundle, and disagreements are counted and logged. On error (a
// *BundleError) nothing changes.
func (e *Engine) PublishShadow(bundle []byte) error {
	h := e.enter()
	if h == nil {
		return ErrClosed
	}
	defer e.leave()
	var err *C.rolegate_error
	st := C.rolegate_engine_publish_shadow(h, cbytes(bundle), C.size_t(len(bundle)), &err)
	runtime.KeepAlive(bundle)
	if st != C.ROLEGATE_OK {
		return errorFrom(st, err)
	}
	C.rolegate_error_free(err)
	return nil
}

// ClearShadow removes the shadow bundle (no error without one).
func (e *Engine) ClearShadow() error {
	h := e.enter()
	if h == nil {
		return ErrClosed
	}
	defer e.leave()
	if st := C.rolegate_engine_clear_shadow(h); st != C.ROLEGATE_OK {
		return statusError(st)
	}
	return nil
}
