// cli_test.cc — SPEC §7 and §9: the `rolegate` command line, driven as an
// outside program would drive it (fork/exec, stdin/stdout/stderr, exit codes).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rolegate.h"  // rolegate_version_string(): --version must agree with the library
#include "simdjson.h"

namespace {

// ---------------------------------------------------------------------------
// Running the CLI
// ---------------------------------------------------------------------------

std::string TempDir() {
  static std::string dir = [] {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/rolegate_cli_test.XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    char* made = mkdtemp(buf.data());
    if (!made) {
      perror("mkdtemp");
      std::abort();
    }
    return std::string(made);
  }();
  return dir;
}

std::string WriteTemp(const std::string& name, const std::string& content) {
  std::string path = TempDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return path;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct RunResult {
  int exit_code = -1;  // -1: did not exit normally
  std::string out;
  std::string err;
};

RunResult RunCli(const std::vector<std::string>& args, const std::string& input) {
  static int counter = 0;
  ++counter;
  const std::string in_path = WriteTemp("stdin." + std::to_string(counter), input);
  const std::string out_path = TempDir() + "/stdout." + std::to_string(counter);
  const std::string err_path = TempDir() + "/stderr." + std::to_string(counter);
  std::vector<std::string> argv_s = {ROLEGATE_CLI_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid == 0) {
    int in = open(in_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  RunResult r;
  if (pid < 0) return r;
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = ReadAll(out_path);
  r.err = ReadAll(err_path);
  return r;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

std::vector<std::string> NonEmptyLines(const std::string& text) {
  std::vector<std::string> out;
  for (auto& l : Lines(text)) {
    if (l.find_first_not_of(" \t\r") != std::string::npos) out.push_back(l);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Reading answers: one flat JSON object per line
// ---------------------------------------------------------------------------

struct Val {
  enum Kind { kNull, kString, kBool, kNumber, kOther } kind = kOther;
  std::string s;
  bool b = false;
};

struct Answer {
  bool ok = false;  // a JSON object without duplicate keys
  std::string error;
  std::map<std::string, Val> fields;
  std::string raw;

  bool Has(const std::string& k) const { return fields.count(k) > 0; }
  bool IsNull(const std::string& k) const { return Has(k) && fields.at(k).kind == Val::kNull; }
  std::optional<std::string> Str(const std::string& k) const {
    if (!Has(k) || fields.at(k).kind != Val::kString) return std::nullopt;
    return fields.at(k).s;
  }
  std::set<std::string> Keys() const {
    std::set<std::string> ks;
    for (auto& [k, v] : fields) ks.insert(k);
    return ks;
  }
};

Answer ParseAnswer(const std::string& line) {
  Answer a;
  a.raw = line;
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto error = parser.parse(simdjson::padded_string(line)).get(doc);
  if (error) {
    a.error = "not JSON: " + std::string(simdjson::error_message(error));
    return a;
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) {
    a.error = "not an object";
    return a;
  }
  for (auto field : obj) {
    std::string key(field.key);
    if (a.fields.count(key)) {
      a.error = "duplicate key " + key;
      return a;
    }
    Val v;
    switch (field.value.type()) {
      case simdjson::dom::element_type::NULL_VALUE:
        v.kind = Val::kNull;
        break;
      case simdjson::dom::element_type::STRING:
        v.kind = Val::kString;
        {
          std::string_view sv;
          if (!field.value.get_string().get(sv)) v.s = std::string(sv);
        }
        break;
      case simdjson::dom::element_type::BOOL:
        v.kind = Val::kBool;
        {
          bool bv = false;
          if (!field.value.get_bool().get(bv)) v.b = bv;
        }
        break;
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::DOUBLE:
        v.kind = Val::kNumber;
        break;
      default:
        v.kind = Val::kOther;
    }
    a.fields[key] = v;
  }
  a.ok = true;
  return a;
}

// An expected JSON value: a string or null.
struct S {
  S(const char* s) : null(s == nullptr), s(s ? s : "") {}  // NOLINT: implicit on purpose
  S(std::string s) : null(false), s(std::move(s)) {}       // NOLINT
  static S Null() { return S(static_cast<const char*>(nullptr)); }
  bool null;
  std::string s;
};
const S kNull = S::Null();

::testing::AssertionResult FieldIs(const Answer& a, const std::string& key, const S& want) {
  if (!a.Has(key)) return ::testing::AssertionFailure() << "no \"" << key << "\" in " << a.raw;
  const Val& v = a.fields.at(key);
  if (want.null) {
    if (v.kind != Val::kNull) return ::testing::AssertionFailure() << "\"" << key << "\" not null in " << a.raw;
  } else if (v.kind != Val::kString || v.s != want.s) {
    return ::testing::AssertionFailure() << "\"" << key << "\" is not \"" << want.s << "\" in " << a.raw;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult KeysAre(const Answer& a, std::set<std::string> want) {
  if (!a.ok) return ::testing::AssertionFailure() << a.error << ": " << a.raw;
  if (a.Keys() != want) {
    std::string got, exp;
    for (auto& k : a.Keys()) got += k + " ";
    for (auto& k : want) exp += k + " ";
    return ::testing::AssertionFailure() << "keys {" << got << "} want {" << exp << "} in " << a.raw;
  }
  return ::testing::AssertionSuccess();
}

const std::set<std::string> kCheckKeys = {"decision", "reason", "rule"};
const std::set<std::string> kResolveKeys = {"identity", "source", "error"};
const std::set<std::string> kWorkloadKeys = {"decision", "reason", "rule", "identity", "source"};
const std::set<std::string> kRequestKeys = {"decision", "reason", "rule", "route", "action", "resource"};

void ExpectCheck(const Answer& a, const char* decision, const char* reason, const S& rule) {
  EXPECT_TRUE(KeysAre(a, kCheckKeys));
  EXPECT_TRUE(FieldIs(a, "decision", decision));
  EXPECT_TRUE(FieldIs(a, "reason", reason));
  EXPECT_TRUE(FieldIs(a, "rule", rule));
}

void ExpectResolve(const Answer& a, const S& identity, const S& source, const S& error) {
  EXPECT_TRUE(KeysAre(a, kResolveKeys));
  EXPECT_TRUE(FieldIs(a, "identity", identity));
  EXPECT_TRUE(FieldIs(a, "source", source));
  EXPECT_TRUE(FieldIs(a, "error", error));
}

void ExpectWorkload(const Answer& a, const char* decision, const char* reason, const S& rule, const S& identity,
                    const S& source) {
  EXPECT_TRUE(KeysAre(a, kWorkloadKeys));
  EXPECT_TRUE(FieldIs(a, "decision", decision));
  EXPECT_TRUE(FieldIs(a, "reason", reason));
  EXPECT_TRUE(FieldIs(a, "rule", rule));
  EXPECT_TRUE(FieldIs(a, "identity", identity));
  EXPECT_TRUE(FieldIs(a, "source", source));
}

void ExpectRequest(const Answer& a, const char* decision, const char* reason, const S& rule, const S& route,
                   const S& action, const S& resource) {
  EXPECT_TRUE(KeysAre(a, kRequestKeys));
  EXPECT_TRUE(FieldIs(a, "decision", decision));
  EXPECT_TRUE(FieldIs(a, "reason", reason));
  EXPECT_TRUE(FieldIs(a, "rule", rule));
  EXPECT_TRUE(FieldIs(a, "route", route));
  EXPECT_TRUE(FieldIs(a, "action", action));
  EXPECT_TRUE(FieldIs(a, "resource", resource));
}

// An invalid query line is answered by exactly {"error": "..."}.
::testing::AssertionResult IsLineError(const Answer& a) {
  if (!a.ok) return ::testing::AssertionFailure() << a.error << ": " << a.raw;
  if (a.Keys() != std::set<std::string>{"error"}) {
    return ::testing::AssertionFailure() << "want exactly {\"error\": ...}, got " << a.raw;
  }
  auto msg = a.Str("error");
  if (!msg || msg->empty()) return ::testing::AssertionFailure() << "error is not a non-empty string: " << a.raw;
  return ::testing::AssertionSuccess();
}

// Runs `rolegate check [args]` on the given lines (each terminated by '\n').
std::vector<Answer> Check(const std::vector<std::string>& lines, const std::vector<std::string>& extra = {},
                          RunResult* raw = nullptr) {
  std::string input;
  for (auto& l : lines) input += l + "\n";
  std::vector<std::string> args = {"check"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult r = RunCli(args, input);
  EXPECT_EQ(r.exit_code, 0) << "stderr: " << r.err;
  std::vector<std::string> out = Lines(r.out);
  EXPECT_EQ(out.size(), lines.size()) << "every input line gets exactly one answer\nstdout:\n" << r.out;
  std::vector<Answer> answers;
  for (auto& l : out) answers.push_back(ParseAnswer(l));
  while (answers.size() < lines.size()) answers.push_back(Answer{});
  if (raw) *raw = r;
  return answers;
}

const std::string kProd =
    "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1/projects/prod";
const std::string kProdJobs = "arn:aws:iam::123456789012:role/prod-jobs";

std::string Q(const std::string& s) {  // JSON string literal
  std::string out = "\"";
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string CheckLine(const std::string& p, const std::string& a, const std::string& r) {
  return R"({"op":"check","principal":)" + Q(p) + R"(,"action":)" + Q(a) + R"(,"resource":)" + Q(r) + "}";
}

// ---------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------

TEST(CliValidate, GoodBundleExitsZeroWithOneLineSummary) {
  RunResult r = RunCli({"validate", std::string(ROLEGATE_SOURCE_DIR) + "/examples/anyscale.json"}, "");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(NonEmptyLines(r.out).size(), 1u) << "stdout:\n" << r.out;
}

TEST(CliValidate, WarningsDoNotFailValidation) {
  std::string path = WriteTemp("warn.json", R"({"version": 1, "actions": [{"name": "A/read"}],
    "roles": [{"id": "never-assigned", "actions": ["Nothing/*"]}], "groups": [{"id": "g", "members": []}]})");
  RunResult r = RunCli({"validate", path}, "");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(NonEmptyLines(r.out).size(), 1u) << "stdout:\n" << r.out;
}

TEST(CliValidate, BadBundleExitsOneWithOneLinePerError) {
  std::string path = WriteTemp("bad2.json", R"({"version": 1, "actions": [{"name": "A/read"}],
    "deny_assignments": [{"id": "d", "principals": ["*"], "actions": ["A/read"], "scope": "/x/"}],
    "statements": [{"id": "s", "principal": "p", "effect": "allow", "actions": ["A/read"], "resources": ["*"]}]})");
  RunResult r = RunCli({"validate", path}, "");
  EXPECT_EQ(r.exit_code, 1);
  std::vector<std::string> lines = NonEmptyLines(r.err);
  ASSERT_EQ(lines.size(), 2u) << "stderr:\n" << r.err;
  std::string all = r.err;
  EXPECT_NE(all.find("/deny_assignments/0/scope"), std::string::npos) << all;
  EXPECT_NE(all.find("/statements/0/effect"), std::string::npos) << all;
  EXPECT_NE(lines[0].find("/"), std::string::npos);
}

TEST(CliValidate, MalformedJsonExitsOne) {
  std::string path = WriteTemp("broken.json", "{\"version\": 1,\n \"actions\": [,]}\n");
  RunResult r = RunCli({"validate", path}, "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_GE(NonEmptyLines(r.err).size(), 1u);
}

TEST(CliValidate, MissingFileFails) {
  RunResult r = RunCli({"validate", TempDir() + "/does-not-exist.json"}, "");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_GE(NonEmptyLines(r.err).size(), 1u);
}

// ---------------------------------------------------------------------------
// check with the built-in bundle: every op, every reason, the answer shapes
// ---------------------------------------------------------------------------

TEST(CliCheck, CheckOpWithTheBuiltInBundle) {
  std::vector<std::string> in = {
      CheckLine("user:alice", "Anyscale.Platform/clouds/projects/jobs/write", kProd + "/jobs/j9"),
      CheckLine("user:alice", "Anyscale.Platform/clouds/projects/jobs/delete", kProd),
      CheckLine("user:dana", "Anyscale.Platform/clouds/projects/jobs/delete", kProd),
      CheckLine("user:carol", "Anyscale.Platform/admin/action", "/subscriptions/s1/resourceGroups/prod"),
      CheckLine("user:alice", "Nope/x", kProd),
      CheckLine("", "Anyscale.Platform/clouds/read", kProd),
      CheckLine("user:alice", "Anyscale.Platform/clouds/read", "/subscriptions/s1//x"),
      CheckLine("user:nobody", "Anyscale.Platform/clouds/read", "/subscriptions/s1"),
      CheckLine(kProdJobs, "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-west-2:123456789012:secret:gh-token-AbCdEf"),
      CheckLine(kProdJobs, "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod-db-1"),
      CheckLine("user:dana", "Anyscale.Platform/admin/action", "/subscriptions/s1"),
  };
  auto a = Check(in);
  ASSERT_EQ(a.size(), in.size());
  ExpectCheck(a[0], "allow", "grant", "a-contrib-alice");
  ExpectCheck(a[1], "deny", "deny_assignment", "d-no-delete-prod");
  ExpectCheck(a[2], "allow", "grant", "a-admin-sub");
  ExpectCheck(a[3], "deny", "not_effective_at_scope", kNull);
  ExpectCheck(a[4], "deny", "unknown_action", kNull);
  ExpectCheck(a[5], "deny", "invalid_input", kNull);
  ExpectCheck(a[6], "deny", "invalid_input", kNull);
  ExpectCheck(a[7], "deny", "no_grant", kNull);
  ExpectCheck(a[8], "allow", "statement", "s-prod-jobs-secrets");
  ExpectCheck(a[9], "deny", "deny_statement", "s-prod-jobs-no-db");
  ExpectCheck(a[10], "allow", "grant", "a-admin-sub");
}

std::string ResolveLine(const std::string& cloud, const std::string& type, const std::string& project,
                        const std::string& user, const std::string& tail = "") {
  return R"({"op":"resolve","cloud":)" + Q(cloud) + R"(,"workload_type":)" + Q(type) + R"(,"project":)" +
         Q(project) + R"(,"user":)" + Q(user) + tail + "}";
}

TEST(CliCheck, ResolveOp) {
  const std::string role = "arn:aws:iam::123456789012:role/";
  std::vector<std::string> in = {
      ResolveLine("c1", "job", "prod", "user:x"),
      ResolveLine("c1", "job", "prod", "sa:launcher"),
      ResolveLine("c1", "service", "research", "user:x"),
      ResolveLine("c1", "service", "other", "user:x"),
      ResolveLine("c2", "job", "p", "user:x"),
      ResolveLine("c9", "job", "p", "user:x"),
      ResolveLine("c1", "job", "prod", "user:x",
                  R"(,"compute_config_identity":"arn:cc","node_group_identity":"arn:ng")"),
      ResolveLine("c1", "job", "prod", "user:x", R"(,"compute_config_identity":"arn:cc")"),
      ResolveLine("c9", "job", "prod", "user:x", R"(,"node_group_identity":"arn:ng")"),
      ResolveLine("c2", "service", "p", "user:x"),
      ResolveLine("c1", "workspace", "research", "sa:launcher"),
  };
  auto a = Check(in);
  ASSERT_EQ(a.size(), in.size());
  ExpectResolve(a[0], role + "prod-jobs", "m-prod-jobs", kNull);
  ExpectResolve(a[1], role + "launcher", "m-launcher", kNull);  // user (4) beats job+project (3)
  ExpectResolve(a[2], role + "research", "m-research", kNull);
  ExpectResolve(a[3], role + "anyscale-default", "cloud_default", kNull);
  ExpectResolve(a[4], kNull, kNull, "no_identity");
  ExpectResolve(a[5], kNull, kNull, "unknown_cloud");
  ExpectResolve(a[6], "arn:ng", "node_group", kNull);
  ExpectResolve(a[7], "arn:cc", "compute_config", kNull);
  ExpectResolve(a[8], kNull, kNull, "unknown_cloud");
  ExpectResolve(a[9], role + "c2-services", "m-c2-services", kNull);
  ExpectResolve(a[10], role + "launcher", "m-launcher", kNull);  // 4 beats 2
}

TEST(CliCheck, CheckWorkloadOp) {
  auto line = [](const std::string& cloud, const std::string& type, const std::string& project,
                 const std::string& action, const std::string& resource, const std::string& tail = "") {
    return R"({"op":"check_workload","cloud":)" + Q(cloud) + R"(,"workload_type":)" + Q(type) +
           R"(,"project":)" + Q(project) + R"(,"user":"user:x","action":)" + Q(action) + R"(,"resource":)" +
           Q(resource) + tail + "}";
  };
  const std::string role = "arn:aws:iam::123456789012:role/";
  std::vector<std::string> in = {
      line("c1", "job", "prod", "secretsmanager:GetSecretValue",
           "arn:aws:secretsmanager:us-west-2:123456789012:secret:gh-token-AbCdEf"),
      line("c1", "job", "prod", "secretsmanager:DescribeSecret",
           "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod-db-main"),
      line("c1", "service", "other", "s3:GetObject", "arn:aws:s3:::anyscale-shared/data.csv"),
      line("c9", "job", "prod", "s3:GetObject", "arn:aws:s3:::anyscale-shared/data.csv"),
      line("c2", "job", "prod", "s3:GetObject", "arn:aws:s3:::anyscale-shared/data.csv"),
      line("c1", "service", "other", "s3:GetObject", "arn:aws:s3:::anyscale-shared/data.csv",
           R"(,"node_group_identity":"arn:ng")"),
      line("c1", "service", "other", "s3:PutObject", "arn:aws:s3:::anyscale-shared/data.csv"),
  };
  auto a = Check(in);
  ASSERT_EQ(a.size(), in.size());
  ExpectWorkload(a[0], "allow", "statement", "s-prod-jobs-secrets", role + "prod-jobs", "m-prod-jobs");
  ExpectWorkload(a[1], "deny", "deny_statement", "s-prod-jobs-no-db", role + "prod-jobs", "m-prod-jobs");
  ExpectWorkload(a[2], "allow", "statement", "s-default-data", role + "anyscale-default", "cloud_default");
  ExpectWorkload(a[3], "deny", "unknown_cloud", kNull, kNull, kNull);
  ExpectWorkload(a[4], "deny", "no_identity", kNull, kNull, kNull);
  ExpectWorkload(a[5], "deny", "no_grant", kNull, "arn:ng", "node_group");
  ExpectWorkload(a[6], "deny", "unknown_action", kNull, role + "anyscale-default", "cloud_default");
}

TEST(CliCheck, CheckRequestOp) {
  auto line = [](const std::string& principal, const std::string& method, const std::string& path) {
    return R"({"op":"check_request","principal":)" + Q(principal) + R"(,"method":)" + Q(method) +
           R"(,"path":)" + Q(path) + "}";
  };
  std::vector<std::string> in = {
      line("user:alice", "GET", "/api/clouds/c1/projects/prod/jobs"),
      line("user:alice", "DELETE", "/api/clouds/c1/projects/prod/jobs/j9?force=1"),
      line("user:alice", "GET", "/api/clouds/c1/projects/%2e%2e/jobs"),
      line("user:alice", "GET", "/nope"),
      line("user:bob", "POST", "/api/clouds/c1/projects/prod/jobs"),
      line("user:alice", "get", "/api/clouds/c1"),
      line("user:alice", "GET", "/api/clouds/c%31"),
  };
  auto a = Check(in);
  ASSERT_EQ(a.size(), in.size());
  ExpectRequest(a[0], "allow", "grant", "a-contrib-alice", "r-jobs-list", "Anyscale.Platform/clouds/projects/jobs/read",
                kProd);
  ExpectRequest(a[1], "deny", "deny_assignment", "d-no-delete-prod", "r-job-delete",
                "Anyscale.Platform/clouds/projects/jobs/delete", kProd + "/jobs/j9");
  ExpectRequest(a[2], "deny", "bad_path", kNull, kNull, kNull, kNull);
  ExpectRequest(a[3], "deny", "no_route", kNull, kNull, kNull, kNull);
  ExpectRequest(a[4], "deny", "no_grant", kNull, "r-jobs-submit", "Anyscale.Platform/clouds/projects/jobs/write",
                kProd);
  ExpectRequest(a[5], "deny", "no_route", kNull, kNull, kNull, kNull);
  ExpectRequest(a[6], "allow", "grant", "a-reader-team", "r-cloud-get", "Anyscale.Platform/clouds/read",
                "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1");
}

// ---------------------------------------------------------------------------
// Invalid lines: {"error": ...} and the run goes on
// ---------------------------------------------------------------------------

TEST(CliCheck, EveryInvalidLineGetsAnErrorAndTheRunGoesOn) {
  const std::string good = CheckLine("user:dana", "Anyscale.Platform/clouds/read", "/subscriptions/s1");
  const std::string res = R"("cloud":"c1","workload_type":"job","project":"prod","user":"u")";
  std::vector<std::string> invalid = {
      "not json",
      "[1, 2]",
      "\"check\"",
      "42",
      "null",
      "{}",
      "",
      "   ",
      R"({"op":"chek","principal":"u","action":"a","resource":"/"})",
      R"({"op":"CHECK","principal":"u","action":"a","resource":"/"})",
      R"({"op":5,"principal":"u","action":"a","resource":"/"})",
      R"({"principal":"u","action":"a","resource":"/"})",
      R"({"op":"check","principal":"u","action":"a"})",
      R"({"op":"check","principal":"u","resource":"/"})",
      R"({"op":"check","action":"a","resource":"/"})",
      R"({"op":"check","principal":"u","action":"a","resource":"/","extra":1})",
      R"({"op":"check","principal":"u","action":"a","resource":"/","compute_config_identity":"x"})",
      R"({"op":"check","principal":5,"action":"a","resource":"/"})",
      R"({"op":"check","principal":null,"action":"a","resource":"/"})",
      R"({"op":"check","principal":"u","action":["a"],"resource":"/"})",
      R"({"op":"check","principal":"u","action":"a","resource":{}})",
      R"({"op":"check","op":"check","principal":"u","action":"a","resource":"/"})",
      R"({"op":"check","principal":"u","principal":"v","action":"a","resource":"/"})",
      std::string(R"({"op":"check","principal":"u)") + "\xFF" + R"(","action":"a","resource":"/"})",
      std::string(R"({"op":"check","principal":"u","action":"a","resource":"/)") + "\xC0\xAF" + R"("})",
      R"({"op":"check","principal":"u","action":"a","resource":"/"} trailing)",
      R"({"op":"check","principal":"u","action":"a","resource":"/"})" + std::string("{}"),
      R"({"op":"resolve","cloud":"c1","workload_type":"batch","project":"p","user":"u"})",
      R"({"op":"resolve","cloud":"c1","workload_type":"Job","project":"p","user":"u"})",
      R"({"op":"resolve","cloud":"c1","workload_type":1,"project":"p","user":"u"})",
      R"({"op":"resolve","cloud":"c1","workload_type":"job","project":"p"})",
      R"({"op":"resolve","cloud":"c1","workload_type":"job","user":"u"})",
      R"({"op":"resolve","workload_type":"job","project":"p","user":"u"})",
      R"({"op":"resolve",)" + res + R"(,"compute_config_identity":null})",
      R"({"op":"resolve",)" + res + R"(,"compute_config_identity":""})",
      R"({"op":"resolve",)" + res + R"(,"node_group_identity":null})",
      R"({"op":"resolve",)" + res + R"(,"node_group_identity":""})",
      R"({"op":"resolve",)" + res + R"(,"node_group_identity":7})",
      R"({"op":"resolve",)" + res + R"(,"action":"a"})",
      R"({"op":"check_workload",)" + res + R"(,"action":"s3:GetObject"})",
      R"({"op":"check_workload",)" + res + R"(,"action":"s3:GetObject","resource":"x","compute_config_identity":""})",
      R"({"op":"check_workload",)" + res + R"(,"action":"s3:GetObject","resource":"x","node_group_identity":null})",
      R"({"op":"check_workload","cloud":"c1","workload_type":"batch","project":"p","user":"u","action":"a","resource":"x"})",
      R"({"op":"check_request","principal":"u","method":"","path":"/"})",
      R"({"op":"check_request","principal":"u","method":"GET"})",
      R"({"op":"check_request","principal":"u","path":"/"})",
      R"({"op":"check_request","principal":"u","method":"GET","path":"/","resource":"/"})",
      R"({"op":"check_request","principal":"u","method":null,"path":"/"})",
      R"({"op":"check","principal":"\ud800","action":"a","resource":"/"})",
      R"({"op":"check","\u006fp":"check","principal":"u","action":"a","resource":"/"})",
      std::string(R"({"op":"check","principal":"u)") + '\t' + R"(","action":"a","resource":"/"})",
      std::string(R"({"op":"check","principal":"u)") + std::string(1, '\0') + R"(","action":"a","resource":"/"})",
  };
  std::vector<std::string> in;
  for (auto& l : invalid) {
    in.push_back(l);
    in.push_back(good);
  }
  auto a = Check(in);
  ASSERT_EQ(a.size(), in.size());
  for (size_t i = 0; i < invalid.size(); ++i) {
    SCOPED_TRACE("input line: " + invalid[i]);
    EXPECT_TRUE(IsLineError(a[2 * i]));
    ExpectCheck(a[2 * i + 1], "allow", "grant", "a-admin-sub");
  }
}

TEST(CliCheck, EmptyOptionalStringsThatAreNotOverridesAreValid) {
  // An empty principal is a valid line whose check answers invalid_input;
  // only an override given as "" or null makes a line invalid (§9).
  std::vector<std::string> in = {
      CheckLine("", "Anyscale.Platform/clouds/read", "/subscriptions/s1"),
      CheckLine("user:dana", "Anyscale.Platform/clouds/read", ""),
  };
  auto a = Check(in);
  ASSERT_EQ(a.size(), in.size());
  ExpectCheck(a[0], "deny", "invalid_input", kNull);
  ExpectCheck(a[1], "deny", "invalid_input", kNull);
}

TEST(CliCheck, FieldOrderAndWhitespaceDoNotMatter) {
  std::vector<std::string> in = {
      R"(  { "resource" : "/subscriptions/s1" , "action" : "Anyscale.Platform/clouds/read" , "principal" : "user:dana" , "op" : "check" }  )",
      R"({"op":"check","principal":"user:\u0064ana","action":"Anyscale.Platform\/clouds\/read","resource":"/subscriptions/s1"})",
      R"({"\u006fp":"check","princip\u0061l":"user:dana","action":"Anyscale.Platform/clouds/read","resource":"/subscriptions/s1"})",
  };
  auto a = Check(in);
  ASSERT_EQ(a.size(), in.size());
  ExpectCheck(a[0], "allow", "grant", "a-admin-sub");
  ExpectCheck(a[1], "allow", "grant", "a-admin-sub");
  ExpectCheck(a[2], "allow", "grant", "a-admin-sub");
}

TEST(CliCheck, AnswersAreValidJsonWhateverTheStrings) {
  // Overrides, captured path text and resources come back as JSON strings:
  // quotes, backslashes, control characters and non-ASCII must be escaped.
  const std::string weird = "arn:\"q\"\\b\x01\x1f\xC3\xA9\xF0\x9F\x98\x80";
  std::vector<std::string> in = {
      R"({"op":"resolve","cloud":"c1","workload_type":"job","project":"p","user":"u","node_group_identity":"arn:\"q\"\\b\u0001\u001f\u00e9\ud83d\ude00"})",
      R"({"op":"check_request","principal":"user:dana","method":"GET","path":"/api/clouds/c%22%5C"})",
      R"({"op":"check_request","principal":"user:dana","method":"GET","path":"/api/clouds/c%22q"})",
      CheckLine("user:dana", "Anyscale.Platform/clouds/read", std::string("/subscriptions/s1/a") + '\0' ),
  };
  auto a = Check(in);
  ASSERT_EQ(a.size(), in.size());
  ExpectResolve(a[0], weird, "node_group", kNull);
  ExpectRequest(a[1], "deny", "bad_path", kNull, kNull, kNull, kNull);
  ExpectRequest(a[2], "allow", "grant", "a-admin-sub", "r-cloud-get", "Anyscale.Platform/clouds/read",
                "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c\"q");
  ExpectCheck(a[3], "deny", "invalid_input", kNull);
}

TEST(CliCheck, LongLinesAreAnswered) {
  std::vector<std::string> in = {
      CheckLine("user:dana", "Anyscale.Platform/clouds/read", "/subscriptions/s1/" + std::string(200000, 'x')),
      CheckLine(std::string(100000, 'p'), "Anyscale.Platform/clouds/read", "/subscriptions/s1"),
      CheckLine("user:dana", "Anyscale.Platform/clouds/read", "/subscriptions/s1"),
  };
  auto a = Check(in);
  ASSERT_EQ(a.size(), in.size());
  ExpectCheck(a[0], "deny", "invalid_input", kNull);
  ExpectCheck(a[1], "deny", "no_grant", kNull);
  ExpectCheck(a[2], "allow", "grant", "a-admin-sub");
}

TEST(CliCheck, LastLineWithoutNewlineIsAnswered) {
  const std::string good = CheckLine("user:dana", "Anyscale.Platform/clouds/read", "/subscriptions/s1");
  RunResult r = RunCli({"check"}, good + "\n" + good);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  ExpectCheck(ParseAnswer(lines[1]), "allow", "grant", "a-admin-sub");
}

TEST(CliCheck, EmptyInputAnswersNothing) {
  RunResult r = RunCli({"check"}, "");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliCheck, ManyLinesStayInOrder) {
  std::vector<std::string> in;
  for (int i = 0; i < 2000; ++i) {
    if (i % 3 == 0) {
      in.push_back(CheckLine("user:dana", "Anyscale.Platform/clouds/read", "/subscriptions/s1/x" + std::to_string(i)));
    } else if (i % 3 == 1) {
      in.push_back("garbage " + std::to_string(i));
    } else {
      in.push_back(CheckLine("user:nobody", "Anyscale.Platform/clouds/read", "/subscriptions/s1"));
    }
  }
  auto a = Check(in);
  ASSERT_EQ(a.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (i % 3 == 0) {
      ASSERT_TRUE(FieldIs(a[i], "reason", "grant")) << "line " << i;
    } else if (i % 3 == 1) {
      ASSERT_TRUE(IsLineError(a[i])) << "line " << i;
    } else {
      ASSERT_TRUE(FieldIs(a[i], "reason", "no_grant")) << "line " << i;
    }
  }
}

// ---------------------------------------------------------------------------
// check --bundle
// ---------------------------------------------------------------------------

TEST(CliCheckBundle, UsesTheGivenBundle) {
  std::string path = WriteTemp("custom.json", R"({"version": 1, "actions": [{"name": "X/read"}],
    "roles": [{"id": "r", "actions": ["X/read"]}],
    "assignments": [{"id": "a-custom", "principal": "user:zed", "role": "r", "scope": "/z"}]})");
  std::vector<std::string> in = {
      CheckLine("user:zed", "X/read", "/z/1"),
      CheckLine("user:dana", "Anyscale.Platform/clouds/read", "/subscriptions/s1"),  // not in this bundle
  };
  auto a = Check(in, {"--bundle", path});
  ASSERT_EQ(a.size(), in.size());
  ExpectCheck(a[0], "allow", "grant", "a-custom");
  ExpectCheck(a[1], "deny", "unknown_action", kNull);
}

TEST(CliCheckBundle, AnswersStayUtf8WhenARouteSplitsACharacter) {
  // RE2's \C matches one byte, so a capture can end inside a UTF-8
  // character. The check denies (the resource is not valid UTF-8: §3 step 1)
  // and the answer line must still be JSON, i.e. UTF-8.
  std::string path = WriteTemp("split.json", R"({"version": 1, "actions": [{"name": "a/read"}],
    "routes": [{"id": "cb", "method": "GET", "path": "/b/(?P<x>\\C)\\C", "action": "a/read", "scope": "/s/{x}"}]})");
  RunResult r = RunCli({"check", "--bundle", path},
                       R"({"op":"check_request","principal":"u","method":"GET","path":"/b/\u00e9"})" "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"("reason":"invalid_input")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(R"("resource":"/s/\ufffd")"), std::string::npos) << lines[0];
  for (unsigned char c : lines[0]) EXPECT_LT(c, 0x80) << lines[0];
}

TEST(CliCheckBundle, BadBundlePrintsErrorsAnswersNothingAndExitsOne) {
  std::string path = WriteTemp("badcheck.json", R"({"version": 1, "actions": [{"name": "X/*"}]})");
  const std::string good = CheckLine("user:dana", "Anyscale.Platform/clouds/read", "/subscriptions/s1");
  RunResult r = RunCli({"check", "--bundle", path}, good + "\n" + good + "\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("/actions/0/name"), std::string::npos) << r.err;
}

TEST(CliCheckBundle, MalformedBundleToo) {
  std::string path = WriteTemp("badcheck2.json", "{\"version\": 1, ");
  RunResult r = RunCli({"check", "--bundle", path}, "{}\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_GE(NonEmptyLines(r.err).size(), 1u);
}

// ---------------------------------------------------------------------------
// The command line itself: help, version, options, usage errors
// ---------------------------------------------------------------------------

// The example query lines a help text shows (lines that start with spaces and
// then {"op":).
std::vector<std::string> HelpExamples(const std::string& help) {
  std::vector<std::string> out;
  for (const std::string& l : Lines(help)) {
    size_t i = l.find_first_not_of(' ');
    if (i != std::string::npos && i > 0 && l.compare(i, 6, "{\"op\":") == 0) out.push_back(l.substr(i));
  }
  return out;
}

// Runs each example through `rolegate check` (built-in bundle): every one is
// a valid query, and together they cover every op the CLI accepts.
void ExpectHelpShowsEveryOpOnce(const std::string& help) {
  std::vector<std::string> examples = HelpExamples(help);
  std::vector<Answer> answers = Check(examples);
  ASSERT_EQ(answers.size(), examples.size());
  std::vector<std::string> ops;
  for (size_t i = 0; i < examples.size(); ++i) {
    EXPECT_TRUE(answers[i].ok && answers[i].Keys() != std::set<std::string>{"error"})
        << examples[i] << " -> " << answers[i].raw;
    EXPECT_NE(answers[i].Str("reason").value_or(""), "invalid_input") << examples[i] << " -> " << answers[i].raw;
    EXPECT_TRUE(answers[i].IsNull("error") || !answers[i].Has("error")) << answers[i].raw;
    Answer q = ParseAnswer(examples[i]);
    ops.push_back(q.Str("op").value_or("?"));
  }
  EXPECT_EQ(ops, (std::vector<std::string>{"check", "resolve", "check_workload", "check_request", "who_can", "what_can"})) << help;
  // The ops the help shows are the ops the CLI takes: one it does not know is an error.
  EXPECT_TRUE(IsLineError(Check({R"({"op":"frob"})"})[0]));
}

TEST(CliHelp, TopLevelHelpListsEveryOpWithAWorkingExample) {
  for (const char* flag : {"--help", "-h", "help"}) {
    RunResult r = RunCli({flag}, "");
    EXPECT_EQ(r.exit_code, 0) << flag;
    EXPECT_EQ(r.err, "") << flag;
    EXPECT_NE(r.out.find("rolegate validate"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("rolegate check"), std::string::npos) << r.out;
    ExpectHelpShowsEveryOpOnce(r.out);
  }
}

TEST(CliHelp, CheckHelpListsEveryOpWithAWorkingExample) {
  RunResult r = RunCli({"check", "--help"}, "{\"op\":\"check\"}\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: rolegate check"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--bundle=BUNDLE"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("{\"error\":\"missing"), std::string::npos) << "help must not read queries";
  ExpectHelpShowsEveryOpOnce(r.out);
}

TEST(CliHelp, EveryCommandHasHelp) {
  for (const char* cmd : {"validate", "example"}) {
    RunResult r = RunCli({cmd, "--help"}, "");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_EQ(r.out.rfind(std::string("usage: rolegate ") + cmd, 0), 0u) << r.out;
  }
  RunResult r = RunCli({"validate", "--help"}, "");
  EXPECT_NE(r.out.find("--strict"), std::string::npos) << r.out;
}

TEST(CliHelp, VersionMatchesTheLibrary) {
  RunResult r = RunCli({"--version"}, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string("rolegate ") + rolegate_version_string() + "\n");
}

TEST(CliUsage, UnknownCommandIsNamedAndExitsTwo) {
  RunResult r = RunCli({"frob"}, "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("unknown command \"frob\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rolegate --help"), std::string::npos) << r.err;
}

TEST(CliUsage, NoArgumentsPrintsUsageAndExitsTwo) {
  RunResult r = RunCli({}, "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("usage:"), std::string::npos) << r.err;
}

TEST(CliUsage, BadArgumentsExitTwoWithAReason) {
  const std::string good = WriteTemp("usage-good.json", R"({"version": 1, "actions": [{"name": "X/read"}]})");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--frob"}, "unknown option \"--frob\""},
      {{"check", "--frob"}, "unknown option \"--frob\""},
      {{"check", "--bundle"}, "--bundle needs"},
      {{"check", "--bundle="}, "--bundle needs"},
      {{"check", "--bundle", good, "--bundle=" + good}, "twice"},
      {{"check", good}, "unexpected argument"},
      {{"validate"}, "needs a BUNDLE"},
      {{"validate", good, good}, "one BUNDLE"},
      {{"validate", "--frob", good}, "unknown option \"--frob\""},
      {{"example", "x"}, "no arguments"},
  };
  for (const auto& [args, want] : cases) {
    RunResult r = RunCli(args, "");
    std::string shown;
    for (auto& a : args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 2) << shown;
    EXPECT_EQ(r.out, "") << shown;
    EXPECT_NE(r.err.find(want), std::string::npos) << shown << "\n" << r.err;
  }
}

TEST(CliCheckBundle, BundleEqualsFileIsTheSameAsBundleFile) {
  std::string path = WriteTemp("eq.json", R"({"version": 1, "actions": [{"name": "X/read"}],
    "roles": [{"id": "r", "actions": ["X/read"]}],
    "assignments": [{"id": "a-eq", "principal": "user:zed", "role": "r", "scope": "/z"}]})");
  auto a = Check({CheckLine("user:zed", "X/read", "/z/1")}, {"--bundle=" + path});
  ASSERT_EQ(a.size(), 1u);
  ExpectCheck(a[0], "allow", "grant", "a-eq");
}

TEST(CliCheck, TheBuiltInBundleIsAnnouncedOnStderr) {
  RunResult r;
  Check({CheckLine("user:alice", "Anyscale.Platform/clouds/read", "/subscriptions/s1")}, {}, &r);
  EXPECT_NE(r.err.find("built-in example bundle"), std::string::npos) << r.err;
  EXPECT_EQ(NonEmptyLines(r.err).size(), 1u) << r.err;
  // With --bundle nothing is said.
  std::string path = WriteTemp("quiet.json", R"({"version": 1, "actions": [{"name": "X/read"}],
    "roles": [{"id": "r", "actions": ["X/read"]}],
    "assignments": [{"id": "a", "principal": "u", "role": "r", "scope": "/z"}]})");
  RunResult q;
  Check({CheckLine("u", "X/read", "/z")}, {"--bundle", path}, &q);
  EXPECT_EQ(q.err, "");
}

// ---------------------------------------------------------------------------
// validate: every warning, --strict, the diagnostic format and order
// ---------------------------------------------------------------------------

// "FILE:LINE:COL: " at the start of a line: returns LINE and COL, or nullopt.
std::optional<std::pair<int, int>> Position(const std::string& line, const std::string& file) {
  if (line.rfind(file + ":", 0) != 0) return std::nullopt;
  int l = 0, c = 0, n = 0;
  if (sscanf(line.c_str() + file.size() + 1, "%d:%d: %n", &l, &c, &n) != 2 || n == 0) return std::nullopt;
  return std::make_pair(l, c);
}

const char kThreeWarnings[] = R"({"version": 1, "actions": [{"name": "A/read"}],
  "roles": [{"id": "never-assigned", "actions": ["Nothing/*"]}],
  "groups": [{"id": "g", "members": []}]})";

TEST(CliValidate, PrintsEveryWarningOnStderrWithItsPosition) {
  std::string path = WriteTemp("warn3.json", kThreeWarnings);
  RunResult r = RunCli({"validate", path}, "");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(NonEmptyLines(r.out).size(), 1u) << r.out;
  EXPECT_NE(r.out.find(" 3 warnings"), std::string::npos) << r.out;
  std::vector<std::string> lines = NonEmptyLines(r.err);
  ASSERT_EQ(lines.size(), 3u) << r.err;
  for (const std::string& l : lines) {
    auto pos = Position(l, path);
    ASSERT_TRUE(pos) << l;
    EXPECT_NE(l.find(": warning: /"), std::string::npos) << l;
  }
  EXPECT_NE(r.err.find("warning: /groups/0: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("warning: /roles/0/actions/0: "), std::string::npos) << r.err;
}

TEST(CliValidate, StrictMakesWarningsFail) {
  std::string path = WriteTemp("warn3s.json", kThreeWarnings);
  RunResult r = RunCli({"validate", "--strict", path}, "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(NonEmptyLines(r.err).size(), 3u) << r.err;  // one line per failure, nothing else
  RunResult after = RunCli({"validate", path, "--strict"}, "");  // the flag may come last
  EXPECT_EQ(after.exit_code, 1);
  RunResult clean = RunCli({"validate", "--strict", std::string(ROLEGATE_SOURCE_DIR) + "/examples/anyscale.json"}, "");
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(clean.err, "");
}

TEST(CliValidate, ErrorsAreSortedByPositionAndPrefixedFileLineCol) {
  // The unknown role is found after the unknown key (semantic checks run
  // after loading) but stands earlier in the file.
  std::string path = WriteTemp("order.json", "{\"version\": 1,\n"
                               " \"assignments\": [{\"id\": \"a\", \"principal\": \"u\", \"role\": \"nope\", \"scope\": \"/x\"}],\n"
                               " \"actions\": [{\"name\": \"A/read\"}],\n"
                               " \"roles\": [{\"id\": \"r\", \"actions\": [\"B/*\"]}],\n"
                               " \"bogus\": 1}\n");
  RunResult r = RunCli({"validate", path}, "");
  EXPECT_EQ(r.exit_code, 1);
  std::vector<std::string> lines = NonEmptyLines(r.err);
  ASSERT_EQ(lines.size(), 2u) << "errors only, warnings are not errors:\n" << r.err;
  auto first = Position(lines[0], path), second = Position(lines[1], path);
  ASSERT_TRUE(first && second) << r.err;
  EXPECT_EQ(first->first, 2) << lines[0];
  EXPECT_EQ(lines[0].substr(lines[0].find(": /") + 2, 20), "/assignments/0/role:") << lines[0];
  EXPECT_EQ(second->first, 5) << lines[1];
  EXPECT_NE(lines[1].find(": /bogus: "), std::string::npos) << lines[1];
  // --strict adds the warnings, in position order among the errors.
  RunResult s = RunCli({"validate", "--strict", path}, "");
  std::vector<std::string> all = NonEmptyLines(s.err);
  ASSERT_GT(all.size(), 2u) << s.err;
  std::pair<int, int> prev{0, 0};
  for (const std::string& l : all) {
    auto pos = Position(l, path);
    ASSERT_TRUE(pos) << l;
    EXPECT_LE(prev, *pos) << s.err;
    prev = *pos;
  }
}

TEST(CliCheckBundle, BadBundleErrorsUseTheSameFormat) {
  std::string path = WriteTemp("badfmt.json", "{\"version\": 1,\n \"actions\": [{\"name\": \"X/*\"}]}");
  RunResult r = RunCli({"check", "--bundle=" + path}, "");
  EXPECT_EQ(r.exit_code, 1);
  std::vector<std::string> lines = NonEmptyLines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  auto pos = Position(lines[0], path);
  ASSERT_TRUE(pos) << lines[0];
  EXPECT_EQ(pos->first, 2);
  EXPECT_NE(lines[0].find(": /actions/0/name: "), std::string::npos) << lines[0];
}

TEST(CliValidate, ControlCharactersInAKeyDoNotBreakTheOneLinePerErrorRule) {
  // "a\nb\u0007" and U+0085 as keys: the library names them verbatim.
  std::string path = WriteTemp("ctrl.json", "{\"version\": 1, \"actions\": [], \"a\\nb\\u0007\": 1, \"\xC2\x85x\": 2}");
  RunResult r = RunCli({"validate", path}, "");
  EXPECT_EQ(r.exit_code, 1);
  std::vector<std::string> lines = NonEmptyLines(r.err);
  ASSERT_EQ(lines.size(), 2u) << r.err;
  EXPECT_NE(lines[0].find(R"(/a\u000ab\u0007: unknown key "a\u000ab\u0007")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(R"(/\u0085x: )"), std::string::npos) << lines[1];
  for (unsigned char c : r.err) EXPECT_TRUE(c >= 0x20 || c == '\n') << r.err;
}

TEST(CliValidate, ADirectoryIsNotABundle) {
  RunResult r = RunCli({"validate", TempDir()}, "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("directory"), std::string::npos) << r.err;
}

}  // namespace

// ---------------------------------------------------------------------------
// "context" and "groups" (SPEC §7, §10, §13)
// ---------------------------------------------------------------------------

namespace ctx {

// A statement that holds only with a context, a route and a cloud to reach it
// through check_request and check_workload, and a grant to a group.
const char kBundle[] = R"json({"version":1,"actions":[{"name":"a/read"}],
  "roles":[{"id":"r","actions":["a/read"]}],
  "assignments":[{"id":"g1","principal":"group:eng","role":"r","scope":"/g"}],
  "statements":[
    {"id":"s1","principal":"u","effect":"Allow","actions":["a/read"],"resources":["/s/*"],
     "condition":{"StringEquals":{"aws:RequestedRegion":"us-west-2"},
                  "NumericLessThanEquals":{"n":10},"Bool":{"b":true},
                  "ForAnyValue:StringEquals":{"tags":["t1"]}}},
    {"id":"s2","principal":"arn:w","effect":"Allow","actions":["a/read"],"resources":["/s/*"],
     "condition":{"StringEquals":{"k":"v"}}}],
  "clouds":[{"id":"c","default_identity":"arn:w"}],
  "routes":[{"id":"rt","method":"GET","path":"/r/(?P<x>[^/]+)","action":"a/read","scope":"/s/{x}"}]})json";

std::string Path() { return WriteTemp("context.json", kBundle); }

std::string CheckWith(const std::string& principal, const std::string& resource, const std::string& tail) {
  return R"({"op":"check","principal":)" + Q(principal) + R"(,"action":"a/read","resource":)" + Q(resource) +
         tail + "}";
}

const std::string kGood =
    R"(,"context":{"aws:RequestedRegion":"us-west-2","n":3,"b":true,"tags":["t0","t1"]})";

// A context of `n` keys k0..k(n-1).
std::string ManyKeys(size_t n) {
  std::string s = R"(,"context":{)";
  for (size_t i = 0; i < n; ++i) s += (i ? "," : "") + Q("k" + std::to_string(i)) + ":\"v\"";
  return s + "}";
}

}  // namespace ctx

TEST(CliContext, ConditionHoldsOnlyWithTheRightContext) {
  auto a = Check({ctx::CheckWith("u", "/s/1", ctx::kGood), ctx::CheckWith("u", "/s/1", ""),
                  ctx::CheckWith("u", "/s/1", R"(,"context":{"aws:RequestedRegion":"eu-west-1","n":3,"b":true,"tags":["t1"]})")},
                 {"--bundle", ctx::Path()});
  ASSERT_EQ(a.size(), 3u);
  ExpectCheck(a[0], "allow", "statement", "s1");
  ExpectCheck(a[1], "deny", "condition_not_met", kNull);
  ExpectCheck(a[2], "deny", "condition_not_met", kNull);
}

TEST(CliContext, ValuesAreStringsNumbersBooleansAndStringArrays) {
  // Numbers stay doubles (3.5 <= 10), booleans are JSON booleans, a list is multi-valued.
  auto a = Check({ctx::CheckWith("u", "/s/1",
                                 R"(,"context":{"aws:RequestedRegion":"us-west-2","n":3.5,"b":true,"tags":["t1"]})"),
                  ctx::CheckWith("u", "/s/1",
                                 R"(,"context":{"aws:RequestedRegion":"us-west-2","n":10.5,"b":true,"tags":["t1"]})"),
                  ctx::CheckWith("u", "/s/1",
                                 R"(,"context":{"aws:RequestedRegion":"us-west-2","n":3,"b":false,"tags":["t1"]})"),
                  ctx::CheckWith("u", "/s/1", R"(,"context":{})")},
                 {"--bundle", ctx::Path()});
  ASSERT_EQ(a.size(), 4u);
  ExpectCheck(a[0], "allow", "statement", "s1");
  ExpectCheck(a[1], "deny", "condition_not_met", kNull);
  ExpectCheck(a[2], "deny", "condition_not_met", kNull);
  ExpectCheck(a[3], "deny", "condition_not_met", kNull);
}

TEST(CliContext, KeysIgnoreCase) {
  auto a = Check({ctx::CheckWith("u", "/s/1",
                                 R"(,"context":{"AWS:REQUESTEDREGION":"us-west-2","N":3,"B":true,"Tags":["t1"]})")},
                 {"--bundle", ctx::Path()});
  ASSERT_EQ(a.size(), 1u);
  ExpectCheck(a[0], "allow", "statement", "s1");
}

TEST(CliContext, NullObjectAndNonStringArrayValuesMakeTheLineInvalid) {
  for (const char* v : {"null", "{}", R"({"x":"y"})", R"(["a",1])", R"([null])", R"([["a"]])", "[true]"}) {
    auto a = Check({ctx::CheckWith("u", "/s/1", std::string(R"(,"context":{"k":)") + v + "}")},
                   {"--bundle", ctx::Path()});
    ASSERT_EQ(a.size(), 1u);
    EXPECT_TRUE(IsLineError(a[0])) << v;
  }
}

TEST(CliContext, AContextThatIsNotAnObjectMakesTheLineInvalid) {
  for (const char* v : {"null", "[]", R"("k=v")", "1", "true"}) {
    auto a = Check({ctx::CheckWith("u", "/s/1", std::string(R"(,"context":)") + v)}, {"--bundle", ctx::Path()});
    ASSERT_EQ(a.size(), 1u);
    EXPECT_TRUE(IsLineError(a[0])) << v;
  }
}

TEST(CliContext, TwoKeysEqualIgnoringCaseMakeTheLineInvalid) {
  auto a = Check({ctx::CheckWith("u", "/s/1", R"(,"context":{"Key":"a","kEY":"b"})"),
                  ctx::CheckWith("u", "/s/1", R"(,"context":{"Key":"a","Key":"b"})"),
                  ctx::CheckWith("u", "/s/1", R"(,"context":{"Key":"a","Key2":"b"})")},
                 {"--bundle", ctx::Path()});
  ASSERT_EQ(a.size(), 3u);
  EXPECT_TRUE(IsLineError(a[0]));
  EXPECT_TRUE(IsLineError(a[1]));
  ExpectCheck(a[2], "deny", "condition_not_met", kNull);
}

TEST(CliContext, OverTheLimitsIsInvalidInputNotTruncated) {
  const std::string long_value(ROLEGATE_MAX_CONTEXT_STRING_BYTES + 1, 'x');
  std::string list = R"(,"context":{"tags":[)";
  for (int i = 0; i < 257; ++i) list += (i ? ",\"t" : "\"t") + std::to_string(i) + "\"";
  list += "]}";
  auto a = Check({ctx::CheckWith("u", "/s/1", ctx::ManyKeys(1024)), ctx::CheckWith("u", "/s/1", ctx::ManyKeys(1025)),
                  ctx::CheckWith("u", "/s/1", R"(,"context":{"k":)" + Q(long_value) + "}"),
                  ctx::CheckWith("u", "/s/1", list)},
                 {"--bundle", ctx::Path()});
  ASSERT_EQ(a.size(), 4u);
  ExpectCheck(a[0], "deny", "condition_not_met", kNull);  // at the limit: answered
  ExpectCheck(a[1], "deny", "invalid_input", kNull);
  ExpectCheck(a[2], "deny", "invalid_input", kNull);
  ExpectCheck(a[3], "deny", "invalid_input", kNull);
}

TEST(CliGroups, AssertedGroupsJoinThePrincipalsGroups) {
  auto a = Check({ctx::CheckWith("v", "/g/1", R"(,"groups":["group:eng"])"), ctx::CheckWith("v", "/g/1", ""),
                  ctx::CheckWith("v", "/g/1", R"(,"groups":[])"),
                  ctx::CheckWith("v", "/g/1", R"(,"groups":["group:other","group:eng"])")},
                 {"--bundle", ctx::Path()});
  ASSERT_EQ(a.size(), 4u);
  ExpectCheck(a[0], "allow", "grant", "g1");
  ExpectCheck(a[1], "deny", "no_grant", kNull);
  ExpectCheck(a[2], "deny", "no_grant", kNull);
  ExpectCheck(a[3], "allow", "grant", "g1");
}

TEST(CliGroups, GroupsNotAnArrayOfStringsMakeTheLineInvalid) {
  for (const char* v : {R"("group:eng")", "null", R"({"g":1})", "[1]", R"(["a",null])", R"([["a"]])"}) {
    auto a = Check({ctx::CheckWith("v", "/g/1", std::string(R"(,"groups":)") + v)}, {"--bundle", ctx::Path()});
    ASSERT_EQ(a.size(), 1u);
    EXPECT_TRUE(IsLineError(a[0])) << v;
  }
}

TEST(CliGroups, TooManyOrAnEmptyIdIsInvalidInput) {
  std::string many = R"(,"groups":[)";
  for (int i = 0; i < 1025; ++i) many += (i ? ",\"g" : "\"g") + std::to_string(i) + "\"";
  many += "]";
  auto a = Check({ctx::CheckWith("v", "/g/1", many), ctx::CheckWith("v", "/g/1", R"(,"groups":["group:eng",""])")},
                 {"--bundle", ctx::Path()});
  ASSERT_EQ(a.size(), 2u);
  ExpectCheck(a[0], "deny", "invalid_input", kNull);
  ExpectCheck(a[1], "deny", "invalid_input", kNull);
}

TEST(CliContext, CheckRequestTakesContextAndGroups) {
  auto line = [](const std::string& principal, const std::string& tail) {
    return R"({"op":"check_request","principal":)" + Q(principal) + R"(,"method":"GET","path":"/r/1")" + tail + "}";
  };
  auto a = Check({line("u", ctx::kGood), line("u", ""), line("u", R"(,"context":{"k":null})"),
                  line("u", R"(,"groups":[""])")},
                 {"--bundle", ctx::Path()});
  ASSERT_EQ(a.size(), 4u);
  ExpectRequest(a[0], "allow", "statement", "s1", "rt", "a/read", "/s/1");
  ExpectRequest(a[1], "deny", "condition_not_met", kNull, "rt", "a/read", "/s/1");
  EXPECT_TRUE(IsLineError(a[2]));
  ExpectRequest(a[3], "deny", "invalid_input", kNull, kNull, kNull, kNull);  // before routing
}

TEST(CliContext, CheckWorkloadTakesContextAndGroups) {
  auto line = [](const std::string& tail) {
    return R"({"op":"check_workload","cloud":"c","workload_type":"job","project":"p","user":"u",)"
           R"("action":"a/read","resource":"/s/1")" + tail + "}";
  };
  auto a = Check({line(R"(,"context":{"k":"v"})"), line(""), line(R"(,"context":{"k":["v",2]})"),
                  line(R"(,"groups":["group:eng"],"context":{"K":"v"})")},
                 {"--bundle", ctx::Path()});
  ASSERT_EQ(a.size(), 4u);
  ExpectWorkload(a[0], "allow", "statement", "s2", "arn:w", "cloud_default");
  ExpectWorkload(a[1], "deny", "condition_not_met", kNull, "arn:w", "cloud_default");
  EXPECT_TRUE(IsLineError(a[2]));
  ExpectWorkload(a[3], "allow", "statement", "s2", "arn:w", "cloud_default");
}

TEST(CliContext, ResolveTakesNeither) {
  auto a = Check({R"({"op":"resolve","cloud":"c","workload_type":"job","project":"p","user":"u","context":{}})",
                  R"({"op":"resolve","cloud":"c","workload_type":"job","project":"p","user":"u","groups":[]})"},
                 {"--bundle", ctx::Path()});
  ASSERT_EQ(a.size(), 2u);
  EXPECT_TRUE(IsLineError(a[0]));
  EXPECT_TRUE(IsLineError(a[1]));
}

// Answers echo caller text (an unknown op, a route's filled resource); JSON
// allows C1 controls and U+2028/U+2029 raw, but readers that split lines on
// Unicode line breaks (Python's splitlines, JavaScript) would then see two
// lines. They are written as \u escapes; other characters stay as they are.
TEST(CliCheck, UnicodeLineBreaksInAnswersAreEscaped) {
  const std::string bundle = std::string(ROLEGATE_SOURCE_DIR) + "/examples/anyscale.json";
  const RunResult r = RunCli({"check", "--bundle", bundle},
                             "{\"op\":\"x\xe2\x80\xa8y\xe2\x80\xa9z\xc2\x85\xc2\x9f\xc2\xa0\xc3\xa9\"}\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("x\\u2028y\\u2029z\\u0085\\u009f\xc2\xa0\xc3\xa9"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\xe2\x80\xa8"), std::string::npos);
  EXPECT_EQ(r.out.find("\xc2\x85"), std::string::npos);
}
