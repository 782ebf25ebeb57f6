// lib/identity.cc — workload identity (SPEC §4): compiling clouds and mapping
// rules into one hash table, and resolve / check_workload.
//
// Rules are keyed by (cloud, which fields they name, the values of those
// fields). resolve probes the masks a cloud actually uses in specificity
// order (user 4 + project 2 + workload_type 1: 7, 6, ..., 0), so it costs at
// most 8 probes and never scans rules. The first hit is the unique most
// specific rule: equal masks with equal values are a compile error.
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "compile/compile.h"
#include "base/leak_on_unwind.h"
#include "rolegate/policy.h"

namespace rolegate {
namespace internal {

namespace {
constexpr uint8_t kMaskWorkload = 1, kMaskProject = 2, kMaskUser = 4;
// The set (bit m for field mask m, as Cloud::masks_present) of the masks
// that include `field`.
constexpr uint8_t MasksWith(uint8_t field) {
  uint8_t set = 0;
  for (unsigned m = 0; m < 8; ++m)
    if (m & field) set |= static_cast<uint8_t>(1u << m);
  return set;
}
}

void CompileClouds(const model::Bundle& b, const Limits& limits, DiagSink* sink, PolicyData* d) {
  LeakOnUnwind<absl::flat_hash_map<std::string_view, size_t>> seen_cloud;  // see leak_on_unwind.h
  for (size_t ci = 0; ci < b.clouds.size(); ++ci) {
    const model::Cloud& c = b.clouds[ci];
    const std::string ptr = JoinPointer("/clouds", ci);
    if (!c.valid) continue;
    auto [cit, fresh] = seen_cloud->emplace(c.id.s, ci);
    if (!fresh) {
      sink->Error(JoinPointer(ptr, "id"), c.id.off,
                  absl::StrCat("duplicate cloud id \"", c.id.s, "\" (first at /clouds/", cit->second, ")"));
      continue;
    }
    const uint32_t cloud = static_cast<uint32_t>(d->clouds.size());
    Cloud cl;
    cl.id = d->arena.Add(c.id.s);
    if (c.default_identity) {
      if (c.default_identity->s == "*")
        sink->Error(JoinPointer(ptr, "default_identity"), c.default_identity->off,
                    "the principal \"*\" (everyone) is allowed only in deny_assignments[].principals");
      cl.default_identity = d->arena.Add(c.default_identity->s);
    }
    LeakOnUnwind<absl::flat_hash_map<std::string_view, size_t>> seen_rule;
    LeakOnUnwind<absl::flat_hash_map<MappingKey, size_t>> by_key;  // -> index in c.mappings
    for (size_t mi = 0; mi < c.mappings.size(); ++mi) {
      const model::MappingRule& m = c.mappings[mi];
      const std::string mptr = JoinPointer(JoinPointer(ptr, "mappings"), mi);
      if (!m.valid) continue;
      auto [rit, rfresh] = seen_rule->emplace(m.id.s, mi);
      if (!rfresh) {
        sink->Error(JoinPointer(mptr, "id"), m.id.off,
                    absl::StrCat("duplicate mapping rule id \"", m.id.s, "\" in cloud \"", c.id.s, "\""));
        continue;
      }
      if (m.id.s == "node_group" || m.id.s == "compute_config" || m.id.s == "cloud_default") {
        sink->Error(JoinPointer(mptr, "id"), m.id.off,
                    absl::StrCat("mapping rule id \"", m.id.s, "\" is reserved (it names an identity source)"));
        continue;
      }
      if (m.identity.s == "*") {
        sink->Error(JoinPointer(mptr, "identity"), m.identity.off,
                    "the principal \"*\" (everyone) is allowed only in deny_assignments[].principals");
        continue;
      }
      // A rule's user is a principal too; "*" would read as "any user" but
      // match only a user literally named "*" (absent means any user).
      if (m.user && m.user->s == "*") {
        sink->Error(JoinPointer(mptr, "user"), m.user->off,
                    "the principal \"*\" (everyone) is allowed only in deny_assignments[].principals; "
                    "leave \"user\" out to match any user");
        continue;
      }
      MappingKey key{cloud, 0, 0, {}, {}, 0, 0};
      if (m.workload_type) {
        WorkloadType wt;
        if (!ParseWorkloadType(m.workload_type->s, &wt)) {
          sink->Error(JoinPointer(mptr, "workload_type"), m.workload_type->off,
                      absl::StrCat("workload_type must be \"job\", \"service\" or \"workspace\", not \"",
                                   m.workload_type->s, "\""));
          continue;
        }
        key.mask |= kMaskWorkload;
        key.workload_type = static_cast<uint8_t>(wt);
      }
      if (m.project) {
        key.mask |= kMaskProject;
        key.SetProject(AbslView(m.project->s), MappingKey::FieldHash(m.project->s));
      }
      if (m.user) {
        key.mask |= kMaskUser;
        key.SetUser(AbslView(m.user->s), MappingKey::FieldHash(m.user->s));
      }
      auto [kit, kfresh] = by_key->emplace(key, mi);
      if (!kfresh) {
        sink->Error(mptr, m.off,
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
      if (key.mask & kMaskProject) stored.project = AbslView(d->arena.Add(m.project->s));
      if (key.mask & kMaskUser) stored.user = AbslView(d->arena.Add(m.user->s));
      const uint32_t idx = static_cast<uint32_t>(d->mappings.size());
      d->mappings.push_back(Mapping{d->arena.Add(m.id.s), d->arena.Add(m.identity.s)});
      d->mappings_by_key.emplace(stored, idx);
      cl.masks_present |= static_cast<uint8_t>(1u << key.mask);
    }
    d->cloud_ids.emplace(AbslView(cl.id), cloud);
    d->clouds.push_back(cl);
  }
}

}  // namespace internal

Resolution Policy::Resolve(const WorkloadQuery& q) const {
  const internal::PolicyData& d = *data_;
  Resolution r;
  auto cit = d.cloud_ids.find(internal::AbslView(q.cloud));
  if (cit == d.cloud_ids.end()) {
    r.error = IdentityError::kUnknownCloud;
    return r;
  }
  if (!q.node_group_identity.empty()) {
    r.error = IdentityError::kNone;
    r.identity = q.node_group_identity;
    r.source = "node_group";
    return r;
  }
  if (!q.compute_config_identity.empty()) {
    r.error = IdentityError::kNone;
    r.identity = q.compute_config_identity;
    r.source = "compute_config";
    return r;
  }
  const internal::Cloud& cloud = d.clouds[cit->second];
  const absl::string_view project = internal::AbslView(q.project), user = internal::AbslView(q.user);
  // Hashed only when some rule of this cloud names the field.
  constexpr uint8_t kWithProject = internal::MasksWith(internal::kMaskProject);
  constexpr uint8_t kWithUser = internal::MasksWith(internal::kMaskUser);
  static_assert(kWithProject == 0xCC && kWithUser == 0xF0);
  const size_t project_hash =
      cloud.masks_present & kWithProject ? internal::MappingKey::FieldHash(project) : 0;
  const size_t user_hash = cloud.masks_present & kWithUser ? internal::MappingKey::FieldHash(user) : 0;
  for (int mask = 7; mask >= 0; --mask) {
    if (!(cloud.masks_present & (1u << mask))) continue;
    internal::MappingKey key{cit->second, static_cast<uint8_t>(mask), 0, {}, {}, 0, 0};
    if (mask & internal::kMaskWorkload) key.workload_type = static_cast<uint8_t>(q.workload_type);
    if (mask & internal::kMaskProject) key.SetProject(project, project_hash);
    if (mask & internal::kMaskUser) key.SetUser(user, user_hash);
    auto it = d.mappings_by_key.find(key);
    if (it != d.mappings_by_key.end()) {
      const internal::Mapping& m = d.mappings[it->second];
      r.error = IdentityError::kNone;
      r.identity = m.identity;
      r.source = m.id;
      return r;
    }
  }
  if (!cloud.default_identity.empty()) {
    r.error = IdentityError::kNone;
    r.identity = cloud.default_identity;
    r.source = "cloud_default";
    return r;
  }
  r.error = IdentityError::kNoIdentity;
  return r;
}

WorkloadExplanation Policy::CheckWorkload(const WorkloadQuery& q, std::string_view action,
                                          std::string_view resource) const {
  WorkloadExplanation out;
  out.resolution = Resolve(q);
  if (out.resolution.error != IdentityError::kNone) {
    out.check.decision.allowed = false;
    out.check.decision.reason = out.resolution.error == IdentityError::kUnknownCloud
                                    ? Reason::kUnknownCloud : Reason::kNoIdentity;
    return out;
  }
  out.check = internal::CheckStrings<true>(*data_, out.resolution.identity, action, resource);
  return out;
}

}  // namespace rolegate
