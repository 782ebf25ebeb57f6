// tests/text_test.cc — the word-at-a-time scanner against the obvious
// byte-at-a-time definition, for every byte value at every position, and the
// glob matcher on hand cases.
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "rolegate/internal/glob.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal {
namespace {

void Reference(const std::string& s, std::string* lower, bool* ctl, bool* high) {
  *ctl = *high = false;
  lower->clear();
  for (unsigned char b : s) {
    *ctl |= b < 0x20 || b == 0x7F;
    *high |= b >= 0x80;
    lower->push_back(b >= 'A' && b <= 'Z' ? static_cast<char>(b + 32) : static_cast<char>(b));
  }
}

TEST(LowerAndScan, EveryByteAtEveryPosition) {
  for (size_t len : {1u, 7u, 8u, 9u, 16u, 23u}) {
    for (size_t pos = 0; pos < len; ++pos) {
      for (int b = 0; b < 256; ++b) {
        std::string s(len, 'm');
        s[pos] = static_cast<char>(b);
        std::string want, got(len, '\0');
        bool wc, wh, gc, gh;
        Reference(s, &want, &wc, &wh);
        LowerAndScan(s.data(), s.size(), got.data(), &gc, &gh);
        ASSERT_EQ(got, want) << "len " << len << " pos " << pos << " byte " << b;
        ASSERT_EQ(gc, wc) << "len " << len << " pos " << pos << " byte " << b;
        ASSERT_EQ(gh, wh) << "len " << len << " pos " << pos << " byte " << b;
      }
    }
  }
}

TEST(LowerAndScan, RandomStrings) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'A' + rng() % 58);
    std::string want, got(s.size(), '\0');
    bool wc, wh, gc, gh;
    Reference(s, &want, &wc, &wh);
    LowerAndScan(s.data(), s.size(), got.data(), &gc, &gh);
    ASSERT_EQ(got, want);
    ASSERT_EQ(gc, wc);
    ASSERT_EQ(gh, wh);
  }
}

TEST(GlobMatch, Basics) {
  EXPECT_TRUE(GlobMatch("*", "", false));
  EXPECT_TRUE(GlobMatch("*", "a/b/c", false));
  EXPECT_TRUE(GlobMatch("a*c", "abbbc", false));
  EXPECT_FALSE(GlobMatch("a*c", "abbbd", false));
  EXPECT_TRUE(GlobMatch("a?c", "abc", false));
  EXPECT_FALSE(GlobMatch("a?c", "ac", false));
  EXPECT_TRUE(GlobMatch("a?c", "a\xc3\xa9" "c", false));      // ? is one code point
  EXPECT_TRUE(GlobMatch("a?c", "a\xf0\x9f\x98\x80" "c", false));
  EXPECT_FALSE(GlobMatch("a??c", "a\xc3\xa9" "c", false));
  EXPECT_TRUE(GlobMatch("*/read", "Microsoft.Compute/virtualMachines/read", false));
  EXPECT_FALSE(GlobMatch("*/READ", "x/read", false));
  EXPECT_TRUE(GlobMatch("*/READ", "x/read", true));
  EXPECT_TRUE(GlobMatch("gh-*", "gh-", false));
  EXPECT_TRUE(GlobMatch("*a*b*c*", "xxaxxbxxcxx", false));
  EXPECT_FALSE(GlobMatch("*a*b*c*", "xxaxxcxxbxx", false));
  EXPECT_TRUE(GlobMatch("**", "abc", false));
  EXPECT_FALSE(GlobMatch("abc", "abcd", false));
  EXPECT_FALSE(GlobMatch("abcd", "abc", false));
}

}  // namespace
}  // namespace rolegate::internal
