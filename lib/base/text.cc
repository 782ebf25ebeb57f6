// lib/text.cc — UTF-8 validation (simdjson's validator: strict, SIMD-fast).
#include "rolegate/internal/text.h"

#include "simdjson.h"

namespace rolegate::internal {

bool IsValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

}  // namespace rolegate::internal
