// lib/eval/request.cc — check_request (SPEC §5) over the routes
// compile/routes.cc builds.
//
// The path rules reject rather than normalise: if the gateway and the service
// behind it could read a path differently (an encoded slash, a dot segment, a
// backslash some servers treat as a separator), the request is refused with
// bad_path instead of being "cleaned" into something the service never saw.
#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "eval/routes.h"
#include "re2/re2.h"
#include "re2/set.h"
#include "rolegate/internal/text.h"
#include "rolegate/policy.h"

namespace rolegate {
namespace internal {
// Decodes percent-escapes once and applies SPEC §5.1. Returns false on bad_path.
static bool DecodePath(std::string_view path, std::string* out) {
  if (path.size() > kMaxPathBytes) return false;
  out->clear();
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%') {
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      if (i + 2 >= path.size()) return false;  // truncated escape
      const int hi = hex(path[i + 1]), lo = hex(path[i + 2]);
      if (hi < 0 || lo < 0) return false;
      const unsigned char b = static_cast<unsigned char>(hi * 16 + lo);
      // An encoded separator or control character would let the gateway and
      // the service see different segments.
      if (b == '/' || b == '\\' || b < 0x20 || b == 0x7F) return false;
      out->push_back(static_cast<char>(b));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
  const std::string& p = *out;
  if (p.empty() || p[0] != '/') return false;
  if (!IsValidUtf8(p) || HasControlChar(p)) return false;
  if (p.find('\\') != std::string::npos) return false;
  size_t i = 1;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    const size_t len = j - i;
    if (len == 0 && j != p.size()) return false;  // empty inner segment
    if ((len == 1 && p[i] == '.') || (len == 2 && p[i] == '.' && p[i + 1] == '.')) return false;
    i = j + 1;
  }
  return true;
}

// The index of the first route whose method and path match, or -1.
static int FirstRoute(const PolicyData& d, std::string_view method, RequestScratch* scratch) {
  if (!d.routes || method.empty()) return -1;
  const std::string& decoded = scratch->decoded_path;
  const std::vector<Route>& routes = d.routes->routes;
  int winner = -1;
  scratch->matches.clear();
  re2::RE2::Set::ErrorInfo info{};
  if (d.routes->set->Match(decoded, &scratch->matches, &info)) {
    for (int idx : scratch->matches) {
      const Route& r = routes[static_cast<size_t>(idx)];
      if ((r.method == "*" || r.method == method) && (winner < 0 || idx < winner)) winner = idx;
    }
  } else if (info.kind != re2::RE2::Set::kNoError) {
    // The set's DFA ran out of memory: never turn that into a silent
    // no_route; try the routes one by one (each has its own budget).
    for (size_t idx = 0; idx < routes.size(); ++idx) {
      const Route& r = routes[idx];
      if ((r.method == "*" || r.method == method) && re2::RE2::FullMatch(decoded, *r.re)) return static_cast<int>(idx);
    }
  }
  return winner;
}

// The route step of check_request (SPEC §5): the path rules, the first
// matching route and its filled scope (in scratch->scope). Returns the
// route, or nullptr with out->check's reason set (bad_path, no_route).
static const Route* RouteRequest(const PolicyData& d, std::string_view method, std::string_view target,
                                 RequestScratch* scratch, RequestExplanation* out) {
  const size_t cut = target.find_first_of("?#");
  const std::string_view path = cut == std::string_view::npos ? target : target.substr(0, cut);
  if (!DecodePath(path, &scratch->decoded_path)) {
    out->check.decision.reason = Reason::kBadPath;
    return nullptr;
  }
  const int winner = FirstRoute(d, method, scratch);
  if (winner < 0) {
    out->check.decision.reason = Reason::kNoRoute;
    return nullptr;
  }
  const Route& route = d.routes->routes[static_cast<size_t>(winner)];
  out->route = route.id;
  out->action = route.action;
  const std::string& decoded = scratch->decoded_path;
  re2::StringPiece groups[kMaxCaptureGroups + 1];
  if (!route.re->Match(decoded, 0, decoded.size(), re2::RE2::ANCHOR_BOTH, groups, route.num_groups + 1)) {
    out->check.decision.reason = Reason::kNoRoute;  // cannot happen: the set matched
    return nullptr;
  }
  for (int g : route.named_groups) {
    const re2::StringPiece& v = groups[g];
    if (v.data() == nullptr || v.empty() || std::memchr(v.data(), '/', v.size()) != nullptr) {
      out->check.decision.reason = Reason::kBadPath;
      return nullptr;
    }
  }
  std::string& scope = scratch->scope;
  scope.clear();
  for (const Route::Piece& p : route.pieces) {
    if (p.group < 0) scope.append(p.literal);
    else scope.append(groups[p.group].data(), groups[p.group].size());
  }
  out->resource = scope;
  return &route;
}

// check_request: validate the extras, route, then check the route's action
// (resolved when the bundle compiled) on the filled scope. kExplain names
// the deciding rule; without it only the decision and reason are filled.
template <bool kExplain>
static RequestExplanation CheckRequestImpl(const PolicyData& d, std::string_view principal,
                                           std::string_view method, std::string_view target,
                                           RequestScratch* scratch, const QueryExtras& extras) {
  RequestExplanation out;
  out.check.decision.allowed = false;
  if ((extras.context.size != 0 && !ContextIsValid(extras.context)) ||
      (extras.groups.size != 0 && !GroupsAreValid(extras.groups))) {
    out.check.decision.reason = Reason::kInvalidInput;
    return out;
  }
  const Route* route = RouteRequest(d, method, target, scratch, &out);
  if (route == nullptr) return out;
  if (principal.empty()) {
    out.check.decision.reason = Reason::kInvalidInput;
    return out;
  }
  out.check = CheckResolved<kExplain>(d, FindPrincipal(d, principal), route->action_id, scratch->scope,
                                      extras.groups, extras.context);
  if (!kExplain) {  // the decision-only path may have found a rule, not necessarily Explain's
    out.check.kind = RuleKind::kNone;
    out.check.rule = {};
  }
  return out;
}

}  // namespace internal

RequestExplanation Policy::CheckRequest(std::string_view principal, std::string_view method,
                                        std::string_view target, RequestScratch* scratch,
                                        const QueryExtras& extras) const {
  return internal::CheckRequestImpl<true>(*data_, principal, method, target, scratch, extras);
}

RequestExplanation Policy::DecideRequest(std::string_view principal, std::string_view method,
                                         std::string_view target, RequestScratch* scratch,
                                         const QueryExtras& extras) const {
  return internal::CheckRequestImpl<false>(*data_, principal, method, target, scratch, extras);
}

}  // namespace rolegate
