// rolegate/engine.h — holds the Policy in service and publishes new ones
// atomically while queries run (SPEC §8).
//
// Readers never take a lock and never wait for a writer: a query announces the
// Policy it reads in a per-thread hazard slot (one store, validated by one
// load), and Publish() retires the old Policy only once no slot names it.
// There is no reference count bumped per query. A caller that wants one
// Policy for a whole request or batch pins it with Acquire().
#ifndef ROLEGATE_ENGINE_H_
#define ROLEGATE_ENGINE_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rolegate/policy.h"

namespace rolegate {

namespace internal {
// A Policy plus the pin count of Snapshots that hold it. The engine's own
// "in service" reference counts as one pin.
struct PolicyBox {
  explicit PolicyBox(std::unique_ptr<Policy> p) : policy(std::move(p)) {}
  std::unique_ptr<Policy> policy;
  std::atomic<int64_t> pins{1};
};
struct HazardSlot;  // engine.cc
HazardSlot* ThisThreadSlot();
void Protect(HazardSlot* slot, const void* p);   // publish "I read p"
void Unprotect(HazardSlot* slot);                // done reading
void ReleasePin(PolicyBox* box);                 // drop one pin; frees at zero
}  // namespace internal

// A pinned Policy: every query through one Snapshot sees the same bundle.
// Movable, not copyable; releasing (destroying) it is cheap.
class Snapshot {
 public:
  Snapshot() = default;
  ~Snapshot() { Reset(); }
  Snapshot(Snapshot&& o) noexcept : box_(o.box_) { o.box_ = nullptr; }
  Snapshot& operator=(Snapshot&& o) noexcept {
    if (this != &o) { Reset(); box_ = o.box_; o.box_ = nullptr; }
    return *this;
  }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  explicit operator bool() const { return box_ != nullptr; }
  const Policy& policy() const { return *box_->policy; }
  const Policy* operator->() const { return box_->policy.get(); }
  void Reset() {
    if (box_) internal::ReleasePin(box_);
    box_ = nullptr;
  }

 private:
  friend class Engine;
  explicit Snapshot(internal::PolicyBox* b) : box_(b) {}
  internal::PolicyBox* box_ = nullptr;
};

class Engine {
 public:
  // Compiles `bundle_json` and puts it in service. Diagnostics as Compile().
  static absl::StatusOr<std::unique_ptr<Engine>> Create(std::string_view bundle_json,
                                                        const Limits& limits = {},
                                                        std::vector<Diagnostic>* diagnostics = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Compiles a new bundle beside the current one and swaps it in. On any
  // error the Policy in service stays in service and nothing changes.
  // Writers are serialised among themselves; readers are never blocked.
  absl::Status Publish(std::string_view bundle_json, std::vector<Diagnostic>* diagnostics = nullptr);
  // Swaps in an already compiled Policy. Fails only with ResourceExhausted
  // (no memory for the bookkeeping), and then the old Policy stays in service.
  absl::Status Publish(std::unique_ptr<Policy> policy);

  // Pins the Policy in service (one atomic increment, not per query).
  Snapshot Acquire() const;

  // Runs fn(const Policy&) against the Policy in service under a hazard slot:
  // the lock-free per-query path. fn must not call back into this Engine.
  template <typename Fn>
  decltype(auto) With(Fn&& fn) const {
    internal::HazardSlot* slot = internal::ThisThreadSlot();
    internal::PolicyBox* box = ProtectCurrent(slot);
    struct Guard {
      internal::HazardSlot* s;
      ~Guard() { internal::Unprotect(s); }
    } guard{slot};
    return fn(static_cast<const Policy&>(*box->policy));
  }

  Decision Check(std::string_view principal, std::string_view action, std::string_view resource) const {
    return With([&](const Policy& p) { return p.Check(principal, action, resource); });
  }
  // With a context and asserted groups (Policy::Check(const Query&)): the
  // Query is borrowed for the call only. Same lock-free path as Check.
  Decision Check(const Query& q) const {
    return With([&](const Policy& p) { return p.Check(q); });
  }
  // There is no Engine::Explain: its `rule` views the Policy's memory, which
  // a Publish may free as soon as the call returns. Explain, CheckWorkload
  // and CheckRequest go through a pinned Snapshot (Acquire()), whose Policy
  // outlives every view it hands out:
  //   rolegate::Snapshot s = engine.Acquire();
  //   rolegate::Explanation e = s->Explain(q);  // e.rule valid while s lives
  // Snapshot's operator-> reaches every Policy query, Query overloads and
  // QueryExtras included (Check, Explain, CheckWorkload, CheckRequest).

  // How many Policies were published and how many retired ones still wait
  // for readers (for tests and monitoring).
  uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }
  size_t retired_pending() const;
  // The limits every Publish compiles with (those given to Create).
  const Limits& limits() const { return limits_; }
  // Frees every retired Policy no reader still holds and returns how many
  // remain. Publish() already does this (with a short wait for readers); a
  // retired table whose reader was mid-query then is freed by the next
  // Publish() or by this call.
  size_t Reclaim();

 private:
  explicit Engine(std::unique_ptr<Policy> first, const Limits& limits);
  // Announces the current Policy in `slot` and returns it once the
  // announcement is known to have happened before any retirement of it.
  internal::PolicyBox* ProtectCurrent(internal::HazardSlot* slot) const {
    internal::PolicyBox* box = current_.load(std::memory_order_acquire);
    for (;;) {
      internal::Protect(slot, box);
      internal::PolicyBox* again = current_.load(std::memory_order_acquire);
      if (again == box) return box;
      box = again;
    }
  }
  void Retire(internal::PolicyBox* old);  // called with write_mu_ held
  void ReclaimLocked();

  Limits limits_;
  std::atomic<internal::PolicyBox*> current_;
  std::atomic<uint64_t> generation_{1};
  mutable std::mutex write_mu_;  // writers only; readers never touch it
  std::vector<internal::PolicyBox*> retired_;
};

}  // namespace rolegate

#endif  // ROLEGATE_ENGINE_H_
