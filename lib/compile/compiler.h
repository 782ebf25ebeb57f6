// lib/compile/compiler.h — the compile context: the state every compile stage
// shares, and the checks they share (unique ids, the principal "*", scopes,
// catalog lookup and pattern expansion), each written once.
//
// One stage per file, run in this order by Compiler::Run (compiler.cc):
//   catalog.cc      actions, effective_only_at, pattern expansion, action sets
//   principals.cc   principals, groups, closure depth and cycles
//   scopes.cc       the scope tree, numbered in pre-order
//   roles.cc        roles -> action sets
//   assignments.cc  assignments -> staged grants
//   statements.cc   statements
//   clouds.cc       clouds and mapping rules (SPEC §4)
//   routes.cc       gateway routes (SPEC §5)
//   denies.cc       deny assignments (numbers the scope tree first)
//   tables.cc       the per-principal arrays the check path reads
// The compiler keeps going after an error so one run reports them all; the
// table is built only when there are none.
#ifndef ROLEGATE_LIB_COMPILE_COMPILER_H_
#define ROLEGATE_LIB_COMPILE_COMPILER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/leak_on_unwind.h"
#include "base/scope.h"
#include "model/loader.h"
#include "rolegate/internal/policy_data.h"

namespace rolegate::internal {

struct Route;    // eval/routes.h
struct CondRef;  // eval/match.h

// A rule whose condition failed to compile (the error is reported; the
// table is not built).
inline constexpr uint32_t kBadCond = kNone - 1;


enum class Kind { kControl, kData, kAny };

using Bits = std::vector<uint64_t>;

class Compiler {
 public:
  Compiler(const model::Bundle& b, const Limits& lim, DiagSink* sink)
      : b_(b), lim_(lim), sink_(sink), d_(std::make_unique<PolicyData>()) {}

  std::unique_ptr<PolicyData> Run();

 private:
  // ---- catalog and patterns ----
  void BuildCatalog();
  // Adds the catalog actions `pattern` stands for (of `kind`) to `bits`.
  // The catalog id of the literal action `name`, or kNone after reporting
  // "<what> ... is not in the catalog" (unless its own catalog entry was
  // rejected for another field: that error already says why).
  uint32_t CatalogAction(const Str& name, const std::string& ptr, const char* what);
  void Expand(const Str& pattern, const std::string& ptr, Kind kind, Bits* bits);
  void ExpandList(const StrList& list, const std::string& ptr, Kind kind, Bits* bits) {
    for (size_t i = 0; i < list.size(); ++i) Expand(list[i], JoinPointer(ptr, i), kind, bits);
  }
  // (actions ∩ kind − not_actions) ∪ (data_actions ∩ data − not_data_actions)
  Bits PermissionBits(const StrList& actions, const StrList& not_actions, const StrList& data_actions,
                      const StrList& not_data_actions, const std::string& ptr);
  uint32_t InternSet(const Bits& bits);
  void TransposeSets();

  // ---- principals and groups ----
  uint32_t Principal(std::string_view name);
  bool CheckNotStar(const Str& p, const std::string& ptr) {
    if (p.s == "*") {
      sink_->Error(ptr, p.off, "the principal \"*\" (everyone) is allowed only in deny_assignments[].principals");
      return false;
    }
    return true;
  }
  void BuildGroups();

  // ---- scopes ----
  bool CheckScope(const Str& s, const std::string& ptr) {
    std::string why = ScopeProblem(s.s, lim_.max_scope_segments, false);
    if (why.empty()) return true;
    sink_->Error(ptr, s.off, absl::StrCat("invalid scope \"", s.s, "\": ", why));
    return false;
  }
  uint32_t InsertScope(std::string_view scope);
  void BuildScopeParents();
  void NumberScopes();
  void CheckHierarchy(const std::vector<uint8_t>& seen);

  // ---- conditions (conditions.cc): a CondRef id, kNone when absent, kBadCond ----
  uint32_t AzureCond(const std::optional<Str>& text, const std::string& ptr);
  uint32_t AwsCond(const std::optional<model::AwsCondition>& c, bool policy_variables, const std::string& ptr);
  uint32_t AndCond(uint32_t a, uint32_t b);
  uint32_t AddCond(CondRef ref);
  // Catalog ids (ascending) whose lower-cased name `lower_glob` matches.
  std::vector<uint32_t> CatalogMatches(std::string_view lower_glob);

  struct RolePart {
    uint32_t set, cond;
  };
  void BuildRoles();
  void BuildRolePermissions(const model::Role& r, const std::string& ptr, std::vector<RolePart>* parts);
  void BuildAssignments();
  void CheckAssignable();
  void BuildDenies();
  void PlaceDenies();
  void BuildStatements();
  bool CompileStatement(const model::Statement& s, const std::string& ptr, StatementEntry* e);
  void PlaceCondGrants();
  void BuildEffective();
  void BuildClouds();
  bool MappingKeyOf(const model::MappingRule& m, const std::string& mptr, MappingKey* key);
  void BuildRoutes();
  bool CompileRoutePattern(const model::Route& r, const std::string& ptr, Route* route);
  bool CompileScopeTemplate(const model::Route& r, const std::string& ptr, Route* route);
  void FinishPrincipals();
  void BuildClosures();
  void PlaceGrants();
  void LinkDenies();

  template <typename T>
  void CheckUniqueIds(const std::vector<T>& list, const std::string& base, const char* what) {
    LeakOnUnwind<absl::flat_hash_map<std::string_view, size_t>> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      const Str& id = list[i].id;
      if (id.s.empty()) continue;
      auto [it, fresh] = seen->emplace(id.s, i);
      if (!fresh)
        sink_->Error(JoinPointer(JoinPointer(base, i), "id"), id.off,
                     absl::StrCat("duplicate ", what, " id \"", id.s, "\" (first at ",
                                  JoinPointer(base, it->second), ")"));
    }
  }

  const model::Bundle& b_;
  const Limits& lim_;
  DiagSink* sink_;
  std::unique_ptr<PolicyData> d_;
  PolicyData& d() { return *d_; }

  uint32_t n_actions_ = 0;
  std::vector<std::string> lower_names_;      // by action id
  std::vector<uint32_t> sorted_by_name_;      // action ids sorted by lower name
  absl::flat_hash_map<std::string, Bits> pattern_cache_;
  absl::flat_hash_map<std::string, uint32_t> set_ids_;  // set bits (as bytes) -> id
  // Lower-cased names of catalog entries rejected for another field: still
  // declared, so a role naming one gets no extra "not in the catalog".
  absl::flat_hash_set<std::string> rejected_actions_;
  uint32_t set_words_ = 0;          // words per set while compiling
  std::vector<uint64_t> set_bits_;  // set s: words [s*set_words_, (s+1)*set_words_)
  std::vector<std::vector<std::vector<std::string>>> effective_patterns_;  // by action id (restricted only)

  // principals
  std::vector<std::vector<uint32_t>> parents_;  // principal -> groups that list it

  // scopes
  std::vector<uint32_t> path_parent_;        // path parent of node i + 1
  std::vector<std::string_view> node_path_;  // lower-cased path of node i + 1
  struct ExplicitParent {
    uint32_t node, parent, index;  // index in scope_parents
  };
  std::vector<ExplicitParent> explicit_parents_;

  // roles
  absl::flat_hash_map<std::string_view, uint32_t> role_index_;
  std::vector<std::vector<RolePart>> role_parts_;
  std::vector<bool> role_ok_, role_assigned_;

  // per-assignment staging
  struct StagedGrant {
    uint32_t principal, node, set, assignment;
  };
  std::vector<StagedGrant> staged_grants_;
  struct StagedCondGrant {
    uint32_t principal, node, set, assignment, cond;
  };
  std::vector<StagedCondGrant> staged_cond_grants_;
  struct StagedAssignment {
    uint32_t assignment, role, node;
  };
  std::vector<StagedAssignment> staged_assignments_;
  struct StagedDeny {
    DenyEntry e;
    std::vector<uint32_t> principals, excludes;
  };
  std::vector<StagedDeny> staged_denies_;
  std::vector<std::vector<uint32_t>> principal_stmts_;
};

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_COMPILE_COMPILER_H_
