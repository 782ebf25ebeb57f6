// rolegate/internal/check-inl.h — the check path (SPEC §3), inline so that
// callers compiling against the headers get it fully inlined. No allocation
// (but for resources longer than the stack buffer, which only raised limits
// allow), no lock, no virtual call, no regex: hash probes, a binary search
// per member of P, bit tests, and statement globs only for principals that
// have statements.
#ifndef ROLEGATE_INTERNAL_CHECK_INL_H_
#define ROLEGATE_INTERNAL_CHECK_INL_H_

#include <algorithm>
#include <cstring>
#include <string>

#include "rolegate/internal/glob.h"
#include "rolegate/internal/policy_data.h"
#include "rolegate/internal/text.h"
#include "rolegate/policy.h"

namespace rolegate::internal {

inline constexpr size_t kStackResourceBytes = 4096;

// A resource after step 1: valid or not, and for a scope the deepest scope
// node the bundle knows on its path.
struct ResolvedResource {
  bool valid = false;
  bool is_scope = false;
  bool exact = false;   // the resource is exactly `node`
  uint32_t node = 0;
};

// Validates `r` per SPEC §3 step 1 and, for a scope, finds the deepest scope
// node the bundle knows on its path. `buf` receives the lower-cased resource
// (at least r.size() bytes).
//
// Known scopes are prefix-closed (every ancestor of a known scope is known),
// so "the first k segments name a known node" is true up to some depth and
// false after it: probe the deepest candidates first (the common case is the
// resource itself or its parent), then binary-search the rest. Each probe is
// one hash of a prefix of the lower-cased resource.
inline ResolvedResource ResolveResource(const PolicyData& d, std::string_view r, char* buf) {
  ResolvedResource out;
  const size_t n = r.size();
  if (n == 0 || n > d.max_resource_bytes) return out;
  bool ctl = false, high = false;
  uint32_t slash[kMaxScopeSegments + 1];
  uint32_t ns = 0;
  LowerAndScan(r.data(), n, buf, &ctl, &high, slash, kMaxScopeSegments + 1, &ns);
  if (ctl) return out;
  if (high && (!IsValidUtf8(r) || HasControlChar(r))) return out;
  if (r[0] != '/') {
    out.valid = true;
    return out;
  }
  out.is_scope = true;
  if (n == 1) {  // the root
    out.valid = out.exact = true;
    return out;
  }
  // One segment per '/'; segment k is buf[slash[k] + 1, slash[k + 1]).
  const uint32_t segments = ns;
  if (segments > d.max_query_segments) return out;
  slash[segments] = static_cast<uint32_t>(n);
  for (uint32_t k = 0; k < segments; ++k) {
    const uint32_t b = slash[k] + 1, len = slash[k + 1] - b;
    if (len == 0) return out;  // "//" or a trailing "/"
    if (buf[b] == '.' && (len == 1 || (len == 2 && buf[b + 1] == '.'))) return out;
  }
  out.valid = true;
  // probe(k): the node named by the first k segments, or kNone.
  auto probe = [&](uint32_t k) -> uint32_t {
    if (k == 0) return 0;
    auto it = d.scope_paths.find(absl::string_view(buf, slash[k]));
    return it == d.scope_paths.end() ? kNone : it->second;
  };
  const uint32_t hi = std::min(segments, d.max_depth);
  uint32_t node = probe(hi), depth = hi;
  if (node == kNone && hi >= 1) {
    depth = hi - 1;
    node = probe(depth);
    if (node == kNone) {
      // Deepest known depth is in [0, hi - 2]; depth 0 (the root) always is.
      uint32_t lo = 0, top = hi >= 2 ? hi - 2 : 0;
      node = 0;
      depth = 0;
      while (lo < top) {
        const uint32_t mid = lo + (top - lo + 1) / 2;
        const uint32_t m = probe(mid);
        if (m != kNone) { lo = mid; node = m; depth = mid; } else { top = mid - 1; }
      }
      if (lo != depth) { node = probe(lo); depth = lo; }
    }
  }
  out.node = node;
  out.exact = depth == segments;
  return out;
}

inline bool SortedContains(const uint32_t* b, const uint32_t* e, uint32_t x) {
  return std::binary_search(b, e, x);
}

// True when some member of P is in the sorted id range [b, e).
inline bool AnyMemberIn(const uint32_t* members, uint32_t n_members, const uint32_t* b,
                        const uint32_t* e) {
  if (b == e) return false;
  for (uint32_t i = 0; i < n_members; ++i)
    if (SortedContains(b, e, members[i])) return true;
  return false;
}

inline bool StatementMatches(const PolicyData& d, const StatementEntry& s, uint32_t action,
                             std::string_view resource, bool is_scope) {
  if (!d.SetHas(s.set, action)) return false;
  for (uint32_t g = s.globs_begin; g < s.globs_end; ++g)
    if (GlobMatch(d.statement_globs[g], resource, is_scope)) return true;
  return false;
}

// A statement of effect `deny` held by some member of P that matches, or
// kNone. With kExplain it is the first such statement in bundle order (each
// member's list is ascending); otherwise any, found as early as possible.
template <bool kExplain>
uint32_t MatchingStatement(const PolicyData& d, const uint32_t* members, uint32_t n_members, bool deny,
                           uint32_t action, std::string_view resource, bool is_scope) {
  uint32_t first = kNone;
  for (uint32_t m = 0; m < n_members; ++m) {
    const PrincipalInfo& mi = d.principals[members[m]];
    for (uint32_t k = mi.stmts_begin; k < mi.stmts_end; ++k) {
      const uint32_t si = d.principal_statements[k];
      if (kExplain && si >= first) break;  // ascending: later ones cannot win
      const StatementEntry& s = d.statements[si];
      if (s.deny != deny || !StatementMatches(d, s, action, resource, is_scope)) continue;
      if constexpr (!kExplain) return si;
      first = si;
      break;
    }
  }
  return first;
}

// Index of the last of the `count` ascending `keys` that is <= key, or
// kNone. Branch-free (the compare becomes a conditional move), so the cost
// is log2(count) dependent loads and no mispredicted branches.
inline uint32_t LastAtOrBefore(const uint32_t* keys, uint32_t count, uint32_t key) {
  if (count == 0) return kNone;
  const uint32_t* base = keys;
  uint32_t len = count;
  // The first key > `key` lies in [base, base + len]; halve that.
  while (len > 1) {
    const uint32_t half = len / 2;
    base += (base[half - 1] <= key) * half;  // arithmetic, not a branch
    len -= half;
  }
  const uint32_t first_after = static_cast<uint32_t>(base - keys) + (*base <= key ? 1 : 0);
  return first_after == 0 ? kNone : first_after - 1;
}

// Explain's order among matching (deny) assignments (SPEC §3): the deepest
// scope wins, ties go to the earlier one in bundle order.
inline bool Outranks(const PolicyData& d, uint32_t node, uint32_t order, uint32_t best_node,
                     uint32_t best_order) {
  const uint32_t depth = d.nodes[node].depth, best_depth = d.nodes[best_node].depth;
  return depth > best_depth || (depth == best_depth && order < best_order);
}

// Steps 2–8 of SPEC §3 with the principal and action already resolved and
// the resource already validated. kExplain also finds the deciding rule.
template <bool kExplain>
Explanation Decide(const PolicyData& d, uint32_t pid, uint32_t aid, const ResolvedResource& res,
                   std::string_view resource) {
  Explanation ex;
  ex.decision.allowed = false;
  const uint8_t flags = d.action_flags[aid];
  const uint32_t* members = nullptr;
  uint32_t n_members = 0;
  bool has_statements = false;
  if (pid != kNone) {
    const PrincipalInfo& pi = d.principals[pid];
    members = d.closure.data() + pi.closure_begin;
    n_members = pi.closure_end - pi.closure_begin;
    has_statements = pi.closure_has_statements;
  }
  const ScopeNode* nnode = res.is_scope ? &d.nodes[res.node] : nullptr;

  // Step 4: deny assignments.
  if (nnode && (flags & kActionDenied)) {
    uint32_t best = kNone;
    // Every entry of this chain is on the path (see ScopeNode::deny_top).
    for (uint32_t i = nnode->deny_top; i != kNone; i = d.denies[i].up) {
      const DenyEntry& e = d.denies[i];
      if (!d.SetHas(e.set, aid)) continue;
      if (e.self_only && !(res.exact && e.node == res.node)) continue;
      const uint32_t* pb = d.deny_principal_ids.data();
      if (!e.everyone && !AnyMemberIn(members, n_members, pb + e.principals_begin, pb + e.principals_end))
        continue;
      if (AnyMemberIn(members, n_members, pb + e.excludes_begin, pb + e.excludes_end)) continue;
      if constexpr (!kExplain) {
        ex.decision.reason = Reason::kDenyAssignment;
        return ex;
      }
      if (best == kNone || Outranks(d, e.node, e.deny, d.denies[best].node, d.denies[best].deny)) best = i;
    }
    if (kExplain && best != kNone) {
      ex.decision.reason = Reason::kDenyAssignment;
      ex.kind = RuleKind::kDenyAssignment;
      ex.rule = d.deny_ids[d.denies[best].deny];
      return ex;
    }
  }

  // Step 5: Deny statements of any member of P.
  if (has_statements) {
    const uint32_t si = MatchingStatement<kExplain>(d, members, n_members, /*deny=*/true, aid, resource,
                                                    res.is_scope);
    if (si != kNone) {
      ex.decision.reason = Reason::kDenyStatement;
      if constexpr (kExplain) {
        ex.kind = RuleKind::kStatement;
        ex.rule = d.statement_ids[si];
      }
      return ex;
    }
  }

  // Step 6: grants from assignments on the resource's path.
  bool ineffective = false;
  if (nnode) {
    const uint32_t key = nnode->pre;
    const bool restricted = flags & kActionRestricted;
    uint32_t best = kNone;  // index into d.grants
    // Members are taken a batch at a time: first every member's search
    // (independent, branch-free, so their cache misses overlap) with the
    // entry it lands on prefetched, then the walks.
    constexpr uint32_t kBatch = 16;
    uint32_t span_begin[kBatch], start[kBatch];
    for (uint32_t m0 = 0; m0 < n_members; m0 += kBatch) {
      const uint32_t batch = std::min(kBatch, n_members - m0);
      for (uint32_t j = 0; j < batch; ++j) {
        const PrincipalInfo& mi = d.principals[members[m0 + j]];
        span_begin[j] = mi.grants_begin;
        start[j] = LastAtOrBefore(d.grant_pre.data() + mi.grants_begin, mi.grants_end - mi.grants_begin, key);
        if (start[j] != kNone) __builtin_prefetch(&d.grants[mi.grants_begin + start[j]]);
      }
      for (uint32_t j = 0; j < batch; ++j) {
        const GrantEntry* g = d.grants.data() + span_begin[j];
        for (uint32_t i = start[j]; i != kNone; i = g[i].up) {
          const GrantEntry& e = g[i];
          if (key < e.pre || key >= e.end) continue;
          if (!d.SetHas(e.set, aid)) continue;
          const uint32_t gi = span_begin[j] + i;
          if (restricted && !d.effective_at.contains((uint64_t{d.grant_info[gi].node} << 32) | aid)) {
            ineffective = true;
            continue;
          }
          if constexpr (!kExplain) {
            ex.decision.allowed = true;
            ex.decision.reason = Reason::kGrant;
            return ex;
          }
          const GrantInfo& c = d.grant_info[gi];
          if (best == kNone ||
              Outranks(d, c.node, c.assignment, d.grant_info[best].node, d.grant_info[best].assignment))
            best = gi;
        }
      }
    }
    if (kExplain && best != kNone) {
      ex.decision.allowed = true;
      ex.decision.reason = Reason::kGrant;
      ex.kind = RuleKind::kAssignment;
      ex.rule = d.assignment_ids[d.grant_info[best].assignment];
      return ex;
    }
  }

  // Step 7: Allow statements (never for effective_only_at actions).
  if (has_statements && !(flags & kActionRestricted)) {
    const uint32_t si = MatchingStatement<kExplain>(d, members, n_members, /*deny=*/false, aid, resource,
                                                    res.is_scope);
    if (si != kNone) {
      ex.decision.allowed = true;
      ex.decision.reason = Reason::kStatement;
      if constexpr (kExplain) {
        ex.kind = RuleKind::kStatement;
        ex.rule = d.statement_ids[si];
      }
      return ex;
    }
  }

  // Step 8.
  ex.decision.reason = ineffective ? Reason::kNotEffectiveAtScope : Reason::kNoGrant;
  return ex;
}

inline uint32_t FindAction(const PolicyData& d, std::string_view action) {
  const size_t n = action.size();
  if (n == 0 || n > d.max_action_len) return kNone;
  char stack[256];
  std::string heap;
  char* buf = stack;
  if (n > sizeof(stack)) {
    heap.resize(n);
    buf = heap.data();
  }
  bool ctl, high;
  LowerAndScan(action.data(), n, buf, &ctl, &high);
  auto it = d.action_ids.find(absl::string_view(buf, n));
  return it == d.action_ids.end() ? kNone : it->second;
}

inline uint32_t FindPrincipal(const PolicyData& d, std::string_view principal) {
  auto it = d.principal_ids.find(AbslView(principal));
  return it == d.principal_ids.end() ? kNone : it->second;
}

// The whole of check by ids: step 1 on the resource, then Decide. `resource`
// longer than the stack buffer (only possible with raised limits) uses the heap.
template <bool kExplain>
Explanation CheckResolved(const PolicyData& d, uint32_t pid, uint32_t aid, std::string_view resource,
                          bool bad_ids = false) {
  Explanation ex;
  char stack[kStackResourceBytes];
  std::string heap;
  char* buf = stack;
  if (resource.size() > sizeof(stack) && resource.size() <= d.max_resource_bytes) {
    heap.resize(resource.size());
    buf = heap.data();
  }
  const ResolvedResource res = ResolveResource(d, resource, buf);
  if (!res.valid || bad_ids) {  // ids out of range: a caller bug, never an answer
    ex.decision.reason = Reason::kInvalidInput;
    return ex;
  }
  if (aid == kNone) {
    ex.decision.reason = Reason::kUnknownAction;
    return ex;
  }
  return Decide<kExplain>(d, pid, aid, res, resource);
}

template <bool kExplain>
Explanation CheckStrings(const PolicyData& d, std::string_view principal, std::string_view action,
                         std::string_view resource) {
  if (principal.empty()) {
    Explanation ex;
    ex.decision.reason = Reason::kInvalidInput;
    return ex;
  }
  // SPEC §3: a principal is invalid only when empty, and an undeclared
  // action is unknown_action, whatever their bytes; only the resource has
  // content rules (step 1, plus UTF-8 validity).
  const uint32_t aid = FindAction(d, action);
  const uint32_t pid = FindPrincipal(d, principal);
  return CheckResolved<kExplain>(d, pid, aid, resource);
}

}  // namespace rolegate::internal

namespace rolegate {

inline Decision Policy::Check(std::string_view principal, std::string_view action,
                              std::string_view resource) const {
  return internal::CheckStrings<false>(*data_, principal, action, resource).decision;
}

inline Explanation Policy::Explain(std::string_view principal, std::string_view action,
                                   std::string_view resource) const {
  return internal::CheckStrings<true>(*data_, principal, action, resource);
}

inline PrincipalId Policy::FindPrincipal(std::string_view principal) const {
  return internal::FindPrincipal(*data_, principal);
}

inline ActionId Policy::FindAction(std::string_view action) const {
  return internal::FindAction(*data_, action);
}

inline Decision Policy::CheckIds(PrincipalId principal, ActionId action,
                                 std::string_view resource) const {
  const internal::PolicyData& d = *data_;
  const bool bad_ids = (principal != kUnknownPrincipal && principal >= d.principals.size()) ||
                       (action != kUnknownAction && action >= d.action_names.size());
  return internal::CheckResolved<false>(d, principal, action, resource, bad_ids).decision;
}

}  // namespace rolegate

#endif  // ROLEGATE_INTERNAL_CHECK_INL_H_
