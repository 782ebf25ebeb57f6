// bench/condition_benchmark.cc — the benchmarks of the conditions issue
// (SPEC §10-§13):
//
//   M/<set>/plain_check_strings   Policy::Check(p, a, r) on the unconditional M
//                                 bundle: the baseline, measured in this run
//   M/<set>/plain_check_query     Policy::Check(Query) on it, no context
//   M/<set>/cond_check_query      Policy::Check(Query) with a 5-key context on
//                                 the same bundle written with --conditions
//                                 (bench/bundle_gen.h GenOptions::conditions)
//   M/<set>/cond_check_strings    Policy::Check(p, a, r) on the conditional
//                                 bundle (an empty context: conditions fail)
// over the same queries (the two bundles share their model, so the query
// sets are identical), hot and uniform as in check_benchmark. Each reports
// ns_p50/ns_p99 (bench/block_timer.h) and, for the last three, ratio_p50 and
// ratio_p99 to plain_check_strings of the same set. M/compile_plain and
// M/compile_cond report compile time and table bytes of both bundles.
//
// file/compile compiles the bundles named by ROLEGATE_BENCH_BUNDLES (comma
// separated paths; e.g. the two written by bench/aws_managed_to_bundle.py)
// and reports compile_ms, table_bytes (Policy::GetStats) and heap_bytes
// (the heap the compiled Policy keeps, glibc mallinfo2) for each.
//
// Environment: ROLEGATE_BENCH_QUERIES (default 65536), ROLEGATE_BENCH_SEED
// (default 1), ROLEGATE_BENCH_BUNDLES, ROLEGATE_BENCH_KEEP_BUNDLE=DIR (keeps the
// two generated bundles as DIR/bundle-M.json and DIR/bundle-M-cond.json).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "block_timer.h"
#include "bundle_gen.h"
#include "rolegate/policy.h"
#include "rolegate/query.h"

namespace rolegate_bench {
namespace {

struct Compiled {
  ModelPtr model;
  std::string json;
  std::unique_ptr<rolegate::Policy> policy;
  double compile_ms = 0;
  double heap_bytes = 0;  // HeapInUse() after compile minus before
};

// Heap bytes in use (glibc; this program is single-threaded, so the main
// arena is all of it). GetStats().table_bytes leaves out the out-of-line
// match table (statement resource patterns, conditions, context keys), so
// the policy's real footprint is measured as the heap it keeps.
double HeapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return static_cast<double>(mi.uordblks + mi.hblkhd);
}

// Compiles `json` and measures what the Policy keeps on the heap.
absl::StatusOr<std::unique_ptr<rolegate::Policy>> CompileMeasured(std::string_view json,
                                                                  std::vector<rolegate::Diagnostic>* diags,
                                                                  double* ms, double* heap) {
  const double before = HeapInUse();
  auto t0 = Clock::now();
  auto p = rolegate::Compile(json, rolegate::Limits{}, diags);
  *ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  *heap = HeapInUse() - before;
  return p;
}

// Generates and compiles the M bundle, with or without conditions; exits on
// a compile error (a benchmark of a bundle that does not compile is worthless).
Compiled Build(bool conditions) {
  GenOptions o;
  o.size = 'M';
  o.seed = EnvU64("ROLEGATE_BENCH_SEED", 1);
  o.conditions = conditions;
  Compiled c;
  c.model = BuildModel(o);
  AppendBundleJson(*c.model, &c.json);
  if (const char* dir = std::getenv("ROLEGATE_BENCH_KEEP_BUNDLE")) {
    const std::string path = std::string(dir) + (conditions ? "/bundle-M-cond.json" : "/bundle-M.json");
    if (FILE* out = std::fopen(path.c_str(), "wb")) {
      std::fwrite(c.json.data(), 1, c.json.size(), out);
      std::fclose(out);
    }
  }
  std::vector<rolegate::Diagnostic> diags;
  auto p = CompileMeasured(c.json, &diags, &c.compile_ms, &c.heap_bytes);
  if (!p.ok()) {
    int shown = 0;
    for (const auto& d : diags)
      if (d.severity == rolegate::Severity::kError && shown++ < 20)
        std::fprintf(stderr, "%s\n", rolegate::FormatDiagnostic(d).c_str());
    std::fprintf(stderr, "M%s bundle rejected: %s\n", conditions ? " --conditions" : "",
                 std::string(p.status().message()).c_str());
    std::exit(2);
  }
  c.policy = std::move(*p);
  std::fprintf(stderr, "[M%s] %.1f MB, compiled in %.0f ms\n", conditions ? " cond" : "", c.json.size() / 1e6,
               c.compile_ms);
  return c;
}

// One query's context: five keys, each drawn so that some queries satisfy
// a given condition and some do not (about half, per key).
struct Contexts {
  std::vector<rolegate::ContextEntry> entries;  // 5 per query
};

Contexts MakeContexts(size_t n, uint64_t seed) {
  static const std::string_view kRegions[] = {"us-west-2", "eu-west-1", "ap-south-1", "us-east-1"};
  static const std::string_view kIps[] = {"10.1.2.3", "203.0.113.9", "192.168.7.1", "2001:db8::1"};
  static const std::string_view kTags1[] = {"team", "env"};
  static const std::string_view kTags2[] = {"owner"};
  static const std::string_view kEnvs[] = {"prod", "dev", "PROD"};
  Contexts c;
  c.entries.resize(5 * n);
  uint64_t x = seed * 0x9E3779B97F4A7C15ULL;
  auto next = [&] {
    x += 0x9E3779B97F4A7C15ULL;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  for (size_t i = 0; i < n; ++i) {
    rolegate::ContextEntry* e = &c.entries[5 * i];
    e[0] = {kCondKeySourceIp, rolegate::ValueType::kString, kIps[next() % 4]};
    e[1].key = kCondKeySecureTransport;
    e[1].type = rolegate::ValueType::kBool;
    e[1].boolean = next() % 2;
    e[2] = {kCondKeyRegion, rolegate::ValueType::kString, kRegions[next() % 4]};
    e[3].key = kCondKeyTagKeys;
    e[3].type = rolegate::ValueType::kStringList;
    const bool team = next() % 2;
    e[3].list = team ? kTags1 : kTags2;
    e[3].list_size = team ? 2 : 1;
    e[4] = {kCondKeyEnv, rolegate::ValueType::kString, kEnvs[next() % 3]};
  }
  return c;
}

struct Fixture {
  Compiled plain, cond;
  std::unique_ptr<CheckQuerySet> sets[2];
  Contexts ctx[2];
  double plain_p50[2] = {0, 0}, plain_p99[2] = {0, 0};
};

Fixture& Get() {
  static Fixture* f = [] {
    auto* x = new Fixture;
    x->plain = Build(false);
    x->cond = Build(true);
    size_t n = EnvU64("ROLEGATE_BENCH_QUERIES", 65536);
    n = std::max<size_t>(kBlock, n / kBlock * kBlock);
    for (int k = 0; k < 2; ++k) {
      x->sets[k] = MakeCheckQueries(*x->plain.model, k == 0 ? Pattern::kHot : Pattern::kUniform, n,
                                    EnvU64("ROLEGATE_BENCH_SEED", 1) + 1000);
      x->ctx[k] = MakeContexts(n, 77 + k);
    }
    return x;
  }();
  return *f;
}

enum class Method { kPlainStrings, kPlainQuery, kCondQuery, kCondStrings };

rolegate::Query MakeQuery(const CheckQuery& q, const rolegate::ContextEntry* ctx) {
  rolegate::Query r;
  r.principal = q.principal;
  r.action = q.action;
  r.resource = q.resource;
  if (ctx) r.context = {ctx, 5};
  return r;
}

// Shares of the set's decisions (allowed, condition_not_met), outside the timing.
void CountDecisions(benchmark::State& st, const rolegate::Policy& pol, const CheckQuerySet& qs,
                    const rolegate::ContextEntry* ctx) {
  size_t allowed = 0, not_met = 0, invalid = 0, mismatched = 0;
  for (size_t i = 0; i < qs.queries.size(); ++i) {
    const rolegate::Query q = MakeQuery(qs.queries[i], ctx ? ctx + 5 * i : nullptr);
    rolegate::Decision d = pol.Check(q);
    // The paths measured must answer alike (a benchmark of a wrong answer is worthless).
    const CheckQuery& s = qs.queries[i];
    if (!(pol.Explain(q).decision == d) || (!ctx && !(pol.Check(s.principal, s.action, s.resource) == d))) {
      if (mismatched++ < 5)
        std::fprintf(stderr, "MISMATCH Check(Query)=%d/%d Explain=%d/%d: %.*s %.*s %.*s\n", d.allowed,
                     static_cast<int>(d.reason), pol.Explain(q).decision.allowed,
                     static_cast<int>(pol.Explain(q).decision.reason), static_cast<int>(s.principal.size()),
                     s.principal.data(), static_cast<int>(s.action.size()), s.action.data(),
                     static_cast<int>(s.resource.size()), s.resource.data());
    }
    allowed += d.allowed;
    not_met += d.reason == rolegate::Reason::kConditionNotMet;
    if (d.reason == rolegate::Reason::kInvalidInput && invalid++ < 3)
      std::fprintf(stderr, "INVALID (%s): %.*s %.*s %.*s\n", ctx ? "with context" : "no context",
                   static_cast<int>(s.principal.size()), s.principal.data(), static_cast<int>(s.action.size()),
                   s.action.data(), static_cast<int>(s.resource.size()), s.resource.data());
  }
  const double n = static_cast<double>(qs.queries.size());
  st.counters["allowed"] = allowed / n;
  st.counters["condition_not_met"] = not_met / n;
  st.counters["mismatched"] = static_cast<double>(mismatched);
  if (invalid) st.SkipWithError("some queries were invalid_input");
}

void BM_Check(benchmark::State& st, int set, Method m) {
  Fixture& f = Get();
  const auto& qs = f.sets[set]->queries;
  const rolegate::ContextEntry* ctx = f.ctx[set].entries.data();
  const rolegate::Policy& pol = (m == Method::kPlainStrings || m == Method::kPlainQuery) ? *f.plain.policy
                                                                                          : *f.cond.policy;
  uint64_t sink = 0;
  Latency l;
  switch (m) {
    case Method::kPlainStrings:
    case Method::kCondStrings:
      l = RunBlocks(st, qs.size(), [&](size_t pos) {
        for (size_t i = pos; i < pos + kBlock; ++i)
          sink += pol.Check(qs[i].principal, qs[i].action, qs[i].resource).allowed;
        benchmark::DoNotOptimize(sink);
      });
      break;
    case Method::kPlainQuery:
      l = RunBlocks(st, qs.size(), [&](size_t pos) {
        for (size_t i = pos; i < pos + kBlock; ++i) sink += pol.Check(MakeQuery(qs[i], nullptr)).allowed;
        benchmark::DoNotOptimize(sink);
      });
      break;
    case Method::kCondQuery:
      l = RunBlocks(st, qs.size(), [&](size_t pos) {
        for (size_t i = pos; i < pos + kBlock; ++i) sink += pol.Check(MakeQuery(qs[i], ctx + 5 * i)).allowed;
        benchmark::DoNotOptimize(sink);
      });
      break;
  }
  if (m == Method::kPlainStrings) {
    f.plain_p50[set] = l.p50;
    f.plain_p99[set] = l.p99;
  } else if (f.plain_p50[set] > 0) {
    st.counters["ratio_p50"] = l.p50 / f.plain_p50[set];
    st.counters["ratio_p99"] = l.p99 / f.plain_p99[set];
  }
  CountDecisions(st, pol, *f.sets[set], m == Method::kCondQuery ? ctx : nullptr);
}

void ReportCompile(benchmark::State& st, std::string_view json, const rolegate::Policy& pol, double heap) {
  std::vector<float> ms;
  for (auto _ : st) {
    auto t0 = Clock::now();
    auto p = rolegate::Compile(json, rolegate::Limits{}, nullptr);
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    st.SetIterationTime(s);
    ms.push_back(static_cast<float>(s * 1e3));
    if (!p.ok()) st.SkipWithError(std::string(p.status().message()).c_str());
    benchmark::DoNotOptimize(p);
  }
  const rolegate::Policy::Stats s = pol.GetStats();
  st.counters["compile_ms"] = Percentile(&ms, 0.5);
  st.counters["table_bytes"] = static_cast<double>(s.table_bytes);
  st.counters["heap_bytes"] = heap;
  st.counters["statements"] = static_cast<double>(s.statements);
  st.counters["assignments"] = static_cast<double>(s.assignments);
  st.counters["bundle_MB"] = static_cast<double>(json.size()) / (1024.0 * 1024.0);
}

void BM_CompileM(benchmark::State& st, bool cond) {
  Fixture& f = Get();
  const Compiled& c = cond ? f.cond : f.plain;
  ReportCompile(st, c.json, *c.policy, c.heap_bytes);
}

std::string ReadFile(const std::string& path) {
  std::string text;
  if (FILE* in = std::fopen(path.c_str(), "rb")) {
    char buf[1 << 16];
    size_t k;
    while ((k = std::fread(buf, 1, sizeof buf, in)) > 0) text.append(buf, k);
    std::fclose(in);
  }
  return text;
}

// A bundle file: compiled once for its diagnostics and stats, then timed.
void BM_CompileFile(benchmark::State& st, std::string path) {
  const std::string json = ReadFile(path);
  std::vector<rolegate::Diagnostic> diags;
  double ms = 0, heap = 0;
  auto p = CompileMeasured(json, &diags, &ms, &heap);
  size_t warnings = 0;
  for (const auto& d : diags) {
    if (d.severity != rolegate::Severity::kWarning) continue;
    if (warnings++ < 10) std::fprintf(stderr, "%s: %s\n", path.c_str(), rolegate::FormatDiagnostic(d).c_str());
  }
  st.counters["warnings"] = static_cast<double>(warnings);
  if (!p.ok()) {
    int shown = 0;
    for (const auto& d : diags)
      if (d.severity == rolegate::Severity::kError && shown++ < 50)
        std::fprintf(stderr, "%s: %s\n", path.c_str(), rolegate::FormatDiagnostic(d).c_str());
    st.SkipWithError(("does not compile: " + std::string(p.status().message())).c_str());
    for (auto _ : st) {
    }
    return;
  }
  ReportCompile(st, json, **p, heap);
  const rolegate::Policy::Stats s = (*p)->GetStats();
  st.counters["principals"] = static_cast<double>(s.principals);
  st.counters["actions"] = static_cast<double>(s.actions);
}

void RegisterAll() {
  const char* kSet[] = {"hot", "uniform"};
  benchmark::RegisterBenchmark("M/compile_plain", BM_CompileM, false)
      ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
  benchmark::RegisterBenchmark("M/compile_cond", BM_CompileM, true)
      ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
  for (int k = 0; k < 2; ++k) {
    std::string base = std::string("M/") + kSet[k] + "/";
    benchmark::RegisterBenchmark((base + "plain_check_strings").c_str(), BM_Check, k, Method::kPlainStrings);
    benchmark::RegisterBenchmark((base + "plain_check_query").c_str(), BM_Check, k, Method::kPlainQuery);
    benchmark::RegisterBenchmark((base + "cond_check_query").c_str(), BM_Check, k, Method::kCondQuery);
    benchmark::RegisterBenchmark((base + "cond_check_strings").c_str(), BM_Check, k, Method::kCondStrings);
  }
  if (const char* env = std::getenv("ROLEGATE_BENCH_BUNDLES")) {
    std::string_view all(env);
    while (!all.empty()) {
      size_t comma = all.find(',');
      std::string path(all.substr(0, comma));
      all = comma == std::string_view::npos ? std::string_view() : all.substr(comma + 1);
      if (path.empty()) continue;
      benchmark::RegisterBenchmark(("file/compile/" + path).c_str(), BM_CompileFile, path)
          ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);
    }
  }
}

}  // namespace
}  // namespace rolegate_bench

int main(int argc, char** argv) {
  rolegate_bench::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
