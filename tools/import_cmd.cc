// tools/import_cmd.cc — `rolegate import azure|aws`: read the native files,
// run the library importer (lib/import), write the bundle and the report.
#include "import_cmd.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "rolegate/import.h"
#include "rolegate/policy.h"

namespace rolegate::cli {
namespace {

constexpr char kImportHelp[] =
    "usage: rolegate import azure --roles FILE [options]   (rolegate import azure --help)\n"
    "       rolegate import aws --authorization-details FILE [options]   (rolegate import aws --help)\n"
    "\n"
    "Converts native policy data into a rolegate bundle, written on standard\n"
    "output; a report of everything not mapped 1:1 (each entry naming its input\n"
    "file and JSON pointer, counts first) goes to standard error or --report FILE.\n"
    "Exit 0 imported, 1 a bad input (one line naming the file and JSON pointer),\n"
    "2 a bad command line.\n"
    "\n"
    "azure inputs: --roles, --assignments, --deny-assignments, --management-groups,\n"
    "              --group-members, --operations\n"
    "aws inputs:   --authorization-details, --actions, --ignore-permission-boundaries\n";

constexpr char kAzureHelp[] =
    "usage: rolegate import azure --roles FILE [--assignments FILE] [--deny-assignments FILE]\n"
    "         [--management-groups FILE] [--group-members FILE] [--operations FILE] [--report FILE]\n"
    "\n"
    "Each input option may be given more than once (files read in order).\n"
    "  --roles FILE              role definitions: `az role definition list` output, or the\n"
    "                            REST list ({\"value\": [...]}, fields under \"properties\"). Required.\n"
    "  --assignments FILE        `az role assignment list` output (or the REST list)\n"
    "  --deny-assignments FILE   the REST list of deny assignments (GET .../denyAssignments)\n"
    "  --management-groups FILE  `az account management-group entities list` output: each\n"
    "                            management group's and subscription's parent becomes a scope parent\n"
    "  --group-members FILE      {\"GROUP_ID\": {\"value\": [{\"id\": ..., \"@odata.type\": ...}]}} as\n"
    "                            Microsoft Graph lists members, or {\"GROUP_ID\": [MEMBER_OR_ID, ...]}\n"
    "  --operations FILE         `az provider operation list` output: the action catalog\n"
    "                            (isDataAction gives each action's kind). Without it the catalog\n"
    "                            is the literal actions the roles name.\n"
    "  --report FILE             write the report there instead of standard error\n"
    "\n"
    "Role ids are the definition GUIDs, principals the Entra object ids (lower case).\n"
    "Conditions are kept; actions no provider lists are dropped and reported.\n";

constexpr char kAwsHelp[] =
    "usage: rolegate import aws --authorization-details FILE [--authorization-details FILE ...]\n"
    "         [--actions CSV] [--ignore-permission-boundaries] [--report FILE]\n"
    "\n"
    "  --authorization-details FILE   `aws iam get-account-authorization-details` output\n"
    "                                 (repeat for each page of a paginated call)\n"
    "  --actions CSV                  the action catalog (columns service_prefix and action)\n"
    "  --ignore-permission-boundaries import identities that have a permissions boundary\n"
    "                                 anyway (the boundary is not applied: over-allows; reported)\n"
    "  --report FILE                  write the report there instead of standard error\n";

int Usage(const std::string& why) {
  std::cerr << "rolegate import: " << why << "\nrun \"rolegate import --help\" for usage\n";
  return 2;
}

// One parsed command line: each option's values, in order.
struct Options {
  std::vector<std::pair<std::string, std::string>> values;  // (option, value)
  std::vector<std::string> flags;                           // options without a value
};

// Parses `--opt VALUE`, `--opt=VALUE` and the boolean `flags`; "" when fine,
// else why not.
std::string ParseOptions(const std::vector<std::string>& args, size_t from, const std::vector<std::string>& with_value,
                         const std::vector<std::string>& flags, Options* out) {
  for (size_t i = from; i < args.size(); ++i) {
    std::string a = args[i], value;
    const size_t eq = a.find('=');
    const bool inline_value = a.rfind("--", 0) == 0 && eq != std::string::npos;
    if (inline_value) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    if (std::find(flags.begin(), flags.end(), a) != flags.end() && !inline_value) {
      out->flags.push_back(a);
      continue;
    }
    if (std::find(with_value.begin(), with_value.end(), a) == with_value.end())
      return absl::StrCat("unknown option \"", args[i], "\"");
    if (!inline_value) {
      if (i + 1 == args.size()) return absl::StrCat(a, " needs a FILE");
      value = args[++i];
    }
    if (value.empty()) return absl::StrCat(a, " needs a FILE");
    out->values.emplace_back(a, value);
  }
  return "";
}

// The files named on the command line, read, each with its input kind.
struct Files {
  std::vector<std::string> kinds, names, texts;
};

// Reads every FILE given to an option of `kind_of` (option -> input kind);
// false after printing why one could not be read.
bool ReadAll(const Options& o, const std::vector<std::pair<std::string, std::string>>& kind_of, Files* f) {
  for (const auto& [opt, path] : o.values) {
    for (const auto& [option, kind] : kind_of) {
      if (option != opt) continue;
      std::string text;
      const absl::Status s = ReadBundleFile(path, uint64_t{1} << 30, &text);
      if (!s.ok()) {
        std::cerr << "rolegate import: " << s.message() << "\n";
        return false;
      }
      f->kinds.push_back(kind);
      f->names.push_back(path);
      f->texts.push_back(std::move(text));
    }
  }
  return true;
}

std::optional<std::string> Last(const Options& o, const std::string& opt) {
  std::optional<std::string> v;
  for (const auto& [name, value] : o.values)
    if (name == opt) v = value;
  return v;
}

// `s` with control characters written \\u00XX: an input's keys and values
// reach error messages verbatim, and a newline or escape sequence in one
// must not break "one line per error" or rewrite the user's terminal.
std::string Printable(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) {
      out.push_back(ch);
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", c);
    out += buf;
  }
  return out;
}

// Imports, then writes the bundle to stdout and the report where asked;
// the exit code.
int RunImport(const std::string& source, const Files& f, const Options& o) {
  std::vector<ImportInput> in;
  for (size_t i = 0; i < f.texts.size(); ++i) in.push_back(ImportInput{f.kinds[i], f.names[i], f.texts[i]});
  const absl::StatusOr<ImportOutput> r = ImportPolicy(source, in);
  if (!r.ok()) {
    std::cerr << "rolegate import: " << Printable(std::string(r.status().message())) << "\n";
    return 1;
  }
  std::cout.write(r->bundle_json.data(), static_cast<std::streamsize>(r->bundle_json.size()));
  std::cout.flush();
  if (std::optional<std::string> path = Last(o, "--report")) {
    std::ofstream out(*path, std::ios::binary | std::ios::trunc);
    out.write(r->report_json.data(), static_cast<std::streamsize>(r->report_json.size()));
    if (!out.flush()) {
      std::cerr << "rolegate import: cannot write the report to " << *path << "\n";
      return 1;
    }
  } else {
    std::cerr << r->report_json;
  }
  return std::cout ? 0 : 1;
}

int Azure(const std::vector<std::string>& args) {
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"--roles", "roles"},
      {"--assignments", "assignments"},
      {"--deny-assignments", "deny_assignments"},
      {"--management-groups", "management_groups"},
      {"--group-members", "group_members"},
      {"--operations", "operations"}};
  std::vector<std::string> options = {"--report"};
  for (const auto& [opt, kind] : kinds) options.push_back(opt);
  Options o;
  const std::string why = ParseOptions(args, 1, options, {}, &o);
  if (!why.empty()) return Usage("azure: " + why);
  if (!Last(o, "--roles")) return Usage("azure: --roles FILE is required");
  Files f;
  if (!ReadAll(o, kinds, &f)) return 1;
  return RunImport("azure", f, o);
}

int Aws(const std::vector<std::string>& args) {
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"--authorization-details", "authorization_details"}, {"--actions", "actions"}};
  Options o;
  const std::string why = ParseOptions(args, 1, {"--authorization-details", "--actions", "--report"},
                                       {"--ignore-permission-boundaries"}, &o);
  if (!why.empty()) return Usage("aws: " + why);
  if (!Last(o, "--authorization-details")) return Usage("aws: --authorization-details FILE is required");
  size_t csv = 0;
  for (const auto& [opt, value] : o.values) csv += opt == "--actions";
  if (csv > 1) return Usage("aws: --actions given twice");
  Files f;
  if (!ReadAll(o, kinds, &f)) return 1;
  if (!o.flags.empty()) {
    f.kinds.push_back("ignore_permission_boundaries");
    f.names.emplace_back();
    f.texts.emplace_back();
  }
  return RunImport("aws", f, o);
}

bool IsHelp(const std::string& a) { return a == "--help" || a == "-h"; }

}  // namespace

int ImportMain(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("import needs a source: azure or aws");
  const std::string& kind = args[0];
  if (IsHelp(kind)) {
    std::cout << kImportHelp;
    return 0;
  }
  const bool help = std::any_of(args.begin() + 1, args.end(), IsHelp);
  if (kind == "azure") {
    if (help) std::cout << kAzureHelp;
    return help ? 0 : Azure(args);
  }
  if (kind == "aws") {
    if (help) std::cout << kAwsHelp;
    return help ? 0 : Aws(args);
  }
  return Usage(absl::StrCat("unknown import source \"", kind, "\" (azure or aws)"));
}

}  // namespace rolegate::cli
