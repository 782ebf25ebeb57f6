// AWS condition elements (SPEC §10 "AWS form"): one or more cases per rule.
#include "cond/aws_condition.h"

#include <deque>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rolegate/internal/text.h"

namespace rolegate::internal {
namespace {

using model::AwsCondition;
using model::ConditionKey;
using model::ConditionOperator;
using model::ConditionValue;
using Kind = ConditionValue::Kind;

ConditionValue S(std::string s, uint32_t off = 0) { return {Kind::kString, std::move(s), off}; }
ConditionValue N(std::string s) { return {Kind::kNumber, std::move(s), 0}; }
ConditionValue B(bool b) { return {Kind::kBool, b ? "true" : "false", 0}; }

ConditionOperator Op(std::string op, std::vector<ConditionKey> keys, uint32_t off = 0) {
  return ConditionOperator{model::Str{std::move(op), off}, std::move(keys)};
}
ConditionKey K(std::string key, std::vector<ConditionValue> values, uint32_t off = 0) {
  return ConditionKey{model::Str{std::move(key), off}, std::move(values)};
}
AwsCondition C(std::vector<ConditionOperator> ops) { return AwsCondition{std::move(ops), 0}; }
// One operator, one key.
AwsCondition One(std::string op, std::string key, std::vector<ConditionValue> values) {
  return C({Op(std::move(op), {K(std::move(key), std::move(values))})});
}

ContextEntry Str(std::string_view k, std::string_view v) {
  ContextEntry e;
  e.key = k;
  e.type = ValueType::kString;
  e.str = v;
  return e;
}
ContextEntry Num(std::string_view k, double v) {
  ContextEntry e;
  e.key = k;
  e.type = ValueType::kNumber;
  e.number = v;
  return e;
}
ContextEntry Boo(std::string_view k, bool v) {
  ContextEntry e;
  e.key = k;
  e.type = ValueType::kBool;
  e.boolean = v;
  return e;
}

class AwsCond : public ::testing::Test {
 protected:
  ContextEntry List(std::string_view k, std::vector<std::string_view> v) {
    lists_.push_back(std::move(v));
    ContextEntry e;
    e.key = k;
    e.type = ValueType::kStringList;
    e.list = lists_.back().data();
    e.list_size = lists_.back().size();
    return e;
  }

  // Compiles (expecting success) and evaluates against `ctx`.
  bool Eval(const AwsCondition& c, const std::vector<ContextEntry>& ctx, bool policy_variables = false) {
    AwsProgram prog;
    std::vector<CondError> errors;
    const bool ok = CompileAwsCondition(c, policy_variables, &keys_, &prog, &errors);
    EXPECT_TRUE(ok) << (errors.empty() ? "" : errors[0].pointer + ": " + errors[0].message);
    if (!ok) return false;
    std::vector<const ContextEntry*> by_key(keys_.size(), nullptr);
    for (const ContextEntry& e : ctx) {
      const uint32_t id = keys_.FindLower(AsciiLowerCopy(e.key));
      if (id != KeyTable::kNoKey) by_key[id] = &e;
    }
    ContextView view{by_key.data(), static_cast<uint32_t>(by_key.size())};
    CondEnv env;
    env.ctx = &view;
    return EvalAws(prog, env);
  }

  std::vector<CondError> Errors(const AwsCondition& c, bool policy_variables = false) {
    AwsProgram prog;
    std::vector<CondError> errors;
    EXPECT_FALSE(CompileAwsCondition(c, policy_variables, &keys_, &prog, &errors));
    EXPECT_FALSE(errors.empty());
    return errors;
  }

  KeyTable keys_;
  std::deque<std::vector<std::string_view>> lists_;
};

// ---- String operators ----------------------------------------------------------

TEST_F(AwsCond, StringEqualsIsExactAndCaseSensitive) {
  const auto c = One("StringEquals", "aws:username", {S("alice")});
  EXPECT_TRUE(Eval(c, {Str("aws:username", "alice")}));
  EXPECT_FALSE(Eval(c, {Str("aws:username", "Alice")}));
  EXPECT_FALSE(Eval(c, {Str("aws:username", "alice2")}));
}

TEST_F(AwsCond, KeyNamesCompareCaseInsensitively) {
  EXPECT_TRUE(Eval(One("StringEquals", "AWS:UserName", {S("alice")}), {Str("aws:username", "alice")}));
}

TEST_F(AwsCond, StringEqualsHasNoWildcards) {
  const auto c = One("StringEquals", "k", {S("a*")});
  EXPECT_FALSE(Eval(c, {Str("k", "abc")}));
  EXPECT_TRUE(Eval(c, {Str("k", "a*")}));
}

TEST_F(AwsCond, StringNotEqualsNeedsNoValueToMatch) {
  const auto c = One("StringNotEquals", "k", {S("a"), S("b")});
  EXPECT_TRUE(Eval(c, {Str("k", "c")}));
  EXPECT_FALSE(Eval(c, {Str("k", "a")}));
  EXPECT_FALSE(Eval(c, {Str("k", "b")}));
}

TEST_F(AwsCond, IgnoreCaseForms) {
  EXPECT_TRUE(Eval(One("StringEqualsIgnoreCase", "k", {S("Alice")}), {Str("k", "aLICE")}));
  EXPECT_FALSE(Eval(One("StringEqualsIgnoreCase", "k", {S("Alice")}), {Str("k", "bob")}));
  EXPECT_FALSE(Eval(One("StringNotEqualsIgnoreCase", "k", {S("Alice")}), {Str("k", "ALICE")}));
  EXPECT_TRUE(Eval(One("StringNotEqualsIgnoreCase", "k", {S("Alice")}), {Str("k", "bob")}));
}

TEST_F(AwsCond, StringLikeWildcards) {
  const auto c = One("StringLike", "k", {S("a*c"), S("x?z")});
  EXPECT_TRUE(Eval(c, {Str("k", "abbbc")}));
  EXPECT_TRUE(Eval(c, {Str("k", "ac")}));
  EXPECT_TRUE(Eval(c, {Str("k", "x\xC3\xA9z")}));  // ? is one code point (é)
  EXPECT_FALSE(Eval(c, {Str("k", "xz")}));
  EXPECT_FALSE(Eval(c, {Str("k", "Abc")}));  // case-sensitive
  EXPECT_TRUE(Eval(One("StringLike", "k", {S("a/*")}), {Str("k", "a/b/c:d")}));
}

TEST_F(AwsCond, StringNotLike) {
  const auto c = One("StringNotLike", "k", {S("a*"), S("*z")});
  EXPECT_TRUE(Eval(c, {Str("k", "bcd")}));
  EXPECT_FALSE(Eval(c, {Str("k", "abc")}));
  EXPECT_FALSE(Eval(c, {Str("k", "xyz")}));
}

TEST_F(AwsCond, StringLikeOnEmptyString) {
  EXPECT_TRUE(Eval(One("StringLike", "k", {S("*")}), {Str("k", "")}));
  EXPECT_FALSE(Eval(One("StringLike", "k", {S("?")}), {Str("k", "")}));
  EXPECT_TRUE(Eval(One("StringLike", "k", {S("")}), {Str("k", "")}));
  EXPECT_FALSE(Eval(One("StringLike", "k", {S("")}), {Str("k", "a")}));
}

TEST_F(AwsCond, EmptyValuesOnBothSides) {
  EXPECT_TRUE(Eval(One("StringEquals", "k", {S("")}), {Str("k", "")}));
  EXPECT_FALSE(Eval(One("StringEquals", "k", {S("")}), {Str("k", "x")}));
  EXPECT_FALSE(Eval(One("StringEquals", "k", {S("x")}), {Str("k", "")}));
  // An empty string is present, not absent.
  EXPECT_FALSE(Eval(One("StringNotEquals", "k", {S("")}), {Str("k", "")}));
  EXPECT_FALSE(Eval(One("Null", "k", {B(true)}), {Str("k", "")}));
}

TEST_F(AwsCond, StringOperatorsReadOnlyStrings) {
  // A number or boolean context value cannot be read: absent for the operator.
  EXPECT_FALSE(Eval(One("StringEquals", "k", {S("5")}), {Num("k", 5)}));
  EXPECT_TRUE(Eval(One("StringNotEquals", "k", {S("5")}), {Num("k", 5)}));
  EXPECT_FALSE(Eval(One("StringEquals", "k", {S("true")}), {Boo("k", true)}));
  EXPECT_TRUE(Eval(One("StringEqualsIfExists", "k", {S("true")}), {Boo("k", true)}));
}

// ---- Numeric -------------------------------------------------------------------

TEST_F(AwsCond, NumericOperators) {
  const std::vector<ContextEntry> ten = {Str("n", "10")};
  EXPECT_TRUE(Eval(One("NumericEquals", "n", {N("10")}), ten));
  EXPECT_TRUE(Eval(One("NumericEquals", "n", {S("10.0")}), ten));
  EXPECT_FALSE(Eval(One("NumericNotEquals", "n", {N("10")}), ten));
  EXPECT_TRUE(Eval(One("NumericNotEquals", "n", {N("11")}), ten));
  EXPECT_TRUE(Eval(One("NumericLessThan", "n", {N("11")}), ten));
  EXPECT_FALSE(Eval(One("NumericLessThan", "n", {N("10")}), ten));
  EXPECT_TRUE(Eval(One("NumericLessThanEquals", "n", {N("10")}), ten));
  EXPECT_FALSE(Eval(One("NumericLessThanEquals", "n", {N("9.5")}), ten));
  EXPECT_TRUE(Eval(One("NumericGreaterThan", "n", {N("9.99")}), ten));
  EXPECT_FALSE(Eval(One("NumericGreaterThan", "n", {N("10")}), ten));
  EXPECT_TRUE(Eval(One("NumericGreaterThanEquals", "n", {N("1e1")}), ten));
  EXPECT_FALSE(Eval(One("NumericGreaterThanEquals", "n", {N("11")}), ten));
}

TEST_F(AwsCond, NumericPolicyValueAsJsonNumberOrString) {
  EXPECT_TRUE(Eval(One("NumericLessThan", "n", {N("3600")}), {Num("n", 100)}));
  EXPECT_TRUE(Eval(One("NumericLessThan", "n", {S("3600")}), {Num("n", 100)}));
  EXPECT_TRUE(Eval(One("NumericLessThan", "n", {S("3600")}), {Str("n", "100")}));
  EXPECT_FALSE(Eval(One("NumericLessThan", "n", {N("3600")}), {Str("n", "3600")}));
}

TEST_F(AwsCond, NumericUnreadableRequestValueIsAbsent) {
  EXPECT_FALSE(Eval(One("NumericLessThan", "n", {N("5")}), {Str("n", "abc")}));
  EXPECT_FALSE(Eval(One("NumericLessThan", "n", {N("5")}), {Str("n", "0x1")}));
  EXPECT_FALSE(Eval(One("NumericLessThan", "n", {N("5")}), {Str("n", "-inf")}));
  EXPECT_FALSE(Eval(One("NumericLessThan", "n", {N("5")}), {Boo("n", true)}));
  EXPECT_TRUE(Eval(One("NumericNotEquals", "n", {N("5")}), {Str("n", "abc")}));
  EXPECT_TRUE(Eval(One("NumericLessThanIfExists", "n", {N("5")}), {Str("n", "abc")}));
}

// ---- Date ----------------------------------------------------------------------

TEST_F(AwsCond, DateIsoAndEpochOnBothSides) {
  const auto iso = One("DateLessThan", "aws:CurrentTime", {S("2020-01-02T00:00:00Z")});
  EXPECT_TRUE(Eval(iso, {Str("aws:CurrentTime", "2020-01-01T23:59:59Z")}));
  EXPECT_FALSE(Eval(iso, {Str("aws:CurrentTime", "2020-01-02")}));
  EXPECT_TRUE(Eval(iso, {Str("aws:CurrentTime", "1577836800")}));  // 2020-01-01T00:00:00Z
  EXPECT_TRUE(Eval(iso, {Num("aws:CurrentTime", 1577923199.5)}));
  EXPECT_FALSE(Eval(iso, {Num("aws:CurrentTime", 1577923200)}));
  const auto epoch = One("DateEquals", "t", {N("1577836800")});
  EXPECT_TRUE(Eval(epoch, {Str("t", "2020-01-01T00:00:00Z")}));
  EXPECT_TRUE(Eval(epoch, {Str("t", "2020-01-01T01:00:00+01:00")}));
  EXPECT_TRUE(Eval(epoch, {Str("t", "2020-01-01")}));
  EXPECT_FALSE(Eval(epoch, {Str("t", "2020-01-01T00:00:00.001Z")}));
}

TEST_F(AwsCond, DateOperators) {
  const std::vector<ContextEntry> t = {Str("t", "2020-06-01T12:00:00Z")};
  EXPECT_TRUE(Eval(One("DateNotEquals", "t", {S("2020-06-01")}), t));
  EXPECT_FALSE(Eval(One("DateNotEquals", "t", {S("2020-06-01T12:00:00.000Z")}), t));
  EXPECT_TRUE(Eval(One("DateLessThanEquals", "t", {S("2020-06-01T12:00:00Z")}), t));
  EXPECT_TRUE(Eval(One("DateGreaterThan", "t", {S("2020-06-01T11:59:59.999Z")}), t));
  EXPECT_FALSE(Eval(One("DateGreaterThan", "t", {S("2020-06-01T12:00:00Z")}), t));
  EXPECT_TRUE(Eval(One("DateGreaterThanEquals", "t", {S("2020-06-01T12:00:00Z")}), t));
}

TEST_F(AwsCond, DateUnreadableRequestValueIsAbsent) {
  EXPECT_FALSE(Eval(One("DateLessThan", "t", {S("2030-01-01")}), {Str("t", "yesterday")}));
  EXPECT_FALSE(Eval(One("DateLessThan", "t", {S("2030-01-01")}), {Str("t", "2020-02-30")}));
  EXPECT_TRUE(Eval(One("DateNotEquals", "t", {S("2030-01-01")}), {Str("t", "yesterday")}));
}

// ---- Bool, Binary ----------------------------------------------------------------

TEST_F(AwsCond, BoolJsonOrStringCaseInsensitive) {
  const auto c = One("Bool", "aws:SecureTransport", {B(true)});
  EXPECT_TRUE(Eval(c, {Boo("aws:SecureTransport", true)}));
  EXPECT_TRUE(Eval(c, {Str("aws:SecureTransport", "TRUE")}));
  EXPECT_TRUE(Eval(c, {Str("aws:SecureTransport", "true")}));
  EXPECT_FALSE(Eval(c, {Str("aws:SecureTransport", "false")}));
  EXPECT_FALSE(Eval(c, {Str("aws:SecureTransport", "yes")}));  // unreadable: absent
  EXPECT_FALSE(Eval(c, {Num("aws:SecureTransport", 1)}));
  EXPECT_TRUE(Eval(One("Bool", "b", {S("False")}), {Boo("b", false)}));
  EXPECT_TRUE(Eval(One("BoolIfExists", "b", {S("false")}), {}));
}

TEST_F(AwsCond, BinaryEqualsComparesBytes) {
  const auto c = One("BinaryEquals", "k", {S("QUJD")});  // "ABC"
  EXPECT_TRUE(Eval(c, {Str("k", "QUJD")}));
  EXPECT_FALSE(Eval(c, {Str("k", "QUJE")}));
  EXPECT_FALSE(Eval(c, {Str("k", "not base64!")}));
  EXPECT_TRUE(Eval(One("BinaryEquals", "k", {S("QQ==")}), {Str("k", "QQ")}));  // padding optional
}

// ---- IP --------------------------------------------------------------------------

TEST_F(AwsCond, IpAddressIpv4) {
  const auto c = One("IpAddress", "aws:SourceIp", {S("203.0.113.0/24"), S("198.51.100.7")});
  EXPECT_TRUE(Eval(c, {Str("aws:SourceIp", "203.0.113.200")}));
  EXPECT_TRUE(Eval(c, {Str("aws:SourceIp", "198.51.100.7")}));   // bare address: /32
  EXPECT_FALSE(Eval(c, {Str("aws:SourceIp", "198.51.100.8")}));
  EXPECT_FALSE(Eval(c, {Str("aws:SourceIp", "203.0.114.1")}));
  EXPECT_FALSE(Eval(c, {Str("aws:SourceIp", "not-an-ip")}));
  EXPECT_TRUE(Eval(c, {Str("aws:SourceIp", "::ffff:203.0.113.9")}));  // IPv4-mapped
}

TEST_F(AwsCond, IpAddressSlashZeroAndIpv6) {
  EXPECT_TRUE(Eval(One("IpAddress", "ip", {S("0.0.0.0/0")}), {Str("ip", "1.2.3.4")}));
  EXPECT_FALSE(Eval(One("IpAddress", "ip", {S("0.0.0.0/0")}), {Str("ip", "2001:db8::1")}));
  const auto v6 = One("IpAddress", "ip", {S("2001:db8::/32")});
  EXPECT_TRUE(Eval(v6, {Str("ip", "2001:db8:ffff::1")}));
  EXPECT_TRUE(Eval(v6, {Str("ip", "2001:DB8::")}));
  EXPECT_FALSE(Eval(v6, {Str("ip", "2001:db9::1")}));
  EXPECT_TRUE(Eval(One("IpAddress", "ip", {S("::/0")}), {Str("ip", "fe80::1")}));
  EXPECT_FALSE(Eval(One("IpAddress", "ip", {S("::/0")}), {Str("ip", "10.0.0.1")}));
  EXPECT_TRUE(Eval(One("IpAddress", "ip", {S("2001:db8::1")}), {Str("ip", "2001:0db8:0:0:0:0:0:1")}));
}

TEST_F(AwsCond, NotIpAddressMatchesNone) {
  const auto c = One("NotIpAddress", "ip", {S("10.0.0.0/8"), S("192.168.0.0/16")});
  EXPECT_TRUE(Eval(c, {Str("ip", "8.8.8.8")}));
  EXPECT_FALSE(Eval(c, {Str("ip", "10.1.1.1")}));
  EXPECT_FALSE(Eval(c, {Str("ip", "192.168.3.4")}));
  EXPECT_TRUE(Eval(c, {}));  // absent: negated operators hold
}

// ---- ARN -------------------------------------------------------------------------

TEST_F(AwsCond, ArnFieldByField) {
  const auto c = One("ArnLike", "aws:SourceArn", {S("arn:aws:s3:*:123456789012:bucket/*")});
  EXPECT_TRUE(Eval(c, {Str("aws:SourceArn", "arn:aws:s3:us-east-1:123456789012:bucket/a/b:c")}));
  EXPECT_TRUE(Eval(c, {Str("aws:SourceArn", "ARN:AWS:S3:us-east-1:123456789012:bucket/x")}));  // 1–5 fold
  EXPECT_FALSE(Eval(c, {Str("aws:SourceArn", "arn:aws:s3:us-east-1:123456789012:Bucket/x")}));  // 6 exact
  // The region `*` is confined to its field: it cannot swallow "a:b".
  EXPECT_FALSE(Eval(c, {Str("aws:SourceArn", "arn:aws:s3:a:b:123456789012:bucket/x")}));
  EXPECT_FALSE(Eval(c, {Str("aws:SourceArn", "arn:aws:s3:us-east-1:999:bucket/x")}));
}

TEST_F(AwsCond, ArnEqualsTakesWildcardsToo) {
  const auto c = One("ArnEquals", "a", {S("arn:aws:iam::*:role/admin")});
  EXPECT_TRUE(Eval(c, {Str("a", "arn:aws:iam::123:role/admin")}));
  EXPECT_FALSE(Eval(c, {Str("a", "arn:aws:iam::123:role/admin2")}));
}

TEST_F(AwsCond, NonArnMatchesNoArnPattern) {
  EXPECT_FALSE(Eval(One("ArnLike", "a", {S("arn:*:*:*:*:*")}), {Str("a", "not-an-arn")}));
  EXPECT_TRUE(Eval(One("ArnLike", "a", {S("arn:*:*:*:*:*")}), {Str("a", "arn:aws:s3:::")}));  // six fields
  EXPECT_FALSE(Eval(One("ArnEquals", "a", {S("arn:*:*:*:*:*")}), {Str("a", "arn:aws:s3")}));
  EXPECT_TRUE(Eval(One("ArnNotLike", "a", {S("arn:*:*:*:*:*")}), {Str("a", "not-an-arn")}));
  // A policy value that is not an ARN matches nothing.
  EXPECT_FALSE(Eval(One("ArnLike", "a", {S("*")}), {Str("a", "arn:aws:s3:::b")}));
  EXPECT_TRUE(Eval(One("ArnNotEquals", "a", {S("*")}), {Str("a", "arn:aws:s3:::b")}));
}

TEST_F(AwsCond, ArnNotEqualsAndNotLike) {
  const auto c = One("ArnNotLike", "a", {S("arn:aws:iam::111:*"), S("arn:aws:iam::222:*")});
  EXPECT_TRUE(Eval(c, {Str("a", "arn:aws:iam::333:role/x")}));
  EXPECT_FALSE(Eval(c, {Str("a", "arn:aws:iam::222:role/x")}));
  EXPECT_FALSE(Eval(One("ArnNotEquals", "a", {S("arn:aws:iam::1:root")}), {Str("a", "arn:aws:iam::1:root")}));
}

// ---- Null, IfExists, absent keys -------------------------------------------------------

TEST_F(AwsCond, NullTestsPresence) {
  EXPECT_TRUE(Eval(One("Null", "k", {B(true)}), {}));
  EXPECT_FALSE(Eval(One("Null", "k", {B(true)}), {Str("k", "x")}));
  EXPECT_TRUE(Eval(One("Null", "k", {S("false")}), {Str("k", "x")}));
  EXPECT_FALSE(Eval(One("Null", "k", {B(false)}), {}));
  EXPECT_TRUE(Eval(One("Null", "k", {B(false)}), {List("k", {})}));  // an empty list is present
}

TEST_F(AwsCond, AbsentKeyRules) {
  EXPECT_FALSE(Eval(One("StringEquals", "k", {S("x")}), {}));
  EXPECT_FALSE(Eval(One("StringLike", "k", {S("*")}), {}));
  EXPECT_FALSE(Eval(One("NumericLessThan", "k", {N("1")}), {}));
  EXPECT_FALSE(Eval(One("IpAddress", "k", {S("0.0.0.0/0")}), {}));
  EXPECT_FALSE(Eval(One("ArnLike", "k", {S("arn:*:*:*:*:*")}), {}));
  EXPECT_TRUE(Eval(One("StringNotEquals", "k", {S("x")}), {}));
  EXPECT_TRUE(Eval(One("StringNotLike", "k", {S("x")}), {}));
  EXPECT_TRUE(Eval(One("ArnNotEquals", "k", {S("arn:a:b:c:d:e")}), {}));
  EXPECT_TRUE(Eval(One("DateNotEquals", "k", {S("2020-01-01")}), {}));
}

TEST_F(AwsCond, IfExists) {
  const auto c = One("StringEqualsIfExists", "k", {S("x")});
  EXPECT_TRUE(Eval(c, {}));
  EXPECT_TRUE(Eval(c, {Str("k", "x")}));
  EXPECT_FALSE(Eval(c, {Str("k", "y")}));
  const auto neg = One("StringNotEqualsIfExists", "k", {S("x")});
  EXPECT_TRUE(Eval(neg, {}));
  EXPECT_FALSE(Eval(neg, {Str("k", "x")}));
  EXPECT_TRUE(Eval(neg, {Str("k", "y")}));
  EXPECT_TRUE(Eval(One("IpAddressIfExists", "ip", {S("10.0.0.0/8")}), {}));
  EXPECT_FALSE(Eval(One("IpAddressIfExists", "ip", {S("10.0.0.0/8")}), {Str("ip", "11.0.0.1")}));
  EXPECT_TRUE(Eval(One("ArnLikeIfExists", "a", {S("arn:*:*:*:*:x")}), {}));
}

TEST_F(AwsCond, IfExistsYieldsToSetPrefixForAbsentKey) {
  EXPECT_FALSE(Eval(One("ForAnyValue:StringEqualsIfExists", "k", {S("x")}), {}));
  EXPECT_TRUE(Eval(One("ForAllValues:StringEqualsIfExists", "k", {S("x")}), {}));
  EXPECT_TRUE(Eval(One("ForAnyValue:StringEqualsIfExists", "k", {S("x")}), {List("k", {"y", "x"})}));
}

// ---- Combination ---------------------------------------------------------------

TEST_F(AwsCond, OperatorsAndKeysAndValuesOr) {
  const auto c = C({Op("StringEquals", {K("a", {S("1"), S("2")}), K("b", {S("3")})}),
                    Op("StringLike", {K("c", {S("x*")})})});
  EXPECT_TRUE(Eval(c, {Str("a", "2"), Str("b", "3"), Str("c", "xy")}));
  EXPECT_TRUE(Eval(c, {Str("a", "1"), Str("b", "3"), Str("c", "x")}));
  EXPECT_FALSE(Eval(c, {Str("a", "4"), Str("b", "3"), Str("c", "xy")}));  // value OR fails
  EXPECT_FALSE(Eval(c, {Str("a", "1"), Str("b", "4"), Str("c", "xy")}));  // key AND fails
  EXPECT_FALSE(Eval(c, {Str("a", "1"), Str("b", "3"), Str("c", "y")}));   // operator AND fails
  EXPECT_FALSE(Eval(c, {Str("a", "1"), Str("b", "3")}));                  // c absent
}

// ---- Set prefixes and multi-valued keys ---------------------------------------------

TEST_F(AwsCond, MultiValuedKeyWithoutPrefixIsFalse) {
  const std::vector<ContextEntry> ctx = {List("k", {"x"})};
  EXPECT_FALSE(Eval(One("StringEquals", "k", {S("x")}), ctx));
  EXPECT_FALSE(Eval(One("StringNotEquals", "k", {S("y")}), ctx));
  EXPECT_FALSE(Eval(One("StringEqualsIfExists", "k", {S("x")}), ctx));
  EXPECT_FALSE(Eval(One("StringNotEqualsIfExists", "k", {S("y")}), ctx));
  EXPECT_FALSE(Eval(One("StringNotEquals", "k", {S("y")}), {List("k", {})}));
}

TEST_F(AwsCond, ForAnyValue) {
  const auto c = One("ForAnyValue:StringEquals", "aws:TagKeys", {S("env"), S("team")});
  EXPECT_TRUE(Eval(c, {List("aws:TagKeys", {"owner", "team"})}));
  EXPECT_FALSE(Eval(c, {List("aws:TagKeys", {"owner", "cost"})}));
  EXPECT_TRUE(Eval(c, {Str("aws:TagKeys", "env")}));  // a single value is a set of one
  EXPECT_FALSE(Eval(c, {}));                           // absent
  EXPECT_FALSE(Eval(c, {List("aws:TagKeys", {})}));    // empty
}

TEST_F(AwsCond, ForAllValues) {
  const auto c = One("ForAllValues:StringLike", "aws:TagKeys", {S("env*"), S("team")});
  EXPECT_TRUE(Eval(c, {List("aws:TagKeys", {"env-a", "team"})}));
  EXPECT_FALSE(Eval(c, {List("aws:TagKeys", {"env-a", "owner"})}));
  EXPECT_TRUE(Eval(c, {}));                            // absent
  EXPECT_TRUE(Eval(c, {List("aws:TagKeys", {})}));     // empty
}

TEST_F(AwsCond, SetPrefixRulesBeatNegatedRuleForAbsentOrEmpty) {
  EXPECT_FALSE(Eval(One("ForAnyValue:StringNotEquals", "k", {S("x")}), {}));
  EXPECT_FALSE(Eval(One("ForAnyValue:StringNotEquals", "k", {S("x")}), {List("k", {})}));
  EXPECT_TRUE(Eval(One("ForAllValues:StringNotEquals", "k", {S("x")}), {}));
  EXPECT_TRUE(Eval(One("ForAllValues:StringNotEquals", "k", {S("x")}), {List("k", {})}));
}

TEST_F(AwsCond, NegatedOperatorsUnderSetPrefixes) {
  const auto any = One("ForAnyValue:StringNotEquals", "k", {S("a"), S("b")});
  EXPECT_TRUE(Eval(any, {List("k", {"a", "c"})}));  // c matches none of a, b
  EXPECT_FALSE(Eval(any, {List("k", {"a", "b"})}));
  const auto all = One("ForAllValues:StringNotEquals", "k", {S("a"), S("b")});
  EXPECT_TRUE(Eval(all, {List("k", {"c", "d"})}));
  EXPECT_FALSE(Eval(all, {List("k", {"c", "a"})}));
}

TEST_F(AwsCond, SetPrefixOnNonStringOperators) {
  EXPECT_TRUE(Eval(One("ForAnyValue:NumericLessThan", "n", {N("5")}), {List("n", {"7", "3"})}));
  EXPECT_FALSE(Eval(One("ForAllValues:NumericLessThan", "n", {N("5")}), {List("n", {"7", "3"})}));
  EXPECT_TRUE(Eval(One("ForAllValues:IpAddress", "ip", {S("10.0.0.0/8")}), {List("ip", {"10.1.1.1", "10.2.2.2"})}));
  // An unreadable list element stays in the set and is judged as an absent
  // key without a prefix: false for a plain operator, true for a negated one
  // or IfExists. A single unreadable value makes the key absent.
  const auto all_lt = One("ForAllValues:NumericLessThan", "n", {N("5")});
  EXPECT_FALSE(Eval(all_lt, {List("n", {"abc", "3"})}));
  EXPECT_FALSE(Eval(all_lt, {List("n", {"abc"})}));
  EXPECT_FALSE(Eval(all_lt, {List("n", {"3", "10abc"})}));
  EXPECT_TRUE(Eval(all_lt, {Str("n", "abc")}));
  EXPECT_TRUE(Eval(all_lt, {List("n", {})}));
  EXPECT_FALSE(Eval(One("ForAnyValue:NumericLessThan", "n", {N("5")}), {List("n", {"abc"})}));
  EXPECT_TRUE(Eval(One("ForAnyValue:NumericLessThan", "n", {N("5")}), {List("n", {"abc", "3"})}));
  EXPECT_FALSE(Eval(One("ForAnyValue:NumericLessThan", "n", {N("5")}), {Str("n", "abc")}));
  EXPECT_TRUE(Eval(One("ForAnyValue:NumericNotEquals", "n", {N("5")}), {List("n", {"abc"})}));
  EXPECT_TRUE(Eval(One("ForAllValues:NumericNotEquals", "n", {N("5")}), {List("n", {"abc", "4"})}));
  EXPECT_FALSE(Eval(One("ForAllValues:NumericNotEquals", "n", {N("5")}), {List("n", {"abc", "5"})}));
  EXPECT_TRUE(Eval(One("ForAllValues:NumericLessThanIfExists", "n", {N("5")}), {List("n", {"abc", "3"})}));
}

// ---- Policy variables ------------------------------------------------------------------

TEST_F(AwsCond, PolicyVariableSubstitutedOnlyWithPolicyVariables) {
  const auto c = One("StringEquals", "s3:prefix", {S("home/${aws:username}/")});
  EXPECT_TRUE(Eval(c, {Str("s3:prefix", "home/alice/"), Str("aws:username", "alice")}, true));
  EXPECT_FALSE(Eval(c, {Str("s3:prefix", "home/bob/"), Str("aws:username", "alice")}, true));
  EXPECT_FALSE(Eval(c, {Str("s3:prefix", "home/alice/"), Str("aws:username", "alice")}, false));
  EXPECT_TRUE(Eval(c, {Str("s3:prefix", "home/${aws:username}/")}, false));  // literal text
}

TEST_F(AwsCond, PolicyVariableDefaultAndUnresolved) {
  const auto def = One("StringEquals", "k", {S("${aws:username, 'nobody'}")});
  EXPECT_TRUE(Eval(def, {Str("k", "nobody")}, true));
  EXPECT_TRUE(Eval(def, {Str("k", "alice"), Str("aws:username", "alice")}, true));
  const auto c = One("StringEquals", "k", {S("${aws:username}")});
  EXPECT_FALSE(Eval(c, {Str("k", "")}, true));                                  // unresolved
  EXPECT_FALSE(Eval(c, {Str("k", "5"), Num("aws:username", 5)}, true));        // not a string
  EXPECT_FALSE(Eval(c, {Str("k", "a"), List("aws:username", {"a"})}, true));   // not single-valued
  // The unresolved value matches nothing, so a negated operator holds...
  EXPECT_TRUE(Eval(One("StringNotEquals", "k", {S("${aws:username}")}), {Str("k", "")}, true));
  // ...and another value of the key still may match.
  EXPECT_TRUE(Eval(One("StringEquals", "k", {S("${aws:username}"), S("b")}), {Str("k", "b")}, true));
}

TEST_F(AwsCond, SubstitutedTextMatchesLiterally) {
  const auto c = One("StringLike", "k", {S("${aws:username}-*")});
  const ContextEntry star = Str("aws:username", "a*");
  EXPECT_TRUE(Eval(c, {Str("k", "a*-x"), star}, true));
  EXPECT_FALSE(Eval(c, {Str("k", "abc-x"), star}, true));
  EXPECT_TRUE(Eval(c, {Str("k", "a*-"), star}, true));
}

TEST_F(AwsCond, LiteralVariables) {
  EXPECT_TRUE(Eval(One("StringLike", "k", {S("a${*}b")}), {Str("k", "a*b")}, true));
  EXPECT_FALSE(Eval(One("StringLike", "k", {S("a${*}b")}), {Str("k", "axb")}, true));
  EXPECT_TRUE(Eval(One("StringLike", "k", {S("${?}")}), {Str("k", "?")}, true));
  EXPECT_FALSE(Eval(One("StringLike", "k", {S("${?}")}), {Str("k", "x")}, true));
  EXPECT_TRUE(Eval(One("StringEquals", "k", {S("${$}{x}")}), {Str("k", "${x}")}, true));
}

TEST_F(AwsCond, PolicyVariablesInArnValues) {
  const auto c = One("ArnLike", "aws:SourceArn", {S("arn:aws:iam::${aws:PrincipalAccount}:role/*")});
  const ContextEntry acct = Str("aws:PrincipalAccount", "123");
  EXPECT_TRUE(Eval(c, {Str("aws:SourceArn", "arn:aws:iam::123:role/x"), acct}, true));
  EXPECT_FALSE(Eval(c, {Str("aws:SourceArn", "arn:aws:iam::456:role/x"), acct}, true));
  // A variable holding a whole ARN is split into fields after substitution.
  const auto whole = One("ArnEquals", "a", {S("${aws:PrincipalTag/arn}")});
  EXPECT_TRUE(Eval(whole, {Str("a", "arn:aws:eks:us-east-1:1:cluster/c"),
                           Str("aws:PrincipalTag/arn", "arn:aws:eks:us-east-1:1:cluster/c")},
                   true));
  EXPECT_FALSE(Eval(whole, {Str("a", "arn:aws:eks:us-east-1:1:cluster/c")}, true));
}

TEST_F(AwsCond, VariablesAreNotReadByOtherOperators) {
  const auto errors = Errors(One("NumericEquals", "n", {S("${aws:x}")}), true);
  EXPECT_EQ(errors[0].pointer, "/NumericEquals/n");
}

// ---- Compile errors ----------------------------------------------------------------

TEST_F(AwsCond, UnknownOperatorHasPointerAndOffset) {
  auto errors = Errors(C({Op("StringEquals", {K("k", {S("x")})}), Op("StringEqual", {K("k", {S("x")})}, 42)}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/StringEqual");
  EXPECT_EQ(errors[0].off, 42u);
  EXPECT_NE(errors[0].message.find("unknown"), std::string::npos);
  Errors(One("stringequals", "k", {S("x")}));
  Errors(One("ForSomeValues:StringEquals", "k", {S("x")}));
  Errors(One("NullIfExists", "k", {B(true)}));
  Errors(One("ForAnyValue:Null", "k", {B(true)}));
  Errors(One("StringEqualsIfExistsIfExists", "k", {S("x")}));
}

TEST_F(AwsCond, EmptyBlocksAreErrors) {
  EXPECT_EQ(Errors(C({}))[0].pointer, "");
  EXPECT_EQ(Errors(C({Op("StringEquals", {})}))[0].pointer, "/StringEquals");
  EXPECT_EQ(Errors(One("StringEquals", "k", {}))[0].pointer, "/StringEquals/k");
}

TEST_F(AwsCond, WrongValueTypes) {
  EXPECT_EQ(Errors(One("Bool", "b", {N("1")}))[0].pointer, "/Bool/b");
  Errors(One("Bool", "b", {S("yes")}));
  Errors(One("Null", "b", {S("maybe")}));
  Errors(One("Null", "b", {N("0")}));
  Errors(One("NumericLessThan", "n", {S("ten")}));
  Errors(One("NumericLessThan", "n", {B(true)}));
  Errors(One("NumericLessThan", "n", {S("nan")}));
  Errors(One("DateLessThan", "d", {S("tomorrow")}));
  Errors(One("DateLessThan", "d", {S("2020-13-01")}));
  Errors(One("DateLessThan", "d", {B(false)}));
  Errors(One("IpAddress", "ip", {S("10.0.0.0/33")}));
  Errors(One("IpAddress", "ip", {S("example.com")}));
  Errors(One("IpAddress", "ip", {N("10")}));
  Errors(One("BinaryEquals", "k", {S("QQ=")}));
  Errors(One("StringEquals", "k", {N("5")}));
  Errors(One("StringLike", "k", {B(true)}));
  Errors(One("ArnLike", "k", {N("1")}));
  Errors(One("StringEquals", "k", {S("${unterminated")}), true);
  Errors(One("StringEquals", "k", {S("${}")}), true);
  Errors(One("StringEquals", "k", {S("${a, nobody}")}), true);
}

TEST_F(AwsCond, ValuePointersAreEscapedAndIndexed) {
  const auto errors = Errors(C({Op("IpAddress", {K("aws:PrincipalTag/a~b", {S("1.2.3.4"), S("bad", 77)})})}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/IpAddress/aws:PrincipalTag~1a~0b/1");
  EXPECT_EQ(errors[0].off, 77u);
}

TEST_F(AwsCond, AllErrorsAreReported) {
  const auto errors = Errors(C({Op("Nope", {K("k", {S("x")})}), Op("Bool", {K("a", {N("1")}), K("b", {S("x")})})}));
  EXPECT_EQ(errors.size(), 3u);
}

TEST_F(AwsCond, NoContextAtAll) {
  AwsProgram prog;
  std::vector<CondError> errors;
  ASSERT_TRUE(CompileAwsCondition(One("StringNotEquals", "k", {S("x")}), false, &keys_, &prog, &errors));
  EXPECT_TRUE(EvalAws(prog, CondEnv{}));
  ASSERT_TRUE(CompileAwsCondition(One("StringEquals", "k", {S("x")}), false, &keys_, &prog, &errors));
  EXPECT_FALSE(EvalAws(prog, CondEnv{}));
}

}  // namespace
}  // namespace rolegate::internal
