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
  static AwsImportInputs Inputs() {
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
  // For measuring the CLI on the same export: ROLEGATE_IMPORT_AWS_DUMP=DIR
  // writes the two pages there.
  if (const char* dir = std::getenv("ROLEGATE_IMPORT_AWS_DUMP"))
    for (const auto& [name, text] : in.authorization_details) std::ofstream(std::string(dir) + "/" + name) << text;
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

// One import and compile shared by the fact tests.
class ImportAwsFacts : public ImportAwsReal {
 protected:
  static void SetUpTestSuite() {
    ImportAwsReal::SetUpTestSuite();
    if (managed_->empty()) return;
    model::Bundle b;
    ImportReport r;
    if (!ImportAws(Inputs(), &b, &r).ok()) return;
    auto p = Compile(WriteBundleJson(b), Limits{}, nullptr);
    if (p.ok()) policy_ = p->release();
  }
  static void TearDownTestSuite() {
    delete policy_;
    policy_ = nullptr;
    ImportAwsReal::TearDownTestSuite();
  }
  void SetUp() override {
    ImportAwsReal::SetUp();
    if (IsSkipped()) return;
    ASSERT_NE(policy_, nullptr) << "the generated export did not import and compile";
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
  static Policy* policy_;
};
Policy* ImportAwsFacts::policy_ = nullptr;

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

// ---- Small inputs: no data needed -------------------------------------------------

constexpr const char* kCsv = "service_prefix,action,access_level\ns3,GetObject,Read\ns3,PutObject,Write\nS3,getobject,Read\n";

absl::Status RunImport(const std::string& doc, model::Bundle* b, ImportReport* r, bool ignore_boundaries = false,
                 const std::string& csv = kCsv) {
  AwsImportInputs in;
  in.authorization_details = {{"in.json", doc}};
  in.actions_csv = {{"actions.csv", csv}};
  in.ignore_permission_boundaries = ignore_boundaries;
  return ImportAws(in, b, r);
}

std::string ErrorOf(const std::string& doc, const std::string& csv = kCsv) {
  model::Bundle b;
  ImportReport r;
  const absl::Status s = RunImport(doc, &b, &r, false, csv);
  return s.ok() ? "OK" : std::string(s.message());
}

const std::string kPolicyArn = "arn:aws:iam::123456789012:policy/p";
std::string RoleWith(const std::string& inline_doc, const std::string& extra = "") {
  return R"({"RoleDetailList":[{"RoleName":"r","Arn":"arn:aws:iam::123456789012:role/r","RolePolicyList":[)"
         R"({"PolicyName":"i","PolicyDocument":)" + inline_doc + "}]" + extra + "}]}";
}

TEST(ImportAws, DefaultVersionOnlyAndCaseFoldedCatalog) {
  const std::string doc =
      R"({"RoleDetailList":[{"RoleName":"r","Arn":"arn:aws:iam::123456789012:role/r",)"
      R"("AttachedManagedPolicies":[{"PolicyName":"p","PolicyArn":"arn:aws:iam::123456789012:policy/p"}]}],)"
      R"("Policies":[{"PolicyName":"p","Arn":"arn:aws:iam::123456789012:policy/p","DefaultVersionId":"v2",)"
      R"("PolicyVersionList":[{"Document":{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}},"VersionId":"v1","IsDefaultVersion":false},)"
      R"({"Document":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab+c%2F*%22%7D%5D%7D",)"
      R"("VersionId":"v2","IsDefaultVersion":true}]}]})";
  model::Bundle b;
  ImportReport r;
  ASSERT_TRUE(RunImport(doc, &b, &r).ok());
  ASSERT_EQ(b.statements.size(), 1u);
  EXPECT_EQ(b.statements[0].id.s, "role/r/managed/p/0");
  EXPECT_EQ(b.statements[0].actions[0].s, "s3:GetObject");
  EXPECT_EQ(b.statements[0].resources[0].s, "arn:aws:s3:::b+c/*");  // '+' is literal, not a space
  ASSERT_TRUE(b.statements[0].policy_version.has_value());
  EXPECT_EQ(b.actions.size(), 2u);  // S3:getobject folded into s3:GetObject
  EXPECT_EQ(r.counts["action_case_duplicate"], 1u);
  auto policy = Compile(WriteBundleJson(b), Limits{}, nullptr);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(Show((*policy)->Check("arn:aws:iam::123456789012:role/r", "s3:GetObject", "arn:aws:s3:::b+c/k")),
            "allow/statement");
  // The old version's "*" was not imported.
  EXPECT_EQ(Show((*policy)->Check("arn:aws:iam::123456789012:role/r", "s3:PutObject", "arn:aws:s3:::b+c/k")),
            "deny/no_grant");
}

TEST(ImportAws, PermissionsBoundaryFailsUnlessIgnored) {
  const std::string doc = RoleWith(R"({"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})",
                                   R"(,"PermissionsBoundary":{"PermissionsBoundaryType":"Policy",)"
                                   R"("PermissionsBoundaryArn":"arn:aws:iam::123456789012:policy/limit"})");
  const std::string err = ErrorOf(doc);
  EXPECT_NE(err.find("in.json: /RoleDetailList/0/PermissionsBoundary: role r has a permissions boundary "
                     "(arn:aws:iam::123456789012:policy/limit)"),
            std::string::npos)
      << err;
  model::Bundle b;
  ImportReport r;
  ASSERT_TRUE(RunImport(doc, &b, &r, true).ok());
  EXPECT_EQ(r.counts["permissions_boundary_ignored"], 1u);
  EXPECT_EQ(b.statements.size(), 1u);
  // A null boundary is no boundary.
  EXPECT_EQ(ErrorOf(RoleWith(R"({"Statement":[]})", R"(,"PermissionsBoundary":null)")), "OK");
}

// Each malformed input gives an error naming the file and the JSON pointer.
TEST(ImportAws, MalformedInputsNameFileAndPointer) {
  const std::string ok_doc = R"({"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})";
  struct Case {
    std::string doc, want;
  };
  const std::vector<Case> cases = {
      {R"({"UserDetailList":[{"UserName":"a")", "in.json:1:35: /UserDetailList/0/UserName: malformed JSON: unexpected end of input"},
      {R"({"UserDetailList":{}})", "in.json: /UserDetailList: expected an array, found an object"},
      {R"({"UserDetailList":[{"UserName":"a","Arn":7}]})", "in.json: /UserDetailList/0/Arn: expected a string"},
      {RoleWith(R"("%7B%22Statement%ZZ")"), "in.json: /RoleDetailList/0/RolePolicyList/0/PolicyDocument: bad URL-encoding"},
      {RoleWith(R"("%7B%22Statement%22%3A%5B")"),
       "in.json: /RoleDetailList/0/RolePolicyList/0/PolicyDocument (URL-decoded document):1:15: /Statement/0: malformed JSON"},
      {RoleWith(R"("%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22allow%22%7D%5D%7D")"),
       "in.json: /RoleDetailList/0/RolePolicyList/0/PolicyDocument (URL-decoded document, at /Statement/0/Effect): "
       "must be \"Allow\" or \"Deny\""},
      {RoleWith(R"({"Statement":[{"Effect":"Allow","Actions":"s3:*","Resource":"*"}]})"),
       "in.json: /RoleDetailList/0/RolePolicyList/0/PolicyDocument/Statement/0/Actions: unknown policy element"},
      {RoleWith(R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Action":"x","Resource":"*"}]})"),
       "/RoleDetailList/0/RolePolicyList/0/PolicyDocument/Statement/0/Action: duplicate key"},
      {RoleWith(R"({"Statement":[{"Effect":"Allow","Action":"s3:*"}]})"),
       "/PolicyDocument/Statement/0: needs exactly one of Resource and NotResource"},
      {RoleWith(R"({"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]})"),
       "/PolicyDocument/Statement/0/Action: empty list"},
      {RoleWith(R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"k":null}}}]})"),
       "/PolicyDocument/Statement/0/Condition/Bool/k: a condition value must be a string, number or boolean"},
      {RoleWith(R"({"Version":"2012-10-18","Statement":[]})"), "/PolicyDocument/Version: must be"},
      {RoleWith(ok_doc, R"(,"AttachedManagedPolicies":[{"PolicyArn":"arn:aws:iam::aws:policy/Nope"}])"),
       "in.json: /RoleDetailList/0/AttachedManagedPolicies/0/PolicyArn: managed policy arn:aws:iam::aws:policy/Nope "
       "is not in the Policies list"},
      {R"({"Policies":[{"Arn":"a","PolicyVersionList":[{"Document":{},"VersionId":"v1"}]}]})",
       "in.json: /Policies/0/PolicyVersionList: no default version"},
      {R"({"RoleDetailList":[{"RoleName":"r","Arn":"x"},{"RoleName":"s","Arn":"x"}]})",
       "in.json: /RoleDetailList/1/Arn: x listed twice"},
      {"[1]", "in.json: \"\": expected a JSON object at the top level"},
      {"{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}", "JSON nesting deeper than 64 levels"},
  };
  for (const Case& c : cases) {
    const std::string err = ErrorOf(c.doc);
    EXPECT_NE(err.find(c.want), std::string::npos) << "input: " << c.doc << "\nerror: " << err;
  }
  EXPECT_NE(ErrorOf("{}", "prefix,name\ns3,Get\n").find("actions.csv:1: the header must name"), std::string::npos);
  EXPECT_EQ(ErrorOf("{}", "\xEF\xBB\xBFservice_prefix,action\r\ns3,Get\r\n"), "OK");
  EXPECT_NE(ErrorOf("{}", "service_prefix,action\ns3,Get*\n").find("actions.csv:2:"), std::string::npos);
  EXPECT_NE(ErrorOf("{}", "service_prefix,action\n\"s3,Get\n").find("actions.csv:2: unterminated"), std::string::npos);
}

TEST(ImportAws, ReportsWhatIsNotMapped) {
  const std::string doc =
      R"({"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::1:user/u","GroupList":["g","nope"],"Tags":[{"Key":"a","Value":"b"}],"Shiny":1}],)"
      R"("GroupDetailList":[{"GroupName":"g","Arn":"arn:aws:iam::1:group/g","AttachedManagedPolicies":[]}],)"
      R"("Policies":[{"Arn":"arn:aws:iam::1:policy/unused","DefaultVersionId":"v1","PolicyVersionList":[{"Document":{"Statement":[]},"VersionId":"v1"}]}],)"
      R"("Extra":true})";
  model::Bundle b;
  ImportReport r;
  ASSERT_TRUE(RunImport(doc, &b, &r).ok());
  EXPECT_EQ(r.counts["unknown_group"], 1u);
  EXPECT_EQ(r.counts["principal_tags"], 1u);
  EXPECT_EQ(r.counts["unknown_field"], 2u);  // Shiny, Extra
  EXPECT_EQ(r.counts["unattached_policy"], 1u);
  ASSERT_EQ(b.groups.size(), 1u);
  ASSERT_EQ(b.groups[0].members.size(), 1u);
  EXPECT_EQ(b.groups[0].members[0].s, "arn:aws:iam::1:user/u");
  for (const ImportReport::Entry& e : r.entries)
    if (e.kind == "unknown_group") EXPECT_EQ(e.pointer, "/UserDetailList/0/GroupList/1");
}

// Empty condition parts have no bundle form: an Allow is skipped, a Deny
// keeps the rest of its condition (it can only deny more often).
TEST(ImportAws, EmptyConditionParts) {
  const std::string doc = RoleWith(
      R"({"Version":"2012-10-17","Statement":[)"
      R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{}},)"
      R"({"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"StringEquals":{"a":[],"b":"x"},"Bool":{}}},)"
      R"({"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"Null":{}}}]})");
  model::Bundle b;
  ImportReport r;
  ASSERT_TRUE(RunImport(doc, &b, &r).ok());
  EXPECT_EQ(r.counts["empty_condition_part"], 3u);
  ASSERT_EQ(b.statements.size(), 2u);
  ASSERT_TRUE(b.statements[0].condition.has_value());
  ASSERT_EQ(b.statements[0].condition->operators.size(), 1u);
  EXPECT_EQ(b.statements[0].condition->operators[0].keys.size(), 1u);
  EXPECT_FALSE(b.statements[1].condition.has_value());
  auto policy = Compile(WriteBundleJson(b), Limits{}, nullptr);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(Show((*policy)->Check("arn:aws:iam::123456789012:role/r", "s3:GetObject", "x")), "deny/deny_statement");
}

}  // namespace
}  // namespace rolegate::internal
