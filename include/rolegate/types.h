// rolegate/types.h — the small value types shared by the whole public API:
// decisions and their reasons, compile limits, and compile diagnostics.
#ifndef ROLEGATE_TYPES_H_
#define ROLEGATE_TYPES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace rolegate {

// Why a decision came out the way it did (SPEC §3, §4, §5, §7). The numeric
// values are part of the C ABI (ROLEGATE_REASON_*) and never change.
enum class Reason : uint8_t {
  kGrant = 0,               // an assignment's role grants the action
  kStatement = 1,           // an Allow statement matches
  kDenyAssignment = 2,      // a deny assignment blocks the action
  kDenyStatement = 3,       // a Deny statement matches
  kNoGrant = 4,             // nothing grants the action
  kNotEffectiveAtScope = 5, // granted only by assignments failing effective_only_at
  kUnknownAction = 6,       // the action is not in the closed catalog
  kInvalidInput = 7,        // the query itself is malformed
  kNoRoute = 8,             // check_request: no route matches method and path
  kBadPath = 9,             // check_request: the path breaks SPEC §5.1 / §5.3
  kUnknownCloud = 10,       // check_workload: the cloud is not in the bundle
  kNoIdentity = 11,         // check_workload: no identity resolves
  kConditionNotMet = 12,    // a grant or Allow statement matched only with a condition that does not hold
};
inline constexpr int kReasonCount = 13;

// The exact spelling used on the wire (CLI, bindings): "grant", "no_grant", ...
std::string_view ReasonName(Reason r);

struct Decision {
  bool allowed = false;
  Reason reason = Reason::kInvalidInput;
  // Spelled out (not "= default") so the public headers build as C++17.
  friend bool operator==(const Decision& a, const Decision& b) {
    return a.allowed == b.allowed && a.reason == b.reason;
  }
  friend bool operator!=(const Decision& a, const Decision& b) { return !(a == b); }
};

// Which kind of bundle rule decided (for Explain).
enum class RuleKind : uint8_t { kNone = 0, kAssignment, kDenyAssignment, kStatement };

// Compile limits (SPEC §6). Every limit exceeded is a compile error, never a
// truncation. Callers may raise or lower each one.
struct Limits {
  uint64_t max_bundle_bytes = uint64_t{1} << 30;  // whole bundle text
  uint32_t max_string_bytes = 4096;               // any one JSON string
  uint32_t max_scope_segments = 64;               // segments of a bundle scope
  uint64_t max_list_entries = 10'000'000;         // entries of any one list
  uint32_t max_group_depth = 64;                  // groups on a membership chain
  uint32_t max_routes = 10'000;                   // entries of "routes"
  int64_t max_regex_program_bytes = 1 << 20;      // RE2 max_mem per route pattern
};

enum class Severity : uint8_t { kError = 0, kWarning = 1 };

// One compile error or warning. `pointer` is a JSON pointer (RFC 6901) to the
// offending value ("/roles/3/actions/1", "" for the whole document); line and
// column are 1-based and 0 when the parser does not know them.
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string pointer;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string message;
};

// "3:7: /roles/0/id: duplicate id \"reader\"" (warnings "3:7: warning: ..."):
// the one diagnostic format of the CLI (which prefixes "FILE:"), Python and Go.
std::string FormatDiagnostic(const Diagnostic& d);

}  // namespace rolegate

#endif  // ROLEGATE_TYPES_H_
