// lib/compile/conditions.cc — conditions (SPEC §10) compiled once, into the
// MatchTable the check path reads: Azure expressions on assignments, deny
// assignments and permission blocks; AWS Condition elements on statements;
// the AND of an assignment's and its role block's condition.
//
// A condition that does not compile is an error at its JSON pointer (for an
// Azure expression also the offset inside the string and what was
// expected); the rule then gets kBadCond and is left out of the table,
// which is never built anyway since an error was reported.
#include "absl/strings/str_cat.h"
#include "compile/compiler.h"
#include "eval/match.h"
#include "rolegate/internal/glob.h"

namespace rolegate::internal {

uint32_t Compiler::AddCond(CondRef ref) {
  d().match->conds.push_back(ref);
  return static_cast<uint32_t>(d().match->conds.size() - 1);
}

std::vector<uint32_t> Compiler::CatalogMatches(std::string_view lower_glob) {
  std::vector<uint32_t> ids;
  for (uint32_t a = 0; a < n_actions_; ++a)
    if (GlobMatch(lower_glob, lower_names_[a], false)) ids.push_back(a);
  return ids;  // ascending: the ids are visited in order
}

uint32_t Compiler::AzureCond(const std::optional<Str>& text, const std::string& ptr) {
  if (!text) return kNone;
  AzureProgram program;
  AzureError err;
  auto expand = [this](std::string_view glob) { return CatalogMatches(glob); };
  if (!CompileAzureCondition(text->s, &d().match->keys, expand, &program, &err)) {
    sink_->Error(ptr, text->off,
                 absl::StrCat("condition does not parse at character ", err.offset + 1, ": ", err.message));
    return kBadCond;
  }
  d().match->azure.push_back(std::move(program));
  return AddCond(CondRef{CondRef::Kind::kAzure, static_cast<uint32_t>(d().match->azure.size() - 1), 0});
}

uint32_t Compiler::AwsCond(const std::optional<model::AwsCondition>& c, bool policy_variables,
                           const std::string& ptr) {
  if (!c || c->operators.empty()) return kNone;  // `{}`: no operator, nothing to hold
  AwsProgram program;
  std::vector<CondError> errors;
  if (!CompileAwsCondition(*c, policy_variables, &d().match->keys, &program, &errors)) {
    for (const CondError& e : errors)
      sink_->Error(absl::StrCat(ptr, e.pointer), e.off == model::kNoOffset ? c->off : e.off, e.message);
    return kBadCond;
  }
  d().match->aws.push_back(std::move(program));
  return AddCond(CondRef{CondRef::Kind::kAws, static_cast<uint32_t>(d().match->aws.size() - 1), 0});
}

uint32_t Compiler::AndCond(uint32_t a, uint32_t b) {
  if (a == kBadCond || b == kBadCond) return kBadCond;
  if (a == kNone) return b;
  if (b == kNone) return a;
  return AddCond(CondRef{CondRef::Kind::kAnd, a, b});
}

}  // namespace rolegate::internal
