// lib/compile/roles.cc — roles -> action sets (SPEC §2, §3 step 6).
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

void Compiler::BuildRoles() {
  CheckUniqueIds(b_.roles, "/roles", "role");
  role_set_.assign(b_.roles.size(), kNone);
  role_assigned_.assign(b_.roles.size(), false);
  for (size_t i = 0; i < b_.roles.size(); ++i) {
    const model::Role& r = b_.roles[i];
    const std::string ptr = JoinPointer("/roles", i);
    if (!r.valid) continue;
    for (size_t k = 0; k < r.assignable_scopes.size(); ++k)
      CheckScope(r.assignable_scopes[k], JoinPointer(JoinPointer(ptr, "assignable_scopes"), k));
    Bits bits = PermissionBits(r.actions, r.not_actions, r.data_actions, r.not_data_actions, ptr);
    role_set_[i] = InternSet(bits);
    role_index_.emplace(r.id.s, i);  // first wins on duplicates (already an error)
    d().n_roles++;
  }
}

// True when `scope` is `base` or below it (segment-wise, case-insensitive).

}  // namespace rolegate::internal
