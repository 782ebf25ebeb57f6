// tests/fuzz/fuzz_common.h — helpers shared by the fuzz targets: invariants
// every answer must keep, the engine-versus-reference comparison, and a few
// policies compiled once per process.
//
// A broken invariant or a disagreement calls Die(), which prints what went
// wrong and aborts: libFuzzer then saves the input as a crash artifact.
#ifndef ROLEGATE_TESTS_FUZZ_FUZZ_COMMON_H_
#define ROLEGATE_TESTS_FUZZ_FUZZ_COMMON_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rolegate/policy.h"
#include "rolegate/types.h"
#include "support/query_extras.h"
#include "support/random_bundle.h"
#include "support/reference.h"

namespace rolegate_fuzz {

// A printable, bounded rendering of a string.
inline std::string Q(std::string_view s) {
  std::string out = "\"";
  size_t shown = 0;
  for (unsigned char c : s) {
    if (++shown > 200) {
      out += "...(" + std::to_string(s.size()) + " bytes)";
      break;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "\n==rolegate-fuzz== INVARIANT BROKEN: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline std::string KindName(rolegate::RuleKind k) {
  switch (k) {
    case rolegate::RuleKind::kNone: return "none";
    case rolegate::RuleKind::kAssignment: return "assignment";
    case rolegate::RuleKind::kDenyAssignment: return "deny_assignment";
    case rolegate::RuleKind::kStatement: return "statement";
  }
  return "?";
}

inline std::string ErrorName(rolegate::IdentityError e) {
  switch (e) {
    case rolegate::IdentityError::kNone: return "none";
    case rolegate::IdentityError::kUnknownCloud: return "unknown_cloud";
    case rolegate::IdentityError::kNoIdentity: return "no_identity";
  }
  return "?";
}

inline std::string Show(const rolegate_ref::Answer& a) {
  return std::string(a.allowed ? "allow" : "deny") + " " + a.reason + " " + a.rule_kind +
         (a.rule.empty() ? "" : ":" + a.rule);
}

inline std::string Show(const rolegate::Explanation& e) {
  return std::string(e.decision.allowed ? "allow" : "deny") + " " +
         std::string(rolegate::ReasonName(e.decision.reason)) + " " + KindName(e.kind) +
         (e.rule.empty() ? "" : ":" + std::string(e.rule));
}

inline std::string Show(const rolegate::Decision& d) {
  return std::string(d.allowed ? "allow" : "deny") + " " + std::string(rolegate::ReasonName(d.reason));
}

// Invariants of one decision, whatever the bundle: an allow comes only from a
// grant or a statement and names its rule; a deny never claims those reasons.
inline void CheckShape(const rolegate::Explanation& e, const std::string& what) {
  const rolegate::Reason r = e.decision.reason;
  const bool allow_reason = r == rolegate::Reason::kGrant || r == rolegate::Reason::kStatement;
  if (static_cast<int>(r) >= rolegate::kReasonCount) Die(what + ": reason out of range");
  if (e.decision.allowed != allow_reason) Die(what + ": decision and reason disagree: " + Show(e));
  if (e.decision.allowed && e.rule.empty()) Die(what + ": an allow names no rule: " + Show(e));
  if (e.rule.empty() != (e.kind == rolegate::RuleKind::kNone))
    Die(what + ": rule and rule kind disagree: " + Show(e));
}

// Explain, Check and CheckIds must agree with each other (SPEC §3 "the two
// must always agree on decision and reason"). Returns Explain's answer.
inline rolegate::Explanation SelfConsistentCheck(const rolegate::Policy& p, std::string_view principal,
                                                 std::string_view action, std::string_view resource) {
  const rolegate::Explanation e = p.Explain(principal, action, resource);
  const std::string what = "check(" + Q(principal) + ", " + Q(action) + ", " + Q(resource) + ")";
  CheckShape(e, what);
  const rolegate::Decision d = p.Check(principal, action, resource);
  if (!(d == e.decision)) Die(what + ": Check " + Show(d) + " but Explain " + Show(e));
  if (!principal.empty()) {
    const rolegate::Decision i =
        p.CheckIds(p.FindPrincipal(principal), p.FindAction(action), resource);
    if (!(i == e.decision))
      Die(what + ": CheckIds " + Show(i) + " but Explain " + Show(e));
    if (i.allowed && !e.decision.allowed) Die(what + ": CheckIds allows, Explain denies");
  }
  return e;
}

inline bool Same(const rolegate::Explanation& e, const rolegate_ref::Answer& a) {
  return e.decision.allowed == a.allowed && rolegate::ReasonName(e.decision.reason) == a.reason &&
         KindName(e.kind) == a.rule_kind && e.rule == a.rule;
}

// Compares the engine with the reference evaluator on every kind of query.
// Any disagreement is a crash.
class Differ {
 public:
  Differ(const rolegate::Policy& policy, const rolegate_ref::Reference& ref) : p_(policy), ref_(ref) {}

  void Check(std::string_view principal, std::string_view action, std::string_view resource) {
    const rolegate::Explanation got = SelfConsistentCheck(p_, principal, action, resource);
    const rolegate_ref::Answer want = ref_.Check(principal, action, resource);
    if (!Same(got, want))
      Die("check(" + Q(principal) + ", " + Q(action) + ", " + Q(resource) + "): engine " + Show(got) +
          ", reference " + Show(want));
  }

  void Workload(const rolegate_ref::WorkloadQueryArgs& q) {
    rolegate::WorkloadQuery wq;
    wq.cloud = q.cloud;
    if (!rolegate::ParseWorkloadType(q.workload_type, &wq.workload_type)) return;
    wq.project = q.project;
    wq.user = q.user;
    wq.compute_config_identity = q.compute_config_identity;
    wq.node_group_identity = q.node_group_identity;
    const std::string args = Q(q.cloud) + ", " + q.workload_type + ", " + Q(q.project) + ", " + Q(q.user) +
                             ", cc=" + Q(q.compute_config_identity) + ", ng=" + Q(q.node_group_identity);
    const rolegate_ref::Resolution want = ref_.Resolve(q.cloud, q.workload_type, q.project, q.user,
                                                       q.compute_config_identity, q.node_group_identity);
    const rolegate::Resolution got = p_.Resolve(wq);
    auto same_res = [&](const rolegate::Resolution& g) {
      return ErrorName(g.error) == want.error &&
             (want.error != "none" || (g.identity == want.identity && g.source == want.source));
    };
    auto show = [](const std::string& err, std::string_view id, std::string_view src) {
      return err + " identity=" + Q(id) + " source=" + Q(src);
    };
    if (!same_res(got))
      Die("resolve(" + args + "): engine " + show(ErrorName(got.error), got.identity, got.source) +
          ", reference " + show(want.error, want.identity, want.source));
    const rolegate_ref::WorkloadAnswer wa =
        ref_.CheckWorkload(q.cloud, q.workload_type, q.project, q.user, q.compute_config_identity,
                           q.node_group_identity, q.action, q.resource);
    const rolegate::WorkloadExplanation we = p_.CheckWorkload(wq, q.action, q.resource);
    const std::string what = "check_workload(" + args + ", " + Q(q.action) + ", " + Q(q.resource) + ")";
    if (!same_res(we.resolution)) Die(what + ": resolution differs from resolve");
    if (we.check.decision.allowed && we.resolution.error != rolegate::IdentityError::kNone)
      Die(what + ": allowed without an identity");
    if (!Same(we.check, wa.check))
      Die(what + ": engine " + Show(we.check) + ", reference " + Show(wa.check));
  }

  void Request(std::string_view principal, std::string_view method, std::string_view target) {
    const rolegate_ref::RequestAnswer want = ref_.CheckRequest(principal, method, target);
    const rolegate::RequestExplanation got = p_.CheckRequest(principal, method, target, &scratch_);
    const std::string what = "check_request(" + Q(principal) + ", " + Q(method) + ", " + Q(target) + ")";
    CheckShape(got.check, what);
    if (got.check.decision.allowed && (got.route.empty() || got.resource.empty()))
      Die(what + ": allowed without a route");
    if (!Same(got.check, want.check))
      Die(what + ": engine " + Show(got.check) + ", reference " + Show(want.check));
    if (got.route != want.route || !rolegate_ref::EqualsIgnoreAsciiCase(got.action, want.action) ||
        got.resource != want.resource)
      Die(what + ": engine route=" + Q(got.route) + " action=" + Q(got.action) + " resource=" +
          Q(got.resource) + ", reference route=" + Q(want.route) + " action=" + Q(want.action) +
          " resource=" + Q(want.resource));
    const std::string route(got.route), resource(got.resource);
    const rolegate::RequestExplanation d = p_.DecideRequest(principal, method, target, &scratch_);
    if (d.check.decision.allowed != got.check.decision.allowed || d.check.decision.reason != got.check.decision.reason ||
        !d.check.rule.empty() || d.route != route || d.resource != resource)
      Die(what + ": DecideRequest " + Show(d.check) + " disagrees with CheckRequest " + Show(got.check));
  }

#ifndef ROLEGATE_FUZZ_NO_GENERATOR
  // A check with a context and asserted groups (SPEC §10, §13): Explain and
  // Check by Query against the reference.
  void CheckWithExtras(const rolegate_ref::CheckQuery& q) {
    const rolegate_ref::Answer want = ref_.Check(q.principal, q.action, q.resource, q.extras);
    rolegate_ref::EngineExtras x(q.extras);
    rolegate::Query eq;
    eq.principal = q.principal;
    eq.action = q.action;
    eq.resource = q.resource;
    eq.groups = x.groups();
    eq.context = x.context();
    const rolegate::Explanation got = p_.Explain(eq);
    const std::string what = "check(" + Q(q.principal) + ", " + Q(q.action) + ", " + Q(q.resource) +
                             ") with " + std::to_string(q.extras.context.size()) + " context keys and " +
                             std::to_string(q.extras.groups.size()) + " groups";
    CheckShape(got, what);
    if (!Same(got, want)) Die(what + ": engine " + Show(got) + ", reference " + Show(want));
    if (!(p_.Check(eq) == got.decision)) Die(what + ": Check and Explain disagree");
  }
#endif

  // n queries of each kind from the tests' query generator, seeded; with
  // options.v2 the checks carry contexts and asserted groups.
  void Generated(const std::vector<std::string>& targets, uint64_t seed, int checks, int workloads,
                 int requests, bool v2 = false) {
#ifdef ROLEGATE_FUZZ_NO_GENERATOR
    (void)targets, (void)seed, (void)checks, (void)workloads, (void)requests, (void)v2;
    return;
#else
    // The generator draws actions from the catalog; it needs one.
    if (ref_.bundle().actions.empty()) return;
    rolegate_ref::RandomBundleOptions options;
    options.v2 = v2;
    rolegate_ref::QueryGenerator gen(ref_, targets, seed, options);
    for (int i = 0; i < checks; ++i) {
      const rolegate_ref::CheckQuery q = gen.NextCheck();
      if (v2) CheckWithExtras(q);
      else Check(q.principal, q.action, q.resource);
    }
    for (int i = 0; i < workloads; ++i) Workload(gen.NextWorkload());
    for (int i = 0; i < requests; ++i) {
      const rolegate_ref::RequestQuery q = gen.NextRequest();
      Request(q.principal, q.method, q.target);
    }
#endif
  }

 private:
  const rolegate::Policy& p_;
  const rolegate_ref::Reference& ref_;
  rolegate::RequestScratch scratch_;
};

// Request targets for a bundle's routes: each route's path pattern with its
// named captures filled in and the simplest regex syntax dropped. Good
// enough to get past routing for the route shapes people write.
inline std::vector<std::string> TargetsFor(const rolegate_ref::Bundle& b) {
  std::vector<std::string> out;
  for (const rolegate_ref::Route& r : b.routes) {
    std::string t;
    const std::string& p = r.path;
    for (size_t i = 0; i < p.size(); ++i) {
      if (p.compare(i, 4, "(?P<") == 0) {
        int depth = 0;
        size_t j = i;
        for (; j < p.size(); ++j) {
          if (p[j] == '\\') { ++j; continue; }
          if (p[j] == '(') ++depth;
          else if (p[j] == ')' && --depth == 0) break;
        }
        t += "v1";
        i = j;
      } else if (p[i] == '\\' && i + 1 < p.size()) {
        t += p[++i];
      } else if (std::string_view("^$?*+()[]{}|").find(p[i]) != std::string_view::npos) {
        continue;
      } else {
        t += p[i];
      }
    }
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

// FNV-1a over the input: a stable seed for the query generator.
inline uint64_t Seed(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

// Limits small enough that fuzzer-sized bundles reach every one of them.
inline rolegate::Limits TightLimits() {
  rolegate::Limits l;
  l.max_bundle_bytes = 2048;
  l.max_string_bytes = 24;
  l.max_scope_segments = 3;
  l.max_list_entries = 4;
  l.max_group_depth = 2;
  l.max_routes = 2;
  l.max_regex_program_bytes = 4096;
  return l;
}

// Diagnostics must be well formed: a message, a JSON pointer, line and column
// inside the text; a rejection has an error, an acceptance has none.
inline void CheckDiagnostics(std::string_view text,
                             const absl::StatusOr<std::unique_ptr<rolegate::Policy>>& r,
                             const std::vector<rolegate::Diagnostic>& diags, const char* which) {
  size_t errors = 0;
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (const rolegate::Diagnostic& d : diags) {
    if (d.severity == rolegate::Severity::kError) ++errors;
    if (d.message.empty()) Die(std::string(which) + ": a diagnostic without a message");
    if (!d.pointer.empty() && d.pointer[0] != '/')
      Die(std::string(which) + ": bad JSON pointer " + Q(d.pointer));
    if (d.line > lines || (d.line == 0) != (d.column == 0))
      Die(std::string(which) + ": line/column out of range: " + rolegate::FormatDiagnostic(d));
  }
  if (r.ok() && errors > 0) Die(std::string(which) + ": accepted with errors");
  if (!r.ok() && errors == 0) Die(std::string(which) + ": rejected without an error");
  if (!r.ok() && r.status().code() != absl::StatusCode::kInvalidArgument &&
      r.status().code() != absl::StatusCode::kResourceExhausted)
    Die(std::string(which) + ": unexpected status " + r.status().ToString());
}

// The body of the two bundle targets. Whatever the input: Compile() returns
// (no crash, no hang, no exception) with well-formed diagnostics; tighter
// limits can only reject more. When the engine accepts a bundle the
// reference evaluator must accept it too (it checks less, never more), and
// the two must agree on generated queries. Returns whether it compiled.
inline bool FuzzBundle(std::string_view text, uint64_t seed, int checks, int workloads, int requests) {
  std::vector<rolegate::Diagnostic> diags;
  auto policy = rolegate::Compile(text, rolegate::Limits{}, &diags);
  CheckDiagnostics(text, policy, diags, "default limits");

  std::vector<rolegate::Diagnostic> tight_diags;
  auto tight = rolegate::Compile(text, TightLimits(), &tight_diags);
  CheckDiagnostics(text, tight, tight_diags, "tight limits");
  if (tight.ok() && !policy.ok()) Die("accepted under tight limits but rejected under the defaults");

  if (!policy.ok()) return false;
  std::string err;
  std::unique_ptr<rolegate_ref::Reference> ref = rolegate_ref::Reference::Load(text, &err, {});
  if (!ref) Die("the engine accepts a bundle the reference rejects: " + err);
  if (!ref) return true;
  Differ differ(**policy, *ref);
  differ.Generated(TargetsFor(ref->bundle()), seed, checks, workloads, requests);
  return true;
}

}  // namespace rolegate_fuzz

#endif  // ROLEGATE_TESTS_FUZZ_FUZZ_COMMON_H_
