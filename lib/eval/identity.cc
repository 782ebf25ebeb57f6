// lib/eval/identity.cc — workload identity (SPEC §4): resolve and
// check_workload over the table compile/clouds.cc builds.
//
// Rules are keyed by (cloud, which fields they name, the values of those
// fields). resolve probes the masks a cloud actually uses in specificity
// order (user 4 + project 2 + workload_type 1: 7, 6, ..., 0), so it costs at
// most 8 probes and never scans rules. The first hit is the unique most
// specific rule: equal masks with equal values are a compile error.
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "rolegate/policy.h"

namespace rolegate {
namespace internal {

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
                                          std::string_view resource, const QueryExtras& extras) const {
  WorkloadExplanation out;
  if ((extras.context.size != 0 && !internal::ContextIsValid(extras.context)) ||
      (extras.groups.size != 0 && !internal::GroupsAreValid(extras.groups))) {
    out.check = internal::Answer(false, Reason::kInvalidInput);
    return out;
  }
  out.resolution = Resolve(q);
  if (out.resolution.error != IdentityError::kNone) {
    out.check.decision.allowed = false;
    out.check.decision.reason = out.resolution.error == IdentityError::kUnknownCloud
                                    ? Reason::kUnknownCloud : Reason::kNoIdentity;
    return out;
  }
  Query cq;
  cq.principal = out.resolution.identity;
  cq.action = action;
  cq.resource = resource;
  cq.groups = extras.groups;
  cq.context = extras.context;
  out.check = internal::CheckQuery<true>(*data_, cq);
  return out;
}

}  // namespace rolegate
