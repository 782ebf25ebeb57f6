// lib/engine/ops.cc — counters, decision log and shadow bundle (SPEC §15).
// The data structures and why they look so: engine/ops.h.
#include "engine/ops.h"

#include "eval/policy_access.h"

#include <time.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace rolegate {
namespace internal {

namespace {

// ---- thread indices ---------------------------------------------------------
// A process-wide small index per live thread, so a thread finds its block in
// any Ops with one array load. Indices are reused after a thread exits (the
// mutex orders the old thread's last writes before the new one's first);
// past Ops::kBlocks live threads, the rest get the shared overflow index.
std::mutex g_index_mu;
std::vector<uint32_t>* g_free_indices = nullptr;  // leaked on purpose: threads may exit after main
uint32_t g_next_index = 0;

struct IndexOwner {
  uint32_t index;
  IndexOwner() {
    std::lock_guard<std::mutex> lock(g_index_mu);
    if (g_free_indices && !g_free_indices->empty()) {
      index = g_free_indices->back();
      g_free_indices->pop_back();
    } else {
      index = g_next_index < Ops::kBlocks ? g_next_index++ : Ops::kBlocks;
    }
  }
  ~IndexOwner() {
    if (index == Ops::kBlocks) return;
    std::lock_guard<std::mutex> lock(g_index_mu);
    if (!g_free_indices) g_free_indices = new (std::nothrow) std::vector<uint32_t>;
    if (!g_free_indices) return;  // the index is lost, not reused: harmless
    try {
      g_free_indices->push_back(index);
    } catch (...) {
    }
  }
};

uint32_t ThisThreadIndex() {
  thread_local IndexOwner owner;
  return owner.index;
}

// One writer: a plain load and store (no locked instruction). Shared
// block: an atomic add.
inline uint64_t Bump(std::atomic<uint64_t>& c, bool shared) {
  if (shared) return c.fetch_add(1, std::memory_order_relaxed);
  const uint64_t v = c.load(std::memory_order_relaxed);
  c.store(v + 1, std::memory_order_relaxed);
  return v;
}

void UnrefGen(GenCounters* g) {
  if (g->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete g;
}

uint64_t RuleKey(std::string_view rule, RuleKind kind) {
  return (reinterpret_cast<uint64_t>(rule.data()) << 2) | static_cast<uint64_t>(kind);
}

// ---- one decision, as recorded ----------------------------------------------
struct Outcome {
  DecisionOp op = DecisionOp::kCheck;
  Explanation live;
  bool live_rule_known = false;
  bool shadow_taken = false;
  bool shadow_skipped = false;
  Explanation shadow;
  bool shadow_rule_known = false;
  std::string_view principal, action, resource, route, identity;
};

void CountRule(const PolicyBox* live, const ThreadBlock* block, const Explanation& ex) {
  if (ex.kind == RuleKind::kNone || ex.rule.empty()) return;
  auto* g = static_cast<GenCounters*>(live->ops_gen.load(std::memory_order_acquire));
  if (g == nullptr) return;  // counting was turned on after this box was read
  auto it = g->index.find(RuleKey(ex.rule, ex.kind));
  if (it == g->index.end()) return;
  const size_t shard = block->index % g->shards;
  const size_t slot = (shard * g->n_rules + it->second) * 2 + (ex.decision.allowed ? 1 : 0);
  g->counts[slot].fetch_add(1, std::memory_order_relaxed);
}

bool Sampled(const Ops* ops, ThreadBlock* b, uint32_t f) {
  if (f & kOpsSampleAll) return true;
  // xorshift64: cheap, and good enough to pick a fraction of decisions.
  uint64_t x = b->rng.load(std::memory_order_relaxed);
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  b->rng.store(x, std::memory_order_relaxed);  // racy on the shared block: a lost update is harmless
  return x < ops->sample_threshold.load(std::memory_order_relaxed);
}

void CopyField(char* dst, size_t room, std::string_view src, uint16_t* len, uint16_t* truncated, uint16_t bit) {
  size_t n = src.size();
  if (n > room) {
    n = room;
    *truncated |= bit;
  }
  if (n) std::memcpy(dst, src.data(), n);
  *len = static_cast<uint16_t>(n);
}

void FillRecord(const Outcome& o, uint64_t generation, uint64_t id, DecisionRecord* r) {
  // The coarse clock (the kernel tick, 1-4 ms): a precise CLOCK_REALTIME
  // read costs ~150 ns on VMs without a usable TSC, half a check. Order
  // within a thread is in decision_id.
  timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  r->timestamp_ns = static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
  r->generation = generation;
  r->decision_id = id;
  r->op = o.op;
  r->allowed = o.live.decision.allowed ? 1 : 0;
  r->reason = o.live.decision.reason;
  r->rule_kind = o.live.kind;
  r->shadow = !o.shadow_taken ? DecisionRecord::kNoShadow
              : o.shadow.decision.allowed ? DecisionRecord::kShadowAllow
                                          : DecisionRecord::kShadowDeny;
  r->shadow_reason = o.shadow_taken ? o.shadow.decision.reason : Reason::kInvalidInput;
  r->shadow_rule_kind = o.shadow_taken ? o.shadow.kind : RuleKind::kNone;
  r->reserved = 0;
  r->truncated = 0;
  using R = DecisionRecord;
  CopyField(r->principal, R::kPrincipalRoom, o.principal, &r->principal_len, &r->truncated, R::kPrincipalCut);
  CopyField(r->action, R::kActionRoom, o.action, &r->action_len, &r->truncated, R::kActionCut);
  CopyField(r->resource, R::kResourceRoom, o.resource, &r->resource_len, &r->truncated, R::kResourceCut);
  CopyField(r->route, R::kRouteRoom, o.route, &r->route_len, &r->truncated, R::kRouteCut);
  CopyField(r->identity, R::kIdentityRoom, o.identity, &r->identity_len, &r->truncated, R::kIdentityCut);
  CopyField(r->rule, R::kRuleRoom, o.live.rule, &r->rule_len, &r->truncated, R::kRuleCut);
  CopyField(r->shadow_rule, R::kRuleRoom, o.shadow_taken ? o.shadow.rule : std::string_view(),
            &r->shadow_rule_len, &r->truncated, R::kShadowRuleCut);
}

// Appends one record to the block's ring, or counts it dropped. Never
// blocks; allocates only the ring, once per block.
void Append(Ops* ops, ThreadBlock* b, const Outcome& o, uint64_t generation, uint64_t id) {
  if (b->shared && b->writing.test_and_set(std::memory_order_acquire)) {
    Bump(b->log_dropped, true);  // another overflow thread is writing: do not wait for it
    return;
  }
  Ring* ring = b->ring.load(std::memory_order_acquire);
  if (ring == nullptr) {
    const uint32_t cap = std::clamp<uint32_t>(ops->ring_records.load(std::memory_order_relaxed), 16, 1u << 20);
    ring = new (std::nothrow) Ring(cap);
    if (ring == nullptr || ring->slots == nullptr) {
      delete ring;
      ring = nullptr;
    } else {
      b->ring.store(ring, std::memory_order_release);
    }
  }
  const uint64_t h = ring ? ring->head.load(std::memory_order_relaxed) : 0;
  if (ring == nullptr || h - ring->tail.load(std::memory_order_acquire) >= ring->cap) {
    Bump(b->log_dropped, b->shared);
  } else {
    FillRecord(o, generation, id, &ring->slots[h % ring->cap]);
    ring->head.store(h + 1, std::memory_order_release);
    Bump(b->log_records, b->shared);
  }
  if (b->shared) b->writing.clear(std::memory_order_release);
}

// Counts and (maybe) logs one decision. `explain` fills in the rules of the
// live and shadow answers when the record needs them and they are unknown.
template <typename ExplainFn>
void Record(Ops* ops, uint32_t f, const PolicyBox* live, Outcome& o, ExplainFn&& explain) {
  ThreadBlock* b = ops->Block();
  // The sequence only names logged records (decision_id): bumped only then.
  const uint64_t seq = (f & kOpsLog) ? Bump(b->seq, b->shared) : 0;
  const Decision d = o.live.decision;
  if (f & kOpsCounters) {
    Bump(b->by_reason[static_cast<size_t>(d.reason) % kMaxReasons], b->shared);
    if (d.allowed) Bump(b->allows, b->shared);
  }
  if ((f & kOpsRules) && o.live_rule_known) CountRule(live, b, o.live);
  bool disagree = false;
  if (o.shadow_taken) {
    Bump(b->shadow_checked, b->shared);
    disagree = o.shadow.decision.allowed != d.allowed;
    if (disagree) Bump(o.shadow.decision.allowed ? b->shadow_allowed : b->shadow_denied, b->shared);
  } else if (o.shadow_skipped) {
    Bump(b->shadow_skipped, b->shared);
  }
  if (!(f & kOpsLog)) return;
  if (!disagree && (((f & kOpsDeniesOnly) && d.allowed) || !Sampled(ops, b, f))) return;
  if (!o.live_rule_known || (o.shadow_taken && !o.shadow_rule_known)) explain(o);
  Append(ops, b, o, live->generation, (uint64_t{b->index} + 1) << 40 | (seq & ((uint64_t{1} << 40) - 1)));
}

// The shadow's CheckRequest needs scratch of its own: the live answer's
// resource views the caller's.
thread_local RequestScratch t_shadow_scratch;

}  // namespace

// ---- Ops --------------------------------------------------------------------

Ops::Ops() { blocks[kBlocks].store(new ThreadBlock(kBlocks, /*shared=*/true), std::memory_order_relaxed); }

Ops::~Ops() {
  for (auto& b : blocks) delete b.load(std::memory_order_relaxed);
  for (GenCounters* g : gens) UnrefGen(g);
}

ThreadBlock* Ops::Block() {
  const uint32_t i = ThisThreadIndex();
  ThreadBlock* b = blocks[i].load(std::memory_order_acquire);
  if (__builtin_expect(b != nullptr, 1)) return b;
  // First decision of this thread index on this engine: make its block.
  // Out of memory: use the shared block (exact, only slower).
  auto* fresh = new (std::nothrow) ThreadBlock(i, false);
  if (fresh == nullptr) return blocks[kBlocks].load(std::memory_order_acquire);
  ThreadBlock* expected = nullptr;
  if (blocks[i].compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) return fresh;
  delete fresh;  // cannot happen (one live thread per index), but stay correct
  return expected;
}

void OpsRef(Ops* ops) { ops->refs.fetch_add(1, std::memory_order_relaxed); }

void OpsUnref(Ops* ops) {
  if (ops->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete ops;
}

void ReleaseOpsGen(void* gen) { UnrefGen(static_cast<GenCounters*>(gen)); }

bool OpsAnyOn(const Ops* ops) {
  return (ops->flags.load(std::memory_order_relaxed) & (kOpsCounters | kOpsRules | kOpsLog)) != 0;
}

void OpsApplyOptions(Ops* ops, const OpsOptions& o) {
  std::lock_guard<std::mutex> lock(ops->mu);
  ops->options = o;
  double rate = o.log_sample_rate;
  if (!(rate > 0)) rate = 0;  // NaN too
  if (rate > 1) rate = 1;
  ops->options.log_sample_rate = rate;
  ops->sample_threshold.store(static_cast<uint64_t>(rate * 18446744073709551615.0), std::memory_order_relaxed);
  ops->ring_records.store(o.log_ring_records, std::memory_order_relaxed);
  ops->rule_budget.store(o.rule_counter_bytes, std::memory_order_relaxed);
  uint32_t f = 0;
  if (o.counters) f |= kOpsCounters;
  if (o.count_rules) f |= kOpsRules;
  if (o.log && rate > 0) f |= kOpsLog;
  if (o.log_denies_only) f |= kOpsDeniesOnly;
  if (rate >= 1) f |= kOpsSampleAll;
  ops->flags.store(f, std::memory_order_release);
}

void OpsAttachGen(Ops* ops, PolicyBox* box) {
  if (box->ops_gen.load(std::memory_order_relaxed) != nullptr) return;
  const internal::PolicyData& d = PolicyAccess::Data(*box->policy);
  auto g = std::make_unique<GenCounters>();
  g->generation = box->generation;
  auto add = [&](const std::vector<std::string_view>& ids, RuleKind kind) {
    for (std::string_view id : ids) {
      if (id.empty()) continue;
      g->index.emplace(RuleKey(id, kind), g->n_rules++);
      g->names.append(id);
      g->name_end.push_back(static_cast<uint32_t>(g->names.size()));
      g->kinds.push_back(kind);
    }
  };
  add(d.assignment_ids, RuleKind::kAssignment);
  add(d.deny_ids, RuleKind::kDenyAssignment);
  add(d.statement_ids, RuleKind::kStatement);
  const uint64_t per_shard = uint64_t{g->n_rules} * 2 * sizeof(uint64_t) + 1;
  g->shards = static_cast<uint32_t>(std::clamp<uint64_t>(ops->rule_budget.load() / per_shard, 1, 16));
  g->counts.reset(new std::atomic<uint64_t>[size_t{g->shards} * g->n_rules * 2 + 1]());
  std::lock_guard<std::mutex> lock(ops->mu);
  ops->gens.reserve(ops->gens.size() + 1);
  ops->gens.push_back(g.get());
  box->ops_gen.store(g.release(), std::memory_order_release);
}

void OpsOnPublish(Ops* ops, PolicyBox* box) {
  if (ops->flags.load(std::memory_order_relaxed) & kOpsRules) OpsAttachGen(ops, box);
}

void OpsOnRetire(Ops* ops, PolicyBox* old) {
  auto* g = static_cast<GenCounters*>(old ? old->ops_gen.load(std::memory_order_relaxed) : nullptr);
  if (g == nullptr) return;
  std::lock_guard<std::mutex> lock(ops->mu);
  g->retired = true;
  // Bound the unread history: past the cap, drop the oldest retired.
  size_t retired = 0;
  for (GenCounters* x : ops->gens) retired += x->retired;
  for (auto it = ops->gens.begin(); retired > Ops::kMaxUnreadGenerations && it != ops->gens.end();) {
    if (!(*it)->retired) { ++it; continue; }
    UnrefGen(*it);
    it = ops->gens.erase(it);
    --retired;
    ++ops->generations_dropped;
  }
}

namespace {

GenerationCounts ReadGeneration(const GenCounters& g) {
  GenerationCounts out;
  out.generation = g.generation;
  out.in_service = !g.retired;
  for (uint32_t r = 0; r < g.n_rules; ++r) {
    uint64_t c[2] = {0, 0};
    for (uint32_t s = 0; s < g.shards; ++s)
      for (int a = 0; a < 2; ++a) c[a] += g.counts[(size_t{s} * g.n_rules + r) * 2 + a].load(std::memory_order_relaxed);
    if (c[0] == 0 && c[1] == 0) continue;
    const uint32_t begin = r == 0 ? 0 : g.name_end[r - 1];
    out.rules.push_back(RuleCount{g.names.substr(begin, g.name_end[r] - begin), g.kinds[r], c[1], c[0]});
  }
  return out;
}

}  // namespace

OpsStats OpsRead(Ops* ops, bool with_rules) {
  OpsStats s;
  for (const auto& slot : ops->blocks) {
    const ThreadBlock* b = slot.load(std::memory_order_acquire);
    if (b == nullptr) continue;
    for (int r = 0; r < kMaxReasons; ++r) s.by_reason[r] += b->by_reason[r].load(std::memory_order_relaxed);
    s.allows += b->allows.load(std::memory_order_relaxed);
    s.log_records += b->log_records.load(std::memory_order_relaxed);
    s.log_dropped += b->log_dropped.load(std::memory_order_relaxed);
    s.shadow_checked += b->shadow_checked.load(std::memory_order_relaxed);
    s.shadow_allowed += b->shadow_allowed.load(std::memory_order_relaxed);
    s.shadow_denied += b->shadow_denied.load(std::memory_order_relaxed);
    s.shadow_skipped += b->shadow_skipped.load(std::memory_order_relaxed);
  }
  for (uint64_t c : s.by_reason) s.decisions += c;
  // allows is bumped after its reason: a racing read may see the reason only.
  s.allows = std::min(s.allows, s.decisions);
  s.denies = s.decisions - s.allows;
  std::lock_guard<std::mutex> lock(ops->mu);
  s.generations_dropped = ops->generations_dropped;
  if (!with_rules) return s;
  for (const GenCounters* g : ops->gens)
    if (!g->retired) s.generations.push_back(ReadGeneration(*g));
  for (auto it = ops->gens.begin(); it != ops->gens.end();) {
    if (!(*it)->retired) { ++it; continue; }
    s.generations.push_back(ReadGeneration(**it));  // its last read
    UnrefGen(*it);
    it = ops->gens.erase(it);
  }
  return s;
}

size_t OpsDrain(Ops* ops, DecisionRecord* out, size_t max) {
  std::lock_guard<std::mutex> lock(ops->mu);
  size_t n = 0;
  constexpr uint32_t kAll = Ops::kBlocks + 1;
  // Start one block further each time, so one busy thread cannot starve
  // the others' rings when `max` is small.
  const uint32_t start = ops->drain_start;
  ops->drain_start = (start + 1) % kAll;
  for (uint32_t k = 0; k < kAll && n < max; ++k) {
    ThreadBlock* b = ops->blocks[(start + k) % kAll].load(std::memory_order_acquire);
    Ring* ring = b ? b->ring.load(std::memory_order_acquire) : nullptr;
    if (ring == nullptr) continue;
    uint64_t t = ring->tail.load(std::memory_order_relaxed);
    const uint64_t h = ring->head.load(std::memory_order_acquire);
    for (; t < h && n < max; ++t) out[n++] = ring->slots[t % ring->cap];
    ring->tail.store(t, std::memory_order_release);
  }
  return n;
}

// ---- the recording query paths ------------------------------------------------

Explanation OpsQuery(Ops* ops, const PolicyBox* live, const PolicyBox* shadow, const Query& q, bool explain) {
  const uint32_t f = ops->flags.load(std::memory_order_acquire);
  Outcome o;
  o.principal = q.principal;
  o.action = q.action;
  o.resource = q.resource;
  if (explain || (f & kOpsRules)) {
    o.live = live->policy->Explain(q);
    o.live_rule_known = true;
  } else {
    o.live.decision = live->policy->Check(q);
  }
  if (shadow) {
    o.shadow.decision = shadow->policy->Check(q);
    o.shadow_taken = true;
  }
  Record(ops, f, live, o, [&](Outcome& x) {
    if (!x.live_rule_known) x.live = live->policy->Explain(q);
    if (x.shadow_taken) x.shadow = shadow->policy->Explain(q);
  });
  return o.live;
}

Decision OpsCheckIds(Ops* ops, const PolicyBox* live, const PolicyBox* shadow, PrincipalId principal,
                     ActionId action, std::string_view resource) {
  const uint32_t f = ops->flags.load(std::memory_order_acquire);
  const PolicyData& d = PolicyAccess::Data(*live->policy);
  const bool known_p = principal < d.principals.size(), known_a = action < d.action_names.size();
  const bool bad_ids = (principal != kUnknownPrincipal && !known_p) || (action != kUnknownAction && !known_a);
  Outcome o;
  o.op = DecisionOp::kCheckIds;
  // Names for the record and the shadow; ids are the live bundle's own.
  if (known_p) o.principal = d.principal_names[principal];
  if (known_a) o.action = d.action_names[action];
  o.resource = resource;
  if (f & kOpsRules) {
    o.live = CheckResolved<true>(d, principal, action, resource, {}, {}, bad_ids);
    o.live_rule_known = true;
  } else {
    o.live.decision = live->policy->CheckIds(principal, action, resource);
  }
  if (shadow && known_p && known_a) {
    o.shadow.decision = shadow->policy->Check(o.principal, o.action, resource);
    o.shadow_taken = true;
  } else if (shadow) {
    o.shadow_skipped = true;  // the shadow cannot be asked without the names
  }
  Record(ops, f, live, o, [&](Outcome& x) {
    if (!x.live_rule_known) x.live = CheckResolved<true>(d, principal, action, resource, {}, {}, bad_ids);
    if (x.shadow_taken) x.shadow = shadow->policy->Explain(x.principal, x.action, resource);
  });
  return o.live.decision;
}

WorkloadExplanation OpsCheckWorkload(Ops* ops, const PolicyBox* live, const PolicyBox* shadow,
                                     const WorkloadQuery& q, std::string_view action,
                                     std::string_view resource, const QueryExtras& extras) {
  const uint32_t f = ops->flags.load(std::memory_order_acquire);
  WorkloadExplanation w = live->policy->CheckWorkload(q, action, resource, extras);  // already explains
  Outcome o;
  o.op = DecisionOp::kCheckWorkload;
  o.principal = w.resolution.identity;
  o.identity = w.resolution.identity;
  o.action = action;
  o.resource = resource;
  o.live = w.check;
  o.live_rule_known = true;
  if (shadow) {
    o.shadow = shadow->policy->CheckWorkload(q, action, resource, extras).check;
    o.shadow_taken = o.shadow_rule_known = true;
  }
  Record(ops, f, live, o, [](Outcome&) {});
  return w;
}

RequestExplanation OpsCheckRequest(Ops* ops, const PolicyBox* live, const PolicyBox* shadow,
                                   std::string_view principal, std::string_view method,
                                   std::string_view target, RequestScratch* scratch, const QueryExtras& extras) {
  const uint32_t f = ops->flags.load(std::memory_order_acquire);
  RequestExplanation e = live->policy->CheckRequest(principal, method, target, scratch, extras);  // already explains
  Outcome o;
  o.op = DecisionOp::kCheckRequest;
  o.principal = principal;
  o.action = e.action;
  o.resource = e.resource.empty() ? target : e.resource;
  o.route = e.route;
  o.live = e.check;
  o.live_rule_known = true;
  if (shadow) {
    o.shadow = shadow->policy->CheckRequest(principal, method, target, &t_shadow_scratch, extras).check;
    o.shadow_taken = o.shadow_rule_known = true;
  }
  Record(ops, f, live, o, [](Outcome&) {});
  return e;
}

}  // namespace internal

// ---- Engine's operations API -------------------------------------------------

namespace {
struct Unprotector {
  internal::HazardSlot* a;
  internal::HazardSlot* b;
  ~Unprotector() {
    internal::Unprotect(a);
    internal::Unprotect(b);
  }
};
}  // namespace

Decision Engine::CheckRecorded(internal::Ops* ops, const Query& q) const {
  internal::HazardSlot* s1 = internal::ThisThreadSlot();
  internal::PolicyBox* live = ProtectCurrent(s1);
  if (shadow_.load(std::memory_order_relaxed) == nullptr) {
    // No shadow (the common case): one slot, as the plain path. A shadow
    // published meanwhile is simply not asked for this decision.
    struct Guard {
      internal::HazardSlot* s;
      ~Guard() { internal::Unprotect(s); }
    } guard{s1};
    return internal::OpsQuery(ops, live, nullptr, q, false).decision;
  }
  internal::HazardSlot* s2 = internal::ThisThreadShadowSlot();
  internal::PolicyBox* shadow = ProtectShadow(s2);
  Unprotector guard{s1, s2};
  return internal::OpsQuery(ops, live, shadow, q, false).decision;
}

void Engine::UpdateActiveOps() {
  internal::Ops* ops = ops_.load(std::memory_order_relaxed);
  const bool on = ops && (internal::OpsAnyOn(ops) || shadow_.load(std::memory_order_relaxed) != nullptr);
  active_ops_.store(on ? ops : nullptr, std::memory_order_release);
}

absl::Status Engine::SetOps(const OpsOptions& options) {
  std::lock_guard<std::mutex> lock(write_mu_);
  try {
    internal::Ops* ops = ops_.load(std::memory_order_relaxed);
    if (ops == nullptr) {
      ops = new internal::Ops;
      ops_.store(ops, std::memory_order_release);
    }
    // Rule counters for the generation in service before readers look.
    if (options.count_rules) {
      ops->rule_budget.store(options.rule_counter_bytes, std::memory_order_relaxed);
      internal::OpsAttachGen(ops, current_.load(std::memory_order_relaxed));
    }
    internal::OpsApplyOptions(ops, options);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory while setting up operations");
  }
  UpdateActiveOps();
  return absl::OkStatus();
}

OpsOptions Engine::ops_options() const {
  internal::Ops* ops = ops_.load(std::memory_order_acquire);
  if (ops == nullptr) return OpsOptions{};
  std::lock_guard<std::mutex> lock(ops->mu);
  return ops->options;
}

OpsStats Engine::ReadOpsStats(bool with_rules) {
  internal::Ops* ops = ops_.load(std::memory_order_acquire);
  return ops ? internal::OpsRead(ops, with_rules) : OpsStats{};
}

size_t Engine::DrainDecisions(DecisionRecord* out, size_t max) {
  internal::Ops* ops = ops_.load(std::memory_order_acquire);
  if (ops == nullptr || out == nullptr || max == 0) return 0;
  return internal::OpsDrain(ops, out, max);
}

absl::Status Engine::PublishShadow(std::string_view bundle_json, std::vector<Diagnostic>* diagnostics) {
  auto policy = Compile(bundle_json, limits_, diagnostics);
  if (!policy.ok()) return policy.status();
  return PublishShadow(std::move(*policy));
}

absl::Status Engine::PublishShadow(std::unique_ptr<Policy> policy) {
  std::unique_ptr<internal::PolicyBox> box;
  std::unique_lock<std::mutex> lock(write_mu_, std::defer_lock);
  try {
    box = std::make_unique<internal::PolicyBox>(std::move(policy));
    lock.lock();
    retired_.reserve(retired_.size() + 1);
    if (ops_.load(std::memory_order_relaxed) == nullptr) {
      auto* ops = new internal::Ops;
      OpsOptions counters_only;
      counters_only.counters = true;
      internal::OpsApplyOptions(ops, counters_only);
      ops_.store(ops, std::memory_order_release);
    }
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory while publishing the shadow; nothing changed");
  }
  internal::PolicyBox* old = shadow_.exchange(box.release(), std::memory_order_acq_rel);
  UpdateActiveOps();
  Retire(old);
  return absl::OkStatus();
}

absl::Status Engine::ClearShadow() {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (shadow_.load(std::memory_order_relaxed) == nullptr) return absl::OkStatus();
  try {
    retired_.reserve(retired_.size() + 1);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory while clearing the shadow; it stays in place");
  }
  internal::PolicyBox* old = shadow_.exchange(nullptr, std::memory_order_acq_rel);
  UpdateActiveOps();
  Retire(old);
  return absl::OkStatus();
}

}  // namespace rolegate
