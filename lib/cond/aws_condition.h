// lib/cond/aws_condition.h — a statement's AWS `Condition` element (SPEC §10
// "AWS form"), compiled once and evaluated per query without allocation.
//
// Compile time does all the parsing: operator names become an enum (with
// their IfExists and ForAnyValue:/ForAllValues: parts as flags), keys are
// interned in the bundle's KeyTable, and every policy value is parsed for its
// operator (numbers, dates, booleans, CIDRs, base64 bytes, string and ARN
// patterns with their policy variables). Evaluation reads the query's
// context by key id and parses only the request's values (values.h).
//
// Semantics decided here where SPEC §10 is silent (each the stricter reading):
// - A condition with no operators (`{}`), an operator with no keys
//   (`"StringEquals": {}`), and a key with no values (`"k": []`) are compile
//   errors: each is almost surely a mistake, and AWS's "AND of nothing" would
//   silently mean "always".
// - Operator names compare exactly as AWS spells them (`stringequals` is an
//   unknown operator). `Null` takes neither IfExists nor a set prefix.
// - String operators take JSON strings only; a number or boolean there is a
//   wrong-type error (SPEC: "String and Arn operators read JSON strings").
// - Arn operators all take wildcards (AWS: ArnEquals behaves as ArnLike). A
//   policy value that is not an ARN after substitution (fewer than six
//   fields, or not starting with `arn:`) matches no request value.
// - `Null` reads presence only: a key given as an empty list is present.
//   "Empty" for the set prefixes means a multi-valued key with no values.
// - A request value an operator cannot read (e.g. "abc" for NumericLessThan,
//   a number for StringEquals) counts as absent for that operator; in a
//   multi-valued key under a set prefix such a value is left out of the set,
//   and a set left empty follows the empty-key rule.
#ifndef ROLEGATE_LIB_COND_AWS_CONDITION_H_
#define ROLEGATE_LIB_COND_AWS_CONDITION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cond/keys.h"
#include "rolegate/bundle.h"
#include "cond/seg_pattern.h"
#include "cond/values.h"

namespace rolegate::internal {

// A compile error inside one condition. `pointer` is an RFC 6901 JSON pointer
// relative to the condition object ("/StringEquals/aws:SourceIp/1"; '/' in a
// key is "~1", '~' is "~0"); the value index is present when the key has
// more than one value (the model does not record whether a single value was
// written as an array). `off` is the byte offset of the offending token
// (model::kNoOffset when unknown).
struct CondError {
  std::string pointer;
  uint32_t off = model::kNoOffset;
  std::string message;
};

// The operators of SPEC §10, without their IfExists / set-prefix parts.
enum class AwsOp : uint8_t {
  kStringEquals, kStringNotEquals, kStringEqualsIgnoreCase, kStringNotEqualsIgnoreCase,
  kStringLike, kStringNotLike,
  kNumericEquals, kNumericNotEquals, kNumericLessThan, kNumericLessThanEquals,
  kNumericGreaterThan, kNumericGreaterThanEquals,
  kDateEquals, kDateNotEquals, kDateLessThan, kDateLessThanEquals,
  kDateGreaterThan, kDateGreaterThanEquals,
  kBool, kBinaryEquals, kIpAddress, kNotIpAddress,
  kArnEquals, kArnLike, kArnNotEquals, kArnNotLike,
  kNull,
};

enum class AwsSetPrefix : uint8_t { kNone, kForAnyValue, kForAllValues };

// One policy value, parsed for its operator; only the member its operator
// reads is set.
struct AwsValue {
  double number = 0;
  Timestamp time;
  bool boolean = false;
  Cidr cidr;
  std::string bytes;  // BinaryEquals: the decoded bytes
  SegPattern pattern;  // String and Arn operators
};

// One operator-and-key pair: holds when the key's request value(s) satisfy
// the operator against values[first .. first + count) as SPEC §10 combines them.
struct AwsClause {
  AwsOp op = AwsOp::kStringEquals;
  AwsSetPrefix set = AwsSetPrefix::kNone;
  bool if_exists = false;
  bool negated = false;  // ...Not... and NotIpAddress: must match none of the values
  uint32_t key = KeyTable::kNoKey;
  uint32_t first = 0, count = 0;
};

// A compiled condition: the AND of its clauses. Owns its values; immutable
// after compilation and safe to evaluate from many threads at once.
struct AwsProgram {
  std::vector<AwsClause> clauses;
  std::vector<AwsValue> values;
};

// Compiles `cond` into *out. `policy_variables`: the statement's
// policy_version is "2012-10-17", so `${...}` in String and Arn values is a
// variable (otherwise literal text). Interns every key read (the condition's
// keys and its variables' keys) in `keys`. Appends one CondError per problem
// found (all of them, not just the first) and returns false when there is
// any; *out is then unusable. Cost: linear in the condition's size.
bool CompileAwsCondition(const model::AwsCondition& cond, bool policy_variables, KeyTable* keys,
                         AwsProgram* out, std::vector<CondError>* errors);

// True when the condition holds for env's context (env.ctx must be set; an
// empty ContextView is an empty context). No allocation, no parsing of
// policy values; request values are parsed on a fixed stack buffer.
bool EvalAws(const AwsProgram& program, const CondEnv& env);

// The operator name (without prefixes) for messages; e.g. "StringLike".
const char* AwsOpName(AwsOp op);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_COND_AWS_CONDITION_H_
