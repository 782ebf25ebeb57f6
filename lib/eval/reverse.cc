// lib/eval/reverse.cc — who_can and what_can (SPEC §14).
//
// Exactness comes from running the check path's own Explain on every
// candidate; the table only narrows the candidates. Allowing needs a grant
// (step 6) or an Allow statement (step 7) held by a member of P, so:
//  - what_can: only actions in the set of some grant on the resource's path,
//    or of some statement, of a member of P can be allowed;
//  - who_can: only principals whose closure holds a principal with a grant
//    on the path or a statement whose set has the action can be allowed.
// A candidate the narrowing keeps but check denies is simply dropped.
#include <algorithm>
#include <string>
#include <vector>

#include "rolegate/internal/check-inl.h"
#include "rolegate/review.h"

namespace rolegate {
namespace {

using internal::kNone;
using internal::PolicyData;
using internal::ResolvedResource;

// The resource after step 1, with the lower-cased copy the check path reads.
struct Resolved {
  std::string buf;
  ResolvedResource res;
};

Resolved Resolve(const PolicyData& d, std::string_view resource) {
  Resolved r;
  if (resource.size() > d.max_resource_bytes) return r;  // invalid: res.valid stays false
  r.buf.resize(resource.size());
  r.res = internal::ResolveResource(d, resource, r.buf.data());
  return r;
}

// Whether grant entry `g` lies on the path from the root to the resource.
bool OnPath(const PolicyData& d, const internal::GrantEntry& g, const ResolvedResource& res) {
  if (!res.is_scope) return false;
  const uint32_t key = d.nodes[res.node].pre;
  return g.pre <= key && key < g.end;
}

// Whether the extras can be honoured. The engine this file was written
// against takes no context or asserted groups yet: a context changes nothing
// (no rule carries a condition it evaluates), and asserted groups cannot be
// added to P, so a query carrying them allows nothing (the safe reading).
bool ExtrasSupported(const Context& context, const AssertedGroups& groups) {
  (void)context;
  return groups.size == 0;
}

Explanation ExplainOne(const PolicyData& d, uint32_t pid, uint32_t aid, const Resolved& r,
                       std::string_view resource) {
  return internal::Decide<true>(d, pid, aid, r.res, resource);
}

// Marks every principal that holds a rule able to grant `aid` at `r`.
std::vector<uint8_t> Granters(const PolicyData& d, uint32_t aid, const Resolved& r) {
  std::vector<uint8_t> granter(d.principals.size(), 0);
  const bool restricted = d.action_flags[aid] & internal::kActionRestricted;
  for (uint32_t p = 0; p < d.principals.size(); ++p) {
    const internal::PrincipalInfo& pi = d.principals[p];
    for (uint32_t i = pi.grants_begin; i < pi.grants_end && !granter[p]; ++i)
      if (d.SetHas(d.grants[i].set, aid) && OnPath(d, d.grants[i], r.res)) granter[p] = 1;
    if (restricted) continue;  // statements never grant effective_only_at actions
    for (uint32_t k = pi.stmts_begin; k < pi.stmts_end && !granter[p]; ++k) {
      const internal::StatementEntry& s = d.statements[d.principal_statements[k]];
      if (!s.deny && d.SetHas(s.set, aid)) granter[p] = 1;
    }
  }
  return granter;
}

}  // namespace

std::vector<PrincipalAllowed> WhoCan(const Policy& policy, std::string_view action,
                                     std::string_view resource, Context context, AssertedGroups groups) {
  std::vector<PrincipalAllowed> out;
  const PolicyData& d = policy.data();
  if (!ExtrasSupported(context, groups)) return out;
  const uint32_t aid = internal::FindAction(d, action);
  if (aid == kNone) return out;
  const Resolved r = Resolve(d, resource);
  if (!r.res.valid) return out;
  const std::vector<uint8_t> granter = Granters(d, aid, r);
  if (std::find(granter.begin(), granter.end(), 1) == granter.end()) return out;
  for (uint32_t q = 0; q < d.principals.size(); ++q) {
    const internal::PrincipalInfo& qi = d.principals[q];
    bool candidate = false;
    for (uint32_t k = qi.closure_begin; k < qi.closure_end && !candidate; ++k) candidate = granter[d.closure[k]];
    if (!candidate) continue;
    const Explanation ex = ExplainOne(d, q, aid, r, resource);
    if (ex.decision.allowed)
      out.push_back(PrincipalAllowed{d.principal_names[q], ex.decision.reason, ex.kind, ex.rule});
  }
  std::sort(out.begin(), out.end(),
            [](const PrincipalAllowed& a, const PrincipalAllowed& b) { return a.principal < b.principal; });
  return out;
}

std::vector<ActionAllowed> WhatCan(const Policy& policy, std::string_view principal,
                                   std::string_view resource, Context context, AssertedGroups groups) {
  std::vector<ActionAllowed> out;
  const PolicyData& d = policy.data();
  if (principal.empty() || !ExtrasSupported(context, groups)) return out;
  const uint32_t pid = internal::FindPrincipal(d, principal);
  const Resolved r = Resolve(d, resource);
  if (!r.res.valid || pid == kNone) return out;  // an unknown principal holds nothing
  // The action sets of the closure's rules that could allow here.
  std::vector<uint32_t> sets;
  const internal::PrincipalInfo& pi = d.principals[pid];
  for (uint32_t k = pi.closure_begin; k < pi.closure_end; ++k) {
    const internal::PrincipalInfo& mi = d.principals[d.closure[k]];
    for (uint32_t i = mi.grants_begin; i < mi.grants_end; ++i)
      if (OnPath(d, d.grants[i], r.res)) sets.push_back(d.grants[i].set);
    for (uint32_t s = mi.stmts_begin; s < mi.stmts_end; ++s) {
      const internal::StatementEntry& st = d.statements[d.principal_statements[s]];
      if (!st.deny) sets.push_back(st.set);
    }
  }
  std::sort(sets.begin(), sets.end());
  sets.erase(std::unique(sets.begin(), sets.end()), sets.end());
  if (sets.empty()) return out;
  for (uint32_t a = 0; a < d.action_names.size(); ++a) {
    bool candidate = false;
    for (uint32_t s : sets)
      if (d.SetHas(s, a)) { candidate = true; break; }
    if (!candidate) continue;
    const Explanation ex = ExplainOne(d, pid, a, r, resource);
    if (ex.decision.allowed) out.push_back(ActionAllowed{d.action_names[a], ex.decision.reason, ex.kind, ex.rule});
  }
  std::sort(out.begin(), out.end(), [](const ActionAllowed& a, const ActionAllowed& b) { return a.action < b.action; });
  return out;
}

}  // namespace rolegate
