// tools/rolegate_main.cc — the `rolegate` command-line program (SPEC §7).
//
//   rolegate validate [--strict] BUNDLE   exit 0 + one summary line, or exit 1 +
//                                         one line per error on stderr
//   rolegate check [--bundle BUNDLE]      JSON Lines queries on stdin, one JSON
//                                         answer per line on stdout, in order
//   rolegate example | --help | --version
//
// Exit codes: 0 success, 1 a bad bundle (or a failed read or write), 2 a
// command line this program does not understand.
//
// Diagnostics are printed in the one format the CLI, Python and Go share:
//
//   FILE:LINE:COL: POINTER: MESSAGE            an error, file and position known
//   FILE:LINE:COL: warning: POINTER: MESSAGE   a warning
//   FILE: POINTER: MESSAGE                     no position known
//
// FILE is left out (with its colon) when there is no file; POINTER "(bundle)"
// is the whole document; control characters are written \u00XX. Diagnostics are sorted by (line, column); those
// without a position come last, each group in the order the compiler found it.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "import_cmd.h"
#include "query_line.h"
#include "rolegate/policy.h"

namespace {

// The library's version. The C ABI reports it as rolegate_version_string();
// this program includes only the C++ headers, so it is repeated here and
// cli_test checks that `rolegate --version` agrees with the library.
constexpr char kVersion[] = "0.1.0";

constexpr char kUsage[] =
    "usage:\n"
    "  rolegate validate [--strict] BUNDLE   compile BUNDLE; print a summary, its warnings and errors\n"
    "  rolegate check [--bundle BUNDLE]      answer JSON Lines queries from standard input\n"
    "  rolegate example                      print the built-in example bundle\n"
    "  rolegate import azure|aws ...         convert native Azure / AWS policy data into a bundle\n"
    "  rolegate --version                    print the version\n"
    "  rolegate COMMAND --help               help on one command\n";

constexpr char kValidateHelp[] =
    "usage: rolegate validate [--strict] BUNDLE\n"
    "\n"
    "Compiles the bundle file BUNDLE (JSON; see docs/bundle.md).\n"
    "  good bundle: exit 0, one summary line on standard output, each warning\n"
    "               on standard error\n"
    "  bad bundle:  exit 1, one line per error on standard error\n"
    "  --strict     warnings fail too: each is printed and the exit code is 1\n"
    "\n"
    "Each diagnostic is one line, sorted by position (those without one last):\n"
    "  BUNDLE:LINE:COL: JSON_POINTER: MESSAGE\n"
    "  BUNDLE:LINE:COL: warning: JSON_POINTER: MESSAGE\n";

constexpr char kCheckHelp[] =
    "usage: rolegate check [--bundle BUNDLE]   (also --bundle=BUNDLE)\n"
    "\n"
    "Reads one JSON query per line on standard input and writes one JSON answer\n"
    "per line on standard output, in order. Without --bundle it answers from the\n"
    "built-in example bundle (`rolegate example` prints it) and says so on\n"
    "standard error. A bundle that does not compile: its errors on standard\n"
    "error, no answers, exit 1. A line that is not a valid query is answered\n"
    "{\"error\":\"...\"} and the run goes on.\n"
    "\n";

// Every op of ParseQueryLine, one example each; both `rolegate --help` and
// `rolegate check --help` print it. Each example runs against the built-in
// example bundle (cli_test feeds them to `rolegate check`).
constexpr char kQueriesHelp[] =
    "Queries, one example each:\n"
    "  check: may PRINCIPAL do ACTION on RESOURCE?\n"
    "    {\"op\":\"check\",\"principal\":\"user:alice\",\"action\":\"Anyscale.Platform/clouds/read\","
    "\"resource\":\"/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1\"}\n"
    "    -> {\"decision\":\"allow\"|\"deny\",\"reason\":REASON,\"rule\":ID|null}\n"
    "  resolve: the cloud identity a workload runs as (workload_type job, service\n"
    "  or workspace; compute_config_identity and node_group_identity optional)\n"
    "    {\"op\":\"resolve\",\"cloud\":\"c1\",\"workload_type\":\"job\",\"project\":\"prod\","
    "\"user\":\"user:alice\"}\n"
    "    -> {\"identity\":I|null,\"source\":S|null,\"error\":E|null}\n"
    "  check_workload: resolve, then check that identity\n"
    "    {\"op\":\"check_workload\",\"cloud\":\"c1\",\"workload_type\":\"job\",\"project\":\"prod\","
    "\"user\":\"user:alice\",\"action\":\"secretsmanager:GetSecretValue\","
    "\"resource\":\"arn:aws:secretsmanager:us-west-2:123456789012:secret:gh-token\"}\n"
    "    -> the check answer plus \"identity\" and \"source\"\n"
    "  check_request: may PRINCIPAL make this HTTP request through the gateway?\n"
    "    {\"op\":\"check_request\",\"principal\":\"user:alice\",\"method\":\"GET\","
    "\"path\":\"/api/clouds/c1/projects/prod/jobs\"}\n"
    "    -> the check answer plus \"route\", \"action\", \"resource\"\n"
    "\n"
    "Reasons: grant, statement, deny_assignment, deny_statement, no_grant,\n"
    "not_effective_at_scope, condition_not_met, unknown_action, invalid_input,\n"
    "no_route, bad_path, unknown_cloud, no_identity.\n";

constexpr char kExampleHelp[] =
    "usage: rolegate example\n"
    "\n"
    "Prints the built-in example bundle, the one `rolegate check` uses without --bundle.\n";

// A command line this program does not understand: say why on stderr, exit 2.
int UsageError(const std::string& why) {
  std::cerr << "rolegate: " << why << "\nrun \"rolegate --help\" for usage\n";
  return 2;
}

bool IsHelp(const std::string& a) { return a == "--help" || a == "-h"; }

// The library's bounded reader (regular files only, at most the bundle
// limit); a directory gets its own word since users hit it most.
bool ReadFile(const std::string& path, std::string* out) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::cerr << "rolegate: cannot read " << path << ": it is a directory\n";
    return false;
  }
  const absl::Status status = rolegate::ReadBundleFile(path, rolegate::Limits{}.max_bundle_bytes, out);
  if (!status.ok()) std::cerr << "rolegate: " << status.message() << "\n";
  return status.ok();
}

// Appends s with each control character (U+0000-U+001F, U+007F-U+009F)
// written as \u00XX: a bundle's keys reach pointers and messages verbatim,
// and a newline in one would break "one line per error" (an escape sequence
// could rewrite the user's terminal). Python and Go escape the same way.
void AppendPrintable(std::string* out, std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned c = static_cast<unsigned char>(s[i]);
    if (c == 0xC2 && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0x80) {
      c = static_cast<unsigned char>(s[++i]);  // U+0080-U+009F, two bytes in UTF-8
    } else if (c >= 0x20 && c != 0x7F) {
      out->push_back(s[i]);
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", c);
    out->append(buf);
  }
}

// One diagnostic in the shared format (see the top of this file).
std::string FormatDiag(const rolegate::Diagnostic& d, std::string_view file) {
  std::string out;
  if (!file.empty()) {
    AppendPrintable(&out, file);
    out += ':';
  }
  if (d.line != 0) absl::StrAppend(&out, d.line, ":", d.column, ":");
  if (!out.empty()) out += ' ';
  if (d.severity == rolegate::Severity::kWarning) out += "warning: ";
  AppendPrintable(&out, d.pointer.empty() ? std::string_view("(bundle)") : std::string_view(d.pointer));
  out += ": ";
  AppendPrintable(&out, d.message);
  return out;
}

// Position order, position-less last; stable so equal positions keep the
// compiler's order.
void SortByPosition(std::vector<rolegate::Diagnostic>* diags) {
  std::stable_sort(diags->begin(), diags->end(), [](const auto& a, const auto& b) {
    auto key = [](const rolegate::Diagnostic& d) {
      return std::pair<uint64_t, uint32_t>(d.line == 0 ? UINT64_MAX : d.line, d.column);
    };
    return key(a) < key(b);
  });
}

struct Compiled {
  std::unique_ptr<rolegate::Policy> policy;     // null: the bundle was rejected
  std::vector<rolegate::Diagnostic> diagnostics;  // sorted by position
};

Compiled CompileBundle(std::string_view text) {
  Compiled c;
  auto policy = rolegate::Compile(text, rolegate::Limits{}, &c.diagnostics);
  if (policy.ok()) c.policy = std::move(*policy);
  SortByPosition(&c.diagnostics);
  return c;
}

// Prints the diagnostics of `severity` (or every one when `severity` is
// empty) on stderr; returns how many it printed.
size_t Report(const Compiled& c, std::string_view file, std::optional<rolegate::Severity> severity) {
  size_t n = 0;
  for (const auto& d : c.diagnostics) {
    if (severity && d.severity != *severity) continue;
    std::cerr << FormatDiag(d, file) << "\n";
    ++n;
  }
  return n;
}

int Validate(const std::string& path, bool strict) {
  std::string text;
  if (!ReadFile(path, &text)) return 1;
  Compiled c = CompileBundle(text);
  if (!c.policy) {
    // SPEC §7: one line per error. Warnings are errors only under --strict.
    Report(c, path, strict ? std::nullopt : std::optional(rolegate::Severity::kError));
    return 1;
  }
  // Under --strict the warning lines are the error lines: nothing else is
  // printed, so a bad bundle still gets exactly one line per error.
  const size_t warnings = Report(c, path, rolegate::Severity::kWarning);
  if (strict && warnings > 0) return 1;
  auto s = c.policy->GetStats();
  std::cout << "ok: " << path << ": " << s.actions << " actions, " << s.roles << " roles, " << s.principals
            << " principals, " << s.groups << " groups, " << s.assignments << " assignments, "
            << s.deny_assignments << " deny assignments, " << s.statements << " statements, " << s.clouds
            << " clouds, " << s.mapping_rules << " mapping rules, " << s.routes << " routes, " << warnings
            << " warnings\n";
  return 0;
}

// Answers every stdin line; `bundle_path` null means the built-in bundle.
int Check(const std::string* bundle_path) {
  std::string text;
  if (bundle_path) {
    if (!ReadFile(*bundle_path, &text)) return 1;
  } else {
    // Said on stderr so a user who forgot --bundle is not misled by answers
    // from a bundle they never wrote; stdout stays answers only.
    std::cerr << "rolegate check: no --bundle given; using the built-in example bundle "
                 "(`rolegate example` prints it)\n";
    text = std::string(rolegate::ExampleBundle());
  }
  Compiled c = CompileBundle(text);
  if (!c.policy) {
    Report(c, bundle_path ? *bundle_path : "(built-in)", rolegate::Severity::kError);
    return 1;
  }
  const bool interactive = isatty(STDIN_FILENO);
  std::ios::sync_with_stdio(false);
  rolegate::RequestScratch scratch;
  std::string line, out;
  while (std::getline(std::cin, line)) {
    rolegate::cli::Query q;
    std::string why = rolegate::cli::ParseQueryLine(line, &q);
    out = why.empty() ? rolegate::cli::Answer(*c.policy, q, &scratch) : rolegate::cli::ErrorLine(why);
    out.push_back('\n');
    std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
    if (interactive) std::cout.flush();
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

int ValidateMain(const std::vector<std::string>& args) {
  bool strict = false;
  const std::string* path = nullptr;
  for (const std::string& a : args) {
    if (IsHelp(a)) {
      std::cout << kValidateHelp;
      return 0;
    }
    if (a == "--strict") {
      strict = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return UsageError(absl::StrCat("validate: unknown option \"", a, "\""));
    } else if (path) {
      return UsageError("validate takes one BUNDLE");
    } else {
      path = &a;
    }
  }
  if (!path) return UsageError("validate needs a BUNDLE file");
  return Validate(*path, strict);
}

int CheckMain(const std::vector<std::string>& args) {
  std::optional<std::string> bundle;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (IsHelp(a)) {
      std::cout << kCheckHelp << kQueriesHelp;
      return 0;
    }
    std::optional<std::string> value;
    if (a == "--bundle") {
      if (i + 1 == args.size()) return UsageError("check: --bundle needs a BUNDLE file");
      value = args[++i];
    } else if (a.rfind("--bundle=", 0) == 0) {
      value = a.substr(9);
    } else if (a.size() > 1 && a[0] == '-') {
      return UsageError(absl::StrCat("check: unknown option \"", a, "\""));
    } else {
      return UsageError(absl::StrCat("check: unexpected argument \"", a, "\" (queries come on standard input)"));
    }
    if (value->empty()) return UsageError("check: --bundle needs a BUNDLE file");
    if (bundle) return UsageError("check: --bundle given twice");
    bundle = std::move(value);
  }
  return Check(bundle ? &*bundle : nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string cmd = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (IsHelp(cmd) || cmd == "help") {
    std::cout << kUsage << "\n" << kQueriesHelp;
    return 0;
  }
  if (cmd == "--version") {
    std::cout << "rolegate " << kVersion << "\n";
    return 0;
  }
  if (cmd == "validate") return ValidateMain(rest);
  if (cmd == "check") return CheckMain(rest);
  if (cmd == "import") return rolegate::cli::ImportMain(rest);
  if (cmd == "example") {
    if (!rest.empty() && IsHelp(rest[0])) {
      std::cout << kExampleHelp;
      return 0;
    }
    if (!rest.empty()) return UsageError("example takes no arguments");
    std::cout << rolegate::ExampleBundle();
    return 0;
  }
  if (cmd.size() > 1 && cmd[0] == '-') return UsageError(absl::StrCat("unknown option \"", cmd, "\""));
  return UsageError(absl::StrCat("unknown command \"", cmd, "\""));
}
