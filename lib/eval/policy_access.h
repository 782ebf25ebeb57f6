// lib/eval/policy_access.h — the library's one door into a Policy's table
// (rolegate/policy.h befriends it): make a Policy from a compiled table
// (lib/eval/policy.cc), read the table of one (reverse queries and diff,
// lib/eval/reverse.cc and diff.cc; tests of internals).
#ifndef ROLEGATE_LIB_EVAL_POLICY_ACCESS_H_
#define ROLEGATE_LIB_EVAL_POLICY_ACCESS_H_

#include <memory>

#include "rolegate/internal/policy_data.h"
#include "rolegate/policy.h"

namespace rolegate::internal {

struct PolicyAccess {
  static std::unique_ptr<Policy> Make(std::unique_ptr<PolicyData> d) {
    return std::unique_ptr<Policy>(new Policy(std::move(d)));
  }
  static const PolicyData& Data(const Policy& p) { return *p.data_; }
};

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_EVAL_POLICY_ACCESS_H_
