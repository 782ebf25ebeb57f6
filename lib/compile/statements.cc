// lib/compile/statements.cc — AWS-style statements (SPEC §3 steps 5 and 7,
// §10, §11): actions or not_actions over the whole catalog (no control/data
// split), resource patterns compiled once (ARN field by field, policy
// variables under policy_version 2012-10-17), and the AWS condition.
#include "absl/strings/str_cat.h"
#include "compile/compiler.h"
#include "eval/match.h"

namespace rolegate::internal {

bool Compiler::CompileStatement(const model::Statement& s, const std::string& ptr, StatementEntry* e) {
  bool ok = CheckNotStar(s.principal, JoinPointer(ptr, "principal"));
  if (s.effect.s != "Allow" && s.effect.s != "Deny") {
    sink_->Error(JoinPointer(ptr, "effect"), s.effect.off,
                 absl::StrCat("effect must be exactly \"Allow\" or \"Deny\", not \"", s.effect.s, "\""));
    ok = false;
  }
  bool variables = false;
  if (s.policy_version) {
    if (s.policy_version->s == "2012-10-17") {
      variables = true;
    } else if (s.policy_version->s != "2008-10-17") {
      sink_->Error(JoinPointer(ptr, "policy_version"), s.policy_version->off,
                   absl::StrCat("policy_version must be \"2012-10-17\" or \"2008-10-17\", not \"",
                                s.policy_version->s, "\""));
      ok = false;
    }
  }
  Bits bits(set_words_, 0);
  ExpandList(s.actions, JoinPointer(ptr, s.not_actions ? "not_actions" : "actions"), Kind::kAny, &bits);
  if (s.not_actions) {  // every catalog action none of the patterns matches
    for (uint32_t a = 0; a < n_actions_; ++a) bits[a >> 6] ^= uint64_t{1} << (a & 63);
  }
  MatchTable& m = *d().match;
  e->patterns_begin = static_cast<uint32_t>(m.patterns.size());
  const std::string rkey = s.not_resources ? "not_resources" : "resources";
  for (size_t k = 0; k < s.resources.size(); ++k) {
    ResourcePattern p;
    std::string why;
    if (!CompileResourcePattern(s.resources[k].s, variables, &m.keys, &p, &why)) {
      sink_->Error(JoinPointer(JoinPointer(ptr, rkey), k), s.resources[k].off,
                   absl::StrCat("resource pattern \"", s.resources[k].s, "\": ", why));
      ok = false;
      continue;
    }
    m.patterns.push_back(std::move(p));
  }
  e->patterns_end = static_cast<uint32_t>(m.patterns.size());
  e->cond = AwsCond(s.condition, variables, JoinPointer(ptr, "condition"));
  if (e->cond == kBadCond) ok = false;
  e->deny = s.effect.s == "Deny";
  e->not_resources = s.not_resources;
  e->set = InternSet(bits);
  return ok;
}

void Compiler::BuildStatements() {
  CheckUniqueIds(b_.statements, "/statements", "statement");
  for (size_t i = 0; i < b_.statements.size(); ++i) {
    const model::Statement& s = b_.statements[i];
    d().statement_ids.push_back(d().arena.Add(s.id.s));
    StatementEntry e{};
    e.statement = static_cast<uint32_t>(i);
    e.cond = kNone;
    if (s.valid && CompileStatement(s, JoinPointer("/statements", i), &e))
      principal_stmts_[Principal(s.principal.s)].push_back(static_cast<uint32_t>(i));
    d().statements.push_back(e);
  }
}

}  // namespace rolegate::internal
