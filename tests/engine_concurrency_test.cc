// tests/engine_concurrency_test.cc — readers checking while a writer
// publishes: every answer must be the answer of one of the published
// bundles, old tables must be freed (memory stays bounded), and pinned
// snapshots see one bundle throughout. Run under ThreadSanitizer in CI.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rolegate/engine.h"

namespace {

// Bundle k grants "u" the action a/read on /s<k> only, so each bundle gives
// a distinct, checkable answer pattern.
std::string BundleFor(int k) {
  return absl::StrCat(
      R"({"version":1,"actions":[{"name":"a/read"}],"roles":[{"id":"r","actions":["a/read"]}],)",
      R"("assignments":[{"id":"x","principal":"u","role":"r","scope":"/s)", k, R"("}]})");
}

TEST(EngineConcurrency, ReadersSeeExactlyOnePublishedBundle) {
  constexpr int kBundles = 8;
  std::vector<std::string> bundles;
  for (int k = 0; k < kBundles; ++k) bundles.push_back(BundleFor(k));
  auto engine = rolegate::Engine::Create(bundles[0]);
  ASSERT_TRUE(engine.ok()) << engine.status();
  rolegate::Engine& e = **engine;

  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::atomic<uint64_t> checks{0}, bad{0};
  auto reader = [&] {
    std::vector<std::string> resources;
    for (int k = 0; k < kBundles; ++k) resources.push_back(absl::StrCat("/s", k, "/leaf"));
    uint64_t n = 0;
    started.fetch_add(1);
    // At least some rounds even if the writer is done quickly.
    while (!stop.load(std::memory_order_relaxed) || n < 400) {
      // One pinned snapshot: exactly one resource is allowed in it.
      rolegate::Snapshot snap = e.Acquire();
      int allowed = 0;
      for (const auto& r : resources) allowed += snap->Check("u", "a/read", r).allowed;
      if (allowed != 1) bad.fetch_add(1);
      // Unpinned checks: each must be a valid answer of some bundle.
      for (const auto& r : resources) {
        rolegate::Decision d = e.Check("u", "a/read", r);
        if (!(d.reason == rolegate::Reason::kGrant || d.reason == rolegate::Reason::kNoGrant)) bad.fetch_add(1);
        ++n;
      }
    }
    checks.fetch_add(n);
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) readers.emplace_back(reader);
  while (started.load() < 3) std::this_thread::yield();  // publish while they read
  const int kPublishes = 300;
  for (int i = 1; i <= kPublishes; ++i) {
    ASSERT_TRUE(e.Publish(bundles[i % kBundles]).ok());
    if (i % 50 == 0) {
      // A rejected bundle in the middle changes nothing.
      EXPECT_FALSE(e.Publish("{\"version\":1}").ok());
    }
  }
  stop.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(checks.load(), 0u);
  EXPECT_EQ(e.generation(), uint64_t{kPublishes + 1});
  // With no reader left, nothing may stay retired: memory is bounded. (The
  // last Publish may have left one table to a reader that was mid-query.)
  EXPECT_LE(e.retired_pending(), 1u);
  EXPECT_EQ(e.Reclaim(), 0u);
  // The last published bundle is the one in service.
  const int last = kPublishes % kBundles;
  EXPECT_TRUE(e.Check("u", "a/read", absl::StrCat("/s", last)).allowed);
  EXPECT_FALSE(e.Check("u", "a/read", absl::StrCat("/s", (last + 1) % kBundles)).allowed);
}

TEST(EngineConcurrency, SnapshotOutlivesEngineAndPublishes) {
  auto engine = rolegate::Engine::Create(BundleFor(0));
  ASSERT_TRUE(engine.ok());
  rolegate::Snapshot pinned = (*engine)->Acquire();
  for (int i = 1; i < 20; ++i) ASSERT_TRUE((*engine)->Publish(BundleFor(i)).ok());
  EXPECT_TRUE(pinned->Check("u", "a/read", "/s0").allowed);
  engine->reset();
  EXPECT_TRUE(pinned->Check("u", "a/read", "/s0/x").allowed);
  rolegate::Snapshot moved = std::move(pinned);
  EXPECT_FALSE(static_cast<bool>(pinned));
  EXPECT_TRUE(moved->Check("u", "a/read", "/s0").allowed);
}

TEST(EngineConcurrency, ConcurrentPublishers) {
  auto engine = rolegate::Engine::Create(BundleFor(0));
  ASSERT_TRUE(engine.ok());
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w)
    writers.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) ASSERT_TRUE((*engine)->Publish(BundleFor(w * 100 + i)).ok());
    });
  std::thread reader([&] {
    for (int i = 0; i < 20000; ++i) (*engine)->Check("u", "a/read", "/s1");
  });
  for (auto& t : writers) t.join();
  reader.join();
  EXPECT_EQ((*engine)->generation(), 101u);
  // The reader may have held the table the last Publish retired; with it
  // gone, one reclaim pass frees everything.
  EXPECT_EQ((*engine)->Reclaim(), 0u);
}

}  // namespace
