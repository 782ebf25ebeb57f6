// lib/import/azure.h — `rolegate import azure` (SPEC §16): Azure RBAC as the
// az CLI and the ARM REST API print it -> the public bundle model
// (rolegate/bundle.h) and an import report (import/report.h).
//
// Inputs (each a JSON file; every kind but role definitions optional, and
// each kind may be given as several files, read in the order given):
//
// - Role definitions: `az role definition list` (an array of definitions
//   with roleName, name = GUID, id, permissions[], assignableScopes) or the
//   REST shape (`{"value": [...]}` or an array, each definition's fields
//   under `properties`). Role id = the definition GUID, lower-case (`name`,
//   else the last segment of `id`). Each permission block keeps actions,
//   notActions, dataActions, notDataActions and condition (conditionVersion
//   1.0 and 2.0 alike: the condition text is kept as written). A role with
//   one block and no condition gets the four lists; any other role keeps its
//   blocks as `permissions` (a block's not-lists subtract from that block
//   only, as in Azure). assignableScopes -> assignable_scopes ("/" stays "/").
// - Role assignments: `az role assignment list` (array; principalId,
//   principalType, roleDefinitionId as a full id or a GUID, scope,
//   condition, conditionVersion; id/name) or REST (`properties`). Id = the
//   assignment GUID. An unknown role id is an error.
// - Deny assignments: the REST list (`{"value": [...]}`, fields under
//   `properties`: permissions[], principals[], excludePrincipals[],
//   doNotApplyToChildScopes, scope, condition). The everyone principal
//   (00000000-0000-0000-0000-000000000000, type SystemDefined) becomes `*`.
//   A deny with several permission blocks becomes one deny assignment per
//   block (`GUID/0`, `GUID/1`, ...: exact, since each block's not-lists
//   subtract from that block only; reported). A block condition and the
//   deny's own condition are joined with AND (reported).
// - Management groups: `az account management-group entities list` (array
//   of entities with id, type, parent.id; or REST with `properties`). Every
//   management group and subscription with a parent becomes a scope parent
//   {scope: id, parent: parent.id}; other entity types are reported.
// - Group members: a JSON object mapping a group's object id to its
//   members as Microsoft Graph lists them (`GET /groups/{id}/members` or
//   `/transitiveMembers`): `{"GROUP": {"value": [{"id": ..., "@odata.type":
//   ...}, ...]}}`, or `{"GROUP": [MEMBER, ...]}` where MEMBER is such an
//   object or a bare id string. A page with `@odata.nextLink` is an error
//   (a missing member would escape deny assignments made to the group).
// - Operations: `az provider operation list` / `show` (an array of
//   providers, or `{"value": [...]}`, each with operations[] and
//   resourceTypes[].operations[], each operation with name and
//   isDataAction). isDataAction gives the kind. A name listed as both kinds
//   takes the kind the roles use it as (literals in data lists vs control
//   lists), else the majority of its listings, else control; names that
//   differ only in case are folded to the most frequent spelling (ties: the
//   smallest in byte order). Each such name is reported. Without an
//   operations file the catalog is every literal action the roles and deny
//   assignments name, its kind from the list it is in (data only when never
//   named in a control list); reported once.
//
// Principals are Entra object ids: GUIDs, lower-cased. Surrounding blanks
// in an action are stripped (reported). A literal action not in the
// operations catalog is reported and dropped: the bundle's catalog is
// closed, and a query for an action it lacks is denied, so dropping never
// widens a grant nor narrows a deny that could apply. Wildcard patterns are
// kept as written. An empty action string is reported and dropped.
//
// Errors (InvalidArgument, message "FILE: POINTER: what is wrong"):
// malformed JSON (with line and column), a wrong type, a missing field, an
// id or principal that is not a GUID, a scope that is not a valid bundle
// scope, a string over the bundle's 4096-byte limit, an unknown role id in
// an assignment, an unknown key in a permission block, a duplicate role,
// assignment or scope parent that disagrees with the first one. Unknown
// keys elsewhere (metadata such as createdOn) are ignored.
#ifndef ROLEGATE_LIB_IMPORT_AZURE_H_
#define ROLEGATE_LIB_IMPORT_AZURE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "import/report.h"
#include "rolegate/bundle.h"

namespace rolegate::internal {

// The importer's inputs: file contents in memory, each with the name that
// errors and report entries use. Borrowed for the duration of ImportAzure.
struct AzureImportInputs {
  using File = std::pair<std::string /*name*/, std::string /*contents*/>;
  std::vector<File> role_definitions;  // at least one
  std::vector<File> role_assignments;
  std::vector<File> deny_assignments;
  std::vector<File> management_groups;
  std::vector<File> group_members;
  std::vector<File> operations;
};

// Imports `in` into *out (replaced) and appends to *report; see the top of
// this file for the mapping. Deterministic: the same inputs give the same
// bundle and report (catalog sorted by ASCII-lower-cased name, everything
// else in input order). Never throws (allocation failure aside); *out is
// unspecified after an error.
// Cost: linear in the input size plus O(catalog log catalog); memory about
// ten times the largest file while it runs (simdjson's DOM), plus the model.
absl::Status ImportAzure(const AzureImportInputs& in, model::Bundle* out, ImportReport* report);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_IMPORT_AZURE_H_
