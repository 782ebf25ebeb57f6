// bench/ops_benchmark.cc — the price of operations (SPEC §15) on
// Engine::Check by strings over the M bundle (~100k assignments), hot and
// uniform query sets, with a drainer thread emptying the decision log the
// whole time.
//
// Modes, measured interleaved in ONE run so that the machine's drift hits
// them alike: each benchmark iteration runs one block of 64 queries in
// every mode (each mode a different block, in a random order per round, so
// no mode reads what another just warmed), timing each block alone:
//   off            operations off (today's path: one extra branch)
//   counters       counters by reason
//   rules          counters by reason and by deciding rule (the Explain path)
//   explain_off    Engine::With + Policy::Explain, operations off: the price
//                  of the Explain path itself, for comparison with `rules`
//   log1           counters + decision log, 1 % sampled
//   log100         counters + decision log, every decision
//   shadow         counters + a shadow bundle (the same M bundle compiled
//                  again: the worst case, every shadow decision as costly),
//                  on an engine of its own
//   off_lone       operations off on a third engine of its own: the fair
//                  baseline for `shadow` (shadow_vs_lone). The first six
//                  modes share one engine's table, which their blocks keep
//                  warm between them; an engine visited once a round is
//                  colder, whatever it does.
// Reported per mode: ns per decision (p50, p99 of 64-query block means,
// descheduled blocks left out as in block_timer.h) and the ratio to `off`.
// Repeat with --benchmark_repetitions=N for the spread.
//
// Environment: ROLEGATE_BENCH_SIZES (default "M"), ROLEGATE_BENCH_QUERIES
// (default 65536), ROLEGATE_BENCH_SEED (default 1).
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "block_timer.h"
#include "bundle_gen.h"
#include "rolegate/engine.h"

namespace rolegate_bench {
namespace {

enum Mode { kOff, kCounters, kRules, kExplainOff, kLog1, kLog100, kShadow, kOffLone, kModes };
const char* const kModeNames[kModes] = {"off",   "counters", "rules",  "explain_off",
                                        "log1",  "log100",   "shadow", "off_lone"};

struct Fixture {
  std::unique_ptr<rolegate::Engine> plain, shadowed, lone;
  std::unique_ptr<CheckQuerySet> sets[2];
};

std::unique_ptr<Fixture> MakeFixture(char size) {
  auto f = std::make_unique<Fixture>();
  GenOptions o;
  o.size = size;
  o.seed = EnvU64("ROLEGATE_BENCH_SEED", 1);
  ModelPtr model = BuildModel(o);
  std::string json;
  AppendBundleJson(*model, &json);
  auto a = rolegate::Engine::Create(json);
  auto b = rolegate::Engine::Create(json);
  auto c = rolegate::Engine::Create(json);
  if (!a.ok() || !b.ok() || !c.ok()) {
    std::fprintf(stderr, "bundle does not compile\n");
    return nullptr;
  }
  f->plain = std::move(*a);
  f->shadowed = std::move(*b);
  f->lone = std::move(*c);
  rolegate::OpsOptions counters;
  counters.counters = true;
  if (!f->shadowed->PublishShadow(json).ok() || !f->shadowed->SetOps(counters).ok()) return nullptr;
  const size_t n = EnvU64("ROLEGATE_BENCH_QUERIES", 65536) / kBlock * kBlock;
  f->sets[0] = MakeCheckQueries(*model, Pattern::kHot, n, 7);
  f->sets[1] = MakeCheckQueries(*model, Pattern::kUniform, n, 8);
  return f;
}

Fixture* GetFixture(char size) {
  static std::unique_ptr<Fixture> f[3];
  const int i = size == 'S' ? 0 : size == 'M' ? 1 : 2;
  if (!f[i]) f[i] = MakeFixture(size);
  return f[i].get();
}

rolegate::OpsOptions OptionsFor(Mode m) {
  rolegate::OpsOptions o;
  o.counters = m != kOff && m != kExplainOff;
  o.count_rules = m == kRules;
  o.log = m == kLog1 || m == kLog100;
  o.log_sample_rate = m == kLog1 ? 0.01 : 1.0;
  return o;
}

// Empties the plain engine's log until told to stop.
class Drainer {
 public:
  explicit Drainer(rolegate::Engine* e) : e_(e), t_([this] { Run(); }) {}
  ~Drainer() {
    stop_.store(true);
    t_.join();
  }

 private:
  void Run() {
    std::vector<rolegate::DecisionRecord> buf(256);
    while (!stop_.load(std::memory_order_relaxed))
      if (e_->DrainDecisions(buf.data(), buf.size()) < buf.size())
        std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  rolegate::Engine* e_;
  std::atomic<bool> stop_{false};
  std::thread t_;
};

double Keep(std::vector<float>* v, double p) {
  std::vector<float> all = *v;
  const double cut = 4 * Percentile(&all, 0.5) + 300e3 / kBlock;
  std::vector<float> kept;
  for (float x : *v)
    if (x <= cut) kept.push_back(x);
  return Percentile(&kept, p);
}

void BM_Ops(benchmark::State& st, char size, int set_index) {
  Fixture* f = GetFixture(size);
  if (f == nullptr) {
    st.SkipWithError("no fixture");
    return;
  }
  const auto& qs = f->sets[set_index]->queries;
  const size_t n = qs.size();
  const double overhead = ClockOverheadNs();
  std::vector<float> samples[kModes];
  Drainer drainer(f->plain.get());
  uint64_t sink = 0;
  size_t base = 0;
  const size_t stride = n / kModes / kBlock * kBlock;
  int order[kModes];
  for (int k = 0; k < kModes; ++k) order[k] = k;
  uint64_t rng = 0x2545F4914F6CDD1DULL;
  for (auto _ : st) {
    // A fresh random order each round: every mode follows every other
    // equally often (the shadow mode, with two M tables, evicts the cache
    // of whichever mode comes next).
    for (int k = kModes - 1; k > 0; --k) {
      rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
      std::swap(order[k], order[rng % (k + 1)]);
    }
    for (int k = 0; k < kModes; ++k) {
      const Mode m = static_cast<Mode>(order[k]);
      rolegate::Engine& e = m == kShadow ? *f->shadowed : m == kOffLone ? *f->lone : *f->plain;
      if (m != kShadow && m != kOffLone) (void)e.SetOps(OptionsFor(m));  // untimed
      // Each mode its own block of the round: none reads tables another
      // mode just warmed with the same queries.
      const size_t pos = (base + static_cast<size_t>(m) * stride) % n;
      auto t0 = Clock::now();
      if (m == kExplainOff) {
        for (size_t i = pos; i < pos + kBlock; ++i)
          sink += e.With([&](const rolegate::Policy& p) {
            return p.Explain(qs[i].principal, qs[i].action, qs[i].resource).decision.allowed;
          });
      } else {
        for (size_t i = pos; i < pos + kBlock; ++i) sink += e.Check(qs[i].principal, qs[i].action, qs[i].resource).allowed;
      }
      auto t1 = Clock::now();
      benchmark::DoNotOptimize(sink);
      samples[m].push_back(static_cast<float>(
          std::max(0.0, std::chrono::duration<double, std::nano>(t1 - t0).count() - overhead) / kBlock));
    }
    base += kBlock;
    if (base + kBlock > n) base = 0;
  }
  st.SetItemsProcessed(st.iterations() * static_cast<int64_t>(kBlock * kModes));
  const double off50 = Keep(&samples[kOff], 0.5), off99 = Keep(&samples[kOff], 0.99);
  for (int m = 0; m < kModes; ++m) {
    const double p50 = Keep(&samples[m], 0.5), p99 = Keep(&samples[m], 0.99);
    st.counters[std::string(kModeNames[m]) + "_p50"] = p50;
    st.counters[std::string(kModeNames[m]) + "_p99"] = p99;
    if (m != kOff) st.counters[std::string(kModeNames[m]) + "_x"] = off50 > 0 ? p50 / off50 : 0;
    if (m != kOff) st.counters[std::string(kModeNames[m]) + "_x99"] = off99 > 0 ? p99 / off99 : 0;
  }
  const double lone50 = Keep(&samples[kOffLone], 0.5), lone99 = Keep(&samples[kOffLone], 0.99);
  st.counters["shadow_vs_lone"] = lone50 > 0 ? Keep(&samples[kShadow], 0.5) / lone50 : 0;
  st.counters["shadow_vs_lone99"] = lone99 > 0 ? Keep(&samples[kShadow], 0.99) / lone99 : 0;
  rolegate::OpsStats s = f->plain->ReadOpsStats(false);
  st.counters["log_dropped_pct"] = s.log_records + s.log_dropped
                                       ? 100.0 * s.log_dropped / (s.log_records + s.log_dropped) : 0;
}

}  // namespace
}  // namespace rolegate_bench

int main(int argc, char** argv) {
  const char* env = std::getenv("ROLEGATE_BENCH_SIZES");
  const std::string sizes = env && *env ? env : "M";
  for (char c : sizes) {
    if (c != 'S' && c != 'M' && c != 'L') continue;
    for (int set = 0; set < 2; ++set)
      benchmark::RegisterBenchmark((std::string(1, c) + (set ? "/uniform/ops" : "/hot/ops")).c_str(),
                                   rolegate_bench::BM_Ops, c, set)
          ->MinTime(3.0);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
