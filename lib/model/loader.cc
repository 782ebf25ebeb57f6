// lib/bundle_loader.cc — JSON text -> model::Bundle, with simdjson's on-demand API.
//
// Every shape error (wrong type, unknown or duplicate key, missing field,
// empty or over-long string, list over its limit) is reported with its JSON
// pointer and the byte offset of the offending token, and loading goes on so
// that one run reports every error. Only malformed JSON stops the parse.
#include <algorithm>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <memory>
#include <new>

#include "absl/strings/str_cat.h"
#include "model/loader.h"
#include "rolegate/internal/text.h"
#include "simdjson.h"

namespace rolegate::internal {
namespace od = simdjson::ondemand;

// simdjson 3.0's ondemand::parser::allocate() takes its string buffer with
// new (std::nothrow) and does not check it: out of memory there becomes a
// write through a null pointer on the first string. The buffer is a private
// member; naming a private member in an explicit instantiation is allowed
// (C++20 [temp.spec.general]/6), which lets the loader check it after
// allocate() and report the failure as what it is.
namespace simdjson_access {
struct StringBufTag {};
using StringBufPtr = std::unique_ptr<uint8_t[]> od::parser::*;
StringBufPtr Member(StringBufTag);
template <StringBufPtr M>
struct Expose {
  friend StringBufPtr Member(StringBufTag) { return M; }
};
template struct Expose<&od::parser::string_buf>;
}  // namespace simdjson_access

static bool ParserHasStringBuffer(od::parser& p) {
  return (p.*simdjson_access::Member(simdjson_access::StringBufTag{})) != nullptr;
}

// Deeper than any bundle needs (root > list > object > list > object).
constexpr int kMaxJsonDepth = 32;

std::string JoinPointer(std::string_view base, std::string_view key) {
  std::string out(base);
  out.push_back('/');
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

std::string JoinPointer(std::string_view base, size_t index) {
  return absl::StrCat(AbslView(base), "/", index);
}

void DiagSink::Add(Severity sev, std::string pointer, uint32_t off, std::string msg) {
  // A hostile bundle must not make its error list larger than itself.
  if (diags_.size() >= kMaxDiagnostics) {
    if (sev == Severity::kError) ++errors_;
    if (!truncated_) {
      truncated_ = true;
      Diagnostic d;
      d.severity = Severity::kError;
      d.message = absl::StrCat("more than ", kMaxDiagnostics, " diagnostics; the rest are not listed");
      diags_.push_back(std::move(d));
      offsets_.push_back(kNoOffset);
    }
    return;
  }
  Diagnostic d;
  d.severity = sev;
  d.pointer = std::move(pointer);
  d.message = std::move(msg);
  diags_.push_back(std::move(d));
  offsets_.push_back(off);
  if (sev == Severity::kError) ++errors_;
}

std::vector<Diagnostic> DiagSink::Finish(std::string_view text) {
  // One pass over the text for all offsets, in sorted order.
  std::vector<size_t> order(diags_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return offsets_[a] < offsets_[b]; });
  size_t pos = 0;
  uint32_t line = 1, col = 1;
  for (size_t k : order) {
    uint32_t off = offsets_[k];
    if (off == kNoOffset || off > text.size()) continue;
    for (; pos < off; ++pos) {
      if (text[pos] == '\n') { ++line; col = 1; }
      else if ((static_cast<unsigned char>(text[pos]) & 0xC0) != 0x80) ++col;  // count code points
    }
    diags_[k].line = line;
    diags_[k].column = col;
  }
  offsets_.clear();
  errors_ = 0;
  return std::move(diags_);
}

namespace {

// Thrown (inside this file only) when the diagnostics cap is reached.
struct TooManyErrors {};

// Thrown (inside this file only) when the JSON itself is malformed.
struct MalformedJson {
  uint32_t off;
  std::string why;
};

class Loader {
 public:
  Loader(const simdjson::padded_string& text, const Limits& lim, DiagSink* sink)
      : text_(text), lim_(lim), sink_(sink) {}

  // False when the root is not an object (already reported).
  bool LoadRoot(od::document& doc, model::Bundle* b);

 private:
  uint32_t Off(od::value& v) {
    const char* p = nullptr;
    if (v.current_location().get(p) != simdjson::SUCCESS || p == nullptr) return kNoOffset;
    return static_cast<uint32_t>(p - text_.data());
  }

  [[noreturn]] void Malformed(uint32_t off, simdjson::error_code e) {
    throw MalformedJson{off, absl::StrCat("malformed JSON: ", simdjson::error_message(e))};
  }

  od::json_type TypeOf(od::value& v, uint32_t off) {
    od::json_type t;
    auto e = v.type().get(t);
    if (e) Malformed(off, e);
    return t;
  }

  static const char* TypeName(od::json_type t) {
    switch (t) {
      case od::json_type::array: return "an array";
      case od::json_type::object: return "an object";
      case od::json_type::number: return "a number";
      case od::json_type::string: return "a string";
      case od::json_type::boolean: return "a boolean";
      case od::json_type::null: return "null";
    }
    return "a value";
  }

  bool Expect(od::value& v, od::json_type want, const std::string& ptr, const char* what) {
    uint32_t off = Off(v);
    od::json_type t = TypeOf(v, off);
    if (t == want) return true;
    sink_->Error(ptr, off, absl::StrCat("expected ", what, ", found ", TypeName(t)));
    return false;
  }

  // A string value: valid UTF-8, non-empty unless allow_empty, within the limit.
  bool ReadString(od::value v, const std::string& ptr, Str* out, bool allow_empty = false) {
    uint32_t off = Off(v);
    if (!Expect(v, od::json_type::string, ptr, "a string")) return false;
    std::string_view s;
    auto e = v.get_string().get(s);
    if (e) Malformed(off, e);
    out->off = off;
    if (s.size() > lim_.max_string_bytes) {
      sink_->Error(ptr, off, absl::StrCat("string of ", s.size(), " bytes exceeds the limit of ",
                                          lim_.max_string_bytes));
      return false;
    }
    if (!IsValidUtf8(s)) {
      sink_->Error(ptr, off, "string is not valid UTF-8");
      return false;
    }
    if (s.empty() && !allow_empty) {
      sink_->Error(ptr, off, "string must not be empty");
      return false;
    }
    out->s.assign(s.data(), s.size());
    return true;
  }

  bool ReadBool(od::value v, const std::string& ptr, bool* out) {
    if (!Expect(v, od::json_type::boolean, ptr, "a boolean")) return false;
    auto e = v.get_bool().get(*out);
    if (e) Malformed(Off(v), e);
    return true;
  }

  // Iterates an array, calling fn(value, pointer, index) for each element
  // within the list limit. Returns false when v is not an array.
  bool ForEach(od::value v, const std::string& ptr, const char* what,
               const std::function<void(od::value, const std::string&, size_t)>& fn) {
    if (!Expect(v, od::json_type::array, ptr, what)) return false;
    uint32_t off = Off(v);
    od::array arr;
    auto e = v.get_array().get(arr);
    if (e) Malformed(off, e);
    size_t i = 0;
    bool over = false;
    for (auto el : arr) {
      if (sink_->truncated()) throw TooManyErrors{};
      od::value ev;
      if ((e = el.get(ev))) Malformed(off, e);
      if (i >= lim_.max_list_entries) {
        if (!over) {
          sink_->Error(ptr, off, absl::StrCat("list exceeds the limit of ", lim_.max_list_entries,
                                              " entries"));
          over = true;
        }
        ++i;
        continue;  // the rest is skipped unread
      }
      fn(ev, JoinPointer(ptr, i), i);
      ++i;
    }
    return true;
  }

  bool ReadStrings(od::value v, const std::string& ptr, StrList* out) {
    return ForEach(v, ptr, "an array of strings", [&](od::value ev, const std::string& p, size_t) {
      Str s;
      if (ReadString(ev, p, &s)) out->push_back(std::move(s));
    });
  }

  // Iterates an object's fields; rejects duplicate and unknown keys. fn gets
  // (key, value, pointer) for each known key once. Returns false when v is
  // not an object. `present` receives the keys seen.
  bool ForFields(od::value v, const std::string& ptr, std::initializer_list<std::string_view> known,
                 std::vector<std::string>* present,
                 const std::function<void(std::string_view, od::value, const std::string&)>& fn) {
    if (!Expect(v, od::json_type::object, ptr, "an object")) return false;
    uint32_t off = Off(v);
    od::object obj;
    auto e = v.get_object().get(obj);
    if (e) Malformed(off, e);
    for (auto field : obj) {
      std::string_view key;
      if ((e = field.unescaped_key().get(key))) Malformed(off, e);
      std::string k(key);
      od::value fv;
      if ((e = field.value().get(fv))) Malformed(off, e);
      std::string kp = JoinPointer(ptr, k);
      uint32_t foff = Off(fv);
      if (std::find(present->begin(), present->end(), k) != present->end()) {
        sink_->Error(kp, foff, absl::StrCat("duplicate key \"", k, "\""));
        continue;
      }
      present->push_back(k);
      if (std::find(known.begin(), known.end(), std::string_view(k)) == known.end()) {
        sink_->Error(kp, foff, absl::StrCat("unknown key \"", k, "\""));
        continue;
      }
      fn(k, fv, kp);
    }
    return true;
  }

  bool Require(const std::vector<std::string>& present, std::initializer_list<std::string_view> req,
               const std::string& ptr, uint32_t off) {
    bool ok = true;
    for (std::string_view r : req) {
      if (std::find(present.begin(), present.end(), r) == present.end()) {
        sink_->Error(ptr, off, absl::StrCat("missing required field \"", AbslView(r), "\""));
        ok = false;
      }
    }
    return ok;
  }

  void LoadAction(od::value v, const std::string& ptr, model::Bundle* b);
  void LoadRole(od::value v, const std::string& ptr, model::Bundle* b);
  void LoadGroup(od::value v, const std::string& ptr, model::Bundle* b);
  void LoadAssignment(od::value v, const std::string& ptr, model::Bundle* b);
  void LoadDeny(od::value v, const std::string& ptr, model::Bundle* b);
  void LoadStatement(od::value v, const std::string& ptr, model::Bundle* b);
  void LoadCloud(od::value v, const std::string& ptr, model::Bundle* b);
  void LoadMapping(od::value v, const std::string& ptr, model::Cloud* c);
  void LoadRoute(od::value v, const std::string& ptr, model::Bundle* b);

  const simdjson::padded_string& text_;
  const Limits& lim_;
  DiagSink* sink_;
};

// Records "ok = false" when a field read fails.
#define RG_READ(expr) \
  do {                \
    if (!(expr)) ok = false; \
  } while (0)

void Loader::LoadAction(od::value v, const std::string& ptr, model::Bundle* b) {
  model::Action a;
  a.off = Off(v);
  std::vector<std::string> present;
  bool ok = true;
  if (!ForFields(v, ptr, {"name", "data", "effective_only_at"}, &present,
                 [&](std::string_view k, od::value fv, const std::string& kp) {
                   if (k == "name") RG_READ(ReadString(fv, kp, &a.name));
                   else if (k == "data") RG_READ(ReadBool(fv, kp, &a.data));
                   else {
                     a.has_effective_only_at = true;
                     RG_READ(ReadStrings(fv, kp, &a.effective_only_at));
                   }
                 })) {
    a.valid = false;  // keep indices aligned with the JSON array
    b->actions.push_back(std::move(a));
    return;
  }
  ok &= Require(present, {"name"}, ptr, a.off);
  a.valid = ok;
  b->actions.push_back(std::move(a));
}

void Loader::LoadRole(od::value v, const std::string& ptr, model::Bundle* b) {
  model::Role r;
  r.off = Off(v);
  std::vector<std::string> present;
  bool ok = true;
  if (!ForFields(v, ptr,
                 {"id", "name", "actions", "not_actions", "data_actions", "not_data_actions",
                  "assignable_scopes"},
                 &present, [&](std::string_view k, od::value fv, const std::string& kp) {
                   if (k == "id") RG_READ(ReadString(fv, kp, &r.id));
                   else if (k == "name") RG_READ(ReadString(fv, kp, &r.name, /*allow_empty=*/true));
                   else if (k == "actions") RG_READ(ReadStrings(fv, kp, &r.actions));
                   else if (k == "not_actions") RG_READ(ReadStrings(fv, kp, &r.not_actions));
                   else if (k == "data_actions") RG_READ(ReadStrings(fv, kp, &r.data_actions));
                   else if (k == "not_data_actions") RG_READ(ReadStrings(fv, kp, &r.not_data_actions));
                   else {
                     r.has_assignable_scopes = true;
                     RG_READ(ReadStrings(fv, kp, &r.assignable_scopes));
                   }
                 })) {
    r.valid = false;  // keep indices aligned with the JSON array
    b->roles.push_back(std::move(r));
    return;
  }
  ok &= Require(present, {"id"}, ptr, r.off);
  r.valid = ok;
  b->roles.push_back(std::move(r));
}

void Loader::LoadGroup(od::value v, const std::string& ptr, model::Bundle* b) {
  model::Group g;
  g.off = Off(v);
  std::vector<std::string> present;
  bool ok = true;
  if (!ForFields(v, ptr, {"id", "members"}, &present,
                 [&](std::string_view k, od::value fv, const std::string& kp) {
                   if (k == "id") RG_READ(ReadString(fv, kp, &g.id));
                   else RG_READ(ReadStrings(fv, kp, &g.members));
                 })) {
    g.valid = false;  // keep indices aligned with the JSON array
    b->groups.push_back(std::move(g));
    return;
  }
  ok &= Require(present, {"id"}, ptr, g.off);
  g.valid = ok;
  b->groups.push_back(std::move(g));
}

void Loader::LoadAssignment(od::value v, const std::string& ptr, model::Bundle* b) {
  model::Assignment a;
  a.off = Off(v);
  std::vector<std::string> present;
  bool ok = true;
  if (!ForFields(v, ptr, {"id", "principal", "role", "scope"}, &present,
                 [&](std::string_view k, od::value fv, const std::string& kp) {
                   Str* dst = k == "id" ? &a.id : k == "principal" ? &a.principal
                            : k == "role" ? &a.role : &a.scope;
                   RG_READ(ReadString(fv, kp, dst));
                 })) {
    a.valid = false;  // keep indices aligned with the JSON array
    b->assignments.push_back(std::move(a));
    return;
  }
  ok &= Require(present, {"id", "principal", "role", "scope"}, ptr, a.off);
  a.valid = ok;
  b->assignments.push_back(std::move(a));
}

void Loader::LoadDeny(od::value v, const std::string& ptr, model::Bundle* b) {
  model::DenyAssignment d;
  d.off = Off(v);
  std::vector<std::string> present;
  bool ok = true;
  if (!ForFields(v, ptr,
                 {"id", "principals", "exclude_principals", "actions", "not_actions", "data_actions",
                  "not_data_actions", "scope", "apply_to_children"},
                 &present, [&](std::string_view k, od::value fv, const std::string& kp) {
                   if (k == "id") RG_READ(ReadString(fv, kp, &d.id));
                   else if (k == "scope") RG_READ(ReadString(fv, kp, &d.scope));
                   else if (k == "apply_to_children") RG_READ(ReadBool(fv, kp, &d.apply_to_children));
                   else if (k == "principals") RG_READ(ReadStrings(fv, kp, &d.principals));
                   else if (k == "exclude_principals") RG_READ(ReadStrings(fv, kp, &d.exclude_principals));
                   else if (k == "actions") RG_READ(ReadStrings(fv, kp, &d.actions));
                   else if (k == "not_actions") RG_READ(ReadStrings(fv, kp, &d.not_actions));
                   else if (k == "data_actions") RG_READ(ReadStrings(fv, kp, &d.data_actions));
                   else RG_READ(ReadStrings(fv, kp, &d.not_data_actions));
                 })) {
    d.valid = false;  // keep indices aligned with the JSON array
    b->deny_assignments.push_back(std::move(d));
    return;
  }
  ok &= Require(present, {"id", "principals", "scope"}, ptr, d.off);
  d.valid = ok;
  b->deny_assignments.push_back(std::move(d));
}

void Loader::LoadStatement(od::value v, const std::string& ptr, model::Bundle* b) {
  model::Statement s;
  s.off = Off(v);
  std::vector<std::string> present;
  bool ok = true;
  if (!ForFields(v, ptr, {"id", "principal", "effect", "actions", "resources"}, &present,
                 [&](std::string_view k, od::value fv, const std::string& kp) {
                   if (k == "id") RG_READ(ReadString(fv, kp, &s.id));
                   else if (k == "principal") RG_READ(ReadString(fv, kp, &s.principal));
                   else if (k == "effect") RG_READ(ReadString(fv, kp, &s.effect));
                   else if (k == "actions") RG_READ(ReadStrings(fv, kp, &s.actions));
                   else RG_READ(ReadStrings(fv, kp, &s.resources));
                 })) {
    s.valid = false;  // keep indices aligned with the JSON array
    b->statements.push_back(std::move(s));
    return;
  }
  ok &= Require(present, {"id", "principal", "effect", "actions", "resources"}, ptr, s.off);
  s.valid = ok;
  b->statements.push_back(std::move(s));
}

void Loader::LoadMapping(od::value v, const std::string& ptr, model::Cloud* c) {
  model::MappingRule m;
  m.off = Off(v);
  std::vector<std::string> present;
  bool ok = true;
  if (!ForFields(v, ptr, {"id", "workload_type", "project", "user", "identity"}, &present,
                 [&](std::string_view k, od::value fv, const std::string& kp) {
                   if (k == "id") RG_READ(ReadString(fv, kp, &m.id));
                   else if (k == "identity") RG_READ(ReadString(fv, kp, &m.identity));
                   else {
                     std::optional<Str>& dst = k == "workload_type" ? m.workload_type
                                             : k == "project" ? m.project : m.user;
                     Str s;
                     if (ReadString(fv, kp, &s)) dst = std::move(s);
                     else ok = false;
                   }
                 })) {
    m.valid = false;  // keep indices aligned with the JSON array
    c->mappings.push_back(std::move(m));
    return;
  }
  ok &= Require(present, {"id", "identity"}, ptr, m.off);
  m.valid = ok;
  c->mappings.push_back(std::move(m));
}

void Loader::LoadCloud(od::value v, const std::string& ptr, model::Bundle* b) {
  model::Cloud c;
  c.off = Off(v);
  std::vector<std::string> present;
  bool ok = true;
  if (!ForFields(v, ptr, {"id", "default_identity", "mappings"}, &present,
                 [&](std::string_view k, od::value fv, const std::string& kp) {
                   if (k == "id") RG_READ(ReadString(fv, kp, &c.id));
                   else if (k == "default_identity") {
                     Str s;
                     if (ReadString(fv, kp, &s)) c.default_identity = std::move(s);
                     else ok = false;
                   } else {
                     RG_READ(ForEach(fv, kp, "an array of mapping rules",
                                     [&](od::value ev, const std::string& p, size_t) { LoadMapping(ev, p, &c); }));
                   }
                 })) {
    c.valid = false;  // keep indices aligned with the JSON array
    b->clouds.push_back(std::move(c));
    return;
  }
  ok &= Require(present, {"id"}, ptr, c.off);
  c.valid = ok;
  b->clouds.push_back(std::move(c));
}

void Loader::LoadRoute(od::value v, const std::string& ptr, model::Bundle* b) {
  model::Route r;
  r.off = Off(v);
  std::vector<std::string> present;
  bool ok = true;
  if (!ForFields(v, ptr, {"id", "method", "path", "action", "scope"}, &present,
                 [&](std::string_view k, od::value fv, const std::string& kp) {
                   Str* dst = k == "id" ? &r.id : k == "method" ? &r.method
                            : k == "path" ? &r.path : k == "action" ? &r.action : &r.scope;
                   RG_READ(ReadString(fv, kp, dst));
                 })) {
    r.valid = false;  // keep indices aligned with the JSON array
    b->routes.push_back(std::move(r));
    return;
  }
  ok &= Require(present, {"id", "method", "path", "action", "scope"}, ptr, r.off);
  r.valid = ok;
  b->routes.push_back(std::move(r));
}

#undef RG_READ

bool Loader::LoadRoot(od::document& doc, model::Bundle* b) {
  od::value root;
  // A document whose root is a scalar cannot be a bundle; simdjson's
  // get_value refuses scalars at the root, so check the type first.
  od::json_type t;
  auto e = doc.type().get(t);
  if (e) Malformed(kNoOffset, e);
  if (t != od::json_type::object) {
    sink_->Error("", 0, absl::StrCat("expected the bundle to be an object, found ", TypeName(t)));
    return false;
  }
  if ((e = doc.get_value().get(root))) Malformed(0, e);
  std::vector<std::string> present;
  ForFields(root, "",
            {"version", "actions", "roles", "groups", "assignments", "deny_assignments", "statements",
             "clouds", "routes"},
            &present, [&](std::string_view k, od::value fv, const std::string& kp) {
              uint32_t off = Off(fv);
              if (k == "version") {
                od::json_type vt = TypeOf(fv, off);
                int64_t version = 0;
                if (vt != od::json_type::number || fv.get_int64().get(version) || version != 1) {
                  sink_->Error(kp, off, "version must be the integer 1");
                }
                return;
              }
              using Fn = void (Loader::*)(od::value, const std::string&, model::Bundle*);
              Fn fn = k == "actions" ? &Loader::LoadAction
                    : k == "roles" ? &Loader::LoadRole
                    : k == "groups" ? &Loader::LoadGroup
                    : k == "assignments" ? &Loader::LoadAssignment
                    : k == "deny_assignments" ? &Loader::LoadDeny
                    : k == "statements" ? &Loader::LoadStatement
                    : k == "clouds" ? &Loader::LoadCloud
                    : &Loader::LoadRoute;
              if (k == "routes") {
                // Count first: the routes limit is tighter than the list limit.
                size_t before = b->routes.size();
                ForEach(fv, kp, "an array", [&](od::value ev, const std::string& p, size_t i) {
                  if (i < lim_.max_routes) (this->*fn)(ev, p, b);
                  else if (i == lim_.max_routes)
                    sink_->Error(kp, off, absl::StrCat("more than ", lim_.max_routes, " routes"));
                });
                (void)before;
                return;
              }
              ForEach(fv, kp, "an array", [&](od::value ev, const std::string& p, size_t) {
                (this->*fn)(ev, p, b);
              });
            });
  Require(present, {"version", "actions"}, "", 0);
  return true;
}

}  // namespace

bool LoadBundle(std::string_view json, const Limits& limits, model::Bundle* out, DiagSink* sink) {
  if (json.size() > limits.max_bundle_bytes) {
    sink->Error("", 0, absl::StrCat("bundle of ", json.size(), " bytes exceeds the limit of ",
                                    limits.max_bundle_bytes));
    return false;
  }
  if (json.size() >= 0xFFFFFFF0u) {
    sink->Error("", 0, "bundle over 4 GiB");
    return false;
  }
  // Refuse absurd nesting before simdjson indexes the whole input (a bundle
  // never nests deeper than a handful of levels; '[' * 1 GiB must fail fast).
  {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < json.size(); ++i) {
      const char c = json[i];
      if (in_string) {
        if (escaped) escaped = false;
        else if (c == '\\') escaped = true;
        else if (c == '"') in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        if (++depth > kMaxJsonDepth) {
          sink->Error("", static_cast<uint32_t>(i),
                      absl::StrCat("JSON nesting deeper than ", kMaxJsonDepth, " levels"));
          return false;
        }
      } else if (c == ']' || c == '}') {
        --depth;
      }
    }
  }
  // simdjson reports allocation failure as a null buffer or MEMALLOC; turn
  // both into std::bad_alloc, which Compile() reports as an error.
  simdjson::padded_string text(json.data(), json.size());
  if (text.data() == nullptr) throw std::bad_alloc();
  od::parser parser(std::max<size_t>(json.size(), 64));
  {
    const auto e = parser.allocate(std::max<size_t>(json.size(), 64));
    if (e == simdjson::MEMALLOC || !ParserHasStringBuffer(parser)) throw std::bad_alloc();
  }
  Loader loader(text, limits, sink);
  try {
    od::document doc;
    auto e = parser.iterate(text).get(doc);
    if (e == simdjson::MEMALLOC) throw std::bad_alloc();
    // simdjson's first pass does not say where it failed: no position
    // rather than a wrong one.
    if (e) throw MalformedJson{kNoOffset, absl::StrCat("malformed JSON: ", simdjson::error_message(e))};
    if (!loader.LoadRoot(doc, out)) return false;
    // Past the root object the iterator must be at the end of the input.
    const char* p = nullptr;
    if (doc.current_location().get(p) != simdjson::OUT_OF_BOUNDS) {
      uint32_t off = p ? static_cast<uint32_t>(p - text.data()) : kNoOffset;
      throw MalformedJson{off, "malformed JSON: trailing content after the bundle"};
    }
  } catch (const MalformedJson& m) {
    sink->Error("", m.off, m.why);
    return false;
  } catch (const TooManyErrors&) {
    return false;
  }
  return true;
}

}  // namespace rolegate::internal
