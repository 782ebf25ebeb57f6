// tests/differential_test.cc — the engine against the reference evaluator
// (tests/support/reference.h). Every query's decision, reason and deciding
// rule must agree; Check, Explain and CheckIds must agree with each other.
//
//   RandomBundles        seeded random valid bundles (support/random_bundle.h),
//                        120 checks, 20 resolve + 20 check_workload and 40
//                        check_request queries each
//   InvalidBundlesAreRejected  one broken rule per bundle: both must reject
//   RealDataBundles      /work/shared/data (Azure built-in roles, AWS managed
//                        policies), when present
//   SpecPointsFoundByDifferentialRuns  disagreements the SPEC text decides
//   ExampleBundle        examples/anyscale.json with generated queries
//
// On a mismatch the bundle is written to /tmp/rolegate_diff_<label>.json and
// the failure names the seed and the query. Knobs (environment):
//   ROLEGATE_DIFF_BUNDLES  number of random bundles (default 450)
//   ROLEGATE_DIFF_SEED     first seed (default 1)
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "rolegate/policy.h"
#include "rolegate/types.h"
#include "support/query_extras.h"
#include "support/random_bundle.h"
#include "support/reference.h"

namespace {

using rolegate_ref::Answer;
using rolegate_ref::CheckQuery;
using rolegate_ref::QueryGenerator;
using rolegate_ref::Reference;
using rolegate_ref::RequestQuery;
using rolegate_ref::WorkloadQueryArgs;

uint64_t EnvOr(const char* name, uint64_t dflt) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : dflt;
}

// A printable, bounded rendering of a query string.
std::string Q(std::string_view s) {
  std::string out = "\"";
  size_t shown = 0;
  const bool utf8 = rolegate_ref::IsValidUtf8(s);  // else show every high byte as \xNN
  for (unsigned char c : s) {
    if (++shown > 160) {
      out += "...(" + std::to_string(s.size()) + " bytes)";
      break;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string KindName(rolegate::RuleKind k) {
  switch (k) {
    case rolegate::RuleKind::kNone: return "none";
    case rolegate::RuleKind::kAssignment: return "assignment";
    case rolegate::RuleKind::kDenyAssignment: return "deny_assignment";
    case rolegate::RuleKind::kStatement: return "statement";
  }
  return "?";
}

std::string ErrorName(rolegate::IdentityError e) {
  switch (e) {
    case rolegate::IdentityError::kNone: return "none";
    case rolegate::IdentityError::kUnknownCloud: return "unknown_cloud";
    case rolegate::IdentityError::kNoIdentity: return "no_identity";
  }
  return "?";
}

std::string Show(const Answer& a) {
  return std::string(a.allowed ? "allow" : "deny") + " " + a.reason + " " + a.rule_kind +
         (a.rule.empty() ? "" : ":" + a.rule);
}

std::string Show(const rolegate::Explanation& e) {
  return std::string(e.decision.allowed ? "allow" : "deny") + " " +
         std::string(rolegate::ReasonName(e.decision.reason)) + " " + KindName(e.kind) +
         (e.rule.empty() ? "" : ":" + std::string(e.rule));
}

std::string Show(const rolegate::Decision& d) {
  return std::string(d.allowed ? "allow" : "deny") + " " + std::string(rolegate::ReasonName(d.reason));
}

bool Same(const rolegate::Explanation& e, const Answer& a) {
  return e.decision.allowed == a.allowed && rolegate::ReasonName(e.decision.reason) == a.reason &&
         KindName(e.kind) == a.rule_kind && e.rule == a.rule;
}

// " context={k: v, ...} groups=[...]" for failure messages; "" when none.
std::string ShowExtras(const rolegate_ref::RefQueryExtras& x) {
  if (x.context.empty() && x.groups.empty()) return "";
  std::string out = " context={";
  for (const auto& [k, v] : x.context) {
    out += Q(k) + ": ";
    switch (v.kind) {
      case rolegate_ref::RefValue::Kind::kString: out += Q(v.str); break;
      case rolegate_ref::RefValue::Kind::kNumber: out += std::to_string(v.num); break;
      case rolegate_ref::RefValue::Kind::kBool: out += v.b ? "true" : "false"; break;
      case rolegate_ref::RefValue::Kind::kList:
        out += "[";
        for (const auto& e : v.list) out += Q(e) + ",";
        out += "]";
        break;
    }
    out += ", ";
  }
  out += "} groups=[";
  for (const auto& g : x.groups) out += Q(g) + ",";
  return out + "]";
}

bool SameDecision(const rolegate::Decision& d, const Answer& a) {
  return d.allowed == a.allowed && rolegate::ReasonName(d.reason) == a.reason;
}

// Compares one bundle's queries and reports mismatches (a bounded number).
class Differ {
 public:
  Differ(std::string label, const std::string& json, const Reference& ref,
         const rolegate::Policy& policy)
      : label_(std::move(label)), json_(json), ref_(ref), policy_(policy) {}

  static int total_failures;
  std::map<std::string, int> counts;  // per kind of query and outcome

  void Check(const CheckQuery& q) {
    Answer want = ref_.Check(q.principal, q.action, q.resource, q.extras);
    rolegate_ref::EngineExtras x(q.extras);
    rolegate::Query eq;
    eq.principal = q.principal;
    eq.action = q.action;
    eq.resource = q.resource;
    eq.groups = x.groups();
    eq.context = x.context();
    rolegate::Explanation got = policy_.Explain(eq);
    rolegate::Decision fast = policy_.Check(eq);
    const bool plain = q.extras.context.empty() && q.extras.groups.empty();
    counts["check " + want.reason]++;
    std::string what = "check(" + Q(q.principal) + ", " + Q(q.action) + ", " + Q(q.resource) + ")" +
                       ShowExtras(q.extras);
    if (!Same(got, want))
      Fail(what, "Explain: engine " + Show(got) + ", reference " + Show(want));
    if (!SameDecision(fast, want))
      Fail(what, "Check: engine " + Show(fast) + ", reference " + Show(want));
    if (plain) {  // the string forms without a context are the same query
      if (!Same(policy_.Explain(q.principal, q.action, q.resource), want))
        Fail(what, "Explain (strings): engine disagrees with the reference");
    }
    if (plain && !q.principal.empty()) {
      rolegate::Decision ids = policy_.CheckIds(policy_.FindPrincipal(q.principal),
                                                policy_.FindAction(q.action), q.resource);
      if (!SameDecision(ids, want))
        Fail(what, "CheckIds: engine " + Show(ids) + ", reference " + Show(want));
    }
  }

  void Workload(const WorkloadQueryArgs& q) {
    rolegate::WorkloadQuery wq;
    wq.cloud = q.cloud;
    ASSERT_TRUE(rolegate::ParseWorkloadType(q.workload_type, &wq.workload_type)) << q.workload_type;
    wq.project = q.project;
    wq.user = q.user;
    wq.compute_config_identity = q.compute_config_identity;
    wq.node_group_identity = q.node_group_identity;
    std::string args = Q(q.cloud) + ", " + q.workload_type + ", " + Q(q.project) + ", " + Q(q.user) +
                       ", cc=" + Q(q.compute_config_identity) + ", ng=" + Q(q.node_group_identity);

    // resolve
    rolegate_ref::Resolution want = ref_.Resolve(q.cloud, q.workload_type, q.project, q.user,
                                                 q.compute_config_identity, q.node_group_identity);
    rolegate::Resolution got = policy_.Resolve(wq);
    counts["resolve " + (want.error == "none" ? want.source : want.error)]++;
    auto same_res = [&](const rolegate::Resolution& g) {
      return ErrorName(g.error) == want.error &&
             (want.error != "none" || (g.identity == want.identity && g.source == want.source));
    };
    auto show_res = [](const std::string& err, std::string_view id, std::string_view src) {
      return err + " identity=" + Q(id) + " source=" + Q(src);
    };
    if (!same_res(got))
      Fail("resolve(" + args + ")", "engine " + show_res(ErrorName(got.error), got.identity, got.source) +
                                        ", reference " + show_res(want.error, want.identity, want.source));

    // check_workload
    rolegate_ref::WorkloadAnswer wa =
        ref_.CheckWorkload(q.cloud, q.workload_type, q.project, q.user, q.compute_config_identity,
                           q.node_group_identity, q.action, q.resource, q.extras);
    rolegate_ref::EngineExtras x(q.extras);
    rolegate::WorkloadExplanation we =
        policy_.CheckWorkload(wq, q.action, q.resource, rolegate::QueryExtras{x.groups(), x.context()});
    counts["check_workload " + wa.check.reason]++;
    std::string what = "check_workload(" + args + ", " + Q(q.action) + ", " + Q(q.resource) + ")" +
                       ShowExtras(q.extras);
    // A bad context or group list is invalid_input before any resolution.
    const bool bad_extras = wa.check.reason == "invalid_input" && !q.extras.context.empty();
    if (!bad_extras && !same_res(we.resolution))
      Fail(what, "resolution: engine " +
                     show_res(ErrorName(we.resolution.error), we.resolution.identity, we.resolution.source) +
                     ", reference " + show_res(want.error, want.identity, want.source));
    if (!Same(we.check, wa.check))
      Fail(what, "engine " + Show(we.check) + ", reference " + Show(wa.check));
  }

  void Request(const RequestQuery& q) {
    rolegate_ref::RequestAnswer want = ref_.CheckRequest(q.principal, q.method, q.target, q.extras);
    rolegate_ref::EngineExtras x(q.extras);
    rolegate::RequestExplanation got = policy_.CheckRequest(q.principal, q.method, q.target, &scratch_,
                                                            rolegate::QueryExtras{x.groups(), x.context()});
    counts["check_request " + want.check.reason]++;
    std::string what = "check_request(" + Q(q.principal) + ", " + Q(q.method) + ", " + Q(q.target) + ")" +
                       ShowExtras(q.extras);
    if (!Same(got.check, want.check))
      Fail(what, "engine " + Show(got.check) + ", reference " + Show(want.check));
    // The route's action as the bundle spells it (compared case-insensitively:
    // the SPEC does not say whether the catalog's spelling or the route's is
    // reported; both name the same action).
    if (got.route != want.route || !rolegate_ref::EqualsIgnoreAsciiCase(got.action, want.action) ||
        got.resource != want.resource)
      Fail(what, "engine route=" + Q(got.route) + " action=" + Q(got.action) +
                     " resource=" + Q(got.resource) + ", reference route=" + Q(want.route) +
                     " action=" + Q(want.action) + " resource=" + Q(want.resource));
    // DecideRequest: the same answer without the rule.
    const std::string route(got.route), action(got.action), resource(got.resource);
    const rolegate::Decision decision = got.check.decision;
    rolegate::RequestExplanation d = policy_.DecideRequest(q.principal, q.method, q.target, &scratch_,
                                                           rolegate::QueryExtras{x.groups(), x.context()});
    if (d.check.decision.allowed != decision.allowed || d.check.decision.reason != decision.reason ||
        d.check.kind != rolegate::RuleKind::kNone || !d.check.rule.empty() || d.route != route ||
        d.action != action || d.resource != resource)
      Fail(what, "DecideRequest " + Show(d.check) + " route=" + Q(d.route) + " resource=" + Q(d.resource) +
                     ", CheckRequest " + Show(got.check) + " route=" + Q(route) + " resource=" + Q(resource));
  }

 private:
  void Fail(const std::string& what, const std::string& why) {
    ++total_failures;
    if (!written_) {
      written_ = true;
      path_ = "/tmp/rolegate_diff_" + label_ + ".json";
      std::ofstream(path_) << json_;
    }
    if (total_failures <= 40) {
      ADD_FAILURE() << "[" << label_ << "] bundle " << path_ << "\n  " << what << "\n  " << why;
    } else if (total_failures == 41) {
      ADD_FAILURE() << "(further mismatches counted, not printed)";
    }
  }

  std::string label_;
  const std::string& json_;
  const Reference& ref_;
  const rolegate::Policy& policy_;
  rolegate::RequestScratch scratch_;
  bool written_ = false;
  std::string path_;
};
int Differ::total_failures = 0;

void PrintCounts(const std::map<std::string, int>& counts) {
  std::string line;
  for (const auto& [k, v] : counts) line += "  " + k + "=" + std::to_string(v) + "\n";
  std::printf("%s", line.c_str());
}

// Random bundles and queries, engine against reference. With v2 the
// bundles carry conditions of both forms, permission blocks, NotAction /
// NotResource, policy variables and scope parents, and every query a random
// context and asserted groups (SPEC §10–§13).
void RunRandomBundles(uint64_t bundles, uint64_t first, const rolegate_ref::RandomBundleOptions& options) {
  const int kChecks = 120, kWorkloads = 20, kRequests = 40;
  std::map<std::string, int> counts;
  uint64_t queries = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t seed = first; seed < first + bundles; ++seed) {
    rolegate_ref::GeneratedBundle g = rolegate_ref::RandomBundle(seed, options);
    std::string err;
    std::unique_ptr<Reference> ref = Reference::Load(g.json, &err, {});
    if (!ref) {
      std::string path = "/tmp/rolegate_diff_seed" + std::to_string(seed) + ".json";
      std::ofstream(path) << g.json;
      FAIL() << "seed " << seed << ": the generator wrote a bundle the reference rejects (" << path
             << "):\n" << err;
    }
    std::vector<rolegate::Diagnostic> diags;
    auto policy = rolegate::Compile(g.json, rolegate::Limits{}, &diags);
    if (!policy.ok()) {
      std::string path = "/tmp/rolegate_diff_seed" + std::to_string(seed) + ".json";
      std::ofstream(path) << g.json;
      std::string all;
      for (const auto& d : diags) all += "  " + rolegate::FormatDiagnostic(d) + "\n";
      ADD_FAILURE() << "seed " << seed << ": the engine rejects a valid bundle (" << path << "): "
                    << policy.status() << "\n" << all;
      if (++Differ::total_failures > 40) return;
      continue;
    }
    Differ differ("seed" + std::to_string(seed), g.json, *ref, **policy);
    QueryGenerator gen(*ref, g.sample_targets, seed, options);
    for (int i = 0; i < kChecks; ++i) differ.Check(gen.NextCheck());
    for (int i = 0; i < kWorkloads; ++i) differ.Workload(gen.NextWorkload());
    for (int i = 0; i < kRequests; ++i) differ.Request(gen.NextRequest());
    queries += kChecks + 2 * kWorkloads + kRequests;
    for (const auto& [k, v] : differ.counts) counts[k] += v;
    if (Differ::total_failures > 200) break;  // enough to go on
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%llu bundles, %llu queries (%llu checks) in %.2f s\n",
              static_cast<unsigned long long>(bundles), static_cast<unsigned long long>(queries),
              static_cast<unsigned long long>(bundles * kChecks), secs);
  PrintCounts(counts);
}

TEST(Differential, RandomBundles) {
  RunRandomBundles(EnvOr("ROLEGATE_DIFF_BUNDLES", 450), EnvOr("ROLEGATE_DIFF_SEED", 1), {});
}

// At least 50,000 queries with contexts and asserted groups per run.
TEST(Differential, RandomBundlesWithConditions) {
  rolegate_ref::RandomBundleOptions v2;
  v2.v2 = true;
  RunRandomBundles(EnvOr("ROLEGATE_DIFF_V2_BUNDLES", 1200), EnvOr("ROLEGATE_DIFF_SEED", 1), v2);
}

TEST(Differential, InvalidBundlesAreRejected) {
  // Each case breaks one compile rule (SPEC §2, §6, §9); the reference must
  // reject it (else the generator is wrong) and so must the engine.
  for (uint64_t seed = 0; seed < rolegate_ref::kInvalidBundleCases * 8; ++seed) {
    rolegate_ref::InvalidBundle b = rolegate_ref::RandomInvalidBundle(seed);
    std::string err;
    if (Reference::Load(b.json, &err, {}) != nullptr) {
      ADD_FAILURE() << "seed " << seed << ": reference accepts a bundle with " << b.what;
      continue;
    }
    std::vector<rolegate::Diagnostic> diags;
    auto policy = rolegate::Compile(b.json, rolegate::Limits{}, &diags);
    if (policy.ok()) {
      std::string path = "/tmp/rolegate_invalid_seed" + std::to_string(seed) + ".json";
      std::ofstream(path) << b.json;
      ADD_FAILURE() << "seed " << seed << ": engine accepts a bundle with " << b.what << " (" << path
                    << "); reference says:\n" << err;
    }
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The real-world bundles of /work/shared/data (every Azure built-in role;
// every AWS managed policy), when present: large catalogs, thousands of
// patterns and statements.
TEST(Differential, RealDataBundles) {
  for (const char* rel : {"/data/azure/azure-builtin.bundle.json", "/data/aws/aws-managed.bundle.json"}) {
    const std::string path = std::string(ROLEGATE_SHARED_DIR) + rel;
    const std::string json = ReadFile(path);
    if (json.empty()) {
      std::printf("skipping %s (absent)\n", path.c_str());
      continue;
    }
    std::string err;
    std::unique_ptr<Reference> ref = Reference::Load(json, &err, {});
    ASSERT_NE(ref, nullptr) << path << ": " << err;
    std::vector<rolegate::Diagnostic> diags;
    auto policy = rolegate::Compile(json, rolegate::Limits{}, &diags);
    ASSERT_TRUE(policy.ok()) << path << ": " << policy.status();
    const std::string label = std::string(rel).find("azure") != std::string::npos ? "azure" : "aws";
    Differ differ(label, json, *ref, **policy);
    QueryGenerator gen(*ref, {"/api/x"}, 99);
    for (int i = 0; i < 2000; ++i) differ.Check(gen.NextCheck());
    for (int i = 0; i < 100; ++i) differ.Workload(gen.NextWorkload());
    std::printf("%s:\n", label.c_str());
    PrintCounts(differ.counts);
  }
}

// Disagreements found by differential runs where the SPEC text decides
// against the engine. They are kept out of the random test (which never
// generates these inputs) so that they do not drown other mismatches.
TEST(Differential, SpecPointsFoundByDifferentialRuns) {
  const std::string bundle = R"({"version": 1,
    "actions": [{"name": "a/read"}],
    "roles": [{"id": "r", "actions": ["*"]}],
    "assignments": [{"id": "a1", "principal": "user:x", "role": "r", "scope": "/s"}],
    "deny_assignments": [{"id": "d1", "principals": ["*"], "actions": ["a/read"], "scope": "/s/locked"}]})";
  std::string err;
  std::unique_ptr<Reference> ref = Reference::Load(bundle, &err, {});
  ASSERT_NE(ref, nullptr) << err;
  auto policy = rolegate::Compile(bundle, rolegate::Limits{}, nullptr);
  ASSERT_TRUE(policy.ok()) << policy.status();
  struct Case {
    std::string principal, action, resource, spec;
  };
  const std::vector<Case> cases = {
      {"user:\xff", "a/read", "/s/locked",
       "SPEC §3: \"A principal is invalid only when empty; any other unknown principal simply "
       "holds nothing.\" (and deny assignments to * still apply to it)"},
      {"user:\xff", "a/read", "/s", "SPEC §3: \"A principal is invalid only when empty\""},
      {"user:x", "a/read\xff", "/s",
       "SPEC §2: \"A query that names an undeclared action is denied with reason unknown_action.\""},
  };
  for (const Case& c : cases) {
    Answer want = ref->Check(c.principal, c.action, c.resource);
    rolegate::Explanation got = (*policy)->Explain(c.principal, c.action, c.resource);
    EXPECT_TRUE(Same(got, want)) << "check(" << Q(c.principal) << ", " << Q(c.action) << ", "
                                 << Q(c.resource) << "): engine " << Show(got) << ", reference "
                                 << Show(want) << "\n  " << c.spec;
  }

  // A valid bundle with 1000 one-line routes. The SPEC's limits (§6) are the
  // bundle size, string length, scope segments, list entries and group depth;
  // Limits::max_regex_program_bytes is documented as "RE2 max_mem per route
  // pattern", yet the engine gives the same 1 MiB to all routes together.
  std::string routes = R"({"version": 1, "actions": [{"name": "a/read"}], "routes": [)";
  for (int i = 0; i < 1000; ++i)
    routes += std::string(i ? "," : "") + R"J({"id": "r)J" + std::to_string(i) +
              R"J(", "method": "GET", "path": "/api/r)J" + std::to_string(i) +
              R"J(/(?P<x>[^/]+)", "action": "a/read", "scope": "/s/{x}"})J";
  routes += "]}";
  ASSERT_NE(Reference::Load(routes, &err, {}), nullptr) << err;
  auto many = rolegate::Compile(routes, rolegate::Limits{}, nullptr);
  EXPECT_TRUE(many.ok()) << "a valid bundle of 1000 short routes is rejected: " << many.status();
}

TEST(Differential, ExampleBundle) {
  const std::string json = ReadFile(std::string(ROLEGATE_SOURCE_DIR) + "/examples/anyscale.json");
  ASSERT_FALSE(json.empty());
  std::string err;
  std::unique_ptr<Reference> ref = Reference::Load(json, &err, {});
  ASSERT_NE(ref, nullptr) << err;
  std::vector<rolegate::Diagnostic> diags;
  auto policy = rolegate::Compile(json, rolegate::Limits{}, &diags);
  ASSERT_TRUE(policy.ok()) << policy.status();

  const std::string base = "/api/clouds/c1/projects/";
  std::vector<std::string> targets = {
      base + "prod/jobs", base + "prod/jobs/", base + "prod/jobs/j1", base + "prod/jobs/j1/logs",
      base + "prod/jobs/j1/stop", base + "research/jobs", base + "research/jobs/j%31",
      base + "Prod/jobs/J1", "/api/clouds/c1", "/api/clouds/C1", "/api/clouds/c2",
      "/api/clouds/c1/projects/..x/jobs", "/api/clouds/caf%C3%A9", "/api/clouds/c1/projects",
      "/API/clouds/c1", "/api/clouds/c1/projects/prod/jobs/j1/logs/", "/api/clouds/%2541",
      "/api/jobs", "/api/jobs/", "/api/jobs/j1", "/api/jobs/j1/logs", "/api/jobs/j1/logs/tail",
      "/api/jobs/j1/stop", "/", "/api/version", "/api/cluster_status", "/nodes",
      "/logical/actors", "/api/v0/tasks/x", "/api/v0/", "/api/v0/a%2Fb"};
  Differ differ("example", json, *ref, **policy);
  QueryGenerator gen(*ref, targets, 42);
  for (int i = 0; i < 8000; ++i) differ.Check(gen.NextCheck());
  for (int i = 0; i < 1000; ++i) differ.Workload(gen.NextWorkload());
  for (int i = 0; i < 3000; ++i) differ.Request(gen.NextRequest());
  PrintCounts(differ.counts);

  // The built-in example is the same bundle.
  EXPECT_TRUE(rolegate::ExampleBundle() == json)
      << "rolegate::ExampleBundle() differs from examples/anyscale.json (stale build?)";
}

}  // namespace
