// writer_test.cc — model/writer.h: LoadBundle(WriteBundleJson(b)) gives b
// back, field for field, on the example bundle, on a bundle using every v2
// field, on a model built by hand with awkward strings, and on the real data.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "import/report.h"
#include "model/loader.h"
#include "model/writer.h"
#include "rolegate/types.h"

namespace rolegate {
namespace {

using model::Str;
using model::StrList;

// ---- Structural comparison (offsets and `valid` ignored) ---------------------
// Each returns "" when equal, else the path of the first difference.

std::string Diff(const std::string& at, const Str& a, const Str& b) {
  return a.s == b.s ? "" : at + ": \"" + a.s + "\" vs \"" + b.s + "\"";
}
std::string Diff(const std::string& at, const std::optional<Str>& a, const std::optional<Str>& b) {
  if (a.has_value() != b.has_value()) return at + ": present in one only";
  return a ? Diff(at, *a, *b) : "";
}
std::string Diff(const std::string& at, bool a, bool b) { return a == b ? "" : at + ": bool differs"; }
std::string Diff(const std::string& at, const model::ConditionValue& a, const model::ConditionValue& b) {
  if (a.kind != b.kind) return at + ": value kind differs";
  return a.text == b.text ? "" : at + ": \"" + a.text + "\" vs \"" + b.text + "\"";
}
template <class T>
std::string Diff(const std::string& at, const std::vector<T>& a, const std::vector<T>& b);

#define FIELD(f)                                     \
  if (auto d = Diff(at + "." #f, a.f, b.f); !d.empty()) return d

std::string Diff(const std::string& at, const model::ConditionKey& a, const model::ConditionKey& b) {
  FIELD(key); FIELD(values);
  return "";
}
std::string Diff(const std::string& at, const model::ConditionOperator& a, const model::ConditionOperator& b) {
  FIELD(op); FIELD(keys);
  return "";
}
std::string Diff(const std::string& at, const std::optional<model::AwsCondition>& a,
                 const std::optional<model::AwsCondition>& b) {
  if (a.has_value() != b.has_value()) return at + ": condition present in one only";
  return a ? Diff(at + ".operators", a->operators, b->operators) : "";
}
std::string Diff(const std::string& at, const model::Action& a, const model::Action& b) {
  FIELD(name); FIELD(data); FIELD(has_effective_only_at); FIELD(effective_only_at);
  return "";
}
std::string Diff(const std::string& at, const model::PermissionBlock& a, const model::PermissionBlock& b) {
  FIELD(actions); FIELD(not_actions); FIELD(data_actions); FIELD(not_data_actions); FIELD(condition);
  return "";
}
std::string Diff(const std::string& at, const model::Role& a, const model::Role& b) {
  FIELD(id); FIELD(name); FIELD(actions); FIELD(not_actions); FIELD(data_actions); FIELD(not_data_actions);
  FIELD(has_permissions); FIELD(permissions); FIELD(has_assignable_scopes); FIELD(assignable_scopes);
  return "";
}
std::string Diff(const std::string& at, const model::Group& a, const model::Group& b) {
  FIELD(id); FIELD(members);
  return "";
}
std::string Diff(const std::string& at, const model::Assignment& a, const model::Assignment& b) {
  FIELD(id); FIELD(principal); FIELD(role); FIELD(scope); FIELD(condition);
  return "";
}
std::string Diff(const std::string& at, const model::DenyAssignment& a, const model::DenyAssignment& b) {
  FIELD(id); FIELD(scope); FIELD(principals); FIELD(exclude_principals); FIELD(actions); FIELD(not_actions);
  FIELD(data_actions); FIELD(not_data_actions); FIELD(apply_to_children); FIELD(condition);
  return "";
}
std::string Diff(const std::string& at, const model::Statement& a, const model::Statement& b) {
  FIELD(id); FIELD(principal); FIELD(effect); FIELD(actions); FIELD(not_actions); FIELD(resources);
  FIELD(not_resources); FIELD(policy_version); FIELD(condition);
  return "";
}
std::string Diff(const std::string& at, const model::MappingRule& a, const model::MappingRule& b) {
  FIELD(id); FIELD(identity); FIELD(workload_type); FIELD(project); FIELD(user);
  return "";
}
std::string Diff(const std::string& at, const model::Cloud& a, const model::Cloud& b) {
  FIELD(id); FIELD(default_identity); FIELD(mappings);
  return "";
}
std::string Diff(const std::string& at, const model::Route& a, const model::Route& b) {
  FIELD(id); FIELD(method); FIELD(path); FIELD(action); FIELD(scope);
  return "";
}
std::string Diff(const std::string& at, const model::ScopeParent& a, const model::ScopeParent& b) {
  FIELD(scope); FIELD(parent);
  return "";
}
std::string Diff(const std::string& at, const model::Bundle& a, const model::Bundle& b) {
  FIELD(actions); FIELD(roles); FIELD(groups); FIELD(assignments); FIELD(deny_assignments);
  FIELD(statements); FIELD(clouds); FIELD(routes); FIELD(scope_parents);
  return "";
}
#undef FIELD

template <class T>
std::string Diff(const std::string& at, const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return at + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " entries";
  for (size_t i = 0; i < a.size(); ++i)
    if (auto d = Diff(at + "[" + std::to_string(i) + "]", a[i], b[i]); !d.empty()) return d;
  return "";
}

// ---- Helpers -------------------------------------------------------------------

struct Loaded {
  bool ok = false;  // well-formed and no error
  model::Bundle bundle;
  std::string errors;
};

Loaded Load(const std::string& json) {
  Loaded out;
  internal::DiagSink sink;
  Limits limits;
  limits.max_bundle_bytes = 1u << 30;
  const bool wf = internal::LoadBundle(json, limits, &out.bundle, &sink);
  out.ok = wf && !sink.has_errors();
  for (const auto& d : sink.Finish(json))
    if (d.severity == Severity::kError) out.errors += FormatDiagnostic(d) + "\n";
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes b, loads the text, and checks the model came back unchanged and
// that writing again gives the same bytes.
void ExpectRoundTrip(const model::Bundle& b) {
  const std::string json = internal::WriteBundleJson(b);
  Loaded back = Load(json);
  ASSERT_TRUE(back.ok) << back.errors << "\n" << json.substr(0, 4000);
  EXPECT_EQ(Diff("bundle", b, back.bundle), "");
  EXPECT_EQ(internal::WriteBundleJson(back.bundle), json);
}

// A bundle using every field of SPEC §2 and §10–§12, including the forms
// the writer must keep apart: `[]` vs absent, not_actions/not_resources, AWS
// values of each kind, a single value and a list, `{}` as a condition.
constexpr const char* kEveryField = R"json({
  "version": 1,
  "actions": [
    {"name": "A/read"}, {"name": "A/write", "data": true},
    {"name": "A/admin", "effective_only_at": ["/subscriptions/*"]},
    {"name": "A/nowhere", "effective_only_at": []}
  ],
  "roles": [
    {"id": "r1", "name": "", "actions": ["A/*"], "not_actions": ["A/admin"], "data_actions": ["A/write"],
     "not_data_actions": ["A/w*"], "assignable_scopes": ["/", "/subscriptions/s1"]},
    {"id": "r2", "name": "Blocks", "permissions": [
      {"actions": ["A/read"], "not_actions": ["A/x"]},
      {"data_actions": ["A/write"], "not_data_actions": ["A/y"], "condition": "@Resource[tag] StringEquals 'x'"},
      {}
    ]},
    {"id": "r3", "permissions": [], "assignable_scopes": []}
  ],
  "groups": [{"id": "g1", "members": ["u1", "g2"]}, {"id": "g2"}],
  "assignments": [
    {"id": "a1", "principal": "g1", "role": "r1", "scope": "/subscriptions/s1"},
    {"id": "a2", "principal": "u1", "role": "r2", "scope": "/", "condition": "@Request[k] StringEquals 'v'"}
  ],
  "deny_assignments": [
    {"id": "d1", "principals": ["*"], "exclude_principals": ["u1"], "actions": ["A/*"], "not_actions": ["A/read"],
     "data_actions": ["A/write"], "not_data_actions": ["A/z"], "scope": "/subscriptions/s1",
     "apply_to_children": false, "condition": "@Environment[e] StringEquals 'y'"},
    {"id": "d2", "principals": [], "scope": "/"}
  ],
  "statements": [
    {"id": "s1", "principal": "p", "effect": "Allow", "actions": ["A/read"], "resources": ["*"]},
    {"id": "s2", "principal": "p", "effect": "Deny", "not_actions": ["A/read"], "not_resources": ["arn:aws:s3:::b/*"],
     "policy_version": "2012-10-17",
     "condition": {"StringEquals": {"aws:a": "x", "aws:b": ["", "y\"z"]},
                   "NumericLessThan": {"n": 1.5e3, "m": [-0, 10]}, "Bool": {"aws:SecureTransport": false},
                   "ForAnyValue:StringLikeIfExists": {"k": [true, "t", 3]}}},
    {"id": "s3", "principal": "p", "effect": "Allow", "actions": [], "resources": [], "condition": {}}
  ],
  "clouds": [
    {"id": "c1", "default_identity": "arn:x", "mappings": [
      {"id": "m1", "workload_type": "job", "project": "prod", "user": "u", "identity": "arn:y"},
      {"id": "m2", "identity": "arn:z"}]},
    {"id": "c2"}
  ],
  "routes": [{"id": "rt", "method": "GET", "path": "/a/(?P<x>[^/]+)", "action": "A/read", "scope": "/x/{x}"}],
  "scope_parents": [{"scope": "/subscriptions/s1", "parent": "/providers/Microsoft.Management/managementGroups/mg"}]
})json";

TEST(WriterTest, ExampleBundleRoundTrips) {
  Loaded ex = Load(ReadFile(ROLEGATE_SOURCE_DIR "/examples/anyscale.json"));
  ASSERT_TRUE(ex.ok) << ex.errors;
  ASSERT_FALSE(ex.bundle.roles.empty());
  ExpectRoundTrip(ex.bundle);
}

TEST(WriterTest, EveryV2FieldRoundTrips) {
  Loaded b = Load(kEveryField);
  ASSERT_TRUE(b.ok) << b.errors;
  // The test bundle really holds the forms it is meant to exercise.
  ASSERT_TRUE(b.bundle.roles[2].has_permissions);
  ASSERT_TRUE(b.bundle.roles[2].has_assignable_scopes);
  ASSERT_TRUE(b.bundle.statements[1].not_actions && b.bundle.statements[1].not_resources);
  ASSERT_TRUE(b.bundle.statements[2].condition.has_value());
  ExpectRoundTrip(b.bundle);
  const std::string json = internal::WriteBundleJson(b.bundle);
  EXPECT_NE(json.find("\"effective_only_at\": []"), std::string::npos);
  EXPECT_NE(json.find("\"permissions\": []"), std::string::npos);
  EXPECT_NE(json.find("\"n\": 1.5e3"), std::string::npos);  // number text kept, not reformatted
  EXPECT_NE(json.find("\"aws:SecureTransport\": false"), std::string::npos);
  EXPECT_NE(json.find("\"apply_to_children\": false"), std::string::npos);
  EXPECT_EQ(json.find("\"data\": false"), std::string::npos);  // defaults omitted
}

TEST(WriterTest, HandBuiltModelWithAwkwardStrings) {
  model::Bundle b;
  model::Action a;
  a.name.s = "Quote\"Back\\slash/\x01\x1f\x7f\t\n\r\b\f/\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80";
  b.actions.push_back(a);
  model::Role r;
  r.id.s = "~/role/~1";
  r.actions.push_back(a.name);
  r.has_assignable_scopes = true;  // `[]`: assignable nowhere, not absent
  b.roles.push_back(r);
  model::Statement s;
  s.id.s = "s";
  s.principal.s = "p";
  s.effect.s = "Allow";
  s.not_actions = true;
  s.actions.push_back(Str{"x:*"});
  s.resources.push_back(Str{"*"});
  model::AwsCondition c;
  model::ConditionOperator op;
  op.op.s = "NumericEquals";
  model::ConditionKey k;
  k.key.s = "key\"with quote";
  k.values.push_back({model::ConditionValue::Kind::kNumber, "-12.5E-3"});
  k.values.push_back({model::ConditionValue::Kind::kString, "12"});  // a string "12" stays a string
  k.values.push_back({model::ConditionValue::Kind::kBool, "true"});
  op.keys.push_back(k);
  c.operators.push_back(op);
  s.condition = c;
  b.statements.push_back(s);
  ExpectRoundTrip(b);
}

TEST(WriterTest, EmptyBundle) {
  model::Bundle b;
  EXPECT_EQ(internal::WriteBundleJson(b), "{\n  \"version\": 1,\n  \"actions\": []\n}\n");
  ExpectRoundTrip(b);
}

// The real data (if the shared folder is there): 928 roles, 22k actions.
TEST(WriterTest, RealBundlesRoundTrip) {
  const char* env = std::getenv("ROLEGATE_SHARED_DIR");
  const std::string shared = env && *env ? env : ROLEGATE_SHARED_DIR;
  for (const char* rel : {"/data/azure/azure-builtin.bundle.json", "/data/aws/aws-managed.bundle.json"}) {
    const std::string text = ReadFile(shared + rel);
    if (text.empty()) GTEST_SKIP() << shared + rel << " absent (set ROLEGATE_SHARED_DIR)";
    Loaded b = Load(text);
    ASSERT_TRUE(b.ok) << rel << "\n" << b.errors;
    ExpectRoundTrip(b.bundle);
  }
}

TEST(ImportReportTest, CountsFirstAndEscaped) {
  internal::ImportReport r;
  r.Imported("roles", 2);
  r.Add("unknown_action", "roles.json", "/0/permissions/0/actions/3", "action \"X/y\"", "dropped");
  r.Add("unknown_action", "roles.json", "/1/permissions/0/actions/0", "action Z", "dropped");
  r.Add("both_kinds", "ops.json", "/2", "action K", "data");
  const std::string json = internal::WriteImportReportJson(r);
  EXPECT_EQ(json.find("\"counts\""), 4u);
  EXPECT_NE(json.find("\"counts\": {\"both_kinds\": 1, \"unknown_action\": 2}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"imported\": {\"roles\": 2}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"what\": \"action \\\"X/y\\\"\""), std::string::npos) << json;
  EXPECT_LT(json.find("/0/permissions"), json.find("/1/permissions"));  // input order kept
}

}  // namespace
}  // namespace rolegate
