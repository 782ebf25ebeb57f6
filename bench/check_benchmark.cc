// bench/check_benchmark.cc — the core benchmarks of issue 2: check(principal,
// action, resource) on generated bundles of three sizes, against the floor of
// a single hash-map lookup on the same access pattern.
//
// For each size (S ~1k assignments, M ~100k, L ~1M; ROLEGATE_BENCH_SIZES,
// default "S,M") and each query set (hot: 1 % of principals and resources make
// 80 % of queries; uniform: random over everything), it measures, in ns per
// decision (median and p99 over blocks of 64 queries):
//   floor_string_map   absl::flat_hash_map<std::string, uint32_t>::find with as
//                      many keys as the bundle has principals (the query's principal)
//   floor_int_map      absl::flat_hash_map<uint64_t, uint32_t>::find, same keys count
//   check_strings      Policy::Check(principal, action, resource)
//   check_ids          Policy::CheckIds with ids resolved beforehand
//   batch_ids_snapshot Engine::Acquire() once per 64 queries, then CheckIds
//   batch_ids_capi     rolegate_snapshot_check_ids_batch, 64 queries per call
//   batch_strings_capi rolegate_snapshot_check_batch, 64 queries per call
//   engine_check       Engine::Check (the hazard-pointer path, one slot per query)
// and reports each as a ratio to its floor (ratio_p50, ratio_p99: strings to
// the string map, ids to the integer map). The per-size `compile` benchmark
// reports compile time, peak RSS of a fresh process that reads and compiles
// the bundle, and bytes per assignment.
//
// Environment: ROLEGATE_BENCH_SIZES (e.g. "S,M,L"), ROLEGATE_BENCH_QUERIES
// (queries per set, default 65536), ROLEGATE_BENCH_SEED (default 1),
// ROLEGATE_BENCH_CAPI=0 to skip the C ABI batch benchmarks (they compile the
// bundle a second time), ROLEGATE_BENCH_KEEP_BUNDLE=DIR to keep the generated
// bundles as DIR/bundle-<size>.json.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "block_timer.h"
#include "bundle_gen.h"
#include "rolegate.h"
#include "rolegate/engine.h"
#include "rolegate/policy.h"

namespace rolegate_bench {
namespace {


// ---- measurement: bench/block_timer.h -------------------------------------------

long ReadStatusKb(const char* key) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long v = -1;
  size_t kl = std::strlen(key);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, key, kl) == 0) {
      v = std::strtol(line + kl, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return v;
}

uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// ---- fixtures ---------------------------------------------------------------------
const char* SetName(Pattern p) { return p == Pattern::kHot ? "hot" : "uniform"; }

struct QueryData {
  std::unique_ptr<CheckQuerySet> set;
  std::vector<rolegate::PrincipalId> pids;
  std::vector<rolegate::ActionId> aids;
  std::vector<uint64_t> int_keys;  // floor_int_map key per query
  // C ABI batches: strings packed in one buffer.
  std::string buf3, buf1;
  std::vector<uint64_t> off3, off1;
  double allowed = 0;
};

struct ChildResult {
  bool ok = false;
  double base_mb = 0, peak_mb = 0, after_mb = 0, compile_ms = 0, text_mb = 0;
};

struct Fixture {
  char size = 'S';
  ModelPtr model;
  ModelSummary summary;
  std::string json;
  std::string error;  // non-empty: the bundle did not compile
  std::unique_ptr<rolegate::Engine> engine;
  rolegate::Snapshot snap;
  const rolegate::Policy* policy = nullptr;
  double first_compile_ms = 0;
  std::vector<std::string> principals;
  absl::flat_hash_map<std::string, uint32_t> str_map;
  absl::flat_hash_map<uint64_t, uint32_t> int_map;
  std::unique_ptr<QueryData> qd[2];
  rolegate_engine* c_engine = nullptr;
  rolegate_snapshot* c_snap = nullptr;
  bool c_tried = false;
  ChildResult child;
  bool child_done = false;
};

std::string g_self_exe;
std::map<char, std::unique_ptr<Fixture>> g_fixtures;
std::map<std::string, double> g_floor_p50, g_floor_p99;  // "M/hot/string" -> ns

GenOptions OptionsFor(char size) {
  GenOptions o;
  o.size = size;
  o.seed = EnvU64("ROLEGATE_BENCH_SEED", 1);
  return o;
}

Fixture& GetFixture(char size) {
  auto& slot = g_fixtures[size];
  if (slot) return *slot;
  slot = std::make_unique<Fixture>();
  Fixture& f = *slot;
  f.size = size;
  auto t0 = Clock::now();
  f.model = BuildModel(OptionsFor(size));
  f.summary = Summarize(*f.model);
  AppendBundleJson(*f.model, &f.json);
  auto t1 = Clock::now();
  std::fprintf(stderr, "[%c] generated %.1f MB bundle in %.0f ms\n", size, f.json.size() / 1e6,
               std::chrono::duration<double, std::milli>(t1 - t0).count());
  if (const char* dir = std::getenv("ROLEGATE_BENCH_KEEP_BUNDLE")) {
    std::string path = std::string(dir) + "/bundle-" + size + ".json";
    if (FILE* out = std::fopen(path.c_str(), "wb")) {
      std::fwrite(f.json.data(), 1, f.json.size(), out);
      std::fclose(out);
    }
  }
  std::vector<rolegate::Diagnostic> diags;
  auto t2 = Clock::now();
  auto engine = rolegate::Engine::Create(f.json, rolegate::Limits{}, &diags);
  auto t3 = Clock::now();
  f.first_compile_ms = std::chrono::duration<double, std::milli>(t3 - t2).count();
  size_t warnings = 0;
  for (const auto& d : diags) warnings += d.severity == rolegate::Severity::kWarning;
  if (!engine.ok()) {
    f.error = std::string(engine.status().message());
    int shown = 0;
    for (const auto& d : diags) {
      if (d.severity == rolegate::Severity::kError && shown++ < 10)
        std::fprintf(stderr, "[%c] %s\n", size, rolegate::FormatDiagnostic(d).c_str());
    }
    std::fprintf(stderr, "[%c] bundle rejected: %s\n", size, f.error.c_str());
    return f;
  }
  f.engine = std::move(*engine);
  f.snap = f.engine->Acquire();
  f.policy = &f.snap.policy();
  std::fprintf(stderr, "[%c] compiled in %.0f ms, %zu warnings\n", size, f.first_compile_ms, warnings);
  // The floors' key sets: every principal the bundle names.
  f.principals = AllPrincipals(*f.model);
  f.str_map.reserve(f.principals.size());
  f.int_map.reserve(f.principals.size());
  for (uint32_t i = 0; i < f.principals.size(); ++i) {
    f.str_map.emplace(f.principals[i], i);
    f.int_map.emplace(Mix64(i), i);
  }
  return f;
}

QueryData& GetQueries(Fixture& f, Pattern p) {
  auto& slot = f.qd[p == Pattern::kHot ? 0 : 1];
  if (slot) return *slot;
  slot = std::make_unique<QueryData>();
  QueryData& q = *slot;
  size_t n = EnvU64("ROLEGATE_BENCH_QUERIES", 65536);
  n = std::max<size_t>(kBlock, n / kBlock * kBlock);
  q.set = MakeCheckQueries(*f.model, p, n, EnvU64("ROLEGATE_BENCH_SEED", 1) + 1000);
  const auto& qs = q.set->queries;
  q.pids.resize(n);
  q.aids.resize(n);
  q.int_keys.resize(n);
  q.off3.reserve(3 * n + 1);
  q.off1.reserve(n + 1);
  size_t allowed = 0, mismatched = 0;
  for (size_t i = 0; i < n; ++i) {
    q.pids[i] = f.policy->FindPrincipal(qs[i].principal);
    q.aids[i] = f.policy->FindAction(qs[i].action);
    auto it = f.str_map.find(absl::string_view(qs[i].principal.data(), qs[i].principal.size()));
    q.int_keys[i] = it != f.str_map.end() ? Mix64(it->second) : Mix64(uint64_t{1} << 40 | i);
    const rolegate::Decision by_strings = f.policy->Check(qs[i].principal, qs[i].action, qs[i].resource);
    allowed += by_strings.allowed;
    // The paths measured must answer alike (a benchmark of a wrong answer is worthless).
    if (!(f.policy->CheckIds(q.pids[i], q.aids[i], qs[i].resource) == by_strings) ||
        !(f.policy->Explain(qs[i].principal, qs[i].action, qs[i].resource).decision == by_strings))
      ++mismatched;
    q.off3.push_back(q.buf3.size());
    q.buf3.append(qs[i].principal);
    q.off3.push_back(q.buf3.size());
    q.buf3.append(qs[i].action);
    q.off3.push_back(q.buf3.size());
    q.buf3.append(qs[i].resource);
    q.off1.push_back(q.buf1.size());
    q.buf1.append(qs[i].resource);
  }
  q.off3.push_back(q.buf3.size());
  q.off1.push_back(q.buf1.size());
  q.allowed = static_cast<double>(allowed) / static_cast<double>(n);
  std::fprintf(stderr, "[%c/%s] %zu queries, %.1f %% allowed", f.size, SetName(p), n, 100 * q.allowed);
  if (p == Pattern::kHot)
    std::fprintf(stderr, ", hot pool %zu principals / %zu resources", q.set->distinct_principals,
                 q.set->distinct_resources);
  std::fprintf(stderr, "\n");
  if (mismatched)
    std::fprintf(stderr, "[%c/%s] WARNING: %zu queries decided differently by Check, CheckIds and Explain\n",
                 f.size, SetName(p), mismatched);
  return q;
}

bool EnsureCapi(Fixture& f) {
  if (f.c_tried) return f.c_snap != nullptr;
  f.c_tried = true;
  rolegate_error* err = nullptr;
  if (rolegate_engine_new(nullptr, f.json.data(), f.json.size(), &f.c_engine, &err) != ROLEGATE_OK) {
    std::fprintf(stderr, "[%c] rolegate_engine_new failed: %s\n", f.size,
                 err ? rolegate_error_message(err) : "?");
    rolegate_error_free(err);
    return false;
  }
  if (rolegate_engine_acquire(f.c_engine, &f.c_snap) != ROLEGATE_OK) f.c_snap = nullptr;
  return f.c_snap != nullptr;
}

// ---- the compile child: a fresh process that reads and compiles a bundle -----------
int CompileChildMain(const char* path) {
  long base = ReadStatusKb("VmRSS:");
  std::string text;
  {
    FILE* in = std::fopen(path, "rb");
    if (!in) return 3;
    struct stat sb;
    if (fstat(fileno(in), &sb) == 0) text.resize(static_cast<size_t>(sb.st_size));
    if (std::fread(text.data(), 1, text.size(), in) != text.size()) return 3;
    std::fclose(in);
  }
  auto t0 = Clock::now();
  auto p = rolegate::Compile(text, rolegate::Limits{}, nullptr);
  auto t1 = Clock::now();
  if (!p.ok()) return 4;
  malloc_trim(0);  // hand back the parse's freed heap so VmRSS shows what the table keeps
  long after = ReadStatusKb("VmRSS:");
  long peak = ReadStatusKb("VmHWM:");
  std::printf("%ld %ld %ld %.3f %zu\n", base, peak, after,
              std::chrono::duration<double, std::milli>(t1 - t0).count(), text.size());
  return 0;
}

ChildResult RunCompileChild(const Fixture& f) {
  ChildResult r;
  if (g_self_exe.empty()) return r;
  char tmpl[] = "/tmp/rolegate-bench-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return r;
  size_t off = 0;
  while (off < f.json.size()) {
    ssize_t w = write(fd, f.json.data() + off, f.json.size() - off);
    if (w <= 0) break;
    off += static_cast<size_t>(w);
  }
  close(fd);
  std::string cmd = "'" + g_self_exe + "' --rolegate_compile_child='" + tmpl + "'";
  if (FILE* p = popen(cmd.c_str(), "r")) {
    long base = 0, peak = 0, after = 0;
    double ms = 0;
    size_t text = 0;
    if (std::fscanf(p, "%ld %ld %ld %lf %zu", &base, &peak, &after, &ms, &text) == 5) {
      r.ok = true;
      r.base_mb = base / 1024.0;
      r.peak_mb = peak / 1024.0;
      r.after_mb = after / 1024.0;
      r.compile_ms = ms;
      r.text_mb = static_cast<double>(text) / (1024.0 * 1024.0);
    }
    pclose(p);
  }
  unlink(tmpl);
  return r;
}

// ---- benchmarks ------------------------------------------------------------------------
bool Ready(benchmark::State& st, Fixture& f) {
  if (!f.error.empty() || !f.policy) {
    st.SkipWithError(("bundle did not compile: " + f.error).c_str());
    return false;
  }
  return true;
}

void BM_Compile(benchmark::State& st, char size) {
  Fixture& f = GetFixture(size);
  if (!Ready(st, f)) {
    for (auto _ : st) {
    }
    return;
  }
  if (!f.child_done) {
    f.child_done = true;
    f.child = RunCompileChild(f);
  }
  std::vector<float> ms;
  for (auto _ : st) {
    auto t0 = Clock::now();
    auto p = rolegate::Compile(f.json, rolegate::Limits{}, nullptr);
    auto t1 = Clock::now();
    double s = std::chrono::duration<double>(t1 - t0).count();
    st.SetIterationTime(s);
    ms.push_back(static_cast<float>(s * 1e3));
    benchmark::DoNotOptimize(p);
  }
  rolegate::Policy::Stats s = f.policy->GetStats();
  const double na = static_cast<double>(std::max<uint64_t>(1, s.assignments));
  st.counters["compile_ms"] = Percentile(&ms, 0.5);
  st.counters["assignments"] = static_cast<double>(s.assignments);
  st.counters["principals"] = static_cast<double>(s.principals);
  st.counters["actions"] = static_cast<double>(s.actions);
  st.counters["scope_nodes"] = static_cast<double>(s.scope_nodes);
  st.counters["table_MB"] = static_cast<double>(s.table_bytes) / (1024.0 * 1024.0);
  st.counters["B_per_assign"] = static_cast<double>(s.table_bytes) / na;
  st.counters["bundle_MB"] = static_cast<double>(f.json.size()) / (1024.0 * 1024.0);
  if (f.child.ok) {
    // A fresh process: RSS before reading, peak while reading + compiling,
    // and what stays after compile (table + the text still held).
    st.counters["peak_rss_MB"] = f.child.peak_mb;
    st.counters["peak_over_text_MB"] = f.child.peak_mb - f.child.base_mb - f.child.text_mb;
    st.counters["rss_B_per_assign"] =
        (f.child.after_mb - f.child.base_mb - f.child.text_mb) * 1024.0 * 1024.0 / na;
    st.counters["fresh_compile_ms"] = f.child.compile_ms;
  }
}

void BM_Floor(benchmark::State& st, char size, Pattern p, bool strings) {
  Fixture& f = GetFixture(size);
  if (!Ready(st, f)) {
    for (auto _ : st) {
    }
    return;
  }
  QueryData& q = GetQueries(f, p);
  const auto& qs = q.set->queries;
  uint64_t sink = 0;
  Latency l;
  if (strings) {
    l = RunBlocks(st, qs.size(), [&](size_t pos) {
      for (size_t i = pos; i < pos + kBlock; ++i) {
        auto it = f.str_map.find(absl::string_view(qs[i].principal.data(), qs[i].principal.size()));
        sink += it != f.str_map.end() ? it->second : 1;
      }
      benchmark::DoNotOptimize(sink);
    });
  } else {
    const uint64_t* keys = q.int_keys.data();
    l = RunBlocks(st, qs.size(), [&](size_t pos) {
      for (size_t i = pos; i < pos + kBlock; ++i) {
        auto it = f.int_map.find(keys[i]);
        sink += it != f.int_map.end() ? it->second : 1;
      }
      benchmark::DoNotOptimize(sink);
    });
  }
  std::string key = std::string(1, size) + "/" + SetName(p) + (strings ? "/string" : "/int");
  g_floor_p50[key] = l.p50;
  g_floor_p99[key] = l.p99;
  st.counters["keys"] = static_cast<double>(f.principals.size());
}

enum class Method { kCheckStrings, kCheckIds, kBatchIdsSnapshot, kBatchIdsCapi, kBatchStringsCapi, kEngineCheck };

bool UsesStrings(Method m) {
  return m == Method::kCheckStrings || m == Method::kBatchStringsCapi || m == Method::kEngineCheck;
}

void BM_Check(benchmark::State& st, char size, Pattern p, Method m) {
  Fixture& f = GetFixture(size);
  if (!Ready(st, f)) {
    for (auto _ : st) {
    }
    return;
  }
  QueryData& q = GetQueries(f, p);
  const auto& qs = q.set->queries;
  const size_t n = qs.size();
  uint64_t sink = 0;
  Latency l;
  switch (m) {
    case Method::kCheckStrings: {
      const rolegate::Policy& pol = *f.policy;
      l = RunBlocks(st, n, [&](size_t pos) {
        for (size_t i = pos; i < pos + kBlock; ++i) sink += pol.Check(qs[i].principal, qs[i].action, qs[i].resource).allowed;
        benchmark::DoNotOptimize(sink);
      });
      break;
    }
    case Method::kCheckIds: {
      const rolegate::Policy& pol = *f.policy;
      l = RunBlocks(st, n, [&](size_t pos) {
        for (size_t i = pos; i < pos + kBlock; ++i) sink += pol.CheckIds(q.pids[i], q.aids[i], qs[i].resource).allowed;
        benchmark::DoNotOptimize(sink);
      });
      break;
    }
    case Method::kBatchIdsSnapshot: {
      const rolegate::Engine& eng = *f.engine;
      l = RunBlocks(st, n, [&](size_t pos) {
        rolegate::Snapshot s = eng.Acquire();
        const rolegate::Policy& pol = s.policy();
        for (size_t i = pos; i < pos + kBlock; ++i) sink += pol.CheckIds(q.pids[i], q.aids[i], qs[i].resource).allowed;
        benchmark::DoNotOptimize(sink);
      });
      break;
    }
    case Method::kBatchIdsCapi:
    case Method::kBatchStringsCapi: {
      if (!EnsureCapi(f)) {
        st.SkipWithError("C ABI engine unavailable");
        for (auto _ : st) {
        }
        return;
      }
      rolegate_decision out[kBlock];
      int32_t bad = 0;
      if (m == Method::kBatchIdsCapi) {
        l = RunBlocks(st, n, [&](size_t pos) {
          bad |= rolegate_snapshot_check_ids_batch(f.c_snap, q.pids.data() + pos, q.aids.data() + pos, q.buf1.data(),
                                                   q.buf1.size(), q.off1.data() + pos, kBlock, out);
          benchmark::DoNotOptimize(out);
        });
      } else {
        l = RunBlocks(st, n, [&](size_t pos) {
          bad |= rolegate_snapshot_check_batch(f.c_snap, q.buf3.data(), q.buf3.size(), q.off3.data() + 3 * pos,
                                               kBlock, out);
          benchmark::DoNotOptimize(out);
        });
      }
      if (bad) st.SkipWithError("batch call returned an error");
      break;
    }
    case Method::kEngineCheck: {
      const rolegate::Engine& eng = *f.engine;
      l = RunBlocks(st, n, [&](size_t pos) {
        for (size_t i = pos; i < pos + kBlock; ++i) sink += eng.Check(qs[i].principal, qs[i].action, qs[i].resource).allowed;
        benchmark::DoNotOptimize(sink);
      });
      break;
    }
  }
  st.counters["allowed"] = q.allowed;
  std::string key = std::string(1, size) + "/" + SetName(p) + (UsesStrings(m) ? "/string" : "/int");
  auto it = g_floor_p50.find(key);
  if (it != g_floor_p50.end() && it->second > 0) {
    st.counters["ratio_p50"] = l.p50 / it->second;
    st.counters["ratio_p99"] = l.p99 / g_floor_p99[key];
  }
}

std::vector<char> Sizes() {
  const char* env = std::getenv("ROLEGATE_BENCH_SIZES");
  std::string s = env && *env ? env : "S,M";
  std::vector<char> out;
  for (char c : s)
    if ((c == 'S' || c == 'M' || c == 'L') && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  return out;
}

void RegisterAll() {
  const bool capi = EnvU64("ROLEGATE_BENCH_CAPI", 1) != 0;
  for (char size : Sizes()) {
    std::string z(1, size);
    auto* c = benchmark::RegisterBenchmark((z + "/compile").c_str(), BM_Compile, size);
    c->UseManualTime()->Unit(benchmark::kMillisecond);
    if (size == 'L') c->Iterations(1);
    else if (size == 'M') c->Iterations(3);
    for (Pattern p : {Pattern::kHot, Pattern::kUniform}) {
      std::string base = z + "/" + SetName(p) + "/";
      benchmark::RegisterBenchmark((base + "floor_string_map").c_str(), BM_Floor, size, p, true);
      benchmark::RegisterBenchmark((base + "floor_int_map").c_str(), BM_Floor, size, p, false);
      benchmark::RegisterBenchmark((base + "check_strings").c_str(), BM_Check, size, p, Method::kCheckStrings);
      benchmark::RegisterBenchmark((base + "check_ids").c_str(), BM_Check, size, p, Method::kCheckIds);
      benchmark::RegisterBenchmark((base + "batch_ids_snapshot").c_str(), BM_Check, size, p,
                                   Method::kBatchIdsSnapshot);
      if (capi) {
        benchmark::RegisterBenchmark((base + "batch_ids_capi").c_str(), BM_Check, size, p, Method::kBatchIdsCapi);
        benchmark::RegisterBenchmark((base + "batch_strings_capi").c_str(), BM_Check, size, p,
                                     Method::kBatchStringsCapi);
      }
      benchmark::RegisterBenchmark((base + "engine_check").c_str(), BM_Check, size, p, Method::kEngineCheck);
    }
  }
}

}  // namespace
}  // namespace rolegate_bench

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const char kFlag[] = "--rolegate_compile_child=";
    if (std::strncmp(argv[i], kFlag, sizeof kFlag - 1) == 0)
      return rolegate_bench::CompileChildMain(argv[i] + sizeof kFlag - 1);
  }
  {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) rolegate_bench::g_self_exe.assign(buf, static_cast<size_t>(n));
  }
  rolegate_bench::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
