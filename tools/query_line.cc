// tools/query_line.cc — strict parsing of query lines and JSON answers.
#include "query_line.h"

#include <algorithm>
#include <array>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rolegate/internal/text.h"
#include "rolegate/review.h"
#include "simdjson.h"

namespace rolegate::cli {
namespace od = simdjson::ondemand;

WorkloadQuery Query::Workload() const {
  WorkloadQuery w;
  w.cloud = cloud;
  ParseWorkloadType(workload_type, &w.workload_type);
  w.project = project;
  w.user = user;
  if (has_compute_config) w.compute_config_identity = compute_config_identity;
  if (has_node_group) w.node_group_identity = node_group_identity;
  return w;
}

namespace {

// SPEC §14's reverse queries (who_can, what_can): their required fields.
bool ReverseOpFields(std::string_view op, Query* q, std::vector<std::string_view>* required) {
  if (op == "who_can") {
    q->op = Op::kWhoCan;
    *required = {"action", "resource"};
  } else if (op == "what_can") {
    q->op = Op::kWhatCan;
    *required = {"principal", "resource"};
  } else {
    return false;
  }
  return true;
}

struct FieldSpec {
  std::string_view name;
  std::string Query::*dst;
};

constexpr std::array<FieldSpec, 12> kFields = {{
    {"principal", &Query::principal},
    {"action", &Query::action},
    {"resource", &Query::resource},
    {"cloud", &Query::cloud},
    {"workload_type", &Query::workload_type},
    {"project", &Query::project},
    {"user", &Query::user},
    {"compute_config_identity", &Query::compute_config_identity},
    {"node_group_identity", &Query::node_group_identity},
    {"method", &Query::method},
    {"path", &Query::path},
    {"op", nullptr},
}};

// Appends the string value `v` to *out, or says why it is not one.
std::string GetUtf8String(od::value v, std::string_view what, std::string* out) {
  od::json_type t;
  if (v.type().get(t)) return "not valid JSON";
  if (t != od::json_type::string) return absl::StrCat(internal::AbslView(what), " must be a string");
  std::string_view s;
  if (v.get_string().get(s)) return "not valid JSON";
  if (!internal::IsValidUtf8(s)) return absl::StrCat(internal::AbslView(what), " is not valid UTF-8");
  out->assign(s);
  return "";
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// One context value into `cv` (its key already set).
std::string ParseContextValue(od::value v, ContextValue* cv) {
  const std::string what = absl::StrCat("context value \"", cv->key, "\"");
  od::json_type t;
  if (v.type().get(t)) return "not valid JSON";
  switch (t) {
    case od::json_type::string:
      cv->type = ValueType::kString;
      return GetUtf8String(v, what, &cv->str);
    case od::json_type::number:
      cv->type = ValueType::kNumber;
      // Every JSON number as a double (SPEC §10 compares numbers as numbers).
      if (v.get_double().get(cv->number)) return absl::StrCat(what, " is not a number a double can hold");
      return "";
    case od::json_type::boolean:
      cv->type = ValueType::kBool;
      if (v.get_bool().get(cv->boolean)) return "not valid JSON";
      return "";
    case od::json_type::array: {
      cv->type = ValueType::kStringList;
      od::array arr;
      if (v.get_array().get(arr)) return "not valid JSON";
      for (auto item : arr) {
        od::value iv;
        if (item.get(iv)) return "not valid JSON";
        std::string s;
        std::string why = GetUtf8String(iv, absl::StrCat("each value of ", what), &s);
        if (!why.empty()) return why;
        cv->list.push_back(std::move(s));
      }
      return "";
    }
    default:
      break;
  }
  return absl::StrCat(what, " must be a string, a number, a boolean or an array of strings");
}

}  // namespace

std::string ParseContext(od::value v, std::vector<ContextValue>* out) {
  od::json_type t;
  if (v.type().get(t)) return "not valid JSON";
  if (t != od::json_type::object) return "field \"context\" must be an object";
  od::object obj;
  if (v.get_object().get(obj)) return "not valid JSON";
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return "not valid JSON";
    if (!internal::IsValidUtf8(key)) return "a context key is not valid UTF-8";
    // Keys compare case-insensitively (SPEC §10), so two that differ only
    // in case are the same key given twice: refuse the line rather than
    // pick one. Quadratic, but over at most the line's own keys.
    for (const ContextValue& c : *out)
      if (EqualsIgnoreAsciiCase(c.key, key))
        return absl::StrCat("context key \"", internal::AbslView(key), "\" given twice (keys ignore case)");
    ContextValue cv;
    cv.key.assign(key);
    od::value fv;
    if (field.value().get(fv)) return "not valid JSON";
    std::string why = ParseContextValue(fv, &cv);
    if (!why.empty()) return why;
    out->push_back(std::move(cv));
  }
  return "";
}

std::string ParseGroups(od::value v, std::vector<std::string>* out) {
  od::json_type t;
  if (v.type().get(t)) return "not valid JSON";
  if (t != od::json_type::array) return "field \"groups\" must be an array of strings";
  od::array arr;
  if (v.get_array().get(arr)) return "not valid JSON";
  for (auto item : arr) {
    od::value iv;
    if (item.get(iv)) return "not valid JSON";
    std::string s;
    std::string why = GetUtf8String(iv, "each of \"groups\"", &s);
    if (!why.empty()) return why;
    out->push_back(std::move(s));
  }
  return "";
}

void BuildExtras(const Query& q, ExtrasView* v) {
  v->entries.resize(q.context.size());
  v->lists.resize(q.context.size());
  for (size_t i = 0; i < q.context.size(); ++i) {
    const ContextValue& c = q.context[i];
    ContextEntry& e = v->entries[i];
    e = ContextEntry();
    e.key = c.key;
    e.type = c.type;
    e.str = c.str;
    e.number = c.number;
    e.boolean = c.boolean;
    v->lists[i].assign(c.list.begin(), c.list.end());
    e.list = v->lists[i].data();
    e.list_size = v->lists[i].size();
  }
  v->groups.assign(q.groups.begin(), q.groups.end());
  v->extras.context = {v->entries.data(), v->entries.size()};
  v->extras.groups = {v->groups.data(), v->groups.size()};
}

std::string ParseQueryLine(std::string_view line, Query* q) {
  if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) return "blank line";
  if (!internal::IsValidUtf8(line)) return "line is not valid UTF-8";
  simdjson::padded_string text(line);
  if (text.data() == nullptr) return "out of memory";
  od::parser parser;
  od::document doc;
  if (parser.iterate(text).get(doc)) return "not valid JSON";
  od::json_type t;
  if (doc.type().get(t)) return "not valid JSON";
  if (t != od::json_type::object) return "a query must be a JSON object";
  od::object obj;
  if (doc.get_object().get(obj)) return "not valid JSON";
  std::vector<std::string> seen;
  std::string op;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return "not valid JSON";
    std::string k(key);
    if (std::find(seen.begin(), seen.end(), k) != seen.end()) return absl::StrCat("duplicate key \"", k, "\"");
    seen.push_back(k);
    auto spec = std::find_if(kFields.begin(), kFields.end(), [&](const FieldSpec& f) { return f.name == k; });
    od::value v;
    if (k == "context" || k == "groups") {
      if (field.value().get(v)) return "not valid JSON";
      std::string why = k == "context" ? ParseContext(v, &q->context) : ParseGroups(v, &q->groups);
      if (!why.empty()) return why;
      continue;
    }
    if (spec == kFields.end()) return absl::StrCat("unknown field \"", k, "\"");
    if (field.value().get(v)) return "not valid JSON";
    od::json_type vt;
    if (v.type().get(vt)) return "not valid JSON";
    if (vt != od::json_type::string) return absl::StrCat("field \"", k, "\" must be a string");
    std::string_view s;
    if (v.get_string().get(s)) return "not valid JSON";
    if (!internal::IsValidUtf8(s)) return absl::StrCat("field \"", k, "\" is not valid UTF-8");
    if (spec->dst == nullptr) op.assign(s);
    else (q->*(spec->dst)).assign(s);
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) return "not valid JSON (trailing content)";
  auto has = [&](std::string_view f) { return std::find(seen.begin(), seen.end(), f) != seen.end(); };
  if (!has("op")) return "missing field \"op\"";
  std::vector<std::string_view> required, optional;
  if (op == "check") {
    q->op = Op::kCheck;
    required = {"principal", "action", "resource"};
    optional = {"context", "groups"};
  } else if (op == "resolve" || op == "check_workload") {
    q->op = op == "resolve" ? Op::kResolve : Op::kCheckWorkload;
    required = {"cloud", "workload_type", "project", "user"};
    if (q->op == Op::kCheckWorkload) {
      required.push_back("action");
      required.push_back("resource");
    }
    optional = {"compute_config_identity", "node_group_identity"};
    if (q->op == Op::kCheckWorkload) {
      optional.push_back("context");
      optional.push_back("groups");
    }
  } else if (op == "check_request") {
    q->op = Op::kCheckRequest;
    required = {"principal", "method", "path"};
    optional = {"context", "groups"};
  } else if (ReverseOpFields(op, q, &required)) {
    optional = {"context", "groups"};  // SPEC §14: both take a check's context and groups
  } else {
    return absl::StrCat("unknown op \"", op, "\"");
  }
  for (std::string_view f : required)
    if (!has(f)) return absl::StrCat("missing field \"", internal::AbslView(f), "\"");
  for (const std::string& f : seen) {
    if (f == "op") continue;
    if (std::find(required.begin(), required.end(), f) == required.end() &&
        std::find(optional.begin(), optional.end(), f) == optional.end())
      return absl::StrCat("field \"", f, "\" does not belong to op \"", op, "\"");
  }
  if (q->op == Op::kResolve || q->op == Op::kCheckWorkload) {
    WorkloadType wt;
    if (!ParseWorkloadType(q->workload_type, &wt))
      return "workload_type must be \"job\", \"service\" or \"workspace\"";
    q->has_compute_config = has("compute_config_identity");
    q->has_node_group = has("node_group_identity");
    if ((q->has_compute_config && q->compute_config_identity.empty()) ||
        (q->has_node_group && q->node_group_identity.empty()))
      return "an identity override must be a non-empty string (omit it for none)";
  }
  if (q->op == Op::kCheckRequest && q->method.empty()) return "method must not be empty";
  return "";
}

// Output lines are JSON, so always UTF-8: a byte that is not part of a
// well-formed sequence (a route's `\C` can split a character) is written as
// U+FFFD. Such a value never decides anything: a resource that is not valid
// UTF-8 is already invalid_input.
void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  auto escape = [&](uint32_t cp) {  // \uXXXX, cp < 0x10000
    *out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(cp >> shift) & 15]);
  };
  const bool utf8 = internal::IsValidUtf8(s);  // almost always: then no per-sequence checks
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = static_cast<size_t>(internal::Utf8SeqLen(c));
      if (utf8 || (n > 1 && i + n <= s.size() && internal::IsValidUtf8(s.substr(i, n)))) {
        // C1 controls (U+0080..U+009F, NEL among them) and U+2028/U+2029
        // are escaped: readers that split lines on Unicode line breaks
        // (Python's splitlines, JavaScript) must still see one answer a line.
        const unsigned char c1 = n > 1 ? static_cast<unsigned char>(s[i + 1]) : 0;
        const unsigned char c2 = n > 2 ? static_cast<unsigned char>(s[i + 2]) : 0;
        if (n == 2 && c == 0xC2 && c1 < 0xA0) escape(c1);
        else if (n == 3 && c == 0xE2 && c1 == 0x80 && (c2 == 0xA8 || c2 == 0xA9)) escape(0x2000u | (c2 - 0x80u));
        else out->append(s.data() + i, n);
        i += n - 1;
      } else {
        escape(0xFFFD);
      }
      continue;
    }
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) escape(c);
        else out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

namespace {

void AppendNullable(std::string* out, std::string_view key, std::string_view v) {
  absl::StrAppend(out, ",\"", internal::AbslView(key), "\":");
  if (v.empty()) *out += "null";
  else AppendJsonString(out, v);
}

void AppendCheck(std::string* out, const Explanation& e) {
  absl::StrAppend(out, "{\"decision\":\"", e.decision.allowed ? "allow" : "deny", "\",\"reason\":\"",
                  internal::AbslView(ReasonName(e.decision.reason)), "\"");
  AppendNullable(out, "rule", e.rule);
}

std::string_view IdentityErrorName(IdentityError e) {
  switch (e) {
    case IdentityError::kUnknownCloud: return "unknown_cloud";
    case IdentityError::kNoIdentity: return "no_identity";
    case IdentityError::kNone: break;
  }
  return "";
}

// {"principals":[{"principal":P,"rule":ID},...]} or {"actions":[{"action":A,"rule":ID},...]}.
std::string AnswerReverse(const Policy& policy, const Query& q, const QueryExtras& extras) {
  std::string out;
  auto item = [&out](bool first, std::string_view key, std::string_view name, std::string_view rule) {
    if (!first) out.push_back(',');
    absl::StrAppend(&out, "{\"", internal::AbslView(key), "\":");
    AppendJsonString(&out, name);
    AppendNullable(&out, "rule", rule);
    out.push_back('}');
  };
  if (q.op == Op::kWhoCan) {
    out = "{\"principals\":[";
    const auto list = WhoCan(policy, q.action, q.resource, extras.context, extras.groups);
    for (size_t i = 0; i < list.size(); ++i) item(i == 0, "principal", list[i].principal, list[i].rule);
  } else {
    out = "{\"actions\":[";
    const auto list = WhatCan(policy, q.principal, q.resource, extras.context, extras.groups);
    for (size_t i = 0; i < list.size(); ++i) item(i == 0, "action", list[i].action, list[i].rule);
  }
  out += "]}";
  return out;
}

}  // namespace

std::string Answer(const Policy& policy, const Query& q, RequestScratch* scratch) {
  std::string out;
  // An absent context and absent groups are empty ones (SPEC §10), so every
  // check goes through the Query path.
  ExtrasView ev;
  if (q.op != Op::kResolve) BuildExtras(q, &ev);
  switch (q.op) {
    case Op::kCheck: {
      rolegate::Query rq;  // (cli::Query shadows the name here)
      rq.principal = q.principal;
      rq.action = q.action;
      rq.resource = q.resource;
      rq.groups = ev.extras.groups;
      rq.context = ev.extras.context;
      AppendCheck(&out, policy.Explain(rq));
      break;
    }
    case Op::kResolve: {
      Resolution r = policy.Resolve(q.Workload());
      out += "{\"identity\":";
      if (r.identity.empty()) out += "null"; else AppendJsonString(&out, r.identity);
      AppendNullable(&out, "source", r.source);
      AppendNullable(&out, "error", IdentityErrorName(r.error));
      break;
    }
    case Op::kCheckWorkload: {
      WorkloadExplanation w = policy.CheckWorkload(q.Workload(), q.action, q.resource, ev.extras);
      AppendCheck(&out, w.check);
      AppendNullable(&out, "identity", w.resolution.identity);
      AppendNullable(&out, "source", w.resolution.source);
      break;
    }
    case Op::kWhoCan:
    case Op::kWhatCan:
      return AnswerReverse(policy, q, ev.extras);
    case Op::kCheckRequest: {
      RequestExplanation r = policy.CheckRequest(q.principal, q.method, q.path, scratch, ev.extras);
      AppendCheck(&out, r.check);
      AppendNullable(&out, "route", r.route);
      AppendNullable(&out, "action", r.action);
      AppendNullable(&out, "resource", r.resource);
      break;
    }
  }
  out.push_back('}');
  return out;
}

std::string ErrorLine(std::string_view why) {
  std::string out = "{\"error\":";
  AppendJsonString(&out, why);
  out.push_back('}');
  return out;
}

}  // namespace rolegate::cli
