// lib/bundle.h — a bundle as parsed from JSON (SPEC §2), before any semantic
// check: plain values plus where each came from, so the compiler can report
// every error with its JSON pointer and line/column.
#ifndef ROLEGATE_LIB_BUNDLE_H_
#define ROLEGATE_LIB_BUNDLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rolegate/types.h"

namespace rolegate::internal {

inline constexpr uint32_t kNoOffset = 0xFFFFFFFFu;

// A string value and the byte offset of its token in the bundle text.
struct Str {
  std::string s;
  uint32_t off = kNoOffset;
};
using StrList = std::vector<Str>;

struct BAction {
  Str name;
  bool data = false;
  bool has_effective_only_at = false;
  StrList effective_only_at;
  uint32_t off = kNoOffset;
  bool ok = true;  // false when a required field was missing or mistyped
};

struct BRole {
  Str id, name;
  StrList actions, not_actions, data_actions, not_data_actions;
  bool has_assignable_scopes = false;
  StrList assignable_scopes;
  uint32_t off = kNoOffset;
  bool ok = true;
};

struct BGroup {
  Str id;
  StrList members;
  uint32_t off = kNoOffset;
  bool ok = true;
};

struct BAssignment {
  Str id, principal, role, scope;
  uint32_t off = kNoOffset;
  bool ok = true;
};

struct BDeny {
  Str id, scope;
  StrList principals, exclude_principals, actions, not_actions, data_actions, not_data_actions;
  bool apply_to_children = true;
  uint32_t off = kNoOffset;
  bool ok = true;
};

struct BStatement {
  Str id, principal, effect;
  StrList actions, resources;
  uint32_t off = kNoOffset;
  bool ok = true;
};

struct BMapping {
  Str id, identity;
  std::optional<Str> workload_type, project, user;
  uint32_t off = kNoOffset;
  bool ok = true;
};

struct BCloud {
  Str id;
  std::optional<Str> default_identity;
  std::vector<BMapping> mappings;
  uint32_t off = kNoOffset;
  bool ok = true;
};

struct BRoute {
  Str id, method, path, action, scope;
  uint32_t off = kNoOffset;
  bool ok = true;
};

struct Bundle {
  std::vector<BAction> actions;
  std::vector<BRole> roles;
  std::vector<BGroup> groups;
  std::vector<BAssignment> assignments;
  std::vector<BDeny> deny_assignments;
  std::vector<BStatement> statements;
  std::vector<BCloud> clouds;
  std::vector<BRoute> routes;
};

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

// Parses the bundle JSON. Type, shape, key and string-level errors go to
// `sink`; returns false only when the JSON itself is malformed (after
// reporting that). Semantic checks are the compiler's.
bool LoadBundle(std::string_view json, const Limits& limits, Bundle* out, DiagSink* sink);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_BUNDLE_H_
