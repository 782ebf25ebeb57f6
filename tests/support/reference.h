// tests/support/reference.h — an independent reference evaluator for rolegate,
// written straight from SPEC.md for differential testing.
//
// It shares no code with lib/ or the rolegate headers: it parses the bundle
// itself (simdjson DOM), keeps plain std:: containers, and answers every query
// by brute force — every assignment, every deny assignment, every statement,
// every route, in bundle order. Clarity over speed: when it disagrees with the
// engine, it should be easy to see from this file which one follows the SPEC.
//
// It validates bundles only as far as needed to trust its own answers; when
// it finds a bundle invalid, Load() fails with a message and the engine must
// reject that bundle as well.
#ifndef ROLEGATE_TESTS_SUPPORT_REFERENCE_H_
#define ROLEGATE_TESTS_SUPPORT_REFERENCE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/reference_conditions.h"

namespace re2 {
class RE2;
}

namespace rolegate_ref {

// ---- The bundle, as plain data (SPEC §2) ------------------------------------
struct Action {
  std::string name;
  bool data = false;
  bool has_effective_only_at = false;        // the key was present
  std::vector<std::string> effective_only_at;  // scope patterns, `*` = one segment
};

// A role's permission block (SPEC §10). A role written with the four lists
// gets one block of them, without a condition.
struct PermissionBlock {
  std::vector<std::string> actions, not_actions, data_actions, not_data_actions;
  std::string condition;                          // "" = none
  std::shared_ptr<const AzureCondition> cond;     // null = none
};

struct Role {
  std::string id, name;
  // The four lists as written (empty when the role gives `permissions`).
  std::vector<std::string> actions, not_actions, data_actions, not_data_actions;
  bool has_permissions = false;         // the role gave `permissions`
  std::vector<PermissionBlock> blocks;  // always filled (see PermissionBlock)
  bool has_assignable_scopes = false;   // absent: assignable anywhere
  std::vector<std::string> assignable_scopes;
};

struct Group {
  std::string id;
  std::vector<std::string> members;
};

struct Assignment {
  std::string id, principal, role, scope;
  std::string condition;                       // "" = none (Azure form)
  std::shared_ptr<const AzureCondition> cond;  // null = none
};

struct DenyAssignment {
  std::string id;
  std::vector<std::string> principals, exclude_principals;
  std::vector<std::string> actions, not_actions, data_actions, not_data_actions;
  std::string scope;
  bool apply_to_children = true;
  std::string condition;                       // "" = none (Azure form)
  std::shared_ptr<const AzureCondition> cond;  // null = none
};

struct Statement {
  std::string id, principal;
  bool allow = false;
  // Exactly one of actions / not_actions, and of resources / not_resources
  // (SPEC §11); the flags say which was given.
  bool has_not_actions = false, has_not_resources = false;
  std::vector<std::string> actions, resources, not_actions, not_resources;
  std::string policy_version;  // "" = absent
  std::vector<std::shared_ptr<const ResourcePattern>> patterns;  // of resources or not_resources
  std::shared_ptr<const AwsCondition> cond;                      // null = none
};

struct ScopeParent {
  std::string scope, parent;
};

struct MappingRule {
  std::string id;
  std::optional<std::string> workload_type, project, user;
  std::string identity;
};

struct Cloud {
  std::string id;
  std::optional<std::string> default_identity;
  std::vector<MappingRule> mappings;
};

struct Route {
  std::string id, method, path, action, scope;
};

struct Bundle {
  std::vector<Action> actions;
  std::vector<Role> roles;
  std::vector<Group> groups;
  std::vector<Assignment> assignments;
  std::vector<DenyAssignment> deny_assignments;
  std::vector<Statement> statements;
  std::vector<Cloud> clouds;
  std::vector<Route> routes;
  std::vector<ScopeParent> scope_parents;
};

// ---- Answers -----------------------------------------------------------------
// Reasons use the wire spelling of SPEC §7 ("grant", "no_grant", ...).
// rule_kind is "none", "assignment", "deny_assignment" or "statement".
struct Answer {
  bool allowed = false;
  std::string reason;
  std::string rule_kind = "none";
  std::string rule;  // empty when rule_kind is "none"
};

struct Resolution {
  std::string error;  // "none", "unknown_cloud" or "no_identity"
  std::string identity, source;
};

struct WorkloadAnswer {
  Resolution resolution;
  Answer check;
};

struct RequestAnswer {
  Answer check;
  std::string route, action, resource;  // empty where not reached
};

// ---- The evaluator -------------------------------------------------------------
class Reference {
 public:
  struct LoadOptions {
    // SPEC v1's whole-string glob for ARN resource patterns instead of §11's
    // field-by-field match (the only change §10-§16 make to a bundle that
    // uses none of their fields).
    bool v1_arn_patterns = false;
  };
  // Parses and checks a bundle. Returns null and sets *error on a bundle the
  // reference finds invalid.
  static std::unique_ptr<Reference> Load(std::string_view json, std::string* error,
                                         const LoadOptions& options);
  // The same with v1_arn_patterns set: what today's engine implements, so the
  // existing differential test and fuzz targets keep comparing like with
  // like. Switch them to the three-argument form once the engine has §11.
  static std::unique_ptr<Reference> Load(std::string_view json, std::string* error);
  ~Reference();

  const Bundle& bundle() const { return b_; }

  // SPEC §3, including Explain.
  Answer Check(std::string_view principal, std::string_view action,
               std::string_view resource) const;
  // The same with a context (§10) and asserted groups (§13).
  Answer Check(std::string_view principal, std::string_view action, std::string_view resource,
               const RefQueryExtras& extras) const;
  // SPEC §4. workload_type is "job", "service" or "workspace". An empty
  // override means "none given".
  Resolution Resolve(std::string_view cloud, std::string_view workload_type,
                     std::string_view project, std::string_view user,
                     std::string_view compute_config_identity,
                     std::string_view node_group_identity) const;
  WorkloadAnswer CheckWorkload(std::string_view cloud, std::string_view workload_type,
                               std::string_view project, std::string_view user,
                               std::string_view compute_config_identity,
                               std::string_view node_group_identity,
                               std::string_view action, std::string_view resource) const;
  WorkloadAnswer CheckWorkload(std::string_view cloud, std::string_view workload_type,
                               std::string_view project, std::string_view user,
                               std::string_view compute_config_identity,
                               std::string_view node_group_identity,
                               std::string_view action, std::string_view resource,
                               const RefQueryExtras& extras) const;
  // SPEC §5.
  RequestAnswer CheckRequest(std::string_view principal, std::string_view method,
                             std::string_view target) const;
  RequestAnswer CheckRequest(std::string_view principal, std::string_view method,
                             std::string_view target, const RefQueryExtras& extras) const;

  // SPEC §12: the ancestors-or-self of a valid scope, from the scope itself
  // up to "/", following explicit scope parents.
  std::vector<std::string> Ancestors(std::string_view scope) const;

  // The principal plus every group containing it, transitively (SPEC §3 step 3).
  std::vector<std::string> Closure(std::string_view principal) const;
  // The closure of the principal and of each asserted group (SPEC §13).
  std::vector<std::string> Closure(std::string_view principal,
                                   const std::vector<std::string>& groups) const;
  // The catalog entry named by `action` (case-insensitively), or null.
  const Action* FindAction(std::string_view action) const;
  // Whether a role (by index) covers a catalog action through actions/not_actions
  // or data_actions/not_data_actions (SPEC §3 step 6, ignoring effective_only_at).
  bool RoleCovers(const Role& role, const Action& action) const;
  // Whether asserted groups are within SPEC §13's limits.
  static bool GroupsValid(const std::vector<std::string>& groups);
  // Whether an action's effective_only_at admits an assignment at `scope`.
  static bool EffectiveAt(const Action& action, std::string_view scope);

 private:
  Reference();
  Bundle b_;
  std::vector<std::unique_ptr<re2::RE2>> route_res_;  // one per route
  std::map<std::string, size_t> role_index_;          // role id -> index
  std::map<std::string, size_t> action_index_;        // lower-cased name -> index
  std::map<std::string, std::string> parent_of_;      // lower-cased scope -> parent (§12)

  // The parent of a valid scope in the §12 hierarchy ("/" for "/").
  std::string ParentOf(std::string_view scope) const;
  // Steps from `scope` up to `ancestor` in the hierarchy (0 = itself), or -1.
  int Distance(std::string_view ancestor, std::string_view scope) const;
  bool IsAncestorInHierarchy(std::string_view a, std::string_view b) const;
  // Step 6 for one assignment, ignoring principal and scope.
  struct GrantProbe {
    bool covers = false;           // some block covers the action
    bool conditions_hold = false;  // the assignment's and such a block's condition hold
    bool effective = false;        // effective_only_at admits the assignment's scope
  };
  GrantProbe ProbeAssignment(const Assignment& as, const Action& act, const RefContext& ctx) const;
  // A statement's principal, action and resource match, its condition aside.
  bool StatementTargets(const Statement& s, const std::vector<std::string>& P, const Action& act,
                        std::string_view resource, const RefContext& ctx) const;
};

// ---- Helpers (public for unit checks and for the query generator) ------------
char AsciiLower(char c);
std::string AsciiLowerString(std::string_view s);
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);
// Glob: `*` any run (including `/`), `?` exactly one Unicode code point; the
// rest literal. Case-insensitive (ASCII) when `ignore_case`.
bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case);
// Segments of a scope ("/" -> {}, "/a/b" -> {"a","b"}); assumes a leading '/'.
std::vector<std::string> ScopeSegments(std::string_view scope);
// Why `s` is not a valid scope per SPEC §3.1 ("" when it is).
std::string ScopeProblem(std::string_view s);
// A's segments are a prefix of B's segments (case-insensitively). This is the
// PATH relation; Reference::Ancestors() gives the §12 hierarchy.
bool IsAncestorOrSelf(std::string_view a, std::string_view b);
bool ScopeEquals(std::string_view a, std::string_view b);
// Whether `s` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Whether `s` holds a control character: a byte 0x00-0x1F or 0x7F, or the
// UTF-8 encoding of U+0080-U+009F.
bool HasControlChar(std::string_view s);

}  // namespace rolegate_ref

#endif  // ROLEGATE_TESTS_SUPPORT_REFERENCE_H_
