// rolegate/internal/policy_data.h — the shape of a compiled decision table.
//
// Everything a query needs was resolved at compile time:
//  - strings are interned to dense ids (principals case-sensitively, actions
//    and scope segments ASCII-lower-cased);
//  - action globs are expanded over the closed catalog into bitsets, one per
//    distinct set (roles and deny assignments share identical sets);
//  - group membership is closed transitively: each principal carries the
//    list of principals (itself + every group containing it) that make up P;
//  - the scope tree of every scope the bundle names is numbered in pre-order,
//    so "A is an ancestor-or-self of N" is two integer compares
//    (A.pre <= N.pre < A.end);
//  - each principal's assignments are sorted by pre-order with a link to the
//    nearest enclosing entry of the same principal ("up"), so the entries on
//    the path from the root to a resource are found by one (branch-free)
//    binary search over packed keys and a walk up;
//  - deny assignments likewise, and every scope node names the deepest deny
//    on its path, so step 4 walks only the denies on the path, unsearched.
// A query is therefore: a few hash probes (principal, action, one per known
// scope segment), then per member of P a binary search and bit tests.
//
// Room to grow: conditions can hang off GrantEntry/DenyEntry by index (a
// condition id beside `set`), explicit scope parents only change how nodes
// are numbered, and reverse queries can be answered from the same arrays.
#ifndef ROLEGATE_INTERNAL_POLICY_DATA_H_
#define ROLEGATE_INTERNAL_POLICY_DATA_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "rolegate/internal/text.h"
#include "rolegate/query.h"


namespace rolegate::internal {

inline constexpr uint32_t kNone = 0xFFFFFFFFu;

struct RouteTable;  // lib/eval/routes.h
struct MatchTable;  // lib/eval/match.h


// Owns the bytes of every interned string; views into it stay valid for the
// table's lifetime (blocks never move).
class Arena {
 public:
  std::string_view Add(std::string_view s);
  size_t bytes() const { return bytes_; }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0, cap_ = 0, bytes_ = 0;
};

// Scopes may have at most this many segments, whatever the limits say (it
// sizes the stack array of a query's segment boundaries).
inline constexpr uint32_t kMaxScopeSegments = 1000;

struct ScopeNode {
  uint32_t pre = 0;   // pre-order number
  uint32_t end = 0;   // one past the last pre-order number in the subtree
  // Levels below the root in the hierarchy (which follows scope_parents,
  // so it can differ from the number of path segments): Explain's "deepest".
  uint32_t depth = 0;
  // The deepest deny entry on the path from the root to this node (the last
  // one in `denies` whose interval holds `pre`), or kNone: its `up` chain is
  // exactly the deny assignments on the path, so step 4 visits nothing else.
  uint32_t deny_top = kNone;
};

// An assignment, placed in its principal's sorted list: the 16 bytes the
// walk of step 6 reads (four entries per cache line).
struct GrantEntry {
  uint32_t pre, end;   // the assignment scope's interval
  uint32_t up;         // index (within the same principal's span) of the nearest enclosing entry
  uint32_t set;        // the role's action set
};
// The rest of a grant, at the same index: read only for restricted actions
// and by Explain.
struct GrantInfo {
  uint32_t node;       // scope node
  uint32_t assignment; // index in the bundle's assignments (order, id)
};

struct DenyEntry {
  uint32_t pre, end, up, set, node;
  uint32_t deny;       // index in the bundle's deny_assignments
  uint32_t cond;       // condition (MatchTable), or kNone
  uint32_t principals_begin, principals_end;  // sorted principal ids
  uint32_t excludes_begin, excludes_end;      // sorted principal ids
  bool everyone;
  bool self_only;      // apply_to_children: false
};

struct StatementEntry {
  bool deny;
  bool not_resources;                  // matches a resource no pattern matches
  uint32_t set;                        // actions (not_actions already complemented)
  uint32_t patterns_begin, patterns_end;  // resource patterns in MatchTable
  uint32_t cond;                       // condition (MatchTable), or kNone
  uint32_t statement;                  // bundle order
};

// An assignment (or one permission block of its role) that holds only when
// a condition does: kept apart from GrantEntry so that queries whose
// candidates carry no condition read exactly what they read before.
struct CondGrant {
  uint32_t pre, end;    // the assignment scope's interval
  uint32_t set;         // the block's action set
  uint32_t node;        // scope node
  uint32_t assignment;  // index in the bundle's assignments
  uint32_t cond;        // condition (MatchTable)
};

struct PrincipalInfo {
  uint32_t closure_begin = 0, closure_end = 0;   // P: ids in `closure`
  uint32_t grants_begin = 0, grants_end = 0;     // own assignments in `grants`
  uint32_t stmts_begin = 0, stmts_end = 0;       // own statements in `principal_statements`
  bool closure_has_statements = false;           // any member of P has statements
  bool closure_has_cgrants = false;              // any member of P has conditional grants
};

enum ActionFlags : uint8_t {
  kActionData = 1,
  kActionRestricted = 2,   // has effective_only_at
  kActionDenied = 4,       // some deny assignment covers it
};

// Which fields a mapping rule names, as bits of MappingKey::mask.
inline constexpr uint8_t kMaskWorkload = 1, kMaskProject = 2, kMaskUser = 4;
// The set (bit m for field mask m, as Cloud::masks_present) of the masks
// that include `field`.
constexpr uint8_t MasksWith(uint8_t field) {
  uint8_t set = 0;
  for (unsigned m = 0; m < 8; ++m)
    if (m & field) set |= static_cast<uint8_t>(1u << m);
  return set;
}

// A mapping rule's key. The hash uses the hashes of project and user, which
// resolve computes once per query rather than once per probe (up to 8);
// equality still compares the strings.
struct MappingKey {
  uint32_t cloud;
  uint8_t mask;  // bit 0 workload_type, bit 1 project, bit 2 user
  uint8_t workload_type;
  absl::string_view project, user;
  size_t project_hash = 0, user_hash = 0;  // FieldHash of each, 0 when absent

  static size_t FieldHash(absl::string_view s) { return absl::Hash<absl::string_view>{}(s); }
  void SetProject(absl::string_view p, size_t hash) { project = p; project_hash = hash; }
  void SetUser(absl::string_view u, size_t hash) { user = u; user_hash = hash; }

  friend bool operator==(const MappingKey& a, const MappingKey& b) {
    return a.cloud == b.cloud && a.mask == b.mask && a.workload_type == b.workload_type &&
           a.project == b.project && a.user == b.user;
  }
  template <typename H>
  friend H AbslHashValue(H h, const MappingKey& k) {
    return H::combine(std::move(h), k.cloud, k.mask, k.workload_type, k.project_hash, k.user_hash);
  }
};

struct Cloud {
  std::string_view id, default_identity;  // default empty = none
  uint8_t masks_present = 0;              // bit m set: some rule uses field mask m
};

struct Mapping {
  std::string_view id, identity;
};

struct PolicyData {
  Arena arena;

  // Actions: lower-cased name -> id; flags and original spelling by id.
  absl::flat_hash_map<absl::string_view, uint32_t> action_ids;
  std::vector<std::string_view> action_names;
  std::vector<uint8_t> action_flags;
  size_t max_action_len = 0;

  // Action sets (of roles, deny assignments, statements), stored by action:
  // bit s of action a's row (words [a*set_row_words, (a+1)*set_row_words))
  // says whether set s holds a. A query has one action, so every set test
  // it makes reads the same short row, which stays in cache.
  uint32_t set_row_words = 0;
  std::vector<uint64_t> action_sets;
  bool SetHas(uint32_t set, uint32_t action) const {
    return (action_sets[size_t{action} * set_row_words + (set >> 6)] >> (set & 63)) & 1;
  }

  // (node << 32 | action) for restricted actions effective at a node that
  // carries assignments.
  absl::flat_hash_set<uint64_t> effective_at;

  // Principals.
  absl::flat_hash_map<absl::string_view, uint32_t> principal_ids;
  std::vector<std::string_view> principal_names;
  std::vector<PrincipalInfo> principals;
  std::vector<uint32_t> closure;  // sorted ascending within each span
  std::vector<GrantEntry> grants;
  std::vector<GrantInfo> grant_info;
  // grants[i].pre, packed: the per-member search reads 16 keys per cache
  // line instead of 2.7 entries.
  std::vector<uint32_t> grant_pre;
  std::vector<uint32_t> principal_statements;  // statement indices, ascending

  // Scope tree; node 0 is the root "/". Every known scope's lower-cased full
  // path (no trailing '/') -> its node.
  absl::flat_hash_map<absl::string_view, uint32_t> scope_paths;
  std::vector<ScopeNode> nodes;
  uint32_t max_depth = 0;

  // Deny assignments sorted by pre-order.
  std::vector<DenyEntry> denies;
  std::vector<uint32_t> deny_principal_ids;

  // Conditional grants, grouped by principal: principal p's are
  // [cgrant_offsets[p], cgrant_offsets[p + 1]). Kept out of PrincipalInfo so
  // that it stays 28 bytes (the unconditional path reads it for every member).
  std::vector<CondGrant> cond_grants;
  std::vector<uint32_t> cgrant_offsets;

  // Statements in bundle order.
  std::vector<StatementEntry> statements;

  // What the check path matches out of line (lib/eval/match.h): statement
  // resource patterns, compiled conditions and the context keys they read.
  // Opaque here so that no public header pulls in the condition modules.
  std::unique_ptr<MatchTable> match;

  // Rule ids for Explain, by bundle index.
  std::vector<std::string_view> assignment_ids, deny_ids, statement_ids;

  // Workload identity.
  absl::flat_hash_map<absl::string_view, uint32_t> cloud_ids;
  std::vector<Cloud> clouds;
  absl::flat_hash_map<MappingKey, uint32_t> mappings_by_key;
  std::vector<Mapping> mappings;

  // Gateway routes (lib/eval/routes.h; opaque here so that no public header
  // pulls in RE2). Null when the bundle has none.
  std::unique_ptr<RouteTable> routes;

  // Query-side limits (SPEC §3 step 1), taken from the compile Limits.
  size_t max_resource_bytes = 4096;
  uint32_t max_query_segments = 64;

  // Counts for Stats.
  uint64_t n_roles = 0, n_groups = 0, n_assignments = 0;

  PolicyData();
  ~PolicyData();
};


// ---- The out-of-line half of the check path (lib/eval/match.cc) ------------
// Statement resource patterns and conditions are matched by non-inline
// functions: they are read only for principals that have statements or
// conditional rules, and they keep the condition modules out of the public
// headers.

// Per-query state shared by those functions: the query's context and, once
// a condition or policy variable first reads it, the context indexed by key
// id (built at most once per query, into thread-local storage that is
// reused, so a warm thread allocates nothing).
struct QueryState {
  const Context* context = nullptr;  // null: an empty context
  const ContextEntry* const* by_key = nullptr;
  uint32_t n_keys = 0;
  bool built = false;
  QueryState() = default;
  QueryState(const QueryState&) = delete;
  QueryState& operator=(const QueryState&) = delete;
  ~QueryState();
};

// Whether a statement's resource patterns (its not_resources inverted)
// cover `resource`.
bool MatchStatementResource(const PolicyData& d, const StatementEntry& s, std::string_view resource,
                            bool is_scope, QueryState* qs);
// Whether condition `cond` holds for the query (action id `action`).
bool EvalCondition(const PolicyData& d, uint32_t cond, uint32_t action, QueryState* qs);
// SPEC §10, §13: a context within the limits (keys, string bytes, values a
// key) with no key given twice (case-insensitively), and asserted groups
// within their limit with no empty id.
bool ContextIsValid(const Context& c);
bool GroupsAreValid(const AssertedGroups& g);
void ReleaseQueryState(QueryState* qs);

inline QueryState::~QueryState() {
  if (built) ReleaseQueryState(this);
}

}  // namespace rolegate::internal

#endif  // ROLEGATE_INTERNAL_POLICY_DATA_H_
