// rolegate/bundle.h — the policy bundle as plain data: the public bundle model.
//
// This is what the JSON loader produces (LoadBundle, after shape checks: types,
// keys, required fields, string rules) and what the compiler consumes; the
// importers (Azure, AWS exports) and `diff` produce and read it too. It holds
// the bundle exactly as written: no pattern is expanded, no id resolved, no
// semantic rule (unique ids, catalog membership, scope validity) checked —
// that is the compiler's work (rolegate/policy.h Compile()).
//
// Every value carries `off`, the byte offset of its JSON token in the bundle
// text (kNoOffset when it did not come from text, e.g. built by an importer),
// so that compile errors name a line and column as well as a JSON pointer.
//
// Cost: a Bundle owns copies of every string (roughly 2–3x the JSON size).
// Lifetime: plain values; nothing here points into the bundle text.
#ifndef ROLEGATE_BUNDLE_H_
#define ROLEGATE_BUNDLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rolegate::model {

// Offset of a value that did not come from bundle text.
inline constexpr uint32_t kNoOffset = 0xFFFFFFFFu;

// A string value and the byte offset of its JSON token.
struct Str {
  std::string s;
  uint32_t off = kNoOffset;
};
using StrList = std::vector<Str>;

// ---- Conditions --------------------------------------------------------------

// One value of an AWS condition key, as written: a JSON string, number or
// boolean. `text` is the string's content, the number's token text, or
// "true"/"false"; operators parse it as they need (SPEC §10: AWS request and
// policy values are text).
struct ConditionValue {
  enum class Kind : uint8_t { kString = 0, kNumber = 1, kBool = 2 };
  Kind kind = Kind::kString;
  std::string text;
  uint32_t off = kNoOffset;
};

// `"KEY": VALUE` or `"KEY": [VALUES]` inside one operator.
struct ConditionKey {
  Str key;
  std::vector<ConditionValue> values;
};

// `"OPERATOR": {KEYS}`; `op` as written ("ForAnyValue:StringLikeIfExists").
struct ConditionOperator {
  Str op;
  std::vector<ConditionKey> keys;
};

// An AWS `Condition` element, as written (SPEC §10 "AWS form").
struct AwsCondition {
  std::vector<ConditionOperator> operators;
  uint32_t off = kNoOffset;
};

// ---- The bundle's lists (SPEC §2, §10–§12) -----------------------------------

// `valid` is false when the loader already reported an error in a required
// field of the entry: the compiler then skips the entry's own checks, so a
// missing field gives one error, not a cascade.
struct Action {
  Str name;
  bool data = false;
  bool has_effective_only_at = false;  // the key was present (`[]`: effective nowhere)
  StrList effective_only_at;
  uint32_t off = kNoOffset;
  bool valid = true;
};

// One Azure permission block (SPEC §10): its `not_` lists subtract from this
// block only; `condition` is an Azure ABAC expression.
struct PermissionBlock {
  StrList actions, not_actions, data_actions, not_data_actions;
  std::optional<Str> condition;
  uint32_t off = kNoOffset;
};

struct Role {
  Str id, name;
  // The four lists at the top level of the role...
  StrList actions, not_actions, data_actions, not_data_actions;
  // ...or `permissions` (never both: the loader rejects that).
  bool has_permissions = false;
  std::vector<PermissionBlock> permissions;
  bool has_assignable_scopes = false;  // absent: assignable anywhere; `[]`: nowhere
  StrList assignable_scopes;
  uint32_t off = kNoOffset;
  bool valid = true;
};

struct Group {
  Str id;
  StrList members;
  uint32_t off = kNoOffset;
  bool valid = true;
};

struct Assignment {
  Str id, principal, role, scope;
  std::optional<Str> condition;  // Azure ABAC expression
  uint32_t off = kNoOffset;
  bool valid = true;
};

struct DenyAssignment {
  Str id, scope;
  StrList principals, exclude_principals, actions, not_actions, data_actions, not_data_actions;
  bool apply_to_children = true;
  std::optional<Str> condition;  // Azure ABAC expression
  uint32_t off = kNoOffset;
  bool valid = true;
};

struct Statement {
  Str id, principal, effect;  // effect: exactly "Allow" or "Deny" (checked by the compiler)
  // `actions` holds the patterns of `actions` or, when `not_actions` is true,
  // of `not_actions` (a statement has exactly one of the two); likewise
  // `resources` / `not_resources`.
  StrList actions;
  bool not_actions = false;
  StrList resources;
  bool not_resources = false;
  std::optional<Str> policy_version;  // "2012-10-17" or "2008-10-17"
  std::optional<AwsCondition> condition;
  uint32_t off = kNoOffset;
  bool valid = true;
};

struct MappingRule {
  Str id, identity;
  std::optional<Str> workload_type, project, user;  // absent: any
  uint32_t off = kNoOffset;
  bool valid = true;
};

struct Cloud {
  Str id;
  std::optional<Str> default_identity;
  std::vector<MappingRule> mappings;
  uint32_t off = kNoOffset;
  bool valid = true;
};

struct Route {
  Str id, method, path, action, scope;
  uint32_t off = kNoOffset;
  bool valid = true;
};

// SPEC §12: `parent` replaces the path parent of `scope`.
struct ScopeParent {
  Str scope, parent;
  uint32_t off = kNoOffset;
  bool valid = true;
};

// The whole bundle. `version` is always 1 once loaded.
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

}  // namespace rolegate::model

#endif  // ROLEGATE_BUNDLE_H_
