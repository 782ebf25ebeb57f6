// tests/spec_cases_test.cc — runs the hand-written cases of
// tests/spec_cases/*.jsonl through the reference evaluator.
//
// One JSON object a line:
//   {"bundle": {...}, "query": {...a `rolegate check` query line...},
//    "expect": {"decision": "allow"|"deny", "reason": R, "rule": ID|null},
//    "why": "the SPEC sentence"}
// or, for a bundle that must be rejected, "expect": {"error": true} (no query),
// with an optional "pointer": a prefix of the JSON pointer an error must name.
// The same files are meant to be run through the engine and the CLI, so the
// query is exactly a CLI query line (op check, check_workload or
// check_request, with optional "context" and "groups").
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "rolegate/policy.h"
#include "support/query_extras.h"
#include "support/random_bundle.h"
#include "support/reference.h"

namespace {

using rolegate_ref::Answer;
using rolegate_ref::RefQueryExtras;
using rolegate_ref::RefValue;
using rolegate_ref::Reference;
using simdjson::dom::element;
using simdjson::dom::element_type;

std::string Field(element q, const char* key) {
  std::string_view v;
  if (q[key].get_string().get(v) != simdjson::SUCCESS) return "";
  return std::string(v);
}

// The query's context and groups; false when they are not of the CLI's shape
// (such a line is a query error, not a check, and has no place in the cases).
bool Extras(element q, RefQueryExtras* x, std::string* why) {
  element ctx;
  if (q["context"].get(ctx) == simdjson::SUCCESS) {
    simdjson::dom::object o;
    if (ctx.get_object().get(o) != simdjson::SUCCESS) return *why = "context not an object", false;
    for (auto [k, v] : o) {
      std::string key(k);
      std::string_view s;
      bool b;
      simdjson::dom::array arr;
      if (v.get_string().get(s) == simdjson::SUCCESS) {
        x->context.emplace_back(key, RefValue::String(std::string(s)));
      } else if (v.get_bool().get(b) == simdjson::SUCCESS) {
        x->context.emplace_back(key, RefValue::Bool(b));
      } else if (v.type() == element_type::INT64 || v.type() == element_type::UINT64 ||
                 v.type() == element_type::DOUBLE) {
        x->context.emplace_back(key, RefValue::Number(v.get_double().value()));
      } else if (v.get_array().get(arr) == simdjson::SUCCESS) {
        std::vector<std::string> list;
        for (element e : arr) {
          if (e.get_string().get(s) != simdjson::SUCCESS)
            return *why = "a context list holds a non-string", false;
          list.emplace_back(s);
        }
        x->context.emplace_back(key, RefValue::List(std::move(list)));
      } else {
        return *why = "context value of an unsupported type", false;
      }
    }
  }
  element groups;
  if (q["groups"].get(groups) == simdjson::SUCCESS) {
    simdjson::dom::array arr;
    if (groups.get_array().get(arr) != simdjson::SUCCESS) return *why = "groups not an array", false;
    for (element e : arr) {
      std::string_view s;
      if (e.get_string().get(s) != simdjson::SUCCESS) return *why = "a group is not a string", false;
      x->groups.emplace_back(s);
    }
  }
  return true;
}

bool RunQuery(const Reference& ref, element q, Answer* out, std::string* why) {
  RefQueryExtras x;
  if (!Extras(q, &x, why)) return false;
  const std::string op = Field(q, "op");
  if (op == "check") {
    *out = ref.Check(Field(q, "principal"), Field(q, "action"), Field(q, "resource"), x);
  } else if (op == "check_workload") {
    *out = ref.CheckWorkload(Field(q, "cloud"), Field(q, "workload_type"), Field(q, "project"),
                             Field(q, "user"), Field(q, "compute_config_identity"),
                             Field(q, "node_group_identity"), Field(q, "action"),
                             Field(q, "resource"), x)
               .check;
  } else if (op == "check_request") {
    *out = ref.CheckRequest(Field(q, "principal"), Field(q, "method"), Field(q, "path"), x).check;
  } else {
    *why = "unknown op " + op;
    return false;
  }
  return true;
}

std::vector<std::filesystem::path> CaseFiles() {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir = std::filesystem::path(ROLEGATE_SOURCE_DIR) / "tests/spec_cases";
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Runs one case line; returns "" when the reference answers as expected.
std::string RunCase(const std::string& line) {
  simdjson::dom::parser parser;
  element c;
  if (parser.parse(line).get(c) != simdjson::SUCCESS) return "the case line is not JSON";
  element bundle, expect;
  if (c["bundle"].get(bundle) != simdjson::SUCCESS || c["expect"].get(expect) != simdjson::SUCCESS)
    return "a case needs bundle and expect";
  std::string err;
  std::unique_ptr<Reference> ref = Reference::Load(simdjson::minify(bundle), &err, {});
  bool want_error = false;
  if (expect["error"].get_bool().get(want_error) != simdjson::SUCCESS) want_error = false;
  if (want_error) {
    if (ref) return "the bundle loaded; expected a compile error";
    std::string_view pointer;
    if (expect["pointer"].get_string().get(pointer) == simdjson::SUCCESS &&
        err.find(std::string(pointer)) == std::string::npos)
      return "the error does not name " + std::string(pointer) + ": " + err;
    return "";
  }
  if (!ref) return "the bundle did not load: " + err;
  element q;
  if (c["query"].get(q) != simdjson::SUCCESS) return "no query";
  Answer a;
  std::string why;
  if (!RunQuery(*ref, q, &a, &why)) return why;
  std::string got = std::string(a.allowed ? "allow" : "deny") + " " + a.reason + " " +
                    (a.rule.empty() ? "null" : a.rule);
  std::string_view rule = "null";
  if (expect["rule"].get_string().get(rule) != simdjson::SUCCESS) rule = "null";
  std::string want = Field(expect, "decision") + " " + Field(expect, "reason") + " " +
                     std::string(rule);
  return got == want ? "" : "got " + got + ", want " + want;
}

// The same case through the engine (rolegate::Compile and the Policy's
// query entry points): the cases are the spec's sentences, so the engine
// must answer them exactly as written too.
bool RunEngineQuery(const rolegate::Policy& p, element q, rolegate::Explanation* out, std::string* why) {
  RefQueryExtras x;
  if (!Extras(q, &x, why)) return false;
  rolegate_ref::EngineExtras ex(x);
  const rolegate::QueryExtras extras{ex.groups(), ex.context()};
  const std::string op = Field(q, "op");
  const std::string principal = Field(q, "principal"), action = Field(q, "action");
  const std::string resource = Field(q, "resource");
  if (op == "check") {
    rolegate::Query eq;
    eq.principal = principal;
    eq.action = action;
    eq.resource = resource;
    eq.groups = extras.groups;
    eq.context = extras.context;
    *out = p.Explain(eq);
    if (p.Check(eq) != out->decision) return *why = "Check and Explain disagree", false;
    return true;
  }
  if (op == "check_workload") {
    rolegate::WorkloadQuery wq;
    const std::string cloud = Field(q, "cloud"), project = Field(q, "project"), user = Field(q, "user");
    const std::string cc = Field(q, "compute_config_identity"), ng = Field(q, "node_group_identity");
    wq.cloud = cloud;
    wq.project = project;
    wq.user = user;
    wq.compute_config_identity = cc;
    wq.node_group_identity = ng;
    if (!rolegate::ParseWorkloadType(Field(q, "workload_type"), &wq.workload_type))
      return *why = "bad workload_type", false;
    *out = p.CheckWorkload(wq, action, resource, extras).check;
    return true;
  }
  if (op == "check_request") {
    rolegate::RequestScratch scratch;
    *out = p.CheckRequest(principal, Field(q, "method"), Field(q, "path"), &scratch, extras).check;
    return true;
  }
  *why = "unknown op " + op;
  return false;
}

std::string RunCaseOnEngine(const std::string& line) {
  simdjson::dom::parser parser;
  element c, bundle, expect;
  if (parser.parse(line).get(c) != simdjson::SUCCESS) return "the case line is not JSON";
  if (c["bundle"].get(bundle) != simdjson::SUCCESS || c["expect"].get(expect) != simdjson::SUCCESS)
    return "a case needs bundle and expect";
  std::vector<rolegate::Diagnostic> diags;
  auto policy = rolegate::Compile(simdjson::minify(bundle), rolegate::Limits{}, &diags);
  bool want_error = false;
  if (expect["error"].get_bool().get(want_error) != simdjson::SUCCESS) want_error = false;
  if (want_error) {
    if (policy.ok()) return "the bundle compiled; expected a compile error";
    std::string_view pointer;
    if (expect["pointer"].get_string().get(pointer) != simdjson::SUCCESS) return "";
    for (const auto& d : diags)
      if (d.severity == rolegate::Severity::kError && d.pointer.find(std::string(pointer)) == 0) return "";
    std::string all;
    for (const auto& d : diags) all += "\n    " + rolegate::FormatDiagnostic(d);
    return "no error at " + std::string(pointer) + ":" + all;
  }
  if (!policy.ok()) return "the bundle did not compile: " + std::string(policy.status().message());
  element q;
  if (c["query"].get(q) != simdjson::SUCCESS) return "no query";
  rolegate::Explanation a;
  std::string why;
  if (!RunEngineQuery(**policy, q, &a, &why)) return why;
  std::string got = std::string(a.decision.allowed ? "allow" : "deny") + " " +
                    std::string(rolegate::ReasonName(a.decision.reason)) + " " +
                    (a.rule.empty() ? "null" : std::string(a.rule));
  std::string_view rule = "null";
  if (expect["rule"].get_string().get(rule) != simdjson::SUCCESS) rule = "null";
  std::string want = Field(expect, "decision") + " " + Field(expect, "reason") + " " + std::string(rule);
  return got == want ? "" : "got " + got + ", want " + want;
}

void RunEveryCase(std::string (*run)(const std::string&), const char* who) {
  std::vector<std::filesystem::path> files = CaseFiles();
  ASSERT_FALSE(files.empty());
  size_t total = 0;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty()) continue;
      ++total;
      std::string problem = run(line);
      if (!problem.empty()) {
        simdjson::dom::parser p;
        std::string_view why = "";
        element c;
        if (p.parse(line).get(c) != simdjson::SUCCESS || c["why"].get_string().get(why)) why = "";
        ADD_FAILURE() << who << ": " << f.filename().string() << ":" << n << ": " << problem
                      << "\n  why: " << why;
      }
    }
  }
  std::printf("%s: %zu spec cases\n", who, total);
  EXPECT_GT(total, 100u);
}

TEST(SpecCases, ReferenceAnswersEveryCase) { RunEveryCase(RunCase, "reference"); }

TEST(SpecCases, EngineAnswersEveryCase) { RunEveryCase(RunCaseOnEngine, "engine"); }

}  // namespace

// The v2 generator (tests/support/random_bundle.h) draws bundles the
// reference accepts, and queries whose answers spread over the new reasons:
// a check that the option is usable before the engine takes part.
TEST(RandomV2, ReferenceLoadsEveryBundleAndAnswersVaried) {
  rolegate_ref::RandomBundleOptions v2;
  v2.v2 = true;
  std::map<std::string, int> reasons;
  int with_parents = 0, with_conditions = 0;
  for (uint64_t seed = 0; seed < 150; ++seed) {
    rolegate_ref::GeneratedBundle g = rolegate_ref::RandomBundle(seed, v2);
    std::string err;
    std::unique_ptr<Reference> ref = Reference::Load(g.json, &err, {});
    ASSERT_NE(ref, nullptr) << "seed " << seed << ": " << err << "\n" << g.json.substr(0, 4000);
    if (!ref->bundle().scope_parents.empty()) ++with_parents;
    if (g.json.find("\"condition\"") != std::string::npos) ++with_conditions;
    rolegate_ref::QueryGenerator qg(*ref, g.sample_targets, seed, v2);
    for (int k = 0; k < 150; ++k) {
      rolegate_ref::CheckQuery q = qg.NextCheck();
      ++reasons[ref->Check(q.principal, q.action, q.resource, q.extras).reason];
      rolegate_ref::RequestQuery r = qg.NextRequest();
      ++reasons["request:" + ref->CheckRequest(r.principal, r.method, r.target, r.extras).check.reason];
    }
  }
  for (const auto& [k, v] : reasons) std::printf("  %s=%d\n", k.c_str(), v);
  std::printf("  bundles with scope parents=%d, with conditions=%d\n", with_parents, with_conditions);
  EXPECT_GT(reasons["condition_not_met"], 100);
  EXPECT_GT(reasons["grant"], 100);
  EXPECT_GT(reasons["statement"], 50);
  EXPECT_GT(reasons["deny_assignment"], 50);
  EXPECT_GT(reasons["deny_statement"], 50);
  EXPECT_GT(reasons["invalid_input"], 10);
  EXPECT_GT(with_parents, 30);
  EXPECT_GT(with_conditions, 100);
}

// With the option off the generator draws exactly what it always has.
TEST(RandomV2, OffByDefault) {
  for (uint64_t seed = 0; seed < 20; ++seed)
    EXPECT_EQ(rolegate_ref::RandomBundle(seed).json,
              rolegate_ref::RandomBundle(seed, rolegate_ref::RandomBundleOptions{}).json);
}
