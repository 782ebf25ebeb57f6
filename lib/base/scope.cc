// lib/scope.cc — validation of scopes written in a bundle.
#include "base/scope.h"

#include "absl/strings/str_cat.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal {

std::string ScopeProblem(std::string_view s, uint32_t max_segments, bool pattern) {
  if (s.empty() || s[0] != '/') return "a scope must start with '/'";
  if (HasControlChar(s)) return "a scope must not contain control characters";
  if (s == "/") return "";
  if (s.back() == '/') return "a scope must not end with '/' (only the root is \"/\")";
  uint32_t segments = 0;
  size_t i = 1;
  while (i <= s.size()) {
    size_t j = s.find('/', i);
    if (j == std::string_view::npos) j = s.size();
    std::string_view seg = s.substr(i, j - i);
    if (seg.empty()) return "a scope must not contain an empty segment (\"//\")";
    if (seg == "." || seg == "..") return "a scope must not contain a '.' or '..' segment";
    if (seg.find('*') != std::string_view::npos && !(pattern && seg == "*")) {
      return pattern ? "a '*' must be a whole segment" : "a scope must not contain '*'";
    }
    if (++segments > max_segments)
      return absl::StrCat("a scope must not have more than ", max_segments, " segments");
    i = j + 1;
  }
  return "";
}

std::vector<std::string> LowerSegments(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 1;
  while (i < s.size()) {
    size_t j = s.find('/', i);
    if (j == std::string_view::npos) j = s.size();
    out.push_back(AsciiLowerCopy(s.substr(i, j - i)));
    i = j + 1;
  }
  return out;
}

}  // namespace rolegate::internal
