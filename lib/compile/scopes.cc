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
    sn.parent = node;
    sn.depth = d().nodes[node].depth + 1;
    d().nodes.push_back(sn);
    kids_.emplace_back();
    kids_[node].push_back(child);
    const std::string_view stored = d().arena.Add(std::string_view(lower.data(), ends[k]));
    node_path_.push_back(stored);
    d().scope_paths.emplace(AbslView(stored), child);
    d().max_depth = std::max(d().max_depth, sn.depth);
    node = child;
  }
  return node;
}

void Compiler::NumberScopes() {
  // Iterative pre-order numbering.
  uint32_t counter = 0;
  std::vector<std::pair<uint32_t, size_t>> stack{{0, 0}};
  d().nodes[0].pre = counter++;
  while (!stack.empty()) {
    auto& [x, next] = stack.back();
    if (next < kids_[x].size()) {
      const uint32_t c = kids_[x][next++];
      d().nodes[c].pre = counter++;
      stack.push_back({c, 0});
    } else {
      d().nodes[x].end = counter;
      stack.pop_back();
    }
  }
}

}  // namespace rolegate::internal
