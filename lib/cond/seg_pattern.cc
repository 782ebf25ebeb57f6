// lib/cond/seg_pattern.cc — segmented patterns with policy variables (see
// seg_pattern.h).
#include "cond/seg_pattern.h"

#include "rolegate/internal/text.h"

namespace rolegate::internal {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The body of one `${...}` (between the braces) as a segment.
bool ParseVariable(std::string_view body, KeyTable* keys, PatternSeg* seg, std::string* error) {
  if (body == "*" || body == "?" || body == "$") {
    seg->kind = PatternSeg::Kind::kLiteral;
    seg->text = std::string(body);
    return true;
  }
  const size_t comma = body.find(',');
  const std::string_view key = Trim(body.substr(0, comma));
  if (key.empty() || key.find_first_of(" ',{$") != std::string_view::npos) {
    *error = "malformed policy variable ${" + std::string(body) + "}";
    return false;
  }
  seg->kind = PatternSeg::Kind::kVariable;
  seg->key = keys->Intern(key);
  if (comma == std::string_view::npos) return true;
  const std::string_view def = Trim(body.substr(comma + 1));
  if (def.size() < 2 || def.front() != '\'' || def.back() != '\'' ||
      def.substr(1, def.size() - 2).find('\'') != std::string_view::npos) {
    *error = "policy variable default must be one 'quoted' string: ${" + std::string(body) + "}";
    return false;
  }
  seg->has_default = true;
  seg->text = std::string(def.substr(1, def.size() - 2));
  return true;
}

}  // namespace

bool ParseSegPattern(std::string_view text, bool policy_variables, size_t vars_from, KeyTable* keys,
                     SegPattern* out, std::string* error) {
  out->segs.clear();
  out->has_variables = false;
  std::string pending;  // policy text not yet closed into a segment
  auto flush = [&] {
    if (pending.empty()) return;
    out->segs.push_back(PatternSeg{PatternSeg::Kind::kPolicy, false, KeyTable::kNoKey, std::move(pending)});
    pending.clear();
  };
  size_t i = 0;
  while (i < text.size()) {
    if (!policy_variables || i < vars_from || text.compare(i, 2, "${") != 0) {
      pending.push_back(text[i++]);
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      *error = "unterminated policy variable (\"${\" without \"}\")";
      return false;
    }
    PatternSeg seg;
    if (!ParseVariable(text.substr(i + 2, close - i - 2), keys, &seg, error)) return false;
    flush();
    out->has_variables = true;  // `${*}` too: the text is no longer the pattern
    out->segs.push_back(std::move(seg));
    i = close + 1;
  }
  flush();
  if (out->segs.size() > kMaxPatternSegments) {
    *error = "too many policy variables in one value (at most 64 text and variable parts)";
    return false;
  }
  return true;
}

bool ResolveSegs(const SegPattern& p, const ContextView& ctx, ResolvedSegs* out) {
  out->n = 0;
  for (const PatternSeg& s : p.segs) {
    std::string_view t = s.text;
    if (s.kind == PatternSeg::Kind::kVariable) {
      const ContextEntry* e = ctx.Get(s.key);
      if (e != nullptr && e->type == ValueType::kString) t = e->str;
      else if (!s.has_default) return false;
    }
    if (t.empty()) continue;  // keeps positions normalised cheaply
    out->text[out->n] = t;
    out->policy[out->n] = s.kind == PatternSeg::Kind::kPolicy;
    ++out->n;
  }
  return true;
}

SegPos SegBegin(const ResolvedSegs&) { return SegPos{0, 0}; }

namespace {

// Empty segments were dropped by ResolveSegs, so stepping past the last
// byte of a segment lands on the next one's first byte (or the end).
SegPos Next(const ResolvedSegs& r, SegPos p) {
  if (++p.off >= r.text[p.seg].size()) return SegPos{p.seg + 1, 0};
  return p;
}

}  // namespace

bool SegMatch(const ResolvedSegs& r, SegPos from, SegPos to, std::string_view text, bool fold,
              bool wildcards) {
  const size_t nt = text.size();
  auto step = [&](size_t at) {
    const size_t len = static_cast<size_t>(Utf8SeqLen(static_cast<unsigned char>(text[at])));
    return at + len > nt ? nt - at : len;
  };
  auto is_wild = [&](SegPos p, char w) {
    return wildcards && r.policy[p.seg] && r.text[p.seg][p.off] == w;
  };
  SegPos p = from, star_p{};
  bool have_star = false;
  size_t t = 0, star_t = 0;
  while (t < nt) {
    if (!(p == to)) {
      if (is_wild(p, '*')) {
        p = star_p = Next(r, p);
        have_star = true;
        star_t = t;
        continue;
      }
      if (is_wild(p, '?')) {
        p = Next(r, p);
        t += step(t);
        continue;
      }
      const char pc = r.text[p.seg][p.off], tc = text[t];
      if (pc == tc || (fold && AsciiLower(pc) == AsciiLower(tc))) {
        p = Next(r, p);
        ++t;
        continue;
      }
    }
    if (!have_star) return false;  // mismatch: the last `*` swallows one more code point
    p = star_p;
    star_t += step(star_t);
    t = star_t;
  }
  while (!(p == to) && is_wild(p, '*')) p = Next(r, p);
  return p == to;
}

uint32_t SegColons(const ResolvedSegs& r, SegPos* colon, SegPos* after, uint32_t max) {
  uint32_t found = 0;
  for (uint32_t s = 0; s < r.n && found < max; ++s) {
    const std::string_view t = r.text[s];
    for (size_t o = t.find(':'); o != std::string_view::npos && found < max; o = t.find(':', o + 1)) {
      colon[found] = SegPos{s, static_cast<uint32_t>(o)};
      after[found] = Next(r, colon[found]);
      ++found;
    }
  }
  return found;
}

}  // namespace rolegate::internal

namespace rolegate::internal {

bool IsArn(std::string_view text) {
  if (text.size() < 4 || !AsciiEqualsIgnoreCase(text.substr(0, 4), "arn:")) return false;
  size_t colons = 0;
  for (char c : text) colons += c == ':';
  return colons >= 5;
}

bool SegArnMatch(const ResolvedSegs& r, std::string_view arn) {
  if (!IsArn(arn)) return false;
  SegPos colon[5], after[5];
  if (SegColons(r, colon, after, 5) != 5) return false;
  if (!SegMatch(r, SegBegin(r), colon[0], "arn", /*fold=*/true, /*wildcards=*/false)) return false;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const size_t end = arn.find(':', start);  // IsArn guarantees five
    const SegPos from = i == 0 ? SegBegin(r) : after[i - 1];
    if (!SegMatch(r, from, colon[i], arn.substr(start, end - start), /*fold=*/true, /*wildcards=*/true))
      return false;
    start = end + 1;
  }
  return SegMatch(r, after[4], SegEnd(r), arn.substr(start), /*fold=*/false, /*wildcards=*/true);
}

}  // namespace rolegate::internal
