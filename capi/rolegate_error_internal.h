// capi/rolegate_error_internal.h — the definition of rolegate_error, for the
// C ABI's own translation units (never installed).
//
// NOTE for the lead: capi/rolegate_c.cc still defines this struct itself,
// token for token the same (as C++ allows for a class defined in several
// translation units). Replace that definition with an #include of this
// header so that the two cannot drift apart.
#ifndef ROLEGATE_CAPI_ERROR_INTERNAL_H_
#define ROLEGATE_CAPI_ERROR_INTERNAL_H_

#include <string>
#include <vector>

#include "rolegate.h"
#include "rolegate/types.h"

struct rolegate_error {
  int32_t code = ROLEGATE_OK;
  std::string message;
  std::vector<rolegate::Diagnostic> diagnostics;
};

#endif  // ROLEGATE_CAPI_ERROR_INTERNAL_H_
