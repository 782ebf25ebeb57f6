// lib/cond/keys.h — what compiled conditions and a query's context share:
// condition keys interned to dense ids at compile time, and a query's
// context indexed by those ids once per query (SPEC §10: "key names compare
// case-insensitively").
//
// The compiler interns every key a condition reads (AWS keys such as
// "aws:SourceIp", Azure attribute references such as
// "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]" — the
// whole reference text), ASCII-lower-cased. At query time the context's keys
// are lower-cased and probed once each; a condition then reads a value by id
// with one array load. Keys no condition reads are never looked at again.
#ifndef ROLEGATE_LIB_COND_KEYS_H_
#define ROLEGATE_LIB_COND_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "rolegate/internal/text.h"
#include "rolegate/query.h"

namespace rolegate::internal {

// Condition keys of one bundle: lower-cased name -> dense id (0, 1, ...).
class KeyTable {
 public:
  // The id of `key` (any case), adding it when new. Compile time only.
  uint32_t Intern(std::string_view key) {
    std::string lower = AsciiLowerCopy(key);
    auto [it, fresh] = ids_.emplace(std::move(lower), static_cast<uint32_t>(ids_.size()));
    return it->second;
  }
  // The id of an already lower-cased key, or kNoKey. Query time: no allocation.
  static constexpr uint32_t kNoKey = 0xFFFFFFFFu;
  uint32_t FindLower(std::string_view lower) const {
    auto it = ids_.find(AbslView(lower));
    return it == ids_.end() ? kNoKey : it->second;
  }
  uint32_t size() const { return static_cast<uint32_t>(ids_.size()); }

 private:
  absl::flat_hash_map<std::string, uint32_t> ids_;
};

// One query's context, indexed by key id: by_key[id] is the entry the
// caller gave for that key, or null when it is absent. Built once per query
// (lib/eval), read by every condition the query evaluates.
struct ContextView {
  const ContextEntry* const* by_key = nullptr;
  uint32_t n_keys = 0;
  const ContextEntry* Get(uint32_t key) const { return key < n_keys ? by_key[key] : nullptr; }
};

// What a condition may read while it is evaluated.
struct CondEnv {
  const ContextView* ctx = nullptr;
  uint32_t action = 0;  // the query's action id (Azure ActionMatches)
};

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_COND_KEYS_H_
