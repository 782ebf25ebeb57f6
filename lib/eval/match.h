// lib/eval/match.h — what the check path matches out of line: statement
// resource patterns (SPEC §3, §11), compiled conditions (§10) and the
// context keys they read. Internal; PolicyData holds it through an opaque
// pointer, and check-inl.h reaches it only through the functions declared
// in rolegate/internal/policy_data.h (MatchStatementResource,
// EvalCondition, ...), which are defined in match.cc.
#ifndef ROLEGATE_LIB_EVAL_MATCH_H_
#define ROLEGATE_LIB_EVAL_MATCH_H_

#include <cstdint>
#include <vector>

#include "cond/aws_condition.h"
#include "cond/azure_condition.h"
#include "cond/keys.h"
#include "cond/resource_pattern.h"

namespace rolegate::internal {

// One condition a rule carries: an Azure expression, an AWS Condition
// element, or the AND of two conditions (an assignment's condition and its
// role's permission block's, SPEC §10).
struct CondRef {
  enum class Kind : uint8_t { kAzure, kAws, kAnd };
  Kind kind = Kind::kAzure;
  uint32_t a = 0, b = 0;  // program index (kAzure, kAws) or two CondRef ids (kAnd)
};

struct MatchTable {
  KeyTable keys;                          // every context key any condition or variable reads
  std::vector<AzureProgram> azure;
  std::vector<AwsProgram> aws;
  std::vector<CondRef> conds;
  std::vector<ResourcePattern> patterns;  // statements' resource patterns
};

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_EVAL_MATCH_H_
