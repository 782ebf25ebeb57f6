// lib/compile/entry.cc — rolegate::Compile(): bundle text -> load
// (lib/model) -> compile (the stages of this folder) -> a Policy. Every
// error of both halves is reported in one run; allocation failure is an
// error like any other, so the caller (and Engine::Publish) keeps the table
// in service.
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "compile/compile.h"
#include "eval/policy_access.h"
#include "model/loader.h"
#include "rolegate/policy.h"

namespace rolegate {

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

absl::StatusOr<std::unique_ptr<Policy>> Compile(std::string_view bundle_json, const Limits& limits,
                                                std::vector<Diagnostic>* diagnostics) {
  auto fail = [&](const char* why) -> absl::StatusOr<std::unique_ptr<Policy>> {
    if (diagnostics) {
      diagnostics->clear();
      diagnostics->push_back(Diagnostic{Severity::kError, "", 0, 0, why});
    }
    return absl::ResourceExhaustedError(why);
  };
  try {
    return CompileOrThrow(bundle_json, limits, diagnostics);
  } catch (const std::bad_alloc&) {
    return fail("out of memory while compiling the bundle");
  } catch (const std::length_error&) {
    return fail("bundle too large to compile");
  }
}

}  // namespace rolegate
