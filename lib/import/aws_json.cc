// lib/import/aws_json.cc — JSON text -> aws_json::Value with simdjson on-demand.
//
// Syntax is checked first by the strict scanner (model/json_syntax.h), which
// names the offending byte; on-demand parsing only validates what it reads,
// and this reader reads everything, so after the scan simdjson errors are
// unexpected but still reported, never trusted.
#include "import/aws_json.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "model/json_syntax.h"
#include "rolegate/internal/text.h"
#include "simdjson.h"

namespace rolegate::internal::aws_json {
namespace od = simdjson::ondemand;

const Value* Value::Find(std::string_view key) const {
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key) return &items[i];
  return nullptr;
}

const char* TypeName(Type t) {
  switch (t) {
    case Type::kNull: return "null";
    case Type::kBool: return "a boolean";
    case Type::kNumber: return "a number";
    case Type::kString: return "a string";
    case Type::kArray: return "an array";
    case Type::kObject: return "an object";
  }
  return "?";
}

std::string Join(std::string_view base, std::string_view key) {
  std::string out(base);
  out.push_back('/');
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

std::string Join(std::string_view base, size_t index) { return absl::StrCat(AbslView(base), "/", index); }

namespace {

// The pointer of the innermost value being read at byte `end` of a text
// whose prefix [0, end) is well-formed JSON so far (the syntax scanner
// stopped at `end`). Keys are taken as written (escapes not decoded).
std::string PointerAt(std::string_view text, size_t end) {
  struct Frame {
    bool object;
    size_t index = 0;
    std::string key;
  };
  std::vector<Frame> stack;
  std::string last_string;
  end = std::min(end, text.size());
  for (size_t i = 0; i < end; ++i) {
    const char c = text[i];
    if (c == '"') {
      size_t j = i + 1;
      while (j < end && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
      last_string.assign(text.substr(i + 1, std::min(j, end) - i - 1));
      i = j;
    } else if (c == '{' || c == '[') {
      stack.push_back(Frame{c == '{', 0, {}});
    } else if ((c == '}' || c == ']') && !stack.empty()) {
      stack.pop_back();
    } else if (c == ':' && !stack.empty()) {
      stack.back().key = last_string;
    } else if (c == ',' && !stack.empty()) {
      ++stack.back().index;
      stack.back().key.clear();
    }
  }
  std::string ptr;
  for (const Frame& f : stack) {
    if (!f.object) ptr = Join(ptr, f.index);
    else if (!f.key.empty()) ptr = Join(ptr, f.key);
  }
  return ptr;
}

std::string LineCol(std::string_view text, size_t off) {
  off = std::min(off, text.size());
  size_t line = 1, col = 1;
  for (size_t i = 0; i < off; ++i) {
    if (text[i] == '\n') ++line, col = 1;
    else ++col;
  }
  return absl::StrCat(line, ":", col);
}

// The first offset where nesting passes kMaxDepth, or npos. Run before the
// recursive reader so that '[' repeated a million times fails fast.
size_t TooDeepAt(std::string_view text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

class Reader {
 public:
  explicit Reader(std::string_view where) : where_(where) {}

  absl::Status Error(std::string_view msg) const {
    std::string ptr;
    for (const std::string& p : path_) ptr += "/" + p;
    return absl::InvalidArgumentError(
        absl::StrCat(AbslView(where_), ": ", ptr.empty() ? "\"\"" : ptr, ": ", AbslView(msg)));
  }
  absl::Status Simdjson(simdjson::error_code e) const {
    return Error(absl::StrCat("malformed JSON: ", simdjson::error_message(e)));
  }

  absl::Status Read(od::value v, Value* out) {
    od::json_type t;
    if (auto e = v.type().get(t)) return Simdjson(e);
    switch (t) {
      case od::json_type::object: return ReadObject(v, out);
      case od::json_type::array: return ReadArray(v, out);
      case od::json_type::string: {
        out->type = Type::kString;
        std::string_view s;
        if (auto e = v.get_string().get(s)) return Simdjson(e);
        out->text.assign(s);
        return absl::OkStatus();
      }
      case od::json_type::number: {
        out->type = Type::kNumber;
        std::string_view tok = v.raw_json_token();
        while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t' || tok.back() == '\n' ||
                                tok.back() == '\r'))
          tok.remove_suffix(1);
        if (!IsJsonNumber(tok)) return Error("malformed JSON: bad number");
        out->text.assign(tok);
        return absl::OkStatus();
      }
      case od::json_type::boolean: {
        out->type = Type::kBool;
        bool b = false;
        if (auto e = v.get_bool().get(b)) return Simdjson(e);
        out->text = b ? "true" : "false";
        return absl::OkStatus();
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return Simdjson(e);
        if (!is_null) return Error("malformed JSON: bad literal");
        out->type = Type::kNull;
        return absl::OkStatus();
      }
    }
    return Error("malformed JSON: unknown value type");
  }

 private:
  absl::Status ReadObject(od::value v, Value* out) {
    out->type = Type::kObject;
    od::object obj;
    if (auto e = v.get_object().get(obj)) return Simdjson(e);
    absl::flat_hash_set<std::string> seen;
    for (auto field : obj) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return Simdjson(e);
      path_.push_back(Join("", key).substr(1));
      if (!seen.insert(std::string(key)).second) return Error("duplicate key");
      od::value child;
      if (auto e = field.value().get(child)) return Simdjson(e);
      out->keys.emplace_back(key);
      out->items.emplace_back();
      if (absl::Status s = Read(child, &out->items.back()); !s.ok()) return s;
      path_.pop_back();
    }
    return absl::OkStatus();
  }

  absl::Status ReadArray(od::value v, Value* out) {
    out->type = Type::kArray;
    od::array arr;
    if (auto e = v.get_array().get(arr)) return Simdjson(e);
    size_t index = 0;
    for (auto el : arr) {
      path_.push_back(std::to_string(index++));
      od::value child;
      if (auto e = el.get(child)) return Simdjson(e);
      out->items.emplace_back();
      if (absl::Status s = Read(child, &out->items.back()); !s.ok()) return s;
      path_.pop_back();
    }
    return absl::OkStatus();
  }

  std::string_view where_;
  std::vector<std::string> path_;
};

}  // namespace

absl::Status Parse(std::string_view text, std::string_view where, Value* out) {
  *out = Value{};
  auto fail = [&](size_t off, std::string_view msg) {
    const std::string ptr = PointerAt(text, off);
    return absl::InvalidArgumentError(absl::StrCat(AbslView(where), ":", LineCol(text, off), ": ",
                                                   ptr.empty() ? "\"\"" : ptr, ": ", AbslView(msg)));
  };
  if (text.size() >= 0xFFFFFFF0u) return fail(0, "input over 4 GiB");
  if (auto syn = FindJsonSyntaxError(text)) return fail(syn->offset, "malformed JSON: " + syn->message);
  if (size_t deep = TooDeepAt(text); deep != std::string_view::npos)
    return fail(deep, absl::StrCat("JSON nesting deeper than ", kMaxDepth, " levels"));
  simdjson::padded_string padded(text.data(), text.size());
  od::parser parser;
  od::document doc;
  Reader reader(where);
  if (auto e = parser.iterate(padded).get(doc)) return reader.Simdjson(e);
  od::json_type t;
  if (auto e = doc.type().get(t)) return reader.Simdjson(e);
  if (t != od::json_type::object) return reader.Error("expected a JSON object at the top level");
  od::value root;
  if (auto e = doc.get_value().get(root)) return reader.Simdjson(e);
  return reader.Read(root, out);
}

}  // namespace rolegate::internal::aws_json
