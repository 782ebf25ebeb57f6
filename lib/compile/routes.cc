// lib/compile/routes.cc — gateway routes (SPEC §5, §9) into one RE2::Set plus
// a per-route pattern (for the captures) and a scope template split into
// literal and capture pieces.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/scope.h"
#include "compile/compiler.h"
#include "eval/routes.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal {
namespace {

bool IsMethodChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'+-.^_`|~").find(c) != std::string_view::npos;
}

re2::RE2::Options RouteOptions(const Limits& limits) {
  re2::RE2::Options o;
  o.set_log_errors(false);
  o.set_encoding(re2::RE2::Options::EncodingUTF8);
  o.set_max_mem(limits.max_regex_program_bytes);
  return o;
}

}  // namespace

// The path pattern: compiles, within the capture limits, names no two
// groups alike (a placeholder would see only the leftmost, and §9's "every
// named capture" would be unclear).
bool Compiler::CompileRoutePattern(const model::Route& r, const std::string& ptr, Route* route) {
  route->re = std::make_unique<re2::RE2>(r.path.s, RouteOptions(lim_));
  const std::string pptr = JoinPointer(ptr, "path");
  if (!route->re->ok()) {
    sink_->Error(pptr, r.path.off, absl::StrCat("path pattern does not compile: ", route->re->error()));
    return false;
  }
  bool ok = true;
  route->num_groups = route->re->NumberOfCapturingGroups();
  if (route->num_groups > kMaxCaptureGroups) {
    sink_->Error(pptr, r.path.off,
                 absl::StrCat("path pattern has ", route->num_groups, " capture groups; the limit is ",
                              kMaxCaptureGroups));
    ok = false;
  }
  if (route->re->CapturingGroupNames().size() != route->re->NamedCapturingGroups().size()) {
    sink_->Error(pptr, r.path.off, "path pattern names two capture groups alike");
    ok = false;
  }
  for (const auto& [idx, name] : route->re->CapturingGroupNames()) route->named_groups.push_back(idx);
  std::sort(route->named_groups.begin(), route->named_groups.end());
  return ok;
}

// The scope template: literal text and {name} placeholders, each naming a
// capture of the path; it must be able to yield a valid scope.
bool Compiler::CompileScopeTemplate(const model::Route& r, const std::string& ptr, Route* route) {
  const std::string& t = r.scope.s;
  const std::string sptr = JoinPointer(ptr, "scope");
  const auto& named = route->re->NamedCapturingGroups();
  std::string sample;  // the template with each placeholder as "x"
  bool ok = true;
  for (size_t k = 0; k < t.size();) {
    if (t[k] == '}') {
      sink_->Error(sptr, r.scope.off, "unmatched '}' in scope template");
      return false;
    }
    if (t[k] != '{') {
      size_t next = std::min(t.find_first_of("{}", k), t.size());
      route->pieces.push_back(Route::Piece{d().arena.Add(std::string_view(t).substr(k, next - k)), -1});
      sample.append(t, k, next - k);
      k = next;
      continue;
    }
    const size_t close = t.find('}', k + 1);
    if (close == std::string::npos) {
      sink_->Error(sptr, r.scope.off, "unclosed '{' in scope template");
      return false;
    }
    const std::string name = t.substr(k + 1, close - k - 1);
    auto g = named.find(name);
    if (g == named.end()) {
      sink_->Error(sptr, r.scope.off,
                   absl::StrCat("placeholder {", name, "} has no named capture in the route's path"));
      ok = false;
    } else {
      route->pieces.push_back(Route::Piece{{}, g->second});
    }
    sample += "x";
    k = close + 1;
  }
  if (!ok) return false;
  const std::string why = ScopeProblem(sample, lim_.max_scope_segments, false);
  if (!why.empty()) {
    sink_->Error(sptr, r.scope.off,
                 absl::StrCat("scope template \"", t, "\" cannot yield a valid scope: ", why));
    return false;
  }
  return true;
}

void Compiler::BuildRoutes() {
  CheckUniqueIds(b_.routes, "/routes", "route");
  auto table = std::make_unique<RouteTable>();
  // The limit is per route pattern; the set of all patterns gets the sum
  // (capped), or a valid bundle with many routes would be refused.
  re2::RE2::Options set_opts = RouteOptions(lim_);
  set_opts.set_max_mem(std::min<int64_t>(
      lim_.max_regex_program_bytes * std::max<int64_t>(1, static_cast<int64_t>(b_.routes.size())),
      int64_t{1} << 31));
  table->set = std::make_unique<re2::RE2::Set>(set_opts, re2::RE2::ANCHOR_BOTH);
  bool all_ok = true;
  for (size_t i = 0; i < b_.routes.size(); ++i) {
    const model::Route& r = b_.routes[i];
    const std::string ptr = JoinPointer("/routes", i);
    if (!r.valid) { all_ok = false; continue; }
    bool ok = true;
    if (r.method.s != "*" && !std::all_of(r.method.s.begin(), r.method.s.end(), IsMethodChar)) {
      sink_->Error(JoinPointer(ptr, "method"), r.method.off,
                   absl::StrCat("method must be \"*\" or an upper-case token, not \"", r.method.s, "\""));
      ok = false;
    }
    Route route;
    route.action_id = CatalogAction(r.action, JoinPointer(ptr, "action"), "route action");
    ok &= route.action_id != kNone;
    if (!CompileRoutePattern(r, ptr, &route) || !CompileScopeTemplate(r, ptr, &route) || !ok) {
      all_ok = false;
      continue;
    }
    std::string err;
    if (table->set->Add(r.path.s, &err) != static_cast<int>(table->routes.size())) {
      sink_->Error(JoinPointer(ptr, "path"), r.path.off, absl::StrCat("path pattern rejected: ", err));
      all_ok = false;
      continue;
    }
    route.id = d().arena.Add(r.id.s);
    route.method = d().arena.Add(r.method.s);
    route.action = d().arena.Add(r.action.s);  // as the bundle spells it (answers echo it)
    table->routes.push_back(std::move(route));
  }
  if (!all_ok || table->routes.empty()) return;
  if (!table->set->Compile()) {
    sink_->Error("/routes", b_.routes.front().off,
                 "the route patterns together exceed the regular expression memory limit");
    return;
  }
  d().routes = std::move(table);
}

}  // namespace rolegate::internal
