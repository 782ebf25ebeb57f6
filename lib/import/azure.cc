// lib/import/azure.cc — `rolegate import azure`: role definitions, role
// assignments, deny assignments, the management-group hierarchy and group
// memberships -> the bundle model. The mapping is documented in azure.h.
//
// Two passes: role definitions and deny assignments are read into Raw*
// structs first, because the catalog (azure_catalog.cc) needs the roles'
// literals to settle names Azure lists as both kinds, and the rules need the
// catalog to decide which literals exist. Everything else maps directly.
#include <algorithm>
#include <iterator>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/scope.h"
#include "import/azure_internal.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal {
namespace azure_import {

using import_json::LastSegment;
using import_json::LowerGuid;

constexpr uint32_t kMaxString = 4096;      // the bundle's default string limit
constexpr uint32_t kMaxScopeSegments = 64;  // the bundle's default scope depth

// An array, or a REST list page {"value": [...]} (a page that says there is
// more is refused: a missing deny or member could widen access).
std::vector<Node> ListOf(const Node& root) {
  if (!root.IsObject()) return root.Items();
  if (root.Opt("nextLink") || root.Opt("@odata.nextLink"))
    root.Fail("this is one page of a longer list (nextLink): give every page");
  return root.Req("value").Items();
}

// The object holding an ARM resource's fields: `properties` in the REST
// shape, the object itself in the az CLI's flattened one.
Node Props(const Node& n) { return n.Opt("properties").value_or(n); }

// The resource's GUID: `name`, else the last segment of `id`, lower-cased.
std::string ResourceGuid(const Node& n, const char* what) {
  if (auto name = n.OptString("name"); name && !LowerGuid(*name).empty()) return LowerGuid(*name);
  if (auto id = n.OptString("id"); id && !LowerGuid(LastSegment(*id)).empty()) return LowerGuid(LastSegment(*id));
  n.Fail(absl::StrCat(what, " has no GUID (neither \"name\" nor the last segment of \"id\" is one)"));
}

std::string Guid(const Node& n, const char* what) {
  const std::string s = n.String();
  std::string g = LowerGuid(s);
  if (g.empty()) n.Fail(absl::StrCat(what, " \"", s, "\" is not a GUID"));
  return g;
}

model::Str Scope(const Node& n) {
  std::string s = n.String();
  if (std::string why = ScopeProblem(s, kMaxScopeSegments, false); !why.empty())
    n.Fail(absl::StrCat("scope \"", s, "\": ", why));
  CheckBundleString(n, s);
  return model::Str{std::move(s)};
}

// An Azure ABAC condition, kept as written; "" counts as none. A version
// other than 1.0 and 2.0 is reported (the text is still kept: the compiler
// parses it and rejects what it cannot read).
std::optional<model::Str> Condition(const Node& holder, ImportReport* report) {
  std::optional<Node> c = holder.Opt("condition");
  if (!c) return std::nullopt;
  std::string text = c->String();
  if (text.empty()) return std::nullopt;
  CheckBundleString(*c, text);
  const std::optional<std::string> version = holder.OptString("conditionVersion");
  if (version && *version != "1.0" && *version != "2.0") {
    report->Add("condition_version", holder.file(), c->pointer(), absl::StrCat("conditionVersion ", *version),
                "not 1.0 or 2.0; the condition is kept and read with the 2.0 grammar");
  }
  return model::Str{std::move(text)};
}

void CheckBundleString(const Node& n, std::string_view s) {
  if (s.size() > kMaxString)
    n.Fail(absl::StrCat("string of ", s.size(), " bytes exceeds the bundle's limit of ", kMaxString));
}

namespace {

using File = AzureImportInputs::File;
constexpr char kEveryone[] = "00000000-0000-0000-0000-000000000000";

constexpr std::string_view kBlockKeys[] = {"actions", "notActions", "dataActions", "notDataActions",
                                           "condition", "conditionVersion"};

// One permission block. An unknown key is an error: it could restrict the
// block in a way this importer would silently drop.
RawBlock ReadBlock(const Node& b, ImportReport* report) {
  for (const auto& [key, value] : b.Members()) {
    if (std::find(std::begin(kBlockKeys), std::end(kBlockKeys), key) == std::end(kBlockKeys))
      value.Fail(absl::StrCat("unknown key \"", key, "\" in a permission block"));
  }
  RawBlock out;
  out.ptr = b.pointer();
  for (int k = 0; k < 4; ++k) {
    for (auto& [text, ptr] : b.StringList(kBlockKeys[k])) {
      std::string s(absl::StripAsciiWhitespace(text));
      if (s.size() != text.size()) {
        report->Add("whitespace", b.file(), ptr, absl::StrCat("action \"", text, "\""),
                    "surrounding blanks stripped");
      }
      if (s.size() > kMaxString) throw InputError{b.file(), ptr, "action over 4096 bytes"};
      out.lists[k].push_back(Lit{std::move(s), std::move(ptr)});
    }
  }
  out.condition = Condition(b, report);
  return out;
}

std::vector<RawBlock> ReadBlocks(const Node& holder, ImportReport* report) {
  std::vector<RawBlock> out;
  if (std::optional<Node> perms = holder.Opt("permissions"))
    for (const Node& b : perms->Items()) out.push_back(ReadBlock(b, report));
  return out;
}

// Everything a role grants, as one string: two definitions of one GUID are
// the same role exactly when these agree.
std::string Signature(const RawRole& r) {
  std::string s = absl::StrCat(r.name, "\x1f", r.has_scopes ? "S" : "-");
  for (const auto& sc : r.scopes) absl::StrAppend(&s, "\x1f", sc.s);
  for (const RawBlock& b : r.blocks) {
    absl::StrAppend(&s, "\x1e", b.condition ? b.condition->s : "");
    for (const auto& list : b.lists) {
      s += "\x1d";
      for (const Lit& l : list) absl::StrAppend(&s, l.text, "\x1f");
    }
  }
  return s;
}

RawRole ReadRole(const Node& n, ImportReport* report) {
  const Node p = Props(n);
  RawRole r;
  r.id = ResourceGuid(n, "role definition");
  r.name = p.OptString("roleName").value_or("");
  if (r.name.size() > kMaxString) p.Req("roleName").Fail("role name over 4096 bytes");
  r.blocks = ReadBlocks(p, report);
  if (std::optional<Node> scopes = p.Opt("assignableScopes")) {
    r.has_scopes = true;
    for (const Node& s : scopes->Items()) r.scopes.push_back(Scope(s));
  }
  r.origin = Origin{&n.file(), n.pointer()};
  return r;
}

std::vector<RawRole> ReadRoles(const std::vector<File>& files, ImportReport* report) {
  std::vector<RawRole> roles;
  absl::flat_hash_map<std::string, size_t> by_id;
  for (const auto& [name, text] : files) {
    import_json::Document doc(&name, text);
    for (const Node& n : ListOf(doc.root())) {
      RawRole r = ReadRole(n, report);
      auto [it, fresh] = by_id.try_emplace(r.id, roles.size());
      if (fresh) {
        roles.push_back(std::move(r));
        continue;
      }
      const RawRole& first = roles[it->second];
      if (Signature(first) != Signature(r)) {
        n.Fail(absl::StrCat("role definition ", r.id, " is also defined, differently, at ", *first.origin.file,
                            ": ", first.origin.ptr));
      }
      report->Add("duplicate", name, n.pointer(), absl::StrCat("role definition ", r.id),
                  absl::StrCat("the same definition as at ", *first.origin.file, ": ", first.origin.ptr,
                               "; imported once"));
    }
  }
  return roles;
}

// ---- Deny assignments --------------------------------------------------------

// A principal of a deny's principals/excludePrincipals: {"id", "type"}.
std::string DenyPrincipal(const Node& p, bool exclude) {
  const Node id = p.Req("id");
  std::string g = Guid(id, "principal id");
  if (g != kEveryone) return g;
  if (exclude) id.Fail("the everyone principal cannot be excluded");
  return "*";
}

RawDeny ReadDeny(const Node& n, ImportReport* report) {
  const Node p = Props(n);
  RawDeny d;
  d.id = ResourceGuid(n, "deny assignment");
  d.scope = Scope(p.Req("scope")).s;
  for (const Node& pr : p.Req("principals").Items()) d.principals.push_back(model::Str{DenyPrincipal(pr, false)});
  if (std::optional<Node> ex = p.Opt("excludePrincipals"))
    for (const Node& pr : ex->Items()) d.exclude_principals.push_back(model::Str{DenyPrincipal(pr, true)});
  if (std::optional<Node> c = p.Opt("doNotApplyToChildScopes")) d.apply_to_children = !c->Bool();
  d.blocks = ReadBlocks(p, report);
  if (std::optional<model::Str> c = Condition(p, report)) d.condition = c->s;
  d.origin = Origin{&n.file(), n.pointer()};
  return d;
}

std::vector<RawDeny> ReadDenies(const std::vector<File>& files, ImportReport* report) {
  std::vector<RawDeny> out;
  absl::flat_hash_set<std::string> ids;
  for (const auto& [name, text] : files) {
    import_json::Document doc(&name, text);
    for (const Node& n : ListOf(doc.root())) {
      RawDeny d = ReadDeny(n, report);
      if (!ids.insert(d.id).second) n.Fail(absl::StrCat("deny assignment ", d.id, " is listed twice"));
      out.push_back(std::move(d));
    }
  }
  return out;
}

// ---- Rules against the catalog -------------------------------------------------

// The patterns of one list that the bundle can hold: wildcards as written,
// literals the catalog has. The rest is reported and dropped (azure.h).
model::StrList KeepPatterns(const std::vector<Lit>& in, int kind, const Origin& o, const Catalog& catalog,
                            ImportReport* report) {
  model::StrList out;
  for (const Lit& l : in) {
    if (l.text.empty()) {
      report->Add("empty_action", *o.file, l.ptr, "an empty action", "dropped (the bundle has no empty names)");
      continue;
    }
    if (!IsWild(l.text)) {
      const model::Action* a = catalog.Find(l.text);
      if (a == nullptr) {
        report->Add("unknown_action", *o.file, l.ptr, absl::StrCat("action ", l.text),
                    "no provider lists this operation: dropped (a query for it is denied as unknown_action)");
        continue;
      }
      if (a->data != IsDataList(kind)) {
        report->Add("other_kind_literal", *o.file, l.ptr, absl::StrCat("action ", l.text),
                    absl::StrCat("a ", a->data ? "data" : "control", " action in a ",
                                 IsDataList(kind) ? "data" : "control",
                                 " list: kept; it grants nothing there (the compiler warns)"));
      }
    }
    out.push_back(model::Str{l.text});
  }
  return out;
}

template <class T>
void FillLists(const RawBlock& b, const Origin& o, const Catalog& c, ImportReport* r, T* out) {
  out->actions = KeepPatterns(b.lists[kActions], kActions, o, c, r);
  out->not_actions = KeepPatterns(b.lists[kNotActions], kNotActions, o, c, r);
  out->data_actions = KeepPatterns(b.lists[kDataActions], kDataActions, o, c, r);
  out->not_data_actions = KeepPatterns(b.lists[kNotDataActions], kNotDataActions, o, c, r);
}

model::Role EmitRole(const RawRole& raw, const Catalog& catalog, ImportReport* report) {
  model::Role r;
  r.id.s = raw.id;
  r.name.s = raw.name;
  r.has_assignable_scopes = raw.has_scopes;
  r.assignable_scopes = raw.scopes;
  report->Imported("permission_blocks", raw.blocks.size());
  // One unconditioned block is the four lists; anything else keeps blocks.
  if (raw.blocks.size() == 1 && !raw.blocks[0].condition) {
    FillLists(raw.blocks[0], raw.origin, catalog, report, &r);
    return r;
  }
  r.has_permissions = true;
  for (const RawBlock& b : raw.blocks) {
    model::PermissionBlock pb;
    FillLists(b, raw.origin, catalog, report, &pb);
    pb.condition = b.condition;
    if (b.condition) report->Imported("role_conditions");
    r.permissions.push_back(std::move(pb));
  }
  if (raw.blocks.size() > 1) report->Imported("roles_with_several_blocks");
  return r;
}

// One deny assignment a block (exact: a block's not-lists subtract from
// that block only); block and deny conditions joined with AND.
void EmitDeny(const RawDeny& raw, const Catalog& catalog, model::Bundle* out, ImportReport* report) {
  if (raw.blocks.empty()) {
    report->Add("empty_deny", *raw.origin.file, raw.origin.ptr, absl::StrCat("deny assignment ", raw.id),
                "no permission blocks: it denies nothing; skipped");
    return;
  }
  if (raw.blocks.size() > 1) {
    report->Add("deny_split", *raw.origin.file, raw.origin.ptr, absl::StrCat("deny assignment ", raw.id),
                absl::StrCat(raw.blocks.size(), " permission blocks: one deny assignment each, ", raw.id, "/0 ..."));
  }
  for (size_t i = 0; i < raw.blocks.size(); ++i) {
    const RawBlock& b = raw.blocks[i];
    model::DenyAssignment d;
    d.id.s = raw.blocks.size() == 1 ? raw.id : absl::StrCat(raw.id, "/", i);
    d.scope.s = raw.scope;
    d.principals = raw.principals;
    d.exclude_principals = raw.exclude_principals;
    d.apply_to_children = raw.apply_to_children;
    FillLists(b, raw.origin, catalog, report, &d);
    if (raw.condition && b.condition) {
      d.condition = model::Str{absl::StrCat("(", *raw.condition, ") AND (", b.condition->s, ")")};
      report->Add("conditions_joined", *raw.origin.file, b.ptr, absl::StrCat("deny assignment ", d.id.s),
                  "the deny's condition and its block's condition, joined with AND");
    } else if (raw.condition) {
      d.condition = model::Str{*raw.condition};
    } else {
      d.condition = b.condition;
    }
    out->deny_assignments.push_back(std::move(d));
  }
}

}  // namespace
}  // namespace azure_import

absl::Status ImportAzure(const AzureImportInputs& in, model::Bundle* out, ImportReport* report) {
  using namespace azure_import;
  *out = model::Bundle();
  if (in.role_definitions.empty()) return absl::InvalidArgumentError("no role definitions file given");
  try {
    const std::vector<RawRole> roles = ReadRoles(in.role_definitions, report);
    const std::vector<RawDeny> denies = ReadDenies(in.deny_assignments, report);
    Catalog catalog = BuildCatalog(in.operations, roles, denies, report);
    for (const RawRole& r : roles) out->roles.push_back(EmitRole(r, catalog, report));
    for (const RawDeny& d : denies) EmitDeny(d, catalog, out, report);
    out->actions = std::move(catalog.actions);
    ReadGroupMembers(in.group_members, out, report);
    ReadAssignments(in.role_assignments, out, report);
    ReadManagementGroups(in.management_groups, out, report);
  } catch (const InputError& e) {
    return absl::InvalidArgumentError(e.Format());
  }
  size_t data = 0;
  for (const model::Action& a : out->actions) data += a.data;
  report->Imported("roles", out->roles.size());
  report->Imported("actions", out->actions.size());
  report->Imported("data_actions", data);
  report->Imported("deny_assignments", out->deny_assignments.size());
  return absl::OkStatus();
}

}  // namespace rolegate::internal
