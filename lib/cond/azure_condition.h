// lib/cond/azure_condition.h — Azure ABAC conditions (SPEC §10, "Azure
// form"): the condition string of an Azure role assignment, deny assignment
// or role permission block, compiled once into flat arrays and evaluated per
// query without allocation, string parsing of policy-side values, or regex.
//
// The user-facing rules (grammar, operators, absent and multi-valued
// attributes) are in docs/conditions-azure.md. Choices this module makes
// where Azure or the spec leave room, each the narrower reading:
//  - Quoted strings have no escapes (Azure has none): a string runs from one
//    `'` to the next; an unterminated quote is an error.
//  - A comparison is false when its attribute is absent, when a context value
//    has a type the operator cannot read (a bool for StringEquals, "abc" for
//    NumericLessThan), negated operator or not. In a cross-product, such a
//    value satisfies no pair. An empty multi-valued attribute makes every
//    prefixed comparison false (like an absent one).
//  - A negated operator (StringNotEquals, ...) is the negation of its base
//    comparison applied per (left, right) pair, then quantified by the
//    prefix, as Azure does: `ForAnyOfAnyValues:StringNotEquals {'a','b'}`
//    over {'a'} holds ('a' differs from 'b').
//  - SubOperationMatches{'NAME'} is an ASCII case-insensitive equality with
//    the single string value of the context key `SubOperation`.
//  - IgnoreCase folds ASCII letters only.
#ifndef ROLEGATE_LIB_COND_AZURE_CONDITION_H_
#define ROLEGATE_LIB_COND_AZURE_CONDITION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "cond/keys.h"

namespace rolegate::internal {

// Parse limits. Past them the condition is a compile error.
inline constexpr size_t kMaxAzureConditionBytes = 64 * 1024;
inline constexpr uint32_t kMaxAzureNesting = 64;  // parentheses plus NOT/! levels

// One instruction of the evaluator. The expression is compiled to straight
// code over one boolean accumulator with forward jumps only (AND and OR
// short-circuit), so evaluation is a single loop with no stack.
struct AzureOp {
  enum Code : uint8_t {
    kTest,         // acc = tests[arg] holds
    kJumpIfFalse,  // if (!acc) pc = arg   (AND)
    kJumpIfTrue,   // if (acc) pc = arg    (OR)
    kNot,          // acc = !acc
  };
  Code code = kTest;
  uint32_t arg = 0;
};

// One leaf: Exists, ActionMatches, SubOperationMatches or a comparison.
struct AzureTest {
  enum Kind : uint8_t { kExists, kActionMatches, kSubOperation, kCompare };
  enum Family : uint8_t { kString, kStringIgnoreCase, kNumeric, kDateTime, kGuid, kBool };
  enum Rel : uint8_t { kEq, kLt, kLe, kGt, kGe, kStartsWith, kLike };
  enum Quant : uint8_t { kSingle, kAnyOfAny, kAllOfAny, kAnyOfAll, kAllOfAll };
  Kind kind = kExists;
  Family family = kString;
  Rel rel = kEq;
  Quant quant = kSingle;
  bool negated = false;  // the ...Not... form: each pair's result inverted
  uint32_t key = 0;      // context key id (kExists, kSubOperation, kCompare)
  uint32_t first = 0;    // kCompare, kSubOperation: literals[first, first+count);
  uint32_t count = 0;    // kActionMatches: action_ids[first, first+count), sorted
};

// A literal on the right of a comparison, decoded at compile time.
struct AzureLiteral {
  uint32_t str = 0;      // string (lower-cased for IgnoreCase), or 32 GUID hex digits,
  uint32_t len = 0;      //   at strings[str, str+len)
  double number = 0;     // Numeric: an integer, |n| <= 2^53 so exact as a double
  int64_t seconds = 0;   // DateTime: Timestamp
  uint32_t nanos = 0;
  bool boolean = false;  // Bool
};

// A compiled condition. Self-contained (it owns its literals and id lists);
// copy or move it freely. Key ids refer to the KeyTable it was compiled with.
struct AzureProgram {
  std::vector<AzureOp> code;
  std::vector<AzureTest> tests;
  std::vector<AzureLiteral> literals;
  std::vector<uint32_t> action_ids;
  std::string strings;
};

// Why a condition did not compile: `offset` is the byte offset in the
// condition text where the problem is, `message` says what was expected or
// what is wrong there.
struct AzureError {
  uint32_t offset = 0;
  std::string message;
};

// Compiles the Azure condition `text` (conditionVersion 2.0; 1.0 text reads
// the same). Attribute references are interned in `keys` by their whole text
// ("@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]") and
// `SubOperationMatches` interns "SubOperation". `expand_actions` receives the
// ASCII-lower-cased pattern of each ActionMatches{'PATTERN'} and returns the
// ids of the catalog actions it matches (in any order; they are sorted here).
// On success fills *out (replacing its contents) and returns true; on failure
// fills *err, leaves *out unspecified, and returns false. Keys interned before
// a failure stay interned (harmless: an unused key is never read). Cost:
// linear in the text plus the expanded action lists; recursion depth is
// bounded by kMaxAzureNesting.
bool CompileAzureCondition(std::string_view text, KeyTable* keys,
                           absl::FunctionRef<std::vector<uint32_t>(std::string_view lower_glob)> expand_actions,
                           AzureProgram* out, AzureError* err);

// Whether the condition holds for the query in `env` (its context and action
// id). No allocation; reads context values in place. Cost: linear in the
// program, times the value pairs of each cross-product comparison evaluated,
// plus O(log n) per ActionMatches. `env.ctx` may be null (an empty context).
bool EvalAzure(const AzureProgram& program, const CondEnv& env);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_COND_AZURE_CONDITION_H_
