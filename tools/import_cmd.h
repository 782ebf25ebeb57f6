// tools/import_cmd.h — `rolegate import azure|aws` (SPEC §16).
#ifndef ROLEGATE_TOOLS_IMPORT_CMD_H_
#define ROLEGATE_TOOLS_IMPORT_CMD_H_

#include <string>
#include <vector>

namespace rolegate::cli {

// Runs `rolegate import ARGS...` (ARGS without the word "import"): the
// bundle on standard output, the report on standard error or --report FILE.
// Returns the exit code: 0 imported, 1 a bad or unreadable input (one line
// on stderr naming the file and JSON pointer), 2 a bad command line.
int ImportMain(const std::vector<std::string>& args);

}  // namespace rolegate::cli

#endif  // ROLEGATE_TOOLS_IMPORT_CMD_H_
