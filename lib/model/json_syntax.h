// lib/model/json_syntax.h — where a malformed JSON text goes wrong.
//
// simdjson's first pass (structural indexing, UTF-8, unescaped control
// characters) rejects a document without saying where, and its on-demand pass
// only knows the container it was reading. The loader calls this scanner
// after simdjson has rejected a text, to name the offending token: RFC 8259
// syntax, checked byte by byte, stopping at the first error.
#ifndef ROLEGATE_LIB_MODEL_JSON_SYNTAX_H_
#define ROLEGATE_LIB_MODEL_JSON_SYNTAX_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rolegate::internal {

// The first syntax error of a JSON text: the byte offset of the offending
// token (text.size() for an unexpected end) and what is wrong with it.
struct JsonSyntaxError {
  size_t offset = 0;
  std::string message;
};

// Scans `text` as one RFC 8259 JSON document (strict: no comments, no
// trailing commas, valid UTF-8, no lone surrogate escapes). Returns the first
// error, or nullopt when the text is well-formed. Cost: one pass, O(n) time,
// memory proportional to the nesting depth. Nothing is kept after the call.
std::optional<JsonSyntaxError> FindJsonSyntaxError(std::string_view text);

// True when `token` is exactly one JSON number (RFC 8259 §6 grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?), whatever its magnitude.
bool IsJsonNumber(std::string_view token);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_MODEL_JSON_SYNTAX_H_
