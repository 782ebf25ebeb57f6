// loader_test.cc — the JSON loader alone (lib/model/loader.h): what it puts in
// the bundle model for the v2 fields of SPEC §10–§12, the shape errors it
// reports for them, and where it reports malformed JSON (the offending
// token's line and column, not "line 1 col 1").
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "../lib/model/json_syntax.h"
#include "../lib/model/loader.h"
#include "gtest/gtest.h"
#include "rolegate/types.h"

namespace rolegate {
namespace {

using internal::DiagSink;
using model::ConditionValue;

struct Loaded {
  bool well_formed = false;  // LoadBundle's result: false only for malformed JSON
  model::Bundle bundle;
  std::vector<Diagnostic> diags;
};

Loaded Load(const std::string& json, const Limits& limits = Limits()) {
  Loaded out;
  DiagSink sink;
  out.well_formed = internal::LoadBundle(json, limits, &out.bundle, &sink);
  out.diags = sink.Finish(json);
  return out;
}

std::string Text(const std::vector<Diagnostic>& diags) {
  std::string s;
  for (const auto& d : diags) s += "  " + FormatDiagnostic(d) + "\n";
  return s.empty() ? "  (no diagnostics)\n" : s;
}

// The one error at `pointer` (nullptr when there is none).
const Diagnostic* ErrorAt(const Loaded& l, std::string_view pointer) {
  for (const auto& d : l.diags)
    if (d.severity == Severity::kError && d.pointer == pointer) return &d;
  return nullptr;
}

::testing::AssertionResult HasError(const Loaded& l, std::string_view pointer, std::string_view needle) {
  for (const auto& d : l.diags) {
    if (d.severity == Severity::kError && d.pointer == pointer && d.message.find(needle) != std::string::npos)
      return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no error at \"" << pointer << "\" containing \"" << needle << "\"\n"
                                       << Text(l.diags);
}

// A bundle with one declared action and `rest` (top-level members, with a
// leading comma) after it.
std::string B(const std::string& rest) {
  return R"({"version": 1, "actions": [{"name": "A/read"}])" + rest + "}";
}

std::string Statement(const std::string& fields) {
  return B(R"(, "statements": [{"id": "s", "principal": "p", "effect": "Allow", )" + fields + "}]");
}

// ============================================================================
// Malformed JSON: the offending token's position
// ============================================================================

// Loads `json`, which must be malformed, and checks its one error at pointer
// "": the message, and the line and column of the offending token. Unless
// `others`, that is the only diagnostic.
void ExpectMalformedAt(const std::string& json, uint32_t line, uint32_t column, std::string_view needle,
                       bool others = false) {
  SCOPED_TRACE(json);
  Loaded l = Load(json);
  EXPECT_FALSE(l.well_formed);
  if (!others) EXPECT_EQ(l.diags.size(), 1u) << Text(l.diags);
  ASSERT_FALSE(l.diags.empty());
  size_t at_root = 0;
  for (const auto& d : l.diags) at_root += d.pointer.empty();
  ASSERT_EQ(at_root, 1u) << Text(l.diags);
  const Diagnostic& d = *ErrorAt(l, "");
  EXPECT_EQ(d.severity, Severity::kError);
  EXPECT_EQ(d.pointer, "");
  EXPECT_EQ(d.line, line) << Text(l.diags);
  EXPECT_EQ(d.column, column) << Text(l.diags);
  EXPECT_NE(d.message.find("malformed JSON"), std::string::npos) << Text(l.diags);
  EXPECT_NE(d.message.find(needle), std::string::npos) << "want \"" << needle << "\"\n" << Text(l.diags);
}

TEST(MalformedJsonLocation, TrailingCommaInAnObject) {
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [],\n}", 3, 1, "trailing comma");
}

TEST(MalformedJsonLocation, TrailingCommaInAnArray) {
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [{\"name\": \"A/r\"},\n ]}", 3, 2, "trailing comma");
}

TEST(MalformedJsonLocation, DoubledComma) {
  ExpectMalformedAt("{\"version\": 1,\n  \"actions\": [\n    {\"name\": \"A/read\"},,\n  ]\n}", 3, 24,
                    "expected a value");
}

TEST(MalformedJsonLocation, MissingColon) {
  ExpectMalformedAt("{\"version\": 1,\n \"actions\" []}", 2, 12, "expected ':'");
}

TEST(MalformedJsonLocation, MissingComma) {
  ExpectMalformedAt("{\"version\": 1\n \"actions\": []}", 2, 2, "expected ',' or '}'");
}

TEST(MalformedJsonLocation, UnterminatedStringAtTheEnd) {
  // The error is the string that never closes: its opening quote.
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [{\"name\": \"A/read}]}", 2, 23, "unterminated string");
}

TEST(MalformedJsonLocation, UnterminatedStringBeforeALineBreak) {
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [{\"name\": \"A/read}]\n}", 2, 32, "line break inside a string");
}

TEST(MalformedJsonLocation, BadLiteral) {
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [{\"name\": \"A/r\", \"data\": tru}]}", 2, 38,
                    "invalid literal 'tru'");
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [{\"name\": \"A/r\", \"data\": True}]}", 2, 38,
                    "invalid literal 'True'");
}

TEST(MalformedJsonLocation, TruncatedDocument) {
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [", 2, 14, "unexpected end of input");
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [{\"name\": \"A/r\"}", 2, 29, "unexpected end of input");
  ExpectMalformedAt("{\"version\": 1,\n \"actions\"", 2, 11, "unexpected end of input");
}

TEST(MalformedJsonLocation, InvalidNumber) {
  // simdjson's on-demand pass reads no number it does not need (the second is
  // under an unknown key, skipped unread); the scan after any error finds
  // them. The shape errors ("version must be...", "unknown key") stay.
  ExpectMalformedAt("{\"version\": 01,\n \"actions\": []}", 1, 13, "invalid number '01'", /*others=*/true);
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [], \"x\": -}", 2, 22, "invalid number '-'", /*others=*/true);
}

TEST(MalformedJsonLocation, RawControlCharacterInAString) {
  // simdjson's first pass finds this and cannot say where; the scan can.
  ExpectMalformedAt("{\"version\": 1,\n\n\n\n\n  \"actions\": [{\"name\": \"A/\tread\"}]}", 6, 27, "U+0009");
}

TEST(MalformedJsonLocation, InvalidUtf8) {
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [{\"name\": \"A/\xFF\"}]}", 2, 26, "invalid UTF-8");
  // An overlong '/' (C0 AF) and an encoded surrogate (ED A0 80).
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [{\"name\": \"A\xC0\xAF\"}]}", 2, 25, "invalid UTF-8");
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [{\"name\": \"A\xED\xA0\x80\"}]}", 2, 25, "invalid UTF-8");
}

TEST(MalformedJsonLocation, LoneSurrogateEscape) {
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [{\"name\": \"A/\\ud800\"}]}", 2, 26, "lone high surrogate");
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [{\"name\": \"A/\\udc00\"}]}", 2, 26, "lone low surrogate");
}

TEST(MalformedJsonLocation, TrailingContentCommentsAndQuotes) {
  ExpectMalformedAt("{\"version\": 1, \"actions\": []}\n x", 2, 2, "after the end of the document");
  ExpectMalformedAt("{\"version\": 1, \"actions\": []}{}", 1, 30, "after the end of the document");
  ExpectMalformedAt("{\"version\": 1,\n \"actions\": [] /* no */}", 2, 16, "comments");
  ExpectMalformedAt("{\"version\": 1,\n 'actions': []}", 2, 2, "double quotes");
}

TEST(MalformedJsonLocation, EmptyDocument) {
  ExpectMalformedAt("", 1, 1, "empty");
  ExpectMalformedAt("  \n ", 2, 2, "empty");
}

TEST(MalformedJsonLocation, ShapeErrorsBeforeTheBreakAreKept) {
  // Loading goes on up to the break, so earlier shape errors are reported too.
  Loaded l = Load("{\"version\": 1, \"bogus\": 1,\n \"actions\": [,]}");
  EXPECT_FALSE(l.well_formed);
  EXPECT_TRUE(HasError(l, "/bogus", "unknown key"));
  const Diagnostic* d = ErrorAt(l, "");
  ASSERT_NE(d, nullptr) << Text(l.diags);
  EXPECT_EQ(d->line, 2u);
  EXPECT_EQ(d->column, 14u);
}

TEST(JsonSyntax, AcceptsWellFormedDocuments) {
  for (const char* ok : {"{}", "[]", " [1, -0.5e+10, 0, 1E3, true, false, null] ", "\"x\"", "-0",
                         R"({"a": {"b": [{}, [], "\u00e9\ud83d\ude00\n\t\"\\\/"]}})", "{\"k\": \"caf\xC3\xA9 \xF0\x9F\x98\x80\"}"}) {
    EXPECT_FALSE(internal::FindJsonSyntaxError(ok).has_value()) << ok << ": "
                                                                << internal::FindJsonSyntaxError(ok)->message;
  }
}

TEST(JsonSyntax, AcceptsTheExampleAndTheRealBundles) {
  // No false alarms on large real documents (the scan only runs after
  // simdjson refused a text, but it must never invent an error).
  // The shared data may be elsewhere (a worktree): $ROLEGATE_SHARED_DIR wins.
  const char* env = std::getenv("ROLEGATE_SHARED_DIR");
  const std::string shared = env != nullptr ? env : ROLEGATE_SHARED_DIR;
  for (const std::string path : {std::string(ROLEGATE_SOURCE_DIR) + "/examples/anyscale.json",
                                 shared + "/data/azure/azure-builtin.bundle.json",
                                 shared + "/data/aws/aws-managed.bundle.json"}) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::printf("skipped (absent): %s\n", path.c_str());
      continue;  // the shared data may be absent on a bare checkout
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto err = internal::FindJsonSyntaxError(ss.str());
    EXPECT_FALSE(err.has_value()) << path << ": " << err->message << " at " << err->offset;
  }
}

TEST(JsonSyntax, NumberGrammar) {
  for (const char* ok : {"0", "-0", "1", "10", "1.5", "-1.5e3", "1E+3", "1e-3", "123456789012345678901234567890"})
    EXPECT_TRUE(internal::IsJsonNumber(ok)) << ok;
  for (const char* bad : {"", "-", "01", "1.", ".5", "1e", "1e+", "+1", "0x10", "1.5.2", "NaN", "Infinity", "1 "})
    EXPECT_FALSE(internal::IsJsonNumber(bad)) << bad;
}

// Random byte edits of a bundle with every v2 field: the loader calls a text
// malformed exactly when the strict scan finds a syntax error (numbers stay
// in range here, the one case where simdjson alone may refuse), and every
// malformed report has a position.
TEST(LoaderFuzz, MalformedExactlyWhenTheScanFindsASyntaxError) {
  const std::string seed = R"({"version": 1, "actions": [{"name": "A/read", "data": true, "effective_only_at": ["/s/*"]}],
 "roles": [{"id": "r", "name": "", "permissions": [{"actions": ["A/*"], "not_actions": ["A/x"], "condition": "c"}]}],
 "statements": [{"id": "s", "principal": "p", "effect": "Allow", "not_actions": ["A/*"], "resources": ["*"],
   "policy_version": "2012-10-17", "condition": {"StringEquals": {"aws:a/b": ["x", ""], "n": 10}, "Bool": {"b": true}}}],
 "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/", "condition": "x"}],
 "deny_assignments": [{"id": "d", "principals": ["*"], "scope": "/", "apply_to_children": false}],
 "clouds": [{"id": "c", "mappings": [{"id": "m", "identity": "i", "user": "u"}]}],
 "routes": [{"id": "r", "method": "GET", "path": "/x", "action": "A/read", "scope": "/x"}],
 "scope_parents": [{"scope": "/s", "parent": "/p"}]})";
  ASSERT_TRUE(Load(seed).diags.empty()) << Text(Load(seed).diags);
  const std::string alphabet = std::string("{}[],:\"\\ 0123456789-tnfu\n/~a") + "\xFF";
  std::mt19937 rng(7);
  Limits small;
  small.max_list_entries = 3;
  int malformed = 0, shape = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s = seed;
    for (int m = 0, muts = 1 + rng() % 4; m < muts; ++m) {
      const size_t pos = rng() % (s.size() + 1);
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: if (pos < s.size()) s.erase(pos, 1 + rng() % 8); break;
        case 1: s.insert(pos, 1, c); break;
        default: if (pos < s.size()) s[pos] = c;
      }
    }
    Loaded l = Load(s, iter % 2 ? small : Limits());
    const auto syn = internal::FindJsonSyntaxError(s);
    ASSERT_EQ(l.well_formed, !syn.has_value()) << s << "\n" << Text(l.diags);
    if (!l.well_formed) {
      ++malformed;
      const Diagnostic* d = ErrorAt(l, "");
      ASSERT_NE(d, nullptr) << s << "\n" << Text(l.diags);
      EXPECT_GT(d->line, 0u) << s << "\n" << Text(l.diags);
    } else if (!l.diags.empty()) {
      ++shape;
    }
  }
  // The edits must reach both outcomes, or the test proves nothing.
  EXPECT_GT(malformed, 1000);
  EXPECT_GT(shape, 1000);
}

// ============================================================================
// Statements: not_actions, not_resources, policy_version (SPEC §11)
// ============================================================================

TEST(LoaderStatements, NotActionsAndNotResourcesFillTheListsAndSetTheFlags) {
  Loaded l = Load(Statement(R"("not_actions": ["A/*", "B/x"], "not_resources": ["arn:aws:s3:::b/*"])"));
  ASSERT_TRUE(l.well_formed);
  EXPECT_TRUE(l.diags.empty()) << Text(l.diags);
  ASSERT_EQ(l.bundle.statements.size(), 1u);
  const model::Statement& s = l.bundle.statements[0];
  EXPECT_TRUE(s.valid);
  EXPECT_TRUE(s.not_actions);
  EXPECT_TRUE(s.not_resources);
  ASSERT_EQ(s.actions.size(), 2u);
  EXPECT_EQ(s.actions[1].s, "B/x");
  ASSERT_EQ(s.resources.size(), 1u);
  EXPECT_EQ(s.resources[0].s, "arn:aws:s3:::b/*");
  EXPECT_FALSE(s.policy_version.has_value());
  EXPECT_FALSE(s.condition.has_value());
}

TEST(LoaderStatements, PositiveListsLeaveTheFlagsFalse) {
  Loaded l = Load(Statement(R"("actions": ["A/read"], "resources": ["*"], "policy_version": "2012-10-17")"));
  ASSERT_TRUE(l.diags.empty()) << Text(l.diags);
  const model::Statement& s = l.bundle.statements[0];
  EXPECT_FALSE(s.not_actions);
  EXPECT_FALSE(s.not_resources);
  ASSERT_TRUE(s.policy_version.has_value());
  EXPECT_EQ(s.policy_version->s, "2012-10-17");  // its value is the compiler's to check
  EXPECT_NE(s.policy_version->off, model::kNoOffset);
}

TEST(LoaderStatements, ExactlyOneOfEachPair) {
  Loaded both = Load(Statement(R"("actions": ["A/read"], "not_actions": ["B/x"], "resources": ["*"])"));
  EXPECT_TRUE(HasError(both, "/statements/0", "\"actions\" and \"not_actions\" exclude each other"));
  EXPECT_FALSE(both.bundle.statements[0].valid);
  Loaded neither = Load(Statement(R"("resources": ["*"])"));
  EXPECT_TRUE(HasError(neither, "/statements/0", "missing required field \"actions\" (or \"not_actions\")"));
  EXPECT_FALSE(neither.bundle.statements[0].valid);
  Loaded res = Load(Statement(R"("actions": ["A/read"], "resources": ["*"], "not_resources": ["x"])"));
  EXPECT_TRUE(HasError(res, "/statements/0", "\"resources\" and \"not_resources\" exclude each other"));
  Loaded none = Load(Statement(R"("actions": ["A/read"])"));
  EXPECT_TRUE(HasError(none, "/statements/0", "missing required field \"resources\" (or \"not_resources\")"));
  // Both pairs wrong: both reported, one run.
  Loaded two = Load(Statement(R"("actions": [], "not_actions": [])"));
  EXPECT_TRUE(HasError(two, "/statements/0", "exclude each other"));
  EXPECT_TRUE(HasError(two, "/statements/0", "\"resources\" (or \"not_resources\")"));
}

TEST(LoaderStatements, FieldTypes) {
  EXPECT_TRUE(HasError(Load(Statement(R"("not_actions": "A/read", "resources": ["*"])")), "/statements/0/not_actions",
                       "expected an array of strings, found a string"));
  EXPECT_TRUE(HasError(Load(Statement(R"("actions": ["A/read"], "not_resources": [""])")),
                       "/statements/0/not_resources/0", "must not be empty"));
  EXPECT_TRUE(HasError(Load(Statement(R"("actions": ["A/read"], "resources": ["*"], "policy_version": 2012)")),
                       "/statements/0/policy_version", "expected a string, found a number"));
  EXPECT_TRUE(HasError(Load(Statement(R"("actions": ["A/read"], "resources": ["*"], "policy_version": "")")),
                       "/statements/0/policy_version", "must not be empty"));
  EXPECT_TRUE(HasError(Load(Statement(R"("actions": ["A/read"], "resources": ["*"], "policyVersion": "x")")),
                       "/statements/0/policyVersion", "unknown key"));
}

// ============================================================================
// AWS conditions (SPEC §10, AWS form)
// ============================================================================

std::string WithCondition(const std::string& condition) {
  return Statement(R"("actions": ["A/read"], "resources": ["*"], "condition": )" + condition);
}

TEST(LoaderAwsCondition, EveryValueKindIsKeptAsWritten) {
  const std::string json = WithCondition(R"({
      "StringEquals": {"aws:PrincipalTag/team": ["ml", ""], "s3:prefix": "home/"},
      "NumericLessThan": {"s3:max-keys": 10, "x:ratio": -1.5e3},
      "Bool": {"aws:SecureTransport": true, "aws:MultiFactorAuthPresent": [false, "true"]}})");
  Loaded l = Load(json);
  ASSERT_TRUE(l.well_formed);
  ASSERT_TRUE(l.diags.empty()) << Text(l.diags);
  const model::Statement& s = l.bundle.statements[0];
  EXPECT_TRUE(s.valid);
  ASSERT_TRUE(s.condition.has_value());
  const model::AwsCondition& c = *s.condition;
  EXPECT_EQ(json.compare(c.off, 1, "{"), 0);
  ASSERT_EQ(c.operators.size(), 3u);
  EXPECT_EQ(c.operators[0].op.s, "StringEquals");
  EXPECT_EQ(json.compare(c.operators[0].op.off, 14, "\"StringEquals\""), 0) << "the offset of the key's quote";
  ASSERT_EQ(c.operators[0].keys.size(), 2u);
  const model::ConditionKey& team = c.operators[0].keys[0];
  EXPECT_EQ(team.key.s, "aws:PrincipalTag/team");
  ASSERT_EQ(team.values.size(), 2u);
  EXPECT_EQ(team.values[0].kind, ConditionValue::Kind::kString);
  EXPECT_EQ(team.values[0].text, "ml");
  EXPECT_EQ(team.values[1].text, "");  // condition values may be empty
  EXPECT_EQ(json.compare(team.values[1].off, 2, "\"\""), 0);
  EXPECT_EQ(c.operators[0].keys[1].values.at(0).text, "home/");
  const model::ConditionOperator& num = c.operators[1];
  ASSERT_EQ(num.keys.size(), 2u);
  EXPECT_EQ(num.keys[0].values.at(0).kind, ConditionValue::Kind::kNumber);
  EXPECT_EQ(num.keys[0].values.at(0).text, "10");  // the token text, without the space after it
  EXPECT_EQ(num.keys[1].values.at(0).text, "-1.5e3");
  const model::ConditionOperator& b = c.operators[2];
  EXPECT_EQ(b.keys.at(0).values.at(0).kind, ConditionValue::Kind::kBool);
  EXPECT_EQ(b.keys.at(0).values.at(0).text, "true");
  ASSERT_EQ(b.keys.at(1).values.size(), 2u);
  EXPECT_EQ(b.keys.at(1).values[0].kind, ConditionValue::Kind::kBool);
  EXPECT_EQ(b.keys.at(1).values[0].text, "false");
  EXPECT_EQ(b.keys.at(1).values[1].kind, ConditionValue::Kind::kString);
}

TEST(LoaderAwsCondition, EmptyConditionHasNoOperators) {
  Loaded l = Load(WithCondition("{}"));
  ASSERT_TRUE(l.diags.empty()) << Text(l.diags);
  ASSERT_TRUE(l.bundle.statements[0].condition.has_value());
  EXPECT_TRUE(l.bundle.statements[0].condition->operators.empty());
}

TEST(LoaderAwsCondition, BadValuesAreErrorsAtTheirEscapedPointers) {
  // Keys hold ':' and '/': the pointer escapes '/' as ~1 and '~' as ~0.
  const std::string base = "/statements/0/condition/StringEquals/aws:PrincipalTag~1team";
  struct Case {
    const char* value;
    std::string pointer;
    const char* needle;
  };
  for (const Case& c : {Case{"null", base, "found null"}, Case{"{\"a\": \"b\"}", base, "found an object"},
                        Case{"[[\"a\"]]", base + "/0", "found an array"}, Case{"[\"a\", null]", base + "/1", "found null"},
                        Case{"[]", base, "at least one value"}}) {
    SCOPED_TRACE(c.value);
    Loaded l = Load(WithCondition(std::string(R"({"StringEquals": {"aws:PrincipalTag/team": )") + c.value + "}}"));
    EXPECT_TRUE(l.well_formed);
    EXPECT_TRUE(HasError(l, c.pointer, c.needle));
    EXPECT_EQ(l.diags.size(), 1u) << Text(l.diags);
    EXPECT_FALSE(l.bundle.statements[0].valid);
    EXPECT_FALSE(l.bundle.statements[0].condition.has_value()) << "never a partial condition";
  }
  Loaded tilde = Load(WithCondition(R"({"StringLike": {"a~b": null}})"));
  EXPECT_TRUE(HasError(tilde, "/statements/0/condition/StringLike/a~0b", "found null"));
}

TEST(LoaderAwsCondition, BadShapesAreErrors) {
  struct Case {
    const char* condition;
    const char* pointer;
    const char* needle;
  };
  for (const Case& c : {
           Case{R"("aws:SourceIp")", "/statements/0/condition", "expected an object (an AWS condition), found a string"},
           Case{R"({"StringEquals": ["a"]})", "/statements/0/condition/StringEquals",
                "expected an object of condition keys, found an array"},
           Case{R"({"StringEquals": {}})", "/statements/0/condition/StringEquals", "at least one key"},
           Case{R"({"StringEquals": {"k": "a"}, "StringEquals": {"k": "b"}})", "/statements/0/condition/StringEquals",
                "duplicate key"},
           Case{R"({"StringEquals": {"k": "a", "k": "b"}})", "/statements/0/condition/StringEquals/k", "duplicate key"},
           Case{R"({"": {"k": "a"}, "Bool": {"b": true}})", "/statements/0/condition/", "must not be empty"},
           Case{R"({"StringEquals": {"": "a", "k": "b"}})", "/statements/0/condition/StringEquals/", "must not be empty"},
       }) {
    SCOPED_TRACE(c.condition);
    Loaded l = Load(WithCondition(c.condition));
    EXPECT_TRUE(HasError(l, c.pointer, c.needle));
    EXPECT_EQ(l.diags.size(), 1u) << Text(l.diags);
    // A rejected key drops its value: the rest must not pass for the whole.
    EXPECT_FALSE(l.bundle.statements[0].valid);
    EXPECT_FALSE(l.bundle.statements[0].condition.has_value());
  }
}

TEST(LoaderAwsCondition, ErrorsCarryTheLineOfTheKey) {
  const std::string json =
      "{\"version\": 1, \"actions\": [{\"name\": \"A/read\"}],\n"
      " \"statements\": [{\"id\": \"s\", \"principal\": \"p\", \"effect\": \"Allow\",\n"
      "  \"actions\": [\"A/read\"], \"resources\": [\"*\"], \"condition\": {\n"
      "   \"StringEquals\": {\"k\": \"a\", \"k\": \"b\"},\n"
      "   \"NumericEquals\": {\"n\": null}}}]}";
  Loaded l = Load(json);
  const Diagnostic* dup = ErrorAt(l, "/statements/0/condition/StringEquals/k");
  ASSERT_NE(dup, nullptr) << Text(l.diags);
  EXPECT_EQ(dup->line, 4u);
  EXPECT_EQ(dup->column, 31u);  // the second "k"
  const Diagnostic* null = ErrorAt(l, "/statements/0/condition/NumericEquals/n");
  ASSERT_NE(null, nullptr) << Text(l.diags);
  EXPECT_EQ(null->line, 5u);
  EXPECT_EQ(null->column, 27u);
}

TEST(LoaderAwsCondition, AMalformedNumberIsMalformedJson) {
  Loaded l = Load(WithCondition(R"({"NumericEquals": {"n": 01}})"));
  EXPECT_FALSE(l.well_formed);
  EXPECT_TRUE(HasError(l, "", "invalid number '01'"));
}

TEST(LoaderAwsCondition, ListLimitsApply) {
  Limits lim;
  lim.max_list_entries = 2;
  EXPECT_TRUE(HasError(Load(WithCondition(R"({"StringEquals": {"k": ["a", "b", "c"]}})"), lim),
                       "/statements/0/condition/StringEquals/k", "list exceeds the limit of 2 entries"));
  EXPECT_TRUE(HasError(Load(WithCondition(R"({"StringEquals": {"a": "1", "b": "2", "c": "3"}})"), lim),
                       "/statements/0/condition/StringEquals", "exceeds the limit of 2 keys"));
  lim = Limits();
  lim.max_string_bytes = 12;  // "StringEquals" fits
  Loaded l = Load(WithCondition(R"({"StringEquals": {"k": "abcdefghijklm"}})"), lim);
  EXPECT_TRUE(HasError(l, "/statements/0/condition/StringEquals/k", "string of 13 bytes exceeds the limit of 12"));
  EXPECT_EQ(l.diags.size(), 1u) << Text(l.diags);
}

// ============================================================================
// Azure conditions and permission blocks (SPEC §10, Azure form)
// ============================================================================

TEST(LoaderAzureCondition, OnAssignmentsAndDenyAssignments) {
  Loaded l = Load(B(R"(, "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/",
      "condition": "@Resource[x] StringEquals 'y'"}, {"id": "b", "principal": "u", "role": "r", "scope": "/"}],
      "deny_assignments": [{"id": "d", "principals": ["*"], "scope": "/", "condition": "Exists @Request[k]"}])"));
  ASSERT_TRUE(l.diags.empty()) << Text(l.diags);
  ASSERT_TRUE(l.bundle.assignments[0].condition.has_value());
  EXPECT_EQ(l.bundle.assignments[0].condition->s, "@Resource[x] StringEquals 'y'");
  EXPECT_FALSE(l.bundle.assignments[1].condition.has_value());
  ASSERT_TRUE(l.bundle.deny_assignments[0].condition.has_value());
  EXPECT_EQ(l.bundle.deny_assignments[0].condition->s, "Exists @Request[k]");
}

TEST(LoaderAzureCondition, MustBeANonEmptyString) {
  Loaded empty = Load(B(R"(, "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/", "condition": ""}])"));
  EXPECT_TRUE(HasError(empty, "/assignments/0/condition", "must not be empty"));
  EXPECT_FALSE(empty.bundle.assignments[0].valid);
  EXPECT_TRUE(HasError(Load(B(R"(, "deny_assignments": [{"id": "d", "principals": ["*"], "scope": "/", "condition": {}}])")),
                       "/deny_assignments/0/condition", "expected a string, found an object"));
  EXPECT_TRUE(HasError(Load(B(R"(, "roles": [{"id": "r", "permissions": [{"condition": ""}]}])")),
                       "/roles/0/permissions/0/condition", "must not be empty"));
}

TEST(LoaderPermissions, BlocksAreLoadedAndFlagged) {
  Loaded l = Load(B(R"(, "roles": [{"id": "r", "permissions": [
      {"actions": ["A/*"], "not_actions": ["A/delete"], "data_actions": ["D/read"], "not_data_actions": ["D/x"],
       "condition": "ActionMatches{'A/read'}"},
      {}]}, {"id": "plain", "actions": ["A/read"]}])"));
  ASSERT_TRUE(l.diags.empty()) << Text(l.diags);
  const model::Role& r = l.bundle.roles[0];
  EXPECT_TRUE(r.valid);
  EXPECT_TRUE(r.has_permissions);
  EXPECT_TRUE(r.actions.empty());
  ASSERT_EQ(r.permissions.size(), 2u);
  const model::PermissionBlock& p = r.permissions[0];
  EXPECT_EQ(p.actions.at(0).s, "A/*");
  EXPECT_EQ(p.not_actions.at(0).s, "A/delete");
  EXPECT_EQ(p.data_actions.at(0).s, "D/read");
  EXPECT_EQ(p.not_data_actions.at(0).s, "D/x");
  ASSERT_TRUE(p.condition.has_value());
  EXPECT_EQ(p.condition->s, "ActionMatches{'A/read'}");
  EXPECT_NE(p.off, model::kNoOffset);
  EXPECT_TRUE(r.permissions[1].actions.empty());
  EXPECT_FALSE(r.permissions[1].condition.has_value());
  EXPECT_FALSE(l.bundle.roles[1].has_permissions);
  // `"permissions": []` is present (and grants nothing).
  Loaded none = Load(B(R"(, "roles": [{"id": "r", "permissions": []}])"));
  ASSERT_TRUE(none.diags.empty()) << Text(none.diags);
  EXPECT_TRUE(none.bundle.roles[0].has_permissions);
}

TEST(LoaderPermissions, NotTogetherWithTheTopLevelLists) {
  for (const char* list : {"actions", "not_actions", "data_actions", "not_data_actions"}) {
    SCOPED_TRACE(list);
    Loaded l = Load(B(std::string(R"(, "roles": [{"id": "r", "permissions": [{"actions": ["A/read"]}], ")") + list +
                      R"(": []}])"));
    EXPECT_TRUE(HasError(l, "/roles/0", std::string("this one also gives \"") + list + "\""));
    EXPECT_FALSE(l.bundle.roles[0].valid);
  }
}

TEST(LoaderPermissions, ABadBlockFailsItsRole) {
  Loaded unknown = Load(B(R"(, "roles": [{"id": "r", "permissions": [{"actions": ["A/read"], "notActions": []}]}])"));
  EXPECT_TRUE(HasError(unknown, "/roles/0/permissions/0/notActions", "unknown key"));
  Loaded not_object = Load(B(R"(, "roles": [{"id": "r", "permissions": ["A/read"]}])"));
  EXPECT_TRUE(HasError(not_object, "/roles/0/permissions/0", "expected an object, found a string"));
  EXPECT_FALSE(not_object.bundle.roles[0].valid) << "a block has no valid flag of its own";
  Loaded bad_list = Load(B(R"(, "roles": [{"id": "r", "permissions": [{"actions": "A/read"}]}])"));
  EXPECT_TRUE(HasError(bad_list, "/roles/0/permissions/0/actions", "expected an array of strings"));
  EXPECT_FALSE(bad_list.bundle.roles[0].valid);
  Loaded not_array = Load(B(R"(, "roles": [{"id": "r", "permissions": {}}])"));
  EXPECT_TRUE(HasError(not_array, "/roles/0/permissions", "expected an array of permission blocks, found an object"));
  EXPECT_FALSE(not_array.bundle.roles[0].valid);
}

// ============================================================================
// Scope parents (SPEC §12)
// ============================================================================

TEST(LoaderScopeParents, LoadedWithBothFieldsRequired) {
  Loaded l = Load(B(R"(, "scope_parents": [{"scope": "/subscriptions/s1", "parent": "/providers/M/mg/mg1"}])"));
  ASSERT_TRUE(l.diags.empty()) << Text(l.diags);
  ASSERT_EQ(l.bundle.scope_parents.size(), 1u);
  EXPECT_EQ(l.bundle.scope_parents[0].scope.s, "/subscriptions/s1");
  EXPECT_EQ(l.bundle.scope_parents[0].parent.s, "/providers/M/mg/mg1");
  EXPECT_TRUE(l.bundle.scope_parents[0].valid);

  Loaded missing = Load(B(R"(, "scope_parents": [{"scope": "/s"}, {"parent": "/p"}, {"scope": "/s", "parent": "/p", "x": 1}])"));
  EXPECT_TRUE(HasError(missing, "/scope_parents/0", "missing required field \"parent\""));
  EXPECT_TRUE(HasError(missing, "/scope_parents/1", "missing required field \"scope\""));
  EXPECT_TRUE(HasError(missing, "/scope_parents/2/x", "unknown key"));
  ASSERT_EQ(missing.bundle.scope_parents.size(), 3u);  // indices stay aligned with the JSON
  EXPECT_FALSE(missing.bundle.scope_parents[0].valid);
  EXPECT_FALSE(missing.bundle.scope_parents[1].valid);
  EXPECT_TRUE(missing.bundle.scope_parents[2].valid);
  EXPECT_TRUE(HasError(Load(B(R"(, "scope_parents": {})")), "/scope_parents", "expected an array of scope parents"));
  EXPECT_TRUE(HasError(Load(B(R"(, "scope_parents": [{"scope": "", "parent": "/p"}])")), "/scope_parents/0/scope",
                       "must not be empty"));
}

// ============================================================================
// The generic table reader
// ============================================================================

TEST(LoaderTables, OneRunReportsEveryShapeError) {
  Loaded l = Load(B(R"(, "roles": [{"id": "r", "id": "s", "name": "", "bogus": 1, "bogus": 2}],
      "groups": [{"members": [1]}], "clouds": [{"id": "c", "mappings": [{"id": "m"}]}], "rolez": [])"));
  EXPECT_TRUE(l.well_formed);
  EXPECT_TRUE(HasError(l, "/roles/0/id", "duplicate key \"id\""));
  EXPECT_TRUE(HasError(l, "/roles/0/bogus", "unknown key \"bogus\""));
  EXPECT_TRUE(HasError(l, "/roles/0/bogus", "duplicate key \"bogus\""));
  EXPECT_TRUE(HasError(l, "/groups/0", "missing required field \"id\""));
  EXPECT_TRUE(HasError(l, "/groups/0/members/0", "expected a string, found a number"));
  EXPECT_TRUE(HasError(l, "/clouds/0/mappings/0", "missing required field \"identity\""));
  EXPECT_TRUE(HasError(l, "/rolez", "unknown key"));
  EXPECT_EQ(l.diags.size(), 7u) << Text(l.diags);
  // The first id is kept, a role's name may be empty, and unknown or
  // duplicate keys alone leave the entry valid (the compiler still checks it).
  EXPECT_EQ(l.bundle.roles[0].id.s, "r");
  EXPECT_TRUE(l.bundle.roles[0].valid);
  EXPECT_FALSE(l.bundle.groups[0].valid);
  EXPECT_TRUE(l.bundle.clouds[0].valid) << "a bad mapping is its own entry";
  EXPECT_FALSE(l.bundle.clouds[0].mappings[0].valid);
}

TEST(LoaderTables, PresenceFlagsAndDefaults) {
  Loaded l = Load(R"({"version": 1, "actions": [{"name": "A/r"}, {"name": "A/d", "data": true, "effective_only_at": []}],
      "roles": [{"id": "r"}, {"id": "s", "assignable_scopes": []}],
      "deny_assignments": [{"id": "d", "principals": ["*"], "scope": "/"},
                           {"id": "e", "principals": ["*"], "scope": "/", "apply_to_children": false}]})");
  ASSERT_TRUE(l.diags.empty()) << Text(l.diags);
  EXPECT_FALSE(l.bundle.actions[0].data);
  EXPECT_FALSE(l.bundle.actions[0].has_effective_only_at);
  EXPECT_TRUE(l.bundle.actions[1].data);
  EXPECT_TRUE(l.bundle.actions[1].has_effective_only_at);
  EXPECT_FALSE(l.bundle.roles[0].has_assignable_scopes);
  EXPECT_TRUE(l.bundle.roles[1].has_assignable_scopes);
  EXPECT_TRUE(l.bundle.deny_assignments[0].apply_to_children);
  EXPECT_FALSE(l.bundle.deny_assignments[1].apply_to_children);
}

}  // namespace
}  // namespace rolegate
