// rolegate/internal/text.h — byte-level helpers shared by the compiler and the
// query path: ASCII case folding, control-character and UTF-8 checks.
#ifndef ROLEGATE_INTERNAL_TEXT_H_
#define ROLEGATE_INTERNAL_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace rolegate::internal {

// Debian's Abseil has its own string_view type; convert at the boundary.
inline absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

inline std::string AsciiLowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

inline bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  return true;
}

// True when s is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// True when s contains a control character as SPEC §9 defines it:
// U+0000–U+001F, U+007F, or U+0080–U+009F (UTF-8 bytes C2 80..C2 9F).
// Assumes s is valid UTF-8 for the C1 range.
inline bool HasControlChar(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0, n = s.size(); i < n; ++i) {
    unsigned char c = p[i];
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F) return true;
  }
  return false;
}

// Length in bytes of the UTF-8 sequence starting with lead byte c (1 for a
// stray continuation byte, so scanning always advances).
inline int Utf8SeqLen(unsigned char c) {
  if (c < 0xC0) return 1;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  return 4;
}

}  // namespace rolegate::internal

#endif  // ROLEGATE_INTERNAL_TEXT_H_
