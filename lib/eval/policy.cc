// lib/eval/policy.cc — the Policy object, its stats, and the table's arena.
#include "rolegate/policy.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "eval/match.h"
#include "eval/routes.h"
#include "re2/re2.h"

namespace rolegate {
namespace internal {

std::string_view Arena::Add(std::string_view s) {
  if (s.empty()) return std::string_view();
  if (s.size() > cap_ - used_) {
    size_t size = std::max<size_t>(64 * 1024, s.size());
    blocks_.emplace_back(new char[size]);
    used_ = 0;
    cap_ = size;
  }
  char* p = blocks_.back().get() + used_;
  std::memcpy(p, s.data(), s.size());
  used_ += s.size();
  bytes_ += s.size();
  return std::string_view(p, s.size());
}

PolicyData::PolicyData() = default;
PolicyData::~PolicyData() = default;

}  // namespace internal

Policy::Policy(std::unique_ptr<internal::PolicyData> d) : data_(std::move(d)) {}
Policy::~Policy() = default;

bool ParseWorkloadType(std::string_view s, WorkloadType* out) {
  if (s == "job") *out = WorkloadType::kJob;
  else if (s == "service") *out = WorkloadType::kService;
  else if (s == "workspace") *out = WorkloadType::kWorkspace;
  else return false;
  return true;
}


namespace {

// Approximate heap bytes of the conditions, statement resource patterns and
// context keys (what the out-of-line half of the check path reads).
uint64_t SegBytes(const internal::SegPattern& p) {
  uint64_t b = p.segs.capacity() * sizeof(internal::PatternSeg);
  for (const auto& seg : p.segs) b += seg.text.capacity();
  return b;
}

uint64_t MatchTableBytes(const internal::MatchTable& m) {
  uint64_t b = m.conds.capacity() * sizeof(internal::CondRef) + uint64_t{m.keys.size()} * 64;
  b += m.patterns.capacity() * sizeof(internal::ResourcePattern);
  for (const auto& p : m.patterns) b += p.text.capacity() + SegBytes(p.segs);
  b += m.azure.capacity() * sizeof(internal::AzureProgram);
  for (const auto& a : m.azure)
    b += a.code.capacity() * sizeof(internal::AzureOp) + a.tests.capacity() * sizeof(internal::AzureTest) +
         a.literals.capacity() * sizeof(internal::AzureLiteral) + a.action_ids.capacity() * sizeof(uint32_t) +
         a.strings.capacity();
  b += m.aws.capacity() * sizeof(internal::AwsProgram);
  for (const auto& a : m.aws) {
    b += a.clauses.capacity() * sizeof(internal::AwsClause) + a.values.capacity() * sizeof(internal::AwsValue);
    for (const auto& v : a.values) b += v.bytes.capacity() + SegBytes(v.pattern);
  }
  return b;
}

}  // namespace

Policy::Stats Policy::GetStats() const {
  const internal::PolicyData& d = *data_;
  Stats s;
  s.actions = d.action_names.size();
  s.roles = d.n_roles;
  s.principals = d.principal_names.size();
  s.groups = d.n_groups;
  s.assignments = d.n_assignments;  // each once, whatever its role's blocks and conditions
  s.deny_assignments = d.denies.size();
  s.statements = d.statements.size();
  s.clouds = d.clouds.size();
  s.mapping_rules = d.mappings.size();
  s.routes = d.routes ? d.routes->routes.size() : 0;
  s.scope_nodes = d.nodes.size();
  auto map_bytes = [](const auto& m) {
    using V = typename std::decay_t<decltype(m)>::value_type;
    return m.capacity() * (sizeof(V) + 1);
  };
  auto vec_bytes = [](const auto& v) {
    using V = typename std::decay_t<decltype(v)>::value_type;
    return v.capacity() * sizeof(V);
  };
  uint64_t b = d.arena.bytes();
  b += map_bytes(d.action_ids) + map_bytes(d.principal_ids) + map_bytes(d.scope_paths) +
       map_bytes(d.effective_at) + map_bytes(d.cloud_ids) + map_bytes(d.mappings_by_key);
  b += vec_bytes(d.action_names) + vec_bytes(d.action_flags) + vec_bytes(d.action_sets) +
       vec_bytes(d.principal_names) + vec_bytes(d.principals) + vec_bytes(d.closure) +
       vec_bytes(d.grants) + vec_bytes(d.grant_info) + vec_bytes(d.grant_pre) + vec_bytes(d.principal_statements) + vec_bytes(d.nodes) +
       vec_bytes(d.denies) + vec_bytes(d.deny_principal_ids) + vec_bytes(d.statements) +
       vec_bytes(d.cond_grants) + vec_bytes(d.assignment_ids) + vec_bytes(d.deny_ids) +
       vec_bytes(d.statement_ids) + vec_bytes(d.clouds) + vec_bytes(d.mappings);
  if (d.routes) {
    b += vec_bytes(d.routes->routes);
    for (const auto& r : d.routes->routes) b += r.re ? static_cast<uint64_t>(r.re->ProgramSize()) * 16 : 0;
  }
  if (d.match) b += MatchTableBytes(*d.match);
  s.table_bytes = b;
  return s;
}

}  // namespace rolegate
