// bench/bundle_gen.h — a seeded generator of realistic rolegate bundles and of
// query sets over them, shared by the rolegate_gen_bundle program and the
// benchmarks. It depends on the standard library only (never on lib/), so it
// builds and runs while the engine does not.
//
// Shape (SPEC §2): a six-level scope tree
//   /subscriptions/<guid>/resourceGroups/rgN/providers/<P>/clouds/cN/projects/pN/<type>/<name>
// ~500 catalog actions `Vendor.Service/resourceType/verb` over ~20 providers
// (AWS-style `service:Action` for four of them), roles built from literals and
// wildcards (`Vendor.Service/*/read`, `*/read`, `Vendor.Service/*`, ...),
// users in nested groups (up to four groups on a chain), assignments spread
// over all levels, 1 % deny assignments, some IAM statements, clouds with
// mapping rules and gateway routes. Every generated bundle is valid by
// construction: unique ids, scopes that follow SPEC §3.1, assignments inside
// their role's assignable_scopes, a closed catalog, an acyclic group graph and
// unambiguous mapping rules.
//
// Everything is deterministic in (options, seed): the same model can be
// rebuilt to generate queries without writing the bundle again.
#ifndef ROLEGATE_BENCH_BUNDLE_GEN_H_
#define ROLEGATE_BENCH_BUNDLE_GEN_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rolegate_bench {

struct GenOptions {
  char size = 'S';              // 'S' (~1k assignments), 'M' (~100k), 'L' (~1M)
  uint64_t seed = 1;
  int64_t routes = -1;          // -1: the size's default (10)
  int64_t mapping_rules = -1;   // total over all clouds; -1: the size's default
  int64_t clouds = -1;          // entries of "clouds"; -1: the size's default
  int64_t assignments = -1;     // -1: the size's default
  // SPEC §10-§12 on top of the same model (the conditions benchmark): AWS
  // conditions on 20 % of statements, Azure conditions on 10 % of
  // assignments, 10 % of roles written as `permissions` blocks (half of
  // those with an extra conditional block), management groups above the
  // subscriptions (`scope_parents`) with a few assignments there. Queries
  // read the keys of ConditionKeys(); the unconditional rules are unchanged.
  bool conditions = false;
};

// The five context keys the conditions of a --conditions bundle read.
inline constexpr std::string_view kCondKeySourceIp = "aws:SourceIp";
inline constexpr std::string_view kCondKeySecureTransport = "aws:SecureTransport";
inline constexpr std::string_view kCondKeyRegion = "aws:RequestedRegion";
inline constexpr std::string_view kCondKeyTagKeys = "aws:TagKeys";
inline constexpr std::string_view kCondKeyEnv = "@Resource[tag:env]";

// What a generated bundle holds (for reports).
struct ModelSummary {
  char size = 'S';
  uint64_t actions = 0, data_actions = 0, roles = 0, users = 0, groups = 0,
           principals = 0,  // users + groups + statement principals
           assignments = 0, deny_assignments = 0, statements = 0, clouds = 0,
           mapping_rules = 0, routes = 0;
  uint64_t tree_nodes = 0;       // every node of the scope tree (root excluded)
  uint64_t tree_leaves = 0;      // leaves of the scope tree (the resources)
  uint64_t bundle_scopes = 0;    // distinct scopes the bundle names (estimate: distinct assignment + deny scopes)
  int max_group_depth = 0;       // groups on the longest membership chain
};

class BundleModel;
void FreeModel(BundleModel* model);
struct ModelDeleter {
  void operator()(BundleModel* m) const { FreeModel(m); }
};
using ModelPtr = std::unique_ptr<BundleModel, ModelDeleter>;

// Builds the model (about a second for L). Exits with a message on bad options.
ModelPtr BuildModel(const GenOptions& options);

ModelSummary Summarize(const BundleModel& model);

// Appends the bundle as JSON (one list element per line) to *out.
void AppendBundleJson(const BundleModel& model, std::string* out);

// Every principal the bundle names (users, groups, statement principals), in
// a fixed order: the key set of the hash-map floors.
std::vector<std::string> AllPrincipals(const BundleModel& model);

// ---- query sets ----------------------------------------------------------------
// Strings live in the set's arena; views stay valid as long as the set lives
// (the arena never moves a byte once written).
class Arena {
 public:
  std::string_view Add(std::string_view s);
  size_t bytes() const { return bytes_; }

 private:
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t used_ = 0, cap_ = 0, bytes_ = 0;
};

enum class Pattern {
  kHot,      // 1 % of principals and of resources make 80 % of queries
  kUniform,  // random over everything (cache-cold)
};

struct CheckQuery {
  std::string_view principal, action, resource;
};
struct CheckQuerySet {
  Arena arena;
  std::vector<CheckQuery> queries;
  size_t distinct_principals = 0, distinct_resources = 0;  // of the hot pool (hot sets only)
};
// About half the queries come out allowed (52-58 % on S and M): ~45 % are
// built from an assignment the principal holds (an action its role covers, a
// resource under its scope), the others are near misses (an action the role
// lacks, or a resource elsewhere) or random. ~2 % are ARN queries of statement
// principals, ~1 % name principals the bundle does not know. The exact
// allowed share is what the engine answers (the benchmark reports it).
std::unique_ptr<CheckQuerySet> MakeCheckQueries(const BundleModel& model, Pattern pattern,
                                                size_t count, uint64_t seed);

struct RequestQuery {
  std::string_view principal, method, target;
};
struct RequestQuerySet {
  Arena arena;
  std::vector<RequestQuery> queries;
};
// Requests over the bundle's routes; path_bytes pads the last path segment so
// the path is that long where the route allows (0: no padding). About half
// are built to be allowed; ~2 % match no route.
std::unique_ptr<RequestQuerySet> MakeRequestQueries(const BundleModel& model, size_t count,
                                                    uint64_t seed, size_t path_bytes);
// The path (padded to path_bytes) of one request for route `route_index`,
// with principal the holder of some grant; for fixed worst/best-case runs.
RequestQuery MakeRequestForRoute(const BundleModel& model, size_t route_index, size_t path_bytes,
                                 uint64_t seed, Arena* arena);

struct ResolveQuery {
  std::string_view cloud;
  std::string_view workload_type;  // "job" | "service" | "workspace"
  std::string_view project, user;
  std::string_view compute_config_identity, node_group_identity;  // empty: none
};
struct ResolveQuerySet {
  Arena arena;
  std::vector<ResolveQuery> queries;
};
// 80 % are built from a mapping rule (its fields set, the rest random), 20 %
// random; ~5 % carry an override; ~2 % name an unknown cloud.
std::unique_ptr<ResolveQuerySet> MakeResolveQueries(const BundleModel& model, size_t count,
                                                    uint64_t seed);

// JSON Lines in the CLI format of SPEC §7.
void AppendCheckQueryJson(const CheckQuery& q, std::string* out);
void AppendRequestQueryJson(const RequestQuery& q, std::string* out);
void AppendResolveQueryJson(const ResolveQuery& q, std::string* out);

// Appends s as a JSON string literal (quoted, escaped).
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace rolegate_bench

#endif  // ROLEGATE_BENCH_BUNDLE_GEN_H_
