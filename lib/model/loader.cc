// lib/model/loader.cc — JSON text -> model::Bundle, with simdjson's on-demand API.
//
// Every shape error (wrong type, unknown or duplicate key, missing field,
// empty or over-long string, list over its limit) is reported with its JSON
// pointer and the byte offset of the offending token, and loading goes on so
// that one run reports every error. Only malformed JSON stops the parse; it
// is then located by a strict syntax scan (model/json_syntax.h).
//
// Table-driven: each object type of the bundle is one table of fields (name,
// required, kind, destination), read by one generic routine
// (Loader::ReadObject). A new field is one line in its table.
#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <span>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "model/json_syntax.h"
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

// Thrown (inside this file only) when the JSON itself is malformed. LoadBundle
// replaces `off` and `why` by the syntax scanner's, which knows the token.
struct MalformedJson {
  uint32_t off;
  std::string why;
};

class Loader;

// ---- Field tables ---------------------------------------------------------------
//
// Each object type of the bundle is one table of Field<T>: every key it may
// hold, listed once, with whether it is required, what kind of value it
// takes and where that value goes in T. Loader::ReadObject reads any object
// by its table; the kinds below cover every field but a few custom ones.

enum class Kind : uint8_t {
  kString,     // Str T::*str (non-empty unless allow_empty)
  kOptString,  // std::optional<Str> T::*opt, set when present
  kBool,       // bool T::*boolean
  kStrings,    // StrList T::*list, an array of non-empty strings
  kObjects,    // read(): an array of objects, each by its own table
  kCustom,     // read(): anything else (version, routes, AWS condition)
};

// The `required` argument of the table helpers below.
constexpr bool kOptional = false, kRequired = true;

// Reads the value of one key into *out; false when it reported an error.
template <class T>
using Reader = bool (*)(Loader&, od::value, const std::string& ptr, T* out);

template <class T>
struct Field {
  std::string_view name;
  Kind kind = Kind::kString;
  bool required = false;
  bool allow_empty = false;  // kString: "" accepted (a role's name)
  Str T::*str = nullptr;
  std::optional<Str> T::*opt = nullptr;
  bool T::*boolean = nullptr;
  StrList T::*list = nullptr;
  Reader<T> read = nullptr;
  // Set true when the key is present, whatever its value: "absent" and "[]"
  // differ for assignable_scopes and effective_only_at, and a statement's
  // not_actions lands in `actions` with this flag.
  bool T::*present = nullptr;
};

template <class T>
constexpr Field<T> String(std::string_view name, Str T::*m, bool need = kOptional) {
  return {.name = name, .kind = Kind::kString, .required = need, .str = m};
}
template <class T>
constexpr Field<T> StringOrEmpty(std::string_view name, Str T::*m) {
  return {.name = name, .kind = Kind::kString, .allow_empty = true, .str = m};
}
template <class T>
constexpr Field<T> OptString(std::string_view name, std::optional<Str> T::*m) {
  return {.name = name, .kind = Kind::kOptString, .opt = m};
}
template <class T>
constexpr Field<T> Bool(std::string_view name, bool T::*m) {
  return {.name = name, .kind = Kind::kBool, .boolean = m};
}
template <class T>
constexpr Field<T> Strings(std::string_view name, StrList T::*m, bool need = kOptional,
                           bool T::*present = nullptr) {
  return {.name = name, .kind = Kind::kStrings, .required = need, .list = m, .present = present};
}
template <class T>
constexpr Field<T> Custom(std::string_view name, Reader<T> read, bool need = kOptional) {
  return {.name = name, .kind = Kind::kCustom, .required = need, .read = read};
}

// Which keys of a table one object held: bit i for fields[i] (so a table
// has at most 64 fields; the largest has 10).
template <class T>
struct Seen {
  std::span<const Field<T>> fields;
  uint64_t mask = 0;
  // True when the table has a field `name` and the object held it.
  bool Has(std::string_view name) const {
    for (size_t i = 0; i < fields.size(); ++i)
      if (fields[i].name == name) return (mask >> i) & 1;
    return false;
  }
};

// A cross-field rule run after an object's fields (e.g. "exactly one of
// actions and not_actions"); false when it reported an error.
template <class T>
using Rule = bool (*)(Loader&, const Seen<T>&, const std::string& ptr, uint32_t off);

// One object type: its table, its cross-field rule (or none), and how an
// array of such objects is named in a type error.
template <class T>
struct Shape {
  std::span<const Field<T>> fields;
  Rule<T> rule = nullptr;
  const char* list_what = "an array of objects";
};

// `std::vector<U> T::*` -> T and U, for Objects<>() below.
template <class M>
struct ListMember;
template <class T, class U>
struct ListMember<std::vector<U> T::*> {
  using Owner = T;
  using Elem = U;
};
template <auto M>
using OwnerOf = typename ListMember<decltype(M)>::Owner;

// ---- The reader -----------------------------------------------------------------

class Loader {
 public:
  Loader(const simdjson::padded_string& text, const Limits& lim, DiagSink* sink)
      : text_(text), lim_(lim), sink_(sink) {}

  const Limits& limits() const { return lim_; }
  DiagSink* sink() { return sink_; }

  uint32_t Off(od::value& v) {
    const char* p = nullptr;
    if (v.current_location().get(p) != simdjson::SUCCESS || p == nullptr) return kNoOffset;
    return static_cast<uint32_t>(p - text_.data());
  }
  uint32_t OffOf(const char* p) const {
    return p == nullptr ? kNoOffset : static_cast<uint32_t>(p - text_.data());
  }

  [[noreturn]] void Malformed(uint32_t off, simdjson::error_code e) {
    throw MalformedJson{off, absl::StrCat("malformed JSON: ", simdjson::error_message(e))};
  }

  od::json_type TypeOf(od::value& v, uint32_t off) {
    od::json_type t;
    if (auto e = v.type().get(t)) Malformed(off, e);
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
    const uint32_t off = Off(v);
    const od::json_type t = TypeOf(v, off);
    if (t == want) return true;
    sink_->Error(ptr, off, absl::StrCat("expected ", what, ", found ", TypeName(t)));
    return false;
  }

  // Checks a decoded string against the rules of SPEC §2 (and §10 for
  // condition values, which may be empty).
  bool CheckString(std::string_view s, const std::string& ptr, uint32_t off, bool allow_empty) {
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
    return true;
  }

  bool ReadString(od::value v, const std::string& ptr, Str* out, bool allow_empty = false) {
    const uint32_t off = Off(v);
    if (!Expect(v, od::json_type::string, ptr, "a string")) return false;
    std::string_view s;
    if (auto e = v.get_string().get(s)) Malformed(off, e);
    out->off = off;
    if (!CheckString(s, ptr, off, allow_empty)) return false;
    out->s.assign(s.data(), s.size());
    return true;
  }

  bool ReadBool(od::value v, const std::string& ptr, bool* out) {
    if (!Expect(v, od::json_type::boolean, ptr, "a boolean")) return false;
    if (auto e = v.get_bool().get(*out)) Malformed(Off(v), e);
    return true;
  }

  // Calls fn(value, pointer, index) for each element within the list limit;
  // past it, one error and the rest is skipped unread. False when v is not
  // an array.
  template <class Fn>
  bool ForEach(od::value v, const std::string& ptr, const char* what, Fn&& fn);

  bool ReadStrings(od::value v, const std::string& ptr, StrList* out) {
    return ForEach(v, ptr, "an array of strings", [&](od::value ev, const std::string& p, size_t) {
      Str s;
      if (ReadString(ev, p, &s)) out->push_back(std::move(s));
    });
  }

  // Calls fn(key, value, key pointer) for each member of an object whose key
  // passes the string rules and is not a repeat (the key's Str carries the
  // offset of its opening quote). For objects whose keys are data (AWS
  // condition operators and keys), not a table. True when v is an object
  // and every key was accepted: a rejected key drops its value, so the
  // caller must not treat what it read as the whole object.
  template <class Fn>
  bool ForKeys(od::value v, const std::string& ptr, const char* what, Fn&& fn);

  // Reads one object by its table: unknown and duplicate keys are reported
  // (and skipped), each known key is read into *out, missing required keys
  // and the shape's rule are checked. True when every field read and rule
  // passed (unknown or duplicate keys alone do not make the entry invalid).
  template <class T>
  bool ReadObject(od::value v, const std::string& ptr, const Shape<T>& shape, T* out);

  // Reports "exactly one of `a` and `b`" at the object's pointer.
  template <class T>
  bool ExactlyOne(const Seen<T>& seen, std::string_view a, std::string_view b, const std::string& ptr,
                  uint32_t off);

 private:
  template <class T>
  bool ReadField(const Field<T>& f, od::value v, const std::string& ptr, T* out);

  const simdjson::padded_string& text_;
  const Limits& lim_;
  DiagSink* sink_;
};

template <class Fn>
bool Loader::ForEach(od::value v, const std::string& ptr, const char* what, Fn&& fn) {
  if (!Expect(v, od::json_type::array, ptr, what)) return false;
  const uint32_t off = Off(v);
  od::array arr;
  if (auto e = v.get_array().get(arr)) Malformed(off, e);
  size_t i = 0;
  for (auto el : arr) {
    if (sink_->truncated()) throw TooManyErrors{};
    od::value ev;
    if (auto e = el.get(ev)) Malformed(off, e);
    if (i == lim_.max_list_entries) {
      sink_->Error(ptr, off, absl::StrCat("list exceeds the limit of ", lim_.max_list_entries, " entries"));
    }
    if (i >= lim_.max_list_entries) {
      ++i;
      continue;  // the rest is skipped unread
    }
    fn(ev, JoinPointer(ptr, i), i);
    ++i;
  }
  return true;
}

template <class Fn>
bool Loader::ForKeys(od::value v, const std::string& ptr, const char* what, Fn&& fn) {
  if (!Expect(v, od::json_type::object, ptr, what)) return false;
  const uint32_t off = Off(v);
  od::object obj;
  if (auto e = v.get_object().get(obj)) Malformed(off, e);
  absl::flat_hash_set<std::string> seen;
  size_t n = 0;
  bool all = true;
  for (auto field : obj) {
    if (sink_->truncated()) throw TooManyErrors{};
    od::raw_json_string raw;
    std::string_view key;
    od::value fv;
    if (auto e = field.key().get(raw)) Malformed(off, e);
    if (auto e = field.unescaped_key().get(key)) Malformed(off, e);
    if (auto e = field.value().get(fv)) Malformed(off, e);
    const uint32_t koff = OffOf(raw.raw() - 1);  // the opening quote
    const std::string kp = JoinPointer(ptr, key);
    if (n++ == lim_.max_list_entries) {
      sink_->Error(ptr, off, absl::StrCat("object exceeds the limit of ", lim_.max_list_entries, " keys"));
    }
    if (n > lim_.max_list_entries || !CheckString(key, kp, koff, /*allow_empty=*/false)) {
      all = false;
      continue;
    }
    if (!seen.emplace(key).second) {
      sink_->Error(kp, koff, absl::StrCat("duplicate key \"", AbslView(key), "\""));
      all = false;
      continue;
    }
    fn(Str{std::string(key), koff}, fv, kp);
  }
  return all;
}

template <class T>
bool Loader::ReadField(const Field<T>& f, od::value v, const std::string& ptr, T* out) {
  if (f.present != nullptr) out->*f.present = true;
  switch (f.kind) {
    case Kind::kString:
      return ReadString(v, ptr, &(out->*f.str), f.allow_empty);
    case Kind::kOptString: {
      Str s;
      if (!ReadString(v, ptr, &s)) return false;
      out->*f.opt = std::move(s);
      return true;
    }
    case Kind::kBool:
      return ReadBool(v, ptr, &(out->*f.boolean));
    case Kind::kStrings:
      return ReadStrings(v, ptr, &(out->*f.list));
    case Kind::kObjects:
    case Kind::kCustom:
      return f.read(*this, v, ptr, out);
  }
  return false;
}

template <class T>
bool Loader::ReadObject(od::value v, const std::string& ptr, const Shape<T>& shape, T* out) {
  const uint32_t off = Off(v);
  if constexpr (requires { out->off; }) out->off = off;
  if (!Expect(v, od::json_type::object, ptr, "an object")) return false;
  od::object obj;
  if (auto e = v.get_object().get(obj)) Malformed(off, e);
  Seen<T> seen{shape.fields};
  std::vector<std::string> unknown;  // unknown keys seen, so a repeated one is "duplicate"
  bool ok = true;
  for (auto field : obj) {
    if (sink_->truncated()) throw TooManyErrors{};
    std::string_view key;
    od::value fv;
    if (auto e = field.unescaped_key().get(key)) Malformed(off, e);
    if (auto e = field.value().get(fv)) Malformed(off, e);
    const std::string kp = JoinPointer(ptr, key);
    const uint32_t foff = Off(fv);
    size_t i = 0;
    while (i < shape.fields.size() && shape.fields[i].name != key) ++i;
    const bool known = i < shape.fields.size();
    const bool repeated = known ? ((seen.mask >> i) & 1) != 0
                                : std::find(unknown.begin(), unknown.end(), key) != unknown.end();
    if (repeated) {
      sink_->Error(kp, foff, absl::StrCat("duplicate key \"", AbslView(key), "\""));
    } else if (!known) {
      sink_->Error(kp, foff, absl::StrCat("unknown key \"", AbslView(key), "\""));
      unknown.emplace_back(key);
    } else {
      seen.mask |= uint64_t{1} << i;
      ok &= ReadField(shape.fields[i], fv, kp, out);
    }
  }
  for (size_t i = 0; i < shape.fields.size(); ++i) {
    if (shape.fields[i].required && !((seen.mask >> i) & 1)) {
      sink_->Error(ptr, off, absl::StrCat("missing required field \"", AbslView(shape.fields[i].name), "\""));
      ok = false;
    }
  }
  if (shape.rule != nullptr) ok &= shape.rule(*this, seen, ptr, off);
  return ok;
}

template <class T>
bool Loader::ExactlyOne(const Seen<T>& seen, std::string_view a, std::string_view b, const std::string& ptr,
                        uint32_t off) {
  const bool has_a = seen.Has(a), has_b = seen.Has(b);
  if (has_a != has_b) return true;
  sink_->Error(ptr, off,
               has_a ? absl::StrCat("\"", AbslView(a), "\" and \"", AbslView(b), "\" exclude each other: give one")
                     : absl::StrCat("missing required field \"", AbslView(a), "\" (or \"", AbslView(b), "\")"));
  return false;
}

// An array of objects of one shape into `std::vector<U> T::*M`. An element
// type with `valid` records its own failure (and keeps its index, so
// pointers stay aligned with the JSON array); one without (a permission
// block) fails its owner instead.
template <auto M, const auto& S>
bool ReadObjects(Loader& L, od::value v, const std::string& ptr, OwnerOf<M>* out) {
  using U = typename ListMember<decltype(M)>::Elem;
  bool ok = true;
  const bool is_array = L.ForEach(v, ptr, S.list_what, [&](od::value ev, const std::string& p, size_t) {
    U u;
    const bool u_ok = L.ReadObject(ev, p, S, &u);
    if constexpr (requires { u.valid; }) u.valid = u_ok;
    else ok &= u_ok;
    (out->*M).push_back(std::move(u));
  });
  return is_array && ok;
}

template <auto M, const auto& S>
constexpr Field<OwnerOf<M>> Objects(std::string_view name, bool need = kOptional,
                                    bool OwnerOf<M>::*present = nullptr) {
  return {.name = name, .kind = Kind::kObjects, .required = need, .read = &ReadObjects<M, S>, .present = present};
}

// ---- Custom fields --------------------------------------------------------------

// `"version": 1`, nothing else (not 1.0, not "1").
bool ReadVersion(Loader& L, od::value v, const std::string& ptr, model::Bundle*) {
  const uint32_t off = L.Off(v);
  int64_t version = 0;
  if (L.TypeOf(v, off) != od::json_type::number || v.get_int64().get(version) || version != 1) {
    L.sink()->Error(ptr, off, "version must be the integer 1");
    return false;
  }
  return true;
}

// One value of an AWS condition key: a string (may be empty), a number (its
// token text, checked against the JSON grammar since on-demand does not
// parse it) or a boolean.
bool ReadConditionValue(Loader& L, od::value v, const std::string& ptr, model::ConditionValue* out) {
  using K = model::ConditionValue::Kind;
  out->off = L.Off(v);
  const od::json_type t = L.TypeOf(v, out->off);
  if (t == od::json_type::string) {
    Str s;
    if (!L.ReadString(v, ptr, &s, /*allow_empty=*/true)) return false;
    out->kind = K::kString;
    out->text = std::move(s.s);
    return true;
  }
  if (t == od::json_type::number) {
    std::string_view tok = v.raw_json_token();
    while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t' || tok.back() == '\n' || tok.back() == '\r'))
      tok.remove_suffix(1);  // the raw token runs up to the next structural character
    if (!IsJsonNumber(tok)) L.Malformed(out->off, simdjson::NUMBER_ERROR);
    out->kind = K::kNumber;
    out->text.assign(tok.data(), tok.size());
    return true;
  }
  if (t == od::json_type::boolean) {
    bool b = false;
    if (!L.ReadBool(v, ptr, &b)) return false;
    out->kind = K::kBool;
    out->text = b ? "true" : "false";
    return true;
  }
  L.sink()->Error(ptr, out->off,
                  absl::StrCat("expected a condition value (a string, number or boolean), found ", Loader::TypeName(t)));
  return false;
}

// `"KEY": VALUE | [VALUES]`. An empty array is an error: for a plain operator
// it could never hold and for a negated one it always would, and neither is
// likely what the author meant (SPEC §10 is silent; the safer reading).
bool ReadConditionKey(Loader& L, od::value v, const std::string& ptr, model::ConditionKey* out) {
  const uint32_t off = L.Off(v);
  if (L.TypeOf(v, off) != od::json_type::array) {
    model::ConditionValue cv;
    if (!ReadConditionValue(L, v, ptr, &cv)) return false;
    out->values.push_back(std::move(cv));
    return true;
  }
  bool ok = true;
  L.ForEach(v, ptr, "an array", [&](od::value ev, const std::string& p, size_t) {
    model::ConditionValue cv;
    if (ReadConditionValue(L, ev, p, &cv)) out->values.push_back(std::move(cv));
    else ok = false;
  });
  if (ok && out->values.empty()) {
    L.sink()->Error(ptr, off, "a condition key needs at least one value, found []");
    return false;
  }
  return ok;
}

// A statement's AWS `condition`: {"OPERATOR": {"KEY": VALUE | [VALUES]}}.
// Operator names and key names are data, checked by the compiler; here they
// only follow the string rules and must not repeat. An operator with no
// keys would constrain nothing, so it is an error (safer than a silent
// always-true); `{}` itself is a condition with no operators, as in AWS.
bool ReadAwsCondition(Loader& L, od::value v, const std::string& ptr, model::Statement* st) {
  model::AwsCondition c;
  c.off = L.Off(v);
  bool values_ok = true;
  // ForKeys is false when the value is not an object or it rejected a key.
  const bool keys_ok = L.ForKeys(v, ptr, "an object (an AWS condition)", [&](Str op, od::value ov,
                                                                        const std::string& op_ptr) {
    model::ConditionOperator o;
    o.op = std::move(op);
    const uint32_t op_off = L.Off(ov);
    bool op_values_ok = true;
    const bool op_keys_ok = L.ForKeys(ov, op_ptr, "an object of condition keys", [&](Str key, od::value kv,
                                                                                   const std::string& key_ptr) {
      model::ConditionKey k;
      k.key = std::move(key);
      if (ReadConditionKey(L, kv, key_ptr, &k)) o.keys.push_back(std::move(k));
      else op_values_ok = false;
    });
    bool op_ok = op_keys_ok && op_values_ok;
    if (op_ok && o.keys.empty()) {
      L.sink()->Error(op_ptr, op_off, "a condition operator needs at least one key, found {}");
      op_ok = false;
    }
    values_ok &= op_ok;
    c.operators.push_back(std::move(o));
  });
  // A condition that failed to load is left out, and the statement invalid:
  // never a partial condition that might hold where the whole would not.
  if (!keys_ok || !values_ok) return false;
  st->condition = std::move(c);
  return true;
}

// ---- The tables -----------------------------------------------------------------

using model::Action;
using model::Assignment;
using model::Cloud;
using model::DenyAssignment;
using model::Group;
using model::MappingRule;
using model::PermissionBlock;
using model::Role;
using model::Route;
using model::ScopeParent;
using model::Statement;

constexpr Field<Action> kActionFields[] = {
    String("name", &Action::name, kRequired),
    Bool("data", &Action::data),
    Strings("effective_only_at", &Action::effective_only_at, kOptional, &Action::has_effective_only_at),
};
constexpr Shape<Action> kAction{kActionFields, nullptr, "an array of actions"};

constexpr Field<PermissionBlock> kPermissionBlockFields[] = {
    Strings("actions", &PermissionBlock::actions),
    Strings("not_actions", &PermissionBlock::not_actions),
    Strings("data_actions", &PermissionBlock::data_actions),
    Strings("not_data_actions", &PermissionBlock::not_data_actions),
    OptString("condition", &PermissionBlock::condition),
};
constexpr Shape<PermissionBlock> kPermissionBlock{kPermissionBlockFields, nullptr, "an array of permission blocks"};

// `permissions` replaces the four lists (SPEC §10): never both.
bool RoleRule(Loader& L, const Seen<Role>& seen, const std::string& ptr, uint32_t off) {
  if (!seen.Has("permissions")) return true;
  std::string both;
  for (std::string_view k : {"actions", "not_actions", "data_actions", "not_data_actions"})
    if (seen.Has(k)) absl::StrAppend(&both, both.empty() ? "\"" : ", \"", AbslView(k), "\"");
  if (both.empty()) return true;
  L.sink()->Error(ptr, off, absl::StrCat("a role gives either \"permissions\" or the lists actions, not_actions, "
                                         "data_actions and not_data_actions, not both; this one also gives ", both));
  return false;
}

constexpr Field<Role> kRoleFields[] = {
    String("id", &Role::id, kRequired),
    StringOrEmpty("name", &Role::name),
    Strings("actions", &Role::actions),
    Strings("not_actions", &Role::not_actions),
    Strings("data_actions", &Role::data_actions),
    Strings("not_data_actions", &Role::not_data_actions),
    Objects<&Role::permissions, kPermissionBlock>("permissions", kOptional, &Role::has_permissions),
    Strings("assignable_scopes", &Role::assignable_scopes, kOptional, &Role::has_assignable_scopes),
};
constexpr Shape<Role> kRole{kRoleFields, &RoleRule, "an array of roles"};

constexpr Field<Group> kGroupFields[] = {
    String("id", &Group::id, kRequired),
    Strings("members", &Group::members),
};
constexpr Shape<Group> kGroup{kGroupFields, nullptr, "an array of groups"};

constexpr Field<Assignment> kAssignmentFields[] = {
    String("id", &Assignment::id, kRequired),
    String("principal", &Assignment::principal, kRequired),
    String("role", &Assignment::role, kRequired),
    String("scope", &Assignment::scope, kRequired),
    OptString("condition", &Assignment::condition),
};
constexpr Shape<Assignment> kAssignment{kAssignmentFields, nullptr, "an array of assignments"};

constexpr Field<DenyAssignment> kDenyFields[] = {
    String("id", &DenyAssignment::id, kRequired),
    Strings("principals", &DenyAssignment::principals, kRequired),
    Strings("exclude_principals", &DenyAssignment::exclude_principals),
    Strings("actions", &DenyAssignment::actions),
    Strings("not_actions", &DenyAssignment::not_actions),
    Strings("data_actions", &DenyAssignment::data_actions),
    Strings("not_data_actions", &DenyAssignment::not_data_actions),
    String("scope", &DenyAssignment::scope, kRequired),
    Bool("apply_to_children", &DenyAssignment::apply_to_children),
    OptString("condition", &DenyAssignment::condition),
};
constexpr Shape<DenyAssignment> kDeny{kDenyFields, nullptr, "an array of deny assignments"};

// SPEC §11: exactly one of actions / not_actions, of resources / not_resources.
bool StatementRule(Loader& L, const Seen<Statement>& seen, const std::string& ptr, uint32_t off) {
  const bool a = L.ExactlyOne(seen, "actions", "not_actions", ptr, off);
  const bool r = L.ExactlyOne(seen, "resources", "not_resources", ptr, off);
  return a && r;
}

// `not_actions` and `not_resources` fill the same lists as their positive
// forms and set the flag (bundle.h); StatementRule keeps the two apart.
constexpr Field<Statement> kStatementFields[] = {
    String("id", &Statement::id, kRequired),
    String("principal", &Statement::principal, kRequired),
    String("effect", &Statement::effect, kRequired),
    Strings("actions", &Statement::actions),
    Strings("not_actions", &Statement::actions, kOptional, &Statement::not_actions),
    Strings("resources", &Statement::resources),
    Strings("not_resources", &Statement::resources, kOptional, &Statement::not_resources),
    OptString("policy_version", &Statement::policy_version),
    Custom("condition", &ReadAwsCondition),
};
constexpr Shape<Statement> kStatement{kStatementFields, &StatementRule, "an array of statements"};

constexpr Field<MappingRule> kMappingFields[] = {
    String("id", &MappingRule::id, kRequired),
    OptString("workload_type", &MappingRule::workload_type),
    OptString("project", &MappingRule::project),
    OptString("user", &MappingRule::user),
    String("identity", &MappingRule::identity, kRequired),
};
constexpr Shape<MappingRule> kMapping{kMappingFields, nullptr, "an array of mapping rules"};

constexpr Field<Cloud> kCloudFields[] = {
    String("id", &Cloud::id, kRequired),
    OptString("default_identity", &Cloud::default_identity),
    Objects<&Cloud::mappings, kMapping>("mappings"),
};
constexpr Shape<Cloud> kCloud{kCloudFields, nullptr, "an array of clouds"};

constexpr Field<Route> kRouteFields[] = {
    String("id", &Route::id, kRequired),
    String("method", &Route::method, kRequired),
    String("path", &Route::path, kRequired),
    String("action", &Route::action, kRequired),
    String("scope", &Route::scope, kRequired),
};
constexpr Shape<Route> kRoute{kRouteFields, nullptr, "an array of routes"};

// Routes have their own limit, tighter than the list limit (each one is a
// regular expression to compile).
bool ReadRoutes(Loader& L, od::value v, const std::string& ptr, model::Bundle* b) {
  const uint32_t off = L.Off(v);
  const uint32_t max = L.limits().max_routes;
  return L.ForEach(v, ptr, kRoute.list_what, [&](od::value ev, const std::string& p, size_t i) {
    if (i == max) L.sink()->Error(ptr, off, absl::StrCat("more than ", max, " routes"));
    if (i >= max) return;
    Route r;
    r.valid = L.ReadObject(ev, p, kRoute, &r);
    b->routes.push_back(std::move(r));
  });
}

constexpr Field<ScopeParent> kScopeParentFields[] = {
    String("scope", &ScopeParent::scope, kRequired),
    String("parent", &ScopeParent::parent, kRequired),
};
constexpr Shape<ScopeParent> kScopeParent{kScopeParentFields, nullptr, "an array of scope parents"};

using model::Bundle;
constexpr Field<Bundle> kBundleFields[] = {
    Custom("version", &ReadVersion, kRequired),
    Objects<&Bundle::actions, kAction>("actions", kRequired),
    Objects<&Bundle::roles, kRole>("roles"),
    Objects<&Bundle::groups, kGroup>("groups"),
    Objects<&Bundle::assignments, kAssignment>("assignments"),
    Objects<&Bundle::deny_assignments, kDeny>("deny_assignments"),
    Objects<&Bundle::statements, kStatement>("statements"),
    Objects<&Bundle::clouds, kCloud>("clouds"),
    Custom("routes", &ReadRoutes),
    Objects<&Bundle::scope_parents, kScopeParent>("scope_parents"),
};
constexpr Shape<Bundle> kBundle{kBundleFields};
static_assert(std::size(kDenyFields) <= 64 && std::size(kBundleFields) <= 64, "Seen has one bit a field");

// ---- The document ---------------------------------------------------------------

// Reads the root object; false when the root is not an object (reported).
bool LoadRoot(Loader& L, od::document& doc, Bundle* b) {
  // simdjson's get_value refuses scalars at the root: check the type first.
  od::json_type t;
  if (auto e = doc.type().get(t)) L.Malformed(kNoOffset, e);
  if (t != od::json_type::object) {
    L.sink()->Error("", 0, absl::StrCat("expected the bundle to be an object, found ", Loader::TypeName(t)));
    return false;
  }
  od::value root;
  if (auto e = doc.get_value().get(root)) L.Malformed(0, e);
  L.ReadObject(root, "", kBundle, b);
  return true;
}

// Refuses absurd nesting before simdjson indexes the whole input (a bundle
// never nests deeper than a handful of levels; '[' * 1 GiB must fail fast).
bool CheckDepth(std::string_view json, DiagSink* sink) {
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
        sink->Error("", static_cast<uint32_t>(i), absl::StrCat("JSON nesting deeper than ", kMaxJsonDepth, " levels"));
        return false;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

// Reports malformed JSON at the offending token when the syntax scanner
// finds it; else (simdjson refused something the grammar allows, which
// should not happen) with simdjson's own message and best position.
void ReportMalformed(std::string_view json, const MalformedJson& m, DiagSink* sink) {
  if (auto syn = FindJsonSyntaxError(json)) {
    sink->Error("", static_cast<uint32_t>(syn->offset), absl::StrCat("malformed JSON: ", syn->message));
  } else {
    sink->Error("", m.off, m.why);
  }
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
  if (!CheckDepth(json, sink)) return false;
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
    if (e) throw MalformedJson{kNoOffset, absl::StrCat("malformed JSON: ", simdjson::error_message(e))};
    if (!LoadRoot(loader, doc, out)) return false;
    // Past the root object the iterator must be at the end of the input.
    const char* p = nullptr;
    if (doc.current_location().get(p) != simdjson::OUT_OF_BOUNDS) {
      throw MalformedJson{loader.OffOf(p), "malformed JSON: trailing content after the bundle"};
    }
  } catch (const MalformedJson& m) {
    ReportMalformed(json, m, sink);
    return false;
  } catch (const TooManyErrors&) {
    return false;
  }
  // On-demand parsing checks only what it reads: a value skipped after a
  // shape error (under an unknown key, of the wrong type, past a limit) or a
  // number read only as an integer may hide a syntax error. A bundle with
  // errors is scanned once more so that malformed JSON is always named.
  if (sink->has_errors()) {
    if (auto syn = FindJsonSyntaxError(json)) {
      sink->Error("", static_cast<uint32_t>(syn->offset), absl::StrCat("malformed JSON: ", syn->message));
      return false;
    }
  }
  return true;
}

}  // namespace rolegate::internal
