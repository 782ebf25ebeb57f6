// lib/import/azure_internal.h — the Azure importer's stages, shared by
// azure.cc (roles, assignments, deny assignments, hierarchy, groups) and
// azure_catalog.cc (the action catalog). Internal to lib/import.
#ifndef ROLEGATE_LIB_IMPORT_AZURE_INTERNAL_H_
#define ROLEGATE_LIB_IMPORT_AZURE_INTERNAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "import/azure.h"
#include "import/json_input.h"
#include "import/report.h"
#include "rolegate/bundle.h"

namespace rolegate::internal::azure_import {

using import_json::InputError;
using import_json::Node;

// One action pattern as read, before the catalog is known.
struct Lit {
  std::string text;  // surrounding blanks already stripped
  std::string ptr;
};

// The four lists of a permission block, in Azure's order.
enum ListKind { kActions = 0, kNotActions = 1, kDataActions = 2, kNotDataActions = 3 };
inline bool IsDataList(int k) { return k >= kDataActions; }

struct RawBlock {
  std::vector<Lit> lists[4];
  std::optional<model::Str> condition;
  std::string ptr;
};

// Where a role or deny assignment came from.
struct Origin {
  const std::string* file = nullptr;
  std::string ptr;
};

struct RawRole {
  std::string id, name;
  std::vector<RawBlock> blocks;
  bool has_scopes = false;
  model::StrList scopes;
  Origin origin;
};

struct RawDeny {
  std::string id, scope;
  model::StrList principals, exclude_principals;
  std::vector<RawBlock> blocks;
  bool apply_to_children = true;
  std::optional<std::string> condition;
  Origin origin;
};

// The action catalog once resolved: folded name -> (spelling, data).
struct Catalog {
  bool from_operations = false;  // false: built from the literals the rules name
  absl::flat_hash_map<std::string, size_t> index;  // ASCII-lower name -> actions[i]
  std::vector<model::Action> actions;
  // nullptr when `name` (any case) is not in the catalog.
  const model::Action* Find(std::string_view name) const;
};

// Builds the catalog from the operations files (if any) and the literals of
// `roles` and `denies`; reports both-kinds and case-variant names. Sorted by
// folded name. Throws InputError on a malformed operations file.
Catalog BuildCatalog(const std::vector<AzureImportInputs::File>& operations, const std::vector<RawRole>& roles,
                     const std::vector<RawDeny>& denies, ImportReport* report);

// True when `s` holds `*` or `?` (a pattern, not a literal).
inline bool IsWild(std::string_view s) {
  return s.find('*') != std::string_view::npos || s.find('?') != std::string_view::npos;
}

// Fails at `n` when `s` is over the bundle's string limit (4096 bytes).
void CheckBundleString(const Node& n, std::string_view s);

// Shared readers (azure.cc), each throwing InputError at the offending node.
// An array, or a REST list page {"value": [...]}; a page with a nextLink is
// refused (a missing deny or member could widen access).
std::vector<Node> ListOf(const Node& root);
// `properties` in the REST shape, else the object itself (az CLI shape).
Node Props(const Node& n);
// The ARM resource's GUID, lower-case: `name`, else the last segment of `id`.
std::string ResourceGuid(const Node& n, const char* what);
// The node as a GUID, lower-case.
std::string Guid(const Node& n, const char* what);
// The node as a valid bundle scope.
model::Str Scope(const Node& n);
// holder.condition (with holder.conditionVersion): kept as written; "" is none.
std::optional<model::Str> Condition(const Node& holder, ImportReport* report);

// The stages after the catalog (azure_scopes.cc).
// Group memberships: fills out->groups.
void ReadGroupMembers(const std::vector<AzureImportInputs::File>& files, model::Bundle* out, ImportReport* report);
// Role assignments: fills out->assignments; `roles` are the imported roles.
void ReadAssignments(const std::vector<AzureImportInputs::File>& files, model::Bundle* out, ImportReport* report);
// The management-group hierarchy: fills out->scope_parents.
void ReadManagementGroups(const std::vector<AzureImportInputs::File>& files, model::Bundle* out,
                          ImportReport* report);

}  // namespace rolegate::internal::azure_import

#endif  // ROLEGATE_LIB_IMPORT_AZURE_INTERNAL_H_
