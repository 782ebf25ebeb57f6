// capi/rolegate_handles.h — the C handles' definitions, shared by the C ABI's
// translation units (rolegate_c.cc, rolegate_ops_c.cc, rolegate_import_c.cc),
// each defined once here. Not installed.
#ifndef ROLEGATE_CAPI_HANDLES_H_
#define ROLEGATE_CAPI_HANDLES_H_

#include <memory>
#include <new>
#include <string>
#include <vector>

#include "rolegate.h"
#include "rolegate/engine.h"

struct rolegate_error {
  int32_t code = ROLEGATE_OK;
  std::string message;
  std::vector<rolegate::Diagnostic> diagnostics;
};

struct rolegate_engine {
  std::unique_ptr<rolegate::Engine> rep;
};

struct rolegate_snapshot {
  rolegate::Snapshot rep;
};

namespace rolegate::capi {

// The one place a failure becomes an error object (as RocksDB's SaveError):
// *err (when err is given) receives an owned rolegate_error, or NULL when
// even that allocation fails; returns `code`.
inline int32_t Fail(rolegate_error** err, int32_t code, std::string message,
                    std::vector<rolegate::Diagnostic> diags = {}) {
  if (err) {
    *err = nullptr;
    auto* e = new (std::nothrow) rolegate_error;
    if (e) {
      e->code = code;
      e->message = std::move(message);
      e->diagnostics = std::move(diags);
      *err = e;
    }
  }
  return code;
}

}  // namespace rolegate::capi

#endif  // ROLEGATE_CAPI_HANDLES_H_
