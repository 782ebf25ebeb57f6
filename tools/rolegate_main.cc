// tools/rolegate_main.cc — the `rolegate` command-line program (SPEC §7).
//
//   rolegate validate BUNDLE          exit 0 + one summary line, or exit 1 +
//                                     one line per error on stderr
//   rolegate check [--bundle BUNDLE]  JSON Lines queries on stdin, one JSON
//                                     answer per line on stdout, in order
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query_line.h"
#include "rolegate/policy.h"

namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  rolegate validate BUNDLE\n"
    "  rolegate check [--bundle BUNDLE]   (JSON Lines queries on stdin; built-in example bundle by default)\n"
    "  rolegate example                   (print the built-in example bundle)\n";

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "rolegate: cannot open " << path << ": " << std::strerror(errno) << "\n";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = std::move(ss).str();
  return true;
}

// Compiles, printing every error on stderr (one per line) on failure.
std::unique_ptr<rolegate::Policy> CompileOrReport(std::string_view text, size_t* warnings) {
  std::vector<rolegate::Diagnostic> diags;
  auto policy = rolegate::Compile(text, rolegate::Limits{}, &diags);
  *warnings = 0;
  for (const auto& d : diags) *warnings += d.severity == rolegate::Severity::kWarning;
  if (policy.ok()) return std::move(*policy);
  for (const auto& d : diags)
    if (d.severity == rolegate::Severity::kError) std::cerr << rolegate::FormatDiagnostic(d) << "\n";
  return nullptr;
}

int Validate(const std::string& path) {
  std::string text;
  if (!ReadFile(path, &text)) return 1;
  size_t warnings = 0;
  auto policy = CompileOrReport(text, &warnings);
  if (!policy) return 1;
  auto s = policy->GetStats();
  std::cout << "ok: " << path << ": " << s.actions << " actions, " << s.roles << " roles, " << s.principals
            << " principals, " << s.groups << " groups, " << s.assignments << " assignments, "
            << s.deny_assignments << " deny assignments, " << s.statements << " statements, " << s.clouds
            << " clouds, " << s.mapping_rules << " mapping rules, " << s.routes << " routes, " << warnings
            << " warnings\n";
  return 0;
}

int Check(const std::string* bundle_path) {
  std::string text;
  if (bundle_path) {
    if (!ReadFile(*bundle_path, &text)) return 1;
  } else {
    text = std::string(rolegate::ExampleBundle());
  }
  size_t warnings = 0;
  auto policy = CompileOrReport(text, &warnings);
  if (!policy) return 1;
  const bool interactive = isatty(STDIN_FILENO);
  std::ios::sync_with_stdio(false);
  rolegate::RequestScratch scratch;
  std::string line, out;
  while (std::getline(std::cin, line)) {
    rolegate::cli::Query q;
    std::string why = rolegate::cli::ParseQueryLine(line, &q);
    out = why.empty() ? rolegate::cli::Answer(*policy, q, &scratch) : rolegate::cli::ErrorLine(why);
    out.push_back('\n');
    std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
    if (interactive) std::cout.flush();
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "validate") return Validate(args[1]);
  if (!args.empty() && args[0] == "check") {
    if (args.size() == 1) return Check(nullptr);
    if (args.size() == 3 && args[1] == "--bundle") return Check(&args[2]);
  }
  if (args.size() == 1 && args[0] == "example") {
    std::cout << rolegate::ExampleBundle();
    return 0;
  }
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}
