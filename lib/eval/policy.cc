// lib/policy.cc — Compile(), the Policy object, and the table's arena.
#include "rolegate/policy.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "model/loader.h"
#include "compile/compile.h"
#include "eval/match.h"
#include "eval/policy_access.h"
#include "eval/routes.h"
#include "re2/re2.h"
#include "re2/set.h"

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

// PolicyAccess (the one door into a Policy) is in eval/policy_access.h.

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

absl::StatusOr<std::unique_ptr<Policy>> CompileOrThrow(std::string_view bundle_json, const Limits& limits,
                                                       std::vector<Diagnostic>* diagnostics);

}  // namespace

// Allocation failure while compiling is an error like any other: the caller
// (and Engine::Publish) keeps the table in service.
absl::StatusOr<std::unique_ptr<Policy>> Compile(std::string_view bundle_json, const Limits& limits,
                                                std::vector<Diagnostic>* diagnostics) {
  try {
    return CompileOrThrow(bundle_json, limits, diagnostics);
  } catch (const std::bad_alloc&) {
    if (diagnostics) {
      diagnostics->clear();
      diagnostics->push_back(Diagnostic{Severity::kError, "", 0, 0, "out of memory while compiling the bundle"});
    }
    return absl::ResourceExhaustedError("out of memory while compiling the bundle");
  } catch (const std::length_error&) {
    if (diagnostics) {
      diagnostics->clear();
      diagnostics->push_back(Diagnostic{Severity::kError, "", 0, 0, "bundle too large to compile"});
    }
    return absl::ResourceExhaustedError("bundle too large to compile");
  }
}

namespace {

absl::StatusOr<std::unique_ptr<Policy>> CompileOrThrow(std::string_view bundle_json, const Limits& limits,
                                                       std::vector<Diagnostic>* diagnostics) {
  internal::DiagSink sink;
  std::unique_ptr<internal::PolicyData> data;
  {
    model::Bundle bundle;
    if (limits.max_scope_segments > internal::kMaxScopeSegments) {
      sink.Error("", 0, absl::StrCat("the max_scope_segments limit may be at most ", internal::kMaxScopeSegments));
    } else if (internal::LoadBundle(bundle_json, limits, &bundle, &sink)) {
      // Semantic checks run even after shape errors, so one run reports
      // every error; the table is built only when there are none.
      data = internal::CompileBundle(bundle, limits, &sink);
    }
    if (!data && !sink.has_errors()) {
      sink.Error("", 0, "bundle could not be loaded");
    }
  }
  const size_t errors = sink.errors();
  std::vector<Diagnostic> diags = sink.Finish(bundle_json);
  if (errors > 0 || !data) {
    std::string first;
    for (const Diagnostic& d : diags)
      if (d.severity == Severity::kError) { first = FormatDiagnostic(d); break; }
    if (diagnostics) *diagnostics = std::move(diags);
    return absl::InvalidArgumentError(
        absl::StrCat("bundle rejected with ", errors, " error", errors == 1 ? "" : "s", "; first: ", first));
  }
  if (diagnostics) *diagnostics = std::move(diags);
  return internal::PolicyAccess::Make(std::move(data));
}

}  // namespace

Policy::Stats Policy::GetStats() const {
  const internal::PolicyData& d = *data_;
  Stats s;
  s.actions = d.action_names.size();
  s.roles = d.n_roles;
  s.principals = d.principal_names.size();
  s.groups = d.n_groups;
  s.assignments = d.grants.size();
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
  s.table_bytes = b;
  return s;
}

}  // namespace rolegate
