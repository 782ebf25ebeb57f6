// tests/context_test.cc — a query's context and asserted groups as the
// library validates them (SPEC §10 "Context", §13), whatever the caller:
// every bad context or group list is invalid_input, never truncated, never
// an allow.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "rolegate/policy.h"

namespace {

using rolegate::ContextEntry;
using rolegate::Reason;
using rolegate::ValueType;

// One Allow statement that holds only with aws:username = alice; a grant to
// a group only.
constexpr char kBundle[] = R"json({"version": 1,
  "actions": [{"name": "svc/read"}],
  "roles": [{"id": "r", "actions": ["svc/read"]}],
  "groups": [{"id": "grp:g", "members": ["user:x"]}],
  "assignments": [{"id": "a", "principal": "grp:g", "role": "r", "scope": "/s"}],
  "statements": [{"id": "st", "principal": "user:u", "effect": "Allow", "actions": ["svc/read"],
                  "resources": ["*"], "condition": {"StringEquals": {"aws:username": "alice"}}}]})json";

class ContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = rolegate::Compile(kBundle, rolegate::Limits{}, nullptr);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = std::move(*p);
  }
  rolegate::Decision Check(std::string_view principal, const std::vector<ContextEntry>& ctx,
                           const std::vector<std::string_view>& groups = {}) {
    rolegate::Query q;
    q.principal = principal;
    q.action = "svc/read";
    q.resource = "/s/x";
    q.context = {ctx.data(), ctx.size()};
    q.groups = {groups.data(), groups.size()};
    const rolegate::Decision d = policy_->Check(q);
    EXPECT_EQ(d, policy_->Explain(q).decision);
    return d;
  }
  static ContextEntry Str(std::string_view k, std::string_view v) {
    ContextEntry e;
    e.key = k;
    e.type = ValueType::kString;
    e.str = v;
    return e;
  }
  std::unique_ptr<rolegate::Policy> policy_;
};

TEST_F(ContextTest, AConditionReadsTheContext) {
  EXPECT_TRUE(Check("user:u", {Str("aws:username", "alice")}).allowed);
  EXPECT_TRUE(Check("user:u", {Str("AWS:UserName", "alice")}).allowed);  // keys compare case-insensitively
  EXPECT_EQ(Check("user:u", {Str("aws:username", "bob")}).reason, Reason::kConditionNotMet);
  EXPECT_EQ(Check("user:u", {}).reason, Reason::kConditionNotMet);
}

TEST_F(ContextTest, BadContextsAreInvalidInput) {
  const std::string big(4097, 'a');
  ContextEntry nan = Str("n", "");
  nan.type = ValueType::kNumber;
  nan.number = std::numeric_limits<double>::quiet_NaN();
  ContextEntry inf = nan;
  inf.number = std::numeric_limits<double>::infinity();
  ContextEntry bad_type = Str("t", "x");
  bad_type.type = static_cast<ValueType>(9);
  ContextEntry null_list = Str("l", "");
  null_list.type = ValueType::kStringList;
  null_list.list_size = 2;  // with no list
  std::vector<std::string_view> values(257, "v");
  ContextEntry too_many = Str("l", "");
  too_many.type = ValueType::kStringList;
  too_many.list = values.data();
  too_many.list_size = values.size();
  const std::vector<std::vector<ContextEntry>> bad = {
      {Str("aws:username", "alice"), Str("AWS:USERNAME", "alice")},  // a key given twice
      {Str("", "x")},                                               // an empty key
      {Str("k", big)},                                              // a string over 4096 bytes
      {Str(big, "x")},                                              // a key over 4096 bytes
      {Str("k", "\xff\xfe")},                                       // not UTF-8
      {nan}, {inf}, {bad_type}, {null_list}, {too_many}};
  for (const auto& ctx : bad) {
    const rolegate::Decision d = Check("user:u", ctx);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.reason, Reason::kInvalidInput) << ctx.size() << " entries, first key " << ctx[0].key.size();
  }
  std::vector<ContextEntry> many(1025, Str("k", "v"));
  std::vector<std::string> keys(1025);
  for (size_t i = 0; i < many.size(); ++i) keys[i] = "k" + std::to_string(i), many[i].key = keys[i];
  EXPECT_EQ(Check("user:u", many).reason, Reason::kInvalidInput);
  many.pop_back();  // exactly 1,024 distinct keys is fine
  many.push_back(Str("aws:username", "alice"));
  many.erase(many.begin());
  EXPECT_TRUE(Check("user:u", many).allowed);
}

TEST_F(ContextTest, AssertedGroups) {
  EXPECT_EQ(Check("user:y", {}).reason, Reason::kNoGrant);
  EXPECT_TRUE(Check("user:y", {}, {"grp:g"}).allowed);
  EXPECT_EQ(Check("user:y", {}, {"grp:unknown"}).reason, Reason::kNoGrant);
  EXPECT_EQ(Check("user:y", {}, {""}).reason, Reason::kInvalidInput);
  EXPECT_EQ(Check("user:y", {}, {"\xff"}).reason, Reason::kInvalidInput);
  std::vector<std::string_view> many(1025, "grp:g");
  EXPECT_EQ(Check("user:y", {}, many).reason, Reason::kInvalidInput);
  many.pop_back();
  EXPECT_TRUE(Check("user:y", {}, many).allowed);  // 1,024 (duplicates count) is within the limit
}

}  // namespace
