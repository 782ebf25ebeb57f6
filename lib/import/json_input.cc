// lib/import/json_input.cc — typed, pointer-carrying access to input JSON.
#include "import/json_input.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "model/json_syntax.h"
#include "model/loader.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal::import_json {

std::string InputError::Format() const {
  return absl::StrCat(AbslView(file), ": ", pointer.empty() ? "(document)" : AbslView(pointer), ": ",
                      AbslView(message));
}

void Node::Fail(std::string_view message) const { throw InputError{*file_, ptr_, std::string(message)}; }

const char* Node::TypeName() const {
  switch (el_.type()) {
    case simdjson::dom::element_type::ARRAY: return "an array";
    case simdjson::dom::element_type::OBJECT: return "an object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: return "a number";
    case simdjson::dom::element_type::STRING: return "a string";
    case simdjson::dom::element_type::BOOL: return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

void Node::Expect(bool ok, const char* what) const {
  if (!ok) Fail(absl::StrCat("expected ", what, ", found ", TypeName()));
}

std::optional<Node> Node::Opt(std::string_view key) const {
  Expect(el_.is_object(), "an object");
  simdjson::dom::object obj;
  simdjson::dom::element v;
  if (el_.get_object().get(obj) != simdjson::SUCCESS) Fail("unreadable object");
  if (obj.at_key(key).get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
  return Node(v, JoinPointer(ptr_, key), file_);
}

Node Node::Req(std::string_view key) const {
  std::optional<Node> n = Opt(key);
  if (!n) Fail(absl::StrCat("missing field \"", AbslView(key), "\""));
  return *n;
}

std::string Node::String() const {
  Expect(el_.is_string(), "a string");
  std::string_view s;
  if (el_.get_string().get(s) != simdjson::SUCCESS) Fail("unreadable string");
  return std::string(s);
}

std::optional<std::string> Node::OptString(std::string_view key) const {
  std::optional<Node> n = Opt(key);
  if (!n) return std::nullopt;
  return n->String();
}

bool Node::Bool() const {
  Expect(el_.is_bool(), "a boolean");
  bool b = false;
  if (el_.get_bool().get(b) != simdjson::SUCCESS) Fail("unreadable boolean");
  return b;
}

std::vector<Node> Node::Items() const {
  Expect(el_.is_array(), "an array");
  simdjson::dom::array arr;
  if (el_.get_array().get(arr) != simdjson::SUCCESS) Fail("unreadable array");
  std::vector<Node> out;
  out.reserve(arr.size());
  size_t i = 0;
  for (simdjson::dom::element e : arr) out.emplace_back(e, JoinPointer(ptr_, i++), file_);
  return out;
}

std::vector<std::pair<std::string, Node>> Node::Members() const {
  Expect(el_.is_object(), "an object");
  simdjson::dom::object obj;
  if (el_.get_object().get(obj) != simdjson::SUCCESS) Fail("unreadable object");
  std::vector<std::pair<std::string, Node>> out;
  for (auto field : obj) {
    std::string key(field.key);
    out.emplace_back(key, Node(field.value, JoinPointer(ptr_, key), file_));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Node::StringList(std::string_view key) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::optional<Node> list = Opt(key);
  if (!list) return out;
  for (const Node& n : list->Items()) out.emplace_back(n.String(), n.pointer());
  return out;
}

namespace {

// "line L, column C" of byte `off` (columns count code points).
std::string Position(std::string_view text, size_t off) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < off && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return absl::StrCat("line ", line, ", column ", col);
}

}  // namespace

// A key given twice in one object, as an error naming the object's pointer.
// simdjson's DOM keeps both and at_key finds the first, so without this check
// `"notActions": [], "notActions": ["Microsoft.Authorization/*/Write"]`
// would import as no NotActions: more access than the role the file states.
// Walked with an explicit stack, so nesting depth costs no native stack.
static void RejectDuplicateKeys(const std::string& file, simdjson::dom::element root) {
  std::vector<std::pair<simdjson::dom::element, std::string>> todo = {{root, ""}};
  absl::flat_hash_set<std::string_view> seen;
  while (!todo.empty()) {
    auto [el, ptr] = std::move(todo.back());
    todo.pop_back();
    simdjson::dom::object obj;
    simdjson::dom::array arr;
    if (el.get_object().get(obj) == simdjson::SUCCESS) {
      seen.clear();
      for (auto field : obj) {
        if (!seen.insert(field.key).second)
          throw InputError{file, ptr, absl::StrCat("duplicate key \"", AbslView(field.key), "\"")};
        if (field.value.is_object() || field.value.is_array())
          todo.emplace_back(field.value, JoinPointer(ptr, field.key));
      }
    } else if (el.get_array().get(arr) == simdjson::SUCCESS) {
      size_t i = 0;
      for (simdjson::dom::element e : arr) {
        if (e.is_object() || e.is_array()) todo.emplace_back(e, JoinPointer(ptr, i));
        ++i;
      }
    }
  }
}

Document::Document(const std::string* file, std::string_view text)
    : file_(file), parser_(std::make_unique<simdjson::dom::parser>()) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (text.size() >= 0xFFFFFFF0u) throw InputError{*file, "", "input over 4 GiB"};
  simdjson::padded_string padded(text.data(), text.size());
  const auto err = parser_->parse(padded).get(root_);
  if (err == simdjson::SUCCESS) {
    RejectDuplicateKeys(*file, root_);
    return;
  }
  if (err == simdjson::MEMALLOC) throw std::bad_alloc();
  std::string why = absl::StrCat("malformed JSON: ", simdjson::error_message(err));
  if (auto syn = FindJsonSyntaxError(text)) {
    why = absl::StrCat("malformed JSON at ", Position(text, syn->offset), ": ", AbslView(syn->message));
  }
  throw InputError{*file, "", std::move(why)};
}

std::string LowerGuid(std::string_view s) {
  if (s.size() != 36) return "";
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return "";
    } else if (c >= 'A' && c <= 'F') {
      out[i] = static_cast<char>(c - 'A' + 'a');
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return "";
    }
  }
  return out;
}

std::string_view LastSegment(std::string_view s) {
  const size_t slash = s.rfind('/');
  return slash == std::string_view::npos ? s : s.substr(slash + 1);
}

}  // namespace rolegate::internal::import_json
