// tests/fuzz/query_line.cc — the CLI's query-line parser (SPEC §7) on
// arbitrary lines, answered against the built-in example bundle.
//
// Every line gets exactly one answer and that answer is one valid JSON object:
// {"error": ...} for a bad line, the answer fields otherwise. A query that
// parses, written back out with AppendJsonString, parses to the same query.
// An answer allows only with reason grant or statement.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "query_line.h"
#include "simdjson.h"

namespace {

using rolegate::cli::Query;

const rolegate::Policy& Example() {
  static const rolegate::Policy* p = [] {
    auto r = rolegate::Compile(rolegate::ExampleBundle(), rolegate::Limits{}, nullptr);
    if (!r.ok()) rolegate_fuzz::Die("the example bundle does not compile");
    return r->release();
  }();
  return *p;
}

// Parses `json` as one JSON object; returns the value of "decision" and
// "reason" when present.
void CheckJsonObject(const std::string& json, const std::string& line) {
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) || !doc.is_object())
    rolegate_fuzz::Die("answer is not a JSON object: " + rolegate_fuzz::Q(json) + " for line " +
                       rolegate_fuzz::Q(line));
  std::string_view decision, reason;
  if (doc["decision"].get(decision) == simdjson::SUCCESS && doc["reason"].get(reason) == simdjson::SUCCESS) {
    const bool allow_reason = reason == "grant" || reason == "statement";
    if ((decision == "allow") != allow_reason)
      rolegate_fuzz::Die("decision and reason disagree: " + json + " for line " + rolegate_fuzz::Q(line));
  }
}

void AppendStrings(std::string* out, const std::vector<std::string>& v) {
  *out += "[";
  for (size_t k = 0; k < v.size(); ++k) {
    if (k) *out += ",";
    rolegate::cli::AppendJsonString(out, v[k]);
  }
  *out += "]";
}

// The query written back as a line, fields in a fixed order.
std::string Rewrite(const Query& q) {
  std::string out = "{\"op\":";
  switch (q.op) {
    case rolegate::cli::Op::kCheck: out += "\"check\""; break;
    case rolegate::cli::Op::kResolve: out += "\"resolve\""; break;
    case rolegate::cli::Op::kCheckWorkload: out += "\"check_workload\""; break;
    case rolegate::cli::Op::kCheckRequest: out += "\"check_request\""; break;
    case rolegate::cli::Op::kWhoCan: out += "\"who_can\""; break;
    case rolegate::cli::Op::kWhatCan: out += "\"what_can\""; break;
  }
  auto field = [&](const char* name, const std::string& v) {
    out += ",\"";
    out += name;
    out += "\":";
    rolegate::cli::AppendJsonString(&out, v);
  };
  switch (q.op) {
    case rolegate::cli::Op::kCheck:
      field("principal", q.principal);
      field("action", q.action);
      field("resource", q.resource);
      break;
    case rolegate::cli::Op::kResolve:
    case rolegate::cli::Op::kCheckWorkload:
      field("cloud", q.cloud);
      field("workload_type", q.workload_type);
      field("project", q.project);
      field("user", q.user);
      if (q.has_compute_config) field("compute_config_identity", q.compute_config_identity);
      if (q.has_node_group) field("node_group_identity", q.node_group_identity);
      if (q.op == rolegate::cli::Op::kCheckWorkload) {
        field("action", q.action);
        field("resource", q.resource);
      }
      break;
    case rolegate::cli::Op::kCheckRequest:
      field("principal", q.principal);
      field("method", q.method);
      field("path", q.path);
      break;
    case rolegate::cli::Op::kWhoCan:
      field("action", q.action);
      field("resource", q.resource);
      break;
    case rolegate::cli::Op::kWhatCan:
      field("principal", q.principal);
      field("resource", q.resource);
      break;
  }
  if (!q.context.empty()) {
    out += ",\"context\":{";
    for (size_t i = 0; i < q.context.size(); ++i) {
      const rolegate::cli::ContextValue& c = q.context[i];
      if (i) out += ",";
      rolegate::cli::AppendJsonString(&out, c.key);
      out += ":";
      switch (c.type) {
        case rolegate::ValueType::kString: rolegate::cli::AppendJsonString(&out, c.str); break;
        case rolegate::ValueType::kNumber: {
          char num[40];
          std::snprintf(num, sizeof num, "%.17g", c.number);  // round-trips a double
          out += num;
          break;
        }
        case rolegate::ValueType::kBool: out += c.boolean ? "true" : "false"; break;
        case rolegate::ValueType::kStringList: AppendStrings(&out, c.list); break;
      }
    }
    out += "}";
  }
  if (!q.groups.empty()) {
    out += ",\"groups\":";
    AppendStrings(&out, q.groups);
  }
  return out + "}";
}

bool SameContext(const std::vector<rolegate::cli::ContextValue>& a, const std::vector<rolegate::cli::ContextValue>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& x = a[i];
    const auto& y = b[i];
    if (x.key != y.key || x.type != y.type) return false;
    if (x.type == rolegate::ValueType::kString && x.str != y.str) return false;
    if (x.type == rolegate::ValueType::kNumber && x.number != y.number) return false;
    if (x.type == rolegate::ValueType::kBool && x.boolean != y.boolean) return false;
    if (x.type == rolegate::ValueType::kStringList && x.list != y.list) return false;
  }
  return true;
}

bool SameQuery(const Query& a, const Query& b) {
  return a.op == b.op && a.principal == b.principal && a.action == b.action && a.resource == b.resource &&
         a.cloud == b.cloud && a.workload_type == b.workload_type && a.project == b.project &&
         a.user == b.user && a.has_compute_config == b.has_compute_config &&
         a.has_node_group == b.has_node_group && a.compute_config_identity == b.compute_config_identity &&
         a.node_group_identity == b.node_group_identity && a.method == b.method && a.path == b.path &&
         SameContext(a.context, b.context) && a.groups == b.groups;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The CLI splits its input on '\n'; one line never holds one.
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string line(in.substr(0, in.find('\n')));
  Query q;
  const std::string why = rolegate::cli::ParseQueryLine(line, &q);
  if (!why.empty()) {
    CheckJsonObject(rolegate::cli::ErrorLine(why), line);
    return 0;
  }
  rolegate::RequestScratch scratch;
  const std::string answer = rolegate::cli::Answer(Example(), q, &scratch);
  CheckJsonObject(answer, line);

  const std::string again = Rewrite(q);
  Query q2;
  const std::string why2 = rolegate::cli::ParseQueryLine(again, &q2);
  if (!why2.empty()) rolegate_fuzz::Die("rewritten query " + rolegate_fuzz::Q(again) + " rejected: " + why2);
  if (!SameQuery(q, q2)) rolegate_fuzz::Die("rewritten query " + rolegate_fuzz::Q(again) + " parses differently");
  if (rolegate::cli::Answer(Example(), q2, &scratch) != answer)
    rolegate_fuzz::Die("rewritten query " + rolegate_fuzz::Q(again) + " answered differently");
  return 0;
}
