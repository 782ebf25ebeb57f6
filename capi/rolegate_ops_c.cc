// capi/rolegate_ops_c.cc — the C ABI of operations (SPEC §15): counters,
// the decision log and the shadow bundle, over rolegate::Engine's
// operations API (lib/engine/ops.cc).
//
// Versioned structs: the library reads and writes only the bytes the
// caller's struct_size (or record_size) says it has, so a program built
// against an older header keeps working when fields are appended.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "rolegate.h"
#include "rolegate/engine.h"
#include "rolegate/ops.h"
#include "rolegate_handles.h"

struct rolegate_rule_counts {
  std::vector<rolegate_rule_count> rows;  // rule pointers into `names`
  std::vector<std::string> names;
};

namespace {

using rolegate::DecisionRecord;

constexpr size_t kOpsOptionsV0Size = 32;
constexpr size_t kOpsStatsV0Size = sizeof(rolegate_ops_stats);
constexpr size_t kRecordV0Size = sizeof(rolegate_decision_record);
static_assert(sizeof(rolegate_ops_options) == kOpsOptionsV0Size, "rolegate_ops_options changed");
static_assert(kOpsStatsV0Size == 8 + 8 * (3 + ROLEGATE_MAX_REASONS + 2 + 4 + 1), "rolegate_ops_stats changed");
static_assert(ROLEGATE_MAX_REASONS == rolegate::kMaxReasons);
static_assert(sizeof(rolegate_decision_record::principal) == DecisionRecord::kPrincipalRoom);
static_assert(sizeof(rolegate_decision_record::action) == DecisionRecord::kActionRoom);
static_assert(sizeof(rolegate_decision_record::resource) == DecisionRecord::kResourceRoom);
static_assert(sizeof(rolegate_decision_record::route) == DecisionRecord::kRouteRoom);
static_assert(sizeof(rolegate_decision_record::identity) == DecisionRecord::kIdentityRoom);
static_assert(sizeof(rolegate_decision_record::rule) == DecisionRecord::kRuleRoom);
static_assert(sizeof(rolegate_decision_record::shadow_rule) == DecisionRecord::kRuleRoom);
static_assert(ROLEGATE_CUT_SHADOW_RULE == DecisionRecord::kShadowRuleCut);
static_assert(ROLEGATE_SHADOW_DENY == DecisionRecord::kShadowDeny);
static_assert(ROLEGATE_DECISION_OP_CHECK_REQUEST == static_cast<int>(rolegate::DecisionOp::kCheckRequest));

using rolegate::capi::Fail;

// As rolegate_c.cc does for publish: one line per error diagnostic.
int32_t BundleError(rolegate_error** err, const absl::Status& st, std::vector<rolegate::Diagnostic> diags) {
  std::string msg;
  for (const auto& d : diags) {
    if (d.severity != rolegate::Severity::kError) continue;
    if (!msg.empty()) msg.push_back('\n');
    msg += rolegate::FormatDiagnostic(d);
  }
  if (msg.empty()) msg = std::string(st.message());
  const int32_t code = st.code() == absl::StatusCode::kResourceExhausted ? ROLEGATE_E_NO_MEMORY : ROLEGATE_E_BUNDLE;
  return Fail(err, code, std::move(msg), std::move(diags));
}

// The caller's options, read only as far as its struct_size reaches.
bool ToOpsOptions(const rolegate_ops_options* in, rolegate::OpsOptions* out) {
  if (in == nullptr) return true;  // all off
  if (in->struct_size < kOpsOptionsV0Size || in->struct_size > 4096) return false;
  rolegate_ops_options c;
  std::memcpy(&c, in, kOpsOptionsV0Size);
  if (c.reserved0 != 0 || std::isnan(c.log_sample_rate)) return false;
  out->counters = c.counters != 0;
  out->count_rules = c.count_rules != 0;
  out->log = c.log != 0;
  out->log_denies_only = c.log_denies_only != 0;
  out->log_sample_rate = c.log_sample_rate;
  if (c.log_ring_records) out->log_ring_records = c.log_ring_records;
  if (c.rule_counter_bytes) out->rule_counter_bytes = c.rule_counter_bytes;
  return true;
}

void PutStats(const rolegate::OpsStats& s, rolegate_ops_stats* out) {
  rolegate_ops_stats c;
  std::memset(&c, 0, sizeof(c));
  c.decisions = s.decisions;
  c.allows = s.allows;
  c.denies = s.denies;
  for (int r = 0; r < ROLEGATE_MAX_REASONS; ++r) c.by_reason[r] = s.by_reason[r];
  c.log_records = s.log_records;
  c.log_dropped = s.log_dropped;
  c.shadow_checked = s.shadow_checked;
  c.shadow_allowed = s.shadow_allowed;
  c.shadow_denied = s.shadow_denied;
  c.shadow_skipped = s.shadow_skipped;
  c.generations_dropped = s.generations_dropped;
  const size_t n = std::min<size_t>(out->struct_size, sizeof(c));
  c.struct_size = static_cast<uint32_t>(n);
  std::memcpy(out, &c, n);
}

rolegate_rule_counts* MakeRuleCounts(const rolegate::OpsStats& s) {
  auto list = std::make_unique<rolegate_rule_counts>();
  for (const auto& g : s.generations)
    for (const auto& r : g.rules) {
      list->names.push_back(r.rule);
      rolegate_rule_count row{};
      row.generation = g.generation;
      row.allows = r.allows;
      row.denies = r.denies;
      row.kind = static_cast<uint8_t>(r.kind);
      row.in_service = g.in_service ? 1 : 0;
      list->rows.push_back(row);
    }
  // Pointers only once `names` no longer moves.
  for (size_t i = 0; i < list->rows.size(); ++i) {
    list->rows[i].rule = list->names[i].data();
    list->rows[i].rule_len = list->names[i].size();
  }
  return list.release();
}

void PutRecord(const DecisionRecord& r, rolegate_decision_record* out, size_t record_size) {
  rolegate_decision_record c;
  c.op = static_cast<uint8_t>(r.op);
  c.allowed = r.allowed;
  c.reason = static_cast<uint8_t>(r.reason);
  c.rule_kind = static_cast<uint8_t>(r.rule_kind);
  c.shadow = r.shadow;
  c.shadow_reason = static_cast<uint8_t>(r.shadow_reason);
  c.shadow_rule_kind = static_cast<uint8_t>(r.shadow_rule_kind);
  c.reserved0 = 0;
  c.truncated = r.truncated;
  c.reserved1 = 0;
  c.timestamp_ns = r.timestamp_ns;
  c.generation = r.generation;
  c.decision_id = r.decision_id;
  auto text = [](char* dst, size_t room, const char* src, uint16_t len, uint16_t* out_len) {
    std::memcpy(dst, src, len);
    std::memset(dst + len, 0, room - len);  // no stale bytes reach the caller
    *out_len = len;
  };
  text(c.principal, sizeof c.principal, r.principal, r.principal_len, &c.principal_len);
  text(c.action, sizeof c.action, r.action, r.action_len, &c.action_len);
  text(c.resource, sizeof c.resource, r.resource, r.resource_len, &c.resource_len);
  text(c.route, sizeof c.route, r.route, r.route_len, &c.route_len);
  text(c.identity, sizeof c.identity, r.identity, r.identity_len, &c.identity_len);
  text(c.rule, sizeof c.rule, r.rule, r.rule_len, &c.rule_len);
  text(c.shadow_rule, sizeof c.shadow_rule, r.shadow_rule, r.shadow_rule_len, &c.shadow_rule_len);
  c.reserved2 = 0;
  const size_t n = std::min(record_size, sizeof(c));
  c.struct_size = static_cast<uint32_t>(n);
  std::memcpy(out, &c, n);
}

}  // namespace

extern "C" {

void rolegate_ops_options_init(rolegate_ops_options* opts) {
  if (!opts) return;
  std::memset(opts, 0, kOpsOptionsV0Size);
  opts->struct_size = kOpsOptionsV0Size;
  opts->log_sample_rate = 1.0;
}

int32_t rolegate_engine_set_ops(rolegate_engine* engine, const rolegate_ops_options* opts, rolegate_error** err) {
  if (err) *err = nullptr;
  rolegate::OpsOptions o;
  if (!engine || !ToOpsOptions(opts, &o))
    return Fail(err, ROLEGATE_E_INVALID_ARGUMENT, "rolegate_engine_set_ops: invalid argument");
  try {
    absl::Status st = engine->rep->SetOps(o);
    if (!st.ok()) return Fail(err, ROLEGATE_E_NO_MEMORY, std::string(st.message()));
    return ROLEGATE_OK;
  } catch (...) {
    return Fail(err, ROLEGATE_E_INTERNAL, "rolegate_engine_set_ops: internal error");
  }
}

int32_t rolegate_engine_stats(rolegate_engine* engine, rolegate_ops_stats* out, rolegate_rule_counts** rules) {
  if (rules) *rules = nullptr;
  if (!engine || !out || out->struct_size < kOpsStatsV0Size || out->struct_size > 4096)
    return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    rolegate::OpsStats s = engine->rep->ReadOpsStats(/*with_rules=*/rules != nullptr);
    if (rules) *rules = MakeRuleCounts(s);  // before writing *out: a failure leaves it untouched
    PutStats(s, out);
    return ROLEGATE_OK;
  } catch (const std::bad_alloc&) {
    return ROLEGATE_E_NO_MEMORY;
  } catch (...) {
    return ROLEGATE_E_INTERNAL;
  }
}

size_t rolegate_rule_counts_size(const rolegate_rule_counts* rules) { return rules ? rules->rows.size() : 0; }

int32_t rolegate_rule_counts_get(const rolegate_rule_counts* rules, size_t i, rolegate_rule_count* out) {
  if (!rules || !out || i >= rules->rows.size()) {
    if (out) std::memset(out, 0, sizeof(*out));
    return ROLEGATE_E_INVALID_ARGUMENT;
  }
  *out = rules->rows[i];
  return ROLEGATE_OK;
}

void rolegate_rule_counts_free(rolegate_rule_counts* rules) { delete rules; }

int32_t rolegate_engine_drain_decisions(rolegate_engine* engine, rolegate_decision_record* buf,
                                        size_t record_size, size_t max, size_t* n) {
  if (n) *n = 0;
  if (!engine || !n || (!buf && max != 0) || record_size < kRecordV0Size || record_size > (1u << 20) ||
      (max != 0 && max > SIZE_MAX / record_size))
    return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    // Through a small stack batch: the caller's records may be a different
    // (newer or equal) layout than the engine's.
    DecisionRecord batch[16];
    auto* base = reinterpret_cast<unsigned char*>(buf);
    size_t done = 0;
    while (done < max) {
      const size_t k = engine->rep->DrainDecisions(batch, std::min<size_t>(16, max - done));
      for (size_t i = 0; i < k; ++i)
        PutRecord(batch[i], reinterpret_cast<rolegate_decision_record*>(base + (done + i) * record_size),
                  record_size);
      done += k;
      if (k < 16) break;
    }
    *n = done;
    return ROLEGATE_OK;
  } catch (...) {
    return ROLEGATE_E_INTERNAL;
  }
}

int32_t rolegate_engine_publish_shadow(rolegate_engine* engine, const char* bundle, size_t bundle_len,
                                       rolegate_error** err) {
  if (err) *err = nullptr;
  if (!engine || (bundle == nullptr && bundle_len != 0))
    return Fail(err, ROLEGATE_E_INVALID_ARGUMENT, "rolegate_engine_publish_shadow: invalid argument");
  try {
    std::vector<rolegate::Diagnostic> diags;
    absl::Status st = engine->rep->PublishShadow(std::string_view(bundle ? bundle : "", bundle_len), &diags);
    if (!st.ok()) return BundleError(err, st, std::move(diags));
    return ROLEGATE_OK;
  } catch (const std::bad_alloc&) {
    return Fail(err, ROLEGATE_E_NO_MEMORY, "out of memory");
  } catch (...) {
    return Fail(err, ROLEGATE_E_INTERNAL, "rolegate_engine_publish_shadow: internal error");
  }
}

int32_t rolegate_engine_clear_shadow(rolegate_engine* engine) {
  if (!engine) return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    return engine->rep->ClearShadow().ok() ? ROLEGATE_OK : ROLEGATE_E_NO_MEMORY;
  } catch (...) {
    return ROLEGATE_E_INTERNAL;
  }
}

}  // extern "C"
