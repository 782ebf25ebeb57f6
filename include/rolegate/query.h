// rolegate/query.h — a query with everything a decision may read: principal,
// asserted groups, action, resource, and the request context that
// conditions read.
//
// All of it is borrowed: a Query and its entries view caller-owned memory,
// which must stay valid for the duration of the call that reads them and no
// longer. Nothing is copied and nothing is allocated by the library to read
// a query.
#ifndef ROLEGATE_QUERY_H_
#define ROLEGATE_QUERY_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rolegate {

// The type of one context value. Values 0..3 are part of the C ABI
// (ROLEGATE_VALUE_*) and never change.
enum class ValueType : uint8_t {
  kString = 0,      // `str`
  kNumber = 1,      // `number`
  kBool = 2,        // `boolean`
  kStringList = 3,  // `list[0 .. list_size)`: a multi-valued key
};

// One attribute of the request context. Keys compare case-insensitively
// (ASCII); a key given twice (in any case) makes the query invalid_input.
struct ContextEntry {
  std::string_view key;
  ValueType type = ValueType::kString;
  std::string_view str;
  double number = 0;
  bool boolean = false;
  const std::string_view* list = nullptr;
  size_t list_size = 0;
};

// Limits on one query's context and asserted groups (past them the query is
// invalid_input).
inline constexpr size_t kMaxContextKeys = 1024;
inline constexpr size_t kMaxContextValues = 256;  // values of one multi-valued key
inline constexpr size_t kMaxContextStringBytes = 4096;
inline constexpr size_t kMaxAssertedGroups = 1024;

// The request context: an array of entries, caller-owned.
struct Context {
  const ContextEntry* entries = nullptr;
  size_t size = 0;
};

// Principal ids the caller has verified the principal belongs to (a token's
// `groups` claim): P is then the closure of the principal and of each of
// these. Caller-owned.
struct AssertedGroups {
  const std::string_view* ids = nullptr;
  size_t size = 0;
};

// The context and asserted groups of a check_workload or check_request.
struct QueryExtras {
  AssertedGroups groups;
  Context context;
};

// A check(principal, action, resource) with its context and asserted groups.
struct Query {
  std::string_view principal;
  std::string_view action;
  std::string_view resource;
  AssertedGroups groups;
  Context context;
};

}  // namespace rolegate

#endif  // ROLEGATE_QUERY_H_
