// capi/rolegate_import_c.cc — rolegate_import and rolegate_buffer_free: the
// importers (lib/import) behind the C ABI. Kept apart from rolegate_c.cc so
// that the two evolve independently; the error object is shared through
// rolegate_error_internal.h.
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "import/aws.h"
#include "import/azure.h"
#include "import/report.h"
#include "model/writer.h"
#include "rolegate.h"
#include "rolegate_error_internal.h"

namespace {

using rolegate::internal::AwsImportInputs;
using rolegate::internal::AzureImportInputs;

int32_t ImportFail(rolegate_error** err, int32_t code, std::string message) {
  if (err) {
    *err = nullptr;
    auto* e = new (std::nothrow) rolegate_error;
    if (e) {
      e->code = code;
      e->message = std::move(message);
      *err = e;
    }
  }
  return code;
}

// (ptr, len) -> string; false for NULL with a non-zero length.
bool Text(const char* p, size_t len, std::string* out) {
  if (p == nullptr) {
    out->clear();
    return len == 0;
  }
  out->assign(p, len);
  return true;
}

// A malloc'd, NUL-terminated copy (freed by rolegate_buffer_free).
char* CopyOut(const std::string& s) {
  char* buf = static_cast<char*>(std::malloc(s.size() + 1));
  if (buf == nullptr) throw std::bad_alloc();
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return buf;
}

// Files of `kind` -> the Azure inputs; "" when fine, else why not.
std::string AddAzure(const std::string& kind, std::string name, std::string data, AzureImportInputs* in) {
  std::vector<AzureImportInputs::File>* slot = nullptr;
  if (kind == "roles") slot = &in->role_definitions;
  else if (kind == "assignments") slot = &in->role_assignments;
  else if (kind == "deny_assignments") slot = &in->deny_assignments;
  else if (kind == "management_groups") slot = &in->management_groups;
  else if (kind == "group_members") slot = &in->group_members;
  else if (kind == "operations") slot = &in->operations;
  else return "unknown azure input kind \"" + kind + "\"";
  slot->emplace_back(std::move(name), std::move(data));
  return "";
}

std::string AddAws(const std::string& kind, std::string name, std::string data, AwsImportInputs* in) {
  if (kind == "authorization_details") {
    in->authorization_details.emplace_back(std::move(name), std::move(data));
  } else if (kind == "actions") {
    if (in->actions_csv) return "more than one \"actions\" input";
    in->actions_csv.emplace(std::move(name), std::move(data));
  } else if (kind == "ignore_permission_boundaries") {
    in->ignore_permission_boundaries = true;
  } else {
    return "unknown aws input kind \"" + kind + "\"";
  }
  return "";
}

// Reads the inputs, runs the importer, fills the outputs; throws only
// std::bad_alloc.
int32_t Run(const std::string& kind, const rolegate_import_input* inputs, size_t n, std::string* bundle,
            std::string* report, rolegate_error** err) {
  if (kind != "azure" && kind != "aws")
    return ImportFail(err, ROLEGATE_E_INVALID_ARGUMENT, "unknown import kind \"" + kind + "\" (azure or aws)");
  AzureImportInputs az;
  AwsImportInputs aws;
  for (size_t i = 0; i < n; ++i) {
    std::string k, name, data;
    const rolegate_import_input& x = inputs[i];
    if (!Text(x.kind, x.kind_len, &k) || !Text(x.name, x.name_len, &name) || !Text(x.data, x.data_len, &data))
      return ImportFail(err, ROLEGATE_E_INVALID_ARGUMENT, "input " + std::to_string(i) + ": NULL with a length");
    const std::string why = kind == "azure" ? AddAzure(k, std::move(name), std::move(data), &az)
                                            : AddAws(k, std::move(name), std::move(data), &aws);
    if (!why.empty()) return ImportFail(err, ROLEGATE_E_INVALID_ARGUMENT, "input " + std::to_string(i) + ": " + why);
  }
  rolegate::model::Bundle b;
  rolegate::internal::ImportReport r;
  const absl::Status s = kind == "azure" ? rolegate::internal::ImportAzure(az, &b, &r)
                                         : rolegate::internal::ImportAws(aws, &b, &r);
  if (!s.ok()) return ImportFail(err, ROLEGATE_E_INVALID_ARGUMENT, std::string(s.message()));
  *bundle = rolegate::internal::WriteBundleJson(b);
  *report = rolegate::internal::WriteImportReportJson(r);
  return ROLEGATE_OK;
}

}  // namespace

extern "C" {

ROLEGATE_EXPORT int32_t rolegate_import(const char* kind, size_t kind_len, const rolegate_import_input* inputs,
                                        size_t n, char** bundle_out, size_t* bundle_len, char** report_out,
                                        size_t* report_len, rolegate_error** err) {
  if (err) *err = nullptr;
  if (bundle_out) *bundle_out = nullptr;
  if (report_out) *report_out = nullptr;
  if (bundle_len) *bundle_len = 0;
  if (report_len) *report_len = 0;
  std::string k;
  if (!bundle_out || !bundle_len || !report_out || !report_len || (inputs == nullptr && n != 0) ||
      !Text(kind, kind_len, &k))
    return ImportFail(err, ROLEGATE_E_INVALID_ARGUMENT, "rolegate_import: a NULL argument");
  char* bundle_buf = nullptr;
  try {
    std::string bundle, report;
    const int32_t rc = Run(k, inputs, n, &bundle, &report, err);
    if (rc != ROLEGATE_OK) return rc;
    bundle_buf = CopyOut(bundle);
    char* report_buf = CopyOut(report);
    *bundle_out = bundle_buf;
    *bundle_len = bundle.size();
    *report_out = report_buf;
    *report_len = report.size();
    return ROLEGATE_OK;
  } catch (const std::bad_alloc&) {
    std::free(bundle_buf);
    return ImportFail(err, ROLEGATE_E_NO_MEMORY, "out of memory");
  } catch (...) {
    std::free(bundle_buf);
    return ImportFail(err, ROLEGATE_E_INTERNAL, "rolegate_import: unexpected exception");
  }
}

ROLEGATE_EXPORT void rolegate_buffer_free(char* buf) { std::free(buf); }

}  // extern "C"
