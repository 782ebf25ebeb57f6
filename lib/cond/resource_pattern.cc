// lib/cond/resource_pattern.cc — statement resource patterns (see
// resource_pattern.h).
#include "resource_pattern.h"

#include "rolegate/internal/glob.h"

namespace rolegate::internal {

bool CompileResourcePattern(std::string_view pattern, bool policy_variables, KeyTable* keys,
                            ResourcePattern* out, std::string* error) {
  if (pattern.empty()) {
    *error = "resource pattern is empty";
    return false;
  }
  out->text = std::string(pattern);
  out->is_arn = IsArn(pattern);
  size_t vars_from = 0;
  if (out->is_arn) {
    size_t start = 0;
    for (int i = 0; i < 5; ++i) {
      const size_t end = pattern.find(':', start);  // IsArn guarantees five
      out->field_begin[i] = static_cast<uint32_t>(start);
      out->field_end[i] = static_cast<uint32_t>(end);
      start = end + 1;
    }
    out->field_begin[5] = static_cast<uint32_t>(start);
    vars_from = start;
  }
  return ParseSegPattern(pattern, policy_variables, vars_from, keys, &out->segs, error);
}

namespace {

// Field-by-field match of an ARN pattern without variables (both sides ARNs).
bool MatchArnFields(const ResourcePattern& p, std::string_view arn) {
  const std::string_view pat = p.text;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const size_t end = arn.find(':', start);
    const std::string_view pf = pat.substr(p.field_begin[i], p.field_end[i] - p.field_begin[i]);
    if (!GlobMatch(pf, arn.substr(start, end - start), /*fold_case=*/true)) return false;
    start = end + 1;
  }
  return GlobMatch(pat.substr(p.field_begin[5]), arn.substr(start), /*fold_case=*/false);
}

}  // namespace

bool MatchResource(const ResourcePattern& p, std::string_view resource, bool resource_is_scope,
                   const ContextView& ctx) {
  const bool by_fields = p.is_arn && IsArn(resource);
  if (!p.segs.has_variables) {
    if (by_fields) return MatchArnFields(p, resource);
    return GlobMatch(p.text, resource, /*fold_case=*/resource_is_scope);
  }
  ResolvedSegs r;
  if (!ResolveSegs(p.segs, ctx, &r)) return false;  // an unresolved variable: matches nothing
  if (by_fields) return SegArnMatch(r, resource);
  return SegMatch(r, SegBegin(r), SegEnd(r), resource, /*fold=*/resource_is_scope, /*wildcards=*/true);
}

}  // namespace rolegate::internal
