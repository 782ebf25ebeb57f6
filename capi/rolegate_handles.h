// capi/rolegate_handles.h — the C handles' definitions, shared by the C ABI's
// translation units (rolegate_c.cc, rolegate_ops_c.cc, rolegate_import_c.cc),
// each defined once here. Not installed.
#ifndef ROLEGATE_CAPI_HANDLES_H_
#define ROLEGATE_CAPI_HANDLES_H_

#include <memory>
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

#endif  // ROLEGATE_CAPI_HANDLES_H_
