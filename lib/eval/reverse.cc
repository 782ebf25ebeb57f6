// lib/eval/reverse.cc — who_can and what_can (SPEC §14).
//
// Exactness comes from running the check path's own Explain (Decide) on
// every candidate; the table only narrows the candidates. Allowing needs a
// grant (step 6, conditional or not) or an Allow statement (step 7) held by
// a member of P, so:
//  - what_can: only actions in the set of some grant on the resource's path,
//    or of some Allow statement, of a member of P can be allowed;
//  - who_can: only principals whose P holds a principal with a grant on the
//    path or an Allow statement whose set has the action can be allowed
//    (every principal, when an asserted group's closure holds one).
// A candidate the narrowing keeps but check denies is simply dropped.
#include <algorithm>
#include <string>
#include <vector>

#include "eval/policy_access.h"
#include "rolegate/internal/check-inl.h"
#include "rolegate/review.h"

namespace rolegate {
namespace {

using internal::kNone;
using internal::Members;
using internal::PolicyData;
using internal::ResolvedResource;

const PolicyData& Data(const Policy& p) { return internal::PolicyAccess::Data(p); }

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

// Whether a rule at interval [pre, end) lies on the path from the root to the resource.
bool OnPath(const PolicyData& d, uint32_t pre, uint32_t end, const ResolvedResource& res) {
  if (!res.is_scope) return false;
  const uint32_t key = d.nodes[res.node].pre;
  return pre <= key && key < end;
}

// What every check of one reverse query shares: the validated extras.
bool ExtrasValid(const Context& context, const AssertedGroups& groups) {
  return (context.size == 0 || internal::ContextIsValid(context)) &&
         (groups.size == 0 || internal::GroupsAreValid(groups));
}

// P of `pid` with the asserted groups; `buf` holds the copy when there are
// groups and must outlive *p.
void MembersOf(const PolicyData& d, uint32_t pid, const AssertedGroups& groups, Members* p,
               internal::MemberBuffer* buf) {
  if (groups.size == 0) {
    p->View(d, pid);
    return;
  }
  buf->Add(d, pid, p);
  for (size_t i = 0; i < groups.size; ++i) buf->Add(d, internal::FindPrincipal(d, groups.ids[i]), p);
}

Explanation ExplainOne(const PolicyData& d, const Members& p, uint32_t aid, const Resolved& r,
                       std::string_view resource, internal::QueryState* qs) {
  internal::Step st{d, p, aid, r.res, resource, qs};
  return internal::Decide<true>(st);
}

// Whether principal `p` holds a rule able to grant `aid` at `r`.
bool HoldsGrant(const PolicyData& d, uint32_t p, uint32_t aid, const Resolved& r, bool restricted) {
  const internal::PrincipalInfo& pi = d.principals[p];
  for (uint32_t i = pi.grants_begin; i < pi.grants_end; ++i)
    if (d.SetHas(d.grants[i].set, aid) && OnPath(d, d.grants[i].pre, d.grants[i].end, r.res)) return true;
  for (uint32_t i = d.cgrant_offsets[p], end = d.cgrant_offsets[p + 1]; i < end; ++i) {
    const internal::CondGrant& g = d.cond_grants[i];
    if (d.SetHas(g.set, aid) && OnPath(d, g.pre, g.end, r.res)) return true;
  }
  if (restricted) return false;  // statements never grant effective_only_at actions
  for (uint32_t k = pi.stmts_begin; k < pi.stmts_end; ++k) {
    const internal::StatementEntry& s = d.statements[d.principal_statements[k]];
    if (!s.deny && d.SetHas(s.set, aid)) return true;
  }
  return false;
}

bool AnyIn(const std::vector<uint8_t>& marks, const uint32_t* ids, uint32_t n) {
  for (uint32_t k = 0; k < n; ++k)
    if (marks[ids[k]]) return true;
  return false;
}

}  // namespace

std::vector<PrincipalAllowed> WhoCan(const Policy& policy, std::string_view action,
                                     std::string_view resource, Context context, AssertedGroups groups) {
  std::vector<PrincipalAllowed> out;
  const PolicyData& d = Data(policy);
  if (!ExtrasValid(context, groups)) return out;
  const uint32_t aid = internal::FindAction(d, action);
  if (aid == kNone) return out;
  const Resolved r = Resolve(d, resource);
  if (!r.res.valid) return out;
  const bool restricted = d.action_flags[aid] & internal::kActionRestricted;
  std::vector<uint8_t> granter(d.principals.size(), 0);
  bool any = false;
  for (uint32_t p = 0; p < d.principals.size(); ++p) any |= granter[p] = HoldsGrant(d, p, aid, r, restricted);
  if (!any) return out;
  // A granter among the asserted groups' closures makes every principal a candidate.
  Members asserted;
  internal::MemberBuffer asserted_buf;
  MembersOf(d, kNone, groups, &asserted, &asserted_buf);
  const bool everyone = AnyIn(granter, asserted.ids, asserted.n);
  internal::QueryState qs;
  qs.context = context.size != 0 ? &context : nullptr;
  for (uint32_t q = 0; q < d.principals.size(); ++q) {
    const internal::PrincipalInfo& qi = d.principals[q];
    if (!everyone && !AnyIn(granter, d.closure.data() + qi.closure_begin, qi.closure_end - qi.closure_begin))
      continue;
    Members p;
    internal::MemberBuffer buf;
    MembersOf(d, q, groups, &p, &buf);
    const Explanation ex = ExplainOne(d, p, aid, r, resource, &qs);
    if (ex.decision.allowed)
      out.push_back(PrincipalAllowed{d.principal_names[q], ex.decision.reason, ex.kind, ex.rule});
  }
  std::sort(out.begin(), out.end(),
            [](const PrincipalAllowed& a, const PrincipalAllowed& b) { return a.principal < b.principal; });
  return out;
}

namespace {

// The action sets of P's rules that could allow at `r`, sorted and unique.
std::vector<uint32_t> CandidateSets(const PolicyData& d, const Members& p, const Resolved& r) {
  std::vector<uint32_t> sets;
  for (uint32_t k = 0; k < p.n; ++k) {
    const internal::PrincipalInfo& mi = d.principals[p.ids[k]];
    for (uint32_t i = mi.grants_begin; i < mi.grants_end; ++i)
      if (OnPath(d, d.grants[i].pre, d.grants[i].end, r.res)) sets.push_back(d.grants[i].set);
    const uint32_t q = p.ids[k];
    for (uint32_t i = d.cgrant_offsets[q], end = d.cgrant_offsets[q + 1]; i < end; ++i)
      if (OnPath(d, d.cond_grants[i].pre, d.cond_grants[i].end, r.res)) sets.push_back(d.cond_grants[i].set);
    for (uint32_t s = mi.stmts_begin; s < mi.stmts_end; ++s) {
      const internal::StatementEntry& st = d.statements[d.principal_statements[s]];
      if (!st.deny) sets.push_back(st.set);
    }
  }
  std::sort(sets.begin(), sets.end());
  sets.erase(std::unique(sets.begin(), sets.end()), sets.end());
  return sets;
}

}  // namespace

std::vector<ActionAllowed> WhatCan(const Policy& policy, std::string_view principal,
                                   std::string_view resource, Context context, AssertedGroups groups) {
  std::vector<ActionAllowed> out;
  const PolicyData& d = Data(policy);
  if (principal.empty() || !ExtrasValid(context, groups)) return out;
  const Resolved r = Resolve(d, resource);
  if (!r.res.valid) return out;
  Members p;
  internal::MemberBuffer buf;
  MembersOf(d, internal::FindPrincipal(d, principal), groups, &p, &buf);
  const std::vector<uint32_t> sets = CandidateSets(d, p, r);
  if (sets.empty()) return out;
  internal::QueryState qs;
  qs.context = context.size != 0 ? &context : nullptr;
  for (uint32_t a = 0; a < d.action_names.size(); ++a) {
    bool candidate = false;
    for (uint32_t s : sets)
      if (d.SetHas(s, a)) { candidate = true; break; }
    if (!candidate) continue;
    const Explanation ex = ExplainOne(d, p, a, r, resource, &qs);
    if (ex.decision.allowed) out.push_back(ActionAllowed{d.action_names[a], ex.decision.reason, ex.kind, ex.rule});
  }
  std::sort(out.begin(), out.end(), [](const ActionAllowed& a, const ActionAllowed& b) { return a.action < b.action; });
  return out;
}

std::vector<std::string_view> NamedPrincipals(const Policy& policy) {
  const PolicyData& d = Data(policy);
  std::vector<std::string_view> out(d.principal_names.begin(), d.principal_names.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string_view> CatalogActions(const Policy& policy) {
  const PolicyData& d = Data(policy);
  return std::vector<std::string_view>(d.action_names.begin(), d.action_names.end());
}

RuleIds ListRules(const Policy& policy) {
  const PolicyData& d = Data(policy);
  RuleIds ids;
  ids.assignments.assign(d.assignment_ids.begin(), d.assignment_ids.end());
  ids.deny_assignments.assign(d.deny_ids.begin(), d.deny_ids.end());
  ids.statements.assign(d.statement_ids.begin(), d.statement_ids.end());
  return ids;
}

}  // namespace rolegate
