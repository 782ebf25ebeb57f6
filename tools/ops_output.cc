// tools/ops_output.cc — see ops_output.h.
#include "ops_output.h"

#include <string_view>

#include "absl/strings/str_cat.h"

namespace rolegate::cli {

namespace {

void Field(std::string* out, std::string_view key, std::string_view value, bool null_when_empty) {
  out->append(",\"").append(key).append("\":");
  if (null_when_empty && value.empty()) out->append("null");
  else AppendJsonString(out, value);
}

std::string_view OpName(DecisionOp op) {
  switch (op) {
    case DecisionOp::kCheck: return "check";
    case DecisionOp::kCheckIds: return "check_ids";
    case DecisionOp::kCheckWorkload: return "check_workload";
    case DecisionOp::kCheckRequest: return "check_request";
  }
  return "unknown";
}

void Truncated(std::string* out, uint16_t mask) {
  static constexpr std::pair<uint16_t, const char*> kBits[] = {
      {DecisionRecord::kPrincipalCut, "principal"}, {DecisionRecord::kActionCut, "action"},
      {DecisionRecord::kResourceCut, "resource"},   {DecisionRecord::kRouteCut, "route"},
      {DecisionRecord::kIdentityCut, "identity"},   {DecisionRecord::kRuleCut, "rule"},
      {DecisionRecord::kShadowRuleCut, "shadow_rule"}};
  out->append(",\"truncated\":[");
  bool first = true;
  for (const auto& [bit, name] : kBits) {
    if (!(mask & bit)) continue;
    if (!first) out->push_back(',');
    absl::StrAppend(out, "\"", name, "\"");
    first = false;
  }
  out->push_back(']');
}

}  // namespace

void RecordQuery(const Snapshot& snap, const Query& q, RequestScratch* scratch) {
  switch (q.op) {
    case Op::kCheck: snap.Check(q.principal, q.action, q.resource); break;
    case Op::kResolve: break;
    case Op::kCheckWorkload: snap.CheckWorkload(q.Workload(), q.action, q.resource); break;
    case Op::kCheckRequest: snap.CheckRequest(q.principal, q.method, q.path, scratch); break;
  }
}

std::string DecisionRecordJson(const DecisionRecord& r) {
  std::string out = absl::StrCat("{\"timestamp_ns\":", r.timestamp_ns, ",\"generation\":", r.generation,
                                 ",\"decision_id\":", r.decision_id, ",\"op\":\"", std::string(OpName(r.op)), "\"");
  Field(&out, "principal", std::string_view(r.principal, r.principal_len), false);
  Field(&out, "action", std::string_view(r.action, r.action_len), true);
  Field(&out, "resource", std::string_view(r.resource, r.resource_len), true);
  if (r.op == DecisionOp::kCheckRequest) Field(&out, "route", std::string_view(r.route, r.route_len), true);
  if (r.op == DecisionOp::kCheckWorkload)
    Field(&out, "identity", std::string_view(r.identity, r.identity_len), true);
  absl::StrAppend(&out, ",\"decision\":\"", r.allowed ? "allow" : "deny", "\",\"reason\":\"",
                  std::string(ReasonName(r.reason)), "\"");
  Field(&out, "rule", std::string_view(r.rule, r.rule_len), true);
  if (r.shadow == DecisionRecord::kNoShadow) {
    out.append(",\"shadow\":null");
  } else {
    absl::StrAppend(&out, ",\"shadow\":{\"decision\":\"", r.shadow == DecisionRecord::kShadowAllow ? "allow" : "deny",
                    "\",\"reason\":\"", std::string(ReasonName(r.shadow_reason)), "\"");
    Field(&out, "rule", std::string_view(r.shadow_rule, r.shadow_rule_len), true);
    out.push_back('}');
  }
  Truncated(&out, r.truncated);
  out.push_back('}');
  return out;
}

std::string OpsStatsJson(const OpsStats& s) {
  std::string out = absl::StrCat("{\"decisions\":", s.decisions, ",\"allows\":", s.allows, ",\"denies\":", s.denies,
                                 ",\"by_reason\":{");
  bool first = true;
  for (int r = 0; r < kReasonCount && r < kMaxReasons; ++r) {
    const std::string_view name = ReasonName(static_cast<Reason>(r));
    if (s.by_reason[r] == 0) continue;
    absl::StrAppend(&out, first ? "" : ",", "\"", std::string(name), "\":", s.by_reason[r]);
    first = false;
  }
  absl::StrAppend(&out, "},\"log_records\":", s.log_records, ",\"log_dropped\":", s.log_dropped,
                  ",\"shadow_checked\":", s.shadow_checked, ",\"shadow_allowed\":", s.shadow_allowed,
                  ",\"shadow_denied\":", s.shadow_denied, ",\"rules\":[");
  first = true;
  for (const GenerationCounts& g : s.generations)
    for (const RuleCount& rc : g.rules) {
      absl::StrAppend(&out, first ? "" : ",", "{\"generation\":", g.generation, ",\"rule\":");
      AppendJsonString(&out, rc.rule);
      absl::StrAppend(&out, ",\"allows\":", rc.allows, ",\"denies\":", rc.denies, "}");
      first = false;
    }
  out.append("]}");
  return out;
}

}  // namespace rolegate::cli
