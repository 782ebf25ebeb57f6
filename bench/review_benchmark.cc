// bench/review_benchmark.cc — access review (SPEC §14) on generated bundles
// (bench/bundle_gen.h; M by default, ROLEGATE_REVIEW_BENCH_SIZE=S|M|L):
//
//   what_can            one (principal, resource) from the uniform query set per call (target <= 50 us on M)
//   who_can/popular     Anyscale.Platform/clouds/read (granted by */read roles) at query resources
//   who_can/rare        a data action (granted only through data_actions) at the same resources
//                       (target <= 10 ms on M; counter `out` = principals returned per call)
//   diff/<edit>         Diff(bundle, edited copy), both compiles included (target <= 1 s on M):
//                       role (one role gains an action), group (one group loses a member),
//                       assignment (one removed), shuffled (every list shuffled), self
//   diff/compile_floor  the two compiles and loads alone, for scale
//
// Repetitions give the median and the spread (stddev, cv): run with
// --benchmark_report_aggregates_only=true for just those.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bundle_gen.h"
#include "rolegate/policy.h"
#include "rolegate/review.h"

namespace rolegate_bench {
namespace {

struct Fixture {
  std::string json;
  std::unique_ptr<rolegate::Policy> policy;
  std::unique_ptr<CheckQuerySet> queries;
  std::vector<std::string> lines;  // the bundle, one list element per line
};

Fixture& Get() {
  static Fixture* f = [] {
    auto* x = new Fixture;
    GenOptions o;
    const char* s = std::getenv("ROLEGATE_REVIEW_BENCH_SIZE");
    o.size = s && *s ? s[0] : 'M';
    ModelPtr model = BuildModel(o);
    AppendBundleJson(*model, &x->json);
    auto p = rolegate::Compile(x->json, rolegate::Limits{}, nullptr);
    if (!p.ok()) std::abort();
    x->policy = std::move(*p);
    x->queries = MakeCheckQueries(*model, Pattern::kUniform, 4096, 7);
    size_t b = 0;
    for (size_t e; (e = x->json.find('\n', b)) != std::string::npos; b = e + 1) x->lines.push_back(x->json.substr(b, e - b));
    return x;
  }();
  return *f;
}

void BM_WhatCan(benchmark::State& st) {
  Fixture& f = Get();
  size_t i = 0, out = 0, calls = 0;
  for (auto _ : st) {
    const CheckQuery& q = f.queries->queries[i++ % f.queries->queries.size()];
    auto r = rolegate::WhatCan(*f.policy, q.principal, q.resource);
    out += r.size();
    ++calls;
    benchmark::DoNotOptimize(r.data());
  }
  st.counters["out"] = static_cast<double>(out) / calls;
}

void BM_WhoCan(benchmark::State& st, bool popular) {
  Fixture& f = Get();
  std::string action = "Anyscale.Platform/clouds/read";
  if (!popular) {
    for (std::string_view a : rolegate::CatalogActions(*f.policy))
      if (a.find("Data/") != std::string_view::npos || a.find("/data/") != std::string_view::npos) {
        action = std::string(a);
        break;
      }
  }
  std::vector<std::string_view> scopes;
  for (const CheckQuery& q : f.queries->queries)
    if (!q.resource.empty() && q.resource[0] == '/') scopes.push_back(q.resource);
  size_t i = 0, out = 0, calls = 0;
  for (auto _ : st) {
    auto r = rolegate::WhoCan(*f.policy, action, scopes[i++ % scopes.size()]);
    out += r.size();
    ++calls;
    benchmark::DoNotOptimize(r.data());
  }
  st.counters["out"] = static_cast<double>(out) / calls;
  st.SetLabel(action);
}

// The line range [first, last) of the list named `key`'s elements.
std::pair<size_t, size_t> ListLines(const std::vector<std::string>& lines, const std::string& key) {
  const std::string head = "\"" + key + "\": [";
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i] == head) {
      size_t j = i + 1;
      while (j < lines.size() && lines[j][0] == '{') ++j;
      return {i + 1, j};
    }
  std::abort();
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

void StripComma(std::string* l) {
  if (!l->empty() && l->back() == ',') l->pop_back();
}

std::string Edited(const std::string& what) {
  Fixture& f = Get();
  std::vector<std::string> lines = f.lines;
  if (what == "role") {
    auto [b, e] = ListLines(lines, "roles");
    std::string& l = lines[b + (e - b) / 2];
    l.replace(l.find("\"actions\":["), 11, "\"actions\":[\"Microsoft.Compute/deployments/delete\",");
  } else if (what == "group") {
    auto [b, e] = ListLines(lines, "groups");
    std::string& l = lines[b + (e - b) / 2];
    const size_t m = l.find("\"members\":[") + 11;
    const size_t end = l.find_first_of(",]", l.find('"', m + 1));
    l.erase(m, end - m + (l[end] == ',' ? 1 : 0));
  } else if (what == "assignment") {
    auto [b, e] = ListLines(lines, "assignments");
    lines.erase(lines.begin() + static_cast<long>(b + (e - b) / 2));
  } else if (what == "shuffled") {
    std::mt19937_64 rng(3);
    for (const char* key : {"actions", "roles", "groups", "assignments", "deny_assignments", "statements"}) {
      auto [b, e] = ListLines(lines, key);
      for (size_t i = b; i < e; ++i) StripComma(&lines[i]);
      std::shuffle(lines.begin() + static_cast<long>(b), lines.begin() + static_cast<long>(e), rng);
      for (size_t i = b; i + 1 < e; ++i) lines[i] += ",";
    }
  }
  return Join(lines);
}

void BM_Diff(benchmark::State& st, std::string what) {
  Fixture& f = Get();
  const std::string edited = what == "self" ? f.json : Edited(what);
  uint64_t rows = 0, decisions = 0;
  for (auto _ : st) {
    auto r = rolegate::Diff(f.json, edited, rolegate::DiffOptions{}, nullptr, nullptr);
    if (!r.ok()) {
      st.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    rows = r->summary.rows + r->summary.rule_changes;
    decisions = r->summary.decisions;
  }
  st.counters["rows"] = static_cast<double>(rows);
  st.counters["decisions"] = static_cast<double>(decisions);
}

void BM_CompileFloor(benchmark::State& st) {
  Fixture& f = Get();
  for (auto _ : st) {
    for (int k = 0; k < 2; ++k) {
      auto p = rolegate::Compile(f.json, rolegate::Limits{}, nullptr);
      benchmark::DoNotOptimize(p.ok());
    }
  }
}

}  // namespace
}  // namespace rolegate_bench

int main(int argc, char** argv) {
  using namespace rolegate_bench;
  benchmark::RegisterBenchmark("what_can", BM_WhatCan)->Repetitions(5);
  benchmark::RegisterBenchmark("who_can/popular", BM_WhoCan, true)->Repetitions(5)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("who_can/rare", BM_WhoCan, false)->Repetitions(5)->Unit(benchmark::kMillisecond);
  for (const char* what : {"role", "group", "assignment", "shuffled", "self"})
    benchmark::RegisterBenchmark((std::string("diff/") + what).c_str(), BM_Diff, std::string(what))
        ->Repetitions(3)->Iterations(1)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("diff/compile_floor", BM_CompileFloor)
      ->Repetitions(3)->Iterations(1)->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
