// lib/eval/match.cc — the out-of-line half of the check path: statement
// resource patterns, conditions, and the query context they read (SPEC §3,
// §10, §11, §13).
//
// The context view (key id -> the caller's entry) is built the first time a
// query evaluates a condition or a policy variable, never for a query whose
// candidates carry neither. It lives in thread-local vectors that are
// reused, so a warm thread allocates nothing: building it writes the slots
// of the keys the context names, releasing it clears exactly those.
#include "eval/match.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "absl/hash/hash.h"
#include "rolegate/internal/policy_data.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal {
namespace {

struct ViewStorage {
  std::vector<const ContextEntry*> by_key;
  std::vector<uint32_t> touched;
};
thread_local ViewStorage t_view;

// Lower-cases `key` into `buf` (kMaxContextStringBytes) and looks it up.
uint32_t KeyIdOf(const KeyTable& keys, std::string_view key) {
  char buf[kMaxContextStringBytes];
  if (key.size() > sizeof(buf)) return KeyTable::kNoKey;
  for (size_t i = 0; i < key.size(); ++i) buf[i] = AsciiLower(key[i]);
  return keys.FindLower(std::string_view(buf, key.size()));
}

ContextView ViewOf(const PolicyData& d, QueryState* qs) {
  if (!qs->built) {
    const KeyTable& keys = d.match->keys;
    ViewStorage& v = t_view;
    if (v.by_key.size() < keys.size()) v.by_key.resize(keys.size(), nullptr);
    if (qs->context) {
      for (size_t i = 0; i < qs->context->size; ++i) {
        const ContextEntry& e = qs->context->entries[i];
        const uint32_t id = KeyIdOf(keys, e.key);
        if (id == KeyTable::kNoKey) continue;
        v.by_key[id] = &e;  // keys are unique (ContextIsValid ran first)
        v.touched.push_back(id);
      }
    }
    qs->by_key = v.by_key.data();
    qs->n_keys = keys.size();
    qs->built = true;
  }
  return ContextView{qs->by_key, qs->n_keys};
}

bool Eval(const PolicyData& d, uint32_t cond, const CondEnv& env) {
  const MatchTable& m = *d.match;
  const CondRef& c = m.conds[cond];
  switch (c.kind) {
    case CondRef::Kind::kAzure: return EvalAzure(m.azure[c.a], env);
    case CondRef::Kind::kAws: return EvalAws(m.aws[c.a], env);
    case CondRef::Kind::kAnd: return Eval(d, c.a, env) && Eval(d, c.b, env);
  }
  return false;  // unreachable; a condition that cannot be read never holds
}

}  // namespace

void ReleaseQueryState(QueryState* qs) {
  ViewStorage& v = t_view;
  for (uint32_t id : v.touched) v.by_key[id] = nullptr;
  v.touched.clear();
  qs->built = false;
}

bool EvalCondition(const PolicyData& d, uint32_t cond, uint32_t action, QueryState* qs) {
  const ContextView view = ViewOf(d, qs);
  CondEnv env;
  env.ctx = &view;
  env.action = action;
  return Eval(d, cond, env);
}

bool MatchStatementResource(const PolicyData& d, const StatementEntry& s, std::string_view resource,
                            bool is_scope, QueryState* qs) {
  const MatchTable& m = *d.match;
  bool any = false;
  for (uint32_t i = s.patterns_begin; i < s.patterns_end && !any; ++i) {
    const ResourcePattern& p = m.patterns[i];
    // Only a pattern with policy variables reads the context.
    const ContextView view = p.segs.has_variables ? ViewOf(d, qs) : ContextView{};
    any = MatchResource(p, resource, is_scope, view);
  }
  return any != s.not_resources;
}

bool ContextIsValid(const Context& c) {
  if (c.size > kMaxContextKeys || c.entries == nullptr) return false;
  // Duplicate keys (case-insensitively): hash each lower-cased key, sort,
  // and compare the strings of equal hashes. On the stack: at most 1,024.
  uint64_t hashes[kMaxContextKeys];
  for (size_t i = 0; i < c.size; ++i) {
    const ContextEntry& e = c.entries[i];
    // Keys and strings are UTF-8 text within the string limit (a C caller can
    // pass anything; the CLI's JSON already is); numbers are finite.
    auto text_ok = [](std::string_view t) { return t.size() <= kMaxContextStringBytes && IsValidUtf8(t); };
    if (e.key.empty() || !text_ok(e.key)) return false;
    switch (e.type) {
      case ValueType::kString:
        if (!text_ok(e.str)) return false;
        break;
      case ValueType::kNumber:
        if (!std::isfinite(e.number)) return false;
        break;
      case ValueType::kBool:
        break;
      case ValueType::kStringList:
        if (e.list_size > kMaxContextValues || (e.list_size != 0 && e.list == nullptr)) return false;
        for (size_t k = 0; k < e.list_size; ++k)
          if (!text_ok(e.list[k])) return false;
        break;
      default:
        return false;  // a type this library does not know: never guess
    }
    if (c.size <= 16) continue;  // few keys: compared pairwise below, no hashing
    char buf[kMaxContextStringBytes];
    for (size_t k = 0; k < e.key.size(); ++k) buf[k] = AsciiLower(e.key[k]);
    hashes[i] = (absl::Hash<absl::string_view>{}(absl::string_view(buf, e.key.size())) << 10) | i;
  }
  if (c.size <= 16) {  // few keys (the common case): compare pairwise, no sort
    for (size_t i = 1; i < c.size; ++i)
      for (size_t j = 0; j < i; ++j)
        if (AsciiEqualsIgnoreCase(c.entries[i].key, c.entries[j].key)) return false;
    return true;
  }
  std::sort(hashes, hashes + c.size);
  for (size_t i = 1; i < c.size; ++i) {
    for (size_t j = i; j-- > 0 && (hashes[j] >> 10) == (hashes[i] >> 10);) {
      if (AsciiEqualsIgnoreCase(c.entries[hashes[i] & 1023].key, c.entries[hashes[j] & 1023].key))
        return false;
    }
  }
  return true;
}

bool GroupsAreValid(const AssertedGroups& g) {
  if (g.size > kMaxAssertedGroups || g.ids == nullptr) return false;
  for (size_t i = 0; i < g.size; ++i)
    if (g.ids[i].empty() || g.ids[i].size() > kMaxContextStringBytes || !IsValidUtf8(g.ids[i])) return false;
  return true;
}

}  // namespace rolegate::internal
