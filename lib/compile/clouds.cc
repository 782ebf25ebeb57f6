// lib/compile/clouds.cc — clouds and mapping rules (SPEC §4) into one hash
// table keyed by (cloud, which fields a rule names, their values).
//
// Rules are keyed by (cloud, which fields they name, the values of those
// fields). resolve (eval/identity.cc) probes the masks a cloud actually uses
// in specificity order (user 4 + project 2 + workload_type 1: 7, 6, ..., 0),
// so it costs at most 8 probes and never scans rules. The first hit is the
// unique most specific rule: equal masks with equal values are a compile error.
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "compile/compiler.h"
#include "rolegate/policy.h"

namespace rolegate::internal {

// The rule's key: which fields it names and their values; false after
// reporting a field that cannot be part of one.
bool Compiler::MappingKeyOf(const model::MappingRule& m, const std::string& mptr, MappingKey* key) {
  // A rule's user is a principal too; "*" would read as "any user" but
  // match only a user literally named "*" (absent means any user).
  if (m.user && m.user->s == "*") {
    sink_->Error(JoinPointer(mptr, "user"), m.user->off,
        "the principal \"*\" (everyone) is allowed only in deny_assignments[].principals; "
        "leave \"user\" out to match any user");
    return false;
  }
  if (m.workload_type) {
    WorkloadType wt;
    if (!ParseWorkloadType(m.workload_type->s, &wt)) {
      sink_->Error(JoinPointer(mptr, "workload_type"), m.workload_type->off,
          absl::StrCat("workload_type must be \"job\", \"service\" or \"workspace\", not \"",
                       m.workload_type->s, "\""));
      return false;
    }
    key->mask |= kMaskWorkload;
    key->workload_type = static_cast<uint8_t>(wt);
  }
  if (m.project) {
    key->mask |= kMaskProject;
    key->SetProject(AbslView(m.project->s), MappingKey::FieldHash(m.project->s));
  }
  if (m.user) {
    key->mask |= kMaskUser;
    key->SetUser(AbslView(m.user->s), MappingKey::FieldHash(m.user->s));
  }
  return true;
}

void Compiler::BuildClouds() {
  CheckUniqueIds(b_.clouds, "/clouds", "cloud");
  LeakOnUnwind<absl::flat_hash_set<std::string_view>> seen_cloud;  // see leak_on_unwind.h
  for (size_t ci = 0; ci < b_.clouds.size(); ++ci) {
    const model::Cloud& c = b_.clouds[ci];
    const std::string ptr = JoinPointer("/clouds", ci);
    if (!c.valid) continue;
    if (!seen_cloud->insert(c.id.s).second) continue;  // a duplicate: reported above
    const uint32_t cloud = static_cast<uint32_t>(d().clouds.size());
    Cloud cl;
    cl.id = d().arena.Add(c.id.s);
    if (c.default_identity) {
      CheckNotStar(*c.default_identity, JoinPointer(ptr, "default_identity"));
      cl.default_identity = d().arena.Add(c.default_identity->s);
    }
    LeakOnUnwind<absl::flat_hash_map<std::string_view, size_t>> seen_rule;
    LeakOnUnwind<absl::flat_hash_map<MappingKey, size_t>> by_key;  // -> index in c.mappings
    for (size_t mi = 0; mi < c.mappings.size(); ++mi) {
      const model::MappingRule& m = c.mappings[mi];
      const std::string mptr = JoinPointer(JoinPointer(ptr, "mappings"), mi);
      if (!m.valid) continue;
      auto [rit, rfresh] = seen_rule->emplace(m.id.s, mi);
      if (!rfresh) {
        sink_->Error(JoinPointer(mptr, "id"), m.id.off,
                    absl::StrCat("duplicate mapping rule id \"", m.id.s, "\" in cloud \"", c.id.s, "\""));
        continue;
      }
      if (m.id.s == "node_group" || m.id.s == "compute_config" || m.id.s == "cloud_default") {
        sink_->Error(JoinPointer(mptr, "id"), m.id.off,
                    absl::StrCat("mapping rule id \"", m.id.s, "\" is reserved (it names an identity source)"));
        continue;
      }
      if (!CheckNotStar(m.identity, JoinPointer(mptr, "identity"))) continue;
      MappingKey key{cloud, 0, 0, {}, {}, 0, 0};
      if (!MappingKeyOf(m, mptr, &key)) continue;
      auto [kit, kfresh] = by_key->emplace(key, mi);
      if (!kfresh) {
        sink_->Error(mptr, m.off,
                    absl::StrCat("mapping rules \"", c.mappings[kit->second].id.s, "\" and \"", m.id.s,
                                 "\" of cloud \"", c.id.s,
                                 "\" name the same fields with the same values (ambiguous)"));
        continue;
      }
    }
    // Store with arena-backed views now that the rules are known good.
    for (const auto& [key, mi] : *by_key) {
      const model::MappingRule& m = c.mappings[mi];
      MappingKey stored = key;
      if (key.mask & kMaskProject) stored.project = AbslView(d().arena.Add(m.project->s));
      if (key.mask & kMaskUser) stored.user = AbslView(d().arena.Add(m.user->s));
      const uint32_t idx = static_cast<uint32_t>(d().mappings.size());
      d().mappings.push_back(Mapping{d().arena.Add(m.id.s), d().arena.Add(m.identity.s)});
      d().mappings_by_key.emplace(stored, idx);
      cl.masks_present |= static_cast<uint8_t>(1u << key.mask);
    }
    d().cloud_ids.emplace(AbslView(cl.id), cloud);
    d().clouds.push_back(cl);
  }
}

}  // namespace rolegate::internal
