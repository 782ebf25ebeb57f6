// lib/cond/values.cc — strict, allocation-free parsers for condition values
// (see values.h).
#include "cond/values.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace rolegate::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at text[*pos], advancing; false if any is not a digit.
bool ReadDigits(std::string_view text, size_t* pos, size_t n, int* value) {
  if (*pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[*pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *value = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar: count
// whole 400-year eras (146097 days each) from year 0 with March as the first
// month, so the leap day falls at the end of the counted year.
int64_t DaysFromCivil(int y, int m, int d) {
  const int64_t yy = m <= 2 ? y - 1 : y;
  const int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const int64_t yoe = yy - era * 400;
  const int64_t mp = m > 2 ? m - 3 : m + 9;
  const int64_t doy = (153 * mp + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Up to 9 fractional digits after '.', scaled to nanoseconds.
bool ReadFraction(std::string_view text, size_t* pos, uint32_t* nanos) {
  size_t i = *pos, n = 0;
  uint32_t v = 0;
  while (i < text.size() && IsDigit(text[i])) {
    if (++n > 9) return false;
    v = v * 10 + static_cast<uint32_t>(text[i++] - '0');
  }
  if (n == 0) return false;
  for (size_t k = n; k < 9; ++k) v *= 10;
  *pos = i;
  *nanos = v;
  return true;
}

// The zone suffix at text[pos..]: empty (UTC), Z, +hh:mm, +hhmm, -hh:mm, -hhmm.
bool ReadZone(std::string_view text, size_t pos, int64_t* offset_seconds) {
  *offset_seconds = 0;
  if (pos == text.size()) return true;
  const char c = text[pos];
  if (c == 'Z' || c == 'z') return pos + 1 == text.size();
  if (c != '+' && c != '-') return false;
  ++pos;
  int hh = 0, mm = 0;
  if (!ReadDigits(text, &pos, 2, &hh)) return false;
  if (pos < text.size() && text[pos] == ':') ++pos;
  if (!ReadDigits(text, &pos, 2, &mm) || pos != text.size()) return false;
  if (hh > 23 || mm > 59) return false;
  *offset_seconds = (c == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
  return true;
}

}  // namespace

std::optional<Timestamp> ParseIsoDateTime(std::string_view text) {
  size_t pos = 0;
  int y = 0, mo = 0, d = 0;
  if (!ReadDigits(text, &pos, 4, &y) || pos >= text.size() || text[pos++] != '-') return std::nullopt;
  if (!ReadDigits(text, &pos, 2, &mo) || pos >= text.size() || text[pos++] != '-') return std::nullopt;
  if (!ReadDigits(text, &pos, 2, &d)) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return std::nullopt;
  const int64_t day_seconds = DaysFromCivil(y, mo, d) * 86400;
  if (pos == text.size()) return Timestamp{day_seconds, 0};
  if (text[pos] != 'T' && text[pos] != 't') return std::nullopt;
  ++pos;
  int hh = 0, mi = 0, ss = 0;
  uint32_t nanos = 0;
  if (!ReadDigits(text, &pos, 2, &hh) || pos >= text.size() || text[pos++] != ':') return std::nullopt;
  if (!ReadDigits(text, &pos, 2, &mi)) return std::nullopt;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!ReadDigits(text, &pos, 2, &ss)) return std::nullopt;
    if (pos < text.size() && text[pos] == '.' && !ReadFraction(text, &++pos, &nanos)) return std::nullopt;
  }
  if (hh > 23 || mi > 59 || ss > 59) return std::nullopt;
  int64_t offset = 0;
  if (!ReadZone(text, pos, &offset)) return std::nullopt;
  return Timestamp{day_seconds + hh * 3600 + mi * 60 + ss - offset, nanos};
}

std::optional<Timestamp> ParseEpochSeconds(std::string_view text) {
  size_t pos = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++pos;
  int64_t whole = 0;
  size_t digits = 0;
  for (; pos < text.size() && IsDigit(text[pos]); ++pos, ++digits) {
    if (digits == 12) return std::nullopt;  // past year 33658: not a date anyone means
    whole = whole * 10 + (text[pos] - '0');
  }
  if (digits == 0) return std::nullopt;
  uint32_t nanos = 0;
  if (pos < text.size()) {
    if (text[pos] != '.' || !ReadFraction(text, &++pos, &nanos) || pos != text.size()) return std::nullopt;
  }
  if (!negative) return Timestamp{whole, nanos};
  // Keep nanos non-negative: -1.25 s is -2 s + 0.75 s.
  if (nanos == 0) return Timestamp{-whole, 0};
  return Timestamp{-whole - 1, 1000000000u - nanos};
}

std::optional<Timestamp> ParseDateValue(std::string_view text) {
  if (text.size() > 4 && text[4] == '-') return ParseIsoDateTime(text);
  return ParseEpochSeconds(text);
}

std::optional<double> ParseNumber(std::string_view text) {
  // Validate the grammar first: from_chars alone would accept "inf", "nan"
  // and stop early at trailing garbage.
  size_t i = 0;
  const size_t n = text.size();
  if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
  const size_t int_start = i;
  while (i < n && IsDigit(text[i])) ++i;
  if (i == int_start) return std::nullopt;
  if (i < n && text[i] == '.') {
    const size_t f = ++i;
    while (i < n && IsDigit(text[i])) ++i;
    if (i == f) return std::nullopt;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    const size_t e = i;
    while (i < n && IsDigit(text[i])) ++i;
    if (i == e) return std::nullopt;
  }
  if (i != n) return std::nullopt;
  // from_chars does not take a leading '+'.
  const char* first = text.data() + (text[0] == '+' ? 1 : 0);
  double v = 0;
  auto [ptr, ec] = std::from_chars(first, text.data() + n, v);
  if (ec != std::errc() || ptr != text.data() + n || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const char* first = text.data() + (text[0] == '+' ? 1 : 0);
  const char* last = text.data() + text.size();
  if (first == last || (*first == '-' && first + 1 == last) || (text[0] == '+' && *first == '-'))
    return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  return v;
}

std::optional<bool> ParseBoolText(std::string_view text) {
  auto eq = [&](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      char c = text[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c != word[i]) return false;
    }
    return true;
  };
  if (eq("true")) return true;
  if (eq("false")) return false;
  return std::nullopt;
}

}  // namespace rolegate::internal

namespace rolegate::internal {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Dotted quad into out[0..4).
bool ParseIpv4(std::string_view text, uint8_t out[4]) {
  size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return false;
      ++pos;
    }
    const size_t start = pos;
    int v = 0;
    while (pos < text.size() && IsDigit(text[pos]) && pos - start < 3) v = v * 10 + (text[pos++] - '0');
    const size_t len = pos - start;
    if (len == 0 || v > 255 || (len > 1 && text[start] == '0')) return false;
    out[part] = static_cast<uint8_t>(v);
  }
  return pos == text.size();
}

// RFC 4291 text form into out[0..16): up to eight 1–4 digit hex groups, at
// most one "::" standing for one or more zero groups, and optionally an IPv4
// dotted quad in place of the last two groups.
bool ParseIpv6(std::string_view text, uint8_t out[16]) {
  uint16_t groups[8] = {};
  int n = 0, gap = -1;  // gap: index where "::" stands
  size_t pos = 0;
  if (text.size() >= 2 && text[0] == ':' && text[1] == ':') {
    gap = 0;
    pos = 2;
  } else if (!text.empty() && text[0] == ':') {
    return false;
  }
  while (pos < text.size()) {
    if (n == 8) return false;
    const size_t start = pos;
    int v = 0;
    while (pos < text.size() && HexValue(text[pos]) >= 0 && pos - start < 4) v = v * 16 + HexValue(text[pos++]);
    if (pos < text.size() && text[pos] == '.') {  // trailing dotted quad
      uint8_t q[4];
      if (n > 6 || !ParseIpv4(text.substr(start), q)) return false;
      groups[n++] = static_cast<uint16_t>(q[0] << 8 | q[1]);
      groups[n++] = static_cast<uint16_t>(q[2] << 8 | q[3]);
      pos = text.size();
      break;
    }
    if (pos == start) return false;
    groups[n++] = static_cast<uint16_t>(v);
    if (pos == text.size()) break;
    if (text[pos] != ':') return false;
    ++pos;
    if (pos < text.size() && text[pos] == ':') {
      if (gap >= 0) return false;
      gap = n;
      ++pos;
    } else if (pos == text.size()) {
      return false;  // trailing single ':'
    }
  }
  if (gap < 0 ? n != 8 : n > 7) return false;
  uint16_t full[8] = {};
  if (gap < 0) {
    std::memcpy(full, groups, sizeof full);
  } else {
    for (int i = 0; i < gap; ++i) full[i] = groups[i];
    for (int i = gap; i < n; ++i) full[8 - (n - i)] = groups[i];
  }
  for (int i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<uint8_t>(full[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(full[i] & 0xFF);
  }
  return true;
}

bool IsV4Mapped(const uint8_t b[16]) {
  for (int i = 0; i < 10; ++i)
    if (b[i] != 0) return false;
  return b[10] == 0xFF && b[11] == 0xFF;
}

}  // namespace

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  IpAddress a;
  if (text.find(':') == std::string_view::npos) {
    if (!ParseIpv4(text, a.bytes)) return std::nullopt;
    return a;
  }
  if (!ParseIpv6(text, a.bytes)) return std::nullopt;
  if (IsV4Mapped(a.bytes)) {  // one host, one spelling (values.h)
    std::memmove(a.bytes, a.bytes + 12, 4);
    std::memset(a.bytes + 4, 0, 12);
    return a;
  }
  a.v6 = true;
  return a;
}

std::optional<Cidr> ParseCidr(std::string_view text) {
  const size_t slash = text.find('/');
  const bool v6_text = text.substr(0, slash).find(':') != std::string_view::npos;
  std::optional<IpAddress> addr = ParseIpAddress(text.substr(0, slash));
  if (!addr) return std::nullopt;
  int prefix = v6_text ? 128 : 32;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3 || (p.size() > 1 && p[0] == '0')) return std::nullopt;
    int v = 0;
    for (char c : p) {
      if (!IsDigit(c)) return std::nullopt;
      v = v * 10 + (c - '0');
    }
    if (v > prefix) return std::nullopt;
    prefix = v;
  }
  if (v6_text && !addr->v6) {
    // An IPv4-mapped range: only /96 and longer lie inside ::ffff:0:0/96;
    // a shorter one spans non-mapped IPv6 space too, which has no IPv4
    // reading, so it is refused rather than guessed at.
    if (prefix < 96) return std::nullopt;
    prefix -= 96;
  }
  Cidr c;
  c.base = *addr;
  c.prefix = static_cast<uint8_t>(prefix);
  const int total = c.base.v6 ? 16 : 4;
  for (int i = 0; i < total; ++i) {
    const int keep = prefix - 8 * i;  // bits of this byte under the prefix
    if (keep <= 0) c.base.bytes[i] = 0;
    else if (keep < 8) c.base.bytes[i] &= static_cast<uint8_t>(0xFF << (8 - keep));
  }
  return c;
}

bool CidrContains(const Cidr& cidr, const IpAddress& addr) {
  if (cidr.base.v6 != addr.v6) return false;
  int bits = cidr.prefix, i = 0;
  for (; bits >= 8; bits -= 8, ++i)
    if (cidr.base.bytes[i] != addr.bytes[i]) return false;
  if (bits == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - bits));
  return (addr.bytes[i] & mask) == cidr.base.bytes[i];
}

namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

bool DecodeBase64(std::string_view text, char* out, size_t cap, size_t* out_len) {
  // Strip correct padding: only when the padded length is a multiple of 4.
  size_t n = text.size();
  if (n % 4 == 0 && n > 0 && text[n - 1] == '=') {
    --n;
    if (text[n - 1] == '=') --n;
  }
  if (n % 4 == 1) return false;  // one leftover character holds < 8 bits
  const size_t len = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
  if (len > cap) return false;
  uint32_t acc = 0;
  int bits = 0;
  size_t w = 0;
  for (size_t i = 0; i < n; ++i) {
    const int v = Base64Value(text[i]);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[w++] = static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // The bits left over must be zero, or two texts would decode alike.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return false;
  *out_len = w;
  return true;
}

std::optional<std::string> DecodeBase64String(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  if (!DecodeBase64(text, out.data(), out.size(), &len)) return std::nullopt;
  out.resize(len);
  return out;
}

bool NormalizeGuid(std::string_view text, char out[32]) {
  const bool dashed = text.size() == 36;
  if (!dashed && text.size() != 32) return false;
  size_t w = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
      if (c != '-') return false;
      continue;
    }
    if (HexValue(c) < 0) return false;
    out[w++] = (c >= 'A' && c <= 'F') ? static_cast<char>(c + 32) : c;
  }
  return w == 32;
}

}  // namespace rolegate::internal
