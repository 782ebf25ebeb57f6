// lib/import/azure_catalog.cc — the action catalog of an Azure import: every
// operation of `az provider operation list`, one kind and one spelling per
// name (the bundle's rule, SPEC §2), or, without it, the literals the rules
// name.
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "import/azure_internal.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal::azure_import {

const model::Action* Catalog::Find(std::string_view name) const {
  auto it = index.find(AbslView(AsciiLowerCopy(name)));
  return it == index.end() ? nullptr : &actions[it->second];
}

namespace {

// Every listing of one folded name.
struct Listings {
  std::map<std::string, int> spellings;  // spelling -> times listed
  int data = 0, control = 0;
  const std::string* file = nullptr;  // the first listing
  std::string ptr;
};

// Role usage of one folded literal: which kinds of list name it.
enum : uint8_t { kUsedControl = 1, kUsedData = 2 };

void ReadOperation(const Node& op, std::map<std::string, Listings>* out, ImportReport* report) {
  const std::string raw = op.ReqString("name");
  const std::string name(absl::StripAsciiWhitespace(raw));
  if (name.empty() || IsWild(name) || name.size() > 4096) {
    report->Add("bad_operation_name", op.file(), op.pointer(), absl::StrCat("operation \"", raw, "\""),
                "not a catalog name (empty, holding * or ?, or over 4096 bytes): skipped");
    return;
  }
  bool data = false;
  if (std::optional<Node> d = op.Opt("isDataAction")) {
    data = d->Bool();
  } else {
    report->Add("no_kind", op.file(), op.pointer(), absl::StrCat("operation ", name),
                "no isDataAction: taken as a control action");
  }
  Listings& l = (*out)[AsciiLowerCopy(name)];
  if (l.file == nullptr) {
    l.file = &op.file();
    l.ptr = op.pointer();
  }
  ++l.spellings[name];
  ++(data ? l.data : l.control);
}

// The operations of one provider object: its own and its resource types'.
void ReadProvider(const Node& p, std::map<std::string, Listings>* out, ImportReport* report) {
  if (std::optional<Node> ops = p.Opt("operations"))
    for (const Node& op : ops->Items()) ReadOperation(op, out, report);
  if (std::optional<Node> types = p.Opt("resourceTypes")) {
    for (const Node& t : types->Items())
      if (std::optional<Node> ops = t.Opt("operations"))
        for (const Node& op : ops->Items()) ReadOperation(op, out, report);
  }
}

// How each folded literal is used by the roles (not deny assignments: the
// data README's rule is the roles' usage).
absl::flat_hash_map<std::string, uint8_t> RoleUsage(const std::vector<RawRole>& roles) {
  absl::flat_hash_map<std::string, uint8_t> use;
  for (const RawRole& r : roles)
    for (const RawBlock& b : r.blocks)
      for (int k = 0; k < 4; ++k)
        for (const Lit& l : b.lists[k])
          if (!l.text.empty() && !IsWild(l.text))
            use[AsciiLowerCopy(l.text)] |= IsDataList(k) ? kUsedData : kUsedControl;
  return use;
}

// The kind of a name listed as both: the roles' usage, else the majority of
// listings, else control. Reported.
bool ResolveKind(const std::string& spelling, const Listings& l, uint8_t usage, ImportReport* report) {
  bool data = false;
  std::string why;
  if (usage == kUsedData || usage == kUsedControl) {
    data = usage == kUsedData;
    why = "the roles use it only as a " + std::string(data ? "data" : "control") + " action";
  } else if (l.data != l.control) {
    data = l.data > l.control;
    why = "the majority of its listings";
  } else {
    why = "a tie with no single role usage: control, the narrower reading for `*` in actions";
  }
  report->Add("both_kinds", *l.file, l.ptr, absl::StrCat("action ", spelling),
              absl::StrCat("listed ", l.data, " times as a data action and ", l.control,
                           " times as a control action; a bundle action has one kind: made ",
                           data ? "data" : "control", " (", why, ")"));
  return data;
}

// The most frequent spelling; ties go to the smallest in byte order (the
// map's order). Reported when there are several.
std::string ResolveSpelling(const Listings& l, ImportReport* report) {
  std::string best;
  int n = 0;
  std::vector<std::string> all;
  for (const auto& [s, c] : l.spellings) {
    all.push_back(s);
    if (c > n) {
      best = s;
      n = c;
    }
  }
  if (all.size() > 1) {
    report->Add("case_variants", *l.file, l.ptr, absl::StrCat("action ", absl::StrJoin(all, " / ")),
                absl::StrCat("names that differ only in case are one action (actions compare case-insensitively): "
                             "folded, spelled ", best));
  }
  return best;
}

// Scope restrictions Microsoft documents but no export carries (SPEC §2
// effective_only_at). Anyscale.Platform/admin/action: "Currently only
// effective at subscription scope" (learn.microsoft.com, Anyscale on Azure,
// identity and access). Without this an assignment of the Anyscale
// Platform Administrator role at a resource group would grant it there.
struct ScopeRestriction {
  const char* lower_name;
  const char* patterns[2];
};
constexpr ScopeRestriction kDocumentedRestrictions[] = {
    {"anyscale.platform/admin/action", {"/subscriptions/*", nullptr}},
};

void AddAction(Catalog* c, std::string lower, std::string name, bool data) {
  model::Action a;
  a.name.s = std::move(name);
  a.data = data;
  for (const ScopeRestriction& r : kDocumentedRestrictions) {
    if (lower != r.lower_name) continue;
    a.has_effective_only_at = true;
    for (const char* p : r.patterns)
      if (p != nullptr) a.effective_only_at.push_back(model::Str{p});
  }
  c->index.emplace(std::move(lower), c->actions.size());
  c->actions.push_back(std::move(a));
}

// Without operations: every literal of the roles and deny assignments, data
// only when no control list names it, first spelling seen.
Catalog CatalogFromLiterals(const std::vector<RawRole>& roles, const std::vector<RawDeny>& denies,
                            ImportReport* report) {
  std::map<std::string, std::pair<std::string, uint8_t>> seen;  // lower -> (spelling, usage)
  auto add = [&](const std::vector<RawBlock>& blocks) {
    for (const RawBlock& b : blocks)
      for (int k = 0; k < 4; ++k)
        for (const Lit& l : b.lists[k]) {
          if (l.text.empty() || IsWild(l.text)) continue;
          auto& e = seen.try_emplace(AsciiLowerCopy(l.text), l.text, 0).first->second;
          e.second |= IsDataList(k) ? kUsedData : kUsedControl;
        }
  };
  for (const RawRole& r : roles) add(r.blocks);
  for (const RawDeny& d : denies) add(d.blocks);
  Catalog c;
  for (auto& [lower, e] : seen) AddAction(&c, lower, e.first, e.second == kUsedData);
  report->Add("catalog_from_literals", "", "", absl::StrCat(c.actions.size(), " actions"),
              "no operations file: the catalog is the literal actions the roles and deny assignments name "
              "(data when named only in data lists), so a wildcard reaches only those");
  return c;
}

}  // namespace

Catalog BuildCatalog(const std::vector<AzureImportInputs::File>& operations, const std::vector<RawRole>& roles,
                     const std::vector<RawDeny>& denies, ImportReport* report) {
  if (operations.empty()) return CatalogFromLiterals(roles, denies, report);
  std::map<std::string, Listings> listed;
  for (const auto& [name, text] : operations) {
    import_json::Document doc(&name, text);
    std::vector<Node> providers = ListOf(doc.root());
    report->Imported("providers", providers.size());
    for (const Node& p : providers) ReadProvider(p, &listed, report);
  }
  const auto usage = RoleUsage(roles);
  Catalog c;
  c.from_operations = true;
  for (const auto& [lower, l] : listed) {
    std::string spelling = ResolveSpelling(l, report);
    bool data = l.data > 0;
    if (l.data > 0 && l.control > 0) {
      auto it = usage.find(AbslView(lower));
      data = ResolveKind(spelling, l, it == usage.end() ? 0 : it->second, report);
    }
    AddAction(&c, lower, std::move(spelling), data);
  }
  return c;
}

}  // namespace rolegate::internal::azure_import
