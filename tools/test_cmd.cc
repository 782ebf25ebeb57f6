// tools/test_cmd.cc — `rolegate test FILE...`: a policy author's unit tests
// (the file format is in docs/review.md). Each test is one `rolegate check`
// query line and the answer it must get; the query goes through the same
// parser and answer code as `rolegate check`, so a test means exactly what
// that line would.
#include <algorithm>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query_line.h"
#include "review_main.h"
#include "rolegate/policy.h"
#include "rolegate/review.h"
#include "simdjson.h"

namespace rolegate::cli {
namespace {

namespace dom = simdjson::dom;

constexpr char kTestHelp[] =
    "usage: rolegate test [--coverage] FILE...\n"
    "\n"
    "Runs a policy's unit tests. Each FILE is JSON (see docs/review.md):\n"
    "  {\"bundle\": \"PATH (relative to FILE)\",\n"
    "   \"tests\": [{\"name\": N, \"query\": {a `rolegate check` query line},\n"
    "              \"expect\": {\"decision\": \"allow\"|\"deny\", \"reason\": R, \"rule\": ID|null}}]}\n"
    "(\"reason\" and \"rule\" optional). Prints each failure with the actual answer,\n"
    "then \"N passed, M failed\". --coverage also lists the assignments, deny\n"
    "assignments and statements that decided no test query.\n"
    "Exit 0 when every test passed, 1 otherwise (or on a bad file or bundle).\n";

struct TestCase {
  std::string name, query, decision;
  std::optional<std::string> reason;
  bool has_rule = false;
  std::string rule;  // "" = null
};

struct TestFile {
  std::string bundle;
  std::vector<TestCase> tests;
};

// Fails on a key outside `allowed` or given twice (a typo or a repeated
// key must not silently drop an expectation: simdjson's lookups would read
// only the first of two).
std::string CheckKeys(dom::object o, std::initializer_list<std::string_view> allowed, const std::string& where) {
  std::vector<std::string_view> seen;
  for (auto [key, value] : o) {
    bool ok = false;
    for (std::string_view a : allowed) ok |= a == key;
    if (!ok) return absl::StrCat(where, ": unknown key \"", std::string(key), "\"");
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      return absl::StrCat(where, ": duplicate key \"", std::string(key), "\"");
    seen.push_back(key);
  }
  return "";
}

std::string ParseExpect(dom::object e, const std::string& where, TestCase* t) {
  if (std::string why = CheckKeys(e, {"decision", "reason", "rule"}, where); !why.empty()) return why;
  std::string_view s;
  if (e["decision"].get_string().get(s) || (s != "allow" && s != "deny"))
    return absl::StrCat(where, ": \"decision\" must be \"allow\" or \"deny\"");
  t->decision = std::string(s);
  dom::element v;
  if (!e["reason"].get(v)) {
    if (v.get_string().get(s)) return absl::StrCat(where, ": \"reason\" must be a string");
    t->reason = std::string(s);
  }
  if (!e["rule"].get(v)) {
    t->has_rule = true;
    if (!v.is_null()) {
      if (v.get_string().get(s)) return absl::StrCat(where, ": \"rule\" must be a string or null");
      t->rule = std::string(s);
    }
  }
  return "";
}

std::string ParseTestFile(const std::string& text, TestFile* out) {
  dom::parser parser;
  dom::element doc;
  if (parser.parse(text).get(doc)) return "not valid JSON";
  dom::object top;
  if (doc.get_object().get(top)) return "a test file must be a JSON object";
  if (std::string why = CheckKeys(top, {"bundle", "tests"}, "(file)"); !why.empty()) return why;
  std::string_view s;
  if (top["bundle"].get_string().get(s) || s.empty()) return "\"bundle\" must be a non-empty string";
  out->bundle = std::string(s);
  dom::array tests;
  if (top["tests"].get_array().get(tests)) return "\"tests\" must be an array";
  size_t i = 0;
  for (dom::element te : tests) {
    const std::string where = absl::StrCat("/tests/", i++);
    dom::object o;
    if (te.get_object().get(o)) return absl::StrCat(where, ": a test must be an object");
    if (std::string why = CheckKeys(o, {"name", "query", "expect"}, where); !why.empty()) return why;
    TestCase t;
    if (o["name"].get_string().get(s)) return absl::StrCat(where, ": \"name\" must be a string");
    t.name = std::string(s);
    dom::object q, e;
    if (o["query"].get_object().get(q)) return absl::StrCat(where, ": \"query\" must be an object");
    t.query = simdjson::minify(q);
    if (o["expect"].get_object().get(e)) return absl::StrCat(where, ": \"expect\" must be an object");
    if (std::string why = ParseExpect(e, where + "/expect", &t); !why.empty()) return why;
    out->tests.push_back(std::move(t));
  }
  return "";
}

std::string Resolve(const std::string& file, const std::string& rel) {
  if (!rel.empty() && rel[0] == '/') return rel;
  const size_t k = file.rfind('/');
  return k == std::string::npos ? rel : file.substr(0, k + 1) + rel;
}

// The answer's decision, reason and rule, or why it has none.
struct Got {
  std::string decision, reason, rule;
};
std::string ReadAnswer(const std::string& answer, Got* g) {
  dom::parser parser;
  dom::object o;
  if (parser.parse(answer).get_object().get(o)) return "unreadable answer";
  std::string_view s;
  if (o["decision"].get_string().get(s)) return "the query has no decision (use a check, check_workload or check_request query)";
  g->decision = std::string(s);
  if (!o["reason"].get_string().get(s)) g->reason = std::string(s);
  if (!o["rule"].get_string().get(s)) g->rule = std::string(s);
  return "";
}

// "assignment", "deny_assignment" or "statement": the kind of rule that decided.
std::string RuleKindOf(const std::string& reason) {
  if (reason == "grant") return "assignment";
  if (reason == "deny_assignment") return "deny_assignment";
  return "statement";
}

struct Tally {
  size_t passed = 0, failed = 0;
};

void Coverage(const std::string& file, const Policy& policy, const std::set<std::string>& decided) {
  const RuleIds ids = ListRules(policy);
  std::vector<std::string> missed;
  auto scan = [&](const std::vector<std::string_view>& list, const char* kind) {
    for (std::string_view id : list)
      if (!decided.count(absl::StrCat(kind, "\t", std::string(id))))
        missed.push_back(absl::StrCat(kind, " ", std::string(id)));
  };
  scan(ids.assignments, "assignment");
  scan(ids.deny_assignments, "deny_assignment");
  scan(ids.statements, "statement");
  const size_t total = ids.assignments.size() + ids.deny_assignments.size() + ids.statements.size();
  std::cout << "coverage: " << file << ": " << (total - missed.size()) << " of " << total
            << " rules decided some test\n";
  for (const std::string& m : missed) std::cout << "  not exercised: " << m << "\n";
}

// Runs one file; false when the file or its bundle could not be used.
bool RunFile(const std::string& file, bool coverage, Tally* tally) {
  std::string text, bundle;
  TestFile tf;
  if (absl::Status st = ReadBundleFile(file, Limits{}.max_bundle_bytes, &text); !st.ok()) {
    std::cerr << "rolegate test: " << st.message() << "\n";
    return false;
  }
  if (std::string why = ParseTestFile(text, &tf); !why.empty()) {
    std::cerr << "rolegate test: " << file << ": " << why << "\n";
    return false;
  }
  const std::string bpath = Resolve(file, tf.bundle);
  if (absl::Status st = ReadBundleFile(bpath, Limits{}.max_bundle_bytes, &bundle); !st.ok()) {
    std::cerr << "rolegate test: " << file << ": " << st.message() << "\n";
    return false;
  }
  std::vector<Diagnostic> diags;
  auto policy = Compile(bundle, Limits{}, &diags);
  if (!policy.ok()) {
    for (const Diagnostic& d : diags)
      if (d.severity == Severity::kError) std::cerr << bpath << ":" << FormatDiagnostic(d) << "\n";
    return false;
  }
  RequestScratch scratch;
  std::set<std::string> decided;  // "kind\tid"
  for (const TestCase& t : tf.tests) {
    Query q;
    std::string why = ParseQueryLine(t.query, &q), answer;
    Got g;
    if (why.empty()) {
      answer = Answer(**policy, q, &scratch);
      why = ReadAnswer(answer, &g);
    }
    if (why.empty() && !g.rule.empty()) decided.insert(absl::StrCat(RuleKindOf(g.reason), "\t", g.rule));
    const bool pass = why.empty() && g.decision == t.decision && (!t.reason || *t.reason == g.reason) &&
                      (!t.has_rule || t.rule == g.rule);
    if (pass) {
      tally->passed++;
      continue;
    }
    tally->failed++;
    std::cout << "FAIL " << file << ": " << t.name << "\n  query:  " << t.query << "\n  expect: decision "
              << t.decision << (t.reason ? ", reason " + *t.reason : "")
              << (t.has_rule ? ", rule " + (t.rule.empty() ? std::string("null") : t.rule) : "") << "\n  got:    "
              << (why.empty() ? answer : "error: " + why) << "\n";
  }
  if (coverage) Coverage(file, **policy, decided);
  return true;
}

}  // namespace

int TestMain(const std::vector<std::string>& args) {
  bool coverage = false;
  std::vector<std::string> files;
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << kTestHelp;
      return 0;
    }
    if (a == "--coverage") coverage = true;
    else if (a.size() > 1 && a[0] == '-') {
      std::cerr << "rolegate: test: unknown option \"" << a << "\"\nrun \"rolegate --help\" for usage\n";
      return 2;
    } else files.push_back(a);
  }
  if (files.empty()) {
    std::cerr << "rolegate: test needs at least one FILE\nrun \"rolegate --help\" for usage\n";
    return 2;
  }
  Tally tally;
  bool files_ok = true;
  for (const std::string& f : files) files_ok &= RunFile(f, coverage, &tally);
  std::cout << tally.passed << " passed, " << tally.failed << " failed\n";
  return files_ok && tally.failed == 0 ? 0 : 1;
}

}  // namespace rolegate::cli
