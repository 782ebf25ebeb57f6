// rolegate/ops.h — operations (SPEC §15): decision counters, a decision log
// the caller drains, and a shadow bundle checked beside the live one.
//
// These are the value types of the Engine's operations API (engine.h:
// Engine::SetOps, ReadOpsStats, DrainDecisions, PublishShadow, ClearShadow).
// Everything here is off until the caller turns it on; while off, a query
// pays one predictable branch.
#ifndef ROLEGATE_OPS_H_
#define ROLEGATE_OPS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rolegate/types.h"

namespace rolegate {

// Counters by reason have room for reasons added after this version.
inline constexpr int kMaxReasons = 16;

// What the engine records. Set with Engine::SetOps; may be changed at any
// time, readers pick the change up on their next decision.
struct OpsOptions {
  // Per-engine counts of decisions by reason (cumulative, never reset).
  bool counters = false;
  // Per-generation counts of allows and denies by deciding rule (SPEC §3
  // "Explain"). Costs the Explain path instead of the fast Check path on
  // every decision (see bench/ops_benchmark.cc for the price).
  bool count_rules = false;
  // The decision log: one record per sampled decision into per-thread rings.
  bool log = false;
  // Fraction of decisions logged, in [0, 1] (values outside are clamped).
  // Shadow disagreements are always logged while `log` is on.
  double log_sample_rate = 1.0;
  // Log only denies (and shadow disagreements).
  bool log_denies_only = false;
  // Records per thread ring. Read when a thread's ring is first made (its
  // first logged decision); later changes apply to new threads only.
  // Clamped to [16, 1 << 20].
  uint32_t log_ring_records = 1024;
  // Memory budget for one generation's rule counters: they are sharded by
  // thread (up to 16 shards, so hot rules do not share a written cache
  // line) as far as this budget allows, and at least one shard.
  uint64_t rule_counter_bytes = uint64_t{32} << 20;
};

// Which entry point took a logged decision.
enum class DecisionOp : uint8_t { kCheck = 0, kCheckIds = 1, kCheckWorkload = 2, kCheckRequest = 3 };

// One decision log record: fixed size, no pointers, so a ring of them never
// allocates and a record is copied out whole or not at all. A string longer
// than its room is cut at the room (on a byte, not a code point, boundary)
// and its bit set in `truncated`.
struct DecisionRecord {
  static constexpr size_t kPrincipalRoom = 128, kActionRoom = 128, kResourceRoom = 256,
                          kRouteRoom = 64, kIdentityRoom = 128, kRuleRoom = 64;
  enum TruncatedBit : uint16_t {
    kPrincipalCut = 1, kActionCut = 2, kResourceCut = 4, kRouteCut = 8, kIdentityCut = 16,
    kRuleCut = 32, kShadowRuleCut = 64,
  };
  enum ShadowState : uint8_t { kNoShadow = 0, kShadowAllow = 1, kShadowDeny = 2 };

  uint64_t timestamp_ns = 0;  // CLOCK_REALTIME_COARSE (kernel tick, 1-4 ms resolution), ns since the epoch
  uint64_t generation = 0;    // of the live bundle that answered
  uint64_t decision_id = 0;   // unique per engine (thread block << 40 | sequence)
  DecisionOp op = DecisionOp::kCheck;
  uint8_t allowed = 0;
  Reason reason = Reason::kInvalidInput;
  RuleKind rule_kind = RuleKind::kNone;
  uint8_t shadow = kNoShadow;  // the shadow bundle's decision, if one is in place
  Reason shadow_reason = Reason::kInvalidInput;
  RuleKind shadow_rule_kind = RuleKind::kNone;
  uint8_t reserved = 0;
  uint16_t truncated = 0;  // TruncatedBit mask
  uint16_t principal_len = 0, action_len = 0, resource_len = 0, route_len = 0, identity_len = 0,
           rule_len = 0, shadow_rule_len = 0;
  char principal[kPrincipalRoom];
  char action[kActionRoom];
  char resource[kResourceRoom];  // check_request: the filled scope, else the request target
  char route[kRouteRoom];        // check_request only
  char identity[kIdentityRoom];  // check_workload only
  char rule[kRuleRoom];
  char shadow_rule[kRuleRoom];
};

// Allows and denies one rule decided, in one generation.
struct RuleCount {
  std::string rule;
  RuleKind kind = RuleKind::kNone;
  uint64_t allows = 0, denies = 0;
};

// The rule counts of one generation of the live bundle. Only rules that
// decided at least once are listed, in bundle order (assignments, deny
// assignments, statements).
struct GenerationCounts {
  uint64_t generation = 0;
  bool in_service = false;  // false: retired, and this read was its last
  std::vector<RuleCount> rules;
};

// A read of the counters. Each counter is a sum of per-thread counters:
// readable while readers run (then a value some instant between the call's
// start and end may not have seen yet), exact once readers are quiescent.
struct OpsStats {
  uint64_t decisions = 0, allows = 0, denies = 0;
  uint64_t by_reason[kMaxReasons] = {};
  // Decision log.
  uint64_t log_records = 0;  // written into a ring
  uint64_t log_dropped = 0;  // sampled but the thread's ring was full (or, rarely, busy)
  // Shadow bundle: decisions also taken on it, and the disagreements —
  // named as Envoy's RBAC filter names its shadow counters, but counted
  // only where the shadow's decision differs from the live one:
  // shadow_allowed = the shadow allows what the live bundle denied,
  // shadow_denied = the shadow denies what the live bundle allowed.
  uint64_t shadow_checked = 0, shadow_allowed = 0, shadow_denied = 0;
  // Decisions the shadow could not take: check by ids of a principal the
  // live bundle does not know (its name is not at hand to ask the shadow).
  uint64_t shadow_skipped = 0;
  // Retired generations whose rule counts were dropped unread because more
  // than 8 were waiting (the memory bound).
  uint64_t generations_dropped = 0;
  // The generation in service first, then retired unread ones, oldest first.
  std::vector<GenerationCounts> generations;
};

}  // namespace rolegate

#endif  // ROLEGATE_OPS_H_
