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
// Statements and conditional rules, whose decisions the rows cannot show,
// get a rule line from each of these changes that reaches them (Line()).
// Principals whose closure holds no grant and no statement in either bundle
// are denied everything in both and are skipped. Identical or shuffled
// bundles produce no change, hence no work.
#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
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

// A UTF-8 sequence of 1-4 bytes packed into one integer (its bytes in order).
uint32_t PackSeq(std::string_view seq) {
  uint32_t k = 0;
  for (unsigned char c : seq) k = k << 8 | c;
  return k;
}

std::string EncodeUtf8(uint32_t cp) {
  if (cp < 0x10000)
    return {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
            static_cast<char>(0x80 | (cp & 0x3F))};
  return {static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
          static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
}

// The synthetic child that stands for a scope's unnamed descendants: one
// code point that no statement resource pattern and no scope of either
// bundle contains, repeated once more than the most `?` a pattern holds. No
// pattern's literal text can then match it, so only the patterns that match
// a child whatever its name (`*`, `?*`) do: the answer of a generic unnamed
// descendant, never of one a glob singles out (a name like "rolegate-below"
// is matched by `/s/ro*` and made rows for a statement's reach, which its
// own line reports). The code points in use are collected once, so a bundle
// full of them costs one pass, and the search runs over every code point
// from U+4E00 up (U+2042, the asterism, first for a readable summary), so
// a bundle cannot use them all up short of holding all of them.
std::string BelowSegment(const Side& o, const Side& n, const Universe& u) {
  absl::flat_hash_set<uint32_t> used;
  size_t questions = 0;
  auto scan = [&](std::string_view t) {
    for (size_t i = 0; i < t.size();) {
      const size_t len = std::min<size_t>(internal::Utf8SeqLen(static_cast<unsigned char>(t[i])), t.size() - i);
      used.insert(PackSeq(t.substr(i, len)));
      i += len;
    }
  };
  for (const Side* s : {&o, &n})
    for (const auto& st : s->b.statements)
      for (const auto& r : st.resources) {
        scan(AsciiLowerCopy(r.s));
        questions = std::max<size_t>(questions, std::count(r.s.begin(), r.s.end(), '?'));
      }
  for (const ScopeEntry& e : u.scopes) scan(e.lower);
  uint32_t cp = 0x2042;
  while (used.contains(PackSeq(EncodeUtf8(cp))) && cp < 0x10FFFF) {
    cp = cp == 0x2042 ? 0x4E00 : cp + 1;
    if (cp == 0xD800) cp = 0xE000;  // surrogates are not code points
  }
  const std::string one = EncodeUtf8(cp);
  std::string seg;
  for (size_t k = 0; k <= std::min<size_t>(questions, 64); ++k) seg += one;
  return seg;
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
    for (auto& [key, line] : lines_)
      plan_->rules.push_back(RuleChange{KindName(key.first), key.second, line.first,
                                        std::vector<std::string>(line.second.begin(), line.second.end())});
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
  // Collects in *reached every principal rule `r` reaches on side `s` (all,
  // for a deny to everyone); returns whether it reaches everyone.
  bool Reached(const Side& s, RuleRef r, std::set<std::string>* reached) {
    std::vector<std::string> holders;
    bool everyone = false;
    Holders(s, r, &holders, &everyone);
    if (everyone)
      for (std::string_view p : Table(s).principal_names) reached->emplace(p);
    for (const std::string& h : holders)
      for (const std::string& q : Reach(s, h)) reached->insert(q);
    return everyone;
  }
  // Gives `item` to every principal rule `r` reaches on side `s`; collects
  // their names in *reached.
  void Apply(const Side& s, RuleRef r, uint32_t item, std::set<std::string>* reached) {
    std::set<std::string> mine;
    if (Reached(s, r, &mine)) plan_->global.push_back(item);
    else
      for (const std::string& q : mine) plan_->per[q].push_back(item);
    reached->insert(mine.begin(), mine.end());
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
  // The rules whose decisions the rows cannot show, so they get a line: a
  // statement (its resources are globs, its conditions read context), or
  // an assignment or deny assignment with a condition, including one on a
  // permission block of the assignment's role (SPEC §10: both must hold).
  static bool NeedsLine(const Side& s, RuleRef r) {
    if (r.kind == kStmt) return true;
    if (r.kind == kDeny) return s.b.deny_assignments[r.index].condition.has_value();
    const model::Assignment& a = s.b.assignments[r.index];
    return a.condition.has_value() || RoleHasConditions(s, a);
  }
  // A rule line: added, removed or changed by Rules(); a rule that did not
  // change itself but whose reach did (a group, catalog entry or scope
  // parent it depends on changed) is "changed" for the principals touched.
  // Silence there would tell a reviewer nothing differs while a statement
  // or a conditional grant now reaches someone new.
  void Line(uint8_t kind, const std::string& id, const char* change, const std::set<std::string>& ps) {
    auto [it, fresh] = lines_.try_emplace({kind, id}, change, std::set<std::string>{});
    it->second.second.insert(ps.begin(), ps.end());
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
      if ((ho && NeedsLine(o_, ro)) || (hn && NeedsLine(n_, rn)))
        Line(kind, std::string(id), !ho ? "added" : !hn ? "removed" : "changed", reached);
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
          for (RuleRef r : h->second) {
            plan_->per[q].push_back(RuleItem(*s, r));
            if (NeedsLine(*s, r)) Line(r.kind, RuleId(*s, r), "changed", {q});
          }
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
    Bits changed = Empty();
    bool any = false;
    for (const auto& [lower, u] : u_.action_index) {
      auto a = ko.find(lower), b = kn.find(lower);
      if (a != ko.end() && b != kn.end() && a->second == b->second) continue;
      Bits bits = Empty();
      Set(&bits, u);
      Set(&changed, u);
      any = true;
      plan_->global.push_back(AddItem("/", std::move(bits)));
    }
    // A pattern such as "svc:*" covers a new action without changing.
    if (any) WidenLineRules([&](const Side& s, RuleRef r) {
      const Bits b = RuleBits(s, r);
      for (size_t w = 0; w < b.size(); ++w)
        if (b[w] & changed[w]) return true;
      return false;
    });
  }
  // Every rule that NeedsLine, on either side, that `touched` says a change
  // reaches: a line for all the principals it reaches.
  template <typename Touched>
  void WidenLineRules(Touched touched) {
    for (const Side* s : {&o_, &n_})
      for (uint8_t kind : {kAsg, kDeny, kStmt}) {
        const size_t n = kind == kAsg ? s->b.assignments.size()
                         : kind == kDeny ? s->b.deny_assignments.size() : s->b.statements.size();
        for (uint32_t i = 0; i < n; ++i) {
          const RuleRef r{kind, i};
          if (!NeedsLine(*s, r) || !touched(*s, r)) continue;
          std::set<std::string> ps;
          Reached(*s, r, &ps);
          Line(kind, RuleId(*s, r), "changed", ps);
        }
      }
  }

  void Parents() {
    std::set<std::string> scopes;
    for (const auto& [s, p] : o_.parent) scopes.insert(s);
    for (const auto& [s, p] : n_.parent) scopes.insert(s);
    std::vector<std::string> moved;
    for (const std::string& s : scopes) {
      auto a = o_.parent.find(s), b = n_.parent.find(s);
      const std::string pa = a == o_.parent.end() ? "" : a->second, pb = b == n_.parent.end() ? "" : b->second;
      if (pa == pb) continue;
      Bits all = Empty();
      for (uint32_t i = 0; i < u_.actions.size(); ++i) Set(&all, i);
      plan_->global.push_back(AddItem(s, std::move(all)));
      moved.push_back(s);
    }
    // A conditional rule above a moved scope (in either hierarchy) now
    // covers a different subtree. Statements match resources by pattern,
    // not through scope parents. One pass over the rules for all moves.
    if (!moved.empty()) WidenLineRules([&](const Side& side, RuleRef r) {
      if (r.kind == kStmt) return false;
      const std::string root = RuleRoot(side, r);
      for (const std::string& s : moved)
        if (UnderIn(&o_, root, s) || UnderIn(&n_, root, s) || UnderIn(nullptr, root, s)) return true;
      return false;
    });
  }

  const Side& o_;
  const Side& n_;
  const Universe& u_;
  Plan* plan_;
  absl::flat_hash_map<uint64_t, uint32_t> rule_items_;
  std::map<std::pair<uint8_t, std::string>, std::pair<std::string, std::set<std::string>>> lines_;
  absl::flat_hash_map<std::string, std::vector<std::string>> reach_old_, reach_new_;
};

// ---- re-deciding --------------------------------------------------------------------

// check(q, action, resource) on one side, with the resource resolved and
// P built once for all the actions of a class (what CheckIds would redo
// per action); an invalid resource or an unknown action is a deny.
//
// A class-wide shortcut answers the common case without Decide: when P
// holds no conditional grant and no statement of P that matches the
// resource has a condition, the resource is a scope and no conditional
// deny assignment reaching P there holds the action, Decide's answer
// (SPEC §3 steps 4–8) is: no deny assignment reaching P (DenyReaches) and
// no matching Deny statement holds it, and some grant of P
// covering the node holds it (effective_only_at actions go to Decide) or
// some matching Allow statement does (not for effective_only_at actions).
// The covering grants and the matching statements are found once per
// class, not per action; every other case goes to Decide itself. The
// property test (diff == brute force over check) holds both paths to
// check's answers.
class SideCheck {
 public:
  explicit SideCheck(const Side& s) : d_(Table(s)) {}
  // Readies the checks of (pid, resource); `many`: enough actions follow to
  // pay for the class-wide shortcut. `resource` must outlive the checks.
  void Reset(PrincipalId pid, const std::string& resource, bool many) {
    resource_ = resource;
    res_ = internal::ResolvedResource{};
    p_ = internal::Members{};
    for (auto* v : {&sets_, &deny_sets_, &cond_deny_sets_, &deny_stmt_sets_, &allow_stmt_sets_}) v->clear();
    buf_.resize(resource.size());
    if (resource.size() <= d_.max_resource_bytes) res_ = internal::ResolveResource(d_, resource, buf_.data());
    p_.View(d_, pid);
    shortcut_ = many && res_.valid && res_.is_scope && !p_.has_cgrants;
    if (shortcut_) CollectCovering();
  }
  bool Allowed(uint32_t aid) {
    if (aid == kNone || !res_.valid) return false;
    if (shortcut_ && !AnyHolds(cond_deny_sets_, aid)) {
      if (AnyHolds(deny_sets_, aid) || AnyHolds(deny_stmt_sets_, aid)) return false;
      if (d_.action_flags[aid] & internal::kActionRestricted) return Decided(aid);
      return AnyHolds(sets_, aid) || AnyHolds(allow_stmt_sets_, aid);
    }
    return Decided(aid);
  }

 private:
  // The action sets of P's grants whose interval holds the node: each
  // member's last grant at or before the node, then its chain of
  // enclosing grants (as Granting walks them).
  void CollectCovering() {
    const uint32_t key = d_.nodes[res_.node].pre;
    for (uint32_t m = 0; m < p_.n; ++m) {
      const internal::PrincipalInfo& mi = d_.principals[p_.ids[m]];
      const internal::GrantEntry* g = d_.grants.data() + mi.grants_begin;
      const uint32_t start =
          internal::LastAtOrBefore(d_.grant_pre.data() + mi.grants_begin, mi.grants_end - mi.grants_begin, key);
      for (uint32_t i = start; i != kNone; i = g[i].up)
        if (key >= g[i].pre && key < g[i].end) sets_.push_back(g[i].set);
    }
    for (uint32_t i = d_.nodes[res_.node].deny_top; i != kNone; i = d_.denies[i].up) {
      const internal::DenyEntry& e = d_.denies[i];
      if (internal::DenyReaches(d_, e, res_, p_)) (e.cond == kNone ? deny_sets_ : cond_deny_sets_).push_back(e.set);
    }
    if (p_.has_statements) CollectStatements();
    for (auto* v : {&sets_, &deny_sets_, &cond_deny_sets_, &deny_stmt_sets_, &allow_stmt_sets_}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
  }
  // The statements of P whose resource patterns match; a conditional one
  // sends every action of the class to Decide.
  void CollectStatements() {
    for (uint32_t m = 0; m < p_.n && shortcut_; ++m) {
      const internal::PrincipalInfo& mi = d_.principals[p_.ids[m]];
      for (uint32_t k = mi.stmts_begin; k < mi.stmts_end; ++k) {
        const internal::StatementEntry& e = d_.statements[d_.principal_statements[k]];
        if (!internal::MatchStatementResource(d_, e, resource_, res_.is_scope, &qs_)) continue;
        if (e.cond != kNone) shortcut_ = false;
        (e.deny ? deny_stmt_sets_ : allow_stmt_sets_).push_back(e.set);
      }
    }
  }
  bool AnyHolds(const std::vector<uint32_t>& sets, uint32_t aid) const {
    for (uint32_t set : sets)
      if (d_.SetHas(set, aid)) return true;
    return false;
  }
  bool Decided(uint32_t aid) {
    internal::Step st{d_, p_, aid, res_, resource_, &qs_};
    return internal::Decide<false>(st).decision.allowed;
  }

  const internal::PolicyData& d_;
  std::string_view resource_;
  std::string buf_;
  internal::ResolvedResource res_;
  internal::Members p_;
  internal::QueryState qs_;  // empty context, the rows' (SPEC §14): reused across resources
  bool shortcut_ = false;
  std::vector<uint32_t> sets_, deny_sets_, cond_deny_sets_, deny_stmt_sets_, allow_stmt_sets_;
};


// What every re-deciding thread reads.
struct EvalInput {
  const Side& o;
  const Side& n;
  const Universe& u;
  const Plan& plan;
  const DiffOptions& opt;
  std::vector<uint8_t> in_filter;  // by scope index: inside options.scope
};

// A principal with something to re-decide.
struct Work {
  const std::string* q;
  PrincipalId po, pn;
  std::vector<uint32_t> items;
};

// The rows of a run of principals, in order.
struct Chunk {
  std::vector<DiffRow> rows;
  uint64_t decisions = 0;
};

// One thread's re-decisions: its own subtree cache, buffers and checks.
class Worker {
 public:
  explicit Worker(const EvalInput& in)
      : in_(in), subtrees_(in.o, in.n, in.u), old_check_(in.o), new_check_(in.n),
        need_(in.u.scopes.size() * in.u.words, 0) {}

  void Principal(Work& w, Chunk* out) {
    std::vector<uint32_t>& items = w.items;
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    const size_t words = in_.u.words;
    touched_.clear();
    for (uint32_t it : items) {
      const Item& item = in_.plan.items[it];
      for (uint32_t s : subtrees_.Of(item.root)) {
        if (!in_.in_filter[s]) continue;
        uint64_t* b = &need_[size_t{s} * words];
        bool empty = true;
        for (size_t k = 0; k < words && empty; ++k) empty = b[k] == 0;
        if (empty) touched_.push_back(s);
        for (size_t k = 0; k < words; ++k) b[k] |= item.actions[k];
      }
    }
    std::sort(touched_.begin(), touched_.end());  // scope order
    for (uint32_t s : touched_) {
      uint64_t* b = &need_[size_t{s} * words];
      for (bool below : {false, true}) Decide(w, s, below, b, out);
      std::fill(b, b + words, 0);
    }
  }

 private:
  void Decide(const Work& w, uint32_t s, bool below, const uint64_t* bits, Chunk* out) {
    const ScopeEntry& e = in_.u.scopes[s];
    resource_ = e.display;
    if (below) resource_ = absl::StrCat(e.display == "/" ? "" : e.display, "/", in_.u.segment);
    size_t n = 0;
    for (size_t k = 0; k < in_.u.words; ++k) n += static_cast<size_t>(__builtin_popcountll(bits[k]));
    // Below a few actions, Decide per action is cheaper than the shortcut's setup.
    old_check_.Reset(w.po, resource_, n >= 4);
    new_check_.Reset(w.pn, resource_, n >= 4);
    DiffRow row;
    for (size_t k = 0; k < in_.u.words; ++k)
      for (uint64_t m = bits[k]; m; m &= m - 1) {
        const uint32_t a = static_cast<uint32_t>(k * 64 + __builtin_ctzll(m));
        const bool was = old_check_.Allowed(in_.u.old_id[a]);
        const bool is = new_check_.Allowed(in_.u.new_id[a]);
        if (was != is) (is ? row.gained : row.lost).push_back(in_.u.actions[a]);
      }
    out->decisions += n;
    if (row.gained.empty() && row.lost.empty()) return;
    std::sort(row.gained.begin(), row.gained.end());
    std::sort(row.lost.begin(), row.lost.end());
    row.principal = *w.q;
    row.scope = e.display;
    row.below = below;
    out->rows.push_back(std::move(row));
  }

  const EvalInput& in_;
  Subtrees subtrees_;
  SideCheck old_check_, new_check_;
  std::vector<uint64_t> need_;     // scope index × words: the actions to re-decide there
  std::vector<uint32_t> touched_;  // scope indexes with a non-empty need_
  std::string resource_;
};

// The principals with work, each given the plan's items that reach it.
std::vector<Work> Todo(const EvalInput& in) {
  std::vector<Work> todo;
  for (const std::string& q : in.u.principals) {
    if (!in.opt.principal.empty() && q != in.opt.principal) continue;
    const PrincipalId po = in.o.p->FindPrincipal(q), pn = in.n.p->FindPrincipal(q);
    const bool may = (po != kUnknownPrincipal && in.o.can_allow[po]) || (pn != kUnknownPrincipal && in.n.can_allow[pn]);
    if (!may) continue;
    std::vector<uint32_t> items = in.plan.global;
    auto per = in.plan.per.find(q);
    if (per != in.plan.per.end()) items.insert(items.end(), per->second.begin(), per->second.end());
    if (!items.empty()) todo.push_back(Work{&q, po, pn, std::move(items)});
  }
  return todo;
}

// Re-decides every principal of the plan, on up to hardware_concurrency()
// threads (at most 8) taking runs of principals in turn; the rows come out
// in principal order whatever the threads did.
void Evaluate(const Side& o, const Side& n, const Universe& u, const Plan& plan, const DiffOptions& opt,
              DiffResult* out) {
  EvalInput in{o, n, u, plan, opt, std::vector<uint8_t>(u.scopes.size(), opt.scope.empty() ? 1 : 0)};
  if (!opt.scope.empty()) {
    std::string root = AsciiLowerCopy(opt.scope);
    if (root.size() > 1 && root.back() == '/') root.pop_back();
    Subtrees subtrees(o, n, u);  // named: Of() returns a reference into it
    for (uint32_t i : subtrees.Of(root)) in.in_filter[i] = 1;
  }
  std::vector<Work> todo = Todo(in);
  constexpr size_t kRun = 8;
  std::vector<Chunk> chunks((todo.size() + kRun - 1) / kRun);
  std::atomic<size_t> next{0};
  auto work = [&] {
    Worker w(in);
    for (size_t c; (c = next.fetch_add(1)) < chunks.size();)
      for (size_t k = c * kRun; k < std::min(todo.size(), (c + 1) * kRun); ++k) w.Principal(todo[k], &chunks[c]);
  };
  const size_t threads = std::min<size_t>({std::max(1u, std::thread::hardware_concurrency()), 8, chunks.size()});
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (Chunk& c : chunks) {
    out->summary.decisions += c.decisions;
    for (DiffRow& r : c.rows) out->rows.push_back(std::move(r));
  }
}

}  // namespace

absl::StatusOr<DiffResult> Diff(std::string_view old_json, std::string_view new_json, const DiffOptions& options,
                                std::vector<Diagnostic>* old_diags, std::vector<Diagnostic>* new_diags) {
  Side o, n;
  // The two bundles load and compile independently: one on a second thread.
  absl::Status st_new;
  std::thread new_side([&] { st_new = LoadSide(new_json, "new", &n, new_diags); });
  absl::Status st = LoadSide(old_json, "old", &o, old_diags);
  new_side.join();
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
    Evaluate(o, n, u, plan, options, &out);
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
