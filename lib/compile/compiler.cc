// lib/compiler.cc — model::Bundle -> PolicyData (SPEC §2, §6): every semantic check,
// then the decision table described in rolegate/internal/policy_data.h.
//
// The compiler keeps going after an error so that one run reports them all;
// the table is built only when there are none.
#include <algorithm>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "model/loader.h"
#include "compile/compile.h"
#include "base/leak_on_unwind.h"
#include "rolegate/internal/glob.h"
#include "rolegate/internal/policy_data.h"
#include "rolegate/internal/text.h"
#include "base/scope.h"

namespace rolegate::internal {
namespace {

enum class Kind { kControl, kData, kAny };

using Bits = std::vector<uint64_t>;

class Compiler {
 public:
  Compiler(const model::Bundle& b, const Limits& lim, DiagSink* sink)
      : b_(b), lim_(lim), sink_(sink), d_(std::make_unique<PolicyData>()) {}

  std::unique_ptr<PolicyData> Run();

 private:
  // ---- catalog and patterns ----
  void BuildCatalog();
  // Adds the catalog actions `pattern` stands for (of `kind`) to `bits`.
  void Expand(const Str& pattern, const std::string& ptr, Kind kind, Bits* bits);
  void ExpandList(const StrList& list, const std::string& ptr, Kind kind, Bits* bits) {
    for (size_t i = 0; i < list.size(); ++i) Expand(list[i], JoinPointer(ptr, i), kind, bits);
  }
  // (actions ∩ kind − not_actions) ∪ (data_actions ∩ data − not_data_actions)
  Bits PermissionBits(const StrList& actions, const StrList& not_actions, const StrList& data_actions,
                      const StrList& not_data_actions, const std::string& ptr);
  uint32_t InternSet(const Bits& bits);
  void TransposeSets();

  // ---- principals and groups ----
  uint32_t Principal(std::string_view name);
  bool CheckNotStar(const Str& p, const std::string& ptr) {
    if (p.s == "*") {
      sink_->Error(ptr, p.off, "the principal \"*\" (everyone) is allowed only in deny_assignments[].principals");
      return false;
    }
    return true;
  }
  void BuildGroups();

  // ---- scopes ----
  bool CheckScope(const Str& s, const std::string& ptr) {
    std::string why = ScopeProblem(s.s, lim_.max_scope_segments, false);
    if (why.empty()) return true;
    sink_->Error(ptr, s.off, absl::StrCat("invalid scope \"", s.s, "\": ", why));
    return false;
  }
  uint32_t InsertScope(std::string_view scope);
  void NumberScopes();

  void BuildRoles();
  void BuildAssignments();
  void BuildDenies();
  void BuildStatements();
  void BuildEffective();
  void BuildClouds() { CompileClouds(b_, lim_, sink_, &d()); }
  void BuildRoutes() { CompileRoutes(b_, lim_, sink_, &d()); }
  void FinishPrincipals();

  template <typename T>
  void CheckUniqueIds(const std::vector<T>& list, const std::string& base, const char* what) {
    LeakOnUnwind<absl::flat_hash_map<std::string_view, size_t>> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      const Str& id = list[i].id;
      if (id.s.empty()) continue;
      auto [it, fresh] = seen->emplace(id.s, i);
      if (!fresh)
        sink_->Error(JoinPointer(JoinPointer(base, i), "id"), id.off,
                     absl::StrCat("duplicate ", what, " id \"", id.s, "\" (first at ",
                                  JoinPointer(base, it->second), ")"));
    }
  }

  const model::Bundle& b_;
  const Limits& lim_;
  DiagSink* sink_;
  std::unique_ptr<PolicyData> d_;
  PolicyData& d() { return *d_; }

  uint32_t n_actions_ = 0;
  std::vector<std::string> lower_names_;      // by action id
  std::vector<uint32_t> sorted_by_name_;      // action ids sorted by lower name
  absl::flat_hash_map<std::string, Bits> pattern_cache_;
  absl::flat_hash_map<std::string, uint32_t> set_ids_;  // set bits (as bytes) -> id
  // Lower-cased names of catalog entries rejected for another field: still
  // declared, so a role naming one gets no extra "not in the catalog".
  absl::flat_hash_set<std::string> rejected_actions_;
  uint32_t set_words_ = 0;          // words per set while compiling
  std::vector<uint64_t> set_bits_;  // set s: words [s*set_words_, (s+1)*set_words_)
  std::vector<std::vector<std::vector<std::string>>> effective_patterns_;  // by action id (restricted only)

  // principals
  std::vector<std::vector<uint32_t>> parents_;  // principal -> groups that list it
  std::vector<uint8_t> is_group_;

  // scopes
  std::vector<std::vector<uint32_t>> kids_;
  std::vector<std::string_view> node_path_;  // lower-cased path of node i + 1

  // roles
  absl::flat_hash_map<std::string_view, uint32_t> role_index_;
  std::vector<uint32_t> role_set_;
  std::vector<bool> role_assigned_;

  // per-assignment staging
  struct StagedGrant {
    uint32_t principal, node, set, assignment;
  };
  std::vector<StagedGrant> staged_grants_;
  std::vector<std::vector<uint32_t>> principal_stmts_;
};

// ---------------------------------------------------------------------------
// Catalog

void Compiler::BuildCatalog() {
  LeakOnUnwind<absl::flat_hash_map<std::string, size_t>> seen;  // lower name -> bundle index
  for (size_t i = 0; i < b_.actions.size(); ++i) {
    const model::Action& a = b_.actions[i];
    const std::string ptr = JoinPointer("/actions", i);
    std::string lower = AsciiLowerCopy(a.name.s);
    if (!a.valid) {
      if (!lower.empty()) rejected_actions_.insert(std::move(lower));
      continue;
    }
    if (IsGlob(a.name.s)) {
      sink_->Error(JoinPointer(ptr, "name"), a.name.off,
                   absl::StrCat("catalog action \"", a.name.s, "\" must not contain '*' or '?'"));
      continue;
    }
    auto [it, fresh] = seen->emplace(lower, i);
    if (!fresh) {
      sink_->Error(JoinPointer(ptr, "name"), a.name.off,
                   absl::StrCat("catalog action \"", a.name.s, "\" duplicates /actions/", it->second,
                                " (names compare case-insensitively)"));
      continue;
    }
    std::vector<std::vector<std::string>> patterns;
    bool patterns_ok = true;
    for (size_t k = 0; k < a.effective_only_at.size(); ++k) {
      const Str& p = a.effective_only_at[k];
      std::string why = ScopeProblem(p.s, lim_.max_scope_segments, /*pattern=*/true);
      if (!why.empty()) {
        sink_->Error(JoinPointer(JoinPointer(ptr, "effective_only_at"), k), p.off,
                     absl::StrCat("invalid effective_only_at pattern \"", p.s, "\": ", why));
        patterns_ok = false;
        continue;
      }
      patterns.push_back(LowerSegments(p.s));
    }
    if (!patterns_ok) {
      rejected_actions_.insert(std::move(lower));
      continue;
    }
    const uint32_t id = n_actions_++;
    std::string_view name = d().arena.Add(a.name.s);
    std::string_view key = d().arena.Add(lower);
    d().action_ids.emplace(AbslView(key), id);
    d().action_names.push_back(name);
    d().max_action_len = std::max(d().max_action_len, a.name.s.size());
    uint8_t flags = a.data ? kActionData : 0;
    if (a.has_effective_only_at) flags |= kActionRestricted;
    d().action_flags.push_back(flags);
    lower_names_.push_back(std::move(lower));
    effective_patterns_.push_back(std::move(patterns));
  }
  set_words_ = std::max<uint32_t>(1, (n_actions_ + 63) / 64);
  sorted_by_name_.resize(n_actions_);
  std::iota(sorted_by_name_.begin(), sorted_by_name_.end(), 0);
  std::sort(sorted_by_name_.begin(), sorted_by_name_.end(),
            [&](uint32_t x, uint32_t y) { return lower_names_[x] < lower_names_[y]; });
}

void Compiler::Expand(const Str& pattern, const std::string& ptr, Kind kind, Bits* bits) {
  const std::string lower = AsciiLowerCopy(pattern.s);
  if (!IsGlob(lower)) {
    auto it = d().action_ids.find(AbslView(lower));
    if (it == d().action_ids.end()) {
      if (!rejected_actions_.contains(lower))  // else its own entry's error says why
        sink_->Error(ptr, pattern.off, absl::StrCat("action \"", pattern.s, "\" is not in the catalog"));
      return;
    }
    const uint32_t id = it->second;
    const bool data = d().action_flags[id] & kActionData;
    if ((kind == Kind::kControl && data) || (kind == Kind::kData && !data)) {
      sink_->Warning(ptr, pattern.off,
                     absl::StrCat("\"", pattern.s, "\" is a ", data ? "data" : "control",
                                  " action listed as the other kind; it applies to nothing"));
      return;
    }
    (*bits)[id >> 6] |= uint64_t{1} << (id & 63);
    return;
  }
  // A glob: match it against the catalog once per distinct pattern, then
  // filter by kind. Candidates share the literal prefix before the first
  // wildcard, found by binary search over the sorted names.
  auto cached = pattern_cache_.find(lower);
  if (cached == pattern_cache_.end()) {
    Bits all(set_words_, 0);
    const std::string prefix = lower.substr(0, lower.find_first_of("*?"));
    auto lo = std::lower_bound(sorted_by_name_.begin(), sorted_by_name_.end(), prefix,
                               [&](uint32_t id, const std::string& p) { return lower_names_[id] < p; });
    for (auto it = lo; it != sorted_by_name_.end(); ++it) {
      const std::string& name = lower_names_[*it];
      if (name.compare(0, prefix.size(), prefix) != 0) break;
      if (GlobMatch(lower, name, false)) all[*it >> 6] |= uint64_t{1} << (*it & 63);
    }
    cached = pattern_cache_.emplace(lower, std::move(all)).first;
  }
  // SPEC §6 warns about "a pattern that matches no catalog action": one
  // that matches only actions of the other kind grants nothing here, but it
  // does match, so it is not warned about (as the reference implementation
  // behind shared/data counts them: 118 such patterns in the Azure bundle).
  bool any = false;
  const Bits& all = cached->second;
  for (uint32_t w = 0; w < set_words_; ++w) {
    any |= all[w] != 0;
    uint64_t word = all[w];
    if (kind != Kind::kAny && word) {
      // Keep only actions of the wanted kind.
      uint64_t keep = 0;
      for (uint64_t m = word; m; m &= m - 1) {
        const uint32_t id = w * 64 + static_cast<uint32_t>(__builtin_ctzll(m));
        const bool data = d().action_flags[id] & kActionData;
        if ((kind == Kind::kData) == data) keep |= m & -m;
      }
      word = keep;
    }
    (*bits)[w] |= word;
  }
  if (!any)
    sink_->Warning(ptr, pattern.off, absl::StrCat("pattern \"", pattern.s, "\" matches no catalog action"));
}

Bits Compiler::PermissionBits(const StrList& actions, const StrList& not_actions,
                              const StrList& data_actions, const StrList& not_data_actions,
                              const std::string& ptr) {
  const uint32_t w = set_words_;
  Bits a(w, 0), na(w, 0), da(w, 0), nda(w, 0);
  ExpandList(actions, JoinPointer(ptr, "actions"), Kind::kControl, &a);
  ExpandList(not_actions, JoinPointer(ptr, "not_actions"), Kind::kControl, &na);
  ExpandList(data_actions, JoinPointer(ptr, "data_actions"), Kind::kData, &da);
  ExpandList(not_data_actions, JoinPointer(ptr, "not_data_actions"), Kind::kData, &nda);
  Bits out(w);
  for (uint32_t i = 0; i < w; ++i) out[i] = (a[i] & ~na[i]) | (da[i] & ~nda[i]);
  return out;
}

uint32_t Compiler::InternSet(const Bits& bits) {
  std::string key(reinterpret_cast<const char*>(bits.data()), bits.size() * sizeof(uint64_t));
  auto [it, fresh] = set_ids_.emplace(std::move(key), static_cast<uint32_t>(set_ids_.size()));
  if (fresh) set_bits_.insert(set_bits_.end(), bits.begin(), bits.end());
  return it->second;
}

// ---------------------------------------------------------------------------
// Principals and groups

uint32_t Compiler::Principal(std::string_view name) {
  auto it = d().principal_ids.find(AbslView(name));
  if (it != d().principal_ids.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(d().principal_names.size());
  std::string_view stored = d().arena.Add(name);
  d().principal_ids.emplace(AbslView(stored), id);
  d().principal_names.push_back(stored);
  parents_.emplace_back();
  is_group_.push_back(0);
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
    is_group_[gid] = 1;
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

// ---------------------------------------------------------------------------
// Scopes

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

// ---------------------------------------------------------------------------
// Roles, assignments, deny assignments, statements

void Compiler::BuildRoles() {
  CheckUniqueIds(b_.roles, "/roles", "role");
  role_set_.assign(b_.roles.size(), kNone);
  role_assigned_.assign(b_.roles.size(), false);
  for (size_t i = 0; i < b_.roles.size(); ++i) {
    const model::Role& r = b_.roles[i];
    const std::string ptr = JoinPointer("/roles", i);
    if (!r.valid) continue;
    for (size_t k = 0; k < r.assignable_scopes.size(); ++k)
      CheckScope(r.assignable_scopes[k], JoinPointer(JoinPointer(ptr, "assignable_scopes"), k));
    Bits bits = PermissionBits(r.actions, r.not_actions, r.data_actions, r.not_data_actions, ptr);
    role_set_[i] = InternSet(bits);
    role_index_.emplace(r.id.s, i);  // first wins on duplicates (already an error)
    d().n_roles++;
  }
}

// True when `scope` is `base` or below it (segment-wise, case-insensitive).
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

void Compiler::BuildDenies() {
  CheckUniqueIds(b_.deny_assignments, "/deny_assignments", "deny assignment");
  struct Staged {
    DenyEntry e;
    std::vector<uint32_t> principals, excludes;
  };
  std::vector<Staged> staged;
  for (size_t i = 0; i < b_.deny_assignments.size(); ++i) {
    const model::DenyAssignment& x = b_.deny_assignments[i];
    const std::string ptr = JoinPointer("/deny_assignments", i);
    d().deny_ids.push_back(d().arena.Add(x.id.s));
    if (!x.valid) continue;
    bool ok = CheckScope(x.scope, JoinPointer(ptr, "scope"));
    Staged s{};
    for (const Str& p : x.principals) {
      if (p.s == "*") s.e.everyone = true;
      else s.principals.push_back(Principal(p.s));
    }
    for (size_t k = 0; k < x.exclude_principals.size(); ++k) {
      const Str& p = x.exclude_principals[k];
      if (CheckNotStar(p, JoinPointer(JoinPointer(ptr, "exclude_principals"), k)))
        s.excludes.push_back(Principal(p.s));
      else ok = false;
    }
    Bits bits = PermissionBits(x.actions, x.not_actions, x.data_actions, x.not_data_actions, ptr);
    if (!ok) continue;
    for (uint32_t a = 0; a < n_actions_; ++a)
      if ((bits[a >> 6] >> (a & 63)) & 1) d().action_flags[a] |= kActionDenied;
    s.e.set = InternSet(bits);
    s.e.node = InsertScope(x.scope.s);
    s.e.deny = static_cast<uint32_t>(i);
    s.e.self_only = !x.apply_to_children;
    staged.push_back(std::move(s));
  }
  if (sink_->has_errors()) return;
  NumberScopes();
  for (Staged& s : staged) {
    std::sort(s.principals.begin(), s.principals.end());
    std::sort(s.excludes.begin(), s.excludes.end());
    s.e.principals_begin = static_cast<uint32_t>(d().deny_principal_ids.size());
    d().deny_principal_ids.insert(d().deny_principal_ids.end(), s.principals.begin(), s.principals.end());
    s.e.principals_end = s.e.excludes_begin = static_cast<uint32_t>(d().deny_principal_ids.size());
    d().deny_principal_ids.insert(d().deny_principal_ids.end(), s.excludes.begin(), s.excludes.end());
    s.e.excludes_end = static_cast<uint32_t>(d().deny_principal_ids.size());
    s.e.pre = d().nodes[s.e.node].pre;
    s.e.end = d().nodes[s.e.node].end;
    d().denies.push_back(s.e);
  }
}

void Compiler::BuildStatements() {
  CheckUniqueIds(b_.statements, "/statements", "statement");
  for (size_t i = 0; i < b_.statements.size(); ++i) {
    const model::Statement& s = b_.statements[i];
    const std::string ptr = JoinPointer("/statements", i);
    d().statement_ids.push_back(d().arena.Add(s.id.s));
    StatementEntry e{};
    e.statement = static_cast<uint32_t>(i);
    if (s.valid) {
      bool ok = CheckNotStar(s.principal, JoinPointer(ptr, "principal"));
      if (s.effect.s != "Allow" && s.effect.s != "Deny") {
        sink_->Error(JoinPointer(ptr, "effect"), s.effect.off,
                     absl::StrCat("effect must be exactly \"Allow\" or \"Deny\", not \"", s.effect.s, "\""));
        ok = false;
      }
      // Statements are AWS-style: no control/data split, patterns reach both kinds.
      Bits bits(set_words_, 0);
      ExpandList(s.actions, JoinPointer(ptr, "actions"), Kind::kAny, &bits);
      if (ok) {
        e.deny = s.effect.s == "Deny";
        e.set = InternSet(bits);
        e.globs_begin = static_cast<uint32_t>(d().statement_globs.size());
        for (const Str& r : s.resources) d().statement_globs.push_back(d().arena.Add(r.s));
        e.globs_end = static_cast<uint32_t>(d().statement_globs.size());
        principal_stmts_[Principal(s.principal.s)].push_back(static_cast<uint32_t>(i));
      }
    }
    d().statements.push_back(e);
  }
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

// ---------------------------------------------------------------------------
// Per-principal tables

void Compiler::FinishPrincipals() {
  PolicyData& D = d();
  const size_t n = D.principal_names.size();
  D.principals.assign(n, PrincipalInfo{});

  // Closure P of each principal: itself plus every group above it.
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

  // Grants grouped by principal (counting sort), then by pre-order.
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
  for (uint32_t p = 0; p < n; ++p) {
    PrincipalInfo& pi = D.principals[p];
    for (uint32_t k = pi.closure_begin; k < pi.closure_end; ++k) {
      const PrincipalInfo& m = D.principals[D.closure[k]];
      if (m.stmts_end > m.stmts_begin) pi.closure_has_statements = true;
    }
  }

  // Deny assignments: sorted by pre-order with the same "up" links.
  std::sort(D.denies.begin(), D.denies.end(), [](const DenyEntry& x, const DenyEntry& y) {
    return x.pre != y.pre ? x.pre < y.pre : x.deny < y.deny;
  });
  stack.clear();
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

// The sets were built one bit row per set; queries want one row per action.
void Compiler::TransposeSets() {
  PolicyData& D = d();
  const size_t n_sets = set_ids_.size();
  D.set_row_words = static_cast<uint32_t>(std::max<size_t>(1, (n_sets + 63) / 64));
  D.action_sets.assign(size_t{n_actions_} * D.set_row_words, 0);
  for (size_t set = 0; set < n_sets; ++set) {
    const uint64_t* row = set_bits_.data() + set * set_words_;
    for (uint32_t w = 0; w < set_words_; ++w)
      for (uint64_t bits = row[w]; bits; bits &= bits - 1) {
        const size_t a = size_t{w} * 64 + static_cast<size_t>(__builtin_ctzll(bits));
        D.action_sets[a * D.set_row_words + set / 64] |= uint64_t{1} << (set % 64);
      }
  }
  std::vector<uint64_t>().swap(set_bits_);
}

std::unique_ptr<PolicyData> Compiler::Run() {
  PolicyData& D = d();
  D.max_resource_bytes = lim_.max_string_bytes;
  D.max_query_segments = lim_.max_scope_segments;
  D.nodes.push_back(ScopeNode{});  // the root
  kids_.emplace_back();
  BuildCatalog();
  BuildGroups();
  BuildRoles();
  BuildAssignments();
  BuildStatements();
  BuildClouds();
  BuildRoutes();
  BuildDenies();  // numbers the scope tree once every scope is in
  if (sink_->has_errors()) return nullptr;
  BuildEffective();
  FinishPrincipals();
  TransposeSets();
  return std::move(d_);
}

}  // namespace

std::unique_ptr<PolicyData> CompileBundle(const model::Bundle& b, const Limits& limits, DiagSink* sink) {
  // On std::bad_alloc the compiler and its half-built tables are leaked, not
  // destroyed (see leak_on_unwind.h).
  LeakOnUnwind<Compiler> c(b, limits, sink);
  return c->Run();
}

}  // namespace rolegate::internal
