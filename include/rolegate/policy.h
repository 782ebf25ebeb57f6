// rolegate/policy.h — a compiled policy bundle: the immutable decision table.
//
// A Policy is built once by Compile() and never changes; every query method is
// const, lock-free, allocation-free and safe to call from any number of
// threads at once. To swap policies while queries run, use rolegate::Engine
// (engine.h), which publishes Policies atomically.
//
// Example:
//   std::vector<rolegate::Diagnostic> diags;
//   auto policy = rolegate::Compile(json_text, rolegate::Limits{}, &diags);
//   if (!policy.ok()) { for (auto& d : diags) puts(FormatDiagnostic(d).c_str()); }
//   rolegate::Decision d = (*policy)->Check("user:alice", "Anyscale.Platform/clouds/read",
//                                           "/subscriptions/s1");
#ifndef ROLEGATE_POLICY_H_
#define ROLEGATE_POLICY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rolegate/query.h"
#include "rolegate/types.h"

namespace rolegate {

namespace internal {
struct PolicyData;    // the compiled table; see rolegate/internal/policy_data.h
struct PolicyAccess;  // the library's own access to it (lib/eval/policy.cc)
}  // namespace internal

// Dense ids for the fast path (SPEC §8): resolve strings once against one
// Policy, then check by id. Ids are meaningful only for the Policy that
// issued them.
using PrincipalId = uint32_t;
using ActionId = uint32_t;
// A principal the bundle never names: it holds nothing, but deny assignments
// to everyone ("*") still apply to it, so it is a valid id to check with.
inline constexpr PrincipalId kUnknownPrincipal = 0xFFFFFFFFu;
// An action outside the catalog: checking with it answers unknown_action.
inline constexpr ActionId kUnknownAction = 0xFFFFFFFFu;

// A decision plus the rule that decided it (SPEC §3 "Explain"). `rule` views
// memory owned by the Policy and lives as long as it does; empty when no
// single rule decided.
struct Explanation {
  Decision decision;
  RuleKind kind = RuleKind::kNone;
  std::string_view rule;
};

// ---- Workload identity (SPEC §4) -------------------------------------------
enum class WorkloadType : uint8_t { kJob = 0, kService = 1, kWorkspace = 2 };
// "job" | "service" | "workspace" (exact); false for anything else.
bool ParseWorkloadType(std::string_view s, WorkloadType* out);

struct WorkloadQuery {
  std::string_view cloud;
  WorkloadType workload_type = WorkloadType::kJob;
  std::string_view project;
  std::string_view user;
  // Empty means "no override given".
  std::string_view compute_config_identity;
  std::string_view node_group_identity;
};

enum class IdentityError : uint8_t { kNone = 0, kUnknownCloud = 1, kNoIdentity = 2 };

// The identity a workload runs as. `identity` and `source` view memory owned
// by the Policy or by the query (overrides); source is "node_group",
// "compute_config", a mapping rule id, or "cloud_default".
struct Resolution {
  IdentityError error = IdentityError::kNoIdentity;
  std::string_view identity;
  std::string_view source;
};

struct WorkloadExplanation {
  Resolution resolution;
  Explanation check;  // reason unknown_cloud / no_identity when none resolves
};

// ---- Gateway requests (SPEC §5) --------------------------------------------
// Per-thread scratch buffers for CheckRequest, so the request path allocates
// nothing once warm. One per calling thread; never shared between threads.
struct RequestScratch {
  std::string decoded_path;
  std::string scope;
  std::vector<int> matches;  // RE2::Set results
};

struct RequestExplanation {
  Explanation check;
  std::string_view route;     // winning route id; empty when not reached
  std::string_view action;    // its action; empty when not reached
  std::string_view resource;  // the filled scope; empty when not reached (views scratch)
};

class Policy {
 public:
  ~Policy();
  Policy(const Policy&) = delete;
  Policy& operator=(const Policy&) = delete;

  // ---- check(principal, action, resource) ----
  // The decision (docs/bundle.md "The decision"). Cost: a few hash probes
  // (principal, action, the resource's known prefixes), a binary search per
  // member of P, bit tests; statement patterns only for principals with
  // statements. No allocation (but for resources over 4096 bytes, which only
  // raised limits admit), no lock. Thread-safe.
  Decision Check(std::string_view principal, std::string_view action,
                 std::string_view resource) const;
  // The same decision plus the deciding rule (`rule` views this Policy's
  // memory and lives as long as it). A little slower than Check: it looks at
  // every candidate to find the deepest. Always agrees with Check.
  Explanation Explain(std::string_view principal, std::string_view action,
                      std::string_view resource) const;

  // With a request context (conditions read it) and groups the caller has
  // verified the principal belongs to. The Query and what it points to are
  // borrowed for the call only. An invalid context or group list (over the
  // limits of rolegate/query.h, a key given twice, an empty group id) is
  // invalid_input. Conditions are evaluated only for candidate rules that
  // carry one, so a query against unconditional rules costs what Check costs
  // (plus one pass over the context to validate it, when one is given).
  Decision Check(const Query& q) const;
  Explanation Explain(const Query& q) const;

  // Fast path: ids resolved once. FindPrincipal returns kUnknownPrincipal for
  // a principal the bundle never names (and for an empty one: CheckIds then
  // cannot tell it apart, so check the empty case before, as Check does).
  PrincipalId FindPrincipal(std::string_view principal) const;
  ActionId FindAction(std::string_view action) const;
  Decision CheckIds(PrincipalId principal, ActionId action, std::string_view resource) const;

  // ---- resolve / check_workload (SPEC §4) ----
  Resolution Resolve(const WorkloadQuery& q) const;
  // check_workload: resolve, then Explain(identity, action, resource) with
  // `extras` (an invalid context or group list is invalid_input before the
  // identity is resolved).
  WorkloadExplanation CheckWorkload(const WorkloadQuery& q, std::string_view action,
                                    std::string_view resource, const QueryExtras& extras = {}) const;

  // ---- check_request (SPEC §5) ----
  // check_request: the path rules, the first matching route, its scope,
  // then Explain with `extras` (an invalid context or group list is
  // invalid_input before routing). `scratch` is the calling thread's.
  RequestExplanation CheckRequest(std::string_view principal, std::string_view method,
                                  std::string_view target, RequestScratch* scratch,
                                  const QueryExtras& extras = {}) const;
  // The same answer without the deciding rule (check.kind is kNone and
  // check.rule empty; decision, reason, route, action and resource as
  // CheckRequest fills them): what a gateway that only forwards or refuses
  // needs. Cheaper than CheckRequest, which looks at every candidate rule to
  // name the deepest.
  RequestExplanation DecideRequest(std::string_view principal, std::string_view method,
                                   std::string_view target, RequestScratch* scratch,
                                   const QueryExtras& extras = {}) const;

  // ---- introspection ----
  struct Stats {
    uint64_t actions = 0, roles = 0, principals = 0, groups = 0, assignments = 0,
             deny_assignments = 0, statements = 0, clouds = 0, mapping_rules = 0,
             routes = 0, scope_nodes = 0;
    uint64_t table_bytes = 0;  // approximate heap bytes held by the table
  };
  Stats GetStats() const;

 private:
  friend struct internal::PolicyAccess;
  explicit Policy(std::unique_ptr<internal::PolicyData> d);

  std::unique_ptr<internal::PolicyData> data_;
};

// Compiles a bundle (SPEC §2, §6). On success returns the Policy; warnings go
// to `diagnostics` (if non-null). On failure returns InvalidArgument whose
// message summarises, and `diagnostics` receives every error and warning.
absl::StatusOr<std::unique_ptr<Policy>> Compile(std::string_view bundle_json,
                                                const Limits& limits,
                                                std::vector<Diagnostic>* diagnostics);

// Reads a bundle file: at most `max_bytes` (Limits::max_bundle_bytes), and
// only a regular file (a device, FIFO or socket is refused before anything
// is read). Errors: NotFound (cannot open), InvalidArgument (not a regular
// file, NUL in the path), ResourceExhausted (over the limit), Internal (I/O).
// Cost: one open/fstat and reads of the file's size; no other allocation.
absl::Status ReadBundleFile(const std::string& path, uint64_t max_bytes, std::string* out);

// The built-in example bundle (examples/anyscale.json, compiled into the library).
std::string_view ExampleBundle();

}  // namespace rolegate

// The inline query path (header-first core).
#include "rolegate/internal/check-inl.h"

#endif  // ROLEGATE_POLICY_H_
