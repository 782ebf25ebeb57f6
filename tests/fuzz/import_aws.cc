// tests/fuzz/import_aws.cc — `rolegate import aws` (lib/import/aws.h) on
// arbitrary bytes. The first byte's low bit is ignore_permission_boundaries;
// the rest is cut at each "\n---\n" into up to three files: two pages of
// authorization details and the actions CSV (absent parts are absent inputs).
//
// What must hold:
//  - ImportAws returns (no crash, no sanitizer report, no exception other
//    than allocation failure);
//  - an error names one of the input files ("FILE: POINTER: MESSAGE",
//    "FILE:LINE:COL: ..." for malformed JSON, "FILE:LINE: ..." for the CSV);
//  - an import writes a bundle that LoadBundle reads back with no error, and
//    importing the same input again gives the same bytes (determinism);
//  - Compile on that bundle returns (it may reject it: an unknown condition
//    operator or a wrong value type are the compiler's to find).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "import/aws.h"
#include "import/report.h"
#include "model/loader.h"
#include "model/writer.h"

namespace {

using rolegate::internal::AwsImportInputs;

const char* const kNames[] = {"page1.json", "page2.json", "actions.csv"};

AwsImportInputs Split(std::string_view data) {
  AwsImportInputs in;
  if (data.empty()) return in;
  in.ignore_permission_boundaries = (data[0] & 1) != 0;
  data.remove_prefix(1);
  constexpr std::string_view kSep = "\n---\n";
  for (size_t i = 0; i < 3 && !data.empty(); ++i) {
    const size_t cut = data.find(kSep);
    std::string part(data.substr(0, cut));
    if (i < 2) in.authorization_details.emplace_back(kNames[i], std::move(part));
    else in.actions_csv.emplace(kNames[i], std::move(part));
    data = cut == std::string_view::npos ? std::string_view() : data.substr(cut + kSep.size());
  }
  return in;
}

bool NamesAFile(const std::string& msg) {
  for (const char* n : kNames)
    if (msg.rfind(std::string(n) + ":", 0) == 0) return true;
  return msg == "no authorization-details file given";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const AwsImportInputs in = Split(std::string_view(reinterpret_cast<const char*>(data), size));
  rolegate::model::Bundle bundle;
  rolegate::internal::ImportReport report;
  const absl::Status s = rolegate::internal::ImportAws(in, &bundle, &report);
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
  if (!rolegate::internal::ImportAws(in, &again, &report2).ok() ||
      rolegate::internal::WriteBundleJson(again) != json)
    rolegate_fuzz::Die("import is not deterministic");
  std::vector<rolegate::Diagnostic> diags;
  (void)rolegate::Compile(json, rolegate::Limits{}, &diags);
  return 0;
}
