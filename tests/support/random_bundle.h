// tests/support/random_bundle.h — seeded random bundles and queries for the
// differential test (tests/differential_test.cc).
//
// RandomBundle(seed) writes a VALID bundle (SPEC §2) as JSON text: a small
// catalog with data actions and effective_only_at, roles with wildcard
// patterns, nested acyclic groups, assignments and deny assignments over a
// small scope tree written in mixed case, statements over ARNs and scopes,
// clouds with unambiguous mapping rules, and routes with named captures.
// RandomInvalidBundle(seed) breaks exactly one compile rule of a valid bundle.
//
// QueryGenerator draws queries against a loaded bundle (through the reference
// evaluator's plain model), biased toward the interesting cases: grants and
// near misses, case variants, unknown principals and actions, resources
// deeper than any assignment, ARNs, invalid resources, and request targets
// with escapes and dot segments.
#ifndef ROLEGATE_TESTS_SUPPORT_RANDOM_BUNDLE_H_
#define ROLEGATE_TESTS_SUPPORT_RANDOM_BUNDLE_H_

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "support/reference.h"

namespace rolegate_ref {

struct GeneratedBundle {
  std::string json;
  // Request targets built from the routes' recipes (they mostly match a route).
  std::vector<std::string> sample_targets;
};

// Options for the generator. Off by default, so RandomBundle(seed) draws the
// same bundles and queries it always has.
struct RandomBundleOptions {
  // SPEC §10-§13: conditions of both forms on statements, assignments, deny
  // assignments and permission blocks (every operator, set prefix and
  // IfExists, over a small key and value vocabulary), permission blocks,
  // not_actions / not_resources, policy_version with variables, scope parents
  // (management groups) with rules at them; and queries with random contexts
  // (absent, empty and multi-valued keys, mistyped values, now and then over
  // the limits) and asserted groups.
  bool v2 = false;
};

GeneratedBundle RandomBundle(uint64_t seed);
GeneratedBundle RandomBundle(uint64_t seed, const RandomBundleOptions& options);

struct InvalidBundle {
  std::string json;
  std::string what;  // which rule it breaks
};

// Seeds 0..kInvalidBundleCases-1 each break a different rule (and so on, mod).
inline constexpr int kInvalidBundleCases = 40;
InvalidBundle RandomInvalidBundle(uint64_t seed);

struct CheckQuery {
  std::string principal, action, resource;
  RefQueryExtras extras;  // empty unless the generator has options.v2
};

struct WorkloadQueryArgs {
  std::string cloud, workload_type, project, user;
  std::string compute_config_identity, node_group_identity;  // "" = none
  std::string action, resource;                              // for check_workload
  RefQueryExtras extras;  // empty unless the generator has options.v2
};

struct RequestQuery {
  std::string principal, method, target;
  RefQueryExtras extras;  // empty unless the generator has options.v2
};

class QueryGenerator {
 public:
  // `ref` must outlive the generator. `sample_targets` seeds check_request.
  QueryGenerator(const Reference& ref, std::vector<std::string> sample_targets, uint64_t seed);
  // With options.v2, every query also carries a random context and asserted
  // groups, drawn from a second generator (the rest is drawn as without).
  QueryGenerator(const Reference& ref, std::vector<std::string> sample_targets, uint64_t seed,
                 const RandomBundleOptions& options);

  CheckQuery NextCheck();
  WorkloadQueryArgs NextWorkload();
  RequestQuery NextRequest();

 private:
  size_t Pick(size_t n);
  bool Chance(double p);
  std::string Recase(const std::string& s);
  std::string Principal();            // any principal, known or not
  std::string MemberOf(const std::string& p);  // p or a principal inside group p
  std::string ScopeUnder(const std::string& scope);
  std::string RandomScope();
  std::string RandomResource();
  std::string InvalidResource();
  std::string Instantiate(const std::string& glob);
  std::string ActionFor(const std::vector<std::string>& patterns);
  std::string RandomAction();
  std::string MutateTarget(std::string target);
  const std::string& StatementResource(const Statement& s);  // from resources or not_resources
  RefQueryExtras NextExtras();                                 // options.v2 only

  RandomBundleOptions options_;
  std::mt19937_64 rng2_;  // draws the extras, so the other draws stay as they were

  const Reference& ref_;
  std::mt19937_64 rng_;
  std::vector<std::string> targets_;
  std::vector<std::string> principals_;  // every principal the bundle names
  std::vector<std::string> scopes_;      // every scope the bundle names
  std::vector<std::string> identities_;  // identities and mapping values
  std::vector<std::string> projects_, users_;
  std::map<std::string, std::vector<std::string>> covered_;  // role id -> actions
};

}  // namespace rolegate_ref

#endif  // ROLEGATE_TESTS_SUPPORT_RANDOM_BUNDLE_H_
