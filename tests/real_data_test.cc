// real_data_test.cc — compiles the real-world bundles in /work/shared/data
// (every Azure built-in role; every AWS managed policy) and checks facts the
// clouds document about them. Skipped, with a message, when the data is absent.
//
// Azure facts come from Microsoft's built-in roles reference
// (learn.microsoft.com/azure/role-based-access-control/built-in-roles):
// Reader "view all resources, but does not allow you to make any changes";
// Contributor "does not allow you to assign roles in Azure RBAC"; Owner's "*"
// is control plane only, so it grants no data action; Key Vault Secrets User
// "read secret contents"; Key Vault Reader "cannot read sensitive values such
// as secret contents"; and so on, one comment per fact below. AWS facts come
// from the managed policies' documents (AmazonS3ReadOnlyAccess allows s3:Get*
// and s3:List* on "*", AWSDenyAll denies "*", ...).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "rolegate/policy.h"
#include "rolegate/types.h"

namespace rolegate {
namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Show(Decision d) {
  return std::string(d.allowed ? "allow/" : "deny/") + std::string(ReasonName(d.reason));
}

// One loaded and compiled bundle, shared by a test suite.
struct Loaded {
  bool present = false;
  bool compiled = false;
  std::string path;
  std::string failure;
  std::vector<Diagnostic> diags;
  std::unique_ptr<Policy> policy;
  double compile_ms = 0;
};

void LoadBundle(const std::string& relative, Loaded* out) {
  out->path = std::string(ROLEGATE_SHARED_DIR) + "/data/" + relative;
  std::optional<std::string> text = ReadFile(out->path);
  if (!text) return;
  out->present = true;
  auto start = std::chrono::steady_clock::now();
  auto p = Compile(*text, Limits{}, &out->diags);
  auto end = std::chrono::steady_clock::now();
  out->compile_ms = std::chrono::duration<double, std::milli>(end - start).count();
  if (!p.ok()) {
    out->failure = std::string(p.status().message());
    int shown = 0;
    for (const auto& d : out->diags) {
      if (d.severity == Severity::kError && shown++ < 20) out->failure += "\n  " + FormatDiagnostic(d);
    }
    return;
  }
  out->compiled = true;
  out->policy = std::move(*p);
  Policy::Stats s = out->policy->GetStats();
  size_t warnings = 0;
  for (const auto& d : out->diags) warnings += d.severity == Severity::kWarning;
  std::cout << "[   INFO   ] " << relative << ": " << text->size() << " bytes compiled in " << out->compile_ms
            << " ms; table_bytes=" << s.table_bytes << " actions=" << s.actions << " roles=" << s.roles
            << " principals=" << s.principals << " groups=" << s.groups << " assignments=" << s.assignments
            << " statements=" << s.statements << " scope_nodes=" << s.scope_nodes << " warnings=" << warnings
            << std::endl;
  // Warnings by kind (the message with quoted parts elided).
  std::map<std::string, size_t> kinds;
  const std::regex quoted("\"[^\"]*\"");
  for (const auto& d : out->diags) {
    if (d.severity == Severity::kWarning) ++kinds[std::regex_replace(d.message, quoted, "\"…\"")];
  }
  for (const auto& [kind, n] : kinds) std::cout << "[   INFO   ]   " << n << " × " << kind << std::endl;
}

struct Fact {
  std::string principal;
  std::string action;
  std::string resource;
  bool allowed;
  Reason reason;
  std::string rule;  // the rule Explain must name ("" for none)
  std::string why;   // the documented fact
};

void ExpectFacts(const Policy& p, const std::vector<Fact>& facts) {
  for (const Fact& f : facts) {
    SCOPED_TRACE(f.why);
    const Decision want{f.allowed, f.reason};
    Decision got = p.Check(f.principal, f.action, f.resource);
    EXPECT_EQ(got, want) << f.principal << " " << f.action << " " << f.resource << ": got " << Show(got)
                         << ", want " << Show(want);
    Explanation e = p.Explain(f.principal, f.action, f.resource);
    EXPECT_EQ(e.decision, want) << "Explain: " << Show(e.decision);
    EXPECT_EQ(e.rule, f.rule) << f.principal << " " << f.action << " " << f.resource;
    Decision ids = p.CheckIds(p.FindPrincipal(f.principal), p.FindAction(f.action), f.resource);
    EXPECT_EQ(ids, want) << "CheckIds: " << Show(ids);
  }
}

// ============================================================================
// Azure built-in roles
// ============================================================================

const std::string kSub = "/subscriptions/8f2b6c1e-0c4d-4b8e-9a51-3d7e2f6a9b10";
const std::string kVm = kSub + "/resourceGroups/rg-compute/providers/Microsoft.Compute/virtualMachines/vm-web-01";
const std::string kVm2 = kSub + "/resourceGroups/rg-compute/providers/Microsoft.Compute/virtualMachines/vm-web-02";
const std::string kRgCompute = kSub + "/resourceGroups/rg-compute";
const std::string kRgData = kSub + "/resourceGroups/rg-data";
const std::string kAccount = kRgData + "/providers/Microsoft.Storage/storageAccounts/stdata01";
const std::string kContainerRaw = kAccount + "/blobServices/default/containers/raw";
const std::string kVault = kRgData + "/providers/Microsoft.KeyVault/vaults/kv-app-01";
const std::string kRegistry =
    kSub + "/resourceGroups/rg-containers/providers/Microsoft.ContainerRegistry/registries/acrprod01";
const std::string kCluster =
    kSub + "/resourceGroups/rg-containers/providers/Microsoft.ContainerService/managedClusters/aks-prod";

const char kVmRead[] = "Microsoft.Compute/virtualMachines/read";
const char kVmWrite[] = "Microsoft.Compute/virtualMachines/write";
const char kRaWrite[] = "Microsoft.Authorization/roleAssignments/write";
const char kBlobRead[] = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
const char kBlobWrite[] = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write";
const char kGetSecret[] = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
const char kSetSecret[] = "Microsoft.KeyVault/vaults/secrets/setSecret/action";

class AzureBundle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    loaded_ = new Loaded;
    LoadBundle("azure/azure-builtin.bundle.json", loaded_);
  }
  static void TearDownTestSuite() {
    delete loaded_;
    loaded_ = nullptr;
  }
  void SetUp() override {
    if (!loaded_->present) GTEST_SKIP() << "real data absent: " << loaded_->path;
    ASSERT_TRUE(loaded_->compiled) << loaded_->path << " does not compile: " << loaded_->failure;
  }
  static const Policy& P() { return *loaded_->policy; }
  static Loaded* loaded_;
};
Loaded* AzureBundle::loaded_ = nullptr;

TEST_F(AzureBundle, CompilesWithWarningsOnly) {
  size_t errors = 0, never_assigned = 0;
  const std::regex role_ptr("^/roles/[0-9]+(/id)?$");
  for (const auto& d : loaded_->diags) {
    errors += d.severity == Severity::kError;
    if (d.severity == Severity::kWarning && std::regex_match(d.pointer, role_ptr)) ++never_assigned;
  }
  EXPECT_EQ(errors, 0u);
  // 928 roles, 25 of them assigned (data/README.md: "903 roles never assigned").
  EXPECT_EQ(never_assigned, 903u);
  // data/README.md: "1,026 warnings (903 roles never assigned, 118 patterns
  // matching nothing, 5 literals of the other kind)".
  size_t warnings = 0, patterns = 0, literals = 0;
  for (const auto& d : loaded_->diags) {
    if (d.severity != Severity::kWarning) continue;
    ++warnings;
    patterns += d.message.find("matches no catalog action") != std::string::npos;
    literals += d.message.find("listed as the other kind") != std::string::npos;
  }
  EXPECT_EQ(patterns, 118u);
  EXPECT_EQ(literals, 5u);
  EXPECT_EQ(warnings, 1026u);
  Policy::Stats s = P().GetStats();
  EXPECT_EQ(s.actions, 22667u);
  EXPECT_EQ(s.roles, 928u);
  EXPECT_EQ(s.assignments, 29u);
  EXPECT_EQ(s.groups, 2u);
  EXPECT_GT(s.table_bytes, 0u);
  RecordProperty("compile_ms", std::to_string(loaded_->compile_ms));
  RecordProperty("table_bytes", std::to_string(s.table_bytes));
}

TEST_F(AzureBundle, ReaderViewsEverythingChangesNothing) {
  ExpectFacts(P(), {
      {"user:reader-at-sub", kVmRead, kVm, true, Reason::kGrant, "a-reader-sub", "Reader may read a VM"},
      {"user:reader-at-sub", kVmWrite, kVm, false, Reason::kNoGrant, "", "Reader may not write a VM"},
      {"user:reader-at-sub", "Microsoft.Authorization/roleAssignments/read", kSub, true, Reason::kGrant,
       "a-reader-sub", "Reader may list role assignments"},
      {"user:reader-at-sub", kRaWrite, kSub, false, Reason::kNoGrant, "", "Reader may not assign roles"},
      {"user:reader-at-sub", kBlobRead, kContainerRaw, false, Reason::kNoGrant, "",
       "Reader's */read is control plane: no blob data"},
      {"user:reader-at-sub", kGetSecret, kVault, false, Reason::kNoGrant, "", "Reader reads no secret contents"},
      {"user:reader-at-sub", "Microsoft.KeyVault/vaults/keys/read", kVault, false, Reason::kNoGrant, "",
       "keys/read is a data action in this catalog (data/README.md), beyond Reader's */read"},
      {"user:reader-at-sub", kVmRead, "/subscriptions/another-subscription", false, Reason::kNoGrant, "",
       "an assignment reaches its scope and below only"},
      // Scopes compare case-insensitively, actions too.
      {"user:reader-at-sub", "microsoft.compute/VIRTUALMACHINES/read",
       "/SUBSCRIPTIONS/8F2B6C1E-0C4D-4B8E-9A51-3D7E2F6A9B10/resourcegroups/RG-COMPUTE", true, Reason::kGrant,
       "a-reader-sub", "case-insensitive scopes and actions"},
  });
}

TEST_F(AzureBundle, ContributorManagesResourcesButNotAccess) {
  ExpectFacts(P(), {
      {"user:contributor-at-sub", kVmWrite, kVm, true, Reason::kGrant, "a-contributor-sub", "Contributor may write VMs"},
      {"user:contributor-at-sub", "Microsoft.Compute/virtualMachines/delete", kVm, true, Reason::kGrant,
       "a-contributor-sub", "Contributor may delete VMs"},
      {"user:contributor-at-sub", kRaWrite, kSub, false, Reason::kNoGrant, "",
       "Contributor may not assign roles (NotActions Microsoft.Authorization/*/Write)"},
      {"user:contributor-at-sub", "Microsoft.Authorization/roleAssignments/delete", kSub, false, Reason::kNoGrant,
       "", "Contributor may not delete role assignments"},
      {"user:contributor-at-sub", "Microsoft.Authorization/roleDefinitions/write", kSub, false, Reason::kNoGrant,
       "", "Contributor may not define roles"},
      {"user:contributor-at-sub", "Microsoft.Authorization/roleAssignments/read", kSub, true, Reason::kGrant,
       "a-contributor-sub", "NotActions removes writes only"},
      {"user:contributor-at-sub", kBlobRead, kContainerRaw, false, Reason::kNoGrant, "",
       "Contributor's * is control plane: no blob data"},
  });
}

TEST_F(AzureBundle, OwnerHasEveryControlActionAndNoDataAction) {
  ExpectFacts(P(), {
      {"user:owner-at-sub", kRaWrite, kSub, true, Reason::kGrant, "a-owner-sub", "Owner may assign roles"},
      {"user:owner-at-sub", kVmWrite, kRgCompute, true, Reason::kGrant, "a-owner-sub", "Owner may write VMs"},
      {"user:owner-at-sub", "Microsoft.Storage/storageAccounts/listKeys/action", kAccount, true, Reason::kGrant,
       "a-owner-sub", "Owner may list storage keys (a control action)"},
      {"user:owner-at-sub", kBlobRead, kContainerRaw, false, Reason::kNoGrant, "",
       "Owner's * grants no data action: blob read"},
      {"user:owner-at-sub", kGetSecret, kVault, false, Reason::kNoGrant, "",
       "Owner's * grants no data action: secret contents"},
      {"user:owner-at-sub", "Microsoft.Compute/virtualMachines/login/action", kVm, false, Reason::kNoGrant, "",
       "Owner's * grants no data action: VM login"},
  });
}

TEST_F(AzureBundle, AccessAdministrators) {
  ExpectFacts(P(), {
      {"user:uaa-at-sub", kRaWrite, kRgData, true, Reason::kGrant, "a-uaa-sub",
       "User Access Administrator may write role assignments"},
      {"user:uaa-at-sub", kVmRead, kRgCompute, true, Reason::kGrant, "a-uaa-sub", "UAA may read everything"},
      {"user:uaa-at-sub", kVmWrite, kRgCompute, false, Reason::kNoGrant, "", "UAA may not manage resources"},
      {"user:rbac-admin-at-sub", kRaWrite, kSub, true, Reason::kGrant, "a-rbac-admin-sub",
       "RBAC Administrator may assign roles"},
      {"user:rbac-admin-at-sub", "Microsoft.Authorization/roleDefinitions/write", kSub, false, Reason::kNoGrant, "",
       "RBAC Administrator may not define roles"},
      {"user:contributor-and-uaa", kRaWrite, kRgData, true, Reason::kGrant, "a-combo-uaa-rg",
       "UAA at rg-data: another role grants what Contributor's NotActions leave out"},
      {"user:contributor-and-uaa", kRaWrite, kRgCompute, false, Reason::kNoGrant, "",
       "UAA's scope is rg-data only"},
  });
}

TEST_F(AzureBundle, VirtualMachineRoles) {
  ExpectFacts(P(), {
      {"user:vm-contributor-at-rg", kVmWrite, kVm, true, Reason::kGrant, "a-vm-contributor-rg",
       "Virtual Machine Contributor manages VMs"},
      {"user:vm-contributor-at-rg", "Microsoft.Compute/virtualMachines/start/action", kVm, true, Reason::kGrant,
       "a-vm-contributor-rg", "Virtual Machine Contributor may start VMs"},
      {"user:vm-contributor-at-rg", "Microsoft.Compute/virtualMachines/login/action", kVm, false, Reason::kNoGrant,
       "", "Virtual Machine Contributor cannot log in to the VM"},
      {"user:vm-contributor-at-rg", "Microsoft.Network/virtualNetworks/write", kRgCompute, false,
       Reason::kNoGrant, "", "nor manage the virtual network it connects to"},
      {"user:vm-contributor-at-rg", kRaWrite, kRgCompute, false, Reason::kNoGrant, "", "nor assign roles"},
      {"user:vm-contributor-at-rg", kVmWrite, kRgData, false, Reason::kNoGrant, "", "only in its resource group"},
      {"user:vm-user-login-at-vm", "Microsoft.Compute/virtualMachines/login/action", kVm, true, Reason::kGrant,
       "a-vm-user-login-vm", "Virtual Machine User Login logs in as a regular user"},
      {"user:vm-user-login-at-vm", "Microsoft.Compute/virtualMachines/loginAsAdmin/action", kVm, false,
       Reason::kNoGrant, "", "but not as administrator"},
      {"user:vm-user-login-at-vm", "Microsoft.Compute/virtualMachines/login/action", kVm2, false, Reason::kNoGrant,
       "", "and only on the VM it is assigned at"},
      {"user:vm-admin-login-at-rg", "Microsoft.Compute/virtualMachines/loginAsAdmin/action", kVm2, true,
       Reason::kGrant, "a-vm-admin-login-rg", "Virtual Machine Administrator Login logs in as administrator"},
  });
}

TEST_F(AzureBundle, StorageRoles) {
  ExpectFacts(P(), {
      {"user:blob-reader-at-container", kBlobRead, kContainerRaw + "/blobs/file.csv", true, Reason::kGrant,
       "a-blob-reader-container", "Storage Blob Data Reader reads blobs at its scope and below"},
      {"user:blob-reader-at-container", kBlobRead, kContainerRaw, true, Reason::kGrant, "a-blob-reader-container",
       "at its scope"},
      {"user:blob-reader-at-container", kBlobRead, kAccount + "/blobServices/default/containers/curated", false,
       Reason::kNoGrant, "", "not in a sibling container"},
      {"user:blob-reader-at-container", kBlobRead, kAccount, false, Reason::kNoGrant, "", "not above its scope"},
      {"user:blob-reader-at-container", kBlobWrite, kContainerRaw, false, Reason::kNoGrant, "",
       "Storage Blob Data Reader does not write"},
      {"user:blob-contributor-at-account", kBlobWrite, kContainerRaw, true, Reason::kGrant,
       "a-blob-contributor-account", "Storage Blob Data Contributor writes blobs"},
      {"user:blob-contributor-at-account",
       "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/modifyPermissions/action", kContainerRaw,
       false, Reason::kNoGrant, "", "but does not set POSIX ACLs"},
      {"user:blob-owner-at-account",
       "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/modifyPermissions/action", kContainerRaw,
       true, Reason::kGrant, "a-blob-owner-account", "Storage Blob Data Owner sets POSIX ACLs"},
      {"user:storage-account-contributor-at-rg", "Microsoft.Storage/storageAccounts/listKeys/action", kAccount,
       true, Reason::kGrant, "a-storage-account-contributor-rg", "Storage Account Contributor may list keys"},
      {"user:storage-account-contributor-at-rg", kBlobRead, kContainerRaw, false, Reason::kNoGrant, "",
       "Storage Account Contributor has no data action"},
  });
}

TEST_F(AzureBundle, KeyVaultRoles) {
  ExpectFacts(P(), {
      {"mi:app-backend", kGetSecret, kVault + "/secrets/db-password", true, Reason::kGrant,
       "a-kv-secrets-user-vault", "Key Vault Secrets User reads secret contents"},
      {"mi:app-backend", kSetSecret, kVault + "/secrets/db-password", false, Reason::kNoGrant, "",
       "Key Vault Secrets User does not write secrets"},
      {"mi:app-backend", kGetSecret, kRgData + "/providers/Microsoft.KeyVault/vaults/kv-app-02", false,
       Reason::kNoGrant, "", "only in the vault it is assigned at"},
      {"mi:app-backend", "Microsoft.KeyVault/vaults/read", kVault, false, Reason::kNoGrant, "",
       "Key Vault Secrets User has no control action"},
      {"user:kv-secrets-officer-at-vault", kSetSecret, kVault, true, Reason::kGrant, "a-kv-secrets-officer-vault",
       "Key Vault Secrets Officer writes secrets"},
      {"user:kv-secrets-officer-at-vault", "Microsoft.KeyVault/vaults/keys/encrypt/action", kVault, false,
       Reason::kNoGrant, "", "but does not use keys"},
      {"user:kv-reader-at-vault", kGetSecret, kVault, false, Reason::kNoGrant, "",
       "Key Vault Reader cannot read secret contents"},
      {"user:kv-reader-at-vault", "Microsoft.KeyVault/vaults/secrets/readMetadata/action", kVault, true,
       Reason::kGrant, "a-kv-reader-vault", "Key Vault Reader reads secret metadata"},
      {"user:kv-admin-at-rg", kGetSecret, kVault, true, Reason::kGrant, "a-kv-admin-rg",
       "Key Vault Administrator performs all data actions"},
  });
}

TEST_F(AzureBundle, ContainerMonitoringTagAndNetworkRoles) {
  ExpectFacts(P(), {
      {"mi:aks-kubelet", "Microsoft.ContainerRegistry/registries/pull/read", kRegistry, true, Reason::kGrant,
       "a-acrpull-registry", "AcrPull pulls"},
      {"mi:aks-kubelet", "Microsoft.ContainerRegistry/registries/push/write", kRegistry, false, Reason::kNoGrant,
       "", "AcrPull does not push"},
      {"sp:ci-pipeline", "Microsoft.ContainerRegistry/registries/push/write", kRegistry, true, Reason::kGrant,
       "a-acrpush-registry", "AcrPush pushes"},
      {"user:aks-cluster-user", "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
       kCluster, true, Reason::kGrant, "a-aks-user-cluster", "AKS Cluster User lists user credentials"},
      {"user:aks-cluster-user", "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
       kCluster, false, Reason::kNoGrant, "", "but not admin credentials"},
      {"user:monitoring-reader-at-sub", "Microsoft.Insights/metrics/read", kSub, true, Reason::kGrant,
       "a-monitoring-reader-sub", "Monitoring Reader reads monitoring data"},
      {"user:monitoring-reader-at-sub", "Microsoft.Insights/alertRules/write", kSub, false, Reason::kNoGrant, "",
       "Monitoring Reader does not write alert rules"},
      {"user:tag-contributor-at-sub", "Microsoft.Resources/tags/write", kRgCompute, true, Reason::kGrant,
       "a-tag-contributor-sub", "Tag Contributor manages tags"},
      {"user:tag-contributor-at-sub", kVmWrite, kRgCompute, false, Reason::kNoGrant, "",
       "Tag Contributor does not manage the resources"},
      {"user:network-contributor-at-rg", "Microsoft.Network/virtualNetworks/write", kSub + "/resourceGroups/rg-network",
       true, Reason::kGrant, "a-network-contributor-rg", "Network Contributor manages networks"},
      {"user:network-contributor-at-rg", "Microsoft.Network/virtualNetworks/write", kRgCompute, false,
       Reason::kNoGrant, "", "in its resource group only"},
  });
}

TEST_F(AzureBundle, GroupsAndEffectiveOnlyAt) {
  ExpectFacts(P(), {
      {"user:bob", kVmWrite, kVm, true, Reason::kGrant, "a-platform-team-rg",
       "bob is in grp:sre, a member of grp:platform-team (Contributor at rg-compute)"},
      {"user:alice", kVmWrite, kVm, true, Reason::kGrant, "a-platform-team-rg", "alice is in grp:platform-team"},
      {"user:bob", kVmWrite, kRgData, false, Reason::kNoGrant, "", "the group's scope is rg-compute"},
      {"user:alice", kRaWrite, kRgCompute, false, Reason::kNoGrant, "", "Contributor still assigns no roles"},
      {"user:anyscale-admin-at-sub", "Anyscale.Platform/admin/action", kSub, true, Reason::kGrant,
       "a-anyscale-admin-sub", "the admin action is effective at subscription scope"},
      {"user:anyscale-admin-at-rg", "Anyscale.Platform/admin/action", kSub + "/resourceGroups/rg-anyscale", false,
       Reason::kNotEffectiveAtScope, "", "but not from a resource-group assignment"},
      {"user:nobody", kVmRead, kSub, false, Reason::kNoGrant, "", "an unknown principal holds nothing"},
      {"user:reader-at-sub", "Microsoft.Compute/virtualMachines/fly/action", kVm, false, Reason::kUnknownAction, "",
       "the catalog is closed"},
  });
}

// ============================================================================
// AWS managed policies (statements only)
// ============================================================================

const std::string kRole = "arn:aws:iam::123456789012:role/";

class AwsBundle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    loaded_ = new Loaded;
    LoadBundle("aws/aws-managed.bundle.json", loaded_);
  }
  static void TearDownTestSuite() {
    delete loaded_;
    loaded_ = nullptr;
  }
  void SetUp() override {
    if (!loaded_->present) GTEST_SKIP() << "real data absent: " << loaded_->path;
    ASSERT_TRUE(loaded_->compiled) << loaded_->path << " does not compile: " << loaded_->failure;
  }
  static const Policy& P() { return *loaded_->policy; }
  static Loaded* loaded_;
};
Loaded* AwsBundle::loaded_ = nullptr;

TEST_F(AwsBundle, CompilesWithWarningsOnly) {
  size_t errors = 0;
  size_t warnings = 0;
  for (const auto& d : loaded_->diags) {
    errors += d.severity == Severity::kError;
    warnings += d.severity == Severity::kWarning;
  }
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(warnings, 7u);  // data/README.md: "compiles; 7 warnings"
  Policy::Stats s = P().GetStats();
  EXPECT_EQ(s.actions, 21503u);
  EXPECT_EQ(s.statements, 5148u);
  EXPECT_GT(s.table_bytes, 0u);
  RecordProperty("compile_ms", std::to_string(loaded_->compile_ms));
  RecordProperty("table_bytes", std::to_string(s.table_bytes));
}

TEST_F(AwsBundle, ReadOnlyPolicies) {
  ExpectFacts(P(), {
      {kRole + "AmazonS3ReadOnlyAccess", "s3:GetObject", "arn:aws:s3:::any-bucket/any/key.txt", true,
       Reason::kStatement, "AmazonS3ReadOnlyAccess/0", "AmazonS3ReadOnlyAccess allows s3:Get* on any ARN"},
      {kRole + "AmazonS3ReadOnlyAccess", "s3:ListBucket", "arn:aws:s3:::any-bucket", true, Reason::kStatement,
       "AmazonS3ReadOnlyAccess/0", "and s3:List*"},
      {kRole + "AmazonS3ReadOnlyAccess", "S3:GETOBJECT", "arn:aws:s3:::any-bucket/k", true, Reason::kStatement,
       "AmazonS3ReadOnlyAccess/0", "actions compare case-insensitively"},
      {kRole + "AmazonS3ReadOnlyAccess", "s3:PutObject", "arn:aws:s3:::any-bucket/any/key.txt", false,
       Reason::kNoGrant, "", "AmazonS3ReadOnlyAccess does not write"},
      {kRole + "AmazonS3ReadOnlyAccess", "s3:DeleteBucket", "arn:aws:s3:::any-bucket", false, Reason::kNoGrant, "",
       "nor delete"},
      {kRole + "AmazonS3ReadOnlyAccess", "ec2:DescribeInstances", "*", false, Reason::kNoGrant, "",
       "nor reach other services"},
      {kRole + "AmazonEC2ReadOnlyAccess", "ec2:DescribeInstances", "*", true, Reason::kStatement,
       "AmazonEC2ReadOnlyAccess/0", "AmazonEC2ReadOnlyAccess allows ec2:Describe*"},
      {kRole + "AmazonEC2ReadOnlyAccess", "ec2:TerminateInstances", "*", false, Reason::kNoGrant, "",
       "but no termination"},
      {kRole + "IAMReadOnlyAccess", "iam:GetUser", "arn:aws:iam::123456789012:user/eve", true, Reason::kStatement,
       "IAMReadOnlyAccess/0", "IAMReadOnlyAccess allows iam:Get*"},
      {kRole + "IAMReadOnlyAccess", "iam:CreateUser", "arn:aws:iam::123456789012:user/eve", false,
       Reason::kNoGrant, "", "but no iam:CreateUser"},
      {kRole + "ReadOnlyAccess", "ec2:DescribeInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", true,
       Reason::kStatement, "ReadOnlyAccess/0", "ReadOnlyAccess describes EC2"},
      {kRole + "ReadOnlyAccess", "ec2:RunInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", false,
       Reason::kNoGrant, "", "ReadOnlyAccess runs nothing"},
      {kRole + "ReadOnlyAccess", "s3:PutObject", "arn:aws:s3:::b/k", false, Reason::kNoGrant, "",
       "ReadOnlyAccess writes nothing"},
  });
}

TEST_F(AwsBundle, FullAccessDenyAllAndSecrets) {
  ExpectFacts(P(), {
      {kRole + "AdministratorAccess", "iam:CreateUser", "arn:aws:iam::123456789012:user/eve", true,
       Reason::kStatement, "AdministratorAccess/0", "AdministratorAccess allows * on *"},
      {kRole + "AmazonS3FullAccess", "s3:PutObject", "arn:aws:s3:::any-bucket/k", true, Reason::kStatement,
       "AmazonS3FullAccess/0", "AmazonS3FullAccess writes objects"},
      {kRole + "AWSDenyAll", "s3:GetObject", "arn:aws:s3:::b/k", false, Reason::kDenyStatement, "AWSDenyAll/0",
       "AWSDenyAll denies everything"},
      {kRole + "AWSCompromisedKeyQuarantineV2", "iam:CreateUser", "arn:aws:iam::123456789012:user/eve", false,
       Reason::kDenyStatement, "AWSCompromisedKeyQuarantineV2/0", "the quarantine policy denies iam:CreateUser"},
      {kRole + "SecretsManagerReadWrite", "secretsmanager:GetSecretValue",
       "arn:aws:secretsmanager:us-west-2:123456789012:secret:gh-token-AbCdEf", true, Reason::kStatement,
       "SecretsManagerReadWrite/0", "SecretsManagerReadWrite reads secrets"},
      {kRole + "SecretsManagerReadWrite", "lambda:InvokeFunction",
       "arn:aws:lambda:us-west-2:123456789012:function:SecretsManagerRotation", true, Reason::kStatement,
       "SecretsManagerReadWrite/1", "it invokes SecretsManager* rotation functions"},
      {kRole + "SecretsManagerReadWrite", "lambda:InvokeFunction",
       "arn:aws:lambda:us-west-2:123456789012:function:other", false, Reason::kNoGrant, "",
       "but no other function"},
      {kRole + "SecretsManagerReadWrite", "lambda:InvokeFunction",
       "arn:aws:lambda:us-west-2:123456789012:function:secretsmanagerRotation", false, Reason::kNoGrant, "",
       "ARN patterns are case-sensitive"},
      {kRole + "SecretsManagerReadWrite", "iam:CreateUser", "arn:aws:iam::123456789012:user/eve", false,
       Reason::kNoGrant, "", "and it creates no users"},
      {kRole + "NotAManagedPolicy", "s3:GetObject", "arn:aws:s3:::b/k", false, Reason::kNoGrant, "",
       "an unknown principal holds nothing"},
      {kRole + "AmazonS3ReadOnlyAccess", "s3:NoSuchAction", "arn:aws:s3:::b/k", false, Reason::kUnknownAction, "",
       "the catalog is closed"},
  });
}

}  // namespace
}  // namespace rolegate
