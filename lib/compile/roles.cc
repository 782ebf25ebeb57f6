// lib/compile/roles.cc — roles -> action sets (SPEC §2, §3 step 6, §10).
//
// A role is a list of parts, each an action set with an optional condition:
// the four top-level lists make one unconditional part; `permissions`
// blocks without a condition are merged into one unconditional part (each
// block's not_ lists subtracting from that block only), and each block
// with a condition is a part of its own.
#include "absl/strings/str_cat.h"
#include "compile/compiler.h"

namespace rolegate::internal {

void Compiler::BuildRolePermissions(const model::Role& r, const std::string& ptr, std::vector<RolePart>* parts) {
  if (!r.has_permissions) {
    parts->push_back(RolePart{
        InternSet(PermissionBits(r.actions, r.not_actions, r.data_actions, r.not_data_actions, ptr)), kNone});
    return;
  }
  Bits merged(set_words_, 0);
  bool any_unconditional = false;
  for (size_t k = 0; k < r.permissions.size(); ++k) {
    const model::PermissionBlock& p = r.permissions[k];
    const std::string bptr = JoinPointer(JoinPointer(ptr, "permissions"), k);
    Bits bits = PermissionBits(p.actions, p.not_actions, p.data_actions, p.not_data_actions, bptr);
    const uint32_t cond = AzureCond(p.condition, JoinPointer(bptr, "condition"));
    if (cond == kNone) {
      for (uint32_t w = 0; w < set_words_; ++w) merged[w] |= bits[w];
      any_unconditional = true;
    } else {
      parts->push_back(RolePart{InternSet(bits), cond});
    }
  }
  if (any_unconditional) parts->insert(parts->begin(), RolePart{InternSet(merged), kNone});
}

void Compiler::BuildRoles() {
  CheckUniqueIds(b_.roles, "/roles", "role");
  role_parts_.assign(b_.roles.size(), {});
  role_ok_.assign(b_.roles.size(), false);
  role_assigned_.assign(b_.roles.size(), false);
  for (size_t i = 0; i < b_.roles.size(); ++i) {
    const model::Role& r = b_.roles[i];
    const std::string ptr = JoinPointer("/roles", i);
    if (!r.valid) continue;
    for (size_t k = 0; k < r.assignable_scopes.size(); ++k)
      if (CheckScope(r.assignable_scopes[k], JoinPointer(JoinPointer(ptr, "assignable_scopes"), k)))
        InsertScope(r.assignable_scopes[k].s);
    BuildRolePermissions(r, ptr, &role_parts_[i]);
    role_ok_[i] = true;
    role_index_.emplace(r.id.s, i);  // first wins on duplicates (already an error)
    d().n_roles++;
  }
}

}  // namespace rolegate::internal
