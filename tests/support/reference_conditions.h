// tests/support/reference_conditions.h — the reference evaluator's reading of
// SPEC §10 (request context, AWS and Azure conditions) and §11 (ARN resource
// patterns, policy variables), written straight from the spec.
//
// Like reference.h it shares no code with lib/ or include/rolegate. Both
// condition forms are parsed once, at bundle load, into plain trees that are
// evaluated by walking them; nothing here is optimised.
#ifndef ROLEGATE_TESTS_SUPPORT_REFERENCE_CONDITIONS_H_
#define ROLEGATE_TESTS_SUPPORT_REFERENCE_CONDITIONS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rolegate_ref {

// One context value (SPEC §10): a string, a number, a boolean, or a list of
// strings (a multi-valued key, whatever its length).
struct RefValue {
  enum class Kind { kString, kNumber, kBool, kList };
  Kind kind = Kind::kString;
  std::string str;                // kString
  double num = 0;                 // kNumber
  bool b = false;                 // kBool
  std::vector<std::string> list;  // kList

  static RefValue String(std::string s);
  static RefValue Number(double n);
  static RefValue Bool(bool b);
  static RefValue List(std::vector<std::string> l);
};

// What a query adds to (principal, action, resource): SPEC §10 context and
// §13 asserted groups. Context keys keep the caller's spelling here; they are
// compared case-insensitively.
struct RefQueryExtras {
  std::vector<std::pair<std::string, RefValue>> context;
  std::vector<std::string> groups;
};

// A validated context: keys ASCII-lower-cased.
using RefContext = std::map<std::string, RefValue>;

// Builds the context of a query, or returns false when it breaks SPEC §10's
// limits (more than 1,024 keys, a string over 4096 bytes, more than 256
// values a key) or is otherwise unusable (an empty key, a key given twice
// case-insensitively, invalid UTF-8): the query is then `invalid_input`.
bool BuildContext(const std::vector<std::pair<std::string, RefValue>>& in, RefContext* out);

// ---- AWS form (statements) -------------------------------------------------
class AwsCondition {
 public:
  // Parses `json` (the statement's `condition` value, as JSON text). With
  // `variables`, `${...}` in String and Arn values are policy variables
  // (policy_version "2012-10-17"). Null and *error set on a compile error.
  static std::unique_ptr<AwsCondition> Parse(std::string_view json, bool variables,
                                             std::string* error);
  ~AwsCondition();
  bool Holds(const RefContext& ctx) const;

  struct Clause;  // one operator-and-key pair

 private:
  AwsCondition();
  std::vector<Clause> clauses_;
};

// ---- Azure form (assignments, deny assignments, permission blocks) ----------
class AzureCondition {
 public:
  // Parses an ABAC 2.0 expression. Null and *error set on a compile error.
  static std::unique_ptr<AzureCondition> Parse(std::string_view text, std::string* error);
  ~AzureCondition();
  // `action` is the query's action (for ActionMatches).
  bool Holds(const RefContext& ctx, std::string_view action) const;

  struct Node;

 private:
  AzureCondition();
  std::unique_ptr<Node> root_;
};

// ---- Statement resource patterns (SPEC §3, §11) -----------------------------
// A resource pattern, prepared at load. With `variables`, `${...}` is a policy
// variable (only after the fifth `:` of an ARN pattern).
class ResourcePattern {
 public:
  // Null and *error set when a variable is malformed. `arn_fields`: §11's
  // field-by-field match for ARN patterns (false: SPEC v1's whole string).
  static std::unique_ptr<ResourcePattern> Parse(std::string_view pattern, bool variables,
                                                bool arn_fields, std::string* error);
  ~ResourcePattern();
  bool Matches(std::string_view resource, const RefContext& ctx) const;

  struct Impl;

 private:
  ResourcePattern();
  std::unique_ptr<Impl> impl_;
};

// Helpers, public for unit checks.
// Whether `s` is an ARN in §11's sense: starts with `arn:` (any case) and has
// at least six `:`-separated fields.
bool IsArn(std::string_view s);
// Seconds since the epoch for ISO 8601 text or epoch seconds.
std::optional<double> ParseDate(std::string_view s);

}  // namespace rolegate_ref

#endif  // ROLEGATE_TESTS_SUPPORT_REFERENCE_CONDITIONS_H_
