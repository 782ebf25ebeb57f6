// lib/compile/assignments.cc — assignments (SPEC §3 step 6): role lookup, assignable_scopes, and
// effective_only_at resolved per assignment scope.
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

static bool WithinScope(std::string_view base, std::string_view scope) {
  if (base == "/") return true;
  if (scope.size() < base.size()) return false;
  if (!AsciiEqualsIgnoreCase(base, scope.substr(0, base.size()))) return false;
  return scope.size() == base.size() || scope[base.size()] == '/';
}

void Compiler::BuildAssignments() {
  CheckUniqueIds(b_.assignments, "/assignments", "assignment");
  for (size_t i = 0; i < b_.assignments.size(); ++i) {
    const model::Assignment& a = b_.assignments[i];
    const std::string ptr = JoinPointer("/assignments", i);
    d().assignment_ids.push_back(d().arena.Add(a.id.s));
    if (!a.valid) continue;
    bool ok = CheckNotStar(a.principal, JoinPointer(ptr, "principal"));
    ok &= CheckScope(a.scope, JoinPointer(ptr, "scope"));
    auto role = role_index_.find(a.role.s);
    if (role == role_index_.end()) {
      sink_->Error(JoinPointer(ptr, "role"), a.role.off, absl::StrCat("unknown role \"", a.role.s, "\""));
      continue;
    }
    const model::Role& r = b_.roles[role->second];
    role_assigned_[role->second] = true;
    if (ok && r.has_assignable_scopes) {
      bool inside = false;
      for (const Str& s : r.assignable_scopes) inside |= WithinScope(s.s, a.scope.s);
      if (!inside) {
        sink_->Error(JoinPointer(ptr, "scope"), a.scope.off,
                     absl::StrCat("scope \"", a.scope.s, "\" is outside the assignable_scopes of role \"",
                                  r.id.s, "\""));
        ok = false;
      }
    }
    if (!ok || role_set_[role->second] == kNone) continue;
    staged_grants_.push_back(StagedGrant{Principal(a.principal.s), InsertScope(a.scope.s),
                                         role_set_[role->second], static_cast<uint32_t>(i)});
  }
  for (size_t i = 0; i < b_.roles.size(); ++i)
    if (b_.roles[i].valid && !role_assigned_[i])
      sink_->Warning(JoinPointer("/roles", i), b_.roles[i].off,
                     absl::StrCat("role \"", b_.roles[i].id.s, "\" is never assigned"));
}


// Which restricted actions count at which assignment scopes.
void Compiler::BuildEffective() {
  std::vector<uint32_t> restricted;
  for (uint32_t a = 0; a < n_actions_; ++a)
    if (d().action_flags[a] & kActionRestricted) restricted.push_back(a);
  if (restricted.empty()) return;
  LeakOnUnwind<absl::flat_hash_set<uint32_t>> nodes;
  for (const StagedGrant& g : staged_grants_) nodes->insert(g.node);
  for (uint32_t node : *nodes) {
    const std::vector<std::string> segs =
        node == 0 ? std::vector<std::string>() : LowerSegments(node_path_[node - 1]);
    for (uint32_t a : restricted) {
      for (const auto& pat : effective_patterns_[a]) {
        if (pat.size() != segs.size()) continue;
        bool match = true;
        for (size_t k = 0; k < pat.size() && match; ++k) match = pat[k] == "*" || pat[k] == segs[k];
        if (match) {
          d().effective_at.insert((uint64_t{node} << 32) | a);
          break;
        }
      }
    }
  }
}

}  // namespace rolegate::internal
