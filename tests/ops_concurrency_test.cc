// tests/ops_concurrency_test.cc — SPEC §15 under concurrency (run under
// ThreadSanitizer in CI): readers check while one thread publishes live and
// shadow bundles and another drains the decision log and reads the
// counters. Once quiescent: the counters sum to the number of decisions, no
// drained record is torn, records written + dropped = decisions sampled,
// rule counts add up, and memory stays bounded over 10^4 publishes.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rolegate/engine.h"

namespace {

using rolegate::DecisionRecord;

// Bundle k grants "everyone" (a plain principal id) a/read on /s<k%4> and
// denies all principals ("*") on /s<(k+1)%4>.
std::string BundleFor(int k) {
  return absl::StrCat(
      R"({"version":1,"actions":[{"name":"a/read"}],"roles":[{"id":"r","actions":["a/read"]}],)",
      R"("assignments":[{"id":"grant)", k, R"(","principal":"everyone","role":"r","scope":"/s)", k % 4, R"("}],)",
      R"("deny_assignments":[{"id":"deny)", k, R"(","principals":["*"],"actions":["a/read"],"scope":"/s)",
      (k + 1) % 4, R"("}]})");
}

// A record is whole when its principal and resource carry the same tag
// (each reader query writes "p<tag>" and "/s<j>/<tag>").
bool Whole(const DecisionRecord& r) {
  std::string p(r.principal, r.principal_len), res(r.resource, r.resource_len);
  if (p.size() < 2 || p[0] != 'p') return false;
  const std::string tag = p.substr(1);
  return res.size() > tag.size() && res.compare(res.size() - tag.size(), tag.size(), tag) == 0 &&
         res[res.size() - tag.size() - 1] == '/' && r.generation > 0 && r.truncated == 0;
}

TEST(OpsConcurrency, CountersLogAndShadowWhilePublishingAndDraining) {
  auto created = rolegate::Engine::Create(BundleFor(0));
  ASSERT_TRUE(created.ok());
  rolegate::Engine& e = **created;
  rolegate::OpsOptions o;
  o.counters = o.count_rules = o.log = true;
  o.log_ring_records = 64;  // small: drops happen, and must be counted
  ASSERT_TRUE(e.SetOps(o).ok());

  constexpr int kReaders = 3;
  constexpr int kPublishes = 10000;
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::atomic<uint64_t> decisions{0};
  auto reader = [&](int id) {
    uint64_t n = 0;
    started.fetch_add(1);
    while (!stop.load(std::memory_order_relaxed) || n < 2000) {
      const std::string tag = absl::StrCat(id, "x", n);
      const std::string p = "p" + tag, r = absl::StrCat("/s", n % 4, "/", tag);
      if (n % 3 == 0) {
        rolegate::Snapshot snap = e.Acquire();
        snap.Check(p, "a/read", r);
      } else {
        e.Check(p, "a/read", r);
      }
      ++n;
    }
    decisions.fetch_add(n);
  };
  std::vector<DecisionRecord> buf(256);
  uint64_t drained = 0, torn = 0, rule_total = 0;
  std::atomic<bool> drain_stop{false};
  std::thread drainer([&] {
    while (!drain_stop.load(std::memory_order_relaxed)) {
      size_t k = e.DrainDecisions(buf.data(), buf.size());
      for (size_t i = 0; i < k; ++i) torn += !Whole(buf[i]);
      drained += k;
      rolegate::OpsStats s = e.ReadOpsStats();
      for (const auto& g : s.generations)
        if (!g.in_service)
          for (const auto& rc : g.rules) rule_total += rc.allows + rc.denies;
    }
  });
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) readers.emplace_back(reader, i);
  while (started.load() < kReaders) std::this_thread::yield();
  for (int i = 1; i <= kPublishes; ++i) {
    // The readers' principals are unknown to every bundle, so the deny to
    // everyone ("*") decides on one scope in four and no_grant elsewhere;
    // the live and the shadow bundle both keep moving.
    if (i % 2) ASSERT_TRUE(e.Publish(BundleFor(i)).ok());
    else ASSERT_TRUE(e.PublishShadow(BundleFor(i)).ok());
    if (i % 1000 == 0) ASSERT_TRUE(e.ClearShadow().ok());
  }
  stop.store(true);
  for (auto& t : readers) t.join();
  drain_stop.store(true);
  drainer.join();

  // Quiescent: everything exact.
  for (size_t k; (k = e.DrainDecisions(buf.data(), buf.size())) > 0; drained += k)
    for (size_t i = 0; i < k; ++i) torn += !Whole(buf[i]);
  rolegate::OpsStats s = e.ReadOpsStats();
  for (const auto& g : s.generations)
    for (const auto& rc : g.rules) rule_total += rc.allows + rc.denies;
  EXPECT_EQ(torn, 0u);
  EXPECT_EQ(s.decisions, decisions.load());
  uint64_t by_reason = 0;
  for (uint64_t c : s.by_reason) by_reason += c;
  EXPECT_EQ(by_reason, s.decisions);
  EXPECT_EQ(s.log_records + s.log_dropped, s.decisions);  // 100 % sampling
  EXPECT_EQ(drained, s.log_records);
  EXPECT_GT(s.shadow_checked, 0u);
  EXPECT_LE(s.shadow_checked, s.decisions);
  const uint64_t with_rule = s.by_reason[static_cast<int>(rolegate::Reason::kDenyAssignment)] +
                             s.by_reason[static_cast<int>(rolegate::Reason::kGrant)];
  if (s.generations_dropped == 0) EXPECT_EQ(rule_total, with_rule);
  else EXPECT_LE(rule_total, with_rule);
  // Memory bounded: no retired table left, at most 8 unread generations kept.
  EXPECT_EQ(e.Reclaim(), 0u);
  EXPECT_LE(s.generations.size(), 9u);
  std::printf("decisions %llu, logged %llu, dropped %llu, shadow checked %llu, generations dropped %llu\n",
              static_cast<unsigned long long>(s.decisions), static_cast<unsigned long long>(s.log_records),
              static_cast<unsigned long long>(s.log_dropped), static_cast<unsigned long long>(s.shadow_checked),
              static_cast<unsigned long long>(s.generations_dropped));
}

// Snapshots keep the operations state (and the shadow they pinned) alive
// after the engine is gone.
TEST(OpsConcurrency, SnapshotOutlivesEngine) {
  auto created = rolegate::Engine::Create(BundleFor(0));
  ASSERT_TRUE(created.ok());
  rolegate::OpsOptions o;
  o.counters = o.log = o.count_rules = true;
  ASSERT_TRUE((*created)->SetOps(o).ok());
  ASSERT_TRUE((*created)->PublishShadow(BundleFor(1)).ok());
  rolegate::Snapshot snap = (*created)->Acquire();
  created->reset();
  EXPECT_FALSE(snap.Check("p1", "a/read", "/s1/x").allowed);
}

}  // namespace
