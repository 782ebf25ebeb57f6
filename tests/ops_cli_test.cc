// tests/ops_cli_test.cc — `rolegate check --stats` and `--log FILE` (SPEC §15):
// the answers on standard output are unchanged, the counters come as one
// JSON line on standard error, the log as one JSON line per decision.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

int RunCheck(const std::string& args, const std::string& input, std::string* out, std::string* err) {
  // Per process: ctest runs the tests of this file in parallel processes.
  const std::string dir = ::testing::TempDir() + "/" + std::to_string(getpid()) + ".";
  const std::string in = dir + "ops_cli_in", o = dir + "ops_cli_out", e = dir + "ops_cli_err";
  std::ofstream(in) << input;
  const std::string cmd = std::string(ROLEGATE_CLI_PATH) + " check " + args + " <" + in + " >" + o + " 2>" + e;
  const int rc = std::system(cmd.c_str());
  *out = Slurp(o);
  *err = Slurp(e);
  return WEXITSTATUS(rc);
}

constexpr char kQueries[] =
    R"({"op":"check","principal":"user:alice","action":"Anyscale.Platform/clouds/read","resource":"/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1"})"
    "\nnot json\n"
    R"({"op":"check","principal":"user:nobody","action":"Anyscale.Platform/clouds/read","resource":"/subscriptions/s1"})"
    "\n"
    R"({"op":"resolve","cloud":"c1","workload_type":"job","project":"prod","user":"user:alice"})"
    "\n";

TEST(OpsCli, StatsAndLogLeaveTheAnswersAlone) {
  std::string plain, plain_err, out, err;
  ASSERT_EQ(RunCheck("", kQueries, &plain, &plain_err), 0);
  const std::string log = ::testing::TempDir() + "/" + std::to_string(getpid()) + ".ops_cli_log.jsonl";
  ASSERT_EQ(RunCheck("--stats --log " + log, kQueries, &out, &err), 0);
  EXPECT_EQ(out, plain);
  const std::vector<std::string> err_lines = Lines(err);
  ASSERT_FALSE(err_lines.empty());
  const std::string& stats = err_lines.back();
  EXPECT_NE(stats.find(R"("decisions":2,"allows":1,"denies":1)"), std::string::npos) << stats;
  EXPECT_NE(stats.find(R"("by_reason":{"grant":1,"no_grant":1})"), std::string::npos) << stats;
  EXPECT_NE(stats.find(R"("rule":"a-reader-team","allows":1)"), std::string::npos) << stats;
  const std::vector<std::string> recs = Lines(Slurp(log));
  ASSERT_EQ(recs.size(), 2u);  // resolve is no decision; the bad line none either
  EXPECT_NE(recs[0].find(R"("principal":"user:alice")"), std::string::npos) << recs[0];
  EXPECT_NE(recs[0].find(R"("decision":"allow","reason":"grant","rule":"a-reader-team")"), std::string::npos);
  EXPECT_NE(recs[1].find(R"("decision":"deny","reason":"no_grant","rule":null)"), std::string::npos) << recs[1];
}

TEST(OpsCli, BadOptions) {
  std::string out, err;
  EXPECT_EQ(RunCheck("--log", "", &out, &err), 2);
  EXPECT_NE(err.find("--log needs a FILE"), std::string::npos);
  EXPECT_EQ(RunCheck("--log /nonexistent/dir/x.jsonl", kQueries, &out, &err), 1);
  EXPECT_NE(err.find("cannot write --log"), std::string::npos) << err;
}

}  // namespace
