// tests/review_test.cc — who_can and what_can (SPEC §14) against brute force:
// the reference evaluator (tests/support/reference.h) run over every
// principal the bundle names / every catalog action, on random bundles
// (support/random_bundle.h) and on hand-written cases.
//
// Knobs (environment): ROLEGATE_REVIEW_BUNDLES (default 1200),
// ROLEGATE_REVIEW_V2_BUNDLES (default 800),
// ROLEGATE_REVIEW_SEED (first seed, default 1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "rolegate/policy.h"
#include "rolegate/review.h"
#include "support/build_policy.h"
#include "support/query_extras.h"
#include "support/random_bundle.h"
#include "support/reference.h"

namespace {

using rolegate_ref::Reference;

uint64_t EnvOr(const char* name, uint64_t dflt) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : dflt;
}

// SPEC §14's "every principal the bundle names", read off the plain model.
std::set<std::string> NamedPrincipals(const rolegate_ref::Bundle& b) {
  std::set<std::string> out;
  for (const auto& a : b.assignments) out.insert(a.principal);
  for (const auto& d : b.deny_assignments) {
    for (const auto& p : d.principals)
      if (p != "*") out.insert(p);
    out.insert(d.exclude_principals.begin(), d.exclude_principals.end());
  }
  for (const auto& g : b.groups) {
    out.insert(g.id);
    out.insert(g.members.begin(), g.members.end());
  }
  for (const auto& s : b.statements) out.insert(s.principal);
  return out;
}

std::string RefRule(const rolegate_ref::Answer& a) { return a.rule_kind == "none" ? "" : a.rule; }

// who_can by brute force: "principal\trule" lines, sorted.
std::vector<std::string> BruteWhoCan(const Reference& ref, const std::string& action, const std::string& resource,
                                     const rolegate_ref::RefQueryExtras& x) {
  std::vector<std::string> out;
  for (const std::string& p : NamedPrincipals(ref.bundle())) {
    const auto a = ref.Check(p, action, resource, x);
    if (a.allowed) out.push_back(p + "\t" + RefRule(a));
  }
  return out;  // std::set order is bytewise
}

std::vector<std::string> BruteWhatCan(const Reference& ref, const std::string& principal,
                                      const std::string& resource, const rolegate_ref::RefQueryExtras& x) {
  std::vector<std::string> out;
  for (const auto& act : ref.bundle().actions) {
    const auto a = ref.Check(principal, act.name, resource, x);
    if (a.allowed) out.push_back(act.name + "\t" + RefRule(a));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Lines(const std::vector<rolegate::PrincipalAllowed>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(std::string(x.principal) + "\t" + std::string(x.rule));
  return out;
}
std::vector<std::string> Lines(const std::vector<rolegate::ActionAllowed>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(std::string(x.action) + "\t" + std::string(x.rule));
  return out;
}

// Random bundles (v2: conditions, permission blocks, scope parents, and
// queries with contexts and asserted groups), six who_can and six what_can
// queries each, against brute force.
void RunRandom(uint64_t n, uint64_t first, const rolegate_ref::RandomBundleOptions& opt) {
  uint64_t queries = 0, nonempty = 0;
  for (uint64_t seed = first; seed < first + n; ++seed) {
    const rolegate_ref::GeneratedBundle g = rolegate_ref::RandomBundle(seed, opt);
    std::string err;
    auto ref = Reference::Load(g.json, &err, {});
    ASSERT_TRUE(ref) << "seed " << seed << ": " << err;
    auto policy = rolegate_test::Build(g.json);
    ASSERT_TRUE(policy) << "seed " << seed;
    // The table's principals are exactly the named ones.
    const auto names = rolegate::NamedPrincipals(*policy);
    ASSERT_EQ(std::set<std::string>(names.begin(), names.end()), NamedPrincipals(ref->bundle())) << "seed " << seed;
    rolegate_ref::QueryGenerator gen(*ref, g.sample_targets, seed * 7919, opt);
    for (int i = 0; i < 6; ++i) {
      const rolegate_ref::CheckQuery q = gen.NextCheck();
      rolegate_ref::EngineExtras x(q.extras);
      const auto who = Lines(rolegate::WhoCan(*policy, q.action, q.resource, x.context(), x.groups()));
      ASSERT_EQ(who, BruteWhoCan(*ref, q.action, q.resource, q.extras))
          << "seed " << seed << " who_can " << q.action << " " << rolegate_test::Printable(q.resource);
      const auto what = Lines(rolegate::WhatCan(*policy, q.principal, q.resource, x.context(), x.groups()));
      ASSERT_EQ(what, BruteWhatCan(*ref, q.principal, q.resource, q.extras))
          << "seed " << seed << " what_can " << q.principal << " " << rolegate_test::Printable(q.resource);
      queries += 2;
      nonempty += !who.empty() + !what.empty();
    }
  }
  // The property is vacuous if nearly every answer is empty.
  EXPECT_GT(nonempty * 4, queries) << nonempty << " of " << queries << " answers non-empty";
}

TEST(Review, RandomBundlesAgreeWithBruteForce) {
  RunRandom(EnvOr("ROLEGATE_REVIEW_BUNDLES", 1200), EnvOr("ROLEGATE_REVIEW_SEED", 1), {});
}

TEST(Review, RandomV2BundlesAgreeWithBruteForce) {
  rolegate_ref::RandomBundleOptions v2;
  v2.v2 = true;
  RunRandom(EnvOr("ROLEGATE_REVIEW_V2_BUNDLES", 800), EnvOr("ROLEGATE_REVIEW_SEED", 1), v2);
}

constexpr char kHand[] = R"({
  "version": 1,
  "actions": [
    {"name": "svc/read"}, {"name": "svc/write"}, {"name": "svc/delete"},
    {"name": "svc/admin", "effective_only_at": ["/subscriptions/*"]}
  ],
  "roles": [
    {"id": "reader", "actions": ["svc/read"]},
    {"id": "owner", "actions": ["svc/*"]}
  ],
  "groups": [
    {"id": "grp:all", "members": ["grp:team", "user:solo"]},
    {"id": "grp:team", "members": ["user:ann", "user:bob"]},
    {"id": "grp:breakglass", "members": ["user:bob"]}
  ],
  "assignments": [
    {"id": "a-all", "principal": "grp:all", "role": "owner", "scope": "/subscriptions/s1"},
    {"id": "a-rg", "principal": "user:carl", "role": "owner", "scope": "/subscriptions/s1/resourceGroups/rg"}
  ],
  "deny_assignments": [
    {"id": "d-delete", "principals": ["*"], "exclude_principals": ["grp:breakglass"],
     "actions": ["svc/delete"], "scope": "/subscriptions/s1"}
  ]
})";

std::vector<std::string> Names(const std::vector<rolegate::PrincipalAllowed>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.emplace_back(x.principal);
  return out;
}

TEST(Review, DenyToEveryoneButAGroup) {
  auto p = rolegate_test::Build(kHand);
  ASSERT_TRUE(p);
  EXPECT_EQ(Names(rolegate::WhoCan(*p, "svc/delete", "/subscriptions/s1/resourceGroups/rg")),
            (std::vector<std::string>{"user:bob"}));
  EXPECT_EQ(Names(rolegate::WhoCan(*p, "SVC/READ", "/subscriptions/s1/resourceGroups/rg")),
            (std::vector<std::string>{"grp:all", "grp:team", "user:ann", "user:bob", "user:carl", "user:solo"}));
}

TEST(Review, GrantOnlyThroughANestedGroup) {
  auto p = rolegate_test::Build(kHand);
  ASSERT_TRUE(p);
  const auto what = rolegate::WhatCan(*p, "user:ann", "/subscriptions/s1/x");
  // Everything but delete (denied to all but grp:breakglass); admin too, as
  // a-all's own scope is a subscription.
  ASSERT_EQ(what.size(), 3u);
  EXPECT_EQ(what[0].action, "svc/admin");
  EXPECT_EQ(what[1].action, "svc/read");
  EXPECT_EQ(what[1].rule, "a-all");
  EXPECT_EQ(what[2].action, "svc/write");
  EXPECT_TRUE(rolegate::WhatCan(*p, "user:nobody", "/subscriptions/s1").empty());
  EXPECT_TRUE(rolegate::WhatCan(*p, "", "/subscriptions/s1").empty());
  EXPECT_TRUE(rolegate::WhatCan(*p, "user:ann", "/subscriptions//s1").empty());
}

TEST(Review, EffectiveOnlyAtAction) {
  auto p = rolegate_test::Build(kHand);
  ASSERT_TRUE(p);
  // Granted at the subscription by a-all, at the resource group by a-rg: only
  // a-all's scope matches /subscriptions/*, and it covers the whole subtree.
  EXPECT_EQ(Names(rolegate::WhoCan(*p, "svc/admin", "/subscriptions/s1/resourceGroups/rg")),
            (std::vector<std::string>{"grp:all", "grp:team", "user:ann", "user:bob", "user:solo"}));
  EXPECT_TRUE(rolegate::WhoCan(*p, "svc/admin", "/subscriptions/s2").empty());
  EXPECT_TRUE(rolegate::WhoCan(*p, "svc/nope", "/subscriptions/s1").empty());
  EXPECT_TRUE(rolegate::WhoCan(*p, "svc/read", "").empty());
}

}  // namespace
