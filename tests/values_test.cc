// Condition value parsers (lib/cond/values.h).
#include "cond/values.h"

#include <string>

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"

namespace rolegate::internal {
namespace {

int64_t Secs(std::string_view s) {
  const auto t = ParseIsoDateTime(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t ? t->seconds : -1;
}

TEST(Values, IsoDates) {
  EXPECT_EQ(Secs("1970-01-01"), 0);
  EXPECT_EQ(Secs("2020-01-01"), 1577836800);
  EXPECT_EQ(Secs("2020-01-01T12:00:00Z"), 1577880000);
  EXPECT_EQ(Secs("2020-01-01t12:00:00z"), 1577880000);
  EXPECT_EQ(Secs("2020-01-01T12:00Z"), 1577880000);
  EXPECT_EQ(Secs("2020-01-01T12:00:00"), 1577880000);
  EXPECT_EQ(Secs("2020-01-01T14:00:00+02:00"), 1577880000);
  EXPECT_EQ(Secs("2020-01-01T06:30:00-0530"), 1577880000);
  EXPECT_EQ(Secs("2020-02-29"), 1582934400);
  EXPECT_EQ(Secs("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(Secs("9999-12-31T23:59:59Z"), 253402300799);
  const auto frac = ParseIsoDateTime("2020-01-01T00:00:00.25Z");
  ASSERT_TRUE(frac);
  EXPECT_EQ(frac->nanos, 250000000u);
  EXPECT_LT(*ParseIsoDateTime("2020-01-01T00:00:00.123456789Z"), *ParseIsoDateTime("2020-01-01T00:00:00.12345679Z"));
  for (const char* bad : {"", "2020", "2020-1-01", "2020-13-01", "2021-02-29", "2020-01-32", "2020-01-01T24:00:00Z",
                          "2020-01-01T12:60Z", "2020-01-01T12:00:60Z", "2020-01-01T12:00:00.Z",
                          "2020-01-01T12:00:00.1234567890Z", "2020-01-01 12:00:00Z", "2020-01-01T12:00:00ZZ",
                          "2020-01-01T12:00:00+2", "2020-01-01T12:00:00+24:00", "2020-01-01T12", "x2020-01-01",
                          "2020-01-01T12:00:00Z ", "2020-01-01T12.5:00Z"})
    EXPECT_FALSE(ParseIsoDateTime(bad)) << bad;
}

TEST(Values, EpochSeconds) {
  EXPECT_EQ(ParseEpochSeconds("1577836800")->seconds, 1577836800);
  EXPECT_EQ(ParseEpochSeconds("0")->seconds, 0);
  const auto neg = ParseEpochSeconds("-1.25");
  ASSERT_TRUE(neg);
  EXPECT_EQ(neg->seconds, -2);
  EXPECT_EQ(neg->nanos, 750000000u);
  EXPECT_EQ(*ParseDateValue("1577836800"), *ParseDateValue("2020-01-01"));
  for (const char* bad : {"", "-", "1e9", "+1", "1.", ".5", "12a", "1234567890123", " 1"})
    EXPECT_FALSE(ParseEpochSeconds(bad)) << bad;
}

TEST(Values, Numbers) {
  EXPECT_EQ(*ParseNumber("10"), 10);
  EXPECT_EQ(*ParseNumber("-2.5"), -2.5);
  EXPECT_EQ(*ParseNumber("+3"), 3);
  EXPECT_EQ(*ParseNumber("007"), 7);
  EXPECT_EQ(*ParseNumber("1e3"), 1000);
  EXPECT_EQ(*ParseNumber("1.5E-1"), 0.15);
  for (const char* bad : {"", "-", "+", "0x10", "inf", "-inf", "nan", "NaN", "1e", "1.", ".5", " 1", "1 ", "1e999",
                          "1,5", "--1", "+-1"})
    EXPECT_FALSE(ParseNumber(bad)) << bad;
  EXPECT_EQ(*ParseInteger("-42"), -42);
  EXPECT_EQ(*ParseInteger("+42"), 42);
  for (const char* bad : {"", "-", "+", "1.0", "99999999999999999999", "+-1", "1e3"})
    EXPECT_FALSE(ParseInteger(bad)) << bad;
}

TEST(Values, Bools) {
  EXPECT_EQ(ParseBoolText("TRUE"), std::optional<bool>(true));
  EXPECT_EQ(ParseBoolText("fAlSe"), std::optional<bool>(false));
  for (const char* bad : {"", "1", "0", "yes", "true ", "tru"}) EXPECT_FALSE(ParseBoolText(bad)) << bad;
}

bool In(std::string_view cidr, std::string_view addr) {
  const auto c = ParseCidr(cidr);
  const auto a = ParseIpAddress(addr);
  EXPECT_TRUE(c) << cidr;
  EXPECT_TRUE(a) << addr;
  return c && a && CidrContains(*c, *a);
}

TEST(Values, Ipv4) {
  EXPECT_TRUE(In("10.0.0.0/8", "10.255.1.2"));
  EXPECT_FALSE(In("10.0.0.0/8", "11.0.0.0"));
  EXPECT_TRUE(In("10.1.2.3/8", "10.9.9.9"));  // host bits cleared
  EXPECT_TRUE(In("0.0.0.0/0", "255.255.255.255"));
  EXPECT_TRUE(In("192.168.1.7", "192.168.1.7"));
  EXPECT_FALSE(In("192.168.1.7", "192.168.1.6"));
  EXPECT_TRUE(In("192.168.1.0/25", "192.168.1.127"));
  EXPECT_FALSE(In("192.168.1.0/25", "192.168.1.128"));
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/08",
                          "1.2.3.4/-1", " 1.2.3.4", "1.2.3.4 ", "a.b.c.d", "1..2.3"})
    EXPECT_FALSE(ParseCidr(bad)) << bad;
}

TEST(Values, Ipv6) {
  EXPECT_TRUE(In("2001:db8::/32", "2001:db8:1:2:3:4:5:6"));
  EXPECT_FALSE(In("2001:db8::/32", "2001:db9::"));
  EXPECT_TRUE(In("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  EXPECT_TRUE(In("::1", "0:0:0:0:0:0:0:1"));
  EXPECT_TRUE(In("fe80::/10", "febf::1"));
  EXPECT_FALSE(In("fe80::/10", "fec0::1"));
  EXPECT_TRUE(In("1:2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7:8"));
  EXPECT_TRUE(In("64:ff9b::/96", "64:ff9b::1.2.3.4"));
  for (const char* bad : {":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "::g", "1:",
                          ":1", "::/129", "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7::8:9"})
    EXPECT_FALSE(ParseCidr(bad)) << bad;
}

TEST(Values, Ipv4MappedIsIpv4) {
  EXPECT_TRUE(In("10.0.0.0/8", "::ffff:10.1.2.3"));
  EXPECT_TRUE(In("10.0.0.0/8", "::FFFF:a01:203"));
  EXPECT_TRUE(In("::ffff:10.0.0.0/104", "10.1.2.3"));
  EXPECT_FALSE(In("::ffff:10.0.0.0/104", "11.1.2.3"));
  EXPECT_FALSE(ParseCidr("::ffff:0:0/95"));  // spans non-mapped IPv6 too
  // Families are otherwise disjoint.
  EXPECT_FALSE(In("::/0", "1.2.3.4"));
  EXPECT_FALSE(In("0.0.0.0/0", "::1"));
}

TEST(Values, Base64AgreesWithAbseil) {
  for (const char* text : {"", "QQ==", "QUI=", "QUJD", "QUJDRA==", "+/+/", "AAEC"}) {
    std::string want;
    ASSERT_TRUE(absl::Base64Unescape(text, &want)) << text;
    EXPECT_EQ(DecodeBase64String(text), std::optional<std::string>(want)) << text;
  }
  EXPECT_EQ(DecodeBase64String("QQ"), std::optional<std::string>("A"));  // padding optional
  for (const char* bad : {"Q", "QQ=", "Q===", "====", "QU JD", "QUJD\n", "QR==", "-_-_", "QUJD="})
    EXPECT_FALSE(DecodeBase64String(bad)) << bad;
  char small[2];
  size_t len = 0;
  EXPECT_FALSE(DecodeBase64("QUJD", small, sizeof small, &len));  // does not fit
}

TEST(Values, Guids) {
  char a[32], b[32];
  ASSERT_TRUE(NormalizeGuid("49fc33c1886f4b21a00e1d9993234734", a));
  ASSERT_TRUE(NormalizeGuid("49FC33C1-886F-4B21-A00E-1D9993234734", b));
  EXPECT_EQ(std::string(a, 32), std::string(b, 32));
  EXPECT_EQ(std::string(a, 32), "49fc33c1886f4b21a00e1d9993234734");
  for (const char* bad : {"", "49fc33c1886f4b21a00e1d999323473", "49fc33c1886f4b21a00e1d99932347345",
                          "{49fc33c1-886f-4b21-a00e-1d9993234734}", "49fc33c1886f-4b21-a00e-1d9993234734-",
                          "49fc33c1-886f4b21-a00e-1d99932347-34", "g9fc33c1886f4b21a00e1d9993234734"})
    EXPECT_FALSE(NormalizeGuid(bad, a)) << bad;
}

// Garbage of every kind is rejected or parsed, never a crash (run under ASan
// by the sanitizer build).
TEST(Values, RandomBytesNeverCrash) {
  uint64_t seed = 99;
  auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(seed >> 33);
  };
  const std::string alpha = "0123456789abcdefABCDEF:./-+TZz=%[] e\x80";
  char buf[64], guid[32];
  size_t len = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s;
    for (uint32_t i = next() % 24; i > 0; --i) s += alpha[next() % alpha.size()];
    (void)ParseIsoDateTime(s);
    (void)ParseDateValue(s);
    (void)ParseNumber(s);
    (void)ParseInteger(s);
    (void)ParseBoolText(s);
    if (auto c = ParseCidr(s)) {
      EXPECT_LE(c->prefix, c->base.v6 ? 128 : 32) << s;
      EXPECT_TRUE(CidrContains(*c, c->base)) << s;
    }
    (void)DecodeBase64(s, buf, sizeof buf, &len);
    (void)NormalizeGuid(s, guid);
  }
}

}  // namespace
}  // namespace rolegate::internal
