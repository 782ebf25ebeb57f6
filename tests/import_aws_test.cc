// import_aws_test.cc — `rolegate import aws` (lib/import/aws.h) on an
// authorization-details export generated from the real AWS managed policies
// (/work/shared/data/aws/raw), and on malformed inputs.
//
// The generated export attaches every one of the 1,645 managed policies to
// exactly one of 40 users, 40 groups or 40 roles, spread over two pages (a
// paginated call), with a third of the policy documents URL-encoded as the IAM
// API returns them, a non-default version beside some defaults, inline
// policies with conditions, NotAction and NotResource, a group whose
// AttachedManagedPolicies is one object, trust policies and an unknown group
// name. Skipped, with a message, when the data is absent.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "import/aws.h"
#include "rolegate/policy.h"
#include "rolegate/query.h"
#include "import/report.h"
#include "model/writer.h"
#include "rolegate/internal/glob.h"
#include "simdjson.h"

namespace rolegate::internal {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The shared data directory: $ROLEGATE_SHARED_DIR (a worktree's build sees
// ../shared relative to its own checkout, which may not exist), else the build's.
std::string RawDir() {
  const char* env = std::getenv("ROLEGATE_SHARED_DIR");
  return std::string(env != nullptr ? env : ROLEGATE_SHARED_DIR) + "/data/aws/raw/";
}
const std::string kRaw = RawDir();
constexpr int kPrincipalsPerKind = 40;

std::string Q(std::string_view s) {
  std::string out;
  AppendJsonQuoted(&out, s);
  return out;
}

// RFC 3986 percent-encoding of everything but the unreserved characters, as
// IAM returns policy documents.
std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

struct ManagedSource {
  std::string name, arn, version, document;  // document: minified JSON
};

std::vector<ManagedSource> LoadManaged() {
  std::vector<ManagedSource> out;
  simdjson::dom::parser parser;
  simdjson::dom::array root;
  if (parser.load(kRaw + "aws-managed-policies.json").get_array().get(root)) return out;
  for (simdjson::dom::element el : root) {
    simdjson::dom::object p;
    std::string_view name, arn, version;
    simdjson::dom::element doc;
    if (el.get_object().get(p) || p["name"].get_string().get(name) || p["document"].get(doc)) return {};
    ManagedSource m;
    m.name = std::string(name);
    // 75 entries of the dataset have a null ARN: AWS's form for a policy at path "/".
    m.arn = p["arn"].get_string().get(arn) ? "arn:aws:iam::aws:policy/" + m.name : std::string(arn);
    m.version = p["version"].get_string().get(version) ? "v1" : std::string(version);
    m.document = simdjson::minify(doc);
    out.push_back(std::move(m));
  }
  return out;
}

// Which principal policy i is attached to: kind (0 user, 1 group, 2 role), index.
std::pair<int, int> Owner(size_t i) { return {static_cast<int>(i % 3), static_cast<int>((i / 3) % kPrincipalsPerKind)}; }

std::string Attached(const std::vector<ManagedSource>& m, int kind, int index) {
  std::string out = "[";
  for (size_t i = 0; i < m.size(); ++i) {
    if (Owner(i) != std::pair{kind, index}) continue;
    if (out.size() > 1) out += ",";
    out += "{\"PolicyName\":" + Q(m[i].name) + ",\"PolicyArn\":" + Q(m[i].arn) + "}";
  }
  return out + "]";
}

// Inline policies: conditions with number and boolean values, NotAction,
// NotResource, a literal action the catalog lacks, a resource-policy statement.
const char* kInlineUser =
    R"({"Version":"2012-10-17","Statement":[)"
    R"({"Sid":"Tagged","Effect":"Allow","Action":"ec2:StartInstances","Resource":"*",)"
    R"("Condition":{"StringEquals":{"aws:ResourceTag/team":["ml","infra"]},"NumericLessThan":{"s3:max-keys":10},)"
    R"("Bool":{"aws:MultiFactorAuthPresent":true}}},)"
    R"({"Effect":"Allow","Action":"madeupservice:DoThing","Resource":"arn:aws:s3:::bucket/${aws:username}/*"},)"
    R"({"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"}]})";
const char* kInlineUserDeny =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:Get*","iam:List*"],"Resource":"*"}]})";
const char* kInlineGroup =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:*:123456789012:q3"}]})";
const char* kInlineRole =
    R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::safe","arn:aws:s3:::safe/*"]}})";
const char* kTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})";

std::string PrincipalEntry(const std::vector<ManagedSource>& m, int kind, int k) {
  static const char* kNames[] = {"User", "Group", "Role"};
  static const char* kPath[] = {"user", "group", "role"};
  const std::string name = std::string(kPath[kind]) + "-" + std::to_string(k);
  std::string e = "{\"" + std::string(kNames[kind]) + "Name\":" + Q(name) + ",\"Arn\":" +
                  Q("arn:aws:iam::123456789012:" + std::string(kPath[kind]) + "/" + name) +
                  ",\"Path\":\"/\",\"CreateDate\":\"2024-01-01T00:00:00Z\"";
  std::string inline_docs = "[]";
  if (kind == 0 && k == 0) inline_docs = "[{\"PolicyName\":\"deny\",\"PolicyDocument\":" + std::string(kInlineUserDeny) + "}]";
  if (kind == 0 && k == 1) inline_docs = "[{\"PolicyName\":\"cond\",\"PolicyDocument\":" + std::string(kInlineUser) + "}]";
  if (kind == 1 && k == 3) inline_docs = "[{\"PolicyName\":\"members\",\"PolicyDocument\":" + std::string(kInlineGroup) + "}]";
  if (kind == 2 && k == 0) inline_docs = "[{\"PolicyName\":\"guard\",\"PolicyDocument\":" + Q(UrlEncode(kInlineRole)) + "}]";
  e += ",\"" + std::string(kNames[kind]) + "PolicyList\":" + inline_docs;
  e += ",\"AttachedManagedPolicies\":" + Attached(m, kind, k);
  if (kind == 0) {
    e += ",\"GroupList\":[" + Q("group-" + std::to_string(k)) + "," +
         Q("group-" + std::to_string((k + 1) % kPrincipalsPerKind)) + (k == 7 ? ",\"ghost\"" : "") + "]";
    e += ",\"Tags\":[]";
  }
  if (kind == 2) e += ",\"AssumeRolePolicyDocument\":" + Q(UrlEncode(kTrust)) + ",\"RoleLastUsed\":{}";
  return e + "}";
}

// Policies [begin, end): every third document URL-encoded; every tenth
// policy also has an older, non-default version that allows everything
// (must not be imported).
std::string PoliciesJson(const std::vector<ManagedSource>& m, size_t begin, size_t end) {
  std::string out = "[";
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += ",\n";
    const std::string doc = i % 3 == 1 ? Q(UrlEncode(m[i].document)) : m[i].document;
    out += "{\"PolicyName\":" + Q(m[i].name) + ",\"Arn\":" + Q(m[i].arn) + ",\"DefaultVersionId\":" +
           Q(m[i].version) + ",\"PolicyVersionList\":[";
    if (i % 10 == 0)
      out += R"({"Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]},)"
             R"("VersionId":"v0-old","IsDefaultVersion":false},)";
    out += "{\"Document\":" + doc + ",\"VersionId\":" + Q(m[i].version) + ",\"IsDefaultVersion\":true}]}";
  }
  return out + "]";
}

// Two pages: users and the first half of the policies; groups, roles and the rest.
std::vector<std::pair<std::string, std::string>> GeneratePages(const std::vector<ManagedSource>& m) {
  std::string p1 = "{\"UserDetailList\":[";
  for (int k = 0; k < kPrincipalsPerKind; ++k) p1 += (k ? ",\n" : "") + PrincipalEntry(m, 0, k);
  p1 += "],\"Policies\":" + PoliciesJson(m, 0, m.size() / 2) + ",\"IsTruncated\":true,\"Marker\":\"abc\"}";
  std::string p2 = "{\"GroupDetailList\":[";
  for (int k = 0; k < kPrincipalsPerKind; ++k) p2 += (k ? ",\n" : "") + PrincipalEntry(m, 1, k);
  // A group with its one attachment written as an object.
  p2 += R"(,{"GroupName":"solo","Arn":"arn:aws:iam::123456789012:group/solo","GroupPolicyList":[],)"
        R"("AttachedManagedPolicies":{"PolicyName":"ReadOnlyAccess","PolicyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}})";
  p2 += "],\"RoleDetailList\":[";
  for (int k = 0; k < kPrincipalsPerKind; ++k) p2 += (k ? ",\n" : "") + PrincipalEntry(m, 2, k);
  p2 += "],\"Policies\":" + PoliciesJson(m, m.size() / 2, m.size()) + ",\"IsTruncated\":false}";
  return {{"page1.json", std::move(p1)}, {"page2.json", std::move(p2)}};
}

class ImportAwsReal : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    managed_ = new std::vector<ManagedSource>(LoadManaged());
  }
  static void TearDownTestSuite() { delete managed_; }
  void SetUp() override {
    if (managed_->empty()) GTEST_SKIP() << "no AWS data under " << kRaw;
  }
  AwsImportInputs Inputs() const {
    AwsImportInputs in;
    in.authorization_details = GeneratePages(*managed_);
    in.actions_csv = {{"aws-actions.csv", ReadAll(kRaw + "aws-actions.csv")}};
    return in;
  }
  static std::vector<ManagedSource>* managed_;
};
std::vector<ManagedSource>* ImportAwsReal::managed_ = nullptr;

TEST_F(ImportAwsReal, SummaryFiguresArePinned) {
  ASSERT_EQ(managed_->size(), 1645u);
  const AwsImportInputs in = Inputs();
  model::Bundle b;
  ImportReport r;
  const auto t0 = std::chrono::steady_clock::now();
  const absl::Status s = ImportAws(in, &b, &r);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(s.ok()) << s;
  std::cout << "import of " << in.authorization_details[0].second.size() + in.authorization_details[1].second.size()
            << " bytes: " << ms << " ms\n"
            << WriteImportReportJson(r).substr(0, 1200) << "\n";
  std::map<std::string, uint64_t> want_imported = {
      {"users", 40}, {"groups", 41}, {"roles", 40}, {"group_memberships", 80},
      {"inline_policies", 4}, {"managed_policies", 1645}, {"managed_policy_attachments", 1646},
      {"managed_policy_versions_not_default", 165},
      // 9,033 managed statements + ReadOnlyAccess's 3 again (group solo) + 2 + 1 user inline
      // (one Allow with a Principal skipped) + 1 group inline + 1 role inline.
      {"statements", 9033 + 3 + 2 + 1 + 1 + 1},
      // ReadOnlyAccess has one conditional statement; the user's inline policy one.
      {"statements_with_condition", 3926 + 1 + 1},
      {"statements_with_not_action", 14 + 1},
      {"statements_with_not_resource", 15 + 1},
      {"actions_from_csv", 21123},
      {"actions_added_from_policies", 381},
      {"actions", 21123 + 381}};
  EXPECT_EQ(r.imported, want_imported);
  std::map<std::string, uint64_t> want_counts = {
      {"action_not_in_catalog", 381}, {"trust_policy", 40}, {"unknown_group", 1},
      {"resource_policy_statement", 1}, {"not_in_input", 1}, {"action_case_duplicate", 0}};
  for (const auto& [k, n] : want_counts) EXPECT_EQ(r.counts[k], n) << k;
  EXPECT_EQ(b.statements.size(), 9033u + 8);
  EXPECT_EQ(b.groups.size(), 41u);
  EXPECT_EQ(b.actions.size(), 21123u + 381);
}


std::string Show(const Decision& d) { return std::string(d.allowed ? "allow/" : "deny/") + std::string(ReasonName(d.reason)); }

// Same inputs, same bytes; and the bundle compiles.
TEST_F(ImportAwsReal, DeterministicAndCompiles) {
  const AwsImportInputs in = Inputs();
  model::Bundle b1, b2;
  ImportReport r1, r2;
  ASSERT_TRUE(ImportAws(in, &b1, &r1).ok());
  ASSERT_TRUE(ImportAws(in, &b2, &r2).ok());
  const std::string j1 = WriteBundleJson(b1);
  EXPECT_EQ(j1, WriteBundleJson(b2));
  EXPECT_EQ(WriteImportReportJson(r1), WriteImportReportJson(r2));
  std::vector<Diagnostic> diags;
  auto policy = Compile(j1, Limits{}, &diags);
  ASSERT_TRUE(policy.ok()) << policy.status() << (diags.empty() ? "" : " first: " + diags[0].pointer + " " + diags[0].message);
}

class ImportAwsFacts : public ImportAwsReal {
 protected:
  void SetUp() override {
    ImportAwsReal::SetUp();
    if (IsSkipped()) return;
    model::Bundle b;
    ImportReport r;
    ASSERT_TRUE(ImportAws(Inputs(), &b, &r).ok());
    auto p = Compile(WriteBundleJson(b), Limits{}, nullptr);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = std::move(*p);
  }
  std::string Ask(std::string_view principal, std::string_view action, std::string_view resource,
                  const Context& ctx = {}) const {
    Query q;
    q.principal = principal;
    q.action = action;
    q.resource = resource;
    q.context = ctx;
    return Show(policy_->Explain(q).decision);
  }
  std::unique_ptr<Policy> policy_;
};

constexpr std::string_view kSolo = "arn:aws:iam::123456789012:group/solo";

// ReadOnlyAccess (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ReadOnlyAccess.html)
// allows s3:Get* and s3:List* but no write: GetObject yes, PutObject no.
TEST_F(ImportAwsFacts, ReadOnlyAccessReadsButDoesNotWriteS3) {
  EXPECT_EQ(Ask(kSolo, "s3:GetObject", "arn:aws:s3:::bucket/key"), "allow/statement");
  EXPECT_EQ(Ask(kSolo, "s3:PutObject", "arn:aws:s3:::bucket/key"), "deny/no_grant");
  EXPECT_EQ(Ask(kSolo, "iam:CreateUser", "*"), "deny/no_grant");
}

// The same page documents its conditional statement: s3express:CreateSession
// only with "s3express:SessionMode" = "ReadOnly" (StringEquals).
TEST_F(ImportAwsFacts, ConditionalStatementNeedsItsConditionKey) {
  const std::string_view bucket = "arn:aws:s3express:us-east-1:123456789012:bucket/b--use1-az4--x-s3";
  EXPECT_EQ(Ask(kSolo, "s3express:CreateSession", bucket), "deny/condition_not_met");
  ContextEntry ro{"s3express:SessionMode", ValueType::kString, "ReadOnly"};
  EXPECT_EQ(Ask(kSolo, "s3express:CreateSession", bucket, Context{&ro, 1}), "allow/statement");
  ContextEntry rw{"s3express:SessionMode", ValueType::kString, "ReadWrite"};
  EXPECT_EQ(Ask(kSolo, "s3express:CreateSession", bucket, Context{&rw, 1}), "deny/condition_not_met");
}

// Membership: user-k is in group-k and group-(k+1), so group-3's inline
// statement reaches user-3 and user-2 but not user-5; NotAction and NotResource
// denies keep their sense.
TEST_F(ImportAwsFacts, MembershipNotActionNotResource) {
  auto rule = [&](std::string_view user) {
    Query q;
    q.principal = user;
    q.action = "sqs:SendMessage";
    q.resource = "arn:aws:sqs:us-east-1:123456789012:q3";
    const Explanation e = policy_->Explain(q);
    return Show(e.decision) + " " + std::string(e.rule);
  };
  EXPECT_EQ(rule("arn:aws:iam::123456789012:user/user-3"), "allow/statement group/group-3/inline/members/0");
  // user-2 (groups 2 and 3) also holds AWSDenyAll, which "denies all access"
  // (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSDenyAll.html):
  // a Deny statement wins over the group's Allow (SPEC §3 step 5 before 7).
  EXPECT_EQ(rule("arn:aws:iam::123456789012:user/user-2"), "deny/deny_statement user/user-2/managed/AWSDenyAll/0");
  EXPECT_NE(rule("arn:aws:iam::123456789012:user/user-5"), "allow/statement group/group-3/inline/members/0");
  const std::string u0 = "arn:aws:iam::123456789012:user/user-0";
  // user-0's inline Deny NotAction [iam:Get*, iam:List*]: everything else is denied.
  EXPECT_EQ(Ask(u0, "s3:GetObject", "arn:aws:s3:::b/k"), "deny/deny_statement");
  EXPECT_NE(Ask(u0, "iam:GetUser", "*"), "deny/deny_statement");
  const std::string r0 = "arn:aws:iam::123456789012:role/role-0";
  // role-0's inline Deny s3:* NotResource [safe, safe/*].
  EXPECT_EQ(Ask(r0, "s3:GetObject", "arn:aws:s3:::other/k"), "deny/deny_statement");
  EXPECT_NE(Ask(r0, "s3:GetObject", "arn:aws:s3:::safe/k"), "deny/deny_statement");
}

// The user's inline conditional Allow (ec2:StartInstances) holds only when
// all three operators do. role-1 has no such statement: user-1 is used, whose
// groups (1, 2) and managed policies may or may not grant it otherwise, so
// the deciding rule is what is checked.
TEST_F(ImportAwsFacts, InlineConditionKeepsValueKinds) {
  const std::string u = "arn:aws:iam::123456789012:user/user-1";
  auto rule = [&](const std::vector<ContextEntry>& ctx) {
    Query q;
    q.principal = u;
    q.action = "ec2:StartInstances";
    q.resource = "arn:aws:ec2:us-east-1:123456789012:instance/i-1";
    q.context = Context{ctx.data(), ctx.size()};
    return std::string(policy_->Explain(q).rule);
  };
  const std::string id = "user/user-1/inline/cond/0";
  ContextEntry team{"aws:ResourceTag/team", ValueType::kString, "infra"};
  ContextEntry keys{"s3:max-keys", ValueType::kNumber, "", 3};
  ContextEntry many{"s3:max-keys", ValueType::kNumber, "", 30};
  ContextEntry mfa{"aws:MultiFactorAuthPresent", ValueType::kBool, "", 0, true};
  EXPECT_EQ(rule({team, keys, mfa}), id);
  EXPECT_NE(rule({team, many, mfa}), id);
  EXPECT_NE(rule({team, keys}), id);
  EXPECT_NE(rule({}), id);
}

}  // namespace
}  // namespace rolegate::internal
