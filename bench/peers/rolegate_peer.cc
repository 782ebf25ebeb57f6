// rolegate_peer — rolegate's side of the peer benchmark (issue 5), with the
// same protocol as the Go (casbin, OPA) and Rust (Cedar) runners:
//
//   rolegate_peer --bundle subset.json --queries queries.tsv
//                 (--write-expected FILE | --expected FILE)
//                 [--min-time SEC] [--max-time SEC] [--batch N] [--out result.json]
//   rolegate_peer --reload --bundle subset.json --queries queries.tsv
//                 [--seconds SEC] [--batch N] [--out result.json]
//
// Load: the bundle text is read into memory, then Compile() is timed (JSON
// parse + compile into the decision table). Decisions: Policy::Check on
// strings, one call per query. Pass 0 checks every answer against the
// expected file (or writes it); timed passes follow until --min-time has
// passed. A sample is one batch of --batch consecutive queries; ns per
// decision = (batch time - timer overhead) / batch. Peak RSS: getrusage.
//
// --reload: two reader threads check the query set through Engine::Check (the
// lock-free hazard-slot path) for --seconds with nobody publishing, then for
// --seconds while a third thread publishes the same bundle in a loop
// (compile + atomic swap). Reports reader median/p99 for both phases and
// publishes per second.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "rolegate/engine.h"
#include "rolegate/policy.h"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "rolegate_peer: %s\n", msg.c_str());
  std::exit(2);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) Die("cannot read " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Query {
  std::string_view principal, action, resource;
};

std::vector<Query> ParseQueries(const std::string& text) {
  std::vector<Query> qs;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) continue;
    size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    if (t1 == std::string_view::npos || t2 == std::string_view::npos) Die("bad query line");
    qs.push_back({line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1)});
  }
  return qs;
}

long PeakRssKb() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

double TimerOverheadNs() {
  std::vector<double> v;
  for (int i = 0; i < 20001; ++i) {
    auto a = Clock::now();
    auto b = Clock::now();
    v.push_back(std::chrono::duration<double, std::nano>(b - a).count());
  }
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

struct Stats {
  double median = 0, p99 = 0, mean = 0;
  size_t samples = 0;
};

Stats Summarize(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  s.samples = v.size();
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / v.size();
  std::sort(v.begin(), v.end());
  auto q = [&](double p) { return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))]; };
  s.median = q(0.5);
  s.p99 = q(0.99);
  return s;
}

void WriteOut(const std::string& path, const std::string& json) {
  if (path.empty()) {
    std::printf("%s\n", json.c_str());
    return;
  }
  std::ofstream f(path);
  f << json << "\n";
  if (!f) Die("cannot write " + path);
}

int RunCheck(const std::string& bundle_path, const std::string& queries_path, const std::string& expected,
             bool write_expected, double min_time, double max_time, size_t batch, const std::string& out) {
  std::string qtext = ReadFile(queries_path);
  std::vector<Query> qs = ParseQueries(qtext);
  std::string text = ReadFile(bundle_path);

  auto t0 = Clock::now();
  std::vector<rolegate::Diagnostic> diags;
  auto policy = rolegate::Compile(text, rolegate::Limits{}, &diags);
  auto t1 = Clock::now();
  if (!policy.ok()) {
    for (const auto& d : diags) std::fprintf(stderr, "%s\n", rolegate::FormatDiagnostic(d).c_str());
    Die("bundle does not compile: " + std::string(policy.status().message()));
  }
  double load_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  const rolegate::Policy& p = **policy;

  // Pass 0: every answer, timed per batch like the later passes.
  const double overhead = TimerOverheadNs();
  std::vector<char> got(qs.size());
  std::vector<double> samples0, samples;
  samples0.reserve(qs.size() / batch + 1);
  auto start0 = Clock::now();
  for (size_t i = 0; i < qs.size(); i += batch) {
    size_t end = std::min(qs.size(), i + batch);
    auto a = Clock::now();
    for (size_t j = i; j < end; ++j) got[j] = p.Check(qs[j].principal, qs[j].action, qs[j].resource).allowed;
    auto b = Clock::now();
    if (end - i == batch)
      samples0.push_back((std::chrono::duration<double, std::nano>(b - a).count() - overhead) / batch);
  }
  double pass0_s = std::chrono::duration<double>(Clock::now() - start0).count();
  size_t allowed = std::count(got.begin(), got.end(), 1);
  if (write_expected) {
    std::string s;
    for (char g : got) s += g ? "1\n" : "0\n";
    std::ofstream f(expected);
    f << s;
    if (!f) Die("cannot write " + expected);
  } else if (!expected.empty()) {
    std::string e = ReadFile(expected);
    if (e.size() != 2 * qs.size()) Die("expected file does not match the query set");
    for (size_t i = 0; i < qs.size(); ++i) {
      if ((e[2 * i] == '1') != (got[i] != 0)) {
        std::fprintf(stderr, "MISMATCH query %zu: %.*s %.*s %.*s: rolegate %s, expected %s\n", i,
                     (int)qs[i].principal.size(), qs[i].principal.data(), (int)qs[i].action.size(),
                     qs[i].action.data(), (int)qs[i].resource.size(), qs[i].resource.data(),
                     got[i] ? "allow" : "deny", e[2 * i] == '1' ? "allow" : "deny");
        return 3;
      }
    }
  }

  const Stats first = Summarize(samples0);
  // Timed passes (pass 0 warmed up); a pass 0 that took over half the budget is the measurement.
  size_t passes = 0;
  if (pass0_s * 2 > max_time) {
    samples = std::move(samples0);
  } else {
    samples.reserve(qs.size() / batch * 64 + 16);
    auto start = Clock::now();
    volatile bool sink = false;
    for (;;) {
      for (size_t i = 0; i + batch <= qs.size(); i += batch) {
        auto a = Clock::now();
        bool acc = false;
        for (size_t j = i; j < i + batch; ++j) acc ^= p.Check(qs[j].principal, qs[j].action, qs[j].resource).allowed;
        auto b = Clock::now();
        sink = sink ^ acc;
        samples.push_back((std::chrono::duration<double, std::nano>(b - a).count() - overhead) / batch);
      }
      ++passes;
      double el = std::chrono::duration<double>(Clock::now() - start).count();
      if (el >= min_time || el + pass0_s >= max_time) break;
    }
  }
  Stats s = Summarize(samples);
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "{\"engine\":\"rolegate\",\"load_ms\":%.3f,\"queries\":%zu,\"allowed\":%zu,\"passes\":%zu,"
                "\"batch\":%zu,\"samples\":%zu,\"median_ns\":%.2f,\"p99_ns\":%.2f,\"mean_ns\":%.2f,"
                "\"timer_overhead_ns\":%.1f,\"pass0_s\":%.3f,\"first_pass_median_ns\":%.2f,\"peak_rss_kb\":%ld,\"answers\":\"%s\"}",
                load_ms, qs.size(), allowed, passes, batch, s.samples, s.median, s.p99, s.mean, overhead, pass0_s, first.median,
                PeakRssKb(), write_expected ? "written" : (expected.empty() ? "unchecked" : "match"));
  WriteOut(out, buf);
  return 0;
}

int RunReload(const std::string& bundle_path, const std::string& queries_path, double seconds, size_t batch,
              const std::string& out) {
  std::string qtext = ReadFile(queries_path);
  std::vector<Query> qs = ParseQueries(qtext);
  std::string text = ReadFile(bundle_path);
  auto t0 = Clock::now();
  auto eng = rolegate::Engine::Create(text);
  auto t1 = Clock::now();
  if (!eng.ok()) Die("bundle does not compile");
  rolegate::Engine& e = **eng;
  const double overhead = TimerOverheadNs();

  // phase: 0 warm-up, 1 idle, 2 publishing, 3 stop
  std::atomic<int> phase{0};
  std::atomic<int> ready{0};
  struct Reader {
    std::vector<double> idle, busy;
    uint64_t checks = 0;
  };
  Reader readers[2];
  auto reader = [&](int id) {
    Reader& r = readers[id];
    r.idle.reserve(1 << 22);
    r.busy.reserve(1 << 22);
    size_t i = (id * qs.size()) / 2;
    bool acc = false;
    ready.fetch_add(1);
    for (;;) {
      int ph = phase.load(std::memory_order_relaxed);
      if (ph == 3) break;
      if (i + batch > qs.size()) i = 0;
      auto a = Clock::now();
      for (size_t j = i; j < i + batch; ++j) acc ^= e.Check(qs[j].principal, qs[j].action, qs[j].resource).allowed;
      auto b = Clock::now();
      i += batch;
      r.checks += batch;
      double ns = (std::chrono::duration<double, std::nano>(b - a).count() - overhead) / batch;
      if (ph == 1 && r.idle.size() < r.idle.capacity()) r.idle.push_back(ns);
      else if (ph == 2 && r.busy.size() < r.busy.capacity()) r.busy.push_back(ns);
    }
    if (acc) std::fprintf(stderr, "%s", "");
  };
  std::atomic<uint64_t> publishes{0}, publish_ns{0};
  std::atomic<bool> publish_failed{false};
  auto publisher = [&]() {
    while (phase.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    while (phase.load() == 2) {
      auto a = Clock::now();
      if (!e.Publish(text).ok()) publish_failed = true;
      publish_ns.fetch_add(static_cast<uint64_t>(std::chrono::duration<double, std::nano>(Clock::now() - a).count()));
      publishes.fetch_add(1);
    }
  };
  std::thread r0(reader, 0), r1(reader, 1), pub(publisher);
  while (ready.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // warm-up
  phase = 1;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  auto pub_start = Clock::now();
  phase = 2;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  uint64_t pubs = publishes.load();
  double pub_el = std::chrono::duration<double>(Clock::now() - pub_start).count();
  phase = 3;
  r0.join();
  r1.join();
  pub.join();
  if (publish_failed) Die("a publish failed");
  std::vector<double> idle, busy;
  for (auto& r : readers) {
    idle.insert(idle.end(), r.idle.begin(), r.idle.end());
    busy.insert(busy.end(), r.busy.begin(), r.busy.end());
  }
  Stats si = Summarize(idle), sb = Summarize(busy);
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "{\"engine\":\"rolegate\",\"mode\":\"reload\",\"compile_ms\":%.1f,\"readers\":2,\"batch\":%zu,"
                "\"seconds_per_phase\":%.1f,\"idle\":{\"median_ns\":%.2f,\"p99_ns\":%.2f,\"samples\":%zu},"
                "\"publishing\":{\"median_ns\":%.2f,\"p99_ns\":%.2f,\"samples\":%zu},"
                "\"publishes\":%llu,\"publishes_per_s\":%.2f,\"mean_publish_ms\":%.1f,\"p99_ratio\":%.3f,\"generation\":%llu,"
                "\"peak_rss_kb\":%ld}",
                std::chrono::duration<double, std::milli>(t1 - t0).count(), batch, seconds, si.median, si.p99,
                si.samples, sb.median, sb.p99, sb.samples, (unsigned long long)pubs, pubs / pub_el,
                publishes.load() ? publish_ns.load() / 1e6 / publishes.load() : 0.0,
                si.p99 > 0 ? sb.p99 / si.p99 : 0.0, (unsigned long long)e.generation(), PeakRssKb());
  WriteOut(out, buf);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bundle, queries, expected, out;
  bool write_expected = false, reload = false;
  double min_time = 2, max_time = 600, seconds = 5;
  size_t batch = 8;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--bundle") bundle = next();
    else if (a == "--queries") queries = next();
    else if (a == "--expected") expected = next();
    else if (a == "--write-expected") { expected = next(); write_expected = true; }
    else if (a == "--min-time") min_time = std::atof(next().c_str());
    else if (a == "--max-time") max_time = std::atof(next().c_str());
    else if (a == "--batch") batch = std::max<long>(1, std::atol(next().c_str()));
    else if (a == "--seconds") seconds = std::atof(next().c_str());
    else if (a == "--reload") reload = true;
    else if (a == "--out") out = next();
    else Die("unknown option " + a);
  }
  if (bundle.empty() || queries.empty()) Die("--bundle and --queries are required");
  if (reload) return RunReload(bundle, queries, seconds, batch, out);
  return RunCheck(bundle, queries, expected, write_expected, min_time, max_time, batch, out);
}
