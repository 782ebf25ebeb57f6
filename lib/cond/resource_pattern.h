// lib/cond/resource_pattern.h — a statement's resource pattern (SPEC §3,
// §11), compiled once and matched per query without allocation.
//
// ARN patterns (start with "arn:" in any case, at least six ':'-separated
// fields) match ARN resources field by field: fields 1–5 (arn, partition,
// service, region, account) each a glob confined to its field, ASCII
// case-insensitive — so a region of `*` never crosses ':' — and field 6
// onward one case-sensitive glob in which `*` crosses ':' and '/'. Any other
// pattern, and an ARN pattern against a resource that is not an ARN, is one
// glob over the whole string: case-insensitive when the resource is a scope
// (starts with '/'), case-sensitive otherwise. `*` is any run, `?` one
// Unicode code point.
//
// Policy variables (the statement's policy_version is "2012-10-17"):
// `${KEY}`, `${KEY, 'default'}`, `${*}`, `${?}`, `${$}`. In an ARN pattern
// they are recognised only after the fifth ':' — in the resource part, the
// only place AWS substitutes them; earlier, `${...}` is literal text, which
// also keeps the five field boundaries fixed at compile time (a substituted
// ':' cannot shift them). A non-ARN pattern has no fields, so variables count
// anywhere in it (SPEC §10 restricts their position for ARNs only).
// Substituted text matches literally; a variable with no single-valued string
// in the context and no default makes the pattern match nothing.
#ifndef ROLEGATE_LIB_COND_RESOURCE_PATTERN_H_
#define ROLEGATE_LIB_COND_RESOURCE_PATTERN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "cond/keys.h"
#include "cond/seg_pattern.h"

namespace rolegate::internal {

// A compiled resource pattern. Owns its text; immutable after compilation and
// safe to match from many threads at once.
struct ResourcePattern {
  std::string text;     // the pattern as written
  bool is_arn = false;  // an ARN pattern (field-by-field against ARN resources)
  // Without variables: the byte ranges of fields 1–5 in `text` and where
  // field 6 begins, for a direct field-by-field match.
  uint32_t field_begin[6] = {}, field_end[5] = {};
  SegPattern segs;  // used only when segs.has_variables
};

// Compiles `pattern`. False with *error when the pattern is empty or holds a
// malformed policy variable (policy_variables only). Interns variable keys
// in `keys`. Cost: linear in the pattern.
bool CompileResourcePattern(std::string_view pattern, bool policy_variables, KeyTable* keys,
                            ResourcePattern* out, std::string* error);

// True when `resource` matches. `resource_is_scope`: the resource starts with
// '/' (the caller has already classified it, SPEC §3). `ctx` supplies policy
// variables (an empty ContextView for none). No allocation; O(|pattern| *
// |resource|) worst case.
bool MatchResource(const ResourcePattern& p, std::string_view resource, bool resource_is_scope,
                   const ContextView& ctx);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_COND_RESOURCE_PATTERN_H_
