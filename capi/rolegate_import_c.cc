// capi/rolegate_import_c.cc — rolegate_import and rolegate_buffer_free over
// rolegate/import.h. Kept apart from rolegate_c.cc so that the two evolve
// independently; the error object is shared through rolegate_handles.h.
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "rolegate.h"
#include "rolegate/import.h"
#include "rolegate_handles.h"  // rolegate_error, shared by every C ABI file

namespace {

int32_t ImportFail(rolegate_error** err, int32_t code, std::string message) {
  return rolegate::capi::Fail(err, code, std::move(message));
}

// (ptr, len) -> view; false for NULL with a non-zero length.
bool View(const char* p, size_t len, std::string_view* out) {
  if (p == nullptr) {
    *out = std::string_view();
    return len == 0;
  }
  *out = std::string_view(p, len);
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

// Runs the import; throws only std::bad_alloc.
int32_t Run(std::string_view kind, const rolegate_import_input* inputs, size_t n, rolegate::ImportOutput* out,
            rolegate_error** err) {
  std::vector<rolegate::ImportInput> in(n);
  for (size_t i = 0; i < n; ++i) {
    const rolegate_import_input& x = inputs[i];
    if (!View(x.kind, x.kind_len, &in[i].kind) || !View(x.name, x.name_len, &in[i].name) ||
        !View(x.data, x.data_len, &in[i].data))
      return ImportFail(err, ROLEGATE_E_INVALID_ARGUMENT, "input " + std::to_string(i) + ": NULL with a length");
  }
  absl::StatusOr<rolegate::ImportOutput> r = rolegate::ImportPolicy(kind, in);
  if (!r.ok()) return ImportFail(err, ROLEGATE_E_INVALID_ARGUMENT, std::string(r.status().message()));
  *out = std::move(*r);
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
  std::string_view k;
  if (!bundle_out || !bundle_len || !report_out || !report_len || (inputs == nullptr && n != 0) ||
      !View(kind, kind_len, &k))
    return ImportFail(err, ROLEGATE_E_INVALID_ARGUMENT, "rolegate_import: a NULL argument");
  char* bundle_buf = nullptr;
  try {
    rolegate::ImportOutput out;
    const int32_t rc = Run(k, inputs, n, &out, err);
    if (rc != ROLEGATE_OK) return rc;
    bundle_buf = CopyOut(out.bundle_json);
    char* report_buf = CopyOut(out.report_json);
    *bundle_out = bundle_buf;
    *bundle_len = out.bundle_json.size();
    *report_out = report_buf;
    *report_len = out.report_json.size();
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
