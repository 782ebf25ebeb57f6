// lib/import/json_input.h — reading native policy JSON (Azure CLI / REST
// output) with every error naming the file and the JSON pointer.
//
// The importers walk documents of loosely specified shape (the az CLI adds
// fields between versions and prints `null` for unset ones), so this is a
// small typed view over simdjson's DOM: each Node knows its file and its
// pointer, and every accessor either returns the value or throws InputError
// naming both. InputError never leaves an importer: its entry point catches
// it and returns an absl::Status.
#ifndef ROLEGATE_LIB_IMPORT_JSON_INPUT_H_
#define ROLEGATE_LIB_IMPORT_JSON_INPUT_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "simdjson.h"

namespace rolegate::internal::import_json {

// A malformed input: file (as the caller named it), JSON pointer ("" is the
// whole document) and what is wrong. Formatted "FILE: POINTER: MESSAGE".
struct InputError {
  std::string file, pointer, message;
  std::string Format() const;
};

// One value of a parsed document. A plain handle: valid while the Document
// it came from lives.
class Node {
 public:
  Node(simdjson::dom::element el, std::string ptr, const std::string* file)
      : el_(el), ptr_(std::move(ptr)), file_(file) {}

  const std::string& pointer() const { return ptr_; }
  const std::string& file() const { return *file_; }
  [[noreturn]] void Fail(std::string_view message) const;

  bool IsNull() const { return el_.is_null(); }
  bool IsObject() const { return el_.is_object(); }
  bool IsArray() const { return el_.is_array(); }
  bool IsString() const { return el_.is_string(); }
  // The JSON type as a word, for messages ("an array", "null", ...).
  const char* TypeName() const;

  // Member `key` of this object (which must be an object), or nullopt when
  // the key is absent or its value is null (the az CLI prints unset fields
  // as null).
  std::optional<Node> Opt(std::string_view key) const;
  // Member `key`, which must be present and not null.
  Node Req(std::string_view key) const;
  // The value as a string (must be a JSON string).
  std::string String() const;
  // Member `key` as a string; nullopt when absent or null.
  std::optional<std::string> OptString(std::string_view key) const;
  std::string ReqString(std::string_view key) const { return Req(key).String(); }
  // The value as a boolean (must be true/false).
  bool Bool() const;
  // The elements of this array (must be an array), each with its pointer.
  std::vector<Node> Items() const;
  // The members of this object (must be an object), in document order.
  std::vector<std::pair<std::string, Node>> Members() const;
  // Member `key` as a list of strings: absent or null is empty; otherwise an
  // array of strings, returned with the pointer of each.
  std::vector<std::pair<std::string, std::string>> StringList(std::string_view key) const;

 private:
  void Expect(bool ok, const char* what) const;
  simdjson::dom::element el_;
  std::string ptr_;
  const std::string* file_;
};

// One parsed input file. Owns the parser (and so every Node taken from it).
class Document {
 public:
  // Parses `text`; throws InputError (pointer "", the line and column of the
  // first syntax error in the message) when it is not one well-formed JSON
  // document. A UTF-8 byte-order mark is skipped (Windows shells write one).
  Document(const std::string* file, std::string_view text);
  Node root() const { return Node(root_, "", file_); }

 private:
  const std::string* file_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element root_;
};

// "abc" if `s` is a GUID (8-4-4-4-12 hex digits), ASCII-lower-cased; else "".
std::string LowerGuid(std::string_view s);

// The last '/'-separated segment of `s` ("" when s ends with '/').
std::string_view LastSegment(std::string_view s);

}  // namespace rolegate::internal::import_json

#endif  // ROLEGATE_LIB_IMPORT_JSON_INPUT_H_
