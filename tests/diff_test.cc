// tests/diff_test.cc — diff(old, new) (SPEC §14) against brute force.
//
// RandomEditsAgreeWithBruteForce: a random bundle (support/random_bundle.h)
// and a copy with one random edit (a role's actions, a group's members, an
// assignment's scope or principal, a deny assignment, a statement, a catalog
// entry, a scope parent, or a shuffle of every list); every other bundle
// is a v2 one (conditions, permission blocks, scope parents). The rows must equal
// check over every principal either bundle names × every action of either
// catalog × every resource class, run on both compiled policies: that is
// what the output-sensitive plan must never miss. A shuffle must report
// nothing at all.
//
// Knobs: ROLEGATE_DIFF_PAIRS (default 2000), ROLEGATE_DIFF_PAIR_SEED (default 1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rolegate/policy.h"
#include "rolegate/review.h"
#include "simdjson.h"
#include "support/build_policy.h"
#include "support/random_bundle.h"

namespace {

uint64_t EnvOr(const char* name, uint64_t dflt) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : dflt;
}

// ---- a small JSON tree to edit bundles with ---------------------------------------
struct V {
  enum K { kNull, kBool, kNum, kStr, kArr, kObj } k = kNull;
  std::string s;  // string, or the number's text
  bool b = false;
  std::vector<V> a;
  std::vector<std::pair<std::string, V>> o;
  V* Get(const std::string& key) {
    for (auto& [kk, v] : o)
      if (kk == key) return &v;
    return nullptr;
  }
  static V Str(std::string x) {
    V v;
    v.k = kStr;
    v.s = std::move(x);
    return v;
  }
};

V FromDom(simdjson::dom::element e) {
  V v;
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY:
      v.k = V::kArr;
      for (auto x : e.get_array()) v.a.push_back(FromDom(x));
      break;
    case simdjson::dom::element_type::OBJECT:
      v.k = V::kObj;
      for (auto [key, x] : e.get_object()) v.o.emplace_back(std::string(key), FromDom(x));
      break;
    case simdjson::dom::element_type::STRING: v.k = V::kStr, v.s = std::string(e.get_string().value()); break;
    case simdjson::dom::element_type::BOOL: v.k = V::kBool, v.b = e.get_bool().value(); break;
    case simdjson::dom::element_type::NULL_VALUE: break;
    default: v.k = V::kNum, v.s = simdjson::minify(e); break;
  }
  return v;
}

void Quote(const std::string& s, std::string* out) {
  *out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') *out += '\\', *out += static_cast<char>(c);
    else if (c < 0x20) { char b[8]; snprintf(b, sizeof b, "\\u%04x", c); *out += b; }
    else *out += static_cast<char>(c);
  }
  *out += '"';
}

void ToJson(const V& v, std::string* out) {
  switch (v.k) {
    case V::kNull: *out += "null"; break;
    case V::kBool: *out += v.b ? "true" : "false"; break;
    case V::kNum: *out += v.s; break;
    case V::kStr: Quote(v.s, out); break;
    case V::kArr:
      *out += '[';
      for (size_t i = 0; i < v.a.size(); ++i) { if (i) *out += ','; ToJson(v.a[i], out); }
      *out += ']';
      break;
    case V::kObj:
      *out += '{';
      for (size_t i = 0; i < v.o.size(); ++i) {
        if (i) *out += ',';
        Quote(v.o[i].first, out);
        *out += ':';
        ToJson(v.o[i].second, out);
      }
      *out += '}';
      break;
  }
}

V Parse(const std::string& json) {
  simdjson::dom::parser p;
  return FromDom(p.parse(json).value());
}
std::string Dump(const V& v) {
  std::string out;
  ToJson(v, &out);
  return out;
}

// ---- edits ---------------------------------------------------------------------------
std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Editor {
  std::mt19937_64 rng;
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); }
  V* List(V& b, const char* key) {
    V* l = b.Get(key);
    return l && l->k == V::kArr && !l->a.empty() ? l : nullptr;
  }
  std::vector<std::string> Strings(V& b, const char* list, const char* field) {
    std::vector<std::string> out;
    if (V* l = List(b, list))
      for (V& e : l->a)
        if (V* f = e.Get(field); f && f->k == V::kStr) out.push_back(f->s);
    return out;
  }
  // One edit; returns what it did, or "" when it found nothing to edit.
  std::string Edit(V& b, int kind) {
    const auto actions = Strings(b, "actions", "name");
    const auto scopes = Strings(b, "assignments", "scope");
    const auto principals = Strings(b, "assignments", "principal");
    switch (kind) {
      case 0: if (V* l = List(b, "roles")) {  // a role's actions
          V& r = l->a[Pick(l->a.size())];
          V* acts = r.Get("actions");
          if (!acts || acts->k != V::kArr) return "";
          if (!acts->a.empty() && Pick(2)) acts->a.erase(acts->a.begin() + Pick(acts->a.size()));
          else if (!actions.empty()) acts->a.push_back(V::Str(actions[Pick(actions.size())]));
          return "role actions";
        } return "";
      case 1: if (V* l = List(b, "groups")) {  // a group's members
          V* m = l->a[Pick(l->a.size())].Get("members");
          if (!m) return "";
          if (!m->a.empty() && Pick(2)) m->a.erase(m->a.begin() + Pick(m->a.size()));
          else m->a.push_back(V::Str(principals.empty() ? "user:new" : principals[Pick(principals.size())]));
          return "group members";
        } return "";
      case 2: if (V* l = List(b, "assignments")) {  // an assignment's scope, principal, or the assignment
          const size_t i = Pick(l->a.size());
          const size_t what = Pick(3);
          if (what == 0 && !scopes.empty()) *l->a[i].Get("scope") = V::Str(scopes[Pick(scopes.size())] + (Pick(2) ? "/x" : ""));
          else if (what == 1 && !principals.empty()) *l->a[i].Get("principal") = V::Str(principals[Pick(principals.size())]);
          else l->a.erase(l->a.begin() + i);
          return "assignment";
        } return "";
      case 3: if (V* l = List(b, "deny_assignments")) {  // a deny assignment
          const size_t i = Pick(l->a.size());
          if (Pick(2)) l->a.erase(l->a.begin() + i);
          else if (V* p = l->a[i].Get("principals")) { p->a.clear(); p->a.push_back(V::Str("*")); }
          return "deny assignment";
        } return "";
      case 4: if (V* l = List(b, "statements")) {  // a statement
          const size_t i = Pick(l->a.size());
          if (Pick(2)) l->a.erase(l->a.begin() + i);
          else if (V* e = l->a[i].Get("effect")) e->s = e->s == "Allow" ? "Deny" : "Allow";
          return "statement";
        } return "";
      case 5: if (V* l = List(b, "actions")) {  // a catalog entry
          V a;
          a.k = V::kObj;
          a.o.emplace_back("name", V::Str("Extra.Svc/thing/read"));
          if (Pick(2)) {
            V pats;
            pats.k = V::kArr;
            pats.a.push_back(V::Str("/*"));
            a.o.emplace_back("effective_only_at", pats);
          }
          l->a.push_back(a);
          return "catalog entry";
        } return "";
      case 6: {  // a scope parent
          if (scopes.size() < 2) return "";
          V sp;
          sp.k = V::kObj;
          sp.o.emplace_back("scope", V::Str(scopes[Pick(scopes.size())]));
          sp.o.emplace_back("parent", V::Str("/providers/Microsoft.Management/managementGroups/mg" + std::to_string(Pick(3))));
          V* l = b.Get("scope_parents");
          if (!l) { V arr; arr.k = V::kArr; b.o.emplace_back("scope_parents", arr); l = b.Get("scope_parents"); }
          l->a.push_back(sp);
          return "scope parent";
        }
      default:  // shuffle every list: the same decisions
        for (auto& [k, v] : b.o)
          if (v.k == V::kArr) std::shuffle(v.a.begin(), v.a.end(), rng);
        return "shuffle";
    }
  }
};

// ---- brute force ---------------------------------------------------------------------
std::vector<std::string> BruteRows(const rolegate::Policy& o, const rolegate::Policy& n, V& ob, V& nb,
                                   const std::string& seg) {
  std::set<std::string> principals;
  for (const rolegate::Policy* p : {&o, &n})
    for (std::string_view x : rolegate::NamedPrincipals(*p)) principals.emplace(x);
  std::map<std::string, std::string> actions;  // lower -> name
  for (const rolegate::Policy* p : {&o, &n})
    for (std::string_view x : rolegate::CatalogActions(*p)) actions.emplace(Lower(std::string(x)), std::string(x));
  std::set<std::string> scopes;
  Editor e;
  for (V* b : {&ob, &nb}) {
    for (const char* list : {"assignments", "deny_assignments"})
      for (const std::string& s : e.Strings(*b, list, "scope")) scopes.insert(Lower(s));
    for (const std::string& s : e.Strings(*b, "scope_parents", "scope")) scopes.insert(Lower(s));
    for (const std::string& s : e.Strings(*b, "scope_parents", "parent")) scopes.insert(Lower(s));
    if (V* roles = e.List(*b, "roles"))
      for (V& r : roles->a)
        if (V* as = r.Get("assignable_scopes"))
          for (V& s : as->a) scopes.insert(Lower(s.s));
  }
  std::vector<std::string> rows;
  for (const std::string& p : principals)
    for (const std::string& s : scopes)
      for (bool below : {false, true}) {
        const std::string res = below ? (s == "/" ? "" : s) + "/" + seg : s;
        std::vector<std::string> gained, lost;
        for (const auto& [lower, name] : actions) {
          const bool was = o.Check(p, name, res).allowed, is = n.Check(p, name, res).allowed;
          if (was != is) (is ? gained : lost).push_back(lower);
        }
        if (gained.empty() && lost.empty()) continue;
        std::string row = p + "|" + s + "|" + (below ? "below" : "exact") + "|+";
        for (auto& g : gained) row += g + ",";
        row += "|-";
        for (auto& l : lost) row += l + ",";
        rows.push_back(row);
      }
  return rows;
}

std::vector<std::string> DiffRows(const rolegate::DiffResult& r) {
  std::vector<std::string> rows;
  for (const auto& d : r.rows) {
    std::string row = d.principal + "|" + Lower(d.scope) + "|" + (d.below ? "below" : "exact") + "|+";
    std::vector<std::string> g, l;
    for (auto& x : d.gained) g.push_back(Lower(x));
    for (auto& x : d.lost) l.push_back(Lower(x));
    std::sort(g.begin(), g.end());
    std::sort(l.begin(), l.end());
    for (auto& x : g) row += x + ",";
    row += "|-";
    for (auto& x : l) row += x + ",";
    rows.push_back(row);
  }
  return rows;
}

TEST(Diff, RandomEditsAgreeWithBruteForce) {
  const uint64_t n = EnvOr("ROLEGATE_DIFF_PAIRS", 2000), first = EnvOr("ROLEGATE_DIFF_PAIR_SEED", 1);
  std::map<std::string, int> done;
  uint64_t with_rows = 0;
  for (uint64_t seed = first; seed < first + n; ++seed) {
    rolegate_ref::RandomBundleOptions opt;
    opt.v2 = seed % 2 == 0;  // conditions, permission blocks, scope parents
    const std::string old_json = rolegate_ref::RandomBundle(seed, opt).json;
    V ob = Parse(old_json);
    Editor ed{std::mt19937_64(seed)};
    std::string new_json, what;
    std::unique_ptr<rolegate::Policy> np;
    for (int attempt = 0; attempt < 8 && !np; ++attempt) {
      V nb = ob;
      what = ed.Edit(nb, static_cast<int>(ed.Pick(8)));
      if (what.empty()) continue;
      new_json = Dump(nb);
      auto c = rolegate::Compile(new_json, rolegate::Limits{}, nullptr);
      if (c.ok()) np = std::move(*c);
    }
    if (!np) continue;
    auto op = rolegate_test::Build(old_json);
    ASSERT_TRUE(op);
    auto r = rolegate::Diff(old_json, new_json, rolegate::DiffOptions{}, nullptr, nullptr);
    ASSERT_TRUE(r.ok()) << r.status();
    V nb = Parse(new_json);
    const auto brute = BruteRows(*op, *np, ob, nb, r->summary.below_segment);
    ASSERT_EQ(DiffRows(*r), brute) << "seed " << seed << " edit " << what << "\nnew: " << new_json;
    if (what == "shuffle") {
      EXPECT_TRUE(r->rows.empty() && r->rules.empty()) << "seed " << seed;
      EXPECT_EQ(r->summary.decisions, 0u) << "seed " << seed << ": a shuffle must re-decide nothing";
    }
    done[what]++;
    with_rows += !r->rows.empty();
  }
  for (const auto& [what, count] : done) std::printf("  %-16s %d pairs\n", what.c_str(), count);
  EXPECT_GE(done.size(), 7u);
  EXPECT_GT(with_rows * 5, n) << "too few edits changed a decision for the property to bite";
}

}  // namespace

namespace {

constexpr char kBase[] = R"({"version": 1,
  "actions": [{"name": "svc/read"}, {"name": "svc/write"}, {"name": "svc/delete"}],
  "roles": [{"id": "reader", "actions": ["svc/read"]}, {"id": "writer", "actions": ["svc/read", "svc/write"]}],
  "groups": [{"id": "grp:team", "members": ["user:ann", "grp:sub"]}, {"id": "grp:sub", "members": ["user:bob"]}],
  "assignments": [
    {"id": "a1", "principal": "grp:team", "role": "reader", "scope": "/subscriptions/s1"},
    {"id": "a2", "principal": "user:carl", "role": "writer", "scope": "/subscriptions/s1/resourceGroups/rg"}],
  "statements": [{"id": "s1", "principal": "user:dan", "effect": "Allow", "actions": ["svc/read"],
                  "resources": ["/subscriptions/s1/*"]}]
})";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t k = s.find(from);
  EXPECT_NE(k, std::string::npos) << from;
  if (k != std::string::npos) s.replace(k, from.size(), to);
  return s;
}

// Rows as "principal scope[/*] +gained -lost" (the below class shown as "/*").
std::vector<std::string> Short(const rolegate::DiffResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.rows) {
    std::string row = d.principal + " " + d.scope + (d.below ? "/*" : "");
    for (auto& g : d.gained) row += " +" + g;
    for (auto& l : d.lost) row += " -" + l;
    out.push_back(row);
  }
  return out;
}

rolegate::DiffResult RunDiff(const std::string& a, const std::string& b) {
  auto r = rolegate::Diff(a, b, rolegate::DiffOptions{}, nullptr, nullptr);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : rolegate::DiffResult{};
}

TEST(DiffHand, IdenticalBundlesReportNothing) {
  const auto r = RunDiff(kBase, kBase);
  EXPECT_TRUE(r.rows.empty());
  EXPECT_TRUE(r.rules.empty());
  EXPECT_EQ(r.summary.decisions, 0u);
}

TEST(DiffHand, OneRolesActions) {
  const auto r = RunDiff(kBase, Replace(kBase, R"("actions": ["svc/read"]}, {"id": "writer")",
                                        R"("actions": ["svc/read", "svc/write"]}, {"id": "writer")"));
  std::vector<std::string> want;
  for (const char* p : {"grp:sub", "grp:team", "user:ann", "user:bob"})
    for (const char* s : {"/subscriptions/s1", "/subscriptions/s1/*", "/subscriptions/s1/resourceGroups/rg",
                          "/subscriptions/s1/resourceGroups/rg/*"})
      want.push_back(std::string(p) + " " + s + " +svc/write");
  EXPECT_EQ(Short(r), want);
  EXPECT_TRUE(r.rules.empty());  // a1 has no condition
}

TEST(DiffHand, OneGroupsMembers) {
  const auto r = RunDiff(kBase, Replace(kBase, R"("members": ["user:bob"])", R"("members": ["user:eve"])"));
  EXPECT_EQ(Short(r), (std::vector<std::string>{
                          "user:bob /subscriptions/s1 -svc/read", "user:bob /subscriptions/s1/* -svc/read",
                          "user:bob /subscriptions/s1/resourceGroups/rg -svc/read",
                          "user:bob /subscriptions/s1/resourceGroups/rg/* -svc/read",
                          "user:eve /subscriptions/s1 +svc/read", "user:eve /subscriptions/s1/* +svc/read",
                          "user:eve /subscriptions/s1/resourceGroups/rg +svc/read",
                          "user:eve /subscriptions/s1/resourceGroups/rg/* +svc/read"}));
}

TEST(DiffHand, OneAssignmentsScope) {
  const auto r = RunDiff(kBase, Replace(kBase, R"("scope": "/subscriptions/s1/resourceGroups/rg")",
                                        R"("scope": "/subscriptions/s2")"));
  EXPECT_EQ(Short(r), (std::vector<std::string>{
                          "user:carl /subscriptions/s1/resourceGroups/rg -svc/read -svc/write",
                          "user:carl /subscriptions/s1/resourceGroups/rg/* -svc/read -svc/write",
                          "user:carl /subscriptions/s2 +svc/read +svc/write",
                          "user:carl /subscriptions/s2/* +svc/read +svc/write"}));
}

TEST(DiffHand, OneStatement) {
  const auto r = RunDiff(kBase, Replace(kBase, R"("effect": "Allow")", R"("effect": "Deny")"));
  EXPECT_EQ(Short(r), (std::vector<std::string>{"user:dan /subscriptions/s1/* -svc/read",
                                                 "user:dan /subscriptions/s1/resourceGroups/rg -svc/read",
                                                 "user:dan /subscriptions/s1/resourceGroups/rg/* -svc/read"}));
  ASSERT_EQ(r.rules.size(), 1u);
  EXPECT_EQ(r.rules[0].kind, "statement");
  EXPECT_EQ(r.rules[0].id, "s1");
  EXPECT_EQ(r.rules[0].change, "changed");
  EXPECT_EQ(r.rules[0].principals, (std::vector<std::string>{"user:dan"}));
}

// SPEC §14 "exact, never sampled": the below class stands for a generic
// unnamed descendant, so a statement whose glob picks out some children
// (`rg/ro*`, `rg/?`) is reported in its own line and makes no row; one that
// covers every child (`rg/*`) does make below rows.
TEST(DiffHand, BelowRowsIgnoreGlobsThatPickOutSomeChildren) {
  for (const char* pattern : {"/subscriptions/s1/resourceGroups/rg/ro*", "/subscriptions/s1/resourceGroups/rg/?",
                              "/subscriptions/s1/resourceGroups/rg/*a*"}) {
    const auto r = RunDiff(kBase, Replace(kBase, R"("resources": ["/subscriptions/s1/*"]}])",
                                          std::string(R"("resources": ["/subscriptions/s1/*"]}, {"id": "s2", "principal": "user:dan", "effect": "Allow", "actions": ["svc/write"], "resources": [")") +
                                              pattern + R"("]}])"));
    EXPECT_TRUE(r.rows.empty()) << pattern << ": " << testing::PrintToString(Short(r));
    ASSERT_EQ(r.rules.size(), 1u) << pattern;
    EXPECT_EQ(r.rules[0].id, "s2");
    EXPECT_EQ(r.summary.below_segment.find_first_of("ro?a"), std::string::npos) << r.summary.below_segment;
  }
  const auto all = RunDiff(kBase, Replace(kBase, R"("resources": ["/subscriptions/s1/*"]}])",
                                         R"("resources": ["/subscriptions/s1/*"]}, {"id": "s2", "principal": "user:dan", "effect": "Allow", "actions": ["svc/write"], "resources": ["/subscriptions/s1/resourceGroups/rg/*"]}])"));
  EXPECT_EQ(Short(all), (std::vector<std::string>{"user:dan /subscriptions/s1/resourceGroups/rg/* +svc/write"}));
}

// The synthetic child's code point is one no pattern or scope holds: the
// asterism first, then U+4E00 and up.
TEST(DiffHand, BelowSegmentAvoidsCodePointsInUse) {
  EXPECT_EQ(RunDiff(kBase, kBase).summary.below_segment, "\u2042");
  const std::string taken = Replace(kBase, R"("resources": ["/subscriptions/s1/*"])",
                                    R"("resources": ["/subscriptions/s1/*", "/x/\u2042\u4e00?"])");
  EXPECT_EQ(RunDiff(taken, taken).summary.below_segment, "\u4e01\u4e01");  // one `?`: two of them
}

TEST(DiffHand, OneScopeParent) {
  // s2 moves under s1: a1 now reaches it (once the engine follows scope
  // parents, SPEC §12); whatever the engine decides, the rows are exactly
  // its decisions over the whole product, and the subtree was re-decided.
  const std::string b = Replace(kBase, R"("statements")",
                                R"("scope_parents": [{"scope": "/subscriptions/s2", "parent": "/subscriptions/s1"}],
                                   "statements")");
  const auto r = RunDiff(kBase, b);
  auto op = rolegate_test::Build(kBase), np = rolegate_test::Build(b);
  ASSERT_TRUE(op && np);
  V ob = Parse(kBase), nb = Parse(b);
  EXPECT_EQ(DiffRows(r), BruteRows(*op, *np, ob, nb, r.summary.below_segment));
  EXPECT_GT(r.summary.decisions, 0u);
}

// A rule line's change and principals, as "kind id change p1,p2".
std::vector<std::string> Lines(const rolegate::DiffResult& r) {
  std::vector<std::string> out;
  for (const auto& l : r.rules) {
    std::string line = l.kind + " " + l.id + " " + l.change + " ";
    for (size_t i = 0; i < l.principals.size(); ++i) line += (i ? "," : "") + l.principals[i];
    out.push_back(line);
  }
  return out;
}

// Rules whose decisions the rows cannot show (statements on ARNs,
// conditional grants) still get a line when something they depend on
// changed without them changing: silence would say nothing differs.
constexpr char kReach[] = R"({"version": 1,
  "actions": [{"name": "secretsmanager:GetSecretValue"}, {"name": "svc/read"}, {"name": "svc/write"}],
  "roles": [{"id": "r", "permissions": [{"actions": ["svc/read"]},
                                        {"actions": ["svc/write"], "condition": "@Resource[tag] StringEquals 'prod'"}]},
            {"id": "plain", "actions": ["svc/read"]}],
  "groups": [{"id": "grp:ops", "members": ["user:a"]}],
  "assignments": [{"id": "c1", "principal": "grp:ops", "role": "plain", "scope": "/s/x",
                   "condition": "@Resource[tag] StringEquals 'prod'"}],
  "statements": [{"id": "s1", "principal": "grp:ops", "effect": "Allow", "actions": ["secretsmanager:*"],
                  "resources": ["arn:aws:secretsmanager:*:*:secret:*"]}]
})";

TEST(DiffHand, GroupChangeWidensAnUnchangedStatementAndConditionalGrant) {
  const auto r = RunDiff(kReach, Replace(kReach, R"(["user:a"])", R"(["user:a", "user:m"])"));
  EXPECT_TRUE(r.rows.empty()) << "no named scope shows either rule";
  EXPECT_EQ(Lines(r), (std::vector<std::string>{"assignment c1 changed user:m", "statement s1 changed user:m"}));
}

TEST(DiffHand, CatalogChangeWidensAStatementPattern) {
  const auto r = RunDiff(kReach, Replace(kReach, R"({"name": "svc/read"})",
                                         R"({"name": "svc/read"}, {"name": "secretsmanager:DeleteSecret"})"));
  EXPECT_EQ(Lines(r), (std::vector<std::string>{"statement s1 changed grp:ops,user:a"}));
}

TEST(DiffHand, ConditionOnARolesBlockGivesALine) {
  // With an empty context both bundles deny svc/write (condition_not_met):
  // no row; a context with the tag allows it in the new bundle only.
  const auto r = RunDiff(kReach, Replace(kReach, R"("assignments": [)",
                                         R"("assignments": [{"id": "a9", "principal": "user:m", "role": "r",
                                             "scope": "/s/y"}, )"));
  EXPECT_EQ(Short(r), (std::vector<std::string>{"user:m /s/y +svc/read", "user:m /s/y/* +svc/read"}));
  EXPECT_EQ(Lines(r), (std::vector<std::string>{"assignment a9 added user:m"}));
}

TEST(DiffHand, ScopeParentChangeUnderAConditionalGrant) {
  const auto r = RunDiff(kReach, Replace(kReach, R"("statements")",
                                         R"("scope_parents": [{"scope": "/t", "parent": "/s/x"}], "statements")"));
  EXPECT_EQ(Lines(r), (std::vector<std::string>{"assignment c1 changed grp:ops,user:a"}));
}

TEST(DiffHand, ReachLinesStayQuietForUnrelatedChanges) {
  // A group no line-rule depends on, and a catalog entry no pattern covers.
  const std::string b = Replace(Replace(kReach, R"("groups": [)", R"("groups": [{"id": "grp:x", "members": ["user:z"]}, )"),
                                R"({"name": "svc/read"})", R"({"name": "svc/read"}, {"name": "other/thing"})");
  EXPECT_TRUE(RunDiff(kReach, b).rules.empty());
}

TEST(DiffHand, FiltersAndBadBundles) {
  const std::string b = Replace(kBase, R"("members": ["user:bob"])", R"("members": ["user:eve"])");
  rolegate::DiffOptions opt;
  opt.principal = "user:eve";
  opt.scope = "/subscriptions/s1/resourceGroups/rg";
  auto r = rolegate::Diff(kBase, b, opt, nullptr, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Short(*r), (std::vector<std::string>{"user:eve /subscriptions/s1/resourceGroups/rg +svc/read",
                                                  "user:eve /subscriptions/s1/resourceGroups/rg/* +svc/read"}));
  opt = {};
  opt.max_rows = 3;
  r = rolegate::Diff(kBase, b, opt, nullptr, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows.size(), 3u);
  EXPECT_TRUE(r->summary.truncated);
  std::vector<rolegate::Diagnostic> od, nd;
  r = rolegate::Diff(kBase, "{\"version\": 1}", {}, &od, &nd);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(nd.empty());
}

}  // namespace
