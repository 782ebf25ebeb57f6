// rolegate_gen_bundle — writes a seeded, valid, realistic bundle (SPEC §2) or a
// query set over it as JSON Lines in the CLI format of SPEC §7.
//
//   rolegate_gen_bundle --size S|M|L [--seed N] [--routes N] [--mappings N]
//                       [--clouds N] [--assignments N] [--conditions] --out FILE
//   rolegate_gen_bundle --size S|M|L [--seed N] [...same shape options...]
//                       --queries hot|uniform|requests|resolve --count N
//                       [--query-seed N] [--path-bytes N] --out FILE
//
// The queries are generated from the same model as the bundle with the same
// shape options and seed, so pass the same options to both runs. `--out -`
// writes to standard output; a summary of the bundle goes to standard error.
//
// Presets: S ~1k assignments, M ~100k, L ~1M (100k users, 1M-leaf scope tree).
// Routes-heavy: --routes 50. Mapping-heavy: --mappings 10000 [--clouds 1].
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bundle_gen.h"

namespace {

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "rolegate_gen_bundle: %s\n"
               "usage: rolegate_gen_bundle --size S|M|L [--seed N] [--routes N] [--mappings N] [--clouds N]\n"
               "                           [--assignments N] [--conditions] --out FILE\n"
               "       rolegate_gen_bundle --size S|M|L [--seed N] [shape options] --queries "
               "hot|uniform|requests|resolve\n"
               "                           --count N [--query-seed N] [--path-bytes N] --out FILE\n",
               why);
  std::exit(2);
}

int64_t ParseInt(const char* s) {
  char* end = nullptr;
  long long v = std::strtoll(s, &end, 10);
  if (!*s || *end || v < 0) Usage("bad number");
  return v;
}

bool WriteAll(const std::string& path, const std::string& data) {
  FILE* f = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  if (f != stdout) ok = (std::fclose(f) == 0) && ok;
  else ok = (std::fflush(f) == 0) && ok;
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  rolegate_bench::GenOptions opt;
  std::string out, queries;
  int64_t count = 10000, query_seed = -1, path_bytes = 60;
  bool have_size = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--size") {
      const char* v = next();
      if (std::strlen(v) != 1 || !std::strchr("SML", v[0])) Usage("--size must be S, M or L");
      opt.size = v[0];
      have_size = true;
    } else if (a == "--seed") {
      opt.seed = static_cast<uint64_t>(ParseInt(next()));
    } else if (a == "--routes") {
      opt.routes = ParseInt(next());
    } else if (a == "--mappings") {
      opt.mapping_rules = ParseInt(next());
    } else if (a == "--clouds") {
      opt.clouds = ParseInt(next());
    } else if (a == "--conditions") {
      opt.conditions = true;
    } else if (a == "--assignments") {
      opt.assignments = ParseInt(next());
    } else if (a == "--out") {
      out = next();
    } else if (a == "--queries") {
      queries = next();
      if (queries != "hot" && queries != "uniform" && queries != "requests" && queries != "resolve")
        Usage("--queries must be hot, uniform, requests or resolve");
    } else if (a == "--count") {
      count = ParseInt(next());
    } else if (a == "--query-seed") {
      query_seed = ParseInt(next());
    } else if (a == "--path-bytes") {
      path_bytes = ParseInt(next());
    } else if (a == "-h" || a == "--help") {
      Usage("help");
    } else {
      Usage(("unknown option " + a).c_str());
    }
  }
  if (!have_size) Usage("--size is required");
  if (out.empty()) Usage("--out is required");

  auto t0 = std::chrono::steady_clock::now();
  rolegate_bench::ModelPtr model = rolegate_bench::BuildModel(opt);
  auto t1 = std::chrono::steady_clock::now();
  std::string text;
  uint64_t qseed = query_seed >= 0 ? static_cast<uint64_t>(query_seed) : opt.seed;
  if (queries.empty()) {
    rolegate_bench::AppendBundleJson(*model, &text);
  } else if (queries == "hot" || queries == "uniform") {
    auto qs = rolegate_bench::MakeCheckQueries(
        *model, queries == "hot" ? rolegate_bench::Pattern::kHot : rolegate_bench::Pattern::kUniform,
        static_cast<size_t>(count), qseed);
    text.reserve(qs->queries.size() * 200);
    for (const auto& q : qs->queries) rolegate_bench::AppendCheckQueryJson(q, &text);
    if (queries == "hot")
      std::fprintf(stderr, "hot pool: %zu principals, %zu resources make ~80%% of the queries\n",
                   qs->distinct_principals, qs->distinct_resources);
  } else if (queries == "requests") {
    auto qs = rolegate_bench::MakeRequestQueries(*model, static_cast<size_t>(count), qseed,
                                                 static_cast<size_t>(path_bytes));
    if (qs->queries.empty() && count > 0) Usage("the bundle has no routes (--routes N)");
    for (const auto& q : qs->queries) rolegate_bench::AppendRequestQueryJson(q, &text);
  } else {
    auto qs = rolegate_bench::MakeResolveQueries(*model, static_cast<size_t>(count), qseed);
    for (const auto& q : qs->queries) rolegate_bench::AppendResolveQueryJson(q, &text);
  }
  auto t2 = std::chrono::steady_clock::now();
  if (!WriteAll(out, text)) {
    std::fprintf(stderr, "rolegate_gen_bundle: cannot write %s\n", out.c_str());
    return 1;
  }
  auto t3 = std::chrono::steady_clock::now();
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  rolegate_bench::ModelSummary s = rolegate_bench::Summarize(*model);
  std::fprintf(stderr,
               "size %c seed %llu: %llu actions (%llu data), %llu roles, %llu users, %llu groups (depth %d), "
               "%llu principals, %llu assignments, %llu deny assignments, %llu statements, %llu clouds, "
               "%llu mapping rules, %llu routes; scope tree %llu nodes, %llu leaves; %llu distinct bundle scopes\n"
               "model %.0f ms, %s %.0f ms, write %.0f ms, %zu bytes\n",
               s.size, static_cast<unsigned long long>(opt.seed), (unsigned long long)s.actions,
               (unsigned long long)s.data_actions, (unsigned long long)s.roles, (unsigned long long)s.users,
               (unsigned long long)s.groups, s.max_group_depth, (unsigned long long)s.principals,
               (unsigned long long)s.assignments, (unsigned long long)s.deny_assignments,
               (unsigned long long)s.statements, (unsigned long long)s.clouds,
               (unsigned long long)s.mapping_rules, (unsigned long long)s.routes,
               (unsigned long long)s.tree_nodes, (unsigned long long)s.tree_leaves,
               (unsigned long long)s.bundle_scopes, ms(t0, t1), queries.empty() ? "json" : "queries", ms(t1, t2),
               ms(t2, t3), text.size());
  return 0;
}
