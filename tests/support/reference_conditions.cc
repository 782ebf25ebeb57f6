// tests/support/reference_conditions.cc — see reference_conditions.h. Every
// rule cites SPEC §10/§11; the readings chosen where the spec is silent are
// listed in tests/spec_cases/AMBIGUITIES.md.
#include "support/reference_conditions.h"

#include <arpa/inet.h>
#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>

namespace rolegate_ref {

RefValue RefValue::String(std::string s) {
  RefValue v;
  v.kind = Kind::kString;
  v.str = std::move(s);
  return v;
}
RefValue RefValue::Number(double n) {
  RefValue v;
  v.kind = Kind::kNumber;
  v.num = n;
  return v;
}
RefValue RefValue::Bool(bool b) {
  RefValue v;
  v.kind = Kind::kBool;
  v.b = b;
  return v;
}
RefValue RefValue::List(std::vector<std::string> l) {
  RefValue v;
  v.kind = Kind::kList;
  v.list = std::move(l);
  return v;
}

namespace {

// =============================================================================
// Text
// =============================================================================

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerStr(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool IEq(std::string_view a, std::string_view b) { return LowerStr(a) == LowerStr(b); }

bool StartsWithI(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && IEq(s.substr(0, prefix.size()), prefix);
}

// UTF-8 to code points; a byte that starts no well-formed sequence becomes
// 0x110000 + byte (never equal to a real character).
std::vector<uint32_t> Cps(std::string_view s) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                                                          : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
               (cp >= 0xD800 && cp <= 0xDFFF)))
      ok = false;
    out.push_back(ok ? cp : 0x110000u + c);
    i += ok ? len : 1;
  }
  return out;
}

bool ValidUtf8(std::string_view s) {
  for (uint32_t c : Cps(s))
    if (c >= 0x110000u) return false;
  return true;
}

uint32_t Fold(uint32_t c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

// =============================================================================
// Globs over tokens: a token is a code point, or kStar (any run) or kOne
// (one code point). A substituted variable becomes plain code points, so its
// `*` and `?` are literal (SPEC §10).
// =============================================================================
constexpr int64_t kStar = -1, kOne = -2;
using Glob = std::vector<int64_t>;

bool GlobMatchTokens(const Glob& p, std::vector<uint32_t> t, bool fold) {
  if (fold)
    for (auto& c : t) c = Fold(c);
  std::vector<std::vector<char>> m(p.size() + 1, std::vector<char>(t.size() + 1, 0));
  m[0][0] = 1;
  for (size_t i = 1; i <= p.size(); ++i)
    for (size_t j = 0; j <= t.size(); ++j) {
      int64_t pc = p[i - 1];
      if (pc == kStar)
        m[i][j] = m[i - 1][j] || (j > 0 && m[i][j - 1]);
      else if (pc == kOne)
        m[i][j] = j > 0 && m[i - 1][j - 1];
      else
        m[i][j] = j > 0 && m[i - 1][j - 1] &&
                  (fold ? static_cast<int64_t>(Fold(static_cast<uint32_t>(pc))) : pc) == t[j - 1];
    }
  return m[p.size()][t.size()];
}

// =============================================================================
// Policy variables (SPEC §10): text split into pieces, each a character of
// the policy text or a `${KEY}` / `${KEY, 'default'}` reference.
// =============================================================================
struct Piece {
  bool var = false;
  uint32_t cp = 0;  // !var
  std::string key;  // var: lower-cased key
  std::optional<std::string> def;
};
using Pieces = std::vector<Piece>;

std::string Trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && s[a] == ' ') ++a;
  while (b > a && s[b - 1] == ' ') --b;
  return std::string(s.substr(a, b - a));
}

// The body of one `${...}` (without the braces).
bool ParseVarBody(std::string_view body, Piece* out, std::string* err) {
  out->var = true;
  size_t comma = body.find(',');
  std::string key = Trim(body.substr(0, comma));
  if (key.empty()) {
    *err = "empty policy variable";
    return false;
  }
  if (comma != std::string_view::npos) {
    std::string d = Trim(body.substr(comma + 1));
    if (d.size() < 2 || d.front() != '\'' || d.back() != '\'' ||
        d.substr(1, d.size() - 2).find('\'') != std::string::npos) {
      *err = "policy variable default is not one 'quoted string'";
      return false;
    }
    out->def = d.substr(1, d.size() - 2);
  }
  out->key = LowerStr(key);
  return true;
}

// Splits text into pieces; `${` starts a variable only when `variables`.
// `from_byte`: variables are recognised only at or after this offset.
bool ToPieces(std::string_view s, bool variables, size_t from_byte, Pieces* out,
              std::string* err) {
  size_t i = 0;
  while (i < s.size()) {
    if (variables && i >= from_byte && s.compare(i, 2, "${") == 0) {
      size_t close = s.find('}', i + 2);
      if (close == std::string_view::npos) {
        *err = "unterminated ${ in policy variable";
        return false;
      }
      Piece p;
      if (!ParseVarBody(s.substr(i + 2, close - i - 2), &p, err)) return false;
      out->push_back(std::move(p));
      i = close + 1;
      continue;
    }
    // One code point (its UTF-8 bytes) at a time.
    size_t len = 1;
    while (i + len < s.size() && (static_cast<unsigned char>(s[i + len]) & 0xC0) == 0x80) ++len;
    for (uint32_t c : Cps(s.substr(i, len))) {
      Piece p;
      p.cp = c;
      out->push_back(p);
    }
    i += len;
  }
  return true;
}

// Pieces to a glob. `wild`: the policy text's own `*`/`?` are wildcards.
// Null when a variable has no value (the value or pattern matches nothing).
std::optional<Glob> Resolve(const Pieces& ps, const RefContext& ctx, bool wild) {
  Glob g;
  for (const Piece& p : ps) {
    if (!p.var) {
      g.push_back(wild && p.cp == '*' ? kStar : wild && p.cp == '?' ? kOne : p.cp);
      continue;
    }
    std::string text;
    if (p.key == "*" || p.key == "?" || p.key == "$") {
      text = p.key;
    } else {
      auto it = ctx.find(p.key);
      if (it != ctx.end() && it->second.kind == RefValue::Kind::kString)
        text = it->second.str;
      else if (p.def)
        text = *p.def;
      else
        return std::nullopt;
    }
    for (uint32_t c : Cps(text)) g.push_back(c);
  }
  return g;
}

// ARN fields over pieces: split at the first five `:` of the policy text
// itself (a variable's own `:` does not split).
std::vector<Pieces> SplitArnPieces(const Pieces& ps) {
  std::vector<Pieces> f(1);
  for (const Piece& p : ps) {
    if (!p.var && p.cp == ':' && f.size() < 6)
      f.emplace_back();
    else
      f.back().push_back(p);
  }
  return f;
}

bool PiecesAreArn(const Pieces& ps) {
  if (ps.size() < 4) return false;
  const char* a = "arn:";
  for (int k = 0; k < 4; ++k)
    if (ps[k].var || Fold(ps[k].cp) != static_cast<uint32_t>(a[k])) return false;
  return SplitArnPieces(ps).size() == 6;
}

std::vector<std::string> SplitArn(std::string_view s) {
  std::vector<std::string> f(1);
  for (char c : s) {
    if (c == ':' && f.size() < 6)
      f.emplace_back();
    else
      f.back() += c;
  }
  return f;
}

// §11: fields 1-5 each a glob, case-insensitively; field 6 on, one glob,
// case-sensitively.
bool ArnFieldsMatch(const std::vector<Pieces>& pf, std::string_view resource,
                    const RefContext& ctx) {
  std::vector<std::string> rf = SplitArn(resource);
  for (size_t k = 0; k < 6; ++k) {
    std::optional<Glob> g = Resolve(pf[k], ctx, /*wild=*/true);
    if (!g || !GlobMatchTokens(*g, Cps(rf[k]), /*fold=*/k < 5)) return false;
  }
  return true;
}

// =============================================================================
// Typed values
// =============================================================================

// A decimal number: -?digits(.digits)?([eE][+-]?digits)?
std::optional<double> ParseNumber(std::string_view s, bool integer_only) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t d0 = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == d0) return std::nullopt;
  if (!integer_only) {
    if (i < s.size() && s[i] == '.') {
      size_t f0 = ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == f0) return std::nullopt;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      size_t e0 = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == e0) return std::nullopt;
    }
  }
  if (i != s.size()) return std::nullopt;
  return std::strtod(std::string(s).c_str(), nullptr);
}

std::optional<int> Digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return std::nullopt;
  int v = 0;
  for (size_t k = at; k < at + n; ++k) {
    if (s[k] < '0' || s[k] > '9') return std::nullopt;
    v = v * 10 + (s[k] - '0');
  }
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (the usual
// era/day-of-era arithmetic).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Parses the time-of-day and zone after `YYYY-MM-DDT`; adds to *secs.
bool ParseTimePart(std::string_view s, size_t i, double* secs) {
  auto hh = Digits(s, i, 2);
  if (!hh || i + 2 >= s.size() || s[i + 2] != ':') return false;
  auto mi = Digits(s, i + 3, 2);
  if (!mi || *hh > 23 || *mi > 59) return false;
  i += 5;
  double sec = 0;
  if (i < s.size() && s[i] == ':') {
    auto ss = Digits(s, i + 1, 2);
    if (!ss || *ss > 59) return false;
    sec = *ss;
    i += 3;
    if (i < s.size() && s[i] == '.') {
      size_t f0 = ++i;
      double scale = 0.1;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        sec += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
      if (i == f0) return false;
    }
  }
  double off = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    auto oh = Digits(s, i + 1, 2);
    if (!oh || i + 3 >= s.size() || s[i + 3] != ':') return false;
    auto om = Digits(s, i + 4, 2);
    if (!om || *oh > 23 || *om > 59) return false;
    off = (s[i] == '+' ? 1 : -1) * (*oh * 3600.0 + *om * 60.0);
    i += 6;
  }
  if (i != s.size()) return false;
  *secs += *hh * 3600.0 + *mi * 60.0 + sec - off;
  return true;
}

}  // namespace

std::optional<double> ParseDate(std::string_view s) {
  // Epoch seconds: an optional '-' and digits only.
  if (auto n = ParseNumber(s, /*integer_only=*/true)) return n;
  auto y = Digits(s, 0, 4);
  if (!y || s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto m = Digits(s, 5, 2), d = Digits(s, 8, 2);
  if (!m || !d || *m < 1 || *m > 12 || *d < 1 || *d > DaysInMonth(*y, *m)) return std::nullopt;
  double secs = static_cast<double>(DaysFromCivil(*y, *m, *d)) * 86400.0;
  if (s.size() == 10) return secs;  // a date alone: midnight UTC
  if (s[10] != 'T' && s[10] != 't') return std::nullopt;
  if (!ParseTimePart(s, 11, &secs)) return std::nullopt;
  return secs;
}

bool IsArn(std::string_view s) { return StartsWithI(s, "arn:") && SplitArn(s).size() == 6; }

namespace {

std::optional<bool> ParseBoolText(std::string_view s) {
  if (IEq(s, "true")) return true;
  if (IEq(s, "false")) return false;
  return std::nullopt;
}

// Standard base64 with padding; no whitespace.
// Base64 as docs/conditions-aws.md says: padding optional (but only as
// padding), the leftover bits of the last character zero, so that each
// byte string has one spelling.
std::optional<std::string> ParseBase64(std::string_view s) {
  if (s.size() % 4 == 0 && !s.empty() && s.back() == '=') {
    s.remove_suffix(1);
    if (!s.empty() && s.back() == '=') s.remove_suffix(1);
  }
  if (s.size() % 4 == 1) return std::nullopt;
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string bits;  // one '0'/'1' per bit: slow and plain
  for (char c : s) {
    const int v = val(c);
    if (v < 0) return std::nullopt;
    for (int b = 5; b >= 0; --b) bits += ((v >> b) & 1) ? '1' : '0';
  }
  std::string out;
  size_t k = 0;
  for (; k + 8 <= bits.size(); k += 8) out += static_cast<char>(std::stoi(bits.substr(k, 8), nullptr, 2));
  if (bits.find('1', k) != std::string::npos) return std::nullopt;  // leftover bits set
  return out;
}

struct Ip {
  int family = 0;  // 4 or 6
  unsigned char bytes[16] = {};
};
struct Cidr {
  Ip ip;
  int bits = 0;
};

std::optional<Ip> ParseIp(std::string_view s) {
  std::string z(s);
  Ip ip;
  if (z.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, z.c_str(), ip.bytes) != 1) return std::nullopt;
    ip.family = 4;
  } else {
    if (inet_pton(AF_INET6, z.c_str(), ip.bytes) != 1) return std::nullopt;
    ip.family = 6;
  }
  return ip;
}

std::optional<Cidr> ParseCidr(std::string_view s) {
  size_t slash = s.find('/');
  Cidr c;
  auto ip = ParseIp(s.substr(0, slash));
  if (!ip) return std::nullopt;
  c.ip = *ip;
  int max = ip->family == 4 ? 32 : 128;
  c.bits = max;
  if (slash != std::string_view::npos) {
    std::string_view len = s.substr(slash + 1);
    if (len.empty() || len.size() > 3) return std::nullopt;
    auto n = Digits(len, 0, len.size());
    if (!n || *n > max) return std::nullopt;
    c.bits = *n;
  }
  return c;
}

bool InCidr(const Ip& ip, const Cidr& c) {
  if (ip.family != c.ip.family) return false;
  for (int bit = 0; bit < c.bits; ++bit) {
    int byte = bit / 8, mask = 0x80 >> (bit % 8);
    if ((ip.bytes[byte] & mask) != (c.ip.bytes[byte] & mask)) return false;
  }
  return true;
}

// A GUID with its dashes removed and lower-cased: 32 hex digits.
std::optional<std::string> ParseGuid(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '-') continue;
    char l = Lower(c);
    if (!((l >= '0' && l <= '9') || (l >= 'a' && l <= 'f'))) return std::nullopt;
    out += l;
  }
  if (out.size() != 32) return std::nullopt;
  return out;
}

}  // namespace

bool BuildContext(const std::vector<std::pair<std::string, RefValue>>& in, RefContext* out) {
  out->clear();
  if (in.size() > 1024) return false;
  auto ok_str = [](const std::string& s) { return s.size() <= 4096 && ValidUtf8(s); };
  for (const auto& [key, value] : in) {
    if (key.empty() || !ok_str(key)) return false;
    if (value.kind == RefValue::Kind::kString && !ok_str(value.str)) return false;
    if (value.kind == RefValue::Kind::kNumber && !std::isfinite(value.num)) return false;
    if (value.kind == RefValue::Kind::kList) {
      if (value.list.size() > 256) return false;
      for (const std::string& s : value.list)
        if (!ok_str(s)) return false;
    }
    if (!out->emplace(LowerStr(key), value).second) return false;  // twice, any case
  }
  return true;
}

// =============================================================================
// AWS form (SPEC §10)
// =============================================================================
namespace {

enum class Fam { kString, kNumeric, kDate, kBool, kBinary, kIp, kArn, kNull };
enum class Cmp { kEq, kEqIc, kLike, kStartsWith, kLt, kLe, kGt, kGe, kIn };

struct OpInfo {
  Fam fam;
  Cmp cmp;
  bool negated;
};

const std::map<std::string, OpInfo>& AwsOps() {
  static const std::map<std::string, OpInfo> ops = {
      {"StringEquals", {Fam::kString, Cmp::kEq, false}},
      {"StringNotEquals", {Fam::kString, Cmp::kEq, true}},
      {"StringEqualsIgnoreCase", {Fam::kString, Cmp::kEqIc, false}},
      {"StringNotEqualsIgnoreCase", {Fam::kString, Cmp::kEqIc, true}},
      {"StringLike", {Fam::kString, Cmp::kLike, false}},
      {"StringNotLike", {Fam::kString, Cmp::kLike, true}},
      {"NumericEquals", {Fam::kNumeric, Cmp::kEq, false}},
      {"NumericNotEquals", {Fam::kNumeric, Cmp::kEq, true}},
      {"NumericLessThan", {Fam::kNumeric, Cmp::kLt, false}},
      {"NumericLessThanEquals", {Fam::kNumeric, Cmp::kLe, false}},
      {"NumericGreaterThan", {Fam::kNumeric, Cmp::kGt, false}},
      {"NumericGreaterThanEquals", {Fam::kNumeric, Cmp::kGe, false}},
      {"DateEquals", {Fam::kDate, Cmp::kEq, false}},
      {"DateNotEquals", {Fam::kDate, Cmp::kEq, true}},
      {"DateLessThan", {Fam::kDate, Cmp::kLt, false}},
      {"DateLessThanEquals", {Fam::kDate, Cmp::kLe, false}},
      {"DateGreaterThan", {Fam::kDate, Cmp::kGt, false}},
      {"DateGreaterThanEquals", {Fam::kDate, Cmp::kGe, false}},
      {"Bool", {Fam::kBool, Cmp::kEq, false}},
      {"BinaryEquals", {Fam::kBinary, Cmp::kEq, false}},
      {"IpAddress", {Fam::kIp, Cmp::kIn, false}},
      {"NotIpAddress", {Fam::kIp, Cmp::kIn, true}},
      {"ArnEquals", {Fam::kArn, Cmp::kLike, false}},
      {"ArnLike", {Fam::kArn, Cmp::kLike, false}},
      {"ArnNotEquals", {Fam::kArn, Cmp::kLike, true}},
      {"ArnNotLike", {Fam::kArn, Cmp::kLike, true}},
      {"Null", {Fam::kNull, Cmp::kEq, false}},
  };
  return ops;
}

template <typename T>
bool Ordered(Cmp c, T a, T b) {
  switch (c) {
    case Cmp::kEq: return a == b;
    case Cmp::kLt: return a < b;
    case Cmp::kLe: return a <= b;
    case Cmp::kGt: return a > b;
    case Cmp::kGe: return a >= b;
    default: return false;
  }
}

// One policy value, read at load as its operator's type.
struct PolicyValue {
  Pieces text;        // String, Arn
  double num = 0;     // Numeric, Date
  bool b = false;     // Bool, Null
  std::string bytes;  // Binary
  Cidr cidr;          // Ip
};

}  // namespace

struct AwsCondition::Clause {
  std::string op;  // as written, for messages
  OpInfo info{};
  enum class Set { kNone, kAny, kAll } set = Set::kNone;
  bool if_exists = false;
  std::string key;  // lower-cased
  std::vector<PolicyValue> values;
};

namespace {

using Clause = AwsCondition::Clause;

// A request value as the clause's operator reads it; nullopt = unreadable
// ("counts, for that operator, as absent").
struct Typed {
  std::string s;
  double num = 0;
  bool b = false;
  Ip ip;
};

std::optional<Typed> ReadAws(Fam fam, const RefValue& v) {
  using K = RefValue::Kind;
  Typed t;
  switch (fam) {
    case Fam::kString:
    case Fam::kArn:
      if (v.kind != K::kString) return std::nullopt;
      t.s = v.str;
      return t;
    case Fam::kNumeric:
      if (v.kind == K::kNumber) t.num = v.num;
      else if (auto n = v.kind == K::kString ? ParseNumber(v.str, false) : std::nullopt) t.num = *n;
      else return std::nullopt;
      return t;
    case Fam::kDate:
      if (v.kind == K::kNumber) t.num = v.num;
      else if (auto n = v.kind == K::kString ? ParseDate(v.str) : std::nullopt) t.num = *n;
      else return std::nullopt;
      return t;
    case Fam::kBool:
      if (v.kind == K::kBool) t.b = v.b;
      else if (auto b = v.kind == K::kString ? ParseBoolText(v.str) : std::nullopt) t.b = *b;
      else return std::nullopt;
      return t;
    case Fam::kBinary:
      if (auto bytes = v.kind == K::kString ? ParseBase64(v.str) : std::nullopt) t.s = *bytes;
      else return std::nullopt;
      return t;
    case Fam::kIp:
      // A request value is one address, not a range.
      if (auto ip = v.kind == K::kString ? ParseIp(v.str) : std::nullopt) t.ip = *ip;
      else return std::nullopt;
      return t;
    case Fam::kNull:
      return std::nullopt;
  }
  return std::nullopt;
}

// The positive comparison of one readable request value with one policy value.
bool AwsPositive(const Clause& c, const Typed& r, const PolicyValue& p, const RefContext& ctx) {
  switch (c.info.fam) {
    case Fam::kString: {
      bool like = c.info.cmp == Cmp::kLike;
      std::optional<Glob> g = Resolve(p.text, ctx, /*wild=*/like);
      if (!g) return false;  // an unresolved variable matches nothing
      return GlobMatchTokens(*g, Cps(r.s), /*fold=*/c.info.cmp == Cmp::kEqIc);
    }
    case Fam::kArn:
      // A policy value that is not an ARN is a string like any other (the
      // bundle loads) that matches no request value.
      if (!IsArn(r.s) || !PiecesAreArn(p.text)) return false;
      return ArnFieldsMatch(SplitArnPieces(p.text), r.s, ctx);
    case Fam::kNumeric:
    case Fam::kDate: return Ordered(c.info.cmp, r.num, p.num);
    case Fam::kBool: return r.b == p.b;
    case Fam::kBinary: return r.s == p.bytes;
    case Fam::kIp: return InCidr(r.ip, p.cidr);
    case Fam::kNull: return false;
  }
  return false;
}

// OP against the policy values: some value matches; for a negated operator,
// none does.
bool AwsSatisfies(const Clause& c, const Typed& r, const RefContext& ctx) {
  bool any = false;
  for (const PolicyValue& p : c.values) any = any || AwsPositive(c, r, p, ctx);
  return c.info.negated ? !any : any;
}

bool EvalClause(const Clause& c, const RefContext& ctx) {
  auto it = ctx.find(c.key);
  const bool present = it != ctx.end();
  if (c.info.fam == Fam::kNull) {
    for (const PolicyValue& p : c.values)
      if (p.b == !present) return true;
    return false;
  }
  if (c.set == Clause::Set::kNone) {
    const bool absent_result = c.if_exists || c.info.negated;
    if (!present) return absent_result;
    if (it->second.kind == RefValue::Kind::kList) return false;  // multi-valued, no prefix
    std::optional<Typed> r = ReadAws(c.info.fam, it->second);
    if (!r) return absent_result;
    return AwsSatisfies(c, *r, ctx);
  }
  // Set prefixes: a single value is a set of one.
  std::vector<RefValue> elems;
  if (present) {
    if (it->second.kind == RefValue::Kind::kList)
      for (const std::string& s : it->second.list) elems.push_back(RefValue::String(s));
    else
      elems.push_back(it->second);
  }
  const bool all = c.set == Clause::Set::kAll;
  if (elems.empty()) return all;  // ForAllValues true, ForAnyValue false
  if (elems.size() == 1 && !ReadAws(c.info.fam, elems[0]) &&
      it->second.kind != RefValue::Kind::kList)
    return all;  // one unreadable value counts as absent
  for (const RefValue& e : elems) {
    // An unreadable element is judged as an absent key without a set prefix.
    std::optional<Typed> r = ReadAws(c.info.fam, e);
    bool sat = r ? AwsSatisfies(c, *r, ctx) : c.if_exists || c.info.negated;
    if (all && !sat) return false;
    if (!all && sat) return true;
  }
  return all;
}

// Reads one policy value for clause `c` at load.
bool ReadPolicyValue(const Clause& c, simdjson::dom::element e, bool variables, PolicyValue* out,
                     std::string* err) {
  using simdjson::dom::element_type;
  std::string_view sv;
  const bool is_str = e.get_string().get(sv) == simdjson::SUCCESS;
  auto wrong = [&]() {
    *err = "a value of the wrong type for " + c.op;
    return false;
  };
  switch (c.info.fam) {
    case Fam::kString:
    case Fam::kArn:
      if (!is_str || !ValidUtf8(sv)) return wrong();
      if (!ToPieces(sv, variables, 0, &out->text, err)) return false;
      return true;
    case Fam::kNumeric:
    case Fam::kDate: {
      std::optional<double> n;
      if (is_str) n = c.info.fam == Fam::kNumeric ? ParseNumber(sv, false) : ParseDate(sv);
      else if (e.type() == element_type::INT64 || e.type() == element_type::UINT64 ||
               e.type() == element_type::DOUBLE)
        n = e.get_double().value();
      if (!n) return wrong();
      out->num = *n;
      return true;
    }
    case Fam::kBool:
    case Fam::kNull: {
      std::optional<bool> b;
      if (is_str) b = ParseBoolText(sv);
      else if (e.type() == element_type::BOOL) b = e.get_bool().value();
      if (!b) return wrong();
      out->b = *b;
      return true;
    }
    case Fam::kBinary: {
      auto bytes = is_str ? ParseBase64(sv) : std::nullopt;
      if (!bytes) return wrong();
      out->bytes = *bytes;
      return true;
    }
    case Fam::kIp: {
      auto cidr = is_str ? ParseCidr(sv) : std::nullopt;
      if (!cidr) return wrong();
      out->cidr = *cidr;
      return true;
    }
  }
  return wrong();
}

// "ForAnyValue:StringLikeIfExists" -> the clause's operator fields.
bool ParseAwsOperator(std::string_view name, Clause* c, std::string* err) {
  c->op = std::string(name);
  std::string_view base = name;
  if (base.rfind("ForAnyValue:", 0) == 0) {
    c->set = Clause::Set::kAny;
    base.remove_prefix(12);
  } else if (base.rfind("ForAllValues:", 0) == 0) {
    c->set = Clause::Set::kAll;
    base.remove_prefix(13);
  }
  if (base.size() > 8 && base.substr(base.size() - 8) == "IfExists") {
    c->if_exists = true;
    base.remove_suffix(8);
  }
  auto it = AwsOps().find(std::string(base));
  if (it == AwsOps().end()) {
    *err = "unknown condition operator " + std::string(name);
    return false;
  }
  c->info = it->second;
  if (c->info.fam == Fam::kNull && (c->if_exists || c->set != Clause::Set::kNone)) {
    *err = "Null takes neither IfExists nor a set prefix";
    return false;
  }
  return true;
}

bool ParseAwsKey(const Clause& proto, std::string_view key, simdjson::dom::element v,
                 bool variables, std::vector<Clause>* out, std::string* err) {
  Clause c = proto;
  if (key.empty() || !ValidUtf8(key)) {
    *err = "empty condition key";
    return false;
  }
  c.key = LowerStr(key);
  std::vector<simdjson::dom::element> vals;
  simdjson::dom::array arr;
  if (v.get_array().get(arr) == simdjson::SUCCESS) {
    for (simdjson::dom::element x : arr) vals.push_back(x);
    if (vals.empty()) {
      *err = "empty value list for " + std::string(key);
      return false;
    }
  } else {
    vals.push_back(v);
  }
  for (simdjson::dom::element x : vals) {
    PolicyValue p;
    if (!ReadPolicyValue(c, x, variables, &p, err)) return false;
    c.values.push_back(std::move(p));
  }
  out->push_back(std::move(c));
  return true;
}

}  // namespace

AwsCondition::AwsCondition() = default;
AwsCondition::~AwsCondition() = default;

std::unique_ptr<AwsCondition> AwsCondition::Parse(std::string_view json, bool variables,
                                                  std::string* error) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  simdjson::dom::element doc;
  simdjson::dom::object top;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(top) != simdjson::SUCCESS) {
    *error = "condition is not an object";
    return nullptr;
  }
  std::unique_ptr<AwsCondition> cond(new AwsCondition());
  std::set<std::string> ops;
  for (auto [name, body] : top) {
    if (!ops.insert(std::string(name)).second) {
      *error = "duplicate operator " + std::string(name);
      return nullptr;
    }
    Clause proto;
    if (!ParseAwsOperator(name, &proto, error)) return nullptr;
    simdjson::dom::object keys;
    if (body.get_object().get(keys) != simdjson::SUCCESS || keys.size() == 0) {
      *error = std::string(name) + " must be a non-empty object of keys";
      return nullptr;
    }
    std::set<std::string> seen;
    for (auto [key, v] : keys) {
      if (!seen.insert(LowerStr(key)).second) {
        *error = "condition key given twice: " + std::string(key);
        return nullptr;
      }
      if (!ParseAwsKey(proto, key, v, variables, &cond->clauses_, error)) return nullptr;
    }
  }
  if (cond->clauses_.empty()) {
    *error = "empty condition";
    return nullptr;
  }
  return cond;
}

bool AwsCondition::Holds(const RefContext& ctx) const {
  for (const Clause& c : clauses_)
    if (!EvalClause(c, ctx)) return false;
  return true;
}

// =============================================================================
// Azure form (SPEC §10): a recursive-descent parser into a tree.
// =============================================================================
namespace {

enum class AzFam { kString, kNumeric, kDate, kGuid, kBool };

struct AzOp {
  AzFam fam = AzFam::kString;
  Cmp cmp = Cmp::kEq;
  bool ignore_case = false;
  bool negated = false;
};

// Operator names, lower-cased (they compare case-insensitively).
std::optional<AzOp> FindAzureOp(std::string_view name) {
  std::string n = LowerStr(name);
  AzOp op;
  const std::string ic = "ignorecase";
  if (n.size() > ic.size() && n.substr(n.size() - ic.size()) == ic &&
      n.rfind("string", 0) == 0) {
    op.ignore_case = true;
    n.resize(n.size() - ic.size());
  }
  static const std::map<std::string, AzOp> ops = {
      {"stringequals", {AzFam::kString, Cmp::kEq, false, false}},
      {"stringnotequals", {AzFam::kString, Cmp::kEq, false, true}},
      {"stringstartswith", {AzFam::kString, Cmp::kStartsWith, false, false}},
      {"stringnotstartswith", {AzFam::kString, Cmp::kStartsWith, false, true}},
      {"stringlike", {AzFam::kString, Cmp::kLike, false, false}},
      {"stringnotlike", {AzFam::kString, Cmp::kLike, false, true}},
      {"numericequals", {AzFam::kNumeric, Cmp::kEq, false, false}},
      {"numericnotequals", {AzFam::kNumeric, Cmp::kEq, false, true}},
      {"numericlessthan", {AzFam::kNumeric, Cmp::kLt, false, false}},
      {"numericlessthanequals", {AzFam::kNumeric, Cmp::kLe, false, false}},
      {"numericgreaterthan", {AzFam::kNumeric, Cmp::kGt, false, false}},
      {"numericgreaterthanequals", {AzFam::kNumeric, Cmp::kGe, false, false}},
      {"datetimeequals", {AzFam::kDate, Cmp::kEq, false, false}},
      {"datetimenotequals", {AzFam::kDate, Cmp::kEq, false, true}},
      {"datetimegreaterthan", {AzFam::kDate, Cmp::kGt, false, false}},
      {"datetimegreaterthanequals", {AzFam::kDate, Cmp::kGe, false, false}},
      {"datetimelessthan", {AzFam::kDate, Cmp::kLt, false, false}},
      {"datetimelessthanequals", {AzFam::kDate, Cmp::kLe, false, false}},
      {"guidequals", {AzFam::kGuid, Cmp::kEq, false, false}},
      {"guidnotequals", {AzFam::kGuid, Cmp::kEq, false, true}},
      {"boolequals", {AzFam::kBool, Cmp::kEq, false, false}},
      {"boolnotequals", {AzFam::kBool, Cmp::kEq, false, true}},
  };
  auto it = ops.find(n);
  if (it == ops.end()) return std::nullopt;
  bool ignore_case = op.ignore_case;
  op = it->second;
  op.ignore_case = ignore_case;
  return op;
}

// A typed Azure value (a literal, or one request value once read).
struct AzValue {
  std::string s;  // String; Guid (normalised)
  double num = 0;  // Date
  long long i = 0;  // Numeric
  bool b = false;
};

std::optional<AzValue> ReadAzure(AzFam fam, const RefValue& v) {
  using K = RefValue::Kind;
  AzValue out;
  switch (fam) {
    case AzFam::kString:
      if (v.kind != K::kString) return std::nullopt;
      out.s = v.str;
      return out;
    case AzFam::kNumeric: {  // integers, compared exactly (int64)
      if (v.kind == K::kNumber) {
        // A JSON number from 2^53 up may have been rounded on the way in.
        if (v.num != std::floor(v.num) || std::fabs(v.num) >= 9007199254740992.0) return std::nullopt;
        out.i = static_cast<long long>(v.num);
        return out;
      }
      if (v.kind != K::kString || !ParseNumber(v.str, true)) return std::nullopt;
      errno = 0;
      char* end = nullptr;
      const long long n = std::strtoll(v.str.c_str(), &end, 10);
      if (errno == ERANGE) return std::nullopt;  // beyond int64
      out.i = n;
      return out;
    }
    case AzFam::kDate:
      if (v.kind == K::kNumber) out.num = v.num;
      else if (auto n = v.kind == K::kString ? ParseDate(v.str) : std::nullopt) out.num = *n;
      else return std::nullopt;
      return out;
    case AzFam::kGuid:
      if (auto g = v.kind == K::kString ? ParseGuid(v.str) : std::nullopt) out.s = *g;
      else return std::nullopt;
      return out;
    case AzFam::kBool:
      if (v.kind == K::kBool) out.b = v.b;
      else if (auto b = v.kind == K::kString ? ParseBoolText(v.str) : std::nullopt) out.b = *b;
      else return std::nullopt;
      return out;
  }
  return std::nullopt;
}

bool AzPair(const AzOp& op, const AzValue& l, const AzValue& r) {
  bool m = false;
  switch (op.fam) {
    case AzFam::kString: {
      std::string a = op.ignore_case ? LowerStr(l.s) : l.s;
      std::string b = op.ignore_case ? LowerStr(r.s) : r.s;
      if (op.cmp == Cmp::kEq) m = a == b;
      else if (op.cmp == Cmp::kStartsWith) m = a.rfind(b, 0) == 0;
      else {
        Glob g;
        for (uint32_t c : Cps(b)) g.push_back(c == '*' ? kStar : c == '?' ? kOne : c);
        m = GlobMatchTokens(g, Cps(a), false);
      }
      break;
    }
    case AzFam::kNumeric: m = Ordered(op.cmp, l.i, r.i); break;
    case AzFam::kDate: m = Ordered(op.cmp, l.num, r.num); break;
    case AzFam::kGuid: m = l.s == r.s; break;
    case AzFam::kBool: m = l.b == r.b; break;
  }
  return op.negated ? !m : m;
}

enum class Quant { kNone, kAnyOfAny, kAllOfAny, kAnyOfAll, kAllOfAll };

}  // namespace

struct AzureCondition::Node {
  enum class Kind { kAnd, kOr, kNot, kActionMatches, kSubOperation, kExists, kCompare };
  Kind kind = Kind::kAnd;
  std::vector<std::unique_ptr<Node>> kids;
  std::string text;  // ActionMatches pattern, SubOperation name, attribute key (lower-cased)
  AzOp op;
  Quant quant = Quant::kNone;
  std::vector<AzValue> rhs;
};

namespace {

using Node = AzureCondition::Node;

class AzParser {
 public:
  explicit AzParser(std::string_view s) : s_(s) {}

  std::unique_ptr<Node> ParseAll(std::string* err) {
    std::unique_ptr<Node> n = Seq();
    Ws();
    if (n && i_ != s_.size()) Fail("unexpected text at offset " + std::to_string(i_));
    if (!err_.empty()) {
      *err = "condition: " + err_;
      return nullptr;
    }
    return n;
  }

 private:
  void Fail(const std::string& why) {
    if (err_.empty()) err_ = why;
  }
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n'))
      ++i_;
  }
  static bool WordChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == ':' || c == '-' || c == '.';
  }
  std::string PeekWord() const {
    size_t j = i_;
    while (j < s_.size() && WordChar(s_[j])) ++j;
    return std::string(s_.substr(i_, j - i_));
  }
  // 1 = AND, 2 = OR, 0 = none; consumes it.
  int Connective() {
    Ws();
    if (s_.compare(i_, 2, "&&") == 0) return i_ += 2, 1;
    if (s_.compare(i_, 2, "||") == 0) return i_ += 2, 2;
    std::string w = PeekWord();
    if (IEq(w, "and")) return i_ += 3, 1;
    if (IEq(w, "or")) return i_ += 2, 2;
    return 0;
  }

  // A run of operands joined by one kind of connective.
  std::unique_ptr<Node> Seq() {
    std::unique_ptr<Node> first = Unary();
    if (!first) return nullptr;
    int kind = 0;
    std::vector<std::unique_ptr<Node>> items;
    items.push_back(std::move(first));
    while (true) {
      size_t save = i_;
      int c = Connective();
      if (c == 0) {
        i_ = save;
        break;
      }
      if (kind != 0 && c != kind) {
        Fail("AND and OR mixed without parentheses");
        return nullptr;
      }
      kind = c;
      std::unique_ptr<Node> next = Unary();
      if (!next) return nullptr;
      items.push_back(std::move(next));
    }
    if (items.size() == 1) return std::move(items[0]);
    auto n = std::make_unique<Node>();
    n->kind = kind == 1 ? Node::Kind::kAnd : Node::Kind::kOr;
    n->kids = std::move(items);
    return n;
  }

  std::unique_ptr<Node> Unary() {
    Ws();
    if (i_ < s_.size() && s_[i_] == '!') {
      ++i_;
      return Not(Unary());
    }
    if (IEq(PeekWord(), "not")) {
      i_ += 3;
      return Not(Unary());
    }
    if (i_ < s_.size() && s_[i_] == '(') {
      ++i_;
      std::unique_ptr<Node> inner = Seq();
      Ws();
      if (!inner) return nullptr;
      if (i_ >= s_.size() || s_[i_] != ')') {
        Fail("missing )");
        return nullptr;
      }
      ++i_;
      return inner;
    }
    return Primary();
  }

  std::unique_ptr<Node> Not(std::unique_ptr<Node> x) {
    if (!x) return nullptr;
    auto n = std::make_unique<Node>();
    n->kind = Node::Kind::kNot;
    n->kids.push_back(std::move(x));
    return n;
  }

  // `{'text'}` after ActionMatches / SubOperationMatches.
  bool BracedQuoted(std::string* out) {
    Ws();
    if (i_ >= s_.size() || s_[i_] != '{') return Fail("expected {"), false;
    ++i_;
    Ws();
    if (!Quoted(out)) return false;
    Ws();
    if (i_ >= s_.size() || s_[i_] != '}') return Fail("expected }"), false;
    ++i_;
    return true;
  }

  bool Quoted(std::string* out) {
    if (i_ >= s_.size() || s_[i_] != '\'') return Fail("expected a 'quoted string'"), false;
    size_t close = s_.find('\'', i_ + 1);
    if (close == std::string_view::npos) return Fail("unterminated string"), false;
    *out = std::string(s_.substr(i_ + 1, close - i_ - 1));
    i_ = close + 1;
    return true;
  }

  // @Resource[NAME] etc.: the whole reference text is the context key.
  bool Attribute(std::string* key) {
    static const char* kSources[] = {"@resource[", "@request[", "@principal[", "@environment["};
    for (const char* src : kSources) {
      size_t n = std::strlen(src);
      if (i_ + n <= s_.size() && IEq(s_.substr(i_, n), src)) {
        size_t close = s_.find(']', i_ + n);
        if (close == std::string_view::npos || close == i_ + n)
          return Fail("bad attribute reference"), false;
        *key = LowerStr(s_.substr(i_, close + 1 - i_));
        i_ = close + 1;
        return true;
      }
    }
    return Fail("expected an attribute (@Resource[...], @Request[...], ...)"), false;
  }

  std::unique_ptr<Node> Primary() {
    Ws();
    std::string w = PeekWord();
    auto n = std::make_unique<Node>();
    if (IEq(w, "actionmatches") || IEq(w, "suboperationmatches")) {
      i_ += w.size();
      n->kind = IEq(w, "actionmatches") ? Node::Kind::kActionMatches : Node::Kind::kSubOperation;
      if (!BracedQuoted(&n->text)) return nullptr;
      return n;
    }
    if (IEq(w, "exists")) {
      i_ += w.size();
      Ws();
      n->kind = Node::Kind::kExists;
      if (!Attribute(&n->text)) return nullptr;
      return n;
    }
    if (i_ < s_.size() && s_[i_] == '@') return Comparison();
    Fail("expected an expression at offset " + std::to_string(i_));
    return nullptr;
  }

  bool Operator(Node* n) {
    Ws();
    std::string w = PeekWord();
    i_ += w.size();
    std::string_view name = w;
    static const std::pair<const char*, Quant> kPrefixes[] = {
        {"foranyofanyvalues:", Quant::kAnyOfAny}, {"forallofanyvalues:", Quant::kAllOfAny},
        {"foranyofallvalues:", Quant::kAnyOfAll}, {"forallofallvalues:", Quant::kAllOfAll}};
    for (const auto& [prefix, q] : kPrefixes)
      if (StartsWithI(name, prefix)) {
        n->quant = q;
        name.remove_prefix(std::strlen(prefix));
      }
    std::optional<AzOp> op = FindAzureOp(name);
    if (!op) return Fail("unknown operator '" + w + "'"), false;
    n->op = *op;
    return true;
  }

  std::unique_ptr<Node> Comparison() {
    auto n = std::make_unique<Node>();
    n->kind = Node::Kind::kCompare;
    if (!Attribute(&n->text) || !Operator(n.get())) return nullptr;
    Ws();
    if (i_ < s_.size() && s_[i_] == '{') {
      if (n->quant == Quant::kNone)
        return Fail("a literal set needs a cross-product prefix"), nullptr;
      ++i_;
      while (true) {
        if (!Value(n.get())) return nullptr;
        Ws();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == '}') {
          ++i_;
          break;
        }
        return Fail("expected , or } in a literal set"), nullptr;
      }
    } else if (!Value(n.get())) {
      return nullptr;
    }
    return n;
  }

  // One literal, typed for the comparison's operator.
  bool Value(Node* n) {
    Ws();
    if (i_ < s_.size() && s_[i_] == '@') return Fail("comparing two attributes"), false;
    bool quoted = i_ < s_.size() && s_[i_] == '\'';
    std::string text;
    if (quoted) {
      if (!Quoted(&text)) return false;
    } else {
      text = PeekWord();
      if (text.empty()) return Fail("expected a value at offset " + std::to_string(i_)), false;
      i_ += text.size();
    }
    AzValue v;
    bool ok = false;
    switch (n->op.fam) {
      case AzFam::kString: ok = quoted, v.s = text; break;
      case AzFam::kNumeric:
        // The engine's documented bound: at most 2^53 in magnitude.
        if (auto x = quoted ? std::nullopt : ParseNumber(text, true); x && std::fabs(*x) <= 9007199254740992.0)
          ok = true, v.i = static_cast<long long>(*x);
        break;
      case AzFam::kDate:
        if (auto x = quoted ? ParseDate(text) : std::nullopt) ok = true, v.num = *x;
        break;
      case AzFam::kGuid:
        if (auto x = ParseGuid(text)) ok = true, v.s = *x;
        break;
      case AzFam::kBool:
        if (auto x = ParseBoolText(text)) ok = true, v.b = *x;
        break;
    }
    if (!ok) return Fail("a value of the wrong type: " + text), false;
    n->rhs.push_back(std::move(v));
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string err_;
};

bool EvalCompare(const Node& n, const RefContext& ctx) {
  auto it = ctx.find(n.text);
  if (it == ctx.end()) return false;  // absent: false, negated or not
  const bool multi = it->second.kind == RefValue::Kind::kList;
  std::vector<RefValue> left;
  if (multi)
    for (const std::string& s : it->second.list) left.push_back(RefValue::String(s));
  else
    left.push_back(it->second);
  if (n.quant == Quant::kNone) {
    if (multi) return false;
    std::optional<AzValue> l = ReadAzure(n.op.fam, left[0]);
    return l && AzPair(n.op, *l, n.rhs[0]);
  }
  const bool all_left = n.quant == Quant::kAllOfAny || n.quant == Quant::kAllOfAll;
  const bool all_right = n.quant == Quant::kAnyOfAll || n.quant == Quant::kAllOfAll;
  auto left_ok = [&](const RefValue& lv) {
    std::optional<AzValue> l = ReadAzure(n.op.fam, lv);
    if (!l) return false;
    for (const AzValue& r : n.rhs) {
      bool p = AzPair(n.op, *l, r);
      if (all_right && !p) return false;
      if (!all_right && p) return true;
    }
    return all_right;
  };
  for (const RefValue& lv : left) {
    bool ok = left_ok(lv);
    if (all_left && !ok) return false;
    if (!all_left && ok) return true;
  }
  return all_left;
}

bool EvalNode(const Node& n, const RefContext& ctx, std::string_view action) {
  switch (n.kind) {
    case Node::Kind::kAnd:
      for (const auto& k : n.kids)
        if (!EvalNode(*k, ctx, action)) return false;
      return true;
    case Node::Kind::kOr:
      for (const auto& k : n.kids)
        if (EvalNode(*k, ctx, action)) return true;
      return false;
    case Node::Kind::kNot: return !EvalNode(*n.kids[0], ctx, action);
    case Node::Kind::kActionMatches: {
      Glob g;
      for (uint32_t c : Cps(n.text)) g.push_back(c == '*' ? kStar : c == '?' ? kOne : c);
      return GlobMatchTokens(g, Cps(action), /*fold=*/true);
    }
    case Node::Kind::kSubOperation: {
      auto it = ctx.find("suboperation");
      return it != ctx.end() && it->second.kind == RefValue::Kind::kString &&
             IEq(it->second.str, n.text);
    }
    case Node::Kind::kExists: return ctx.count(n.text) > 0;
    case Node::Kind::kCompare: return EvalCompare(n, ctx);
  }
  return false;
}

}  // namespace

AzureCondition::AzureCondition() = default;
AzureCondition::~AzureCondition() = default;

std::unique_ptr<AzureCondition> AzureCondition::Parse(std::string_view text, std::string* error) {
  if (!ValidUtf8(text)) {
    *error = "condition is not valid UTF-8";
    return nullptr;
  }
  AzParser p(text);
  std::unique_ptr<Node> root = p.ParseAll(error);
  if (!root) return nullptr;
  std::unique_ptr<AzureCondition> c(new AzureCondition());
  c->root_ = std::move(root);
  return c;
}

bool AzureCondition::Holds(const RefContext& ctx, std::string_view action) const {
  return EvalNode(*root_, ctx, action);
}

// =============================================================================
// Statement resource patterns (SPEC §3, §11)
// =============================================================================
struct ResourcePattern::Impl {
  bool arn = false;
  Pieces whole;               // the pattern as one glob
  std::vector<Pieces> fields;  // arn: its six fields
};

ResourcePattern::ResourcePattern() = default;
ResourcePattern::~ResourcePattern() = default;

std::unique_ptr<ResourcePattern> ResourcePattern::Parse(std::string_view pattern, bool variables,
                                                        bool arn_fields, std::string* error) {
  std::unique_ptr<ResourcePattern> rp(new ResourcePattern());
  rp->impl_ = std::make_unique<Impl>();
  Impl& im = *rp->impl_;
  im.arn = arn_fields && IsArn(pattern);
  size_t from = 0;
  if (im.arn) {
    // Variables only after the fifth ':' of an ARN pattern.
    for (int k = 0; k < 5; ++k) from = pattern.find(':', from) + 1;
  }
  if (!ToPieces(pattern, variables, from, &im.whole, error)) return nullptr;
  if (im.arn) im.fields = SplitArnPieces(im.whole);
  return rp;
}

bool ResourcePattern::Matches(std::string_view resource, const RefContext& ctx) const {
  const Impl& im = *impl_;
  if (im.arn && IsArn(resource)) return ArnFieldsMatch(im.fields, resource, ctx);
  // §3's whole-string rule: case-insensitive for scopes only.
  const bool is_scope = !resource.empty() && resource[0] == '/';
  std::optional<Glob> g = Resolve(im.whole, ctx, /*wild=*/true);
  return g && GlobMatchTokens(*g, Cps(resource), /*fold=*/is_scope);
}

}  // namespace rolegate_ref
