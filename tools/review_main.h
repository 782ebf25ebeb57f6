// tools/review_main.h — the access-review commands of the `rolegate` CLI:
// `rolegate diff OLD NEW` (SPEC §7, §14) and `rolegate test FILE...`
// (a policy author's unit tests; docs/review.md).
#ifndef ROLEGATE_TOOLS_REVIEW_MAIN_H_
#define ROLEGATE_TOOLS_REVIEW_MAIN_H_

#include <string>
#include <vector>

namespace rolegate::cli {

// `args` are the words after the command name. Exit codes: diff 0 nothing
// differs, 3 a row or rule line was written, 1 a bad bundle or read, 2 a bad
// command line; test 0 all passed, 1 a failure or a bad file, 2 a bad
// command line.
int DiffMain(const std::vector<std::string>& args);
int TestMain(const std::vector<std::string>& args);

}  // namespace rolegate::cli

#endif  // ROLEGATE_TOOLS_REVIEW_MAIN_H_
