// rolegate/review.h — access review (SPEC §14): reverse queries over one
// compiled Policy, and the decision diff of two bundles.
//
// Every answer here is exact, never sampled: it equals what Policy::Explain
// answers for each (principal, action, resource) it covers. The fast paths
// only choose which checks to run; each reported allow is the Explain of
// that query, so the deciding rule is Explain's rule.
//
// Lifetime: WhoCan/WhatCan results view strings owned by the Policy (names,
// rule ids) and live as long as it does. Diff results own their strings.
// Thread safety: all functions are safe to call concurrently on one Policy.
#ifndef ROLEGATE_REVIEW_H_
#define ROLEGATE_REVIEW_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rolegate/policy.h"
#include "rolegate/query.h"
#include "rolegate/types.h"

namespace rolegate {

// One principal `check` allows, with Explain's deciding rule.
struct PrincipalAllowed {
  std::string_view principal;
  Reason reason = Reason::kGrant;  // kGrant or kStatement
  RuleKind kind = RuleKind::kNone;
  std::string_view rule;
};

// One catalog action `check` allows, with Explain's deciding rule.
struct ActionAllowed {
  std::string_view action;  // the catalog's spelling
  Reason reason = Reason::kGrant;
  RuleKind kind = RuleKind::kNone;
  std::string_view rule;
};

// who_can(action, resource): every principal the bundle names (in an
// assignment, a deny assignment's principals or exclude_principals, a group's
// id or members, a statement) for which check(principal, action, resource)
// allows, sorted by principal (bytewise). `context` and `groups` are passed to
// every check as a query's would be (SPEC §10, §13). An unknown action, an
// invalid resource or invalid extras allow nobody: the result is empty.
// Cost: one pass over the grants and statements that can grant the action,
// one over the principals' closures, then one Explain per principal whose
// closure holds such a rule (O(table) + candidates × check).
std::vector<PrincipalAllowed> WhoCan(const Policy& policy, std::string_view action,
                                     std::string_view resource, Context context = {},
                                     AssertedGroups groups = {});

// what_can(principal, resource): every catalog action check allows, sorted by
// the catalog spelling (bytewise). Empty for an empty principal or an invalid
// resource. Cost: the resource is resolved once; the rules of the
// principal's closure on the resource's path name the candidate actions, and
// each candidate costs one Explain (O(catalog) bit tests + candidates × check).
std::vector<ActionAllowed> WhatCan(const Policy& policy, std::string_view principal,
                                   std::string_view resource, Context context = {},
                                   AssertedGroups groups = {});

// ---- what a Policy holds, for review tools -----------------------------------

// Every principal the bundle names (SPEC §14's set, the candidates of
// WhoCan), sorted bytewise. Views into the Policy. Cost: O(n log n).
std::vector<std::string_view> NamedPrincipals(const Policy& policy);
// The catalog's actions (their spelling in the bundle), in catalog order.
std::vector<std::string_view> CatalogActions(const Policy& policy);
// The ids of the bundle's rules, each list in bundle order (for coverage:
// which rules decided some query). Views into the Policy.
struct RuleIds {
  std::vector<std::string_view> assignments, deny_assignments, statements;
};
RuleIds ListRules(const Policy& policy);

// ---- diff(old, new) (SPEC §14) -------------------------------------------------

// The segment of the synthetic child that stands for a scope's unnamed
// descendants ("below"): the first of "rolegate-below", "rolegate-below-1",
// ... that no scope of either bundle and no statement resource pattern holds
// (case-insensitively). Every unnamed descendant decides alike except where a
// statement's resource glob tells them apart; the diff names such statements
// in its rule lines.
struct DiffRow {
  std::string principal;
  std::string scope;  // as the bundle spells it (the new bundle's spelling when both name it)
  bool below = false;
  std::vector<std::string> gained, lost;  // catalog spellings, sorted bytewise
};

// A statement, or an assignment or deny assignment with a condition (in
// either bundle; for an assignment also one on its role's permission
// blocks), that was added, removed or changed (in content, or through its
// role's content for an assignment). A rule unchanged itself is "changed"
// when its reach changed: a group it names (principals: those whose
// membership moved), a catalog entry its action set covers, or a scope
// parent below its scope (principals: all it reaches).
struct RuleChange {
  std::string kind;    // "statement", "assignment" or "deny_assignment"
  std::string id;
  std::string change;  // "added", "removed" or "changed"
  std::vector<std::string> principals;  // every principal it reaches in either bundle, sorted
};

struct DiffOptions {
  std::string principal;   // non-empty: only rows and rule lines for this principal
  std::string scope;       // non-empty: only rows whose scope is this scope or below it (either bundle's hierarchy)
  uint64_t max_rows = 0;   // non-zero: stop after this many rows (summary.truncated)
};

struct DiffSummary {
  uint64_t rows = 0, rule_changes = 0;
  uint64_t gained = 0, lost = 0;   // actions over all rows
  uint64_t principals = 0;         // principals either bundle names
  uint64_t classes = 0;            // resource classes (named scopes × {exact, below})
  uint64_t actions = 0;            // actions of either catalog
  uint64_t decisions = 0;          // (principal, class, action) pairs re-decided
  bool truncated = false;          // max_rows cut the rows short
  std::string below_segment;       // see above
};

struct DiffResult {
  std::vector<DiffRow> rows;  // sorted by principal, then scope (lower-cased), exact before below
  std::vector<RuleChange> rules;  // sorted by kind, then id
  DiffSummary summary;
};

// Decides which decisions differ between two bundles, with an empty context
// and no asserted groups. Either bundle failing to compile: InvalidArgument
// ("old bundle: ..." / "new bundle: ..."), and its diagnostics in
// *old_diags / *new_diags (either may be null).
// Cost: both bundles are loaded and compiled; then only the rules that
// changed are followed: the principals they reach (through group
// membership), the classes under their scopes and the actions they cover are
// re-decided; a changed catalog entry re-decides that action everywhere, a
// changed scope parent the subtree below it. Identical bundles, and copies
// with their lists shuffled, re-decide nothing.
absl::StatusOr<DiffResult> Diff(std::string_view old_json, std::string_view new_json,
                                const DiffOptions& options, std::vector<Diagnostic>* old_diags,
                                std::vector<Diagnostic>* new_diags);

}  // namespace rolegate

#endif  // ROLEGATE_REVIEW_H_
