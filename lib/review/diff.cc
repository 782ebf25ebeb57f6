// lib/review/diff.cc — diff(old, new) (SPEC §14), output-sensitive.
//
// A decision of (principal q, resource class c, action a) can differ only
// when something it reads changed. So the diff first lists the changes and,
// for each, the (q, c, a) it can touch; only those are re-decided, on both
// compiled policies, by check itself (so the rows are exact):
//  - an assignment, deny assignment or statement added, removed or changed
//    (by id and content; an assignment also through its role's content):
//    the principals whose closure holds its principal (or, for a deny to
//    everyone, all), the classes under its scope (all for a statement, whose
//    resource globs may match any scope), the actions its set covers;
//  - a group whose members changed: each principal below it in either
//    bundle, for the rules held by the groups that entered or left its
//    closure;
//  - a catalog entry added, removed or changed (data, effective_only_at):
//    that action, everywhere;
//  - a scope parent added, removed or changed: the subtree below it, all actions.
// Principals whose closure holds no grant and no statement in either bundle
// are denied everything in both and are skipped. Identical or shuffled
// bundles produce no change, hence no work.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "compile/compile.h"
#include "review/diff_keys.h"
#include "eval/policy_access.h"
#include "model/loader.h"
#include "rolegate/internal/check-inl.h"
#include "rolegate/internal/text.h"
#include "rolegate/review.h"

namespace rolegate {
namespace {

using internal::AbslView;
using internal::AsciiLowerCopy;
using internal::kNone;
using Bits = std::vector<uint64_t>;

enum RuleKindIx : uint8_t { kAsg = 0, kDeny = 1, kStmt = 2 };
struct RuleRef {
  uint8_t kind;
  uint32_t index;
};

// One bundle, loaded (model) and compiled (policy), with the indexes the
// diff reads.
struct Side {
  model::Bundle b;
  std::unique_ptr<Policy> p;
  absl::flat_hash_map<std::string, std::string> parent;  // lower scope -> lower explicit parent
  absl::flat_hash_map<std::string, std::vector<std::string>> members, groups_of;
  absl::flat_hash_map<std::string, size_t> role_by_id;
  std::vector<std::string> role_keys;  // RoleKey by role index, made once
  absl::flat_hash_map<std::string, std::vector<RuleRef>> held;  // principal -> rules naming it
  std::vector<std::vector<uint32_t>> asg_sets;  // compiled action sets (one per permission block) by bundle index
  std::vector<uint32_t> deny_set;               // compiled action set by bundle index
  std::vector<uint8_t> can_allow;           // by principal id: closure holds a grant or statement
  std::vector<uint32_t> to_union;           // side action id -> union action id
};

struct ScopeEntry {
  std::string lower, display;
};

struct Universe {
  std::vector<std::string> actions;  // display spelling, by union id
  absl::flat_hash_map<std::string, uint32_t> action_index;  // lower -> union id
  std::vector<uint32_t> old_id, new_id;  // union id -> side id or kNone
  std::vector<std::string> principals;  // sorted
  std::vector<ScopeEntry> scopes;       // sorted by lower
  absl::flat_hash_map<std::string, uint32_t> scope_index;
  std::string segment;
  size_t words = 0;
  bool parents = false;  // either bundle has scope_parents
};

struct Item {
  std::string root;  // lower scope; "/" = every class
  Bits actions;
};

struct Plan {
  std::vector<Item> items;
  std::vector<uint32_t> global;  // items for every principal
  absl::flat_hash_map<std::string, std::vector<uint32_t>> per;
  std::vector<RuleChange> rules;
};

// ---- loading -------------------------------------------------------------------

const internal::PolicyData& Table(const Side& s) { return internal::PolicyAccess::Data(*s.p); }

void IndexRules(Side* s) {
  const model::Bundle& b = s->b;
  for (size_t i = 0; i < b.roles.size(); ++i) {
    s->role_by_id.emplace(b.roles[i].id.s, i);
    s->role_keys.push_back(internal::RoleKey(b.roles[i]));
  }
  for (const model::Group& g : b.groups) {
    auto& m = s->members[g.id.s];
    for (const model::Str& x : g.members) {
      m.push_back(x.s);
      s->groups_of[x.s].push_back(g.id.s);
    }
  }
  for (const model::ScopeParent& sp : b.scope_parents)
    s->parent[AsciiLowerCopy(sp.scope.s)] = AsciiLowerCopy(sp.parent.s);
  for (uint32_t i = 0; i < b.assignments.size(); ++i) s->held[b.assignments[i].principal.s].push_back({kAsg, i});
  for (uint32_t i = 0; i < b.deny_assignments.size(); ++i) {
    for (const model::Str& x : b.deny_assignments[i].principals)
      if (x.s != "*") s->held[x.s].push_back({kDeny, i});
    for (const model::Str& x : b.deny_assignments[i].exclude_principals) s->held[x.s].push_back({kDeny, i});
  }
  for (uint32_t i = 0; i < b.statements.size(); ++i) s->held[b.statements[i].principal.s].push_back({kStmt, i});
}

void IndexTable(Side* s) {
  const internal::PolicyData& d = Table(*s);
  s->asg_sets.assign(s->b.assignments.size(), {});
  for (size_t i = 0; i < d.grants.size(); ++i) s->asg_sets[d.grant_info[i].assignment].push_back(d.grants[i].set);
  for (const internal::CondGrant& g : d.cond_grants) s->asg_sets[g.assignment].push_back(g.set);
  s->deny_set.assign(s->b.deny_assignments.size(), kNone);
  for (const internal::DenyEntry& e : d.denies) s->deny_set[e.deny] = e.set;
  s->can_allow.assign(d.principals.size(), 0);
  for (size_t p = 0; p < d.principals.size(); ++p) {
    const internal::PrincipalInfo& pi = d.principals[p];
    for (uint32_t k = pi.closure_begin; k < pi.closure_end; ++k) {
      const uint32_t q = d.closure[k];
      const internal::PrincipalInfo& m = d.principals[q];
      if (m.grants_end > m.grants_begin || d.cgrant_offsets[q + 1] > d.cgrant_offsets[q] ||
          m.stmts_end > m.stmts_begin)
        s->can_allow[p] = 1;
    }
  }
}

// Loads the model once and compiles the table from it (Compile would load
// it again), reporting as Compile does.
absl::Status LoadSide(std::string_view json, const char* which, Side* s, std::vector<Diagnostic>* diags) {
  internal::DiagSink sink;
  std::unique_ptr<internal::PolicyData> data;
  try {
    if (internal::LoadBundle(json, Limits{}, &s->b, &sink)) data = internal::CompileBundle(s->b, Limits{}, &sink);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(absl::StrCat(which, " bundle: out of memory while compiling"));
  }
  if (!data && !sink.has_errors()) sink.Error("", 0, "bundle could not be loaded");
  const size_t errors = sink.errors();
  std::vector<Diagnostic> all = sink.Finish(json);
  std::string first;
  for (const Diagnostic& d : all)
    if (d.severity == Severity::kError && first.empty()) first = FormatDiagnostic(d);
  if (diags) *diags = std::move(all);
  if (errors > 0 || !data)
    return absl::InvalidArgumentError(absl::StrCat(which, " bundle rejected with ", errors, " error",
                                                   errors == 1 ? "" : "s", "; first: ", first));
  s->p = internal::PolicyAccess::Make(std::move(data));
  IndexRules(s);
  IndexTable(s);
  return absl::OkStatus();
}

// ---- the universe: principals, actions, classes ------------------------------------

void AddActions(Side* s, Universe* u, bool is_new) {
  const internal::PolicyData& d = Table(*s);
  s->to_union.resize(d.action_names.size());
  for (uint32_t a = 0; a < d.action_names.size(); ++a) {
    const std::string lower = AsciiLowerCopy(d.action_names[a]);
    auto [it, fresh] = u->action_index.emplace(lower, static_cast<uint32_t>(u->actions.size()));
    if (fresh) {
      u->actions.emplace_back(d.action_names[a]);
      u->old_id.push_back(kNone);
      u->new_id.push_back(kNone);
    } else if (is_new) {
      u->actions[it->second] = std::string(d.action_names[a]);  // the new spelling wins
    }
    (is_new ? u->new_id : u->old_id)[it->second] = a;
    s->to_union[a] = it->second;
  }
}

void AddScopes(const model::Bundle& b, absl::flat_hash_map<std::string, std::string>* scopes) {
  auto add = [&](const model::Str& s) { scopes->emplace(AsciiLowerCopy(s.s), s.s); };
  for (const auto& a : b.assignments) add(a.scope);
  for (const auto& d : b.deny_assignments) add(d.scope);
  for (const auto& sp : b.scope_parents) add(sp.scope), add(sp.parent);
  for (const auto& r : b.roles)
    for (const auto& s : r.assignable_scopes) add(s);
}

// The first "rolegate-below[-N]" no scope segment and no statement pattern holds.
std::string BelowSegment(const Side& o, const Side& n, const Universe& u) {
  std::vector<std::string> texts;
  for (const Side* s : {&o, &n})
    for (const auto& st : s->b.statements)
      for (const auto& r : st.resources) texts.push_back(AsciiLowerCopy(r.s));
  for (int k = 0;; ++k) {
    const std::string seg = k == 0 ? "rolegate-below" : absl::StrCat("rolegate-below-", k);
    bool used = false;
    for (const ScopeEntry& e : u.scopes) used |= e.lower.find(seg) != std::string::npos;
    for (const std::string& t : texts) used |= t.find(seg) != std::string::npos;
    if (!used) return seg;
  }
}

Universe BuildUniverse(Side* o, Side* n) {
  Universe u;
  AddActions(o, &u, false);
  AddActions(n, &u, true);
  u.words = (u.actions.size() + 63) / 64;
  std::set<std::string> ps;
  for (const Side* s : {o, n})
    for (std::string_view p : Table(*s).principal_names) ps.emplace(p);
  u.principals.assign(ps.begin(), ps.end());
  absl::flat_hash_map<std::string, std::string> scopes;
  AddScopes(n->b, &scopes);  // first: the new spelling wins
  AddScopes(o->b, &scopes);
  u.scopes.reserve(scopes.size());
  for (auto& [lower, display] : scopes) u.scopes.push_back(ScopeEntry{lower, display});
  u.parents = !o->parent.empty() || !n->parent.empty();
  u.segment = BelowSegment(*o, *n, u);
  return u;
}

// ---- hierarchy -------------------------------------------------------------------

absl::string_view PathParent(absl::string_view s) {
  const size_t k = s.rfind('/');
  return k == 0 ? absl::string_view("/") : s.substr(0, k);
}

// Whether `root` is an ancestor-or-self of `s` (both lower-cased) in the
// hierarchy of `side` (null: by path alone).
bool UnderIn(const Side* side, absl::string_view root, absl::string_view s) {
  for (int steps = 0; steps < 100000; ++steps) {  // cycles are compile errors; bound anyway
    if (s == root) return true;
    if (s == "/" || s.empty()) return false;
    if (side != nullptr) {
      auto it = side->parent.find(s);
      if (it != side->parent.end()) {
        s = it->second;
        continue;
      }
    }
    s = PathParent(s);
  }
  return false;
}

class Subtrees {
 public:
  Subtrees(const Side& o, const Side& n, const Universe& u) : o_(o), n_(n), u_(u) {}
  // Scope indexes at or below `root` in either bundle's hierarchy or by path.
  const std::vector<uint32_t>& Of(const std::string& root) {
    auto it = cache_.find(root);
    if (it != cache_.end()) return it->second;
    std::vector<uint32_t>& out = cache_[root];
    if (root == "/") {
      for (uint32_t i = 0; i < u_.scopes.size(); ++i) out.push_back(i);
    } else if (!u_.parents) {  // by path: root itself, then the contiguous run of "root/..."
      auto self = u_.scope_index.find(root);
      if (self != u_.scope_index.end()) out.push_back(self->second);
      const std::string prefix = root + "/";
      auto lo = std::lower_bound(u_.scopes.begin(), u_.scopes.end(), prefix,
                                 [](const ScopeEntry& e, const std::string& k) { return e.lower < k; });
      for (; lo != u_.scopes.end() && lo->lower.compare(0, prefix.size(), prefix) == 0; ++lo)
        out.push_back(static_cast<uint32_t>(lo - u_.scopes.begin()));
    } else {
      for (uint32_t i = 0; i < u_.scopes.size(); ++i) {
        const std::string& s = u_.scopes[i].lower;
        if (UnderIn(&o_, root, s) || UnderIn(&n_, root, s) || UnderIn(nullptr, root, s)) out.push_back(i);
      }
    }
    return out;
  }

 private:
  const Side& o_;
  const Side& n_;
  const Universe& u_;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> cache_;
};

// ---- the plan: which (principal, class, action) each change can touch -------------

const char* KindName(uint8_t k) { return k == kAsg ? "assignment" : k == kDeny ? "deny_assignment" : "statement"; }

class Planner {
 public:
  Planner(const Side& o, const Side& n, const Universe& u, Plan* plan) : o_(o), n_(n), u_(u), plan_(plan) {}
  void Run() {
    Rules(kAsg);
    Rules(kDeny);
    Rules(kStmt);
    Groups();
    Catalog();
    Parents();
  }

 private:
  Bits Empty() const { return Bits(u_.words, 0); }
  static void Set(Bits* b, uint32_t i) { (*b)[i >> 6] |= uint64_t{1} << (i & 63); }

  // Compiled action sets as union action bits.
  Bits SetBits(const Side& s, const std::vector<uint32_t>& sets) const {
    Bits b = Empty();
    const internal::PolicyData& d = Table(s);
    for (uint32_t set : sets) {
      if (set == kNone) continue;
      for (uint32_t a = 0; a < d.action_names.size(); ++a)
        if (d.SetHas(set, a)) Set(&b, s.to_union[a]);
    }
    return b;
  }
  Bits RuleBits(const Side& s, RuleRef r) const {
    if (r.kind == kAsg) return SetBits(s, s.asg_sets[r.index]);
    if (r.kind == kDeny) return SetBits(s, {s.deny_set[r.index]});
    return SetBits(s, {Table(s).statements[r.index].set});
  }
  // Statements match resources by glob, so any class may be touched.
  static std::string RuleRoot(const Side& s, RuleRef r) {
    if (r.kind == kAsg) return AsciiLowerCopy(s.b.assignments[r.index].scope.s);
    if (r.kind == kDeny) return AsciiLowerCopy(s.b.deny_assignments[r.index].scope.s);
    return "/";
  }
  static void Holders(const Side& s, RuleRef r, std::vector<std::string>* out, bool* everyone) {
    *everyone = false;
    if (r.kind == kAsg) out->push_back(s.b.assignments[r.index].principal.s);
    if (r.kind == kStmt) out->push_back(s.b.statements[r.index].principal.s);
    if (r.kind != kDeny) return;
    const model::DenyAssignment& d = s.b.deny_assignments[r.index];
    for (const auto& x : d.principals) {
      if (x.s == "*") *everyone = true;
      else out->push_back(x.s);
    }
    for (const auto& x : d.exclude_principals) out->push_back(x.s);
  }

  uint32_t AddItem(std::string root, Bits bits) {
    plan_->items.push_back(Item{std::move(root), std::move(bits)});
    return static_cast<uint32_t>(plan_->items.size() - 1);
  }
  // The item of rule `r` on side `s`, made once.
  uint32_t RuleItem(const Side& s, RuleRef r) {
    const uint64_t key = (uint64_t{&s == &n_} << 40) | (uint64_t{r.kind} << 32) | r.index;
    auto it = rule_items_.find(key);
    if (it != rule_items_.end()) return it->second;
    const uint32_t item = AddItem(RuleRoot(s, r), RuleBits(s, r));
    rule_items_.emplace(key, item);
    return item;
  }

  // x and, when x is a group of side s, every principal below it.
  const std::vector<std::string>& Reach(const Side& s, const std::string& x) {
    auto& cache = &s == &n_ ? reach_new_ : reach_old_;
    auto it = cache.find(x);
    if (it != cache.end()) return it->second;
    std::vector<std::string> out{x};
    absl::flat_hash_set<std::string> seen{x};
    for (size_t k = 0; k < out.size(); ++k) {
      auto m = s.members.find(out[k]);
      if (m == s.members.end()) continue;
      for (const std::string& y : m->second)
        if (seen.insert(y).second) out.push_back(y);
    }
    return cache.emplace(x, std::move(out)).first->second;
  }
  // q and every group above it in side s.
  static std::set<std::string> Up(const Side& s, const std::string& q) {
    std::set<std::string> out{q};
    std::vector<std::string> todo{q};
    while (!todo.empty()) {
      const std::string x = std::move(todo.back());
      todo.pop_back();
      auto g = s.groups_of.find(x);
      if (g == s.groups_of.end()) continue;
      for (const std::string& y : g->second)
        if (out.insert(y).second) todo.push_back(y);
    }
    return out;
  }
  // Gives `item` to every principal rule `r` reaches on side `s` (all, for a
  // deny to everyone); collects their names in *reached.
  void Apply(const Side& s, RuleRef r, uint32_t item, std::set<std::string>* reached) {
    std::vector<std::string> holders;
    bool everyone = false;
    Holders(s, r, &holders, &everyone);
    if (everyone) {
      plan_->global.push_back(item);
      for (std::string_view p : Table(s).principal_names) reached->emplace(p);
    }
    for (const std::string& h : holders)
      for (const std::string& q : Reach(s, h)) {
        plan_->per[q].push_back(item);
        reached->insert(q);
      }
  }

  std::string Key(const Side& s, RuleRef r) const {
    if (r.kind == kAsg) {
      const model::Assignment& a = s.b.assignments[r.index];
      auto role = s.role_by_id.find(a.role.s);
      return internal::AssignmentKey(a, role == s.role_by_id.end() ? std::string("?") : s.role_keys[role->second]);
    }
    if (r.kind == kDeny) return internal::DenyKey(s.b.deny_assignments[r.index]);
    return internal::StatementKey(s.b.statements[r.index]);
  }
  static bool HasCondition(const Side& s, RuleRef r) {
    if (r.kind == kAsg) return s.b.assignments[r.index].condition.has_value();
    if (r.kind == kDeny) return s.b.deny_assignments[r.index].condition.has_value();
    return s.b.statements[r.index].condition.has_value();
  }
  static absl::flat_hash_map<std::string_view, uint32_t> Ids(const Side& s, uint8_t kind) {
    absl::flat_hash_map<std::string_view, uint32_t> ids;
    const size_t n = kind == kAsg ? s.b.assignments.size() : kind == kDeny ? s.b.deny_assignments.size()
                                                                             : s.b.statements.size();
    ids.reserve(n);
    for (uint32_t i = 0; i < n; ++i) ids.emplace(RuleId(s, {kind, i}), i);
    return ids;
  }
  static const std::string& RuleId(const Side& s, RuleRef r) {
    return r.kind == kAsg ? s.b.assignments[r.index].id.s
           : r.kind == kDeny ? s.b.deny_assignments[r.index].id.s : s.b.statements[r.index].id.s;
  }

  // Only the actions whose coverage changed, when nothing else about the
  // assignment did (a role edit).
  // A role with a conditional block: an action may move between a
  // conditional and an unconditional block with the set unchanged.
  static bool RoleHasConditions(const Side& s, const model::Assignment& a) {
    auto r = s.role_by_id.find(a.role.s);
    if (r == s.role_by_id.end()) return true;
    for (const model::PermissionBlock& b : s.b.roles[r->second].permissions)
      if (b.condition) return true;
    return false;
  }
  bool SameButActions(RuleRef ro, RuleRef rn) const {
    const model::Assignment& a = o_.b.assignments[ro.index];
    const model::Assignment& b = n_.b.assignments[rn.index];
    if (RoleHasConditions(o_, a) || RoleHasConditions(n_, b)) return false;
    return a.principal.s == b.principal.s && AsciiLowerCopy(a.scope.s) == AsciiLowerCopy(b.scope.s) &&
           a.condition.has_value() == b.condition.has_value() && (!a.condition || a.condition->s == b.condition->s);
  }

  void Rules(uint8_t kind) {
    const auto old_ids = Ids(o_, kind), new_ids = Ids(n_, kind);
    // The ids of either bundle whose rule was added, removed or changed,
    // sorted (for the order of the rule lines).
    std::vector<std::string_view> ids;
    for (const auto& [id, i] : old_ids) {
      auto in = new_ids.find(id);
      if (in == new_ids.end() || Key(o_, {kind, i}) != Key(n_, {kind, in->second})) ids.push_back(id);
    }
    for (const auto& [id, i] : new_ids)
      if (!old_ids.contains(id)) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (std::string_view id : ids) {
      auto io = old_ids.find(id), in = new_ids.find(id);
      const bool ho = io != old_ids.end(), hn = in != new_ids.end();
      const RuleRef ro{kind, ho ? io->second : 0}, rn{kind, hn ? in->second : 0};
      std::set<std::string> reached;
      if (ho && hn && kind == kAsg && SameButActions(ro, rn)) {
        Bits x = RuleBits(o_, ro), y = RuleBits(n_, rn);
        for (size_t w = 0; w < x.size(); ++w) x[w] ^= y[w];
        const uint32_t item = AddItem(RuleRoot(n_, rn), std::move(x));
        Apply(o_, ro, item, &reached);
        Apply(n_, rn, item, &reached);
      } else {
        if (ho) Apply(o_, ro, RuleItem(o_, ro), &reached);
        if (hn) Apply(n_, rn, RuleItem(n_, rn), &reached);
      }
      if (kind == kStmt || (ho && HasCondition(o_, ro)) || (hn && HasCondition(n_, rn)))
        plan_->rules.push_back(RuleChange{KindName(kind), std::string(id), !ho ? "added" : !hn ? "removed" : "changed",
                                          std::vector<std::string>(reached.begin(), reached.end())});
    }
  }

  // A principal whose closure changed is touched by the rules of the
  // groups that entered or left it.
  void Groups() {
    std::map<std::string, std::string> ko, kn;
    for (const auto& g : o_.b.groups) ko.emplace(g.id.s, internal::GroupKey(g));
    for (const auto& g : n_.b.groups) kn.emplace(g.id.s, internal::GroupKey(g));
    std::set<std::string> changed, touched;
    for (const auto& [id, k] : ko)
      if (!kn.count(id) || kn[id] != k) changed.insert(id);
    for (const auto& [id, k] : kn)
      if (!ko.count(id)) changed.insert(id);
    for (const std::string& g : changed)
      for (const Side* s : {&o_, &n_})
        for (const std::string& q : Reach(*s, g)) touched.insert(q);
    for (const std::string& q : touched) {
      const std::set<std::string> uo = Up(o_, q), un = Up(n_, q);
      std::vector<std::string> moved;
      std::set_symmetric_difference(uo.begin(), uo.end(), un.begin(), un.end(), std::back_inserter(moved));
      for (const std::string& x : moved)
        for (const Side* s : {&o_, &n_}) {
          auto h = s->held.find(x);
          if (h == s->held.end()) continue;
          for (RuleRef r : h->second) plan_->per[q].push_back(RuleItem(*s, r));
        }
    }
  }

  // Catalog entries by lower-cased name.
  static std::map<std::string, std::string> ActionKeys(const Side& s) {
    std::map<std::string, std::string> out;
    for (const auto& a : s.b.actions) out.emplace(AsciiLowerCopy(a.name.s), internal::ActionKey(a));
    return out;
  }
  void Catalog() {
    const auto ko = ActionKeys(o_), kn = ActionKeys(n_);
    for (const auto& [lower, u] : u_.action_index) {
      auto a = ko.find(lower), b = kn.find(lower);
      if (a != ko.end() && b != kn.end() && a->second == b->second) continue;
      Bits bits = Empty();
      Set(&bits, u);
      plan_->global.push_back(AddItem("/", std::move(bits)));
    }
  }

  void Parents() {
    std::set<std::string> scopes;
    for (const auto& [s, p] : o_.parent) scopes.insert(s);
    for (const auto& [s, p] : n_.parent) scopes.insert(s);
    for (const std::string& s : scopes) {
      auto a = o_.parent.find(s), b = n_.parent.find(s);
      const std::string pa = a == o_.parent.end() ? "" : a->second, pb = b == n_.parent.end() ? "" : b->second;
      if (pa == pb) continue;
      Bits all = Empty();
      for (uint32_t i = 0; i < u_.actions.size(); ++i) Set(&all, i);
      plan_->global.push_back(AddItem(s, std::move(all)));
    }
  }

  const Side& o_;
  const Side& n_;
  const Universe& u_;
  Plan* plan_;
  absl::flat_hash_map<uint64_t, uint32_t> rule_items_;
  absl::flat_hash_map<std::string, std::vector<std::string>> reach_old_, reach_new_;
};

// ---- re-deciding --------------------------------------------------------------------

class Evaluator {
 public:
  Evaluator(const Side& o, const Side& n, const Universe& u, const Plan& plan, const DiffOptions& opt,
            DiffResult* out)
      : o_(o), n_(n), u_(u), plan_(plan), opt_(opt), out_(out), subtrees_(o, n, u) {
    in_filter_.assign(u.scopes.size(), opt.scope.empty() ? 1 : 0);
    if (!opt.scope.empty()) {
      std::string root = AsciiLowerCopy(opt.scope);
      if (root.size() > 1 && root.back() == '/') root.pop_back();
      for (uint32_t i : subtrees_.Of(root)) in_filter_[i] = 1;
    }
  }

  void Run() {
    for (const std::string& q : u_.principals) {
      if (!opt_.principal.empty() && q != opt_.principal) continue;
      const PrincipalId po = o_.p->FindPrincipal(q), pn = n_.p->FindPrincipal(q);
      const bool may = (po != kUnknownPrincipal && o_.can_allow[po]) || (pn != kUnknownPrincipal && n_.can_allow[pn]);
      if (!may) continue;
      std::vector<uint32_t> items = plan_.global;
      auto per = plan_.per.find(q);
      if (per != plan_.per.end()) items.insert(items.end(), per->second.begin(), per->second.end());
      if (!items.empty()) Principal(q, po, pn, items);
    }
  }

 private:
  void Principal(const std::string& q, PrincipalId po, PrincipalId pn, std::vector<uint32_t>& items) {
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    std::map<uint32_t, Bits> need;  // scope index -> actions, in scope order
    for (uint32_t it : items) {
      const Item& item = plan_.items[it];
      for (uint32_t s : subtrees_.Of(item.root)) {
        if (!in_filter_[s]) continue;
        Bits& b = need[s];
        if (b.empty()) b.assign(u_.words, 0);
        for (size_t w = 0; w < b.size(); ++w) b[w] |= item.actions[w];
      }
    }
    for (const auto& [s, bits] : need)
      for (bool below : {false, true}) Decide(q, po, pn, s, below, bits);
  }

  // check(q, action, resource) on one side, with the resource resolved and
  // P built once for all the actions of a class (what CheckIds would redo
  // per action); an invalid resource or an unknown action is a deny.
  class SideCheck {
   public:
    SideCheck(const Side& s, PrincipalId pid, const std::string& resource)
        : d_(Table(s)), resource_(resource), buf_(resource.size(), '\0') {
      if (resource.size() <= d_.max_resource_bytes) res_ = internal::ResolveResource(d_, resource, buf_.data());
      p_.View(d_, pid);
    }
    bool Allowed(uint32_t aid) {
      if (aid == kNone || !res_.valid) return false;
      internal::Step st{d_, p_, aid, res_, resource_, &qs_};
      return internal::Decide<false>(st).decision.allowed;
    }

   private:
    const internal::PolicyData& d_;
    const std::string& resource_;
    std::string buf_;
    internal::ResolvedResource res_;
    internal::Members p_;
    internal::QueryState qs_;  // empty context: the rows' context (SPEC §14)
  };

  void Decide(const std::string& q, PrincipalId po, PrincipalId pn, uint32_t s, bool below, const Bits& bits) {
    const ScopeEntry& e = u_.scopes[s];
    std::string resource = e.display;
    if (below) resource = absl::StrCat(e.display == "/" ? "" : e.display, "/", u_.segment);
    SideCheck old_check(o_, po, resource), new_check(n_, pn, resource);
    DiffRow row;
    for (size_t w = 0; w < bits.size(); ++w)
      for (uint64_t m = bits[w]; m; m &= m - 1) {
        const uint32_t a = static_cast<uint32_t>(w * 64 + __builtin_ctzll(m));
        const bool was = old_check.Allowed(u_.old_id[a]);
        const bool is = new_check.Allowed(u_.new_id[a]);
        out_->summary.decisions++;
        if (was != is) (is ? row.gained : row.lost).push_back(u_.actions[a]);
      }
    if (row.gained.empty() && row.lost.empty()) return;
    std::sort(row.gained.begin(), row.gained.end());
    std::sort(row.lost.begin(), row.lost.end());
    row.principal = q;
    row.scope = e.display;
    row.below = below;
    out_->rows.push_back(std::move(row));
  }

  const Side& o_;
  const Side& n_;
  const Universe& u_;
  const Plan& plan_;
  const DiffOptions& opt_;
  DiffResult* out_;
  Subtrees subtrees_;
  std::vector<uint8_t> in_filter_;
};

}  // namespace

absl::StatusOr<DiffResult> Diff(std::string_view old_json, std::string_view new_json, const DiffOptions& options,
                                std::vector<Diagnostic>* old_diags, std::vector<Diagnostic>* new_diags) {
  Side o, n;
  absl::Status st = LoadSide(old_json, "old", &o, old_diags);
  const absl::Status st_new = LoadSide(new_json, "new", &n, new_diags);
  if (!st.ok()) return st;
  if (!st_new.ok()) return st_new;
  Universe u = BuildUniverse(&o, &n);
  Plan plan;
  Planner(o, n, u, &plan).Run();
  DiffResult out;
  if (!plan.items.empty()) {  // sorted and indexed only when something is re-decided
    std::sort(u.scopes.begin(), u.scopes.end(),
              [](const ScopeEntry& a, const ScopeEntry& b) { return a.lower < b.lower; });
    for (uint32_t i = 0; i < u.scopes.size(); ++i) u.scope_index.emplace(u.scopes[i].lower, i);
    Evaluator(o, n, u, plan, options, &out).Run();
  }
  for (RuleChange& r : plan.rules) {
    if (!options.principal.empty() &&
        !std::binary_search(r.principals.begin(), r.principals.end(), options.principal))
      continue;
    out.rules.push_back(std::move(r));
  }
  std::stable_sort(out.rules.begin(), out.rules.end(), [](const RuleChange& a, const RuleChange& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.id < b.id;
  });
  if (options.max_rows && out.rows.size() > options.max_rows) {
    out.rows.resize(options.max_rows);
    out.summary.truncated = true;
  }
  DiffSummary& s = out.summary;
  s.rows = out.rows.size();
  s.rule_changes = out.rules.size();
  for (const DiffRow& r : out.rows) s.gained += r.gained.size(), s.lost += r.lost.size();
  s.principals = u.principals.size();
  s.classes = 2 * u.scopes.size();
  s.actions = u.actions.size();
  s.below_segment = u.segment;
  return out;
}

}  // namespace rolegate
