// bench/identity_request_benchmark.cc — issue 3: workload identity resolution
// (SPEC §4) and gateway request checks (SPEC §5) on generated bundles.
//
//   resolve/10k_rules_1_cloud     Policy::Resolve, 10,000 mapping rules in one cloud
//   resolve/10k_rules_10_clouds   the same rules spread over ten clouds
//   resolve/floor_string_map      one flat_hash_map<std::string,uint32_t> lookup of
//                                 the query's user (10k keys) — for scale
//   check_request/50_routes/all_routes  CheckRequest over 50 routes, requests spread over
//                                 all of them; paths padded to 60 bytes where the route
//                                 has an {id} (24 of 50), shorter elsewhere (mean ~45 B)
//   check_request/50_routes/id_routes_60B  the same, only the requests whose path is
//                                 exactly 60 bytes
//   check_request/50_routes/*_decide   the same sets through DecideRequest (no
//                                 deciding rule named: what a gateway needs)
//   check_request/50_routes/first_id_route, last_route   one fixed 60-byte request
//   check_request/floor_re2_fullmatch   RE2::FullMatchN of the winning route alone,
//                                 with its captures, on the all_routes requests — for scale
// Targets (issue 3): resolve ≤ 40 ns median; check_request ≤ 300 ns median.
//
// Environment: ROLEGATE_BENCH_IR_SIZE (base bundle size, default M),
// ROLEGATE_BENCH_QUERIES (default 65536), ROLEGATE_BENCH_SEED (default 1).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "block_timer.h"
#include "bundle_gen.h"
#include "re2/re2.h"
#include "rolegate/policy.h"

namespace rolegate_bench {
namespace {

// Timing: bench/block_timer.h (blocks of kBlock queries, as check_benchmark.cc).

size_t QueryCount() {
  size_t n = EnvU64("ROLEGATE_BENCH_QUERIES", 65536);
  return std::max<size_t>(kBlock, n / kBlock * kBlock);
}

struct Bundle {
  ModelPtr model;
  std::unique_ptr<rolegate::Policy> policy;
  std::string error;
};

Bundle MakeBundle(int64_t routes, int64_t rules, int64_t clouds) {
  Bundle b;
  GenOptions o;
  const char* sz = std::getenv("ROLEGATE_BENCH_IR_SIZE");
  o.size = sz && (*sz == 'S' || *sz == 'M' || *sz == 'L') ? *sz : 'M';
  o.seed = EnvU64("ROLEGATE_BENCH_SEED", 1);
  o.routes = routes;
  o.mapping_rules = rules;
  o.clouds = clouds;
  b.model = BuildModel(o);
  std::string json;
  AppendBundleJson(*b.model, &json);
  std::vector<rolegate::Diagnostic> diags;
  auto p = rolegate::Compile(json, rolegate::Limits{}, &diags);
  if (!p.ok()) {
    b.error = std::string(p.status().message());
    int shown = 0;
    for (const auto& d : diags)
      if (d.severity == rolegate::Severity::kError && shown++ < 10)
        std::fprintf(stderr, "%s\n", rolegate::FormatDiagnostic(d).c_str());
    return b;
  }
  b.policy = std::move(*p);
  auto s = b.policy->GetStats();
  std::fprintf(stderr, "[%c, %lld routes, %lld rules in %lld clouds] %.1f MB bundle, %llu mapping rules compiled\n",
               o.size, static_cast<long long>(routes), static_cast<long long>(rules),
               static_cast<long long>(clouds), json.size() / 1e6, static_cast<unsigned long long>(s.mapping_rules));
  return b;
}

Bundle& OneCloud() {
  static Bundle b = MakeBundle(50, 10000, 1);
  return b;
}
Bundle& TenClouds() {
  static Bundle b = MakeBundle(50, 10000, 10);
  return b;
}

bool Ready(benchmark::State& st, Bundle& b) {
  if (b.policy) return true;
  st.SkipWithError(("bundle did not compile: " + b.error).c_str());
  for (auto _ : st) {
  }
  return false;
}

// ---- resolve -------------------------------------------------------------------------
struct ResolveData {
  std::unique_ptr<ResolveQuerySet> set;
  std::vector<rolegate::WorkloadQuery> q;
};

ResolveData MakeResolveData(const Bundle& b) {
  ResolveData d;
  d.set = MakeResolveQueries(*b.model, QueryCount(), EnvU64("ROLEGATE_BENCH_SEED", 1) + 2000);
  size_t by_rule = 0, errors = 0;
  for (const auto& r : d.set->queries) {
    rolegate::WorkloadQuery w;
    w.cloud = r.cloud;
    rolegate::ParseWorkloadType(r.workload_type, &w.workload_type);
    w.project = r.project;
    w.user = r.user;
    w.compute_config_identity = r.compute_config_identity;
    w.node_group_identity = r.node_group_identity;
    d.q.push_back(w);
    rolegate::Resolution res = b.policy->Resolve(w);
    errors += res.error != rolegate::IdentityError::kNone;
    by_rule += res.error == rolegate::IdentityError::kNone && res.source != "cloud_default" &&
               res.source != "node_group" && res.source != "compute_config";
  }
  std::fprintf(stderr, "  resolve set: %zu queries, %.1f %% by a mapping rule, %.1f %% errors\n", d.q.size(),
               100.0 * by_rule / d.q.size(), 100.0 * errors / d.q.size());
  return d;
}

void BM_Resolve(benchmark::State& st, int variant) {
  Bundle& b = variant == 1 ? OneCloud() : TenClouds();
  if (!Ready(st, b)) return;
  static ResolveData d1 = MakeResolveData(OneCloud());
  static ResolveData d10 = MakeResolveData(TenClouds());
  ResolveData& d = variant == 1 ? d1 : d10;
  const rolegate::Policy& pol = *b.policy;
  size_t sink = 0;
  RunBlocks(st, d.q.size(), [&](size_t pos) {
    for (size_t i = pos; i < pos + kBlock; ++i) sink += pol.Resolve(d.q[i]).identity.size();
    benchmark::DoNotOptimize(sink);
  });
}

void BM_ResolveFloor(benchmark::State& st) {
  Bundle& b = OneCloud();
  if (!Ready(st, b)) return;
  static ResolveData d = MakeResolveData(OneCloud());
  static absl::flat_hash_map<std::string, uint32_t> users = [&] {
    absl::flat_hash_map<std::string, uint32_t> m;
    std::vector<std::string> all = AllPrincipals(*b.model);
    for (uint32_t i = 0; i < all.size(); ++i)
      if (all[i].rfind("user:", 0) == 0) m.emplace(all[i], i);
    return m;
  }();
  size_t sink = 0;
  RunBlocks(st, d.q.size(), [&](size_t pos) {
    for (size_t i = pos; i < pos + kBlock; ++i) {
      auto it = users.find(absl::string_view(d.q[i].user.data(), d.q[i].user.size()));
      sink += it != users.end() ? it->second : 1;
    }
    benchmark::DoNotOptimize(sink);
  });
  st.counters["keys"] = static_cast<double>(users.size());
}

// ---- check_request ----------------------------------------------------------------------
struct RequestData {
  std::unique_ptr<RequestQuerySet> set;
  double mean_len = 0;
};

// All requests (mixed path lengths), or only those whose path is exactly 60
// bytes (routes with an {id}: 24 of the 50).
RequestData MakeRequestData(bool only_60) {
  RequestData r;
  Bundle& b = OneCloud();
  r.set = MakeRequestQueries(*b.model, QueryCount() * (only_60 ? 3 : 1), EnvU64("ROLEGATE_BENCH_SEED", 1) + 3000, 60);
  if (only_60) {
    auto& v = r.set->queries;
    v.erase(std::remove_if(v.begin(), v.end(), [](const RequestQuery& q) { return q.target.size() != 60; }),
            v.end());
    v.resize(std::max<size_t>(kBlock, v.size() / kBlock * kBlock));
  }
  {
    size_t allowed = 0, no_route = 0, bad = 0, len = 0;
    rolegate::RequestScratch scratch;
    for (const auto& q : r.set->queries) {
      auto e = b.policy->CheckRequest(q.principal, q.method, q.target, &scratch);
      allowed += e.check.decision.allowed;
      no_route += e.check.decision.reason == rolegate::Reason::kNoRoute;
      bad += e.check.decision.reason == rolegate::Reason::kBadPath;
      len += q.target.size();
    }
    r.mean_len = static_cast<double>(len) / r.set->queries.size();
    std::fprintf(stderr, "  request set: %zu requests, mean path %.1f bytes, %.1f %% allowed, %.1f %% no_route, "
                 "%.1f %% bad_path\n",
                 r.set->queries.size(), r.mean_len, 100.0 * allowed / r.set->queries.size(),
                 100.0 * no_route / r.set->queries.size(), 100.0 * bad / r.set->queries.size());
  }
  return r;
}

RequestData& Requests(bool only_60) {
  static RequestData all = MakeRequestData(false);
  static RequestData sixty = MakeRequestData(true);
  return only_60 ? sixty : all;
}

void BM_CheckRequestSet(benchmark::State& st, bool only_60, bool decide) {
  Bundle& b = OneCloud();
  if (!Ready(st, b)) return;
  RequestData& d = Requests(only_60);
  const auto& qs = d.set->queries;
  const rolegate::Policy& pol = *b.policy;
  rolegate::RequestScratch scratch;
  size_t sink = 0;
  RunBlocks(st, qs.size(), [&](size_t pos) {
    for (size_t i = pos; i < pos + kBlock; ++i)
      sink += (decide ? pol.DecideRequest(qs[i].principal, qs[i].method, qs[i].target, &scratch)
                      : pol.CheckRequest(qs[i].principal, qs[i].method, qs[i].target, &scratch))
                  .check.decision.allowed;
    benchmark::DoNotOptimize(sink);
  });
  st.counters["path_bytes"] = d.mean_len;
}

void BM_CheckRequestFixed(benchmark::State& st, bool last) {
  Bundle& b = OneCloud();
  if (!Ready(st, b)) return;
  const BundleModel& m = *b.model;
  // The first route with an {id} placeholder (so the path can be 60 bytes), or the last route.
  size_t nroutes = b.policy->GetStats().routes;
  size_t route = nroutes - 1;
  if (!last) {
    Arena probe;
    for (size_t i = 0; i < nroutes; ++i) {
      if (MakeRequestForRoute(m, i, 60, 7, &probe).target.size() == 60) {
        route = i;
        break;
      }
    }
  }
  Arena arena;
  RequestQuery q = MakeRequestForRoute(m, route, 60, 7, &arena);
  rolegate::RequestScratch scratch;
  auto e = b.policy->CheckRequest(q.principal, q.method, q.target, &scratch);
  std::string label = std::string(q.method) + " " + std::string(q.target) + " -> " + std::string(e.route) + " " +
                      std::string(rolegate::ReasonName(e.check.decision.reason));
  const rolegate::Policy& pol = *b.policy;
  size_t sink = 0;
  RunBlocks(st, kBlock, [&](size_t) {
    for (size_t i = 0; i < kBlock; ++i) sink += pol.CheckRequest(q.principal, q.method, q.target, &scratch).check.decision.allowed;
    benchmark::DoNotOptimize(sink);
  });
  st.counters["path_bytes"] = static_cast<double>(q.target.size());
  st.counters["route_index"] = static_cast<double>(route);
  st.SetLabel(label);
}

void BM_Re2Floor(benchmark::State& st) {
  Bundle& b = OneCloud();
  if (!Ready(st, b)) return;
  RequestData& d = Requests(false);
  // Rebuild each route's pattern from the bundle model's JSON (the regexes the engine compiles).
  static std::vector<std::unique_ptr<re2::RE2>> res;
  static std::vector<std::string> methods;
  static std::vector<int> winner;
  if (res.empty()) {
    std::string json;
    AppendBundleJson(*b.model, &json);
    // Routes are the last list in the generated bundle: one per line, "path":"..." then "action".
    size_t at = json.find("\"routes\": [");
    while ((at = json.find("{\"id\":", at)) != std::string::npos) {
      size_t mp = json.find("\"method\":\"", at) + 10;
      methods.push_back(json.substr(mp, json.find('"', mp) - mp));
      size_t pp = json.find("\"path\":\"", at) + 8;
      std::string pat = json.substr(pp, json.find("\",\"action\"", pp) - pp);
      res.push_back(std::make_unique<re2::RE2>(pat));
      at = pp;
    }
    for (const auto& q : d.set->queries) {
      int w = -1;
      for (size_t r = 0; r < res.size() && w < 0; ++r)
        if ((methods[r] == "*" || methods[r] == q.method) &&
            re2::RE2::FullMatch(re2::StringPiece(q.target.data(), q.target.size()), *res[r]))
          w = static_cast<int>(r);
      winner.push_back(w);
    }
  }
  const auto& qs = d.set->queries;
  re2::StringPiece caps[8];
  re2::RE2::Arg args[8];
  const re2::RE2::Arg* argp[8];
  for (int i = 0; i < 8; ++i) {
    args[i] = re2::RE2::Arg(&caps[i]);
    argp[i] = &args[i];
  }
  size_t sink = 0;
  RunBlocks(st, qs.size(), [&](size_t pos) {
    for (size_t i = pos; i < pos + kBlock; ++i) {
      int w = winner[i];
      if (w < 0) continue;
      const re2::RE2& re = *res[w];
      sink += re2::RE2::FullMatchN(re2::StringPiece(qs[i].target.data(), qs[i].target.size()), re, argp,
                                   re.NumberOfCapturingGroups());
    }
    benchmark::DoNotOptimize(sink);
  });
}

}  // namespace
}  // namespace rolegate_bench

int main(int argc, char** argv) {
  using namespace rolegate_bench;
  benchmark::RegisterBenchmark("resolve/10k_rules_1_cloud", BM_Resolve, 1);
  benchmark::RegisterBenchmark("resolve/10k_rules_10_clouds", BM_Resolve, 10);
  benchmark::RegisterBenchmark("resolve/floor_string_map", BM_ResolveFloor);
  benchmark::RegisterBenchmark("check_request/50_routes/all_routes", BM_CheckRequestSet, false, false);
  benchmark::RegisterBenchmark("check_request/50_routes/id_routes_60B", BM_CheckRequestSet, true, false);
  benchmark::RegisterBenchmark("check_request/50_routes/all_routes_decide", BM_CheckRequestSet, false, true);
  benchmark::RegisterBenchmark("check_request/50_routes/id_routes_60B_decide", BM_CheckRequestSet, true, true);
  benchmark::RegisterBenchmark("check_request/50_routes/first_id_route", BM_CheckRequestFixed, false);
  benchmark::RegisterBenchmark("check_request/50_routes/last_route", BM_CheckRequestFixed, true);
  benchmark::RegisterBenchmark("check_request/floor_re2_fullmatch", BM_Re2Floor);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
