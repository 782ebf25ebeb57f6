// lib/compile/tables.cc — the per-principal arrays the check path reads: closures, grants
// sorted by pre-order with "up" links, denies likewise, each node's deepest deny.
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

void Compiler::FinishPrincipals() {
  d().principals.assign(d().principal_names.size(), PrincipalInfo{});
  BuildClosures();
  PlaceGrants();
  LinkDenies();
}

// Closure P of each principal: itself plus every group above it, sorted.
void Compiler::BuildClosures() {
  PolicyData& D = d();
  const size_t n = D.principal_names.size();
  std::vector<uint32_t> scratch;
  std::vector<uint32_t> mark(n, kNone);
  for (uint32_t p = 0; p < n; ++p) {
    scratch.clear();
    scratch.push_back(p);
    mark[p] = p;
    for (size_t k = 0; k < scratch.size(); ++k)
      for (uint32_t g : parents_[scratch[k]])
        if (mark[g] != p) {
          mark[g] = p;
          scratch.push_back(g);
        }
    std::sort(scratch.begin(), scratch.end());
    D.principals[p].closure_begin = static_cast<uint32_t>(D.closure.size());
    D.closure.insert(D.closure.end(), scratch.begin(), scratch.end());
    D.principals[p].closure_end = static_cast<uint32_t>(D.closure.size());
  }
}

// Grants grouped by principal (counting sort), then by pre-order, each with
// an "up" link to its nearest enclosing grant; and each principal's
// statements.
void Compiler::PlaceGrants() {
  PolicyData& D = d();
  const size_t n = D.principal_names.size();
  std::vector<uint32_t> count(n + 1, 0);
  for (const StagedGrant& g : staged_grants_) count[g.principal + 1]++;
  for (size_t p = 0; p < n; ++p) count[p + 1] += count[p];
  // Placed first as one record, sorted, then split into the hot and cold
  // arrays.
  struct Placed {
    GrantEntry e;
    GrantInfo info;
  };
  std::vector<Placed> placed(staged_grants_.size());
  std::vector<uint32_t> fill(count.begin(), count.end() - 1);
  for (const StagedGrant& g : staged_grants_) {
    const ScopeNode& sn = D.nodes[g.node];
    placed[fill[g.principal]++] = Placed{GrantEntry{sn.pre, sn.end, kNone, g.set}, GrantInfo{g.node, g.assignment}};
  }
  D.grants.resize(placed.size());
  D.grant_info.resize(placed.size());
  D.grant_pre.resize(placed.size());
  std::vector<uint32_t> stack;
  for (uint32_t p = 0; p < n; ++p) {
    PrincipalInfo& pi = D.principals[p];
    pi.grants_begin = count[p];
    pi.grants_end = count[p + 1];
    Placed* g = placed.data() + pi.grants_begin;
    const uint32_t m = pi.grants_end - pi.grants_begin;
    std::sort(g, g + m, [](const Placed& x, const Placed& y) {
      return x.e.pre != y.e.pre ? x.e.pre < y.e.pre : x.info.assignment < y.info.assignment;
    });
    stack.clear();
    for (uint32_t i = 0; i < m; ++i) {
      while (!stack.empty() && !(g[stack.back()].e.pre <= g[i].e.pre && g[i].e.pre < g[stack.back()].e.end))
        stack.pop_back();
      g[i].e.up = stack.empty() ? kNone : stack.back();
      stack.push_back(i);
      D.grants[pi.grants_begin + i] = g[i].e;
      D.grant_info[pi.grants_begin + i] = g[i].info;
      D.grant_pre[pi.grants_begin + i] = g[i].e.pre;
    }
    pi.stmts_begin = static_cast<uint32_t>(D.principal_statements.size());
    D.principal_statements.insert(D.principal_statements.end(), principal_stmts_[p].begin(),
                                  principal_stmts_[p].end());
    pi.stmts_end = static_cast<uint32_t>(D.principal_statements.size());
  }
  PlaceCondGrants();
  for (uint32_t p = 0; p < n; ++p) {
    PrincipalInfo& pi = D.principals[p];
    for (uint32_t k = pi.closure_begin; k < pi.closure_end; ++k) {
      const PrincipalInfo& m = D.principals[D.closure[k]];
      if (m.stmts_end > m.stmts_begin) pi.closure_has_statements = true;
      const uint32_t q = D.closure[k];
      if (D.cgrant_offsets[q + 1] > D.cgrant_offsets[q]) pi.closure_has_cgrants = true;
    }
  }
}

// Conditional grants grouped by principal (counting sort), in bundle order
// within each principal.
void Compiler::PlaceCondGrants() {
  PolicyData& D = d();
  const size_t n = D.principal_names.size();
  std::vector<uint32_t> count(n + 1, 0);
  for (const StagedCondGrant& g : staged_cond_grants_) count[g.principal + 1]++;
  for (size_t p = 0; p < n; ++p) count[p + 1] += count[p];
  std::vector<uint32_t> fill(count.begin(), count.end() - 1);
  D.cond_grants.resize(staged_cond_grants_.size());
  for (const StagedCondGrant& g : staged_cond_grants_) {
    const ScopeNode& sn = D.nodes[g.node];
    D.cond_grants[fill[g.principal]++] = CondGrant{sn.pre, sn.end, g.set, g.node, g.assignment, g.cond};
  }
  D.cgrant_offsets = std::move(count);
}

// Deny assignments sorted by pre-order with the same "up" links, and each
// node's deepest deny on its path.
void Compiler::LinkDenies() {
  PolicyData& D = d();
  std::vector<uint32_t> stack;
  std::sort(D.denies.begin(), D.denies.end(), [](const DenyEntry& x, const DenyEntry& y) {
    return x.pre != y.pre ? x.pre < y.pre : x.deny < y.deny;
  });
  for (uint32_t i = 0; i < D.denies.size(); ++i) {
    while (!stack.empty() &&
           !(D.denies[stack.back()].pre <= D.denies[i].pre && D.denies[i].pre < D.denies[stack.back()].end))
      stack.pop_back();
    D.denies[i].up = stack.empty() ? kNone : stack.back();
    stack.push_back(i);
  }
  // Each node's deepest deny on its path: nodes in pre-order against denies
  // in pre-order, one merge with the same enclosing-stack.
  std::vector<uint32_t> by_pre(D.nodes.size());
  for (uint32_t n = 0; n < D.nodes.size(); ++n) by_pre[D.nodes[n].pre] = n;
  stack.clear();
  uint32_t next = 0;
  for (uint32_t n : by_pre) {
    ScopeNode& sn = D.nodes[n];
    while (next < D.denies.size() && D.denies[next].pre <= sn.pre) stack.push_back(next++);
    while (!stack.empty() && D.denies[stack.back()].end <= sn.pre) stack.pop_back();
    sn.deny_top = stack.empty() ? kNone : stack.back();
  }
}

}  // namespace rolegate::internal
