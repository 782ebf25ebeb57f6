// tests/review_cli_test.cc — `rolegate diff`, `rolegate test` and the
// who_can / what_can query lines, through the CLI binary (SPEC §7).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string Dir() {
  static std::string dir = [] {
    char tmpl[] = "/tmp/rolegate_review_cli_XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  return dir;
}

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = Dir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CliRun {
  int code = -1;
  std::string out, err;
};

// Runs the CLI through the shell with stdin from `input`; args are quoted.
CliRun Cli(const std::vector<std::string>& args, const std::string& input = "") {
  static int n = 0;
  const std::string in = Write("in" + std::to_string(++n), input);
  std::string cmd = std::string("'") + ROLEGATE_CLI_PATH + "'";
  for (const std::string& a : args) cmd += " '" + a + "'";
  const std::string out = Dir() + "/out", err = Dir() + "/err";
  cmd += " <'" + in + "' >'" + out + "' 2>'" + err + "'";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadAll(out);
  r.err = ReadAll(err);
  return r;
}

constexpr char kOld[] = R"({"version": 1,
  "actions": [{"name": "svc/read"}, {"name": "svc/write"}],
  "roles": [{"id": "reader", "actions": ["svc/read"]}],
  "groups": [{"id": "grp:team", "members": ["user:ann"]}],
  "assignments": [{"id": "a1", "principal": "grp:team", "role": "reader", "scope": "/s/s1"}],
  "statements": [{"id": "st1", "principal": "user:dan", "effect": "Allow", "actions": ["svc/write"],
                  "resources": ["arn:aws:s3:::bucket/*"]}]
})";
constexpr char kNew[] = R"({"version": 1,
  "actions": [{"name": "svc/read"}, {"name": "svc/write"}],
  "roles": [{"id": "reader", "actions": ["svc/read", "svc/write"]}],
  "groups": [{"id": "grp:team", "members": ["user:ann"]}],
  "assignments": [{"id": "a1", "principal": "grp:team", "role": "reader", "scope": "/s/s1"}],
  "statements": [{"id": "st1", "principal": "user:dan", "effect": "Allow", "actions": ["svc/write"],
                  "resources": ["arn:aws:s3:::bucket/x*"]}]
})";

TEST(DiffCli, IdenticalBundlesExitZeroWithOnlyTheSummary) {
  const std::string a = Write("old.json", kOld);
  const CliRun r = Cli({"diff", a, a});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"summary\":{\"rows\":0,\"rules\":0,", 0), 0u) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
}

TEST(DiffCli, RowsAndRuleLinesExitThree) {
  const CliRun r = Cli({"diff", Write("old.json", kOld), Write("new.json", kNew)});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.out.find(R"({"principal":"grp:team","scope":"/s/s1","below":false,"gained":["svc/write"],"lost":[]})"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"({"principal":"user:ann","scope":"/s/s1","below":true,"gained":["svc/write"],"lost":[]})"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"({"statement":"st1","change":"changed","principals":["user:dan"]})"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("{\"summary\":{\"rows\":4,\"rules\":1,"), std::string::npos) << r.out;
  const CliRun f = Cli({"diff", "--principal", "user:ann", "--max-rows", "1", Write("old.json", kOld),
                     Write("new.json", kNew)});
  EXPECT_EQ(f.code, 3);
  EXPECT_EQ(std::count(f.out.begin(), f.out.end(), '\n'), 2) << f.out;
  EXPECT_NE(f.out.find("\"truncated\":true"), std::string::npos) << f.out;
}

TEST(DiffCli, BadBundleExitsOneAndUsageTwo) {
  const CliRun r = Cli({"diff", Write("old.json", kOld), Write("bad.json", "{\"version\": 2}")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bad.json:"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Cli({"diff", Write("old.json", kOld)}).code, 2);
  EXPECT_EQ(Cli({"diff", "--frob", "a", "b"}).code, 2);
  EXPECT_EQ(Cli({"diff", "--help"}).code, 0);
}

TEST(ReverseQueries, WhoCanAndWhatCanLines) {
  const std::string b = Write("old.json", kOld);
  const CliRun r = Cli({"check", "--bundle", b},
                    R"({"op":"who_can","action":"svc/read","resource":"/s/s1/x"})" "\n"
                    R"({"op":"what_can","principal":"user:ann","resource":"/s/s1"})" "\n"
                    R"({"op":"who_can","action":"svc/read"})" "\n"
                    R"({"op":"what_can","principal":"user:ann","resource":"/s/s1","action":"x"})" "\n");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out,
            R"({"principals":[{"principal":"grp:team","rule":"a1"},{"principal":"user:ann","rule":"a1"}]})" "\n"
            R"({"actions":[{"action":"svc/read","rule":"a1"}]})" "\n"
            R"({"error":"missing field \"resource\""})" "\n"
            R"({"error":"field \"action\" does not belong to op \"what_can\""})" "\n");
}

TEST(TestCli, PassFailAndCoverage) {
  Write("policy.json", kOld);
  const std::string tests = Write("policy_test.json", R"({"bundle": "policy.json", "tests": [
    {"name": "ann reads", "query": {"op":"check","principal":"user:ann","action":"svc/read","resource":"/s/s1/p"},
     "expect": {"decision": "allow", "reason": "grant", "rule": "a1"}},
    {"name": "ann cannot write", "query": {"op":"check","principal":"user:ann","action":"svc/write","resource":"/s/s1"},
     "expect": {"decision": "deny", "rule": null}}]})");
  CliRun r = Cli({"test", "--coverage", tests});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("2 passed, 0 failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not exercised: statement st1"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("not exercised: assignment a1"), std::string::npos) << r.out;

  const std::string failing = Write("failing_test.json", R"({"bundle": "policy.json", "tests": [
    {"name": "dan reads", "query": {"op":"check","principal":"user:dan","action":"svc/read","resource":"/s/s1"},
     "expect": {"decision": "allow"}},
    {"name": "bad query", "query": {"op":"check","principal":"user:dan"}, "expect": {"decision": "deny"}}]})");
  r = Cli({"test", failing});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("FAIL " + failing + ": dan reads"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("decision":"deny","reason":"no_grant")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error: missing field"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 passed, 2 failed"), std::string::npos) << r.out;

  EXPECT_EQ(Cli({"test", Write("typo_test.json", R"({"bundle": "policy.json", "tests": [], "extra": 1})")}).code, 1);
  EXPECT_EQ(Cli({"test", Write("nobundle_test.json", R"({"bundle": "missing.json", "tests": []})")}).code, 1);
  // A repeated key would make simdjson read only the first: a failing
  // "tests" list followed by an empty one must not pass.
  r = Cli({"test", Write("dup_test.json", R"({"bundle": "policy.json", "tests": [
    {"name": "dan reads", "query": {"op":"check","principal":"user:dan","action":"svc/read","resource":"/s/s1"},
     "expect": {"decision": "allow"}}], "tests": []})")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("duplicate key \"tests\""), std::string::npos) << r.err;
  r = Cli({"test", Write("dup_expect_test.json", R"({"bundle": "policy.json", "tests": [
    {"name": "ann reads", "query": {"op":"check","principal":"user:ann","action":"svc/read","resource":"/s/s1/p"},
     "expect": {"decision": "deny", "decision": "allow"}}]})")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("/tests/0/expect: duplicate key \"decision\""), std::string::npos) << r.err;
  EXPECT_EQ(Cli({"test"}).code, 2);
  const CliRun help = Cli({"test", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_EQ(help.out.rfind("usage: rolegate test", 0), 0u) << help.out;
  const CliRun top = Cli({"--help"});
  EXPECT_NE(top.out.find("rolegate diff OLD NEW"), std::string::npos) << top.out;
  EXPECT_NE(top.out.find("rolegate test"), std::string::npos) << top.out;
}

}  // namespace
