// lib/engine/ops.h — the engine's operations state (SPEC §15): per-thread
// counter blocks, per-thread decision rings, per-generation rule counters.
//
// Why this shape:
//  - Counters: each thread writes only its own block (a cache line or two of
//    its own), with a plain load and store rather than a locked add, so no
//    written line is shared between readers. Blocks are found by a small
//    per-process thread index; past kBlocks live threads, the extra ones
//    share one overflow block and use atomic adds there (still exact).
//  - Rule counters are dense per generation (one slot per rule and
//    decision), sharded by thread index as far as a memory budget allows:
//    one array per thread would cost threads x rules, unbounded for big
//    bundles. Shards are bumped with relaxed atomic adds.
//  - Log: one single-producer ring per block (the overflow block takes a
//    try-lock flag; a record it cannot take is dropped and counted). The
//    drainer is the only consumer. Records are fixed-size: writing one is a
//    few bounded copies, never an allocation (but the ring itself, made on
//    a thread's first logged record).
#ifndef ROLEGATE_LIB_ENGINE_OPS_H_
#define ROLEGATE_LIB_ENGINE_OPS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "rolegate/engine.h"
#include "rolegate/ops.h"

namespace rolegate::internal {

// Bits of Ops::flags.
enum OpsFlag : uint32_t {
  kOpsCounters = 1,
  kOpsRules = 2,
  kOpsLog = 4,
  kOpsDeniesOnly = 8,
  kOpsSampleAll = 16,
};

// One generation's rule counters. Reached by readers through the box they
// hold (PolicyBox::ops_gen); kept by the box and by Ops::gens, freed when
// both let go.
struct GenCounters {
  uint64_t generation = 0;
  std::atomic<int> refs{2};
  uint32_t n_rules = 0;
  uint32_t shards = 1;
  // [shard][rule][allowed]
  std::unique_ptr<std::atomic<uint64_t>[]> counts;
  // (address of the rule id in the Policy << 2 | RuleKind) -> rule index.
  // Read only while the box is alive; never after.
  absl::flat_hash_map<uint64_t, uint32_t> index;
  // Rule ids copied, so a retired generation stays readable after its
  // Policy is freed.
  std::string names;
  std::vector<uint32_t> name_end;
  std::vector<RuleKind> kinds;
  bool retired = false;  // under Ops::mu
};

struct Ring {
  explicit Ring(uint32_t c) : cap(c), slots(new (std::nothrow) DecisionRecord[c]) {}  // null when out of memory
  const uint32_t cap;
  std::unique_ptr<DecisionRecord[]> slots;
  alignas(64) std::atomic<uint64_t> head{0};  // written by the producer
  alignas(64) std::atomic<uint64_t> tail{0};  // written by the drainer
};

struct alignas(64) ThreadBlock {
  ThreadBlock(uint32_t i, bool s) : index(i), shared(s), rng(0x9E3779B97F4A7C15ULL * (i + 1)) {}
  ~ThreadBlock() { delete ring.load(std::memory_order_relaxed); }
  const uint32_t index;
  const bool shared;  // the overflow block: several writers, atomic adds
  std::atomic<uint64_t> by_reason[kMaxReasons] = {};
  std::atomic<uint64_t> allows{0}, log_records{0}, log_dropped{0}, shadow_checked{0}, shadow_allowed{0},
      shadow_denied{0}, shadow_skipped{0}, seq{0};
  std::atomic<uint64_t> rng;
  std::atomic<Ring*> ring{nullptr};
  std::atomic_flag writing = ATOMIC_FLAG_INIT;  // overflow block's ring only
};

struct Ops {
  static constexpr uint32_t kBlocks = 256;      // exclusive blocks; then one shared
  static constexpr size_t kMaxUnreadGenerations = 8;
  Ops();
  ~Ops();
  ThreadBlock* Block();  // this thread's block (made on first use)

  std::atomic<int> refs{1};
  std::atomic<uint32_t> flags{0};
  std::atomic<uint64_t> sample_threshold{0};
  std::atomic<uint32_t> ring_records{1024};
  std::atomic<uint64_t> rule_budget{uint64_t{32} << 20};
  std::atomic<ThreadBlock*> blocks[kBlocks + 1] = {};

  std::mutex mu;  // options, gens, drain position: stats readers and drainers only
  OpsOptions options;
  std::vector<GenCounters*> gens;  // in publish order
  uint64_t generations_dropped = 0;
  uint32_t drain_start = 0;
};

void OpsRef(Ops* ops);
// Drops the box's reference to its rule counters (PolicyBox destructor).
void ReleaseOpsGen(void* gen);
// Writer hooks, with the engine's write lock held. OnPublish may throw
// std::bad_alloc (before the swap: nothing changed then).
void OpsOnPublish(Ops* ops, PolicyBox* box);
void OpsAttachGen(Ops* ops, PolicyBox* box);
void OpsOnRetire(Ops* ops, PolicyBox* old);
void OpsApplyOptions(Ops* ops, const OpsOptions& options);
bool OpsAnyOn(const Ops* ops);
OpsStats OpsRead(Ops* ops, bool with_rules);
size_t OpsDrain(Ops* ops, DecisionRecord* out, size_t max);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_ENGINE_OPS_H_
