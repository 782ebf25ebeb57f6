// rolegate/internal/glob.h — the one pattern language of bundles (SPEC §2):
// `*` matches any run of characters (including `/`), `?` exactly one
// character, everything else itself. Action patterns are expanded against the
// catalog at compile time; statement resource patterns are the only globs
// matched at query time, so the matcher is linear-time-ish and allocation-free.
#ifndef ROLEGATE_INTERNAL_GLOB_H_
#define ROLEGATE_INTERNAL_GLOB_H_

#include <string_view>

namespace rolegate::internal {

inline bool IsGlob(std::string_view p) {
  return p.find_first_of("*?") != std::string_view::npos;
}

// Matches `text` against `pattern` in full. `?` consumes one Unicode code
// point (a whole UTF-8 sequence). With fold_case, ASCII letters compare
// case-insensitively. Worst case O(|pattern| * |text|), no recursion, no
// allocation: the classic single-backtrack-point algorithm, which is exact
// for `*`/`?` globs.
bool GlobMatch(std::string_view pattern, std::string_view text, bool fold_case);

}  // namespace rolegate::internal

#endif  // ROLEGATE_INTERNAL_GLOB_H_
