// lib/compile/statements.cc — AWS-style statements (SPEC §3 steps 5 and 7).
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

void Compiler::BuildStatements() {
  CheckUniqueIds(b_.statements, "/statements", "statement");
  for (size_t i = 0; i < b_.statements.size(); ++i) {
    const model::Statement& s = b_.statements[i];
    const std::string ptr = JoinPointer("/statements", i);
    d().statement_ids.push_back(d().arena.Add(s.id.s));
    StatementEntry e{};
    e.statement = static_cast<uint32_t>(i);
    if (s.valid) {
      bool ok = CheckNotStar(s.principal, JoinPointer(ptr, "principal"));
      if (s.effect.s != "Allow" && s.effect.s != "Deny") {
        sink_->Error(JoinPointer(ptr, "effect"), s.effect.off,
                     absl::StrCat("effect must be exactly \"Allow\" or \"Deny\", not \"", s.effect.s, "\""));
        ok = false;
      }
      // Statements are AWS-style: no control/data split, patterns reach both kinds.
      Bits bits(set_words_, 0);
      ExpandList(s.actions, JoinPointer(ptr, "actions"), Kind::kAny, &bits);
      if (ok) {
        e.deny = s.effect.s == "Deny";
        e.set = InternSet(bits);
        e.globs_begin = static_cast<uint32_t>(d().statement_globs.size());
        for (const Str& r : s.resources) d().statement_globs.push_back(d().arena.Add(r.s));
        e.globs_end = static_cast<uint32_t>(d().statement_globs.size());
        principal_stmts_[Principal(s.principal.s)].push_back(static_cast<uint32_t>(i));
      }
    }
    d().statements.push_back(e);
  }
}

}  // namespace rolegate::internal
