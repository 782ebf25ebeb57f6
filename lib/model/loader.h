// lib/model/loader.h — bundle JSON -> the public bundle model
// (rolegate/bundle.h), and the diagnostics sink every stage reports into.
#ifndef ROLEGATE_LIB_MODEL_LOADER_H_
#define ROLEGATE_LIB_MODEL_LOADER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rolegate/bundle.h"
#include "rolegate/types.h"

namespace rolegate::internal {

using model::kNoOffset;
using model::Str;
using model::StrList;

// Collects diagnostics with byte offsets; converts offsets to line/column
// once at the end.
class DiagSink {
 public:
  void Error(std::string pointer, uint32_t off, std::string msg) {
    Add(Severity::kError, std::move(pointer), off, std::move(msg));
  }
  void Warning(std::string pointer, uint32_t off, std::string msg) {
    Add(Severity::kWarning, std::move(pointer), off, std::move(msg));
  }
  static constexpr size_t kMaxDiagnostics = 10000;
  bool has_errors() const { return errors_ > 0; }
  // True once the cap was hit: callers stop producing more.
  bool truncated() const { return truncated_; }
  size_t errors() const { return errors_; }
  // Fills line/column from offsets into `text` and moves the diagnostics out.
  std::vector<Diagnostic> Finish(std::string_view text);

 private:
  void Add(Severity sev, std::string pointer, uint32_t off, std::string msg);
  std::vector<Diagnostic> diags_;
  std::vector<uint32_t> offsets_;
  size_t errors_ = 0;
  bool truncated_ = false;
};

// "/roles/3" + "actions" -> "/roles/3/actions" (RFC 6901 escaping of ~ and /).
std::string JoinPointer(std::string_view base, std::string_view key);
std::string JoinPointer(std::string_view base, size_t index);

// Parses the bundle JSON into *out (SPEC §2 and the v2 fields of §10–§12,
// as rolegate/bundle.h documents them). Type, shape, key and string-level
// errors go to `sink`, each with its JSON pointer and byte offset, and
// loading goes on so that one run reports them all. Returns false only when
// the JSON itself is malformed, after reporting that once at pointer "" and
// the offset of the offending token (found by a strict syntax scan, also
// run over any bundle that had other errors, since on-demand parsing skips
// what it does not read). Semantic checks are the compiler's.
// Cost: O(size of json) time; memory a few times its size while it runs
// (simdjson's padded copy and index), plus the model.
bool LoadBundle(std::string_view json, const Limits& limits, model::Bundle* out, DiagSink* sink);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_MODEL_LOADER_H_
