// lib/compile/principals.cc — principals and groups (SPEC §2, §3 step 3, §9): ids, membership
// edges, cycles and the nesting-depth limit.
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

uint32_t Compiler::Principal(std::string_view name) {
  auto it = d().principal_ids.find(AbslView(name));
  if (it != d().principal_ids.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(d().principal_names.size());
  std::string_view stored = d().arena.Add(name);
  d().principal_ids.emplace(AbslView(stored), id);
  d().principal_names.push_back(stored);
  parents_.emplace_back();
  principal_stmts_.emplace_back();
  return id;
}

void Compiler::BuildGroups() {
  CheckUniqueIds(b_.groups, "/groups", "group");
  LeakOnUnwind<absl::flat_hash_set<std::string_view>> seen_group;
  std::vector<uint32_t> group_of_index(b_.groups.size(), kNone);
  for (size_t i = 0; i < b_.groups.size(); ++i) {
    const model::Group& g = b_.groups[i];
    const std::string ptr = JoinPointer("/groups", i);
    if (!g.valid || !seen_group->insert(g.id.s).second) continue;
    if (!CheckNotStar(g.id, JoinPointer(ptr, "id"))) continue;
    const uint32_t gid = Principal(g.id.s);
    group_of_index[i] = gid;
    d().n_groups++;
    if (g.members.empty()) sink_->Warning(ptr, g.off, absl::StrCat("group \"", g.id.s, "\" has no members"));
    for (size_t k = 0; k < g.members.size(); ++k) {
      const Str& m = g.members[k];
      if (!CheckNotStar(m, JoinPointer(JoinPointer(ptr, "members"), k))) continue;
      const uint32_t mid = Principal(m.s);
      if (std::find(parents_[mid].begin(), parents_[mid].end(), gid) == parents_[mid].end())
        parents_[mid].push_back(gid);
    }
  }
  // Cycles: depth-first over "is a member of" edges, iteratively.
  const size_t n = parents_.size();
  std::vector<uint8_t> color(n, 0);  // 0 new, 1 on stack, 2 done
  std::vector<uint32_t> depth(n, 0); // groups on the longest chain above
  bool cycle = false;
  for (size_t start = 0; start < n; ++start) {
    if (color[start]) continue;
    std::vector<std::pair<uint32_t, size_t>> stack{{static_cast<uint32_t>(start), 0}};
    color[start] = 1;
    while (!stack.empty()) {
      auto& [x, next] = stack.back();
      if (next < parents_[x].size()) {
        const uint32_t g = parents_[x][next++];
        if (color[g] == 1) {
          // Name the group where the cycle closes; keep searching so that
          // independent cycles are all reported.
          for (size_t i = 0; i < b_.groups.size(); ++i) {
            if (group_of_index[i] == g) {
              sink_->Error(JoinPointer(JoinPointer("/groups", i), "members"), b_.groups[i].off,
                           absl::StrCat("group membership cycle through \"", AbslView(d().principal_names[g]), "\""));
              break;
            }
          }
          cycle = true;
        } else if (color[g] == 0) {
          color[g] = 1;
          stack.push_back({g, 0});
        }
      } else {
        uint32_t dmax = 0;
        for (uint32_t g : parents_[x]) dmax = std::max(dmax, depth[g] + 1);
        depth[x] = dmax;
        color[x] = 2;
        stack.pop_back();
      }
    }
  }
  if (cycle) return;
  for (size_t i = 0; i < b_.groups.size(); ++i) {
    const uint32_t g = group_of_index[i];
    if (g == kNone) continue;
    // depth[g] counts groups above g; a member of g has depth[g] + 1 groups
    // above it (SPEC §9 counts groups above a principal, so a group with no
    // members adds no level of its own).
    if (!b_.groups[i].members.empty() && depth[g] + 1 > lim_.max_group_depth)
      sink_->Error(JoinPointer("/groups", i), b_.groups[i].off,
                   absl::StrCat("group nesting depth ", depth[g] + 1, " exceeds the limit of ",
                                lim_.max_group_depth));
  }
}

}  // namespace rolegate::internal
