// tools/ops_output.h — `rolegate check --stats / --log FILE` (SPEC §15):
// queries recorded through an Engine's operations, the decision log as JSON
// Lines and the counters as one JSON object.
#ifndef ROLEGATE_TOOLS_OPS_OUTPUT_H_
#define ROLEGATE_TOOLS_OPS_OUTPUT_H_

#include <string>

#include "query_line.h"
#include "rolegate/engine.h"
#include "rolegate/ops.h"

namespace rolegate::cli {

// Takes the decision `q` asks for through `snap`'s recorded query methods
// (resolve is no decision and records nothing). The answer line itself is
// still written by Answer(): the CLI evaluates a query twice when
// recording, which keeps the answer code in one place.
void RecordQuery(const Snapshot& snap, const Query& q, RequestScratch* scratch);

// One decision log record as a JSON object (no newline). Strings cut by the
// log are listed in "truncated".
std::string DecisionRecordJson(const DecisionRecord& r);

// The counters (and rule counts) as one JSON object (no newline).
std::string OpsStatsJson(const OpsStats& s);

}  // namespace rolegate::cli

#endif  // ROLEGATE_TOOLS_OPS_OUTPUT_H_
