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

struct Role {
  std::string id, name;
  std::vector<std::string> actions, not_actions, data_actions, not_data_actions;
  bool has_assignable_scopes = false;  // absent: assignable anywhere
  std::vector<std::string> assignable_scopes;
};

struct Group {
  std::string id;
  std::vector<std::string> members;
};

struct Assignment {
  std::string id, principal, role, scope;
};

struct DenyAssignment {
  std::string id;
  std::vector<std::string> principals, exclude_principals;
  std::vector<std::string> actions, not_actions, data_actions, not_data_actions;
  std::string scope;
  bool apply_to_children = true;
};

struct Statement {
  std::string id, principal;
  bool allow = false;
  std::vector<std::string> actions, resources;
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
  // Parses and checks a bundle. Returns null and sets *error on a bundle the
  // reference finds invalid.
  static std::unique_ptr<Reference> Load(std::string_view json, std::string* error);
  ~Reference();

  const Bundle& bundle() const { return b_; }

  // SPEC §3, including Explain.
  Answer Check(std::string_view principal, std::string_view action,
               std::string_view resource) const;
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
  // SPEC §5.
  RequestAnswer CheckRequest(std::string_view principal, std::string_view method,
                             std::string_view target) const;

  // The principal plus every group containing it, transitively (SPEC §3 step 3).
  std::vector<std::string> Closure(std::string_view principal) const;
  // The catalog entry named by `action` (case-insensitively), or null.
  const Action* FindAction(std::string_view action) const;
  // Whether a role (by index) covers a catalog action through actions/not_actions
  // or data_actions/not_data_actions (SPEC §3 step 6, ignoring effective_only_at).
  bool RoleCovers(const Role& role, const Action& action) const;
  // Whether an action's effective_only_at admits an assignment at `scope`.
  static bool EffectiveAt(const Action& action, std::string_view scope);

 private:
  Reference();
  Bundle b_;
  std::vector<std::unique_ptr<re2::RE2>> route_res_;  // one per route
  std::map<std::string, size_t> role_index_;          // role id -> index
  std::map<std::string, size_t> action_index_;        // lower-cased name -> index
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
// A's segments are a prefix of B's segments (case-insensitively).
bool IsAncestorOrSelf(std::string_view a, std::string_view b);
bool ScopeEquals(std::string_view a, std::string_view b);
// Whether `s` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Whether `s` holds a control character: a byte 0x00-0x1F or 0x7F, or the
// UTF-8 encoding of U+0080-U+009F.
bool HasControlChar(std::string_view s);

}  // namespace rolegate_ref

#endif  // ROLEGATE_TESTS_SUPPORT_REFERENCE_H_
