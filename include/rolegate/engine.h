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
#include "rolegate/ops.h"
#include "rolegate/policy.h"

namespace rolegate {

class Engine;

namespace internal {
// A Policy plus the pin count of Snapshots that hold it. The engine's own
// "in service" reference counts as one pin.
struct PolicyBox {
  explicit PolicyBox(std::unique_ptr<Policy> p) : policy(std::move(p)) {}
  ~PolicyBox();  // engine.cc: also drops its rule counters (ops.cc)
  std::unique_ptr<Policy> policy;
  std::atomic<int64_t> pins{1};
  uint64_t generation = 0;             // set before the box is published
  std::atomic<void*> ops_gen{nullptr};  // this generation's rule counters (ops.cc), if counted
};
struct HazardSlot;  // engine.cc
HazardSlot* ThisThreadSlot();
// A second slot per thread, for the shadow table a query reads beside the
// live one (same list, so Reclaim honours it like the first).
HazardSlot* ThisThreadShadowSlot();
struct Ops;                   // lib/engine/ops.h: counters, log, shadow accounting
void OpsUnref(Ops* ops);      // drops one reference (engine or snapshot)
// The recording query paths (ops.cc): answer from `live`, also ask `shadow`
// (may be null), record into `ops`.
// check / explain with the query's context and groups; `explain`: the
// caller wants the deciding rule (else it is computed only when recorded).
Explanation OpsQuery(Ops* ops, const PolicyBox* live, const PolicyBox* shadow, const Query& q, bool explain);
Decision OpsCheckIds(Ops* ops, const PolicyBox* live, const PolicyBox* shadow, PrincipalId principal,
                     ActionId action, std::string_view resource);
WorkloadExplanation OpsCheckWorkload(Ops* ops, const PolicyBox* live, const PolicyBox* shadow,
                                     const WorkloadQuery& q, std::string_view action,
                                     std::string_view resource, const QueryExtras& extras);
RequestExplanation OpsCheckRequest(Ops* ops, const PolicyBox* live, const PolicyBox* shadow,
                                   std::string_view principal, std::string_view method,
                                   std::string_view target, RequestScratch* scratch, const QueryExtras& extras);
void Protect(HazardSlot* slot, const void* p);   // publish "I read p"
void Unprotect(HazardSlot* slot);                // done reading
void ReleasePin(PolicyBox* box);                 // drop one pin; frees at zero
}  // namespace internal

// A pinned Policy: every query through one Snapshot sees the same bundle.
// Movable, not copyable; releasing (destroying) it is cheap.
//
// Queries through the Snapshot's own methods (Check, Explain, CheckIds,
// CheckWorkload, CheckRequest) are counted, logged and shadowed when the
// engine's operations are on (engine state at Acquire time: the shadow in
// place then is pinned with the live bundle). Queries through the Policy
// (`snap->Check(...)`, `policy()`) are never recorded.
class Snapshot {
 public:
  Snapshot() = default;
  ~Snapshot() { Reset(); }
  Snapshot(Snapshot&& o) noexcept : box_(o.box_), shadow_(o.shadow_), ops_(o.ops_) {
    o.box_ = o.shadow_ = nullptr;
    o.ops_ = nullptr;
  }
  Snapshot& operator=(Snapshot&& o) noexcept {
    if (this != &o) {
      Reset();
      box_ = o.box_;
      shadow_ = o.shadow_;
      ops_ = o.ops_;
      o.box_ = o.shadow_ = nullptr;
      o.ops_ = nullptr;
    }
    return *this;
  }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  explicit operator bool() const { return box_ != nullptr; }
  const Policy& policy() const { return *box_->policy; }
  const Policy* operator->() const { return box_->policy.get(); }
  void Reset() {
    if (box_) internal::ReleasePin(box_);
    if (shadow_) internal::ReleasePin(shadow_);
    if (ops_) internal::OpsUnref(ops_);
    box_ = shadow_ = nullptr;
    ops_ = nullptr;
  }
  // The generation of the pinned bundle (0 for an empty Snapshot).
  uint64_t generation() const { return box_ ? box_->generation : 0; }

  // The Policy's query methods, recorded when operations are on (one
  // predictable branch when off). The Snapshot must be non-empty.
  Decision Check(std::string_view principal, std::string_view action, std::string_view resource) const {
    if (ops_ == nullptr) return box_->policy->Check(principal, action, resource);
    return internal::OpsQuery(ops_, box_, shadow_, Query{principal, action, resource, {}, {}}, false).decision;
  }
  Explanation Explain(std::string_view principal, std::string_view action, std::string_view resource) const {
    if (ops_ == nullptr) return box_->policy->Explain(principal, action, resource);
    return internal::OpsQuery(ops_, box_, shadow_, Query{principal, action, resource, {}, {}}, true);
  }
  Decision Check(const Query& q) const {
    if (ops_ == nullptr) return box_->policy->Check(q);
    return internal::OpsQuery(ops_, box_, shadow_, q, false).decision;
  }
  Explanation Explain(const Query& q) const {
    if (ops_ == nullptr) return box_->policy->Explain(q);
    return internal::OpsQuery(ops_, box_, shadow_, q, true);
  }
  Decision CheckIds(PrincipalId principal, ActionId action, std::string_view resource) const {
    if (ops_ == nullptr) return box_->policy->CheckIds(principal, action, resource);
    return internal::OpsCheckIds(ops_, box_, shadow_, principal, action, resource);
  }
  WorkloadExplanation CheckWorkload(const WorkloadQuery& q, std::string_view action, std::string_view resource,
                                    const QueryExtras& extras = {}) const {
    if (ops_ == nullptr) return box_->policy->CheckWorkload(q, action, resource, extras);
    return internal::OpsCheckWorkload(ops_, box_, shadow_, q, action, resource, extras);
  }
  RequestExplanation CheckRequest(std::string_view principal, std::string_view method, std::string_view target,
                                  RequestScratch* scratch, const QueryExtras& extras = {}) const {
    if (ops_ == nullptr) return box_->policy->CheckRequest(principal, method, target, scratch, extras);
    return internal::OpsCheckRequest(ops_, box_, shadow_, principal, method, target, scratch, extras);
  }

 private:
  friend class Engine;
  Snapshot(internal::PolicyBox* b, internal::PolicyBox* shadow, internal::Ops* ops)
      : box_(b), shadow_(shadow), ops_(ops) {}
  internal::PolicyBox* box_ = nullptr;
  internal::PolicyBox* shadow_ = nullptr;  // pinned beside box_ when ops_ is set
  internal::Ops* ops_ = nullptr;           // a reference, when operations were on at Acquire
};

class Engine {
 public:
  // Compiles `bundle_json` and puts it in service. Diagnostics as Compile().
  static absl::StatusOr<std::unique_ptr<Engine>> Create(std::string_view bundle_json,
                                                        const Limits& limits = {},
                                                        std::vector<Diagnostic>* diagnostics = nullptr);
  // Puts an already compiled Policy in service (generation 1).
  // ResourceExhausted when out of memory.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(std::unique_ptr<Policy> policy,
                                                        const Limits& limits = {});
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

  // check(principal, action, resource) on the bundle in service; counted,
  // logged and shadowed when operations are on.
  Decision Check(std::string_view principal, std::string_view action, std::string_view resource) const {
    internal::Ops* ops = active_ops_.load(std::memory_order_acquire);
    if (__builtin_expect(ops == nullptr, 1))
      return With([&](const Policy& p) { return p.Check(principal, action, resource); });
    return CheckRecorded(ops, Query{principal, action, resource, {}, {}});
  }
  // The same with the query's context and asserted groups.
  Decision Check(const Query& q) const {
    internal::Ops* ops = active_ops_.load(std::memory_order_acquire);
    if (__builtin_expect(ops == nullptr, 1)) return With([&](const Policy& p) { return p.Check(q); });
    return CheckRecorded(ops, q);
  }

  // ---- Operations (SPEC §15; value types in rolegate/ops.h) ----
  // Sets what is recorded. The first call allocates the engine's operations
  // state (kept until the engine and its last Snapshot are gone). Turning
  // everything off (and no shadow) restores the one-branch query path.
  // ResourceExhausted when out of memory (nothing changes then).
  absl::Status SetOps(const OpsOptions& options);
  OpsOptions ops_options() const;
  // Sums the counters (never stops readers) and, with `with_rules`, returns
  // the rule counts of the generation in service plus each retired
  // generation not yet read; those are dropped by this read (without
  // `with_rules` they stay). Allocates the result; takes the operations
  // lock (stats readers and drainers only), never a reader's.
  OpsStats ReadOpsStats(bool with_rules = true);
  // Moves up to `max` logged records, oldest first per thread, into `out`
  // and returns how many. Drainers are serialised among themselves; readers
  // never wait for them. No allocation.
  size_t DrainDecisions(DecisionRecord* out, size_t max);
  // Compiles `bundle_json` and puts it in place as the shadow bundle: every
  // recorded decision is also taken on it (answers still come from the live
  // bundle) and disagreements are counted and logged. Turns operations on
  // if they were off (with counters). On error nothing changes.
  absl::Status PublishShadow(std::string_view bundle_json, std::vector<Diagnostic>* diagnostics = nullptr);
  absl::Status PublishShadow(std::unique_ptr<Policy> policy);
  // Removes the shadow bundle (OK without one). ResourceExhausted, and the
  // shadow stays, only when out of memory for the bookkeeping.
  absl::Status ClearShadow();
  bool has_shadow() const { return shadow_.load(std::memory_order_acquire) != nullptr; }
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
  internal::PolicyBox* ProtectShadow(internal::HazardSlot* slot) const {
    internal::PolicyBox* box = shadow_.load(std::memory_order_acquire);
    while (box != nullptr) {
      internal::Protect(slot, box);
      internal::PolicyBox* again = shadow_.load(std::memory_order_acquire);
      if (again == box) return box;
      box = again;
    }
    internal::Unprotect(slot);
    return nullptr;
  }
  Decision CheckRecorded(internal::Ops* ops, const Query& q) const;  // ops.cc
  void UpdateActiveOps();                  // with write_mu_ held (ops.cc)
  void Retire(internal::PolicyBox* old);  // called with write_mu_ held
  void ReclaimLocked();

  Limits limits_;
  std::atomic<internal::PolicyBox*> current_;
  // Operations: `ops_` once made (owned: one reference), `active_ops_` the
  // same pointer while anything is recorded or a shadow is in place, else
  // null — the one branch a query pays.
  std::atomic<internal::Ops*> ops_{nullptr};  // written once, under write_mu_
  std::atomic<internal::Ops*> active_ops_{nullptr};
  std::atomic<internal::PolicyBox*> shadow_{nullptr};
  std::atomic<uint64_t> generation_{1};
  mutable std::mutex write_mu_;  // writers only; readers never touch it
  std::vector<internal::PolicyBox*> retired_;
};

}  // namespace rolegate

#endif  // ROLEGATE_ENGINE_H_
