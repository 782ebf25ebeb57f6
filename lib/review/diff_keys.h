// lib/review/diff_keys.h — canonical content keys of bundle entries, for diff
// (SPEC §14): two entries with equal keys decide alike, whatever their list
// order, JSON offsets or the case of case-insensitive fields.
#ifndef ROLEGATE_LIB_REVIEW_DIFF_KEYS_H_
#define ROLEGATE_LIB_REVIEW_DIFF_KEYS_H_

#include <string>

#include "rolegate/bundle.h"

namespace rolegate::internal {

// Catalog entry: data flag and effective_only_at (patterns lower-cased).
std::string ActionKey(const model::Action& a);
// A role's permissions (not its name or assignable_scopes, which decide nothing).
std::string RoleKey(const model::Role& r);
// Members, sorted.
std::string GroupKey(const model::Group& g);
// Principal, scope (lower-cased), condition and the content of its role
// (`role_key`: RoleKey of its role).
std::string AssignmentKey(const model::Assignment& a, const std::string& role_key);
std::string DenyKey(const model::DenyAssignment& d);
std::string StatementKey(const model::Statement& s);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_REVIEW_DIFF_KEYS_H_
