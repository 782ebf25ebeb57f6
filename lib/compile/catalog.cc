// lib/compile/catalog.cc — the closed action catalog (SPEC §2): catalog entries, effective_only_at,
// pattern expansion over the catalog, and the interned action sets.
#include <algorithm>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "compile/compiler.h"
#include "rolegate/internal/glob.h"
#include "rolegate/internal/text.h"
#include "base/scope.h"

namespace rolegate::internal {

void Compiler::BuildCatalog() {
  LeakOnUnwind<absl::flat_hash_map<std::string, size_t>> seen;  // lower name -> bundle index
  for (size_t i = 0; i < b_.actions.size(); ++i) {
    const model::Action& a = b_.actions[i];
    const std::string ptr = JoinPointer("/actions", i);
    std::string lower = AsciiLowerCopy(a.name.s);
    if (!a.valid) {
      if (!lower.empty()) rejected_actions_.insert(std::move(lower));
      continue;
    }
    if (IsGlob(a.name.s)) {
      sink_->Error(JoinPointer(ptr, "name"), a.name.off,
                   absl::StrCat("catalog action \"", a.name.s, "\" must not contain '*' or '?'"));
      continue;
    }
    auto [it, fresh] = seen->emplace(lower, i);
    if (!fresh) {
      sink_->Error(JoinPointer(ptr, "name"), a.name.off,
                   absl::StrCat("catalog action \"", a.name.s, "\" duplicates /actions/", it->second,
                                " (names compare case-insensitively)"));
      continue;
    }
    std::vector<std::vector<std::string>> patterns;
    bool patterns_ok = true;
    for (size_t k = 0; k < a.effective_only_at.size(); ++k) {
      const Str& p = a.effective_only_at[k];
      std::string why = ScopeProblem(p.s, lim_.max_scope_segments, /*pattern=*/true);
      if (!why.empty()) {
        sink_->Error(JoinPointer(JoinPointer(ptr, "effective_only_at"), k), p.off,
                     absl::StrCat("invalid effective_only_at pattern \"", p.s, "\": ", why));
        patterns_ok = false;
        continue;
      }
      patterns.push_back(LowerSegments(p.s));
    }
    if (!patterns_ok) {
      rejected_actions_.insert(std::move(lower));
      continue;
    }
    const uint32_t id = n_actions_++;
    std::string_view name = d().arena.Add(a.name.s);
    std::string_view key = d().arena.Add(lower);
    d().action_ids.emplace(AbslView(key), id);
    d().action_names.push_back(name);
    d().max_action_len = std::max(d().max_action_len, a.name.s.size());
    uint8_t flags = a.data ? kActionData : 0;
    if (a.has_effective_only_at) flags |= kActionRestricted;
    d().action_flags.push_back(flags);
    lower_names_.push_back(std::move(lower));
    effective_patterns_.push_back(std::move(patterns));
  }
  set_words_ = std::max<uint32_t>(1, (n_actions_ + 63) / 64);
  sorted_by_name_.resize(n_actions_);
  std::iota(sorted_by_name_.begin(), sorted_by_name_.end(), 0);
  std::sort(sorted_by_name_.begin(), sorted_by_name_.end(),
            [&](uint32_t x, uint32_t y) { return lower_names_[x] < lower_names_[y]; });
}

uint32_t Compiler::CatalogAction(const Str& name, const std::string& ptr, const char* what) {
  const std::string lower = AsciiLowerCopy(name.s);
  auto it = d().action_ids.find(AbslView(lower));
  if (it != d().action_ids.end()) return it->second;
  if (!rejected_actions_.contains(lower))
    sink_->Error(ptr, name.off, absl::StrCat(what, " \"", name.s, "\" is not in the catalog"));
  return kNone;
}

void Compiler::Expand(const Str& pattern, const std::string& ptr, Kind kind, Bits* bits) {
  const std::string lower = AsciiLowerCopy(pattern.s);
  if (!IsGlob(lower)) {
    const uint32_t id = CatalogAction(pattern, ptr, "action");
    if (id == kNone) return;
    const bool data = d().action_flags[id] & kActionData;
    if ((kind == Kind::kControl && data) || (kind == Kind::kData && !data)) {
      sink_->Warning(ptr, pattern.off,
                     absl::StrCat("\"", pattern.s, "\" is a ", data ? "data" : "control",
                                  " action listed as the other kind; it applies to nothing"));
      return;
    }
    (*bits)[id >> 6] |= uint64_t{1} << (id & 63);
    return;
  }
  // A glob: match it against the catalog once per distinct pattern, then
  // filter by kind. Candidates share the literal prefix before the first
  // wildcard, found by binary search over the sorted names.
  auto cached = pattern_cache_.find(lower);
  if (cached == pattern_cache_.end()) {
    Bits all(set_words_, 0);
    const std::string prefix = lower.substr(0, lower.find_first_of("*?"));
    auto lo = std::lower_bound(sorted_by_name_.begin(), sorted_by_name_.end(), prefix,
                               [&](uint32_t id, const std::string& p) { return lower_names_[id] < p; });
    for (auto it = lo; it != sorted_by_name_.end(); ++it) {
      const std::string& name = lower_names_[*it];
      if (name.compare(0, prefix.size(), prefix) != 0) break;
      if (GlobMatch(lower, name, false)) all[*it >> 6] |= uint64_t{1} << (*it & 63);
    }
    cached = pattern_cache_.emplace(lower, std::move(all)).first;
  }
  // SPEC §6 warns about "a pattern that matches no catalog action": one
  // that matches only actions of the other kind grants nothing here, but it
  // does match, so it is not warned about (as the reference implementation
  // behind shared/data counts them: 118 such patterns in the Azure bundle).
  bool any = false;
  const Bits& all = cached->second;
  for (uint32_t w = 0; w < set_words_; ++w) {
    any |= all[w] != 0;
    uint64_t word = all[w];
    if (kind != Kind::kAny && word) {
      // Keep only actions of the wanted kind.
      uint64_t keep = 0;
      for (uint64_t m = word; m; m &= m - 1) {
        const uint32_t id = w * 64 + static_cast<uint32_t>(__builtin_ctzll(m));
        const bool data = d().action_flags[id] & kActionData;
        if ((kind == Kind::kData) == data) keep |= m & -m;
      }
      word = keep;
    }
    (*bits)[w] |= word;
  }
  if (!any)
    sink_->Warning(ptr, pattern.off, absl::StrCat("pattern \"", pattern.s, "\" matches no catalog action"));
}

Bits Compiler::PermissionBits(const StrList& actions, const StrList& not_actions,
                              const StrList& data_actions, const StrList& not_data_actions,
                              const std::string& ptr) {
  const uint32_t w = set_words_;
  Bits a(w, 0), na(w, 0), da(w, 0), nda(w, 0);
  ExpandList(actions, JoinPointer(ptr, "actions"), Kind::kControl, &a);
  ExpandList(not_actions, JoinPointer(ptr, "not_actions"), Kind::kControl, &na);
  ExpandList(data_actions, JoinPointer(ptr, "data_actions"), Kind::kData, &da);
  ExpandList(not_data_actions, JoinPointer(ptr, "not_data_actions"), Kind::kData, &nda);
  Bits out(w);
  for (uint32_t i = 0; i < w; ++i) out[i] = (a[i] & ~na[i]) | (da[i] & ~nda[i]);
  return out;
}

uint32_t Compiler::InternSet(const Bits& bits) {
  std::string key(reinterpret_cast<const char*>(bits.data()), bits.size() * sizeof(uint64_t));
  auto [it, fresh] = set_ids_.emplace(std::move(key), static_cast<uint32_t>(set_ids_.size()));
  if (fresh) set_bits_.insert(set_bits_.end(), bits.begin(), bits.end());
  return it->second;
}


// The sets were built one bit row per set; queries want one row per action.
void Compiler::TransposeSets() {
  PolicyData& D = d();
  const size_t n_sets = set_ids_.size();
  D.set_row_words = static_cast<uint32_t>(std::max<size_t>(1, (n_sets + 63) / 64));
  D.action_sets.assign(size_t{n_actions_} * D.set_row_words, 0);
  for (size_t set = 0; set < n_sets; ++set) {
    const uint64_t* row = set_bits_.data() + set * set_words_;
    for (uint32_t w = 0; w < set_words_; ++w)
      for (uint64_t bits = row[w]; bits; bits &= bits - 1) {
        const size_t a = size_t{w} * 64 + static_cast<size_t>(__builtin_ctzll(bits));
        D.action_sets[a * D.set_row_words + set / 64] |= uint64_t{1} << (set % 64);
      }
  }
  std::vector<uint64_t>().swap(set_bits_);
}

}  // namespace rolegate::internal
