// lib/import/azure_scopes.cc — the parts of an Azure import that need no
// catalog: group memberships (Microsoft Graph), role assignments (az CLI /
// REST) and the management-group hierarchy (scope parents, SPEC §12).
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "import/azure_internal.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal::azure_import {
namespace {

using File = AzureImportInputs::File;
using import_json::LastSegment;
using import_json::LowerGuid;

// One member as Graph lists it: {"id": GUID, "@odata.type": ...} or a bare
// id string.
std::string MemberId(const Node& m) {
  if (m.IsString()) return Guid(m, "member id");
  return Guid(m.Req("id"), "member id");
}

// A group's member list: {"value": [...]} (one Graph page; a nextLink means
// members are missing, and a missing member would escape a deny made to the
// group) or a plain array.
std::vector<Node> MemberList(const Node& v) {
  if (!v.IsObject()) return v.Items();
  if (v.Opt("@odata.nextLink"))
    v.Fail("this member list is one page of several (@odata.nextLink): give every page's members");
  return v.Req("value").Items();
}

// Assignment ids seen, with what they said, to tell a repeat from a clash.
struct Seen {
  absl::flat_hash_map<std::string, size_t> index;  // id -> out->assignments[i]
};

bool SameAssignment(const model::Assignment& a, const model::Assignment& b) {
  const bool same_condition =
      a.condition.has_value() == b.condition.has_value() && (!a.condition || a.condition->s == b.condition->s);
  return a.principal.s == b.principal.s && a.role.s == b.role.s &&
         AsciiLowerCopy(a.scope.s) == AsciiLowerCopy(b.scope.s) && same_condition;
}

// principalType is informational, except that a group whose members were not
// given reaches nobody but itself: worth one report line per group.
void CheckPrincipalType(const Node& p, const model::Assignment& a, const absl::flat_hash_set<std::string>& groups,
                        absl::flat_hash_set<std::string>* warned, ImportReport* report) {
  const std::optional<std::string> type = p.OptString("principalType");
  if (!type || (*type != "Group" && *type != "ForeignGroup")) return;
  if (groups.contains(a.principal.s) || !warned->insert(a.principal.s).second) return;
  report->Add("group_members_unknown", p.file(), p.pointer(), absl::StrCat("group ", a.principal.s),
              absl::StrCat("a ", *type, " holds a role but its members were not given (--group-members): "
                           "the assignment reaches the group id only"));
}

model::Assignment ReadAssignment(const Node& n, const Node& p, const absl::flat_hash_set<std::string>& roles,
                                 ImportReport* report) {
  model::Assignment a;
  a.id.s = ResourceGuid(n, "role assignment");
  a.principal.s = Guid(p.Req("principalId"), "principalId");
  const Node role = p.Req("roleDefinitionId");
  const std::string rid = role.String();
  a.role.s = LowerGuid(rid).empty() ? LowerGuid(LastSegment(rid)) : LowerGuid(rid);
  if (a.role.s.empty()) role.Fail(absl::StrCat("roleDefinitionId \"", rid, "\" names no role definition GUID"));
  if (!roles.contains(a.role.s))
    role.Fail(absl::StrCat("unknown role definition ", a.role.s, ": no role definitions file defines it"));
  a.scope = Scope(p.Req("scope"));
  a.condition = Condition(p, report);
  return a;
}

}  // namespace

void ReadGroupMembers(const std::vector<File>& files, model::Bundle* out, ImportReport* report) {
  absl::flat_hash_map<std::string, size_t> index;  // group id -> out->groups[i]
  std::vector<absl::flat_hash_set<std::string>> seen;
  for (const auto& [name, text] : files) {
    import_json::Document doc(&name, text);
    for (const auto& [key, value] : doc.root().Members()) {
      std::string gid = LowerGuid(key);
      if (gid.empty()) value.Fail(absl::StrCat("group id \"", key, "\" is not a GUID"));
      auto [it, fresh] = index.try_emplace(gid, out->groups.size());
      if (fresh) {
        model::Group g;
        g.id.s = gid;
        out->groups.push_back(std::move(g));
        seen.emplace_back();
      }
      model::Group& g = out->groups[it->second];
      for (const Node& m : MemberList(value)) {
        std::string id = MemberId(m);
        if (seen[it->second].insert(id).second) g.members.push_back(model::Str{std::move(id)});
      }
    }
  }
  size_t members = 0;
  for (const model::Group& g : out->groups) members += g.members.size();
  report->Imported("groups", out->groups.size());
  report->Imported("group_memberships", members);
}

void ReadAssignments(const std::vector<File>& files, model::Bundle* out, ImportReport* report) {
  absl::flat_hash_set<std::string> roles, groups, warned;
  for (const model::Role& r : out->roles) roles.insert(r.id.s);
  for (const model::Group& g : out->groups) groups.insert(g.id.s);
  Seen seen;
  for (const auto& [name, text] : files) {
    import_json::Document doc(&name, text);
    for (const Node& n : ListOf(doc.root())) {
      const Node p = Props(n);
      model::Assignment a = ReadAssignment(n, p, roles, report);
      auto [it, fresh] = seen.index.try_emplace(a.id.s, out->assignments.size());
      if (!fresh) {
        if (!SameAssignment(out->assignments[it->second], a))
          n.Fail(absl::StrCat("role assignment ", a.id.s, " is listed twice, differently"));
        report->Add("duplicate", name, n.pointer(), absl::StrCat("role assignment ", a.id.s),
                    "listed twice (the same assignment); imported once");
        continue;
      }
      CheckPrincipalType(p, a, groups, &warned, report);
      if (a.condition) report->Imported("assignment_conditions");
      out->assignments.push_back(std::move(a));
    }
  }
  report->Imported("assignments", out->assignments.size());
}

void ReadManagementGroups(const std::vector<File>& files, model::Bundle* out, ImportReport* report) {
  absl::flat_hash_map<std::string, size_t> index;  // lower-case scope -> out->scope_parents[i]
  for (const auto& [name, text] : files) {
    import_json::Document doc(&name, text);
    for (const Node& n : ListOf(doc.root())) {
      const Node p = Props(n);
      const std::string type = n.OptString("type").value_or(p.OptString("type").value_or(""));
      if (type != "Microsoft.Management/managementGroups" && type != "/subscriptions" &&
          type != "Microsoft.Resources/subscriptions") {
        report->Add("unknown_entity", name, n.pointer(), absl::StrCat("entity of type \"", type, "\""),
                    "not a management group or subscription: skipped");
        continue;
      }
      const model::Str scope = Scope(n.Req("id"));
      std::optional<Node> parent = p.Opt("parent");
      if (!parent) parent = n.Opt("parent");
      std::optional<Node> pid = parent ? parent->Opt("id") : std::nullopt;
      if (!pid) {
        report->Imported("hierarchy_roots");  // the tenant root group: its path parent is right
        continue;
      }
      model::ScopeParent sp{scope, Scope(*pid)};
      auto [it, fresh] = index.try_emplace(AsciiLowerCopy(scope.s), out->scope_parents.size());
      if (fresh) {
        out->scope_parents.push_back(std::move(sp));
      } else if (!AsciiEqualsIgnoreCase(out->scope_parents[it->second].parent.s, sp.parent.s)) {
        n.Fail(absl::StrCat(scope.s, " is given two different parents"));
      }
    }
  }
  report->Imported("scope_parents", out->scope_parents.size());
}

}  // namespace rolegate::internal::azure_import
