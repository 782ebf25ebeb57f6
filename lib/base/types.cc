// lib/types.cc — names of reasons and the printed form of diagnostics.
#include "rolegate/types.h"

#include "absl/strings/str_cat.h"

namespace rolegate {

std::string_view ReasonName(Reason r) {
  switch (r) {
    case Reason::kGrant: return "grant";
    case Reason::kStatement: return "statement";
    case Reason::kDenyAssignment: return "deny_assignment";
    case Reason::kDenyStatement: return "deny_statement";
    case Reason::kNoGrant: return "no_grant";
    case Reason::kNotEffectiveAtScope: return "not_effective_at_scope";
    case Reason::kUnknownAction: return "unknown_action";
    case Reason::kInvalidInput: return "invalid_input";
    case Reason::kNoRoute: return "no_route";
    case Reason::kBadPath: return "bad_path";
    case Reason::kUnknownCloud: return "unknown_cloud";
    case Reason::kNoIdentity: return "no_identity";
    case Reason::kConditionNotMet: return "condition_not_met";
  }
  return "invalid_input";
}

std::string FormatDiagnostic(const Diagnostic& d) {
  // The one format the CLI, Python and Go print too (docs/bundle.md):
  // "LINE:COL: [warning: ]POINTER: MESSAGE", the position left out when unknown.
  std::string out;
  if (d.line) absl::StrAppend(&out, d.line, ":", d.column, ": ");
  if (d.severity == Severity::kWarning) out += "warning: ";
  absl::StrAppend(&out, d.pointer.empty() ? "(bundle)" : d.pointer, ": ", d.message);
  return out;
}

}  // namespace rolegate
