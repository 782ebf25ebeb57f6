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
#include <vector>

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

// P for one query (SPEC §3 step 3, §13): the principal's closure, plus the
// closure of each group the query asserts. Without asserted groups it views
// the principal's span of `closure` directly (no copy).
struct Members {
  const uint32_t* ids = nullptr;
  uint32_t n = 0;
  bool has_statements = false;  // some member has statements
  bool has_cgrants = false;     // some member has conditional grants

  void View(const PolicyData& d, uint32_t pid) {
    if (pid == kNone) return;
    const PrincipalInfo& pi = d.principals[pid];
    ids = d.closure.data() + pi.closure_begin;
    n = pi.closure_end - pi.closure_begin;
    has_statements = pi.closure_has_statements;
    has_cgrants = pi.closure_has_cgrants;
  }
};

// The closures of a principal and its asserted groups, copied: on the stack
// up to kStack ids, the heap past that. Only the asserted-groups path
// (CheckAsserted, out of line) makes one.
struct MemberBuffer {
  static constexpr uint32_t kStack = 256;
  uint32_t buf[kStack];
  std::vector<uint32_t> heap;
  void Add(const PolicyData& d, uint32_t pid, Members* m) {
    if (pid == kNone) return;
    const PrincipalInfo& pi = d.principals[pid];
    m->has_statements |= pi.closure_has_statements;
    m->has_cgrants |= pi.closure_has_cgrants;
    const uint32_t* b = d.closure.data() + pi.closure_begin;
    const uint32_t k = pi.closure_end - pi.closure_begin;
    if (heap.empty() && m->n + k <= kStack) {
      std::memcpy(buf + m->n, b, k * sizeof(uint32_t));
    } else {
      if (heap.empty()) heap.assign(buf, buf + m->n);
      heap.insert(heap.end(), b, b + k);
    }
    m->n += k;
    m->ids = heap.empty() ? buf : heap.data();
  }
};

// What the steps of one query share: the inputs, and what step 8 reads.
struct Step {
  const PolicyData& d;
  const Members& p;
  uint32_t aid;
  const ResolvedResource& res;
  std::string_view resource;
  QueryState* qs;
  bool ineffective = false;  // a grant counted but failed effective_only_at
  bool cond_failed = false;  // a grant or Allow statement matched but for its condition
};

inline bool StatementMatches(Step& st, const StatementEntry& s, bool deny) {
  if (s.deny != deny || !st.d.SetHas(s.set, st.aid)) return false;
  if (!MatchStatementResource(st.d, s, st.resource, st.res.is_scope, st.qs)) return false;
  if (s.cond == kNone || EvalCondition(st.d, s.cond, st.aid, st.qs)) return true;
  if (!deny) st.cond_failed = true;
  return false;
}

// A statement of effect `deny` held by some member of P that matches, or
// kNone. With kExplain it is the first such statement in bundle order (each
// member's list is ascending); otherwise any, found as early as possible.
template <bool kExplain>
[[gnu::always_inline]] inline uint32_t MatchingStatement(Step& st, bool deny) {
  const PolicyData& d = st.d;
  uint32_t first = kNone;
  for (uint32_t m = 0; m < st.p.n; ++m) {
    const PrincipalInfo& mi = d.principals[st.p.ids[m]];
    for (uint32_t k = mi.stmts_begin; k < mi.stmts_end; ++k) {
      const uint32_t si = d.principal_statements[k];
      if (kExplain && si >= first) break;  // ascending: later ones cannot win
      if (!StatementMatches(st, d.statements[si], deny)) continue;
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

// Explain's order among matching (deny) assignments (SPEC §3, §12): the
// deepest scope in the hierarchy wins, ties go to the earlier in bundle order.
inline bool Outranks(const PolicyData& d, uint32_t node, uint32_t order, uint32_t best_node,
                     uint32_t best_order) {
  const uint32_t depth = d.nodes[node].depth, best_depth = d.nodes[best_node].depth;
  return depth > best_depth || (depth == best_depth && order < best_order);
}

inline bool EffectiveAt(const PolicyData& d, uint32_t node, uint32_t aid) {
  return !(d.action_flags[aid] & kActionRestricted) || d.effective_at.contains((uint64_t{node} << 32) | aid);
}

// Whether deny entry `e` (on the resource's path) reaches P at the resource:
// it names everyone or a member of P, excludes no member of P, and a
// self-only entry applies only at its own node, exactly.
inline bool DenyReaches(const PolicyData& d, const DenyEntry& e, const ResolvedResource& res, const Members& p) {
  if (e.self_only && !(res.exact && e.node == res.node)) return false;
  const uint32_t* pb = d.deny_principal_ids.data();
  if (!e.everyone && !AnyMemberIn(p.ids, p.n, pb + e.principals_begin, pb + e.principals_end)) return false;
  return !AnyMemberIn(p.ids, p.n, pb + e.excludes_begin, pb + e.excludes_end);
}

// Step 4: the deny assignment that blocks the action, or kNone (with
// kExplain the deepest; otherwise the first found). Every entry of the
// node's chain is on the resource's path (see ScopeNode::deny_top).
template <bool kExplain>
[[gnu::always_inline]] inline uint32_t DenyingAssignment(Step& st) {
  const PolicyData& d = st.d;
  uint32_t best = kNone;
  for (uint32_t i = d.nodes[st.res.node].deny_top; i != kNone; i = d.denies[i].up) {
    const DenyEntry& e = d.denies[i];
    if (!d.SetHas(e.set, st.aid) || !DenyReaches(d, e, st.res, st.p)) continue;
    if (kExplain && best != kNone && !Outranks(d, e.node, e.deny, d.denies[best].node, d.denies[best].deny))
      continue;
    if (e.cond != kNone && !EvalCondition(d, e.cond, st.aid, st.qs)) continue;
    if constexpr (!kExplain) return i;
    best = i;
  }
  return best;
}

// Step 6 over unconditional grants: an index into d.grants of a grant that
// counts (with kExplain the deepest), or kNone. Members are taken a batch at
// a time: first every member's search (independent, branch-free, so their
// cache misses overlap) with the entry it lands on prefetched, then the walks.
template <bool kExplain>
[[gnu::always_inline]] inline uint32_t Granting(Step& st) {
  const PolicyData& d = st.d;
  const uint32_t key = d.nodes[st.res.node].pre;
  const bool restricted = d.action_flags[st.aid] & kActionRestricted;
  uint32_t best = kNone;
  constexpr uint32_t kBatch = 16;
  uint32_t span_begin[kBatch], start[kBatch];
  for (uint32_t m0 = 0; m0 < st.p.n; m0 += kBatch) {
    const uint32_t batch = std::min(kBatch, st.p.n - m0);
    for (uint32_t j = 0; j < batch; ++j) {
      const PrincipalInfo& mi = d.principals[st.p.ids[m0 + j]];
      span_begin[j] = mi.grants_begin;
      start[j] = LastAtOrBefore(d.grant_pre.data() + mi.grants_begin, mi.grants_end - mi.grants_begin, key);
      if (start[j] != kNone) __builtin_prefetch(&d.grants[mi.grants_begin + start[j]]);
    }
    for (uint32_t j = 0; j < batch; ++j) {
      const GrantEntry* g = d.grants.data() + span_begin[j];
      for (uint32_t i = start[j]; i != kNone; i = g[i].up) {
        const GrantEntry& e = g[i];
        if (key < e.pre || key >= e.end || !d.SetHas(e.set, st.aid)) continue;
        const uint32_t gi = span_begin[j] + i;
        // The cold grant_info is read only for restricted actions.
        if (restricted && !d.effective_at.contains((uint64_t{d.grant_info[gi].node} << 32) | st.aid)) {
          st.ineffective = true;
          continue;
        }
        if constexpr (!kExplain) return gi;
        const GrantInfo& c = d.grant_info[gi];
        if (best == kNone ||
            Outranks(d, c.node, c.assignment, d.grant_info[best].node, d.grant_info[best].assignment))
          best = gi;
      }
    }
  }
  return best;
}

// Step 6 over conditional grants (read only when no unconditional grant
// decided): an index into d.cond_grants of one that counts, or kNone; with
// kExplain the best one that outranks the unconditional `best_node/order`.
template <bool kExplain>
uint32_t CondGranting(Step& st, uint32_t best_node, uint32_t best_order) {
  const PolicyData& d = st.d;
  const uint32_t key = d.nodes[st.res.node].pre;
  uint32_t best = kNone;
  for (uint32_t m = 0; m < st.p.n; ++m) {
    const uint32_t q = st.p.ids[m];
    for (uint32_t k = d.cgrant_offsets[q], end = d.cgrant_offsets[q + 1]; k < end; ++k) {
      const CondGrant& g = d.cond_grants[k];
      if (key < g.pre || key >= g.end || !d.SetHas(g.set, st.aid)) continue;
      if (kExplain && best_node != kNone && !Outranks(d, g.node, g.assignment, best_node, best_order)) continue;
      const bool effective = EffectiveAt(d, g.node, st.aid);
      if (!EvalCondition(d, g.cond, st.aid, st.qs)) {
        // Failing both: it would not count even with its condition.
        if (effective) st.cond_failed = true;
        continue;
      }
      if (!effective) {
        st.ineffective = true;
        continue;
      }
      if constexpr (!kExplain) return k;
      best = k;
      best_node = g.node;
      best_order = g.assignment;
    }
  }
  return best;
}

inline Explanation Answer(bool allowed, Reason reason, RuleKind kind = RuleKind::kNone,
                          std::string_view rule = {}) {
  Explanation ex;
  ex.decision.allowed = allowed;
  ex.decision.reason = reason;
  ex.kind = kind;
  ex.rule = rule;
  return ex;
}

// Steps 4–8 of SPEC §3 with the principal and action resolved and the
// resource validated. kExplain also names the deciding rule.
template <bool kExplain>
[[gnu::always_inline]] inline Explanation Decide(Step& st) {
  const PolicyData& d = st.d;
  const uint8_t flags = d.action_flags[st.aid];
  if (st.res.is_scope && (flags & kActionDenied)) {  // step 4
    const uint32_t i = DenyingAssignment<kExplain>(st);
    if (i != kNone) return Answer(false, Reason::kDenyAssignment, RuleKind::kDenyAssignment, d.deny_ids[d.denies[i].deny]);
  }
  if (st.p.has_statements) {  // step 5
    const uint32_t si = MatchingStatement<kExplain>(st, /*deny=*/true);
    if (si != kNone) return Answer(false, Reason::kDenyStatement, RuleKind::kStatement, d.statement_ids[si]);
  }
  if (st.res.is_scope) {  // step 6
    const uint32_t gi = Granting<kExplain>(st);
    if (!kExplain && gi != kNone) return Answer(true, Reason::kGrant);
    uint32_t best_node = gi == kNone ? kNone : d.grant_info[gi].node;
    uint32_t best_order = gi == kNone ? kNone : d.grant_info[gi].assignment;
    uint32_t cg = kNone;
    if (st.p.has_cgrants && (kExplain || gi == kNone)) cg = CondGranting<kExplain>(st, best_node, best_order);
    if (cg != kNone) {
      return Answer(true, Reason::kGrant, RuleKind::kAssignment, d.assignment_ids[d.cond_grants[cg].assignment]);
    }
    if (gi != kNone) return Answer(true, Reason::kGrant, RuleKind::kAssignment, d.assignment_ids[best_order]);
  }
  if (st.p.has_statements && !(flags & kActionRestricted)) {  // step 7
    const uint32_t si = MatchingStatement<kExplain>(st, /*deny=*/false);
    if (si != kNone) return Answer(true, Reason::kStatement, RuleKind::kStatement, d.statement_ids[si]);
  }
  // Step 8.
  if (st.ineffective) return Answer(false, Reason::kNotEffectiveAtScope);
  return Answer(false, st.cond_failed ? Reason::kConditionNotMet : Reason::kNoGrant);
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

// Steps 4–8 with P the closure of the principal and of each asserted group
// (SPEC §13). Out of line: only queries that assert groups pay for the copy.
template <bool kExplain>
[[gnu::noinline]] Explanation CheckAsserted(const PolicyData& d, uint32_t pid, uint32_t aid,
                                            const ResolvedResource& res, std::string_view resource,
                                            const AssertedGroups& groups, const Context& context) {
  Members p;
  MemberBuffer buf;
  buf.Add(d, pid, &p);
  for (size_t i = 0; i < groups.size; ++i) buf.Add(d, FindPrincipal(d, groups.ids[i]), &p);
  QueryState qs;
  qs.context = context.size != 0 ? &context : nullptr;
  Step st{d, p, aid, res, resource, &qs};
  return Decide<kExplain>(st);
}

// The whole of check by ids: step 1 on the resource, the query's context
// and asserted groups (SPEC §10, §13), then Decide. `resource` longer than
// the stack buffer (only possible with raised limits) uses the heap.
template <bool kExplain>
Explanation CheckResolved(const PolicyData& d, uint32_t pid, uint32_t aid, std::string_view resource,
                          const AssertedGroups& groups = {}, const Context& context = {},
                          bool bad_ids = false) {
  char stack[kStackResourceBytes];
  std::string heap;
  char* buf = stack;
  if (resource.size() > sizeof(stack) && resource.size() <= d.max_resource_bytes) {
    heap.resize(resource.size());
    buf = heap.data();
  }
  const ResolvedResource res = ResolveResource(d, resource, buf);
  // Ids out of range are a caller bug, never an answer.
  if (!res.valid || bad_ids) return Answer(false, Reason::kInvalidInput);
  if (context.size != 0 && !ContextIsValid(context)) return Answer(false, Reason::kInvalidInput);
  if (groups.size != 0 && !GroupsAreValid(groups)) return Answer(false, Reason::kInvalidInput);
  if (aid == kNone) return Answer(false, Reason::kUnknownAction);
  if (groups.size != 0) return CheckAsserted<kExplain>(d, pid, aid, res, resource, groups, context);
  Members p;
  p.View(d, pid);
  QueryState qs;
  qs.context = context.size != 0 ? &context : nullptr;
  Step st{d, p, aid, res, resource, &qs};
  return Decide<kExplain>(st);
}

template <bool kExplain>
Explanation CheckQuery(const PolicyData& d, const Query& q) {
  // SPEC §3: a principal is invalid only when empty, and an undeclared
  // action is unknown_action, whatever their bytes; only the resource has
  // content rules (step 1, plus UTF-8 validity).
  if (q.principal.empty()) return Answer(false, Reason::kInvalidInput);
  return CheckResolved<kExplain>(d, FindPrincipal(d, q.principal), FindAction(d, q.action), q.resource,
                                 q.groups, q.context);
}

template <bool kExplain>
Explanation CheckStrings(const PolicyData& d, std::string_view principal, std::string_view action,
                         std::string_view resource) {
  Query q;
  q.principal = principal;
  q.action = action;
  q.resource = resource;
  return CheckQuery<kExplain>(d, q);
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

inline Decision Policy::Check(const Query& q) const { return internal::CheckQuery<false>(*data_, q).decision; }

inline Explanation Policy::Explain(const Query& q) const { return internal::CheckQuery<true>(*data_, q); }

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
  return internal::CheckResolved<false>(d, principal, action, resource, {}, {}, bad_ids).decision;
}

}  // namespace rolegate

#endif  // ROLEGATE_INTERNAL_CHECK_INL_H_
