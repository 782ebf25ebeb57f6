#include "support/build_policy.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace rolegate_test {

using rolegate::Compile;
using rolegate::Limits;
using rolegate::Severity;

std::string DiagText(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) {
    out += (d.severity == Severity::kError ? "  error " : "  warning ");
    out += "line " + std::to_string(d.line) + " col " + std::to_string(d.column) + " \"" + d.pointer +
           "\": " + d.message + "\n";
  }
  if (out.empty()) out = "  (no diagnostics)\n";
  return out;
}

std::unique_ptr<Policy> Build(std::string_view json) {
  std::vector<Diagnostic> diags;
  auto p = Compile(json, Limits{}, &diags);
  if (!p.ok()) {
    ADD_FAILURE() << "bundle does not compile: " << p.status() << "\n" << DiagText(diags);
    return nullptr;
  }
  return std::move(*p);
}

std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (out.size() > 200) out = out.substr(0, 120) + "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

}  // namespace rolegate_test
