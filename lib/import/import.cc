// lib/import/import.cc — rolegate/import.h: the one entry point of the
// importers, mapping input kinds onto each importer's inputs and writing the
// bundle and the report as JSON.
#include "rolegate/import.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "import/aws.h"
#include "import/azure.h"
#include "import/report.h"
#include "model/writer.h"
#include "rolegate/internal/text.h"
#include "rolegate/policy.h"

namespace rolegate {
namespace {

using internal::AwsImportInputs;
using internal::AzureImportInputs;

// Adds one input of `kind`; "" when fine, else why not.
std::string AddAzure(std::string_view kind, const ImportInput& x, AzureImportInputs* in) {
  std::vector<AzureImportInputs::File>* slot = nullptr;
  if (kind == "roles") slot = &in->role_definitions;
  else if (kind == "assignments") slot = &in->role_assignments;
  else if (kind == "deny_assignments") slot = &in->deny_assignments;
  else if (kind == "management_groups") slot = &in->management_groups;
  else if (kind == "group_members") slot = &in->group_members;
  else if (kind == "operations") slot = &in->operations;
  else return absl::StrCat("unknown azure input kind \"", internal::AbslView(kind), "\"");
  slot->emplace_back(std::string(x.name), std::string(x.data));
  return "";
}

std::string AddAws(std::string_view kind, const ImportInput& x, AwsImportInputs* in) {
  if (kind == "authorization_details") {
    in->authorization_details.emplace_back(std::string(x.name), std::string(x.data));
  } else if (kind == "actions") {
    if (in->actions_csv) return "more than one \"actions\" input";
    in->actions_csv.emplace(std::string(x.name), std::string(x.data));
  } else if (kind == "ignore_permission_boundaries") {
    in->ignore_permission_boundaries = true;
  } else {
    return absl::StrCat("unknown aws input kind \"", internal::AbslView(kind), "\"");
  }
  return "";
}

// The bundle an import writes must compile: an input the importers accept
// but the compiler refuses (a malformed ABAC condition, an unknown AWS
// condition operator, an assignment outside its role's assignable scopes, a
// cycle) is an import error, not a bundle that exits 0 and fails later.
// Size limits are raised as far as they go: how big a bundle may be is the
// loading side's choice (rolegate validate / Compile with its Limits).
absl::Status CheckCompiles(const std::string& json) {
  Limits lim;
  lim.max_bundle_bytes = UINT64_MAX;
  lim.max_string_bytes = UINT32_MAX;
  lim.max_list_entries = UINT64_MAX;
  lim.max_group_depth = UINT32_MAX;
  std::vector<Diagnostic> diags;
  const auto p = Compile(json, lim, &diags);
  if (p.ok()) return absl::OkStatus();
  // One line (the CLI prints a status as one): errors by bundle pointer.
  std::string msg = "the imported bundle does not compile (the input holds something a bundle cannot)";
  size_t shown = 0, errors = 0;
  for (const Diagnostic& d : diags) {
    if (d.severity != Severity::kError) continue;
    if (++errors <= 5) absl::StrAppend(&msg, shown++ ? "; " : ": ", d.pointer, ": ", d.message);
  }
  if (errors > shown) absl::StrAppend(&msg, "; and ", errors - shown, " more");
  if (errors == 0) absl::StrAppend(&msg, " ", p.status().message());
  return absl::InvalidArgumentError(msg);
}

}  // namespace

absl::StatusOr<ImportOutput> ImportPolicy(std::string_view source, const std::vector<ImportInput>& inputs) {
  const bool azure = source == "azure";
  if (!azure && source != "aws")
    return absl::InvalidArgumentError(
        absl::StrCat("unknown import source \"", internal::AbslView(source), "\" (azure or aws)"));
  AzureImportInputs az;
  AwsImportInputs aws;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string why = azure ? AddAzure(inputs[i].kind, inputs[i], &az) : AddAws(inputs[i].kind, inputs[i], &aws);
    if (!why.empty()) return absl::InvalidArgumentError(absl::StrCat("input ", i, ": ", why));
  }
  model::Bundle bundle;
  internal::ImportReport report;
  const absl::Status s = azure ? internal::ImportAzure(az, &bundle, &report) : internal::ImportAws(aws, &bundle, &report);
  if (!s.ok()) return s;
  std::string json = internal::WriteBundleJson(bundle);
  if (absl::Status c = CheckCompiles(json); !c.ok()) return c;
  return ImportOutput{std::move(json), internal::WriteImportReportJson(report)};
}

}  // namespace rolegate
