// lib/scope.h — bundle-side scope rules (SPEC §2, §3 step 1, §9).
#ifndef ROLEGATE_LIB_SCOPE_H_
#define ROLEGATE_LIB_SCOPE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rolegate::internal {

// Why `s` is not a valid bundle scope, or "" when it is. With `pattern`
// (effective_only_at), a segment may be exactly `*` but never contain one.
std::string ScopeProblem(std::string_view s, uint32_t max_segments, bool pattern);

// The ASCII-lower-cased segments of a valid scope ("/" has none).
std::vector<std::string> LowerSegments(std::string_view s);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_SCOPE_H_
