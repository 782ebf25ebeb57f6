// lib/compile/denies.cc — deny assignments (SPEC §3 step 4).
#include <algorithm>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "compile/compiler.h"
#include "rolegate/internal/glob.h"
#include "rolegate/internal/text.h"
#include "base/scope.h"

namespace rolegate::internal {

void Compiler::BuildDenies() {
  CheckUniqueIds(b_.deny_assignments, "/deny_assignments", "deny assignment");
  for (size_t i = 0; i < b_.deny_assignments.size(); ++i) {
    const model::DenyAssignment& x = b_.deny_assignments[i];
    const std::string ptr = JoinPointer("/deny_assignments", i);
    d().deny_ids.push_back(d().arena.Add(x.id.s));
    if (!x.valid) continue;
    bool ok = CheckScope(x.scope, JoinPointer(ptr, "scope"));
    StagedDeny s{};
    s.e.cond = AzureCond(x.condition, JoinPointer(ptr, "condition"));
    if (s.e.cond == kBadCond) ok = false;
    for (const Str& p : x.principals) {
      if (p.s == "*") s.e.everyone = true;
      else s.principals.push_back(Principal(p.s));
    }
    for (size_t k = 0; k < x.exclude_principals.size(); ++k) {
      const Str& p = x.exclude_principals[k];
      if (CheckNotStar(p, JoinPointer(JoinPointer(ptr, "exclude_principals"), k)))
        s.excludes.push_back(Principal(p.s));
      else ok = false;
    }
    Bits bits = PermissionBits(x.actions, x.not_actions, x.data_actions, x.not_data_actions, ptr);
    if (!ok) continue;
    for (uint32_t a = 0; a < n_actions_; ++a)
      if ((bits[a >> 6] >> (a & 63)) & 1) d().action_flags[a] |= kActionDenied;
    s.e.set = InternSet(bits);
    s.e.node = InsertScope(x.scope.s);
    s.e.deny = static_cast<uint32_t>(i);
    s.e.self_only = !x.apply_to_children;
    staged_denies_.push_back(std::move(s));
  }
}

// Once the hierarchy is numbered: each deny's interval and principal lists.
void Compiler::PlaceDenies() {
  for (StagedDeny& s : staged_denies_) {
    std::sort(s.principals.begin(), s.principals.end());
    std::sort(s.excludes.begin(), s.excludes.end());
    s.e.principals_begin = static_cast<uint32_t>(d().deny_principal_ids.size());
    d().deny_principal_ids.insert(d().deny_principal_ids.end(), s.principals.begin(), s.principals.end());
    s.e.principals_end = s.e.excludes_begin = static_cast<uint32_t>(d().deny_principal_ids.size());
    d().deny_principal_ids.insert(d().deny_principal_ids.end(), s.excludes.begin(), s.excludes.end());
    s.e.excludes_end = static_cast<uint32_t>(d().deny_principal_ids.size());
    s.e.pre = d().nodes[s.e.node].pre;
    s.e.end = d().nodes[s.e.node].end;
    d().denies.push_back(s.e);
  }
}

}  // namespace rolegate::internal
