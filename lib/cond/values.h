// lib/cond/values.h — parsing of condition values shared by the AWS and Azure
// condition forms (SPEC §10): dates, numbers, booleans, IP addresses and
// CIDRs, base64 and GUIDs.
//
// Policy-side values are parsed once, at compile time; request-side values
// come with each query and are parsed when a condition reads them, so every
// function here that takes a context value is allocation-free, works on the
// caller's bytes or a fixed stack buffer, and runs in time linear in its
// input. Every parser is strict: the whole text must be the value (no
// leading or trailing space, no trailing garbage), and anything it does not
// accept is "not a value of this type" (std::nullopt / false), never a guess.
#ifndef ROLEGATE_LIB_COND_VALUES_H_
#define ROLEGATE_LIB_COND_VALUES_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rolegate::internal {

// ---- Dates -------------------------------------------------------------------

// A point in time: whole seconds since 1970-01-01T00:00:00Z plus nanoseconds
// (0 <= nanos < 1e9, also for times before the epoch: -0.5 s is {-1, 5e8}).
// Fixed-point, so fractional seconds compare exactly and years 0000–9999
// all fit (int64 nanoseconds alone would stop at 2262).
struct Timestamp {
  int64_t seconds = 0;
  uint32_t nanos = 0;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// ISO 8601, the forms AWS and Azure policies use:
//   2020-01-01                      (midnight UTC)
//   2020-01-01T12:00Z  2020-01-01T12:00:00Z  2020-01-01T12:00:00.123456789Z
//   2020-01-01T12:00:00+02:00  ...-0530  (offset; "+hh:mm" or "+hhmm")
//   2020-01-01T12:00:00             (no zone: UTC, as AWS reads it)
// 'T' and 'Z' may be lower-case; up to 9 fractional digits. Calendar-checked
// (2021-02-29 and 24:00 are rejected; no leap second). Years 0000–9999.
std::optional<Timestamp> ParseIsoDateTime(std::string_view text);

// Epoch seconds: an optional '-', 1–12 digits, optionally '.' and 1–9
// fractional digits ("1577836800", "1577836800.5"). No exponent, no '+'.
std::optional<Timestamp> ParseEpochSeconds(std::string_view text);

// Either of the above (SPEC §10: "ISO 8601 or epoch seconds, on both sides").
// Unambiguous: an ISO date always has '-' after its four year digits.
std::optional<Timestamp> ParseDateValue(std::string_view text);

// ---- Numbers and booleans ----------------------------------------------------

// A decimal number, the whole text: [+-]? digits ( '.' digits )? ( [eE] [+-]? digits )?
// Leading zeros are allowed ("007": AWS request values are text). No hex, no
// inf/nan, no ".5" or "5.", no spaces; a value outside double's range is
// rejected (never inf).
std::optional<double> ParseNumber(std::string_view text);

// An integer in int64 range: [+-]? digits (used by Azure's integer Numeric*).
std::optional<int64_t> ParseInteger(std::string_view text);

// "true" / "false" in any ASCII case; anything else is not a boolean.
std::optional<bool> ParseBoolText(std::string_view text);

// ---- IP addresses and CIDRs --------------------------------------------------

// An IPv4 or IPv6 address. IPv4 uses bytes[0..4); IPv6 all 16.
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, any spelling) are stored as
// the IPv4 address a.b.c.d, in addresses and CIDRs alike (a mapped CIDR
// with prefix >= 96 becomes the IPv4 CIDR of prefix - 96), so the two
// spellings of one host always agree. Otherwise the families are disjoint:
// no IPv4 address is inside an IPv6 CIDR (not even ::/0) and vice versa —
// the narrower reading, so an IpAddress grant never reaches a family its
// author did not write.
struct IpAddress {
  bool v6 = false;
  uint8_t bytes[16] = {};
};

// Dotted-quad IPv4 (exactly four decimal parts 0–255, no leading zeros, so
// "010.0.0.1" is not silently octal or decimal) or RFC 4291 IPv6 text (hex
// groups, one "::", an optional trailing dotted quad). Zone ids ("%eth0")
// and brackets are rejected.
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// An address range: `addr/prefix` or a bare address (/32 or /128). Prefix is
// decimal, no leading zeros, 0–32 (IPv4) or 0–128 (IPv6); "/0" is the whole
// family. Host bits below the prefix are cleared ("10.1.2.3/8" is 10.0.0.0/8,
// as AWS accepts it).
struct Cidr {
  IpAddress base;      // host bits cleared
  uint8_t prefix = 0;  // in bits of base's family
};
std::optional<Cidr> ParseCidr(std::string_view text);

// True when `addr` is of cidr's family and its first `prefix` bits equal
// cidr's. O(1).
bool CidrContains(const Cidr& cidr, const IpAddress& addr);

// ---- Base64 ------------------------------------------------------------------

// Standard base64 (RFC 4648 alphabet "+/"), padding optional but, when
// present, correct; no whitespace, no URL alphabet. Writes the bytes to
// out[0..*out_len) and returns true; false when the text is not base64 or
// the bytes would exceed `cap`. Allocation-free (query time).
bool DecodeBase64(std::string_view text, char* out, size_t cap, size_t* out_len);

// Compile-time convenience: the decoded bytes, or nullopt. Same acceptance
// as DecodeBase64.
std::optional<std::string> DecodeBase64String(std::string_view text);

// ---- GUIDs -------------------------------------------------------------------

// A GUID as 32 lower-case hex digits. Accepts exactly 32 hex digits, or the
// 8-4-4-4-12 dashed form (36 characters), in any case; anything else
// (braces, dashes elsewhere, wrong length) is not a GUID. Writes 32 bytes to
// `out` (no NUL) and returns true. Allocation-free.
bool NormalizeGuid(std::string_view text, char out[32]);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_COND_VALUES_H_
