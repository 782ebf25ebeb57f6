// tests/ops_test.cc — SPEC §15 through the C++ API: counters by reason and
// by rule (fresh per generation, the old ones readable once), the decision
// log (sampling, denies only, truncation, drops counted exactly), and the
// shadow bundle (disagreements equal a brute-force comparison of the two
// bundles' answers on the same queries).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rolegate/engine.h"
#include "support/random_bundle.h"
#include "support/reference.h"

namespace {

using rolegate::DecisionRecord;
using rolegate::Engine;
using rolegate::OpsOptions;
using rolegate::Reason;

// "u" may read /s<k>; "d" is denied by a deny assignment everywhere.
std::string BundleFor(int k) {
  return absl::StrCat(
      R"({"version":1,"actions":[{"name":"a/read"}],"roles":[{"id":"r","actions":["a/read"]}],)",
      R"("assignments":[{"id":"grant)", k, R"(","principal":"u","role":"r","scope":"/s)", k, R"("},)",
      R"({"id":"wide","principal":"d","role":"r","scope":"/"}],)",
      R"("deny_assignments":[{"id":"block","principals":["d"],"actions":["a/read"],"scope":"/"}]})");
}

std::unique_ptr<Engine> MakeEngine(int k = 0) {
  auto e = Engine::Create(BundleFor(k));
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(*e);
}

std::string Str(const char* p, uint16_t n) { return std::string(p, n); }

TEST(Ops, OffByDefaultRecordsNothing) {
  auto e = MakeEngine();
  EXPECT_TRUE(e->Check("u", "a/read", "/s0/x").allowed);
  rolegate::OpsStats s = e->ReadOpsStats();
  EXPECT_EQ(s.decisions, 0u);
  DecisionRecord r;
  EXPECT_EQ(e->DrainDecisions(&r, 1), 0u);
}

TEST(Ops, CountersByReasonAndRule) {
  auto e = MakeEngine();
  OpsOptions o;
  o.counters = o.count_rules = true;
  ASSERT_TRUE(e->SetOps(o).ok());
  for (int i = 0; i < 5; ++i) e->Check("u", "a/read", "/s0/x");        // grant0
  for (int i = 0; i < 3; ++i) e->Check("d", "a/read", "/s0");          // block
  for (int i = 0; i < 2; ++i) e->Check("u", "a/read", "/other");       // no_grant
  e->Check("u", "nope", "/s0");                                         // unknown_action
  {
    rolegate::Snapshot snap = e->Acquire();
    snap.Check("u", "a/read", "/s0");  // recorded
    snap->Check("u", "a/read", "/s0"); // the bare Policy: not recorded
  }
  rolegate::OpsStats s = e->ReadOpsStats();
  EXPECT_EQ(s.decisions, 12u);
  EXPECT_EQ(s.allows, 6u);
  EXPECT_EQ(s.denies, 6u);
  EXPECT_EQ(s.by_reason[static_cast<int>(Reason::kGrant)], 6u);
  EXPECT_EQ(s.by_reason[static_cast<int>(Reason::kDenyAssignment)], 3u);
  EXPECT_EQ(s.by_reason[static_cast<int>(Reason::kNoGrant)], 2u);
  EXPECT_EQ(s.by_reason[static_cast<int>(Reason::kUnknownAction)], 1u);
  ASSERT_EQ(s.generations.size(), 1u);
  EXPECT_TRUE(s.generations[0].in_service);
  EXPECT_EQ(s.generations[0].generation, 1u);
  ASSERT_EQ(s.generations[0].rules.size(), 2u);
  EXPECT_EQ(s.generations[0].rules[0].rule, "grant0");
  EXPECT_EQ(s.generations[0].rules[0].allows, 6u);
  EXPECT_EQ(s.generations[0].rules[1].rule, "block");
  EXPECT_EQ(s.generations[0].rules[1].denies, 3u);
  EXPECT_EQ(s.generations[0].rules[1].kind, rolegate::RuleKind::kDenyAssignment);

  // A new generation starts fresh; the old one is readable exactly once.
  ASSERT_TRUE(e->Publish(BundleFor(1)).ok());
  e->Check("u", "a/read", "/s1");
  s = e->ReadOpsStats();
  ASSERT_EQ(s.generations.size(), 2u);
  EXPECT_EQ(s.generations[0].generation, 2u);
  EXPECT_TRUE(s.generations[0].in_service);
  ASSERT_EQ(s.generations[0].rules.size(), 1u);
  EXPECT_EQ(s.generations[0].rules[0].rule, "grant1");
  EXPECT_EQ(s.generations[1].generation, 1u);
  EXPECT_FALSE(s.generations[1].in_service);
  EXPECT_EQ(s.generations[1].rules[0].allows, 6u);
  s = e->ReadOpsStats();
  ASSERT_EQ(s.generations.size(), 1u);
  EXPECT_EQ(s.decisions, 13u);  // reason counters are per engine, cumulative
}

TEST(Ops, QueryEntryPointsAreRecorded) {
  auto e = MakeEngine();
  OpsOptions o;
  o.counters = o.log = true;
  ASSERT_TRUE(e->SetOps(o).ok());
  // "x" is no principal of the bundle; asserting group "u" makes it hold u's grant.
  const std::string_view groups[] = {"u"};
  rolegate::Query q{"x", "a/read", "/s0/y", rolegate::AssertedGroups{groups, 1}, {}};
  EXPECT_TRUE(e->Check(q).allowed);
  rolegate::Snapshot snap = e->Acquire();
  rolegate::Explanation ex = snap.Explain(q);
  EXPECT_EQ(ex.rule, "grant0");
  EXPECT_EQ(e->ReadOpsStats().decisions, 2u);
  DecisionRecord r[2];
  ASSERT_EQ(e->DrainDecisions(r, 2), 2u);
  EXPECT_EQ(Str(r[1].rule, r[1].rule_len), "grant0");
  EXPECT_EQ(Str(r[1].principal, r[1].principal_len), "x");
}

TEST(Ops, UnreadGenerationsAreBounded) {
  auto e = MakeEngine();
  OpsOptions o;
  o.count_rules = true;
  ASSERT_TRUE(e->SetOps(o).ok());
  for (int k = 1; k <= 20; ++k) ASSERT_TRUE(e->Publish(BundleFor(k)).ok());
  rolegate::OpsStats s = e->ReadOpsStats();
  EXPECT_EQ(s.generations.size(), 9u);  // in service + 8 unread
  EXPECT_EQ(s.generations_dropped, 12u);
}

TEST(Ops, LogRecordsAndDeniesOnly) {
  auto e = MakeEngine();
  OpsOptions o;
  o.log = true;
  o.log_ring_records = 64;
  ASSERT_TRUE(e->SetOps(o).ok());
  e->Check("u", "a/read", "/s0/x");
  e->Check("d", "a/read", "/s0");
  DecisionRecord r[4];
  ASSERT_EQ(e->DrainDecisions(r, 4), 2u);
  EXPECT_EQ(Str(r[0].principal, r[0].principal_len), "u");
  EXPECT_EQ(Str(r[0].resource, r[0].resource_len), "/s0/x");
  EXPECT_EQ(Str(r[0].rule, r[0].rule_len), "grant0");
  EXPECT_EQ(r[0].allowed, 1);
  EXPECT_EQ(r[0].generation, 1u);
  EXPECT_EQ(r[1].reason, Reason::kDenyAssignment);
  EXPECT_EQ(Str(r[1].rule, r[1].rule_len), "block");
  EXPECT_NE(r[0].decision_id, r[1].decision_id);
  EXPECT_GT(r[0].timestamp_ns, 0u);

  o.log_denies_only = true;
  ASSERT_TRUE(e->SetOps(o).ok());
  e->Check("u", "a/read", "/s0/x");
  e->Check("d", "a/read", "/s0");
  ASSERT_EQ(e->DrainDecisions(r, 4), 1u);
  EXPECT_EQ(r[0].allowed, 0);
}

TEST(Ops, SamplingRateIsRoughlyHonoured) {
  auto e = MakeEngine();
  OpsOptions o;
  o.log = true;
  o.log_sample_rate = 0.1;
  o.log_ring_records = 1 << 16;
  ASSERT_TRUE(e->SetOps(o).ok());
  for (int i = 0; i < 20000; ++i) e->Check("u", "a/read", "/s0");
  rolegate::OpsStats s = e->ReadOpsStats();
  EXPECT_GT(s.log_records, 1500u);
  EXPECT_LT(s.log_records, 2500u);
  o.log_sample_rate = 0;
  ASSERT_TRUE(e->SetOps(o).ok());
  for (int i = 0; i < 1000; ++i) e->Check("u", "a/read", "/s0");
  EXPECT_EQ(e->ReadOpsStats().log_records, s.log_records);
}

TEST(Ops, LongStringsAreCutAndMarked) {
  auto e = MakeEngine();
  OpsOptions o;
  o.log = true;
  ASSERT_TRUE(e->SetOps(o).ok());
  const std::string p(300, 'p'), r = "/s0/" + std::string(1000, 'r');
  e->Check(p, "a/read", r);
  DecisionRecord rec;
  ASSERT_EQ(e->DrainDecisions(&rec, 1), 1u);
  EXPECT_EQ(rec.principal_len, DecisionRecord::kPrincipalRoom);
  EXPECT_EQ(rec.resource_len, DecisionRecord::kResourceRoom);
  EXPECT_EQ(rec.truncated, DecisionRecord::kPrincipalCut | DecisionRecord::kResourceCut);
  EXPECT_EQ(Str(rec.resource, rec.resource_len), r.substr(0, DecisionRecord::kResourceRoom));
}

TEST(Ops, FullRingDropsAreCountedExactly) {
  auto e = MakeEngine();
  OpsOptions o;
  o.log = true;
  o.log_ring_records = 16;  // the minimum
  ASSERT_TRUE(e->SetOps(o).ok());
  for (int i = 0; i < 100; ++i) e->Check("u", "a/read", "/s0");
  rolegate::OpsStats s = e->ReadOpsStats();
  EXPECT_EQ(s.log_records, 16u);
  EXPECT_EQ(s.log_dropped, 84u);
  std::vector<DecisionRecord> out(200);
  EXPECT_EQ(e->DrainDecisions(out.data(), out.size()), 16u);
  // Room again after the drain.
  e->Check("u", "a/read", "/s0");
  EXPECT_EQ(e->DrainDecisions(out.data(), out.size()), 1u);
}

TEST(Ops, RequestAndWorkloadRecordsCarryRouteAndIdentity) {
  auto e = Engine::Create(rolegate::ExampleBundle());
  ASSERT_TRUE(e.ok());
  OpsOptions o;
  o.log = o.counters = true;
  ASSERT_TRUE((*e)->SetOps(o).ok());
  rolegate::Snapshot snap = (*e)->Acquire();
  rolegate::RequestScratch scratch;
  rolegate::RequestExplanation re = snap.CheckRequest("user:alice", "GET", "/api/v2/clouds", &scratch);
  rolegate::WorkloadQuery wq;
  wq.cloud = "nope";
  snap.CheckWorkload(wq, "x", "/");
  DecisionRecord r[2];
  ASSERT_EQ((*e)->DrainDecisions(r, 2), 2u);
  EXPECT_EQ(r[0].op, rolegate::DecisionOp::kCheckRequest);
  EXPECT_EQ(Str(r[0].route, r[0].route_len), std::string(re.route));
  EXPECT_EQ(r[0].reason, re.check.decision.reason);
  EXPECT_EQ(r[1].op, rolegate::DecisionOp::kCheckWorkload);
  EXPECT_EQ(r[1].reason, Reason::kUnknownCloud);
}

TEST(Ops, ShadowAnswersFromLiveAndCountsDisagreements) {
  auto e = MakeEngine(0);
  ASSERT_TRUE(e->PublishShadow(BundleFor(1)).ok());
  EXPECT_TRUE(e->has_shadow());
  EXPECT_TRUE(e->Check("u", "a/read", "/s0").allowed);   // live allows, shadow denies
  EXPECT_FALSE(e->Check("u", "a/read", "/s1").allowed);  // live denies, shadow allows
  EXPECT_FALSE(e->Check("d", "a/read", "/s1").allowed);  // both deny
  rolegate::OpsStats s = e->ReadOpsStats();
  EXPECT_EQ(s.shadow_checked, 3u);
  EXPECT_EQ(s.shadow_denied, 1u);
  EXPECT_EQ(s.shadow_allowed, 1u);
  // Logged with both rules once the log is on, sampling or not.
  OpsOptions o;
  o.log = true;
  o.log_sample_rate = 0;  // disagreements are logged anyway
  o.counters = true;
  ASSERT_TRUE(e->SetOps(o).ok());
  // log_sample_rate 0 turns the log off entirely; say so by a rate just above.
  o.log_sample_rate = 1e-12;
  ASSERT_TRUE(e->SetOps(o).ok());
  e->Check("u", "a/read", "/s1");
  e->Check("d", "a/read", "/s1");
  DecisionRecord r[4];
  ASSERT_EQ(e->DrainDecisions(r, 4), 1u);
  EXPECT_EQ(r[0].shadow, DecisionRecord::kShadowAllow);
  EXPECT_EQ(Str(r[0].shadow_rule, r[0].shadow_rule_len), "grant1");
  EXPECT_EQ(r[0].rule_len, 0u);
  ASSERT_TRUE(e->ClearShadow().ok());
  EXPECT_FALSE(e->has_shadow());
  e->Check("u", "a/read", "/s1");
  EXPECT_EQ(e->ReadOpsStats().shadow_checked, 5u);
}

// The shadow's disagreement counts equal a brute-force comparison of the two
// bundles' answers, over random bundles and every query kind.
TEST(Ops, ShadowDisagreementsMatchBruteForce) {
  uint64_t total_disagreements = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    rolegate_ref::GeneratedBundle live = rolegate_ref::RandomBundle(seed);
    rolegate_ref::GeneratedBundle shadow = rolegate_ref::RandomBundle(seed + 100);
    std::string err;
    auto ref = rolegate_ref::Reference::Load(live.json, &err);
    ASSERT_TRUE(ref) << err;
    auto e = Engine::Create(live.json);
    ASSERT_TRUE(e.ok()) << e.status();
    ASSERT_TRUE((*e)->PublishShadow(shadow.json).ok());
    auto pl = rolegate::Compile(live.json, {}, nullptr);
    auto ps = rolegate::Compile(shadow.json, {}, nullptr);
    ASSERT_TRUE(pl.ok() && ps.ok());
    uint64_t want_allowed = 0, want_denied = 0, n = 0;
    auto tally = [&](bool l, bool s) {
      ++n;
      want_allowed += !l && s;
      want_denied += l && !s;
    };
    rolegate_ref::QueryGenerator gen(*ref, live.sample_targets, seed);
    rolegate::Snapshot snap = (*e)->Acquire();
    rolegate::RequestScratch s1, s2, s3;
    for (int i = 0; i < 300; ++i) {
      rolegate_ref::CheckQuery q = gen.NextCheck();
      const bool got = (i % 2 ? snap.Check(q.principal, q.action, q.resource)
                              : (*e)->Check(q.principal, q.action, q.resource)).allowed;
      EXPECT_EQ(got, (*pl)->Check(q.principal, q.action, q.resource).allowed);
      tally(got, (*ps)->Check(q.principal, q.action, q.resource).allowed);
      rolegate_ref::RequestQuery rq = gen.NextRequest();
      const bool rl = snap.CheckRequest(rq.principal, rq.method, rq.target, &s1).check.decision.allowed;
      EXPECT_EQ(rl, (*pl)->CheckRequest(rq.principal, rq.method, rq.target, &s2).check.decision.allowed);
      tally(rl, (*ps)->CheckRequest(rq.principal, rq.method, rq.target, &s3).check.decision.allowed);
    }
    rolegate::OpsStats st = (*e)->ReadOpsStats();
    EXPECT_EQ(st.shadow_checked, n) << "seed " << seed;
    EXPECT_EQ(st.shadow_allowed, want_allowed) << "seed " << seed;
    EXPECT_EQ(st.shadow_denied, want_denied) << "seed " << seed;
    total_disagreements += want_allowed + want_denied;
  }
  EXPECT_GT(total_disagreements, 20u);  // the comparison must have had something to find
}

}  // namespace
