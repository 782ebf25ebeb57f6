// lib/eval/policy_access.h — the one door from library code into a Policy:
// make one from a compiled table (compile/entry.cc), read the table of one
// (reverse queries). Policy's constructor and table are private; this
// struct is its only friend.
#ifndef ROLEGATE_LIB_EVAL_POLICY_ACCESS_H_
#define ROLEGATE_LIB_EVAL_POLICY_ACCESS_H_

#include <memory>

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
