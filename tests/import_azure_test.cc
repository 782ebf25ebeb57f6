// import_azure_test.cc — lib/import/azure.h on the real Azure data (every
// built-in role, every provider operation) plus generated assignments, a
// management-group chain, group memberships and deny assignments in the az
// CLI / REST / Microsoft Graph shapes; the imported bundle must compile and
// give the decisions Microsoft documents. Then every malformed input: an
// error naming the file and the JSON pointer. And the CLI's `import`.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "import/azure.h"
#include "import/report.h"
#include "model/writer.h"
#include "rolegate/import.h"
#include "rolegate/policy.h"

namespace rolegate {
namespace {

using internal::AzureImportInputs;
using internal::ImportReport;

// Built-in role GUIDs (the same in every tenant).
constexpr char kReader[] = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
constexpr char kContributor[] = "b24988ac-6180-42a0-ab88-20f7382dd24c";
constexpr char kOwner[] = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
constexpr char kBlobReader[] = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";

// Entra object ids of the generated principals.
constexpr char kUserReader[] = "11111111-0000-4000-8000-000000000001";
constexpr char kUserContrib[] = "11111111-0000-4000-8000-000000000002";
constexpr char kUserOwner[] = "11111111-0000-4000-8000-000000000003";
constexpr char kUserAlice[] = "11111111-0000-4000-8000-000000000004";
constexpr char kUserBob[] = "11111111-0000-4000-8000-000000000005";
constexpr char kUserBlob[] = "11111111-0000-4000-8000-000000000006";
constexpr char kGroupTeam[] = "22222222-0000-4000-8000-000000000001";
constexpr char kGroupSre[] = "22222222-0000-4000-8000-000000000002";

constexpr char kTenant[] = "33333333-0000-4000-8000-000000000000";
constexpr char kSubId[] = "8f2b6c1e-0c4d-4b8e-9a51-3d7e2f6a9b10";
const std::string kSub = absl::StrCat("/subscriptions/", kSubId);
const std::string kRgCompute = kSub + "/resourceGroups/rg-compute";
const std::string kVm = kRgCompute + "/providers/Microsoft.Compute/virtualMachines/vm-web-01";
const std::string kRgProd = kSub + "/resourceGroups/rg-prod";
const std::string kProdVm = kRgProd + "/providers/Microsoft.Compute/virtualMachines/vm-prod-01";
const std::string kContainer =
    kSub + "/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata01/blobServices/default/containers/raw";
const std::string kMgPrefix = "/providers/Microsoft.Management/managementGroups/";

std::string SharedDir() {
  const char* env = std::getenv("ROLEGATE_SHARED_DIR");  // a git worktree has no ../shared
  return env && *env ? env : ROLEGATE_SHARED_DIR;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- Generated inputs, in the shapes the tools print --------------------------

// One `az role assignment list` entry. `role` is a GUID or a full id.
std::string AzAssignment(const std::string& id, const std::string& principal, const std::string& type,
                         const std::string& role, const std::string& scope, const std::string& condition = "",
                         const std::string& version = "") {
  const std::string cond = condition.empty() ? "null" : absl::StrCat("\"", condition, "\"");
  const std::string ver = version.empty() ? "null" : absl::StrCat("\"", version, "\"");
  return absl::StrCat(R"({"condition": )", cond, R"(, "conditionVersion": )", ver,
                      R"(, "createdOn": "2026-01-01T00:00:00Z", "delegatedManagedIdentityResourceId": null,)",
                      R"( "id": ")", scope, "/providers/Microsoft.Authorization/roleAssignments/", id,
                      R"(", "name": ")", id, R"(", "principalId": ")", principal, R"(", "principalType": ")", type,
                      R"(", "roleDefinitionId": ")", role, R"(", "roleDefinitionName": "x", "scope": ")", scope,
                      R"(", "type": "Microsoft.Authorization/roleAssignments"})");
}

std::string Assignments() {
  const std::string full_reader = absl::StrCat(kSub, "/providers/Microsoft.Authorization/roleDefinitions/", kReader);
  std::vector<std::string> a = {
      AzAssignment("aaaaaaaa-0000-4000-8000-000000000001", kUserReader, "User", full_reader, kSub),
      AzAssignment("aaaaaaaa-0000-4000-8000-000000000002", kUserContrib, "User", kContributor, kSub),
      // upper-case GUIDs (az prints lower case, hand-made files may not)
      AzAssignment("AAAAAAAA-0000-4000-8000-000000000003", absl::AsciiStrToUpper(std::string(kUserOwner)), "User",
                   absl::AsciiStrToUpper(std::string(kOwner)), kSub),
      AzAssignment("aaaaaaaa-0000-4000-8000-000000000004", kGroupTeam, "Group",
                   absl::StrCat("/providers/Microsoft.Authorization/roleDefinitions/", kReader),
                   kMgPrefix + "mg-platform"),
      AzAssignment("aaaaaaaa-0000-4000-8000-000000000005", kUserBlob, "User", kBlobReader, kContainer,
                   "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags:project] "
                   "StringEquals 'cascade'",
                   "2.0"),
  };
  std::string out = "[\n";
  for (size_t i = 0; i < a.size(); ++i) absl::StrAppend(&out, i ? ",\n" : "", a[i]);
  return out + "\n]\n";
}

// `az account management-group entities list`: tenant root > mg-platform >
// mg-prod > the subscription.
std::string Entities() {
  auto mg = [](const std::string& name, const std::string& parent) {
    const std::string p = parent.empty() ? "null" : absl::StrCat(R"({"id": ")", kMgPrefix, parent, R"("})");
    return absl::StrCat(R"({"displayName": ")", name, R"(", "id": ")", kMgPrefix, name, R"(", "name": ")", name,
                        R"(", "parent": )", p, R"(, "permissions": "view", "tenantId": ")", kTenant,
                        R"(", "type": "Microsoft.Management/managementGroups"})");
  };
  return absl::StrCat("[", mg(kTenant, ""), ",\n", mg("mg-platform", kTenant), ",\n", mg("mg-prod", "mg-platform"),
                      ",\n", R"({"displayName": "prod", "id": ")", kSub, R"(", "name": ")", kSubId,
                      R"(", "parent": {"id": ")", kMgPrefix, R"(mg-prod"}, "type": "/subscriptions"}])");
}

// Graph: the team group holds alice and the SRE group (one page), which
// holds bob (the plain-list form).
std::string GroupMembers() {
  return absl::StrCat(R"({")", kGroupTeam, R"(": {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects", "value": [)",
                      R"({"@odata.type": "#microsoft.graph.user", "id": ")", kUserAlice, R"(", "displayName": "Alice"},)",
                      R"({"@odata.type": "#microsoft.graph.group", "id": ")", kGroupSre, R"("}]},)", "\n",
                      R"(")", kGroupSre, R"(": [")", kUserBob, R"("]})");
}

// REST: everyone may not delete VMs in rg-prod (a deny with two blocks, one
// of them conditioned).
std::string Denies() {
  return absl::StrCat(
      R"({"value": [{"id": ")", kRgProd, R"(/providers/Microsoft.Authorization/denyAssignments/dddddddd-0000-4000-8000-000000000001",)",
      R"( "name": "dddddddd-0000-4000-8000-000000000001", "type": "Microsoft.Authorization/denyAssignments",)",
      R"( "properties": {"denyAssignmentName": "no-vm-delete", "description": "", "isSystemProtected": true,)",
      R"( "permissions": [{"actions": ["Microsoft.Compute/virtualMachines/delete"], "notActions": [], "dataActions": [], "notDataActions": []},)",
      R"( {"actions": ["Microsoft.Compute/virtualMachines/write"], "condition": "@Request[tag] StringEquals 'frozen'", "conditionVersion": "2.0"}],)",
      R"( "scope": ")", kRgProd, R"(", "doNotApplyToChildScopes": false,)",
      R"( "principals": [{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}],)",
      R"( "excludePrincipals": [{"id": ")", kUserAlice, R"(", "type": "User"}]}}]})");
}

struct Imported {
  absl::Status status;
  model::Bundle bundle;
  ImportReport report;
  std::string json;
};

Imported Import(const AzureImportInputs& in) {
  Imported out;
  out.status = internal::ImportAzure(in, &out.bundle, &out.report);
  if (out.status.ok()) out.json = internal::WriteBundleJson(out.bundle);
  return out;
}

AzureImportInputs RealInputs(bool with_hierarchy = true) {
  const std::string raw = SharedDir() + "/data/azure/raw/";
  AzureImportInputs in;
  in.role_definitions = {{"role-definitions.json", ReadFile(raw + "role-definitions.json")}};
  in.operations = {{"provider-operations.json", ReadFile(raw + "provider-operations.json")}};
  in.role_assignments = {{"assignments.json", Assignments()}};
  in.group_members = {{"members.json", GroupMembers()}};
  in.deny_assignments = {{"denies.json", Denies()}};
  if (with_hierarchy) in.management_groups = {{"entities.json", Entities()}};
  return in;
}

std::unique_ptr<Policy> MustCompile(const std::string& json) {
  std::vector<Diagnostic> diags;
  auto p = Compile(json, Limits{}, &diags);
  std::string errors;
  for (const auto& d : diags)
    if (d.severity == Severity::kError) errors += FormatDiagnostic(d) + "\n";
  EXPECT_TRUE(p.ok()) << p.status() << "\n" << errors.substr(0, 4000);
  return p.ok() ? std::move(*p) : nullptr;
}

class RealAzure : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    imported_ = new Imported(Import(RealInputs()));
    if (imported_->status.ok()) policy_ = MustCompile(imported_->json).release();
  }
  static void TearDownTestSuite() {
    delete policy_;
    delete imported_;
  }
  void SetUp() override {
    // Like the other real-data tests, skip on a checkout without the data
    // (a user's); present but failing is a failure.
    if (ReadFile(SharedDir() + "/data/azure/raw/role-definitions.json").empty())
      GTEST_SKIP() << "no Azure data under " << SharedDir() << " (set ROLEGATE_SHARED_DIR)";
    ASSERT_TRUE(imported_->status.ok()) << imported_->status << " (set ROLEGATE_SHARED_DIR?)";
    ASSERT_NE(policy_, nullptr);
  }
  static Imported* imported_;
  static Policy* policy_;
};
Imported* RealAzure::imported_ = nullptr;
Policy* RealAzure::policy_ = nullptr;

TEST_F(RealAzure, SummaryFigures) {
  const ImportReport& r = imported_->report;
  const model::Bundle& b = imported_->bundle;
  EXPECT_EQ(b.roles.size(), 928u);
  EXPECT_EQ(r.imported.at("roles"), 928u);
  // 22,497 distinct operation names (convert.py's catalog_from_operations);
  // 4,241 data actions = its 4,292 minus the 51 data literals it adds.
  EXPECT_EQ(b.actions.size(), 22497u);
  EXPECT_EQ(r.imported.at("data_actions"), 4241u);
  EXPECT_EQ(r.imported.at("providers"), 323u);
  EXPECT_EQ(r.imported.at("permission_blocks"), 946u);
  EXPECT_EQ(r.imported.at("roles_with_several_blocks"), 16u);
  EXPECT_EQ(r.imported.at("role_conditions"), 31u);  // 31 conditioned blocks of 29 roles, all kept
  EXPECT_EQ(r.imported.at("assignments"), 5u);
  EXPECT_EQ(r.imported.at("assignment_conditions"), 1u);
  EXPECT_EQ(r.imported.at("scope_parents"), 3u);
  EXPECT_EQ(r.imported.at("hierarchy_roots"), 1u);
  EXPECT_EQ(r.imported.at("groups"), 2u);
  EXPECT_EQ(r.imported.at("group_memberships"), 3u);  // alice and the SRE group; bob
  EXPECT_EQ(b.deny_assignments.size(), 2u);
  // The data README: 23 names of both kinds, 17 case-only duplicates, 2
  // actions with a trailing blank, 5 literals of the other kind, and 170
  // distinct literals no provider lists (253 uses), each dropped.
  EXPECT_EQ(r.counts.at("both_kinds"), 23u);
  EXPECT_EQ(r.counts.at("case_variants"), 17u);
  EXPECT_EQ(r.counts.at("whitespace"), 2u);
  EXPECT_EQ(r.counts.at("other_kind_literal"), 5u);
  EXPECT_EQ(r.counts.at("unknown_action"), 253u);
  EXPECT_EQ(r.counts.at("deny_split"), 1u);
  EXPECT_EQ(r.counts.size(), 6u) << internal::WriteImportReportJson(r).substr(0, 400);
  std::set<std::string> unknown;
  for (const auto& e : r.entries) {
    EXPECT_FALSE(e.source_file.empty() && e.kind != "catalog_from_literals");
    if (e.kind == "unknown_action") unknown.insert(absl::AsciiStrToLower(e.what));
  }
  EXPECT_EQ(unknown.size(), 170u);
  size_t kept = 0;
  for (const auto& role : b.roles)
    for (const auto& blk : role.permissions) kept += blk.condition.has_value();
  EXPECT_EQ(kept, 31u);
}

TEST_F(RealAzure, ReportEntriesNameFileAndPointer) {
  for (const auto& e : imported_->report.entries) {
    if (e.kind != "both_kinds") continue;
    EXPECT_EQ(e.source_file, "provider-operations.json");
    EXPECT_EQ(e.pointer.rfind("/", 0), 0u) << e.pointer;
  }
  // The README's example: KeyVault keys/read becomes data (the roles use it so).
  const std::string json = internal::WriteImportReportJson(imported_->report);
  EXPECT_NE(json.find("action Microsoft.KeyVault/vaults/keys/read\", \"why\": \"listed"), std::string::npos);
  bool found = false;
  for (const auto& a : imported_->bundle.actions)
    if (a.name.s == "Microsoft.KeyVault/vaults/keys/read") found = a.data;
  EXPECT_TRUE(found);
}

// https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles/general#reader
// "View all resources, but does not allow you to make any changes."
TEST_F(RealAzure, ReaderReadsButDoesNotWriteAVm) {
  EXPECT_EQ(policy_->Check(kUserReader, "Microsoft.Compute/virtualMachines/read", kVm),
            (Decision{true, Reason::kGrant}));
  EXPECT_EQ(policy_->Check(kUserReader, "Microsoft.Compute/virtualMachines/write", kVm),
            (Decision{false, Reason::kNoGrant}));
}

// https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles/privileged#contributor
// "Grants full access to manage all resources, but does not allow you to
// assign roles in Azure RBAC" (NotActions Microsoft.Authorization/*/Write).
TEST_F(RealAzure, ContributorCannotWriteRoleAssignments) {
  EXPECT_EQ(policy_->Check(kUserContrib, "Microsoft.Authorization/roleAssignments/write", kSub),
            (Decision{false, Reason::kNoGrant}));
  EXPECT_TRUE(policy_->Check(kUserContrib, "Microsoft.Compute/virtualMachines/write", kVm).allowed);
  // The upper-case Owner assignment was lower-cased and holds.
  EXPECT_TRUE(policy_->Check(kUserOwner, "Microsoft.Authorization/roleAssignments/write", kSub).allowed);
}

// https://learn.microsoft.com/en-us/azure/role-based-access-control/role-definitions#control-and-data-actions
// "the Owner role ... has an asterisk (*) for Actions ... does not include
// data actions" — the wildcard in Actions never reaches a data action.
TEST_F(RealAzure, OwnersStarGrantsNoDataAction) {
  const std::string blob = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
  EXPECT_EQ(policy_->Check(kUserOwner, blob, kContainer), (Decision{false, Reason::kNoGrant}));
  EXPECT_TRUE(policy_->Check(kUserOwner, "Microsoft.Storage/storageAccounts/write", kContainer).allowed);
}

// https://learn.microsoft.com/en-us/azure/role-based-access-control/scope-overview
// "You can apply scope at four levels: management group, subscription,
// resource group, or resource ... lower levels inherit role permissions from
// higher levels." The team group holds Reader at mg-platform, two levels
// above the subscription; alice is a member, bob a member of a member.
TEST_F(RealAzure, ManagementGroupAssignmentReachesAResourceGroupBelow) {
  for (const char* who : {kUserAlice, kUserBob}) {
    EXPECT_EQ(policy_->Check(who, "Microsoft.Compute/virtualMachines/read", kRgCompute),
              (Decision{true, Reason::kGrant}))
        << who;
    EXPECT_FALSE(policy_->Check(who, "Microsoft.Compute/virtualMachines/write", kRgCompute).allowed) << who;
  }
  // Without the hierarchy, a management group is no ancestor of a
  // subscription (SPEC §12): the same check is denied.
  Imported flat = Import(RealInputs(/*with_hierarchy=*/false));
  ASSERT_TRUE(flat.status.ok()) << flat.status;
  auto p = MustCompile(flat.json);
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->Check(kUserAlice, "Microsoft.Compute/virtualMachines/read", kRgCompute).allowed);
}

// https://learn.microsoft.com/en-us/azure/role-based-access-control/deny-assignments
// "Deny assignments ... block users from performing specific Azure resource
// actions even if a role assignment grants them access"; excluded principals
// are exempt. Everyone (00000000-...) becomes "*".
TEST_F(RealAzure, DenyAssignmentBlocksOwnerButNotExcluded) {
  EXPECT_EQ(policy_->Check(kUserOwner, "Microsoft.Compute/virtualMachines/delete", kProdVm),
            (Decision{false, Reason::kDenyAssignment}));
  EXPECT_TRUE(policy_->Check(kUserOwner, "Microsoft.Compute/virtualMachines/delete", kVm).allowed);
  const auto& d = imported_->bundle.deny_assignments;
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].id.s, "dddddddd-0000-4000-8000-000000000001/0");
  EXPECT_EQ(d[0].principals[0].s, "*");
  EXPECT_EQ(d[0].exclude_principals[0].s, kUserAlice);
  EXPECT_FALSE(d[0].condition.has_value());
  ASSERT_TRUE(d[1].condition.has_value());  // the block's own condition
  // The conditioned block denies only when its condition holds: with no
  // context it does not, so the Owner still writes the VM.
  EXPECT_TRUE(policy_->Check(kUserOwner, "Microsoft.Compute/virtualMachines/write", kProdVm).allowed);
}

// https://learn.microsoft.com/en-us/azure/role-based-access-control/conditions-overview
// "a role assignment condition is an additional check ... the condition must
// be true for the role assignment to grant access". No context: not met.
TEST_F(RealAzure, AssignmentConditionKept) {
  const auto& a = imported_->bundle.assignments[4];
  ASSERT_TRUE(a.condition.has_value());
  EXPECT_EQ(policy_->Check(kUserBlob, "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
                           kContainer),
            (Decision{false, Reason::kConditionNotMet}));
}

TEST_F(RealAzure, Deterministic) {
  Imported again = Import(RealInputs());
  ASSERT_TRUE(again.status.ok());
  EXPECT_EQ(again.json, imported_->json);
  EXPECT_EQ(internal::WriteImportReportJson(again.report), internal::WriteImportReportJson(imported_->report));
}

// ---- Small inputs ----------------------------------------------------------------

constexpr char kOneRoleAz[] = R"([{"assignableScopes": ["/"], "id": "/providers/Microsoft.Authorization/roleDefinitions/AB000000-0000-4000-8000-000000000001",
  "name": "AB000000-0000-4000-8000-000000000001", "roleName": "R", "roleType": "CustomRole",
  "permissions": [{"actions": ["A.B/x/read", "A.B/*/write"], "notActions": ["A.B/y/write"], "dataActions": ["A.B/d/read"],
                   "notDataActions": [], "condition": null, "conditionVersion": null}]}])";

constexpr char kOneRoleRest[] = R"({"value": [{"id": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/ab000000-0000-4000-8000-000000000001",
  "name": "not-a-guid", "type": "Microsoft.Authorization/roleDefinitions",
  "properties": {"roleName": "R", "type": "CustomRole", "description": "d", "assignableScopes": ["/"],
   "permissions": [{"actions": ["A.B/x/read", "A.B/*/write"], "notActions": ["A.B/y/write"], "dataActions": ["A.B/d/read"]}]}}]})";

constexpr char kOps[] = R"([{"name": "A.B", "operations": [{"name": "A.B/x/read", "isDataAction": false}],
  "resourceTypes": [{"name": "y", "operations": [{"name": "A.B/y/write", "isDataAction": false},
                                                  {"name": "A.B/d/read", "isDataAction": true}]}]}])";

Imported ImportRoles(const std::string& roles, const std::string& ops = kOps) {
  AzureImportInputs in;
  in.role_definitions = {{"roles.json", roles}};
  if (!ops.empty()) in.operations = {{"ops.json", ops}};
  return Import(in);
}

TEST(ImportAzure, RestShapeEqualsAzShape) {
  Imported az = ImportRoles(kOneRoleAz), rest = ImportRoles(kOneRoleRest);
  ASSERT_TRUE(az.status.ok()) << az.status;
  ASSERT_TRUE(rest.status.ok()) << rest.status;
  EXPECT_EQ(az.json, rest.json);
  ASSERT_EQ(az.bundle.roles.size(), 1u);
  const model::Role& r = az.bundle.roles[0];
  EXPECT_EQ(r.id.s, "ab000000-0000-4000-8000-000000000001");  // lower-cased
  EXPECT_FALSE(r.has_permissions);  // one unconditioned block: the four lists
  EXPECT_EQ(r.actions.size(), 2u);
  ASSERT_TRUE(r.has_assignable_scopes);
  EXPECT_EQ(r.assignable_scopes[0].s, "/");
}

TEST(ImportAzure, WithoutOperationsTheCatalogIsTheLiterals) {
  Imported im = ImportRoles(kOneRoleAz, "");
  ASSERT_TRUE(im.status.ok()) << im.status;
  ASSERT_EQ(im.bundle.actions.size(), 3u);  // the three literals; the glob adds none
  EXPECT_EQ(im.report.counts.at("catalog_from_literals"), 1u);
  EXPECT_TRUE(im.bundle.actions[0].data);  // a.b/d/read sorts first, named in dataActions
}

TEST(ImportAzure, UnknownLiteralDroppedGlobKeptBlocksKept) {
  const std::string roles = R"([{"name": "ab000000-0000-4000-8000-000000000002", "roleName": "Blocks",
    "permissions": [{"actions": ["A.B/x/read", "A.B/gone/read", "A.B/*/read"]},
                    {"dataActions": ["A.B/d/read"], "condition": "@Resource[t] StringEquals 'v'", "conditionVersion": "1.0"}]}])";
  Imported im = ImportRoles(roles);
  ASSERT_TRUE(im.status.ok()) << im.status;
  const model::Role& r = im.bundle.roles[0];
  ASSERT_TRUE(r.has_permissions);
  ASSERT_EQ(r.permissions.size(), 2u);
  ASSERT_EQ(r.permissions[0].actions.size(), 2u);
  EXPECT_EQ(r.permissions[0].actions[1].s, "A.B/*/read");
  ASSERT_TRUE(r.permissions[1].condition.has_value());
  EXPECT_FALSE(r.has_assignable_scopes);
  ASSERT_EQ(im.report.entries.size(), 1u);
  EXPECT_EQ(im.report.entries[0].kind, "unknown_action");
  EXPECT_EQ(im.report.entries[0].source_file, "roles.json");
  EXPECT_EQ(im.report.entries[0].pointer, "/0/permissions/0/actions/1");
  EXPECT_NE(MustCompile(im.json), nullptr);
}

TEST(ImportAzure, IdenticalDuplicateRoleImportedOnce) {
  std::string two = std::string(kOneRoleAz);
  two = two.substr(0, two.size() - 1) + "," + two.substr(1);
  Imported im = ImportRoles(two);
  ASSERT_TRUE(im.status.ok()) << im.status;
  EXPECT_EQ(im.bundle.roles.size(), 1u);
  EXPECT_EQ(im.report.counts.at("duplicate"), 1u);
}

TEST(ImportAzure, RestAssignmentsDenyConditionsAndReportedCases) {
  AzureImportInputs in;
  in.role_definitions = {{"roles.json", kOneRoleAz}};
  in.operations = {{"ops.json", kOps}};
  const std::string rid = "ab000000-0000-4000-8000-000000000001";
  const std::string a = absl::StrCat(R"({"id": "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/aa000000-0000-4000-8000-000000000001",
    "name": "aa000000-0000-4000-8000-000000000001", "properties": {"principalId": "22222222-0000-4000-8000-000000000009",
    "principalType": "Group", "roleDefinitionId": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/)",
                                     rid, R"(", "scope": "/subscriptions/s"}})");
  in.role_assignments = {{"assignments.json", absl::StrCat(R"({"value": [)", a, ",", a, "]}")}};
  in.deny_assignments = {{"denies.json", R"({"value": [{"name": "dd000000-0000-4000-8000-000000000001", "properties": {
    "scope": "/subscriptions/s", "doNotApplyToChildScopes": true, "principals": [{"id": "22222222-0000-4000-8000-000000000009"}],
    "condition": "@Request[a] StringEquals 'x'", "conditionVersion": "2.0",
    "permissions": [{"actions": ["A.B/x/read"], "condition": "@Request[b] StringEquals 'y'"}]}},
    {"name": "dd000000-0000-4000-8000-000000000002", "properties": {"scope": "/", "principals": [], "permissions": []}}]})"}};
  in.management_groups = {{"entities.json", R"({"value": [{"id": "/x", "type": "Microsoft.Resources/resourceGroups"}]})"}};
  Imported im = Import(in);
  ASSERT_TRUE(im.status.ok()) << im.status;
  ASSERT_EQ(im.bundle.assignments.size(), 1u);
  EXPECT_EQ(im.bundle.assignments[0].role.s, rid);
  ASSERT_EQ(im.bundle.deny_assignments.size(), 1u);
  const model::DenyAssignment& d = im.bundle.deny_assignments[0];
  EXPECT_FALSE(d.apply_to_children);
  ASSERT_TRUE(d.condition.has_value());
  EXPECT_EQ(d.condition->s, "(@Request[a] StringEquals 'x') AND (@Request[b] StringEquals 'y')");
  for (const char* kind : {"duplicate", "group_members_unknown", "conditions_joined", "empty_deny", "unknown_entity"})
    EXPECT_EQ(im.report.counts[kind], 1u) << kind;
  EXPECT_NE(MustCompile(im.json), nullptr);
  // The same assignment id saying something else is an error.
  const std::string b = absl::StrReplaceAll(a, {{"/subscriptions/s\"}}", "/subscriptions/t\"}}"}});
  in.role_assignments = {{"assignments.json", absl::StrCat("[", a, ",", b, "]")}};
  Imported clash = Import(in);
  EXPECT_FALSE(clash.status.ok());
  EXPECT_NE(std::string(clash.status.message()).find("assignments.json: /1: role assignment"), std::string::npos)
      << clash.status;
}

// The public entry point (rolegate/import.h) the CLI, the C ABI and the
// bindings share: the same bytes as the library call; bad source and kinds.
TEST(ImportPolicy, PublicEntryPoint) {
  auto r = ImportPolicy("azure", {{"roles", "roles.json", kOneRoleAz}, {"operations", "ops.json", kOps}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->bundle_json, ImportRoles(kOneRoleAz).json);
  EXPECT_EQ(r->report_json.rfind("{\n  \"counts\"", 0), 0u);
  EXPECT_FALSE(ImportPolicy("gcp", {}).ok());
  auto bad_kind = ImportPolicy("azure", {{"rolez", "x", kOneRoleAz}});
  ASSERT_FALSE(bad_kind.ok());
  EXPECT_NE(std::string(bad_kind.status().message()).find("input 0: unknown azure input kind \"rolez\""),
            std::string::npos);
  auto bad = ImportPolicy("azure", {{"roles", "r.json", "[1]"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.status().message()).rfind("r.json: /0: expected an object", 0), 0u) << bad.status();
}

// An independent check of the importers against real role definitions
// found three ways an import could state more access than its input:
// duplicate keys (the DOM's first value won), a bundle that does not
// compile exiting 0, and an AWS listing with pages missing.
TEST(ImportPolicy, DuplicateKeysBadConditionsAndMissingPagesAreErrors) {
  constexpr char kDup[] = R"([{"name": "ab000000-0000-4000-8000-000000000001", "roleName": "R", "assignableScopes": ["/"],
    "permissions": [{"actions": ["A.B/x/read"], "notActions": [], "notActions": ["A.B/x/read"]}]}])";
  auto dup = ImportPolicy("azure", {{"roles", "r.json", kDup}, {"operations", "ops.json", kOps}});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(std::string(dup.status().message()), "r.json: /0/permissions/0: duplicate key \"notActions\"");

  constexpr char kBadCond[] = R"([{"name": "ab000000-0000-4000-8000-000000000001", "roleName": "R", "assignableScopes": ["/"],
    "permissions": [{"actions": ["A.B/x/read"], "condition": "@Request[x] StringEquals", "conditionVersion": "2.0"}]}])";
  auto cond = ImportPolicy("azure", {{"roles", "r.json", kBadCond}, {"operations", "ops.json", kOps}});
  ASSERT_FALSE(cond.ok());
  EXPECT_NE(std::string(cond.status().message()).find("does not compile"), std::string::npos) << cond.status();
  EXPECT_NE(std::string(cond.status().message()).find("/roles/0/permissions/0/condition"), std::string::npos);

  constexpr char kPage1[] = R"({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
    "IsTruncated": true, "Marker": "m1"})";
  constexpr char kLast[] = R"({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
    "IsTruncated": false})";
  auto one = ImportPolicy("aws", {{"authorization_details", "p1.json", kPage1}});
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(std::string(one.status().message()).rfind("p1.json: /IsTruncated: this is one page", 0), 0u) << one.status();
  EXPECT_TRUE(ImportPolicy("aws", {{"authorization_details", "p1.json", kPage1},
                                   {"authorization_details", "p2.json", kLast}}).ok());
}

// Microsoft documents Anyscale.Platform/admin/action as "currently only
// effective at subscription scope"; no export says so, so the importer adds
// the effective_only_at the shared reference bundle has.
TEST(ImportPolicy, DocumentedScopeRestrictionIsKept) {
  constexpr char kRole[] = R"([{"name": "3e9f3756-0000-4000-8000-000000000001", "roleName": "Anyscale admin",
    "assignableScopes": ["/"], "permissions": [{"dataActions": ["Anyscale.Platform/admin/action"]}]}])";
  constexpr char kAssign[] = R"([{"principalId": "11111111-1111-4111-8111-111111111111",
    "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/3e9f3756-0000-4000-8000-000000000001",
    "scope": "/subscriptions/s1/resourceGroups/rg", "name": "22222222-2222-4222-8222-222222222222"}])";
  auto r = ImportPolicy("azure", {{"roles", "r.json", kRole}, {"assignments", "a.json", kAssign}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NE(r->bundle_json.find(R"("effective_only_at": ["/subscriptions/*"])"), std::string::npos) << r->bundle_json;
  auto p = MustCompile(r->bundle_json);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->Check("11111111-1111-4111-8111-111111111111", "anyscale.platform/admin/action",
                     "/subscriptions/s1/resourceGroups/rg").reason,
            Reason::kNotEffectiveAtScope);
}

TEST(ImportAzure, NoRoleDefinitionsIsAnError) {
  model::Bundle b;
  ImportReport r;
  EXPECT_FALSE(internal::ImportAzure(AzureImportInputs{}, &b, &r).ok());
}

// ---- Malformed inputs: an error naming the file and the JSON pointer -------------

struct BadCase {
  const char* name;
  const char* file;  // which input holds `text`: roles, assignments, denies, mgs, members, ops
  std::string text;
  std::string where;  // "FILE: POINTER:" expected in the message
  std::string what;   // a word of the message
};

std::vector<BadCase> BadCases() {
  const std::string r0 = R"([{"name": "ab000000-0000-4000-8000-000000000001", "permissions": [)";
  const std::string a = R"([{"name": "aa000000-0000-4000-8000-000000000001", "principalId": "ab000000-0000-4000-8000-000000000009", "roleDefinitionId": "ab000000-0000-4000-8000-000000000001", "scope": "/subscriptions/s")";
  const std::string d = R"({"value": [{"name": "dd000000-0000-4000-8000-000000000001", "properties": {"scope": "/", "permissions": [], )";
  const std::string g = "ab000000-0000-4000-8000-00000000000a";
  return {
      {"truncated roles", "roles", r0, "roles.json: (document):", "malformed JSON at line 1"},
      {"roles root a string", "roles", R"("x")", "roles.json: (document):", "expected an array"},
      {"roles value not array", "roles", R"({"value": {}})", "roles.json: /value:", "expected an array"},
      {"permissions an object", "roles", R"([{"name": "ab000000-0000-4000-8000-000000000001", "permissions": {}}])",
       "roles.json: /0/permissions:", "expected an array"},
      {"action a number", "roles", r0 + R"({"actions": ["A.B/x/read", 7]}]}])", "roles.json: /0/permissions/0/actions/1:",
       "expected a string"},
      {"no guid", "roles", R"([{"name": "reader", "id": "/x/reader"}])", "roles.json: /0:", "no GUID"},
      {"unknown block key", "roles", r0 + R"({"actions": [], "deny": true}]}])", "roles.json: /0/permissions/0/deny:",
       "unknown key"},
      {"condition not a string", "roles", r0 + R"({"condition": 3}]}])", "roles.json: /0/permissions/0/condition:",
       "expected a string"},
      {"condition over 4096 bytes", "roles", r0 + R"({"condition": ")" + std::string(5000, 'x') + R"("}]}])",
       "roles.json: /0/permissions/0/condition:", "limit"},
      {"bad assignable scope", "roles", R"([{"name": "ab000000-0000-4000-8000-000000000001", "assignableScopes": ["subscriptions/x"]}])",
       "roles.json: /0/assignableScopes/0:", "must start with '/'"},
      {"conflicting duplicate role", "roles",
       R"([{"name": "ab000000-0000-4000-8000-000000000001", "roleName": "a"}, {"name": "ab000000-0000-4000-8000-000000000001", "roleName": "b"}])",
       "roles.json: /1:", "differently"},
      {"unknown role id", "assignments", R"([{"name": "aa000000-0000-4000-8000-000000000001", "principalId": "ab000000-0000-4000-8000-000000000009", "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/ffffffff-0000-4000-8000-000000000001", "scope": "/"}])",
       "assignments.json: /0/roleDefinitionId:", "unknown role definition ffffffff"},
      {"missing principalId", "assignments", R"([{"name": "aa000000-0000-4000-8000-000000000001", "roleDefinitionId": "x", "scope": "/"}])",
       "assignments.json: /0:", "missing field \"principalId\""},
      {"principal not a guid", "assignments", R"([{"name": "aa000000-0000-4000-8000-000000000001", "principalId": "alice", "roleDefinitionId": "x", "scope": "/"}])",
       "assignments.json: /0/principalId:", "not a GUID"},
      {"scope with //", "assignments", a.substr(0, a.size() - 1) + R"(//rg"}])", "assignments.json: /0/scope:", "empty segment"},
      {"truncated assignments", "assignments", a, "assignments.json: (document):", "malformed JSON"},
      {"assignments page with nextLink", "assignments", R"({"value": [], "nextLink": "https://x"})", "assignments.json: (document):", "nextLink"},
      {"deny without principals", "denies", d + R"("x": 1}}]})", "denies.json: /value/0/properties:", "missing field \"principals\""},
      {"deny excludes everyone", "denies",
       d + R"("principals": [], "excludePrincipals": [{"id": "00000000-0000-0000-0000-000000000000"}]}}]})",
       "denies.json: /value/0/properties/excludePrincipals/0/id:", "cannot be excluded"},
      {"deny child flag a string", "denies", d + R"("principals": [], "doNotApplyToChildScopes": "yes"}}]})",
       "denies.json: /value/0/properties/doNotApplyToChildScopes:", "expected a boolean"},
      {"entity parent bad scope", "mgs", R"([{"id": "/subscriptions/s", "type": "/subscriptions", "parent": {"id": "mg1"}}])",
       "entities.json: /0/parent/id:", "must start with '/'"},
      {"entity two parents", "mgs",
       R"([{"id": "/subscriptions/s", "type": "/subscriptions", "parent": {"id": "/a"}}, {"id": "/subscriptions/S", "type": "/subscriptions", "parent": {"id": "/b"}}])",
       "entities.json: /1:", "two different parents"},
      {"entity without id", "mgs", R"([{"type": "/subscriptions", "parent": {"id": "/a"}}])", "entities.json: /0:", "missing field \"id\""},
      {"group key not a guid", "members", R"({"team": []})", "members.json: /team:", "not a GUID"},
      {"member without id", "members", R"({")" + g + R"(": {"value": [{"@odata.type": "#microsoft.graph.user"}]}})",
       "members.json: /" + g + "/value/0:", "missing field \"id\""},
      {"member page with nextLink", "members", R"({")" + g + R"(": {"value": [], "@odata.nextLink": "https://graph"}})",
       "members.json: /" + g + ":", "nextLink"},
      {"members root an array", "members", "[]", "members.json: (document):", "expected an object"},
      {"isDataAction a string", "ops", R"([{"operations": [{"name": "A.B/x/read", "isDataAction": "false"}]}])",
       "ops.json: /0/operations/0/isDataAction:", "expected a boolean"},
      {"operation without name", "ops", R"([{"resourceTypes": [{"operations": [{"isDataAction": true}]}]}])",
       "ops.json: /0/resourceTypes/0/operations/0:", "missing field \"name\""},
      {"trailing garbage", "ops", "[] x", "ops.json: (document):", "malformed JSON"},
  };
}

TEST(ImportAzure, EveryMalformedInputNamesFileAndPointer) {
  const std::string role = R"([{"name": "ab000000-0000-4000-8000-000000000001"}])";
  for (const BadCase& c : BadCases()) {
    AzureImportInputs in;
    const std::string f = c.file;
    in.role_definitions = {{"roles.json", f == "roles" ? c.text : role}};
    if (f == "assignments") in.role_assignments = {{"assignments.json", c.text}};
    if (f == "denies") in.deny_assignments = {{"denies.json", c.text}};
    if (f == "mgs") in.management_groups = {{"entities.json", c.text}};
    if (f == "members") in.group_members = {{"members.json", c.text}};
    if (f == "ops") in.operations = {{"ops.json", c.text}};
    Imported im = Import(in);
    ASSERT_FALSE(im.status.ok()) << c.name;
    const std::string msg(im.status.message());
    EXPECT_EQ(msg.rfind(c.where, 0), 0u) << c.name << ": " << msg;
    EXPECT_NE(msg.find(c.what), std::string::npos) << c.name << ": " << msg;
  }
}

// Every prefix of a valid input is an error or an import, never a crash.
TEST(ImportAzure, TruncationsNeverCrash) {
  const std::string full = Assignments();
  for (size_t n = 0; n < full.size(); n += 7) {
    AzureImportInputs in;
    in.role_definitions = {{"roles.json", absl::StrCat("[", R"({"name": ")", kReader, R"("})", "]")}};
    in.role_assignments = {{"assignments.json", full.substr(0, n)}};
    Imported im = Import(in);
    EXPECT_FALSE(im.status.ok()) << n;
    EXPECT_EQ(std::string(im.status.message()).rfind("assignments.json: ", 0), 0u) << im.status;
  }
}

// ---- The CLI --------------------------------------------------------------------

struct CliRun {
  int code = -1;
  std::string out, err;
};

CliRun RunCli(const std::vector<std::string>& args) {
  // Per process: ctest runs the tests of this file in parallel processes.
  const std::string dir = ::testing::TempDir(), tag = std::to_string(getpid());
  const std::string out_path = dir + "/import_out." + tag, err_path = dir + "/import_err." + tag;
  std::vector<std::string> argv_s = {ROLEGATE_CLI_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0) _exit(127);
    dup2(o, 1);
    dup2(e, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  CliRun r;
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) r.code = WEXITSTATUS(status);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  return r;
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + std::to_string(getpid()) + "." + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(ImportCli, HelpNamesEveryInput) {
  const CliRun top = RunCli({"import", "--help"});
  EXPECT_EQ(top.code, 0);
  const CliRun az = RunCli({"import", "azure", "--help"});
  EXPECT_EQ(az.code, 0);
  for (const char* flag : {"--roles", "--assignments", "--deny-assignments", "--management-groups",
                           "--group-members", "--operations"}) {
    EXPECT_NE(top.out.find(flag), std::string::npos) << flag;
    EXPECT_NE(az.out.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(az.out.find("--report"), std::string::npos);
  EXPECT_NE(top.out.find("--authorization-details"), std::string::npos);
  EXPECT_EQ(RunCli({"import", "gcp"}).code, 2);
  EXPECT_EQ(RunCli({"import", "azure"}).code, 2);  // --roles is required
  EXPECT_EQ(RunCli({"import", "azure", "--roles"}).code, 2);
  EXPECT_EQ(RunCli({"import", "azure", "--bogus", "x"}).code, 2);
}

TEST(ImportCli, ImportsAndReports) {
  const std::string roles = WriteTemp("cli_roles.json", kOneRoleAz);
  const std::string ops = WriteTemp("cli_ops.json", kOps);
  const std::string report = ::testing::TempDir() + "/cli_report." + std::to_string(getpid()) + ".json";
  const CliRun r = RunCli({"import", "azure", "--roles", roles, "--operations=" + ops, "--report", report});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, ImportRoles(kOneRoleAz).json);
  EXPECT_EQ(ReadFile(report).rfind("{\n  \"counts\"", 0), 0u);
  const CliRun to_stderr = RunCli({"import", "azure", "--roles", roles});
  EXPECT_EQ(to_stderr.code, 0);
  EXPECT_NE(to_stderr.err.find("\"catalog_from_literals\""), std::string::npos);
}

TEST(ImportCli, BadInputExitsOneNamingFileAndPointer) {
  const std::string roles = WriteTemp("cli_bad_roles.json", R"([{"name": 5}])");
  const CliRun r = RunCli({"import", "azure", "--roles", roles});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find(roles + ": /0/name: expected a string"), std::string::npos) << r.err;
  EXPECT_EQ(RunCli({"import", "azure", "--roles", roles + ".missing"}).code, 1);
  // Control characters of the input reach the message escaped: one line.
  const std::string ctl = WriteTemp("cli_ctl_roles.json",
                                    R"([{"name": "ab000000-0000-4000-8000-000000000001", "assignableScopes": ["/a\nb\u001b[31m"]}])");
  const CliRun c = RunCli({"import", "azure", "--roles", ctl});
  EXPECT_EQ(c.code, 1);
  EXPECT_NE(c.err.find("/a\\u000ab\\u001b[31m"), std::string::npos) << c.err;
  EXPECT_EQ(c.err.find('\x1b'), std::string::npos);
  EXPECT_EQ(c.err.find('\n'), c.err.size() - 1);
}

}  // namespace
}  // namespace rolegate
