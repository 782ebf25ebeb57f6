// compile_errors_test.cc — SPEC §2, §6, §9: every kind of bundle error fails
// the compile with a Diagnostic naming where (a JSON pointer, RFC 6901) and
// why; warnings do not fail it; a rejected bundle changes nothing in an Engine.
//
// Where the SPEC does not fix which of two pointers names the offending value
// (the field itself or the object holding it, e.g. for a missing field or a
// duplicate id), a test accepts either; it never accepts "anywhere".

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rolegate/engine.h"
#include "rolegate/policy.h"
#include "rolegate/types.h"
#include "support/build_policy.h"

namespace rolegate {
namespace {

using rolegate_test::DiagText;

struct Outcome {
  bool ok = false;
  absl::Status status;
  std::vector<Diagnostic> diags;
  std::unique_ptr<Policy> policy;
};

Outcome CompileBundle(std::string_view json, const Limits& limits = Limits{}) {
  Outcome o;
  auto p = Compile(json, limits, &o.diags);
  o.ok = p.ok();
  o.status = p.status();
  if (p.ok()) o.policy = std::move(*p);
  return o;
}

std::string Snip(std::string_view json) {
  std::string s(json.substr(0, 300));
  if (json.size() > 300) s += "...";
  return s;
}

const Diagnostic* FindDiag(const std::vector<Diagnostic>& diags, Severity sev,
                           std::initializer_list<std::string_view> pointers) {
  for (const auto& d : diags) {
    if (d.severity != sev) continue;
    for (std::string_view p : pointers) {
      if (d.pointer == p) return &d;
    }
  }
  return nullptr;
}

std::string Join(std::initializer_list<std::string_view> pointers) {
  std::string s;
  for (auto p : pointers) s += (s.empty() ? "\"" : " or \"") + std::string(p) + "\"";
  return s;
}

// The bundle must fail to compile with an error at one of `pointers`.
::testing::AssertionResult FailsAt(std::string_view json,
                                   std::initializer_list<std::string_view> pointers,
                                   const Limits& limits = Limits{}) {
  Outcome o = CompileBundle(json, limits);
  if (o.ok) {
    return ::testing::AssertionFailure() << "compiled, want an error at " << Join(pointers)
                                         << "\nbundle: " << Snip(json) << "\ndiagnostics:\n"
                                         << DiagText(o.diags);
  }
  if (!absl::IsInvalidArgument(o.status)) {
    return ::testing::AssertionFailure() << "status " << o.status << ", want InvalidArgument";
  }
  if (!FindDiag(o.diags, Severity::kError, pointers)) {
    return ::testing::AssertionFailure() << "no error at " << Join(pointers) << "\nbundle: "
                                         << Snip(json) << "\ndiagnostics:\n"
                                         << DiagText(o.diags);
  }
  return ::testing::AssertionSuccess();
}

// The bundle must fail to compile (anywhere: used where the SPEC names no place).
::testing::AssertionResult Fails(std::string_view json, const Limits& limits = Limits{}) {
  Outcome o = CompileBundle(json, limits);
  if (o.ok) {
    return ::testing::AssertionFailure() << "compiled, want an error\nbundle: " << Snip(json)
                                         << "\ndiagnostics:\n" << DiagText(o.diags);
  }
  size_t errors = 0;
  for (const auto& d : o.diags) errors += d.severity == Severity::kError;
  if (errors == 0) {
    return ::testing::AssertionFailure() << "failed without any error diagnostic: " << o.status;
  }
  return ::testing::AssertionSuccess();
}

// The bundle must compile; warnings allowed.
::testing::AssertionResult Compiles(std::string_view json, const Limits& limits = Limits{}) {
  Outcome o = CompileBundle(json, limits);
  if (!o.ok) {
    return ::testing::AssertionFailure() << "does not compile: " << o.status << "\nbundle: "
                                         << Snip(json) << "\ndiagnostics:\n" << DiagText(o.diags);
  }
  for (const auto& d : o.diags) {
    if (d.severity == Severity::kError) {
      return ::testing::AssertionFailure() << "compiled but reported an error:\n" << DiagText(o.diags);
    }
  }
  return ::testing::AssertionSuccess();
}

// The bundle must compile with a warning at one of `pointers`.
::testing::AssertionResult WarnsAt(std::string_view json,
                                   std::initializer_list<std::string_view> pointers) {
  Outcome o = CompileBundle(json);
  if (!o.ok) {
    return ::testing::AssertionFailure() << "does not compile: " << o.status << "\nbundle: "
                                         << Snip(json) << "\ndiagnostics:\n" << DiagText(o.diags);
  }
  if (!FindDiag(o.diags, Severity::kWarning, pointers)) {
    return ::testing::AssertionFailure() << "no warning at " << Join(pointers) << "\ndiagnostics:\n"
                                         << DiagText(o.diags);
  }
  return ::testing::AssertionSuccess();
}

// Wraps the inside of a bundle with version and a two-action catalog.
std::string B(std::string_view rest) {
  std::string s =
      R"({"version": 1, "actions": [{"name": "A/read"}, {"name": "A/write"}, {"name": "D/read", "data": true}])";
  if (!rest.empty()) s += ", " + std::string(rest);
  s += "}";
  return s;
}

// A role "r" assigned to user:u at `scope`.
std::string AssignedAt(std::string_view scope) {
  return B(R"json("roles": [{"id": "r", "actions": ["A/read"]}],
    "assignments": [{"id": "a", "principal": "user:u", "role": "r", "scope": ")json" +
           std::string(scope) + R"json("}])json");
}

// ============================================================================
// Sanity: the baseline bundles used below compile.
// ============================================================================

TEST(CompileBaseline, MinimalBundlesCompile) {
  EXPECT_TRUE(Compiles(R"json({"version": 1, "actions": []})json"));
  EXPECT_TRUE(Compiles(B("")));
  EXPECT_TRUE(Compiles(AssignedAt("/")));
  EXPECT_TRUE(Compiles(AssignedAt("/s/s1")));
  EXPECT_TRUE(Compiles(ExampleBundle()));
}

// ============================================================================
// Malformed JSON (§6), with line and column where the parser knows them
// ============================================================================

TEST(MalformedJson, SyntaxErrorReportsLineAndColumn) {
  const std::string json = "{\"version\": 1,\n  \"actions\": [\n    {\"name\": \"A/read\"},,\n  ]\n}";
  Outcome o = CompileBundle(json);
  ASSERT_FALSE(o.ok);
  ASSERT_FALSE(o.diags.empty());
  bool located = false;
  for (const auto& d : o.diags) {
    if (d.severity == Severity::kError && d.line == 3 && d.column > 0) located = true;
  }
  EXPECT_TRUE(located) << "want an error at line 3 (the doubled comma)\n" << DiagText(o.diags);
}

TEST(MalformedJson, SemanticErrorsCarryTheLineWhereTheParserKnowsIt) {
  const std::string json =
      "{\"version\": 1,\n"
      "  \"actions\": [{\"name\": \"A/read\"}],\n"
      "  \"roles\": [{\"id\": \"r\", \"bogus\": 1}],\n"
      "  \"assignments\": [{\"id\": \"a\", \"principal\": \"u\", \"role\": \"r\", \"scope\": \"/x/\"}]\n"
      "}";
  Outcome o = CompileBundle(json);
  ASSERT_FALSE(o.ok);
  EXPECT_TRUE(FindDiag(o.diags, Severity::kError, {"/roles/0/bogus"})) << DiagText(o.diags);
  EXPECT_TRUE(FindDiag(o.diags, Severity::kError, {"/assignments/0/scope"})) << DiagText(o.diags);
  for (const auto& d : o.diags) {
    if (d.pointer == "/roles/0/bogus") {
      EXPECT_TRUE(d.line == 0 || d.line == 3) << DiagText(o.diags);
    }
    if (d.pointer == "/assignments/0/scope") {
      EXPECT_TRUE(d.line == 0 || d.line == 4) << DiagText(o.diags);
    }
  }
}

TEST(MalformedJson, EveryKindOfBrokenDocumentIsRejected) {
  EXPECT_TRUE(Fails(""));
  EXPECT_TRUE(Fails("   \n"));
  EXPECT_TRUE(Fails(R"bad({"version": 1, "actions": [)bad"));
  EXPECT_TRUE(Fails(R"bad({"version": 1, "actions": []} x)bad"));
  EXPECT_TRUE(Fails(R"bad({"version": 1, "actions": []}{})bad"));
  EXPECT_TRUE(Fails(R"bad({"version": 1, "actions": [],})bad"));
  EXPECT_TRUE(Fails(R"bad({"version": 1, "actions": [{"name": "A/read",}]})bad"));
  EXPECT_TRUE(Fails(R"bad({'version': 1, 'actions': []})bad"));
  EXPECT_TRUE(Fails(R"bad({"version": 01, "actions": []})bad"));
  EXPECT_TRUE(Fails(R"bad({"version": 1, "actions": [] /* comment */})bad"));
  EXPECT_TRUE(Fails(R"bad({"version": 1, "actions": [{"name": "A/re
ad"}]})bad"));  // raw newline inside a string
}

TEST(MalformedJson, TopLevelMustBeAnObject) {
  EXPECT_TRUE(FailsAt("[]", {""}));
  EXPECT_TRUE(FailsAt("1", {""}));
  EXPECT_TRUE(FailsAt("\"bundle\"", {""}));
  EXPECT_TRUE(FailsAt("null", {""}));
}

TEST(MalformedJson, ARootThatIsNotAnObjectIsOneError) {
  for (const char* json : {"[]", "[1, 2]", "1", "null"}) {
    SCOPED_TRACE(json);
    Outcome o = CompileBundle(json);
    ASSERT_FALSE(o.ok);
    EXPECT_EQ(o.diags.size(), 1u) << DiagText(o.diags);  // not also "trailing content"
  }
}

TEST(MalformedJson, AnErrorTheParserCannotPlaceHasNoPosition) {
  // A raw tab inside a string on line 6 is found by simdjson's first pass,
  // which does not say where: no line rather than a wrong "line 1 col 1".
  const std::string json = "{\"version\": 1,\n\n\n\n\n  \"actions\": [{\"name\": \"A/\tread\"}]}";
  Outcome o = CompileBundle(json);
  ASSERT_FALSE(o.ok);
  for (const auto& d : o.diags) EXPECT_TRUE(d.line == 0 || d.line == 6) << DiagText(o.diags);
}

TEST(MalformedJson, AnActionRejectedForAnotherFieldIsStillDeclared) {
  // Only the bad field is reported, not a follow-on "not in the catalog" in
  // the role that names the action.
  Outcome o = CompileBundle(R"json({"version": 1, "actions": [{"name": "P/a", "data": "true"}],
      "roles": [{"id": "r", "actions": ["P/a"]}]})json");
  ASSERT_FALSE(o.ok);
  EXPECT_TRUE(FindDiag(o.diags, Severity::kError, {"/actions/0/data"})) << DiagText(o.diags);
  EXPECT_FALSE(FindDiag(o.diags, Severity::kError, {"/roles/0/actions/0"})) << DiagText(o.diags);
  o = CompileBundle(R"json({"version": 1, "actions": [{"name": "P/a", "effective_only_at": ["s"]}],
      "roles": [{"id": "r", "actions": ["P/a"]}]})json");
  ASSERT_FALSE(o.ok);
  EXPECT_FALSE(FindDiag(o.diags, Severity::kError, {"/roles/0/actions/0"})) << DiagText(o.diags);
  // An action nobody declared still is an error.
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "P/a"}],
      "roles": [{"id": "r", "actions": ["P/b"]}]})json", {"/roles/0/actions/0"}));
}

TEST(MalformedJson, StringsMustBeValidUtf8) {
  EXPECT_TRUE(Fails(std::string(R"({"version": 1, "actions": [{"name": "A/)") + "\xFF" + R"("}]})"));
  EXPECT_TRUE(Fails(std::string(R"({"version": 1, "actions": [{"name": "A/)") + "\xC0\xAF" + R"("}]})"));
  EXPECT_TRUE(Fails(std::string(R"({"version": 1, "actions": [{"name": "A/)") + "\xED\xA0\x80" + R"("}]})"));
  // A lone surrogate escape does not decode to valid UTF-8 either.
  EXPECT_TRUE(Fails(R"bad({"version": 1, "actions": [{"name": "A/\ud800"}]})bad"));
  // Valid multi-byte text is fine.
  EXPECT_TRUE(Compiles(R"json({"version": 1, "actions": [{"name": "A/caf\u00e9"}, {"name": "A/\u20ac/r"}]})json"));
}

// ============================================================================
// version and actions (§2)
// ============================================================================

TEST(Version, MustBeTheInteger1) {
  EXPECT_TRUE(FailsAt(R"json({"version": 2, "actions": []})json", {"/version"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 0, "actions": []})json", {"/version"}));
  EXPECT_TRUE(FailsAt(R"json({"version": "1", "actions": []})json", {"/version"}));
  EXPECT_TRUE(FailsAt(R"json({"version": true, "actions": []})json", {"/version"}));
  EXPECT_TRUE(FailsAt(R"json({"version": null, "actions": []})json", {"/version"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1.5, "actions": []})json", {"/version"}));
  EXPECT_TRUE(FailsAt(R"json({"version": -1, "actions": []})json", {"/version"}));
  EXPECT_TRUE(FailsAt(R"json({"actions": []})json", {"", "/version"}));
}

TEST(Version, ActionsIsRequiredEverythingElseOptional) {
  EXPECT_TRUE(FailsAt(R"json({"version": 1})json", {"", "/actions"}));
  EXPECT_TRUE(Compiles(R"json({"version": 1, "actions": [{"name": "A/read"}], "roles": [], "groups": [],
    "assignments": [], "deny_assignments": [], "statements": [], "clouds": [], "routes": []})json"));
}

// ============================================================================
// Wrong types (§6)
// ============================================================================

TEST(WrongTypes, EveryFieldChecksItsType) {
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": {}})json", {"/actions"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": ["A/read"]})json", {"/actions/0"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": 5}]})json", {"/actions/0/name"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": null}]})json", {"/actions/0/name"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/r", "data": "yes"}]})json",
                      {"/actions/0/data"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/r", "data": 1}]})json",
                      {"/actions/0/data"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/r", "data": null}]})json",
                      {"/actions/0/data"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/r", "effective_only_at": "/s/*"}]})json",
                      {"/actions/0/effective_only_at"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/r", "effective_only_at": [1]}]})json",
                      {"/actions/0/effective_only_at/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": null)json"), {"/roles"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": {"id": "r"})json"), {"/roles"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": 7}])json"), {"/roles/0/id"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "name": 5}])json"), {"/roles/0/name"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": "A/read"}])json"), {"/roles/0/actions"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": ["A/read", 1]}])json"), {"/roles/0/actions/1"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "not_actions": [true]}])json"), {"/roles/0/not_actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "data_actions": {}}])json"), {"/roles/0/data_actions"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "not_data_actions": [null]}])json"),
                      {"/roles/0/not_data_actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "assignable_scopes": "/"}])json"),
                      {"/roles/0/assignable_scopes"}));
  EXPECT_TRUE(FailsAt(B(R"json("groups": [{"id": "g", "members": "user:u"}])json"), {"/groups/0/members"}));
  EXPECT_TRUE(FailsAt(B(R"json("groups": [{"id": "g", "members": [["user:u"]]}])json"),
                      {"/groups/0/members/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": ["A/read"]}],
      "assignments": [{"id": "a", "principal": "user:u", "role": "r", "scope": 7}])json"),
                      {"/assignments/0/scope"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": ["A/read"]}],
      "assignments": [{"id": "a", "principal": ["user:u"], "role": "r", "scope": "/"}])json"),
                      {"/assignments/0/principal"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": "*", "actions": ["A/read"], "scope": "/"}])json"),
                      {"/deny_assignments/0/principals"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["A/read"], "scope": "/",
      "apply_to_children": "false"}])json"),
                      {"/deny_assignments/0/apply_to_children"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "principal": "p", "effect": true,
      "actions": ["A/read"], "resources": ["*"]}])json"),
                      {"/statements/0/effect"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "principal": "p", "effect": "Allow",
      "actions": ["A/read"], "resources": "*"}])json"),
                      {"/statements/0/resources"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [1])json"), {"/clouds/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": {}}])json"), {"/clouds/0/mappings"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "default_identity": 3}])json"),
                      {"/clouds/0/default_identity"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "m", "project": 1, "identity": "i"}]}])json"),
                      {"/clouds/0/mappings/0/project"}));
  EXPECT_TRUE(FailsAt(B(R"json("routes": [{"id": "r", "method": 1, "path": "/x", "action": "A/read", "scope": "/x"}])json"),
                      {"/routes/0/method"}));
}

TEST(WrongTypes, StatementEffectIsExactlyAllowOrDeny) {
  for (const char* effect : {"allow", "DENY", "Allow ", "Permit", ""}) {
    SCOPED_TRACE(effect);
    EXPECT_TRUE(FailsAt(B(std::string(R"json("statements": [{"id": "s", "principal": "p", "effect": ")json") +
                          effect + R"json(", "actions": ["A/read"], "resources": ["*"]}])json"),
                        {"/statements/0/effect"}));
  }
  EXPECT_TRUE(Compiles(B(R"json("statements": [
      {"id": "s1", "principal": "p", "effect": "Allow", "actions": ["A/read"], "resources": ["*"]},
      {"id": "s2", "principal": "p", "effect": "Deny", "actions": ["A/read"], "resources": ["*"]}])json")));
}

TEST(WrongTypes, MappingWorkloadTypeIsJobServiceOrWorkspace) {
  // §4: workload_type is one of job, service, workspace; any other value
  // would silently make the rule dead.
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "m", "workload_type": "batch", "identity": "i"}]}])json"),
                      {"/clouds/0/mappings/0/workload_type"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "m", "workload_type": "Job", "identity": "i"}]}])json"),
                      {"/clouds/0/mappings/0/workload_type"}));
  EXPECT_TRUE(Compiles(B(R"json("clouds": [{"id": "c", "mappings": [
      {"id": "m1", "workload_type": "job", "identity": "i"},
      {"id": "m2", "workload_type": "service", "identity": "i"},
      {"id": "m3", "workload_type": "workspace", "identity": "i"}]}])json")));
}

TEST(WrongTypes, RouteMethodIsStarOrAnUpperCaseToken) {
  auto route = [](std::string method) {
    return B(R"json("routes": [{"id": "r", "method": ")json" + method +
             R"json(", "path": "/x", "action": "A/read", "scope": "/x"}])json");
  };
  EXPECT_TRUE(Compiles(route("GET")));
  EXPECT_TRUE(Compiles(route("*")));
  EXPECT_TRUE(Compiles(route("PROPFIND")));
  EXPECT_TRUE(FailsAt(route("get"), {"/routes/0/method"}));
  EXPECT_TRUE(FailsAt(route("Get"), {"/routes/0/method"}));
  EXPECT_TRUE(FailsAt(route("G ET"), {"/routes/0/method"}));
  EXPECT_TRUE(FailsAt(route("GET "), {"/routes/0/method"}));
  EXPECT_TRUE(FailsAt(route("GET/POST"), {"/routes/0/method"}));
  EXPECT_TRUE(FailsAt(route(""), {"/routes/0/method"}));
}

// ============================================================================
// Unknown keys at every level (§2: "a typo must not silently drop a rule")
// ============================================================================

TEST(UnknownKeys, RejectedAtEveryLevel) {
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [], "rolez": []})json", {"/rolez"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/r", "dat": true}]})json", {"/actions/0/dat"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "notActions": ["A/read"]}])json"), {"/roles/0/notActions"}));
  EXPECT_TRUE(FailsAt(B(R"json("groups": [{"id": "g", "member": ["user:u"]}])json"), {"/groups/0/member"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": ["A/read"]}],
      "assignments": [{"id": "a", "principal": "user:u", "role": "r", "scope": "/", "condition": "x"}])json"),
                      {"/assignments/0/condition"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["A/read"], "scope": "/",
      "apply_to_child": false}])json"),
                      {"/deny_assignments/0/apply_to_child"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "principal": "p", "effect": "Allow",
      "actions": ["A/read"], "resources": ["*"], "resource": ["x"]}])json"),
                      {"/statements/0/resource"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mapping": []}])json"), {"/clouds/0/mapping"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "m", "users": "u", "identity": "i"}]}])json"),
                      {"/clouds/0/mappings/0/users"}));
  EXPECT_TRUE(FailsAt(B(R"json("routes": [{"id": "r", "methods": "GET", "method": "GET", "path": "/x",
      "action": "A/read", "scope": "/x"}])json"),
                      {"/routes/0/methods"}));
}

TEST(UnknownKeys, PointerEscapesSlashAndTilde) {
  // RFC 6901: '~' is written "~0" and '/' is written "~1".
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [], "a/b~c": 1})json", {"/a~1b~0c"}));
}

TEST(UnknownKeys, KeysAreCaseSensitive) {
  EXPECT_TRUE(FailsAt(R"json({"Version": 1, "version": 1, "actions": []})json", {"/Version"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"Name": "A/r", "name": "A/r"}]})json",
                      {"/actions/0/Name"}));
}

// ============================================================================
// Duplicate keys and duplicate ids
// ============================================================================

TEST(DuplicateKeys, RejectedAtEveryLevel) {
  EXPECT_TRUE(FailsAt(R"bad({"version": 1, "version": 1, "actions": []})bad", {"/version"}));
  EXPECT_TRUE(FailsAt(R"bad({"version": 1, "actions": [], "actions": []})bad", {"/actions"}));
  EXPECT_TRUE(FailsAt(R"bad({"version": 1, "actions": [{"name": "A/r", "data": true, "data": false}]})bad",
                      {"/actions/0/data"}));
  EXPECT_TRUE(FailsAt(B(R"bad("roles": [{"id": "r", "id": "r2"}])bad"), {"/roles/0/id"}));
  EXPECT_TRUE(FailsAt(B(R"bad("roles": [{"id": "r", "actions": ["A/read"], "actions": ["A/write"]}])bad"),
                      {"/roles/0/actions"}));
  EXPECT_TRUE(FailsAt(B(R"bad("clouds": [{"id": "c", "mappings": [{"id": "m", "identity": "i", "identity": "j"}]}])bad"),
                      {"/clouds/0/mappings/0/identity"}));
  EXPECT_TRUE(FailsAt(B(R"bad("roles": [], "roles": [])bad"), {"/roles"}));
}

TEST(DuplicateKeys, KeysCompareAfterDecodingEscapes) {
  // "vers\u0069on" is the key "version": a second one is a duplicate, and a
  // lone escaped spelling is simply the known key.
  EXPECT_TRUE(Compiles(R"json({"\u0076ersion": 1, "actions": [{"n\u0061me": "A/read"}]})json"));
  EXPECT_TRUE(FailsAt(R"bad({"version": 1, "vers\u0069on": 1, "actions": []})bad", {"/version"}));
  EXPECT_TRUE(FailsAt(R"bad({"version": 1, "actions": [{"name": "A/r", "n\u0061me": "A/s"}]})bad",
                      {"/actions/0/name"}));
}

TEST(DuplicateIds, RejectedWithinEachList) {
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": ["A/read"]}, {"id": "r", "actions": ["A/write"]}])json"),
                      {"/roles/1/id", "/roles/1"}));
  EXPECT_TRUE(FailsAt(B(R"json("groups": [{"id": "g", "members": ["u1"]}, {"id": "g", "members": ["u2"]}])json"),
                      {"/groups/1/id", "/groups/1"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": ["A/read"]}],
      "assignments": [{"id": "a", "principal": "u1", "role": "r", "scope": "/"},
                      {"id": "a", "principal": "u2", "role": "r", "scope": "/"}])json"),
                      {"/assignments/1/id", "/assignments/1"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["A/read"], "scope": "/"},
                                                  {"id": "d", "principals": ["*"], "actions": ["A/write"], "scope": "/"}])json"),
                      {"/deny_assignments/1/id", "/deny_assignments/1"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [
      {"id": "s", "principal": "p", "effect": "Allow", "actions": ["A/read"], "resources": ["*"]},
      {"id": "s", "principal": "q", "effect": "Allow", "actions": ["A/read"], "resources": ["*"]}])json"),
                      {"/statements/1/id", "/statements/1"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c"}, {"id": "c"}])json"), {"/clouds/1/id", "/clouds/1"}));
  EXPECT_TRUE(FailsAt(B(R"json("routes": [
      {"id": "r", "method": "GET", "path": "/a", "action": "A/read", "scope": "/a"},
      {"id": "r", "method": "GET", "path": "/b", "action": "A/read", "scope": "/b"}])json"),
                      {"/routes/1/id", "/routes/1"}));
}

TEST(DuplicateIds, MappingIdsAreUniquePerCloud) {
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c1", "mappings": [
      {"id": "m", "project": "p1", "identity": "i1"}, {"id": "m", "project": "p2", "identity": "i2"}]}])json"),
                      {"/clouds/0/mappings/1/id", "/clouds/0/mappings/1"}));
  EXPECT_TRUE(Compiles(B(R"json("clouds": [
      {"id": "c1", "mappings": [{"id": "m", "project": "p1", "identity": "i1"}]},
      {"id": "c2", "mappings": [{"id": "m", "project": "p1", "identity": "i1"}]}])json")));
}

TEST(DuplicateIds, SameIdInDifferentListsIsFine) {
  EXPECT_TRUE(Compiles(B(R"json("roles": [{"id": "x", "actions": ["A/read"]}],
    "groups": [{"id": "x", "members": ["user:u"]}],
    "assignments": [{"id": "x", "principal": "x", "role": "x", "scope": "/"}],
    "deny_assignments": [{"id": "x", "principals": ["*"], "actions": ["A/write"], "scope": "/d"}],
    "statements": [{"id": "x", "principal": "p", "effect": "Allow", "actions": ["A/read"], "resources": ["*"]}],
    "clouds": [{"id": "x", "mappings": [{"id": "x", "identity": "i"}]}],
    "routes": [{"id": "x", "method": "GET", "path": "/x", "action": "A/read", "scope": "/x"}])json")));
}

// ============================================================================
// Required fields (§2)
// ============================================================================

TEST(RequiredFields, MissingFieldIsAnError) {
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"data": true}]})json", {"/actions/0", "/actions/0/name"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"name": "Reader", "actions": ["A/read"]}])json"), {"/roles/0", "/roles/0/id"}));
  EXPECT_TRUE(FailsAt(B(R"json("groups": [{"members": ["u"]}])json"), {"/groups/0", "/groups/0/id"}));
  const char* role = R"json("roles": [{"id": "r", "actions": ["A/read"]}], )json";
  EXPECT_TRUE(FailsAt(B(std::string(role) + R"json("assignments": [{"principal": "u", "role": "r", "scope": "/"}])json"),
                      {"/assignments/0", "/assignments/0/id"}));
  EXPECT_TRUE(FailsAt(B(std::string(role) + R"json("assignments": [{"id": "a", "role": "r", "scope": "/"}])json"),
                      {"/assignments/0", "/assignments/0/principal"}));
  EXPECT_TRUE(FailsAt(B(std::string(role) + R"json("assignments": [{"id": "a", "principal": "u", "scope": "/"}])json"),
                      {"/assignments/0", "/assignments/0/role"}));
  EXPECT_TRUE(FailsAt(B(std::string(role) + R"json("assignments": [{"id": "a", "principal": "u", "role": "r"}])json"),
                      {"/assignments/0", "/assignments/0/scope"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"principals": ["*"], "actions": ["A/read"], "scope": "/"}])json"),
                      {"/deny_assignments/0", "/deny_assignments/0/id"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "actions": ["A/read"], "scope": "/"}])json"),
                      {"/deny_assignments/0", "/deny_assignments/0/principals"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["A/read"]}])json"),
                      {"/deny_assignments/0", "/deny_assignments/0/scope"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"principal": "p", "effect": "Allow", "actions": ["A/read"], "resources": ["*"]}])json"),
                      {"/statements/0", "/statements/0/id"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "effect": "Allow", "actions": ["A/read"], "resources": ["*"]}])json"),
                      {"/statements/0", "/statements/0/principal"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "principal": "p", "actions": ["A/read"], "resources": ["*"]}])json"),
                      {"/statements/0", "/statements/0/effect"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "principal": "p", "effect": "Allow", "resources": ["*"]}])json"),
                      {"/statements/0", "/statements/0/actions"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "principal": "p", "effect": "Allow", "actions": ["A/read"]}])json"),
                      {"/statements/0", "/statements/0/resources"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"default_identity": "i"}])json"), {"/clouds/0", "/clouds/0/id"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": [{"project": "p", "identity": "i"}]}])json"),
                      {"/clouds/0/mappings/0", "/clouds/0/mappings/0/id"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "m", "project": "p"}]}])json"),
                      {"/clouds/0/mappings/0", "/clouds/0/mappings/0/identity"}));
  const char* fields[] = {"id", "method", "path", "action", "scope"};
  for (const char* missing : fields) {
    SCOPED_TRACE(missing);
    std::string route = "{";
    const char* values[] = {"\"r\"", "\"GET\"", "\"/x\"", "\"A/read\"", "\"/x\""};
    bool first = true;
    for (int i = 0; i < 5; ++i) {
      if (std::string_view(fields[i]) == missing) continue;
      route += (first ? "\"" : ", \"") + std::string(fields[i]) + "\": " + values[i];
      first = false;
    }
    route += "}";
    std::string field_ptr = std::string("/routes/0/") + missing;
    EXPECT_TRUE(FailsAt(B("\"routes\": [" + route + "]"), {"/routes/0", field_ptr}));
  }
}

TEST(RequiredFields, DefaultsMakeOptionalFieldsOptional) {
  // data, not_*, assignable_scopes, members, exclude_principals, apply_to_children,
  // default_identity, mappings and every mapping selector are optional.
  EXPECT_TRUE(Compiles(B(R"json("roles": [{"id": "r"}],
    "groups": [{"id": "g", "members": ["user:u"]}],
    "assignments": [{"id": "a", "principal": "g", "role": "r", "scope": "/"}],
    "deny_assignments": [{"id": "d", "principals": ["*"], "scope": "/"}],
    "clouds": [{"id": "c"}, {"id": "c2", "mappings": [{"id": "m", "identity": "i"}]}])json")));
}

// ============================================================================
// Empty strings (§2: non-empty, but a role's name may be empty)
// ============================================================================

TEST(EmptyStrings, AreErrorsExceptARoleName) {
  EXPECT_TRUE(Compiles(B(R"json("roles": [{"id": "r", "name": "", "actions": ["A/read"]}],
      "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/"}])json")));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": ""}]})json", {"/actions/0/name"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": ""}])json"), {"/roles/0/id"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": [""]}])json"), {"/roles/0/actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "not_actions": [""]}])json"), {"/roles/0/not_actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "assignable_scopes": [""]}])json"),
                      {"/roles/0/assignable_scopes/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("groups": [{"id": "g", "members": [""]}])json"), {"/groups/0/members/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("groups": [{"id": "", "members": ["u"]}])json"), {"/groups/0/id"}));
  const char* role = R"json("roles": [{"id": "r", "actions": ["A/read"]}], )json";
  EXPECT_TRUE(FailsAt(B(std::string(role) + R"json("assignments": [{"id": "", "principal": "u", "role": "r", "scope": "/"}])json"),
                      {"/assignments/0/id"}));
  EXPECT_TRUE(FailsAt(B(std::string(role) + R"json("assignments": [{"id": "a", "principal": "", "role": "r", "scope": "/"}])json"),
                      {"/assignments/0/principal"}));
  EXPECT_TRUE(FailsAt(B(std::string(role) + R"json("assignments": [{"id": "a", "principal": "u", "role": "", "scope": "/"}])json"),
                      {"/assignments/0/role"}));
  EXPECT_TRUE(FailsAt(B(std::string(role) + R"json("assignments": [{"id": "a", "principal": "u", "role": "r", "scope": ""}])json"),
                      {"/assignments/0/scope"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": [""], "actions": ["A/read"], "scope": "/"}])json"),
                      {"/deny_assignments/0/principals/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "exclude_principals": [""],
      "actions": ["A/read"], "scope": "/"}])json"),
                      {"/deny_assignments/0/exclude_principals/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "principal": "", "effect": "Allow", "actions": ["A/read"], "resources": ["*"]}])json"),
                      {"/statements/0/principal"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "principal": "p", "effect": "Allow", "actions": [""], "resources": ["*"]}])json"),
                      {"/statements/0/actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "principal": "p", "effect": "Allow", "actions": ["A/read"], "resources": [""]}])json"),
                      {"/statements/0/resources/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": ""}])json"), {"/clouds/0/id"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "default_identity": ""}])json"), {"/clouds/0/default_identity"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "m", "project": "", "identity": "i"}]}])json"),
                      {"/clouds/0/mappings/0/project"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "m", "user": "", "identity": "i"}]}])json"),
                      {"/clouds/0/mappings/0/user"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "m", "identity": ""}]}])json"),
                      {"/clouds/0/mappings/0/identity"}));
  EXPECT_TRUE(FailsAt(B(R"json("routes": [{"id": "r", "method": "GET", "path": "", "action": "A/read", "scope": "/x"}])json"),
                      {"/routes/0/path"}));
  EXPECT_TRUE(FailsAt(B(R"json("routes": [{"id": "r", "method": "GET", "path": "/x", "action": "", "scope": "/x"}])json"),
                      {"/routes/0/action"}));
}

// ============================================================================
// Roles, actions and the closed catalog (§2)
// ============================================================================

TEST(Catalog, UnknownRoleInAnAssignment) {
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "reader", "actions": ["A/read"]}],
      "assignments": [{"id": "a", "principal": "u", "role": "Reader", "scope": "/"}])json"),
                      {"/assignments/0/role"}));
  EXPECT_TRUE(FailsAt(B(R"json("assignments": [{"id": "a", "principal": "u", "role": "ghost", "scope": "/"}])json"),
                      {"/assignments/0/role"}));
}

TEST(Catalog, LiteralActionNotInTheCatalogIsAnErrorEverywhere) {
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": ["A/read", "A/raed"]}])json"), {"/roles/0/actions/1"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": ["*"], "not_actions": ["A/delete"]}])json"),
                      {"/roles/0/not_actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "data_actions": ["D/write"]}])json"), {"/roles/0/data_actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "data_actions": ["*"], "not_data_actions": ["D/x"]}])json"),
                      {"/roles/0/not_data_actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["A/nope"], "scope": "/"}])json"),
                      {"/deny_assignments/0/actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["*"],
      "not_actions": ["A/nope"], "scope": "/"}])json"),
                      {"/deny_assignments/0/not_actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "data_actions": ["D/nope"], "scope": "/"}])json"),
                      {"/deny_assignments/0/data_actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "data_actions": ["*"],
      "not_data_actions": ["D/nope"], "scope": "/"}])json"),
                      {"/deny_assignments/0/not_data_actions/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "principal": "p", "effect": "Deny",
      "actions": ["A/read", "s3:GetObject"], "resources": ["*"]}])json"),
                      {"/statements/0/actions/1"}));
  EXPECT_TRUE(FailsAt(B(R"json("routes": [{"id": "r", "method": "GET", "path": "/x", "action": "A/list", "scope": "/x"}])json"),
                      {"/routes/0/action"}));
  // A route action is a catalog name, not a pattern.
  EXPECT_TRUE(FailsAt(B(R"json("routes": [{"id": "r", "method": "GET", "path": "/x", "action": "A/*", "scope": "/x"}])json"),
                      {"/routes/0/action"}));
}

TEST(Catalog, LiteralsMatchTheCatalogCaseInsensitively) {
  EXPECT_TRUE(Compiles(B(R"json("roles": [{"id": "r", "actions": ["a/READ"], "data_actions": ["d/Read"]}],
    "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/"}],
    "statements": [{"id": "s", "principal": "p", "effect": "Allow", "actions": ["A/WRITE"], "resources": ["*"]}],
    "routes": [{"id": "rt", "method": "GET", "path": "/x", "action": "a/read", "scope": "/x"}])json")));
}

TEST(Catalog, NamesAreUniqueCaseInsensitively) {
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/read"}, {"name": "A/read"}]})json",
                      {"/actions/1/name", "/actions/1"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/read"}, {"name": "a/READ", "data": true}]})json",
                      {"/actions/1/name", "/actions/1"}));
  // Non-ASCII letters are not folded: these are two names.
  EXPECT_TRUE(Compiles(R"json({"version": 1, "actions": [{"name": "A/\u00c4"}, {"name": "A/\u00e4"}]})json"));
}

TEST(Catalog, NamesHoldNoWildcards) {
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/*"}]})json", {"/actions/0/name"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/r?ad"}]})json", {"/actions/0/name"}));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/read"}, {"name": "*"}]})json", {"/actions/1/name"}));
}

// ============================================================================
// Scopes in the bundle (§2 "follows the rules of §3.1 and holds no *")
// ============================================================================

std::vector<std::string> BadScopes() {
  std::string deep;
  for (int i = 1; i <= 65; ++i) deep += "/x" + std::to_string(i);
  return {"s1",       "subscriptions/s1", "/s//x",    "//",        "/s/x/",     "/s/./x",
          "/s/.",     "/s/..",            "/../s",    "/s/*",      "/s/x*",     "/*",
          "/s/\\u0001", "/s/\\u007f",     "/s/\\u0085", "/s/a\\u0000b", deep};
}

TEST(BundleScopes, AssignmentScopeMustBeAValidScope) {
  for (const auto& scope : BadScopes()) {
    SCOPED_TRACE(scope);
    EXPECT_TRUE(FailsAt(AssignedAt(scope), {"/assignments/0/scope"}));
  }
  std::string deep64;
  for (int i = 1; i <= 64; ++i) deep64 += "/x" + std::to_string(i);
  EXPECT_TRUE(Compiles(AssignedAt(deep64)));
  EXPECT_TRUE(Compiles(AssignedAt("/")));
  EXPECT_TRUE(Compiles(AssignedAt("/S/.x/x./...")));
}

TEST(BundleScopes, DenyScopeAndAssignableScopesToo) {
  for (const auto& scope : BadScopes()) {
    SCOPED_TRACE(scope);
    EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["A/read"], "scope": ")json" +
                          scope + "\"}]"),
                        {"/deny_assignments/0/scope"}));
    EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": ["A/read"], "assignable_scopes": ["/", ")json" + scope +
                          R"json("]}], "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/"}])json"),
                        {"/roles/0/assignable_scopes/1"}));
  }
}

TEST(BundleScopes, EffectiveOnlyAtPatternsAreScopesWithWholeSegmentStars) {
  auto action = [](std::string pattern) {
    return R"json({"version": 1, "actions": [{"name": "A/admin", "effective_only_at": [")json" + pattern +
           R"json("]}]})json";
  };
  EXPECT_TRUE(Compiles(action("/subscriptions/*")));
  EXPECT_TRUE(Compiles(action("/*/*/resourceGroups/*")));
  EXPECT_TRUE(Compiles(action("/")));
  EXPECT_TRUE(Compiles(R"json({"version": 1, "actions": [{"name": "A/admin", "effective_only_at": []}]})json"));
  for (const char* bad : {"/subscriptions/s*", "/subscriptions/*x", "/subscriptions/**", "/sub*/x",
                          "subscriptions/*", "/subscriptions/*/", "/subscriptions//*", "/subscriptions/..",
                          "/subscriptions/.", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(FailsAt(action(bad), {"/actions/0/effective_only_at/0"}));
  }
}

// ============================================================================
// assignable_scopes (§2, §6)
// ============================================================================

std::string Assignable(std::string_view assignable_json, std::string_view scope) {
  std::string role = R"json("roles": [{"id": "r", "actions": ["A/read"])json";
  if (!assignable_json.empty()) role += ", \"assignable_scopes\": " + std::string(assignable_json);
  role += "}], ";
  return B(role + R"json("assignments": [{"id": "a", "principal": "u", "role": "r", "scope": ")json" +
           std::string(scope) + "\"}]");
}

TEST(AssignableScopes, AssignmentMustBeAtOrBelowOne) {
  EXPECT_TRUE(Compiles(Assignable(R"(["/s/s1"])", "/s/s1")));
  EXPECT_TRUE(Compiles(Assignable(R"(["/s/s1"])", "/s/s1/rg/x")));
  EXPECT_TRUE(Compiles(Assignable(R"(["/s/s1"])", "/S/S1/RG")));  // scopes compare case-insensitively
  EXPECT_TRUE(Compiles(Assignable(R"(["/s/s2", "/s/s1"])", "/s/s1/rg")));
  EXPECT_TRUE(FailsAt(Assignable(R"(["/s/s1"])", "/s/s2"), {"/assignments/0/scope", "/assignments/0"}));
  EXPECT_TRUE(FailsAt(Assignable(R"(["/s/s1"])", "/s/s10"), {"/assignments/0/scope", "/assignments/0"}));
  EXPECT_TRUE(FailsAt(Assignable(R"(["/s/s1"])", "/s"), {"/assignments/0/scope", "/assignments/0"}));
  EXPECT_TRUE(FailsAt(Assignable(R"(["/s/s1"])", "/"), {"/assignments/0/scope", "/assignments/0"}));
}

TEST(AssignableScopes, AbsentMeansAnywhereEmptyMeansNowhere) {
  EXPECT_TRUE(Compiles(Assignable("", "/")));
  EXPECT_TRUE(Compiles(Assignable("", "/any/where")));
  EXPECT_TRUE(Compiles(Assignable(R"(["/"])", "/any/where")));
  EXPECT_TRUE(FailsAt(Assignable("[]", "/"), {"/assignments/0/scope", "/assignments/0"}));
  EXPECT_TRUE(FailsAt(Assignable("[]", "/s/s1"), {"/assignments/0/scope", "/assignments/0"}));
  // A role assignable nowhere is fine while nobody assigns it.
  EXPECT_TRUE(Compiles(B(R"json("roles": [{"id": "r", "actions": ["A/read"], "assignable_scopes": []}])json")));
}

// ============================================================================
// Groups: cycles and depth (§6, §9)
// ============================================================================

bool HasErrorUnder(const std::vector<Diagnostic>& diags, std::string_view prefix) {
  for (const auto& d : diags) {
    if (d.severity == Severity::kError && d.pointer.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

TEST(GroupGraph, CyclesAreErrors) {
  Outcome two = CompileBundle(B(R"json("groups": [{"id": "g1", "members": ["g2", "user:u"]}, {"id": "g2", "members": ["g1"]}])json"));
  EXPECT_FALSE(two.ok);
  EXPECT_TRUE(HasErrorUnder(two.diags, "/groups/")) << DiagText(two.diags);
  Outcome self = CompileBundle(B(R"json("groups": [{"id": "g1", "members": ["g1"]}])json"));
  EXPECT_FALSE(self.ok);
  EXPECT_TRUE(HasErrorUnder(self.diags, "/groups/0")) << DiagText(self.diags);
  Outcome three = CompileBundle(B(R"json("groups": [{"id": "g1", "members": ["g2"]}, {"id": "g2", "members": ["g3"]},
                                          {"id": "g3", "members": ["user:x", "g1"]}])json"));
  EXPECT_FALSE(three.ok);
  EXPECT_TRUE(HasErrorUnder(three.diags, "/groups/")) << DiagText(three.diags);
  // A diamond is not a cycle.
  EXPECT_TRUE(Compiles(B(R"json("groups": [{"id": "top", "members": ["l", "r"]}, {"id": "l", "members": ["bottom"]},
                                          {"id": "r", "members": ["bottom"]}, {"id": "bottom", "members": ["user:u"]}])json")));
}

// n groups on one chain above user:u: g1 holds user:u, g(i+1) holds g(i).
std::string GroupChain(int n) {
  std::string groups = "\"groups\": [";
  for (int i = 1; i <= n; ++i) {
    if (i > 1) groups += ", ";
    groups += "{\"id\": \"g" + std::to_string(i) + "\", \"members\": [\"" +
              (i == 1 ? std::string("user:u") : "g" + std::to_string(i - 1)) + "\"]}";
  }
  groups += "]";
  return B(groups);
}

TEST(GroupGraph, DepthLimitDefaultsTo64) {
  EXPECT_TRUE(Compiles(GroupChain(64)));
  Outcome o = CompileBundle(GroupChain(65));
  EXPECT_FALSE(o.ok);
  EXPECT_TRUE(HasErrorUnder(o.diags, "/groups/")) << DiagText(o.diags);
}

TEST(GroupGraph, DepthLimitCanBeLoweredAndRaised) {
  Limits low;
  low.max_group_depth = 3;
  EXPECT_TRUE(Compiles(GroupChain(3), low));
  Outcome o = CompileBundle(GroupChain(4), low);
  EXPECT_FALSE(o.ok);
  EXPECT_TRUE(HasErrorUnder(o.diags, "/groups/")) << DiagText(o.diags);
  Limits high;
  high.max_group_depth = 100;
  EXPECT_TRUE(Compiles(GroupChain(90), high));
}

// ============================================================================
// The principal "*" (§2)
// ============================================================================

TEST(StarPrincipal, OnlyInDenyAssignmentPrincipals) {
  EXPECT_TRUE(Compiles(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["A/read"], "scope": "/"}])json")));
  EXPECT_TRUE(FailsAt(B(R"json("roles": [{"id": "r", "actions": ["A/read"]}],
      "assignments": [{"id": "a", "principal": "*", "role": "r", "scope": "/"}])json"),
                      {"/assignments/0/principal"}));
  EXPECT_TRUE(FailsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["user:x"], "exclude_principals": ["*"],
      "actions": ["A/read"], "scope": "/"}])json"),
                      {"/deny_assignments/0/exclude_principals/0"}));
  EXPECT_TRUE(FailsAt(B(R"json("statements": [{"id": "s", "principal": "*", "effect": "Deny", "actions": ["A/read"], "resources": ["*"]}])json"),
                      {"/statements/0/principal"}));
  EXPECT_TRUE(FailsAt(B(R"json("groups": [{"id": "g", "members": ["user:u", "*"]}])json"), {"/groups/0/members/1"}));
  EXPECT_TRUE(FailsAt(B(R"json("groups": [{"id": "*", "members": ["user:u"]}])json"), {"/groups/0/id"}));
}

TEST(StarPrincipal, NotAsAWorkloadIdentity) {
  // An identity is the principal a workload checks as (§1 "principal: ... a
  // managed identity, a cloud role"; §4 check_workload answers
  // check(identity, ...)), so "*" there is "anywhere else" (§2).
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "default_identity": "*"}])json"), {"/clouds/0/default_identity"}));
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "m", "identity": "*"}]}])json"),
                      {"/clouds/0/mappings/0/identity"}));
}

// ============================================================================
// Routes (§5, §6)
// ============================================================================

std::string Route(std::string_view path_json, std::string_view scope) {
  return B(R"json("routes": [{"id": "r", "method": "GET", "path": ")json" + std::string(path_json) +
           R"json(", "action": "A/read", "scope": ")json" + std::string(scope) + "\"}]");
}

TEST(Routes, PatternMustCompileAsRe2) {
  EXPECT_TRUE(Compiles(Route("/api/(?P<x>[^/]+)", "/x/{x}")));
  EXPECT_TRUE(FailsAt(Route("/api/(", "/x"), {"/routes/0/path"}));
  EXPECT_TRUE(FailsAt(Route("/api/[z-a]", "/x"), {"/routes/0/path"}));
  EXPECT_TRUE(FailsAt(Route("/api/(?P<x>[^/]+", "/x"), {"/routes/0/path"}));
  // Backreferences are not RE2.
  EXPECT_TRUE(FailsAt(Route("/api/(a)\\\\1", "/x"), {"/routes/0/path"}));
}

TEST(Routes, PlaceholderWithoutANamedCaptureIsAnError) {
  EXPECT_TRUE(FailsAt(Route("/api/(?P<cloud>[^/]+)", "/c/{cloud}/p/{project}"), {"/routes/0/scope"}));
  EXPECT_TRUE(FailsAt(Route("/api/([^/]+)", "/c/{cloud}"), {"/routes/0/scope"}));
  EXPECT_TRUE(FailsAt(Route("/api/(?P<Cloud>[^/]+)", "/c/{cloud}"), {"/routes/0/scope"}));
  EXPECT_TRUE(Compiles(Route("/api/(?P<cloud>[^/]+)/(?P<project>[^/]+)", "/c/{cloud}/p/{project}")));
  // A capture the template does not use is fine.
  EXPECT_TRUE(Compiles(Route("/api/(?P<cloud>[^/]+)/(?P<extra>[^/]+)", "/c/{cloud}")));
}

TEST(Routes, ScopeTemplateMustBeAbleToYieldAValidScope) {
  const char* path = "/api/(?P<cloud>[^/]+)";
  EXPECT_TRUE(Compiles(Route(path, "/c/{cloud}")));
  EXPECT_TRUE(Compiles(Route(path, "/c/pre-{cloud}-post")));
  EXPECT_TRUE(Compiles(Route(path, "/")));
  for (const char* bad : {"c/{cloud}", "{cloud}", "/c/{cloud}/", "/c//{cloud}", "/c/../{cloud}", "/c/./{cloud}",
                          "/c/*/{cloud}", "/c/{cloud}*", "/c/\\u0001{cloud}"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(FailsAt(Route(path, bad), {"/routes/0/scope"}));
  }
  std::string deep;
  for (int i = 1; i <= 65; ++i) deep += "/x" + std::to_string(i);
  EXPECT_TRUE(FailsAt(Route(path, deep + "/{cloud}"), {"/routes/0/scope"}));
}

TEST(Routes, TwoCapturesOfOneNameAreAnError) {
  // RE2 accepts them, but {x} would name only the leftmost, and the empty
  // check of §9 would look at only one of them.
  EXPECT_TRUE(FailsAt(Route("/d/(?P<x>[^/]+)/(?P<x>[^/]*)", "/s/{x}"), {"/routes/0/path"}));
  EXPECT_TRUE(Compiles(Route("/d/(?P<x>[^/]+)/(?P<y>[^/]+)", "/s/{x}")));
}

TEST(Routes, RegexProgramSizeLimit) {
  const std::string big = Route("/x/(?:[a-z0-9]{100}){10}", "/x");
  EXPECT_TRUE(Compiles(big));
  Limits l;
  l.max_regex_program_bytes = 2048;
  EXPECT_TRUE(FailsAt(big, {"/routes/0/path"}, l));
}

// ============================================================================
// Clouds and mapping rules (§4, §9)
// ============================================================================

TEST(Mappings, AmbiguousRulesAreAnErrorNamingBothIds) {
  Outcome o = CompileBundle(B(R"json("clouds": [{"id": "c", "mappings": [
      {"id": "m-first", "project": "p", "workload_type": "job", "identity": "i1"},
      {"id": "m-other", "project": "p", "identity": "i3"},
      {"id": "m-second", "workload_type": "job", "project": "p", "identity": "i2"}]}])json"));
  ASSERT_FALSE(o.ok);
  bool named_both = false;
  for (const auto& d : o.diags) {
    if (d.severity != Severity::kError) continue;
    if (d.pointer.rfind("/clouds/0/mappings/", 0) != 0) continue;
    if (d.message.find("m-first") != std::string::npos && d.message.find("m-second") != std::string::npos) {
      named_both = true;
    }
  }
  EXPECT_TRUE(named_both) << DiagText(o.diags);
}

TEST(Mappings, TwoRulesNamingNoFieldAreAmbiguous) {
  EXPECT_TRUE(Fails(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "a", "identity": "i1"}, {"id": "b", "identity": "i2"}]}])json")));
}

TEST(Mappings, SameFieldsWithDifferentValuesOrCloudsAreFine) {
  EXPECT_TRUE(Compiles(B(R"json("clouds": [
      {"id": "c1", "mappings": [{"id": "a", "project": "p1", "identity": "i"}, {"id": "b", "project": "p2", "identity": "i"},
                                {"id": "c", "project": "P1", "identity": "i"}, {"id": "d", "user": "p1", "identity": "i"}]},
      {"id": "c2", "mappings": [{"id": "a", "project": "p1", "identity": "i"}]}])json")));
}

TEST(Mappings, ReservedIdsAreErrors) {
  for (const char* id : {"node_group", "compute_config", "cloud_default"}) {
    SCOPED_TRACE(id);
    EXPECT_TRUE(FailsAt(B(std::string(R"json("clouds": [{"id": "c", "mappings": [{"id": ")json") + id +
                          R"json(", "project": "p", "identity": "i"}]}])json"),
                        {"/clouds/0/mappings/0/id"}));
  }
  // Only those exact ids are reserved.
  EXPECT_TRUE(Compiles(B(R"json("clouds": [{"id": "node_group", "mappings": [{"id": "node_groups", "identity": "i"}]}])json")));
}

TEST(Mappings, UserStarIsAnErrorAsEveryPrincipalStarOutsideDenies) {
  // SPEC §2: "*" as a principal is everyone in deny_assignments only; a
  // rule's user would otherwise silently match only a user named "*".
  EXPECT_TRUE(FailsAt(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "m", "user": "*", "identity": "i"}]}])json"),
                      {"/clouds/0/mappings/0/user"}));
  EXPECT_TRUE(Compiles(B(R"json("clouds": [{"id": "c", "mappings": [{"id": "m", "project": "*", "identity": "i"}]}])json")));
}

// ============================================================================
// Limits (§6): defaults, lowered, raised
// ============================================================================

TEST(CompileLimits, StringOver4096BytesIsAnError) {
  auto named = [](std::string name) {
    return B(R"json("roles": [{"id": "r", "name": ")json" + name +
             R"json(", "actions": ["A/read"]}], "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/"}])json");
  };
  EXPECT_TRUE(Compiles(named(std::string(4096, 'n'))));
  EXPECT_TRUE(FailsAt(named(std::string(4097, 'n')), {"/roles/0/name"}));
  // Bytes, not characters: 2048 × é is 4096 bytes, 2049 × é is 4098.
  std::string e2048, e2049;
  for (int i = 0; i < 2048; ++i) e2048 += "\xC3\xA9";
  e2049 = e2048 + "\xC3\xA9";
  EXPECT_TRUE(Compiles(named(e2048)));
  EXPECT_TRUE(FailsAt(named(e2049), {"/roles/0/name"}));
}

TEST(CompileLimits, StringLimitCanBeLoweredAndRaised) {
  Limits low;
  low.max_string_bytes = 8;
  EXPECT_TRUE(Compiles(R"json({"version": 1, "actions": [{"name": "A/read"}]})json", low));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/123456789"}]})json", {"/actions/0/name"}, low));
  Limits high;
  high.max_string_bytes = 10000;
  std::string name(6000, 'x');
  EXPECT_TRUE(Compiles(B(R"json("roles": [{"id": "r", "name": ")json" + name +
                         R"json(", "actions": ["A/read"]}], "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/"}])json"),
                       high));
}

TEST(CompileLimits, ListEntriesLimit) {
  Limits l;
  l.max_list_entries = 3;
  const char* three = R"json({"version": 1, "actions": [{"name": "A/1"}, {"name": "A/2"}, {"name": "A/3"}],
    "roles": [{"id": "r", "actions": ["A/1", "A/2", "A/3"]}],
    "assignments": [{"id": "a", "principal": "g", "role": "r", "scope": "/"}],
    "groups": [{"id": "g", "members": ["u1", "u2", "u3"]}]})json";
  EXPECT_TRUE(Compiles(three, l));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/1"}, {"name": "A/2"}, {"name": "A/3"}, {"name": "A/4"}]})json",
                      {"/actions"}, l));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/1"}, {"name": "A/2"}, {"name": "A/3"}],
    "roles": [{"id": "r", "actions": ["A/1", "A/2", "A/3", "A/1"]}]})json",
                      {"/roles/0/actions"}, l));
  EXPECT_TRUE(FailsAt(R"json({"version": 1, "actions": [{"name": "A/1"}],
    "groups": [{"id": "g", "members": ["u1", "u2", "u3", "u4"]}]})json",
                      {"/groups/0/members"}, l));
}

TEST(CompileLimits, ScopeSegmentLimitCanBeLoweredAndRaised) {
  Limits low;
  low.max_scope_segments = 2;
  EXPECT_TRUE(Compiles(AssignedAt("/a/b"), low));
  EXPECT_TRUE(FailsAt(AssignedAt("/a/b/c"), {"/assignments/0/scope"}, low));
  Limits high;
  high.max_scope_segments = 100;
  std::string deep;
  for (int i = 1; i <= 80; ++i) deep += "/x" + std::to_string(i);
  EXPECT_TRUE(Compiles(AssignedAt(deep), high));
  EXPECT_TRUE(FailsAt(AssignedAt(deep), {"/assignments/0/scope"}));
}

TEST(CompileLimits, BundleSizeLimit) {
  Limits l;
  l.max_bundle_bytes = 64;
  EXPECT_TRUE(Compiles(R"json({"version": 1, "actions": []})json", l));
  Outcome o = CompileBundle(B(R"json("roles": [{"id": "r", "actions": ["A/read"]}])json"), l);
  EXPECT_FALSE(o.ok);
  EXPECT_TRUE(FindDiag(o.diags, Severity::kError, {""})) << DiagText(o.diags);
}

TEST(CompileLimits, RouteCountLimit) {
  Limits l;
  l.max_routes = 1;
  const std::string two = B(R"json("routes": [
      {"id": "r1", "method": "GET", "path": "/a", "action": "A/read", "scope": "/a"},
      {"id": "r2", "method": "GET", "path": "/b", "action": "A/read", "scope": "/b"}])json");
  EXPECT_TRUE(Compiles(two));
  EXPECT_TRUE(FailsAt(two, {"/routes"}, l));
}

// ============================================================================
// Every error found (§6)
// ============================================================================

TEST(EveryError, ThreeIndependentErrorsAreAllReported) {
  Outcome o = CompileBundle(B(R"json("roles": [{"id": "r", "actions": ["A/read"], "bogus": 1}],
    "assignments": [{"id": "a1", "principal": "u", "role": "r", "scope": "/"},
                    {"id": "a2", "principal": "u", "role": "ghost", "scope": "/"}],
    "deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["A/read"], "scope": "/s//x"}])json"));
  ASSERT_FALSE(o.ok);
  EXPECT_TRUE(FindDiag(o.diags, Severity::kError, {"/roles/0/bogus"})) << DiagText(o.diags);
  EXPECT_TRUE(FindDiag(o.diags, Severity::kError, {"/assignments/1/role"})) << DiagText(o.diags);
  EXPECT_TRUE(FindDiag(o.diags, Severity::kError, {"/deny_assignments/0/scope"})) << DiagText(o.diags);
}

TEST(EveryError, TwoIndependentGroupCyclesAreBothReported) {
  Outcome o = CompileBundle(B(R"json("groups": [
      {"id": "a", "members": ["b"]}, {"id": "b", "members": ["a"]},
      {"id": "c", "members": ["d"]}, {"id": "d", "members": ["c"]}])json"));
  ASSERT_FALSE(o.ok);
  EXPECT_TRUE(HasErrorUnder(o.diags, "/groups/0") || HasErrorUnder(o.diags, "/groups/1")) << DiagText(o.diags);
  EXPECT_TRUE(HasErrorUnder(o.diags, "/groups/2") || HasErrorUnder(o.diags, "/groups/3")) << DiagText(o.diags);
}

TEST(EveryError, ErrorsAcrossAllSectionsAreAllReported) {
  Outcome o = CompileBundle(R"json({"version": 1,
    "actions": [{"name": "A/read"}, {"name": "A/*"}],
    "roles": [{"id": "r", "actions": ["A/nope"]}],
    "groups": [{"id": "g", "members": ["*"]}],
    "statements": [{"id": "s", "principal": "p", "effect": "allow", "actions": ["A/read"], "resources": ["*"]}],
    "clouds": [{"id": "c", "mappings": [{"id": "cloud_default", "identity": "i"}]}],
    "routes": [{"id": "rt", "method": "GET", "path": "(", "action": "A/read", "scope": "/x"}]})json");
  ASSERT_FALSE(o.ok);
  for (const char* ptr : {"/actions/1/name", "/roles/0/actions/0", "/groups/0/members/0", "/statements/0/effect",
                          "/clouds/0/mappings/0/id", "/routes/0/path"}) {
    EXPECT_TRUE(FindDiag(o.diags, Severity::kError, {ptr})) << "missing " << ptr << "\n" << DiagText(o.diags);
  }
}

// ============================================================================
// Warnings do not fail the compile (§2, §6)
// ============================================================================

TEST(Warnings, PatternMatchingNothing) {
  EXPECT_TRUE(WarnsAt(B(R"json("roles": [{"id": "r", "actions": ["A/read", "Nope/*"]}],
      "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/"}])json"),
                      {"/roles/0/actions/1"}));
  EXPECT_TRUE(WarnsAt(B(R"json("statements": [{"id": "s", "principal": "p", "effect": "Allow", "actions": ["X?/*"], "resources": ["*"]}])json"),
                      {"/statements/0/actions/0"}));
  EXPECT_TRUE(WarnsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["Q*"], "scope": "/"}])json"),
                      {"/deny_assignments/0/actions/0"}));
}

TEST(Warnings, RoleNeverAssigned) {
  EXPECT_TRUE(WarnsAt(B(R"json("roles": [{"id": "used", "actions": ["A/read"]}, {"id": "unused", "actions": ["A/write"]}],
      "assignments": [{"id": "a", "principal": "u", "role": "used", "scope": "/"}])json"),
                      {"/roles/1", "/roles/1/id"}));
}

TEST(Warnings, GroupWithNoMembers) {
  EXPECT_TRUE(WarnsAt(B(R"json("groups": [{"id": "g", "members": []}])json"), {"/groups/0", "/groups/0/members"}));
  EXPECT_TRUE(WarnsAt(B(R"json("groups": [{"id": "g"}])json"), {"/groups/0", "/groups/0/members"}));
}

TEST(Warnings, LiteralOfTheOtherKind) {
  EXPECT_TRUE(WarnsAt(B(R"json("roles": [{"id": "r", "actions": ["D/read"]}],
      "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/"}])json"),
                      {"/roles/0/actions/0"}));
  EXPECT_TRUE(WarnsAt(B(R"json("roles": [{"id": "r", "data_actions": ["A/read"]}],
      "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/"}])json"),
                      {"/roles/0/data_actions/0"}));
  EXPECT_TRUE(WarnsAt(B(R"json("deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["D/read"], "scope": "/"}])json"),
                      {"/deny_assignments/0/actions/0"}));
}

TEST(Warnings, AreReportedAlongsideErrorsWhenTheCompileFails) {
  Outcome o = CompileBundle(B(R"json("roles": [{"id": "unused", "actions": ["A/read"]}], "groups": [{"id": "g", "members": []}],
      "deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["A/read"], "scope": "bad"}])json"));
  ASSERT_FALSE(o.ok);
  EXPECT_TRUE(FindDiag(o.diags, Severity::kError, {"/deny_assignments/0/scope"})) << DiagText(o.diags);
  EXPECT_TRUE(FindDiag(o.diags, Severity::kWarning, {"/groups/0", "/groups/0/members"})) << DiagText(o.diags);
}

TEST(Diagnostics, FormatNamesPointerAndMessage) {
  Diagnostic d;
  d.pointer = "/roles/0/id";
  d.line = 3;
  d.column = 7;
  d.message = "duplicate id \"reader\"";
  std::string s = FormatDiagnostic(d);
  EXPECT_NE(s.find("/roles/0/id"), std::string::npos) << s;
  EXPECT_NE(s.find("duplicate id \"reader\""), std::string::npos) << s;
  EXPECT_NE(s.find('3'), std::string::npos) << s;
  EXPECT_NE(s.find('7'), std::string::npos) << s;
  EXPECT_EQ(s.find('\n'), std::string::npos) << "one line per diagnostic: " << s;
}

// ============================================================================
// Publishing a rejected bundle changes nothing (§6, §8)
// ============================================================================

const char kGoodV1[] = R"json({"version": 1, "actions": [{"name": "A/read"}, {"name": "A/write"}],
  "roles": [{"id": "r", "actions": ["A/read"]}],
  "assignments": [{"id": "a", "principal": "user:u", "role": "r", "scope": "/"}]})json";
const char kGoodV2[] = R"json({"version": 1, "actions": [{"name": "A/read"}, {"name": "A/write"}],
  "roles": [{"id": "r", "actions": ["A/write"]}],
  "assignments": [{"id": "a", "principal": "user:u", "role": "r", "scope": "/"}]})json";

TEST(EnginePublish, RejectedBundleLeavesThePolicyInService) {
  std::vector<Diagnostic> diags;
  auto engine_or = Engine::Create(kGoodV1, Limits{}, &diags);
  ASSERT_TRUE(engine_or.ok()) << engine_or.status() << "\n" << DiagText(diags);
  Engine& engine = **engine_or;
  const uint64_t gen = engine.generation();
  EXPECT_EQ(engine.Check("user:u", "A/read", "/x"), (Decision{true, Reason::kGrant}));

  for (const char* bad : {"{", R"json({"version": 2, "actions": []})json",
                          R"json({"version": 1, "actions": [{"name": "A/read"}],
                              "assignments": [{"id": "a", "principal": "user:u", "role": "ghost", "scope": "/"}]})json"}) {
    SCOPED_TRACE(bad);
    std::vector<Diagnostic> pd;
    absl::Status st = engine.Publish(bad, &pd);
    EXPECT_FALSE(st.ok());
    bool has_error = false;
    for (const auto& d : pd) has_error |= d.severity == Severity::kError;
    EXPECT_TRUE(has_error) << DiagText(pd);
    EXPECT_EQ(engine.generation(), gen);
    EXPECT_EQ(engine.Check("user:u", "A/read", "/x"), (Decision{true, Reason::kGrant}));
    EXPECT_EQ(engine.Check("user:u", "A/write", "/x"), (Decision{false, Reason::kNoGrant}));
  }

  // A good bundle is then taken, and a snapshot pinned before keeps the old one.
  Snapshot before = engine.Acquire();
  ASSERT_TRUE(before);
  ASSERT_TRUE(engine.Publish(kGoodV2).ok());
  EXPECT_EQ(engine.generation(), gen + 1);
  EXPECT_EQ(engine.Check("user:u", "A/write", "/x"), (Decision{true, Reason::kGrant}));
  EXPECT_EQ(engine.Check("user:u", "A/read", "/x"), (Decision{false, Reason::kNoGrant}));
  EXPECT_EQ(before->Check("user:u", "A/read", "/x"), (Decision{true, Reason::kGrant}));
  EXPECT_EQ(before->Check("user:u", "A/write", "/x"), (Decision{false, Reason::kNoGrant}));
}

TEST(EnginePublish, WarningsDoNotStopAPublish) {
  auto engine_or = Engine::Create(kGoodV1);
  ASSERT_TRUE(engine_or.ok()) << engine_or.status();
  std::vector<Diagnostic> diags;
  absl::Status st = (*engine_or)->Publish(R"json({"version": 1, "actions": [{"name": "A/read"}],
      "roles": [{"id": "r", "actions": ["A/read"]}, {"id": "unused", "actions": ["Z/*"]}],
      "assignments": [{"id": "a", "principal": "user:v", "role": "r", "scope": "/"}]})json", &diags);
  ASSERT_TRUE(st.ok()) << st << DiagText(diags);
  EXPECT_TRUE(FindDiag(diags, Severity::kWarning, {"/roles/1", "/roles/1/id"})) << DiagText(diags);
  EXPECT_EQ((*engine_or)->Check("user:v", "A/read", "/x"), (Decision{true, Reason::kGrant}));
  EXPECT_EQ((*engine_or)->Check("user:u", "A/read", "/x"), (Decision{false, Reason::kNoGrant}));
}

TEST(EnginePublish, CreateRejectsABadBundle) {
  std::vector<Diagnostic> diags;
  auto engine_or = Engine::Create(R"json({"version": 1, "actions": [{"name": "A/*"}]})json", Limits{}, &diags);
  EXPECT_FALSE(engine_or.ok());
  EXPECT_TRUE(FindDiag(diags, Severity::kError, {"/actions/0/name"})) << DiagText(diags);
}

}  // namespace
}  // namespace rolegate
