// tests/fuzz/import_azure.cc — `rolegate import azure` (lib/import/azure.h)
// on arbitrary bytes. The input is cut at each "\n---\n" into up to six
// files: role definitions, assignments, deny assignments, management
// groups, group members, operations (absent parts are absent inputs).
//
// What must hold:
//  - ImportAzure returns (no crash, no sanitizer report, no exception other
//    than allocation failure);
//  - an error names one of the input files: "FILE: POINTER: MESSAGE";
//  - an import writes a bundle that LoadBundle reads back with no error
//    (the writer emits only what the loader accepts), and importing the same
//    input again gives the same bytes (determinism);
//  - Compile on that bundle returns (it may reject it: a group cycle, an
//    assignment outside a role's assignable scopes, a condition that does
//    not parse are the compiler's to find).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "import/azure.h"
#include "import/report.h"
#include "model/loader.h"
#include "model/writer.h"

namespace {

using rolegate::internal::AzureImportInputs;

const char* const kNames[] = {"roles.json", "assignments.json", "denies.json",
                              "entities.json", "members.json", "ops.json"};

AzureImportInputs Split(std::string_view data) {
  AzureImportInputs in;
  std::vector<AzureImportInputs::File>* slots[] = {&in.role_definitions, &in.role_assignments,
                                                   &in.deny_assignments, &in.management_groups,
                                                   &in.group_members,    &in.operations};
  constexpr std::string_view kSep = "\n---\n";
  for (size_t i = 0; i < 6 && !data.empty(); ++i) {
    const size_t cut = data.find(kSep);
    const std::string_view part = data.substr(0, cut);
    slots[i]->emplace_back(kNames[i], std::string(part));
    data = cut == std::string_view::npos ? std::string_view() : data.substr(cut + kSep.size());
  }
  return in;
}

bool NamesAFile(const std::string& msg) {
  for (const char* n : kNames)
    if (msg.rfind(std::string(n) + ": ", 0) == 0) return true;
  return msg == "no role definitions file given";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const AzureImportInputs in = Split(std::string_view(reinterpret_cast<const char*>(data), size));
  rolegate::model::Bundle bundle;
  rolegate::internal::ImportReport report;
  const absl::Status s = rolegate::internal::ImportAzure(in, &bundle, &report);
  if (!s.ok()) {
    if (!NamesAFile(std::string(s.message()))) rolegate_fuzz::Die("error names no input file: " + std::string(s.message()));
    return 0;
  }
  const std::string json = rolegate::internal::WriteBundleJson(bundle);
  (void)rolegate::internal::WriteImportReportJson(report);
  rolegate::model::Bundle back;
  rolegate::internal::DiagSink sink;
  if (!rolegate::internal::LoadBundle(json, rolegate::Limits{}, &back, &sink) || sink.has_errors()) {
    std::string first;
    for (const auto& d : sink.Finish(json)) first += rolegate::FormatDiagnostic(d) + "; ";
    rolegate_fuzz::Die("imported bundle does not load: " + first.substr(0, 500));
  }
  rolegate::model::Bundle again;
  rolegate::internal::ImportReport report2;
  if (!rolegate::internal::ImportAzure(in, &again, &report2).ok() ||
      rolegate::internal::WriteBundleJson(again) != json)
    rolegate_fuzz::Die("import is not deterministic");
  std::vector<rolegate::Diagnostic> diags;
  (void)rolegate::Compile(json, rolegate::Limits{}, &diags);
  return 0;
}
