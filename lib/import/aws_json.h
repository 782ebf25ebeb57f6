// lib/import/aws_json.h — a small owned JSON tree for the AWS importer.
//
// The authorization-details document is irregular (documents nested as
// objects or as URL-encoded text, lists that may be objects) and its parts
// are visited out of order (managed policies are resolved from any page), so
// the importer reads each file once with simdjson's on-demand API into this
// tree and walks the tree. Number values keep their token text: condition
// values keep their JSON kind and spelling (SPEC §10).
#ifndef ROLEGATE_LIB_IMPORT_AWS_JSON_H_
#define ROLEGATE_LIB_IMPORT_AWS_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace rolegate::internal::aws_json {

enum class Type : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

// One JSON value. `text`: a string's content, a number's token text, or
// "true"/"false". An object's members are keys[i] -> items[i] in document
// order (keys are unique: a duplicate key is a parse error); an array's
// elements are items.
struct Value {
  Type type = Type::kNull;
  std::string text;
  std::vector<std::string> keys;
  std::vector<Value> items;

  // The member named `key` (exact, case-sensitive), or nullptr. O(members).
  const Value* Find(std::string_view key) const;
};

// Nesting deeper than this is an error (no policy or export nests past ~8).
inline constexpr int kMaxDepth = 64;

// Parses `text` as one JSON document whose root must be an object. On
// malformed JSON returns InvalidArgument "WHERE: POINTER: malformed JSON: ..."
// (WHERE is `where`, then line:column; POINTER the innermost container being
// read); a duplicate key, a root that is not an object or nesting past
// kMaxDepth likewise name their pointer.
// Cost: O(size of text); the tree is a few times the text's size.
absl::Status Parse(std::string_view text, std::string_view where, Value* out);

// Name of a type for messages ("a string", "an array", ...).
const char* TypeName(Type t);

// RFC 6901 pointer append: "/a" + "b/c" -> "/a/b~1c"; index variant.
std::string Join(std::string_view base, std::string_view key);
std::string Join(std::string_view base, size_t index);

}  // namespace rolegate::internal::aws_json

#endif  // ROLEGATE_LIB_IMPORT_AWS_JSON_H_
