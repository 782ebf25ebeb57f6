// lib/compile/assignments.cc — assignments (SPEC §3 step 6, §10): role
// lookup, conditions, assignable_scopes (checked once the hierarchy is
// numbered, since management groups are assignable scopes too, §12), and
// effective_only_at resolved per assignment scope.
#include "absl/strings/str_cat.h"
#include "compile/compiler.h"

namespace rolegate::internal {

void Compiler::BuildAssignments() {
  CheckUniqueIds(b_.assignments, "/assignments", "assignment");
  for (size_t i = 0; i < b_.assignments.size(); ++i) {
    const model::Assignment& a = b_.assignments[i];
    const std::string ptr = JoinPointer("/assignments", i);
    d().assignment_ids.push_back(d().arena.Add(a.id.s));
    if (!a.valid) continue;
    bool ok = CheckNotStar(a.principal, JoinPointer(ptr, "principal"));
    ok &= CheckScope(a.scope, JoinPointer(ptr, "scope"));
    const uint32_t cond = AzureCond(a.condition, JoinPointer(ptr, "condition"));
    auto role = role_index_.find(a.role.s);
    if (role == role_index_.end()) {
      sink_->Error(JoinPointer(ptr, "role"), a.role.off, absl::StrCat("unknown role \"", a.role.s, "\""));
      continue;
    }
    role_assigned_[role->second] = true;
    if (!ok || !role_ok_[role->second] || cond == kBadCond) continue;
    const uint32_t principal = Principal(a.principal.s), node = InsertScope(a.scope.s);
    staged_assignments_.push_back(StagedAssignment{static_cast<uint32_t>(i), role->second, node});
    d().n_assignments++;
    for (const RolePart& part : role_parts_[role->second]) {
      const uint32_t c = AndCond(cond, part.cond);
      if (c == kBadCond) continue;
      if (c == kNone) staged_grants_.push_back(StagedGrant{principal, node, part.set, static_cast<uint32_t>(i)});
      else staged_cond_grants_.push_back(StagedCondGrant{principal, node, part.set, static_cast<uint32_t>(i), c});
    }
  }
  for (size_t i = 0; i < b_.roles.size(); ++i)
    if (b_.roles[i].valid && !role_assigned_[i])
      sink_->Warning(JoinPointer("/roles", i), b_.roles[i].off,
                     absl::StrCat("role \"", b_.roles[i].id.s, "\" is never assigned"));
}

// Each assignment within its role's assignable_scopes, in the numbered
// hierarchy (an assignable scope is an ancestor-or-self of the assignment's).
void Compiler::CheckAssignable() {
  for (const StagedAssignment& s : staged_assignments_) {
    const model::Role& r = b_.roles[s.role];
    if (!r.has_assignable_scopes) continue;
    const ScopeNode& n = d().nodes[s.node];
    bool inside = false;
    for (const Str& as : r.assignable_scopes) {
      auto it = d().scope_paths.find(AbslView(AsciiLowerCopy(as.s)));
      const uint32_t an = as.s == "/" ? 0 : (it == d().scope_paths.end() ? kNone : it->second);
      if (an != kNone && d().nodes[an].pre <= n.pre && n.pre < d().nodes[an].end) inside = true;
    }
    if (inside) continue;
    const model::Assignment& a = b_.assignments[s.assignment];
    sink_->Error(JoinPointer(JoinPointer("/assignments", s.assignment), "scope"), a.scope.off,
                 absl::StrCat("scope \"", a.scope.s, "\" is outside the assignable_scopes of role \"", r.id.s,
                              "\""));
  }
}

// Which restricted actions count at which assignment scopes (the segments
// of the assignment's own scope, whatever its parents, SPEC §12).
void Compiler::BuildEffective() {
  std::vector<uint32_t> restricted;
  for (uint32_t a = 0; a < n_actions_; ++a)
    if (d().action_flags[a] & kActionRestricted) restricted.push_back(a);
  if (restricted.empty()) return;
  LeakOnUnwind<absl::flat_hash_set<uint32_t>> nodes;
  for (const StagedGrant& g : staged_grants_) nodes->insert(g.node);
  for (const StagedCondGrant& g : staged_cond_grants_) nodes->insert(g.node);
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
