// lib/review/diff_keys.cc — canonical content keys (see diff_keys.h).
//
// Fields are joined with separators that cannot occur in bundle strings
// (\x1e, \x1f are control characters, which the loader rejects in ids and
// scopes; a condition may hold anything, so it goes last, length-prefixed).
#include "review/diff_keys.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal {
namespace {

// Length-prefixed, so that no two different inputs give one output.
void Put(std::string* out, std::string_view s) {
  absl::StrAppend(out, s.size(), ":", AbslView(s), "\x1f");
}

// The list as a set: sorted, duplicates dropped, lower-cased when `lower`.
void PutSet(std::string* out, const model::StrList& list, bool lower) {
  std::vector<std::string> v;
  for (const model::Str& s : list) v.push_back(lower ? AsciiLowerCopy(s.s) : s.s);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  absl::StrAppend(out, "[", v.size(), "]");
  for (const std::string& s : v) Put(out, s);
}

void PutOptional(std::string* out, const std::optional<model::Str>& s) {
  if (s) Put(out, s->s);
  else *out += "-\x1f";
}

std::string BlockKey(const model::StrList& a, const model::StrList& na, const model::StrList& da,
                     const model::StrList& nda, const std::optional<model::Str>& cond) {
  std::string out;
  PutSet(&out, a, true);
  PutSet(&out, na, true);
  PutSet(&out, da, true);
  PutSet(&out, nda, true);
  PutOptional(&out, cond);
  return out;
}

// An AWS condition as written, operators and keys in a fixed order (their
// order in the JSON object decides nothing).
std::string AwsConditionKey(const model::AwsCondition& c) {
  std::vector<std::string> ops;
  for (const model::ConditionOperator& op : c.operators) {
    std::vector<std::string> keys;
    for (const model::ConditionKey& k : op.keys) {
      std::string key;
      Put(&key, AsciiLowerCopy(k.key.s));
      for (const model::ConditionValue& v : k.values) Put(&key, absl::StrCat(static_cast<int>(v.kind), v.text));
      keys.push_back(std::move(key));
    }
    std::sort(keys.begin(), keys.end());
    std::string o;
    Put(&o, op.op.s);
    for (const std::string& k : keys) Put(&o, k);
    ops.push_back(std::move(o));
  }
  std::sort(ops.begin(), ops.end());
  std::string out;
  for (const std::string& o : ops) Put(&out, o);
  return out;
}

}  // namespace

std::string ActionKey(const model::Action& a) {
  std::string out = a.data ? "d" : "c";
  if (a.has_effective_only_at) PutSet(&out, a.effective_only_at, true);
  else out += "-";
  return out;
}

std::string RoleKey(const model::Role& r) {
  if (!r.has_permissions) return "1" + BlockKey(r.actions, r.not_actions, r.data_actions, r.not_data_actions, {});
  std::vector<std::string> blocks;
  for (const model::PermissionBlock& b : r.permissions)
    blocks.push_back(BlockKey(b.actions, b.not_actions, b.data_actions, b.not_data_actions, b.condition));
  std::sort(blocks.begin(), blocks.end());
  std::string out = "p";
  for (const std::string& b : blocks) Put(&out, b);
  return out;
}

std::string GroupKey(const model::Group& g) {
  std::string out;
  PutSet(&out, g.members, false);
  return out;
}

std::string AssignmentKey(const model::Assignment& a, const std::string& role_key) {
  std::string out;
  Put(&out, a.principal.s);
  Put(&out, AsciiLowerCopy(a.scope.s));
  PutOptional(&out, a.condition);
  Put(&out, role_key);
  return out;
}

std::string DenyKey(const model::DenyAssignment& d) {
  std::string out = d.apply_to_children ? "c" : "s";
  Put(&out, AsciiLowerCopy(d.scope.s));
  PutSet(&out, d.principals, false);
  PutSet(&out, d.exclude_principals, false);
  out += BlockKey(d.actions, d.not_actions, d.data_actions, d.not_data_actions, d.condition);
  return out;
}

std::string StatementKey(const model::Statement& s) {
  std::string out;
  Put(&out, s.principal.s);
  Put(&out, s.effect.s);
  out += s.not_actions ? "N" : "A";
  PutSet(&out, s.actions, true);
  out += s.not_resources ? "N" : "R";
  PutSet(&out, s.resources, false);  // ARN resource fields 6+ are case-sensitive
  PutOptional(&out, s.policy_version);
  if (s.condition) Put(&out, AwsConditionKey(*s.condition));
  else out += "-";
  return out;
}

}  // namespace rolegate::internal
