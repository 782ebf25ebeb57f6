// lib/cond/seg_pattern.h — a glob or literal string with AWS policy
// variables, compiled into segments and matched without building strings
// (SPEC §10 "Policy variables"; used by aws_condition and resource_pattern).
//
// A pattern is a sequence of segments: policy text (where, for the Like and
// Arn forms, `*` and `?` are wildcards), literal text (`${*}`, `${?}`,
// `${$}`), and variables `${KEY}` / `${KEY, 'default'}`. At query time the
// variables are resolved against the query's context into a fixed array of
// views (ResolveSegs), and the matcher walks that array as one virtual
// string: a variable's text is matched literally, so a `*` in a request
// value never acts as a wildcard.
#ifndef ROLEGATE_LIB_COND_SEG_PATTERN_H_
#define ROLEGATE_LIB_COND_SEG_PATTERN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cond/keys.h"

namespace rolegate::internal {

// More segments than this in one value is a compile error: it bounds the
// stack array a match resolves into (a value with 31 variables is absurd).
inline constexpr size_t kMaxPatternSegments = 64;

struct PatternSeg {
  enum class Kind : uint8_t { kPolicy, kLiteral, kVariable };
  Kind kind = Kind::kPolicy;
  bool has_default = false;       // kVariable: `${KEY, 'text'}`
  uint32_t key = KeyTable::kNoKey;  // kVariable: the interned key
  std::string text;               // kPolicy/kLiteral: the text; kVariable: the default
};

struct SegPattern {
  std::vector<PatternSeg> segs;
  // Some `${...}` was parsed (a variable or `${*}`-style literal): the
  // written text then differs from the pattern, and matching needs segments.
  bool has_variables = false;
};

// Splits `text` into segments. Variables are recognised only when
// `policy_variables` is true, and only from byte `vars_from` on (earlier
// `${` is plain policy text). A `${` there must be a well-formed variable
// (`${*}`, `${?}`, `${$}`, `${KEY}`, `${KEY, 'default'}`, spaces allowed
// around the comma, KEY non-empty without `}` `,` `'` or spaces); otherwise
// false with *error set. Interns variable keys in `keys`. Compile time.
bool ParseSegPattern(std::string_view text, bool policy_variables, size_t vars_from, KeyTable* keys,
                     SegPattern* out, std::string* error);

// One pattern with its variables resolved for one query: views into the
// pattern and the caller's context (valid while both are). ~1 KiB; lives on
// the stack of one match.
struct ResolvedSegs {
  std::string_view text[kMaxPatternSegments];
  bool policy[kMaxPatternSegments];  // true: `*`/`?` in this text may be wildcards
  uint32_t n = 0;
};

// Resolves every variable: the context's single-valued string for its key,
// else its default. False when some variable has neither (SPEC §10: the
// value then matches nothing). Allocation-free.
bool ResolveSegs(const SegPattern& p, const ContextView& ctx, ResolvedSegs* out);

// A position in the virtual string of a ResolvedSegs. Always normalised (no
// position at the end of a non-last segment), so equal positions compare equal.
struct SegPos {
  uint32_t seg = 0, off = 0;
  friend bool operator==(const SegPos&, const SegPos&) = default;
};
SegPos SegBegin(const ResolvedSegs& r);
inline SegPos SegEnd(const ResolvedSegs& r) { return SegPos{r.n, 0}; }

// Matches text against the part [from, to) of the pattern in full. With
// `wildcards`, `*` (any run) and `?` (one code point) in policy segments are
// wildcards; otherwise every byte compares literally. `fold`: ASCII case-
// insensitive. O(|pattern| * |text|) worst case, no allocation.
bool SegMatch(const ResolvedSegs& r, SegPos from, SegPos to, std::string_view text, bool fold, bool wildcards);

// Finds the first `max` ':' bytes of the pattern (in any segment kind:
// substituted text is split like written text, as AWS substitutes before it
// reads the ARN): colon[i] is the position of the i-th ':', after[i] the
// position just past it. Returns how many it found (<= max).
uint32_t SegColons(const ResolvedSegs& r, SegPos* colon, SegPos* after, uint32_t max);

// True when `text` is an ARN: starts with "arn:" in any ASCII case and has
// at least six ':'-separated fields (SPEC §11).
bool IsArn(std::string_view text);

// SPEC §11 field-by-field ARN matching of a resolved pattern against a
// request ARN: fields 1–5 each a glob confined to its field, ASCII
// case-insensitive; field 6 onward one case-sensitive glob that crosses ':'
// and '/'. False when either side is not an ARN (the pattern's first field
// must be the literal text "arn"). No allocation.
bool SegArnMatch(const ResolvedSegs& r, std::string_view arn);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_COND_SEG_PATTERN_H_
