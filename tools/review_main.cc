// tools/review_main.cc — `rolegate diff` (see review_main.h and docs/review.md);
// `rolegate test` is in test_cmd.cc.
#include "review_main.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query_line.h"
#include "rolegate/policy.h"
#include "rolegate/review.h"
#include "simdjson.h"

namespace rolegate::cli {
namespace {

constexpr char kDiffHelp[] =
    "usage: rolegate diff [--principal P] [--scope S] [--max-rows N] OLD NEW\n"
    "\n"
    "Compares the decisions of two bundles (SPEC §14), with an empty context and\n"
    "no asserted groups. Writes JSON Lines on standard output:\n"
    "  {\"principal\":P,\"scope\":S,\"below\":false|true,\"gained\":[...],\"lost\":[...]}\n"
    "    one per principal and resource class whose decisions differ: a scope\n"
    "    either bundle names, exactly, or (\"below\": true) its unnamed descendants;\n"
    "  {\"statement\"|\"assignment\"|\"deny_assignment\":ID,\"change\":\"added\"|\"removed\"|\"changed\",\n"
    "   \"principals\":[...]}\n"
    "    one per statement, and per assignment or deny assignment with a\n"
    "    condition, that changed (their decisions depend on resources and\n"
    "    contexts the rows cannot enumerate);\n"
    "  {\"summary\":{...}} last.\n"
    "  --principal P   only rows and rule lines of principal P\n"
    "  --scope S       only rows at S or below it\n"
    "  --max-rows N    at most N rows (the summary says \"truncated\")\n"
    "Exit 0 nothing differs, 3 a row or rule line was written, 1 a bad bundle.\n";

int Usage(const std::string& why) {
  std::cerr << "rolegate: " << why << "\nrun \"rolegate --help\" for usage\n";
  return 2;
}

bool ReadText(const std::string& path, std::string* out) {
  const absl::Status st = ReadBundleFile(path, Limits{}.max_bundle_bytes, out);
  if (!st.ok()) std::cerr << "rolegate: " << st.message() << "\n";
  return st.ok();
}

void PrintDiags(const std::string& file, const std::vector<Diagnostic>& diags) {
  for (const Diagnostic& d : diags)
    if (d.severity == Severity::kError) std::cerr << file << ":" << FormatDiagnostic(d) << "\n";
}

std::string StringArray(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, v[i]);
  }
  return out + "]";
}

void PrintDiff(const DiffResult& r) {
  std::string out;
  for (const DiffRow& row : r.rows) {
    out = "{\"principal\":";
    AppendJsonString(&out, row.principal);
    out += ",\"scope\":";
    AppendJsonString(&out, row.scope);
    absl::StrAppend(&out, ",\"below\":", row.below ? "true" : "false", ",\"gained\":", StringArray(row.gained),
                    ",\"lost\":", StringArray(row.lost), "}\n");
    std::cout << out;
  }
  for (const RuleChange& c : r.rules) {
    out = absl::StrCat("{\"", c.kind, "\":");
    AppendJsonString(&out, c.id);
    absl::StrAppend(&out, ",\"change\":\"", c.change, "\",\"principals\":", StringArray(c.principals), "}\n");
    std::cout << out;
  }
  const DiffSummary& s = r.summary;
  out = absl::StrCat("{\"summary\":{\"rows\":", s.rows, ",\"rules\":", s.rule_changes, ",\"gained\":", s.gained,
                     ",\"lost\":", s.lost, ",\"principals\":", s.principals, ",\"classes\":", s.classes,
                     ",\"actions\":", s.actions, ",\"decisions\":", s.decisions,
                     ",\"truncated\":", s.truncated ? "true" : "false", ",\"below_segment\":");
  AppendJsonString(&out, s.below_segment);
  out += "}}\n";
  std::cout << out;
}

}  // namespace

int DiffMain(const std::vector<std::string>& args) {
  DiffOptions opt;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kDiffHelp;
      return 0;
    }
    if (a == "--principal" || a == "--scope" || a == "--max-rows") {
      if (i + 1 == args.size() || args[i + 1].empty()) return Usage(absl::StrCat("diff: ", a, " needs a value"));
      const std::string& v = args[++i];
      if (a == "--principal") opt.principal = v;
      if (a == "--scope") opt.scope = v;
      if (a == "--max-rows") {
        char* end = nullptr;
        opt.max_rows = std::strtoull(v.c_str(), &end, 10);
        if (*end || opt.max_rows == 0) return Usage("diff: --max-rows needs a positive number");
      }
    } else if (a.size() > 1 && a[0] == '-') {
      return Usage(absl::StrCat("diff: unknown option \"", a, "\""));
    } else {
      files.push_back(a);
    }
  }
  if (files.size() != 2) return Usage("diff needs two bundle files, OLD and NEW");
  std::string old_text, new_text;
  if (!ReadText(files[0], &old_text) || !ReadText(files[1], &new_text)) return 1;
  std::vector<Diagnostic> od, nd;
  absl::StatusOr<DiffResult> r = Diff(old_text, new_text, opt, &od, &nd);
  if (!r.ok()) {
    PrintDiags(files[0], od);
    PrintDiags(files[1], nd);
    std::cerr << "rolegate diff: " << r.status().message() << "\n";
    return 1;
  }
  std::ios::sync_with_stdio(false);
  PrintDiff(*r);
  std::cout.flush();
  if (!std::cout) return 1;
  return r->rows.empty() && r->rules.empty() ? 0 : 3;
}

}  // namespace rolegate::cli
