// lib/engine.cc — atomic publication with hazard slots.
//
// Reader (per query): store the Policy pointer it is about to read into its
// thread's slot, re-load the current pointer, retry if it moved. Writer
// (Publish): swap the pointer, then free the old Policy once no slot names
// it. The reader's store must be visible to the writer's scan before the
// reader trusts its re-load; that normally costs the reader a full fence
// (xchg). Where Linux offers membarrier(PRIVATE_EXPEDITED), the writer pays
// for it instead: it forces a barrier on every running thread of the process
// before scanning, and readers get away with a plain store and a compiler
// fence (the asymmetric-fence scheme folly's hazard pointers use).
//
// Slots live in a process-wide list that only grows; a thread takes one on
// first use and gives it back when it exits, so the list is as long as the
// peak number of threads that ever queried.
#include "rolegate/engine.h"

#include "engine/ops.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>


namespace rolegate {
namespace internal {

struct alignas(64) HazardSlot {
  std::atomic<const void*> ptr{nullptr};
  std::atomic<bool> in_use{false};
  HazardSlot* next = nullptr;
};

namespace {

std::atomic<HazardSlot*> g_slots{nullptr};

// Decided once, before the first Engine exists, and never changed.
bool AsymmetricFences() {
  static const bool ok = [] {
#ifdef __NR_membarrier
    long cmds = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0);
    if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
    return syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) == 0;
#else
    return false;
#endif
  }();
  return ok;
}
std::atomic<bool> g_asymmetric{false};

void HeavyFence() {
  if (g_asymmetric.load(std::memory_order_relaxed)) {
#ifdef __NR_membarrier
    if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == 0) return;
#endif
  }
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

HazardSlot* TakeSlot() {
  for (HazardSlot* s = g_slots.load(std::memory_order_acquire); s; s = s->next) {
    bool expected = false;
    if (!s->in_use.load(std::memory_order_relaxed) &&
        s->in_use.compare_exchange_strong(expected, true, std::memory_order_acq_rel))
      return s;
  }
  auto* s = new HazardSlot;
  s->in_use.store(true, std::memory_order_relaxed);
  HazardSlot* head = g_slots.load(std::memory_order_relaxed);
  do {
    s->next = head;
  } while (!g_slots.compare_exchange_weak(head, s, std::memory_order_release, std::memory_order_relaxed));
  return s;
}

struct SlotOwner {
  HazardSlot* slot = TakeSlot();
  ~SlotOwner() {
    slot->ptr.store(nullptr, std::memory_order_release);
    slot->in_use.store(false, std::memory_order_release);
  }
};

}  // namespace

HazardSlot* ThisThreadSlot() {
  thread_local SlotOwner owner;
  return owner.slot;
}

HazardSlot* ThisThreadShadowSlot() {
  thread_local SlotOwner owner;
  return owner.slot;
}

PolicyBox::~PolicyBox() {
  if (void* gen = ops_gen.load(std::memory_order_acquire)) ReleaseOpsGen(gen);
}

void Protect(HazardSlot* slot, const void* p) {
  if (g_asymmetric.load(std::memory_order_relaxed)) {
    slot->ptr.store(p, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
  } else {
    slot->ptr.store(p, std::memory_order_seq_cst);
  }
}

void Unprotect(HazardSlot* slot) { slot->ptr.store(nullptr, std::memory_order_release); }

void ReleasePin(PolicyBox* box) {
  if (box->pins.fetch_sub(1, std::memory_order_acq_rel) == 1) delete box;
}

}  // namespace internal

Engine::Engine(std::unique_ptr<Policy> first, const Limits& limits)
    : limits_(limits), current_(new internal::PolicyBox(std::move(first))) {
  current_.load(std::memory_order_relaxed)->generation = 1;
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(std::string_view bundle_json, const Limits& limits,
                                                       std::vector<Diagnostic>* diagnostics) {
  internal::g_asymmetric.store(internal::AsymmetricFences(), std::memory_order_relaxed);
  auto policy = Compile(bundle_json, limits, diagnostics);
  if (!policy.ok()) return policy.status();
  try {
    return std::unique_ptr<Engine>(new Engine(std::move(*policy), limits));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory while creating the engine");
  }
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(std::unique_ptr<Policy> policy, const Limits& limits) {
  internal::g_asymmetric.store(internal::AsymmetricFences(), std::memory_order_relaxed);
  if (policy == nullptr) return absl::InvalidArgumentError("Engine::Create: no policy");
  try {
    return std::unique_ptr<Engine>(new Engine(std::move(policy), limits));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory while creating the engine");
  }
}

Engine::~Engine() {
  std::lock_guard<std::mutex> lock(write_mu_);
  active_ops_.store(nullptr, std::memory_order_release);
  Retire(current_.exchange(nullptr, std::memory_order_acq_rel));
  Retire(shadow_.exchange(nullptr, std::memory_order_acq_rel));
  // No query may run during destruction (documented), so this converges.
  while (!retired_.empty()) {
    ReclaimLocked();
    if (!retired_.empty()) std::this_thread::yield();
  }
  if (internal::Ops* ops = ops_.load(std::memory_order_relaxed)) internal::OpsUnref(ops);  // snapshots may hold it too
}

absl::Status Engine::Publish(std::string_view bundle_json, std::vector<Diagnostic>* diagnostics) {
  // Compile outside the writer lock: a slow compile must not delay another
  // publisher's swap, and a failed one changes nothing.
  auto policy = Compile(bundle_json, limits_, diagnostics);
  if (!policy.ok()) return policy.status();
  return Publish(std::move(*policy));
}

absl::Status Engine::Publish(std::unique_ptr<Policy> policy) {
  // Everything that can allocate happens before the swap, so running out of
  // memory leaves the old Policy in service and nothing half done.
  std::unique_ptr<internal::PolicyBox> box;
  std::unique_lock<std::mutex> lock(write_mu_, std::defer_lock);
  try {
    box = std::make_unique<internal::PolicyBox>(std::move(policy));
    lock.lock();
    retired_.reserve(retired_.size() + 1);
    box->generation = generation_.load(std::memory_order_relaxed) + 1;
    if (internal::Ops* ops = ops_.load(std::memory_order_relaxed))
      internal::OpsOnPublish(ops, box.get());  // its rule counters, if counted
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory while publishing; the bundle in service is unchanged");
  }
  internal::PolicyBox* old = current_.exchange(box.release(), std::memory_order_acq_rel);
  generation_.fetch_add(1, std::memory_order_relaxed);
  if (internal::Ops* ops = ops_.load(std::memory_order_relaxed)) internal::OpsOnRetire(ops, old);
  Retire(old);
  return absl::OkStatus();
}

Snapshot Engine::Acquire() const {
  internal::HazardSlot* slot = internal::ThisThreadSlot();
  internal::PolicyBox* box = ProtectCurrent(slot);
  // Safe: the hazard keeps the box alive until the pin is taken.
  box->pins.fetch_add(1, std::memory_order_relaxed);
  internal::Unprotect(slot);
  internal::Ops* ops = active_ops_.load(std::memory_order_acquire);
  if (ops == nullptr) return Snapshot(box, nullptr, nullptr);
  // Operations on: the Snapshot keeps the Ops (it may outlive the engine)
  // and pins the shadow in place now, so its queries see one pair.
  internal::OpsRef(ops);
  internal::HazardSlot* slot2 = internal::ThisThreadShadowSlot();
  internal::PolicyBox* shadow = ProtectShadow(slot2);
  if (shadow) shadow->pins.fetch_add(1, std::memory_order_relaxed);
  internal::Unprotect(slot2);
  return Snapshot(box, shadow, ops);
}

void Engine::Retire(internal::PolicyBox* old) {
  if (old == nullptr) return;
  retired_.push_back(old);  // capacity reserved by the caller: cannot throw
  // Readers hold a slot for the length of one query, so the old table is
  // normally free at once; a reader descheduled mid-query can hold it for a
  // scheduler tick or two. The publisher (never a reader) waits that long —
  // yields first, then short sleeps, 10 ms at most — so an old table does
  // not linger until the next publish. Past that, Reclaim() or the next
  // Publish frees it.
  for (int spin = 0; spin < 64 && !retired_.empty(); ++spin) {
    ReclaimLocked();
    if (!retired_.empty()) std::this_thread::yield();
  }
  for (int nap = 0; nap < 100 && !retired_.empty(); ++nap) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    ReclaimLocked();
  }
}

void Engine::ReclaimLocked() {
  internal::HeavyFence();
  // No allocation here (it runs after the swap, where failure is not an
  // option): retired_ is short, so each retired box is looked for in the
  // slot list directly.
  auto held = [](const internal::PolicyBox* b) {
    for (internal::HazardSlot* s = internal::g_slots.load(std::memory_order_acquire); s; s = s->next)
      if (s->ptr.load(std::memory_order_acquire) == b) return true;
    return false;
  };
  auto keep = std::remove_if(retired_.begin(), retired_.end(), [&](internal::PolicyBox* b) {
    if (held(b)) return false;
    internal::ReleasePin(b);  // the engine's own pin; pinned snapshots keep it alive
    return true;
  });
  retired_.erase(keep, retired_.end());
}

size_t Engine::Reclaim() {
  std::lock_guard<std::mutex> lock(write_mu_);
  ReclaimLocked();
  return retired_.size();
}

size_t Engine::retired_pending() const {
  std::lock_guard<std::mutex> lock(write_mu_);
  return retired_.size();
}

}  // namespace rolegate
