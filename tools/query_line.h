// tools/query_line.h — one line of `rolegate check` input (SPEC §7), parsed
// strictly: every line is either a valid query or an error message.
#ifndef ROLEGATE_TOOLS_QUERY_LINE_H_
#define ROLEGATE_TOOLS_QUERY_LINE_H_

#include <string>
#include <string_view>
#include <vector>

#include "rolegate/policy.h"
#include "rolegate/query.h"
#include "simdjson.h"

namespace rolegate::cli {

enum class Op { kCheck, kResolve, kCheckWorkload, kCheckRequest, kWhoCan, kWhatCan };

// One "context" value of a query line, owned (the line's text is gone by the
// time the query is answered). Only the fields of `type` are meaningful.
struct ContextValue {
  std::string key;
  ValueType type = ValueType::kString;
  std::string str;
  double number = 0;
  bool boolean = false;
  std::vector<std::string> list;
};

struct Query {
  Op op = Op::kCheck;
  std::string principal, action, resource;           // check, check_workload (action, resource)
  std::string cloud, workload_type, project, user;   // resolve, check_workload
  bool has_compute_config = false, has_node_group = false;
  std::string compute_config_identity, node_group_identity;
  std::string method, path;                          // check_request
  std::vector<ContextValue> context;                 // check, check_workload, check_request
  std::vector<std::string> groups;                   // asserted groups, the same ops
  WorkloadQuery Workload() const;
};

// The borrowed rolegate::QueryExtras view of a Query's context and groups,
// with the arrays it points into. Valid while the Query is unchanged and
// this object lives.
struct ExtrasView {
  std::vector<ContextEntry> entries;
  std::vector<std::vector<std::string_view>> lists;
  std::vector<std::string_view> groups;
  QueryExtras extras;
};
void BuildExtras(const Query& q, ExtrasView* v);

// Parses a query line's "context" value (SPEC §7, §10): a JSON object whose
// values are strings, numbers (kept as double), booleans or arrays of
// strings. Returns "" and appends to `out`, or why the value is not one
// (null, an object, an array holding a non-string, two keys equal ignoring
// ASCII case, text that is not UTF-8). Limits are not checked here: the
// library answers invalid_input past them, and nothing is truncated.
std::string ParseContext(simdjson::ondemand::value v, std::vector<ContextValue>* out);
// Parses a query line's "groups" value: an array of strings (count and empty
// ids are the library's to judge: invalid_input).
std::string ParseGroups(simdjson::ondemand::value v, std::vector<std::string>* out);

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
