// lib/glob.cc — `*`/`?` glob matching (see rolegate/internal/glob.h).
#include "rolegate/internal/glob.h"

#include "rolegate/internal/text.h"

namespace rolegate::internal {

bool GlobMatch(std::string_view pat, std::string_view text, bool fold_case) {
  const size_t np = pat.size(), nt = text.size();
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  auto step = [&](size_t at) {  // bytes of the code point at text[at]
    size_t len = static_cast<size_t>(Utf8SeqLen(static_cast<unsigned char>(text[at])));
    return at + len > nt ? nt - at : len;
  };
  while (t < nt) {
    if (p < np) {
      const char pc = pat[p];
      if (pc == '*') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      if (pc == '?') {
        ++p;
        t += step(t);
        continue;
      }
      const char tc = text[t];
      if (pc == tc || (fold_case && AsciiLower(pc) == AsciiLower(tc))) {
        ++p;
        ++t;
        continue;
      }
    }
    // Mismatch: let the last `*` swallow one more code point, or fail.
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    star_t += step(star_t);
    t = star_t;
  }
  while (p < np && pat[p] == '*') ++p;
  return p == np;
}

}  // namespace rolegate::internal
