// rolegate/internal/text.h — byte-level helpers shared by the compiler and the
// query path: ASCII case folding, control-character and UTF-8 checks.
#ifndef ROLEGATE_INTERNAL_TEXT_H_
#define ROLEGATE_INTERNAL_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// Copies n bytes from src to dst, ASCII-lower-cased, 8 bytes at a time, and
// reports what a validator needs: whether any byte is a C0 control character
// or DEL (*ctl), whether any byte is >= 0x80 (*high, so the caller knows to
// run the full UTF-8 and C1 checks), and, when `slashes` is non-null, the
// positions of the first `max_slashes` '/' bytes (*n_slashes counts them all).
// Byte-at-a-time loops with early exits were the largest cost of a check;
// this is branch-free per word.
inline void LowerAndScan(const char* src, size_t n, char* dst, bool* ctl, bool* high,
                         uint32_t* slashes = nullptr, uint32_t max_slashes = 0,
                         uint32_t* n_slashes = nullptr) {
  constexpr uint64_t k01 = 0x0101010101010101ull, k7F = 0x7F7F7F7F7F7F7F7Full, k80 = 0x8080808080808080ull;
  uint64_t any_ctl = 0, any_high = 0;
  uint32_t ns = 0;
  size_t i = 0;
#if defined(__SSE2__)
  {
    // 16 bytes per step; the SWAR loop below handles what is left.
    const __m128i a_bias = _mm_set1_epi8(static_cast<char>(0x80 - 'A'));
    const __m128i upper_lim = _mm_set1_epi8(static_cast<char>(-128 + 26));
    const __m128i k20 = _mm_set1_epi8(0x20), kE0 = _mm_set1_epi8(static_cast<char>(0xE0));
    const __m128i k7f = _mm_set1_epi8(0x7F), kslash = _mm_set1_epi8('/'), zero = _mm_setzero_si128();
    __m128i bad = zero, hi = zero;
    for (; i + 16 <= n; i += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
      // 'A'..'Z' map to -128..-103 after the bias: a signed compare finds them.
      const __m128i upper = _mm_cmplt_epi8(_mm_add_epi8(x, a_bias), upper_lim);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_add_epi8(x, _mm_and_si128(upper, k20)));
      bad = _mm_or_si128(bad, _mm_cmpeq_epi8(_mm_and_si128(x, kE0), zero));  // < 0x20
      bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, k7f));                       // DEL
      hi = _mm_or_si128(hi, x);
      if (slashes) {
        for (uint32_t m = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, kslash))); m; m &= m - 1) {
          if (ns < max_slashes) slashes[ns] = static_cast<uint32_t>(i + __builtin_ctz(m));
          ++ns;
        }
      }
    }
    any_ctl = static_cast<uint64_t>(_mm_movemask_epi8(bad));
    any_high = static_cast<uint64_t>(_mm_movemask_epi8(hi));
  }
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    __builtin_memcpy(&x, src + i, 8);
    const uint64_t low7 = x & k7F;
    // High bit of each byte set where the byte is in 'A'..'Z' (ASCII only).
    const uint64_t ge_a = low7 + (0x80 - 'A') * k01;
    const uint64_t gt_z = low7 + (0x7F - 'Z') * k01;
    const uint64_t upper = (ge_a ^ gt_z) & ~x & k80;
    const uint64_t y = x | (upper >> 2);  // +0x20 where upper
    __builtin_memcpy(dst + i, &y, 8);
    // Bytes < 0x20: high bit clear and low7 + 0x60 does not reach bit 7.
    const uint64_t lt20 = ~x & ~(low7 + 0x60 * k01) & k80;
    // Bytes == 0x7F: zero bytes of x ^ 0x7F (exact test for "any").
    const uint64_t v = x ^ k7F;
    const uint64_t del = (v - k01) & ~v & k80;
    any_ctl |= lt20 | del;
    any_high |= x & k80;
    if (slashes) {
      // Exact per-byte test for '/': zero bytes of x ^ '/'.
      const uint64_t w = x ^ ('/' * k01);
      uint64_t m = ~(((w & k7F) + k7F) | w) & k80;
      for (; m; m &= m - 1) {
        if (ns < max_slashes) slashes[ns] = static_cast<uint32_t>(i + (__builtin_ctzll(m) >> 3));
        ++ns;
      }
    }
  }
  bool c = any_ctl != 0, h = any_high != 0;
  for (; i < n; ++i) {
    const unsigned char b = static_cast<unsigned char>(src[i]);
    c |= b < 0x20 || b == 0x7F;
    h |= b >= 0x80;
    dst[i] = AsciiLower(static_cast<char>(b));
    if (slashes && b == '/') {
      if (ns < max_slashes) slashes[ns] = static_cast<uint32_t>(i);
      ++ns;
    }
  }
  *ctl = c;
  *high = h;
  if (n_slashes) *n_slashes = ns;
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
