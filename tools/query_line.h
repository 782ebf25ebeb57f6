// tools/query_line.h — one line of `rolegate check` input (SPEC §7), parsed
// strictly: every line is either a valid query or an error message.
#ifndef ROLEGATE_TOOLS_QUERY_LINE_H_
#define ROLEGATE_TOOLS_QUERY_LINE_H_

#include <string>
#include <string_view>

#include "rolegate/policy.h"

namespace rolegate::cli {

enum class Op { kCheck, kResolve, kCheckWorkload, kCheckRequest, kWhoCan, kWhatCan };

struct Query {
  Op op = Op::kCheck;
  std::string principal, action, resource;           // check, check_workload (action, resource)
  std::string cloud, workload_type, project, user;   // resolve, check_workload
  bool has_compute_config = false, has_node_group = false;
  std::string compute_config_identity, node_group_identity;
  std::string method, path;                          // check_request
  WorkloadQuery Workload() const;
};

// Parses one input line. Returns "" and fills `q`, or returns why the line
// is not a valid query.
std::string ParseQueryLine(std::string_view line, Query* q);

// Answers a parsed query as one JSON line (no trailing newline).
std::string Answer(const Policy& policy, const Query& q, RequestScratch* scratch);

// {"error":"..."}
std::string ErrorLine(std::string_view why);

// Appends s as a JSON string literal (quotes included).
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace rolegate::cli

#endif  // ROLEGATE_TOOLS_QUERY_LINE_H_
