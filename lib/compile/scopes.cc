// lib/compile/scopes.cc — the scope tree: every scope the bundle names, numbered in pre-order so
// "A is an ancestor-or-self of N" is two integer compares.
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

uint32_t Compiler::InsertScope(std::string_view scope) {
  const std::string lower = AsciiLowerCopy(scope);
  if (lower.size() <= 1) return 0;  // the root
  // Most scopes repeat (many assignments share one), so try the whole path
  // first, then walk back to the deepest known ancestor: one or two probes
  // instead of one per prefix.
  auto whole = d().scope_paths.find(AbslView(lower));
  if (whole != d().scope_paths.end()) return whole->second;
  std::vector<size_t> ends;  // end of each prefix: position of the next '/', or size
  for (size_t i = 1; i < lower.size(); ++i)
    if (lower[i] == '/') ends.push_back(i);
  ends.push_back(lower.size());
  uint32_t node = 0;
  size_t known = 0;  // number of leading segments already in the tree
  for (size_t k = ends.size() - 1; k-- > 0;) {
    auto it = d().scope_paths.find(absl::string_view(lower.data(), ends[k]));
    if (it != d().scope_paths.end()) {
      node = it->second;
      known = k + 1;
      break;
    }
  }
  for (size_t k = known; k < ends.size(); ++k) {
    const uint32_t child = static_cast<uint32_t>(d().nodes.size());
    ScopeNode sn;
    sn.depth = d().nodes[node].depth + 1;  // path depth until NumberScopes
    d().nodes.push_back(sn);
    path_parent_.push_back(node);
    const std::string_view stored = d().arena.Add(std::string_view(lower.data(), ends[k]));
    node_path_.push_back(stored);
    d().scope_paths.emplace(AbslView(stored), child);
    d().max_depth = std::max(d().max_depth, sn.depth);
    node = child;
  }
  return node;
}

// SPEC §12: each scope_parents entry makes `parent` the parent of `scope`
// in place of its path parent. Both must be valid scopes; a scope has at
// most one explicit parent. Cycles (a parent below its own scope included)
// and depth are found when the tree is numbered.
void Compiler::BuildScopeParents() {
  LeakOnUnwind<absl::flat_hash_map<uint32_t, size_t>> seen;  // node -> index in scope_parents
  for (size_t i = 0; i < b_.scope_parents.size(); ++i) {
    const model::ScopeParent& sp = b_.scope_parents[i];
    const std::string ptr = JoinPointer("/scope_parents", i);
    if (!sp.valid) continue;
    bool ok = CheckScope(sp.scope, JoinPointer(ptr, "scope"));
    ok &= CheckScope(sp.parent, JoinPointer(ptr, "parent"));
    if (!ok) continue;
    if (sp.scope.s == "/") {
      sink_->Error(JoinPointer(ptr, "scope"), sp.scope.off, "the root \"/\" has no parent");
      continue;
    }
    const uint32_t node = InsertScope(sp.scope.s), parent = InsertScope(sp.parent.s);
    auto [it, fresh] = seen->emplace(node, i);
    if (!fresh) {
      sink_->Error(JoinPointer(ptr, "scope"), sp.scope.off,
                   absl::StrCat("scope \"", sp.scope.s, "\" already has a parent (at /scope_parents/",
                                it->second, ")"));
      continue;
    }
    explicit_parents_.push_back({node, parent, static_cast<uint32_t>(i)});
  }
}

// Pre-order numbering of the hierarchy: path parents, replaced by explicit
// ones. A node the walk from the root never reaches sits on a cycle.
void Compiler::NumberScopes() {
  std::vector<uint32_t> parent(path_parent_.size() + 1, kNone);
  for (size_t n = 1; n < parent.size(); ++n) parent[n] = path_parent_[n - 1];
  for (const ExplicitParent& e : explicit_parents_) parent[e.node] = e.parent;
  std::vector<std::vector<uint32_t>> kids(parent.size());
  for (uint32_t n = 1; n < parent.size(); ++n) kids[parent[n]].push_back(n);
  std::vector<uint8_t> seen(parent.size(), 0);
  uint32_t counter = 0;
  std::vector<std::pair<uint32_t, size_t>> stack{{0, 0}};
  d().nodes[0].pre = counter++;
  d().nodes[0].depth = 0;
  seen[0] = 1;
  while (!stack.empty()) {
    auto& [x, next] = stack.back();
    if (next < kids[x].size()) {
      const uint32_t c = kids[x][next++];
      seen[c] = 1;
      d().nodes[c].pre = counter++;
      d().nodes[c].depth = d().nodes[x].depth + 1;
      stack.push_back({c, 0});
    } else {
      d().nodes[x].end = counter;
      stack.pop_back();
    }
  }
  CheckHierarchy(seen);
}

// Errors of the numbered hierarchy: cycles and depth (SPEC §12).
void Compiler::CheckHierarchy(const std::vector<uint8_t>& seen) {
  for (const ExplicitParent& e : explicit_parents_) {
    const model::ScopeParent& sp = b_.scope_parents[e.index];
    const std::string ptr = JoinPointer("/scope_parents", e.index);
    if (!seen[e.node]) {
      sink_->Error(JoinPointer(ptr, "parent"), sp.parent.off,
                   absl::StrCat("scope parents form a cycle through \"", sp.scope.s,
                                "\" (a parent may not be the scope itself or below it)"));
    } else if (d().nodes[e.node].depth > lim_.max_scope_segments) {
      sink_->Error(JoinPointer(ptr, "parent"), sp.parent.off,
                   absl::StrCat("scope \"", sp.scope.s, "\" is ", d().nodes[e.node].depth,
                                " levels below \"/\"; the limit is ", lim_.max_scope_segments));
    }
  }
  // A node below an explicit parent can be deeper than any named with one.
  if (explicit_parents_.empty()) return;
  uint32_t deepest = 0;
  for (uint32_t n = 0; n < d().nodes.size(); ++n)
    if (seen[n]) deepest = std::max(deepest, d().nodes[n].depth);
  if (deepest > lim_.max_scope_segments && !sink_->has_errors())
    sink_->Error("/scope_parents", b_.scope_parents.front().off,
                 absl::StrCat("with its scope parents a scope lies ", deepest,
                              " levels below \"/\"; the limit is ", lim_.max_scope_segments));
}

}  // namespace rolegate::internal
