// tests/support/query_extras.h — the reference's query extras (context and
// asserted groups, reference_conditions.h) as the engine's rolegate::Query
// parts (include/rolegate/query.h), for the differential test and the fuzz
// targets once the engine takes them.
//
// The reference itself never includes this header: it stays independent of
// the engine's types.
#ifndef ROLEGATE_TESTS_SUPPORT_QUERY_EXTRAS_H_
#define ROLEGATE_TESTS_SUPPORT_QUERY_EXTRAS_H_

#include <rolegate/query.h>

#include <string_view>
#include <vector>

#include "support/reference_conditions.h"

namespace rolegate_ref {

// Views of `x` as a rolegate::Context and rolegate::AssertedGroups. `x` must
// outlive this object, and this object every Query built from it; it is not
// copyable (the entries point into its own vectors).
class EngineExtras {
 public:
  explicit EngineExtras(const RefQueryExtras& x) {
    lists_.reserve(x.context.size());
    for (const auto& [key, v] : x.context) {
      rolegate::ContextEntry e;
      e.key = key;
      switch (v.kind) {
        case RefValue::Kind::kString: e.type = rolegate::ValueType::kString, e.str = v.str; break;
        case RefValue::Kind::kNumber: e.type = rolegate::ValueType::kNumber, e.number = v.num; break;
        case RefValue::Kind::kBool: e.type = rolegate::ValueType::kBool, e.boolean = v.b; break;
        case RefValue::Kind::kList: {
          lists_.emplace_back(v.list.begin(), v.list.end());
          e.type = rolegate::ValueType::kStringList;
          e.list = lists_.back().data();
          e.list_size = lists_.back().size();
          break;
        }
      }
      entries_.push_back(e);
    }
    groups_.assign(x.groups.begin(), x.groups.end());
  }
  EngineExtras(const EngineExtras&) = delete;
  EngineExtras& operator=(const EngineExtras&) = delete;

  rolegate::Context context() const { return {entries_.data(), entries_.size()}; }
  rolegate::AssertedGroups groups() const { return {groups_.data(), groups_.size()}; }

 private:
  std::vector<std::vector<std::string_view>> lists_;  // reserved: never reallocates
  std::vector<rolegate::ContextEntry> entries_;
  std::vector<std::string_view> groups_;
};

}  // namespace rolegate_ref

#endif  // ROLEGATE_TESTS_SUPPORT_QUERY_EXTRAS_H_
