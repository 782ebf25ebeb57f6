// lib/request.cc — gateway requests (SPEC §5): compiling routes into one
// RE2::Set, and check_request.
//
// The path rules reject rather than normalise: if the gateway and the service
// behind it could read a path differently (an encoded slash, a dot segment, a
// backslash some servers treat as a separator), the request is refused with
// bad_path instead of being "cleaned" into something the service never saw.
#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "compile/compile.h"
#include "base/leak_on_unwind.h"
#include "re2/re2.h"
#include "re2/set.h"
#include "rolegate/internal/text.h"
#include "rolegate/policy.h"
#include "base/scope.h"

namespace rolegate {
namespace internal {
namespace {

constexpr int kMaxCaptureGroups = 64;
constexpr size_t kMaxPathBytes = 4096;

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

void CompileRoutes(const model::Bundle& b, const Limits& limits, DiagSink* sink, PolicyData* d) {
  LeakOnUnwind<absl::flat_hash_map<std::string_view, size_t>> seen;  // see leak_on_unwind.h
  const re2::RE2::Options opts = RouteOptions(limits);
  // The limit is per route pattern; the set of all patterns gets the sum
  // (capped), or a valid bundle with many routes would be refused.
  re2::RE2::Options set_opts = opts;
  set_opts.set_max_mem(std::min<int64_t>(limits.max_regex_program_bytes *
                                             std::max<int64_t>(1, static_cast<int64_t>(b.routes.size())),
                                         int64_t{1} << 31));
  auto set = std::make_unique<re2::RE2::Set>(set_opts, re2::RE2::ANCHOR_BOTH);
  bool all_ok = true;
  for (size_t i = 0; i < b.routes.size(); ++i) {
    const model::Route& r = b.routes[i];
    const std::string ptr = JoinPointer("/routes", i);
    if (!r.valid) { all_ok = false; continue; }
    bool ok = true;
    auto [it, fresh] = seen->emplace(r.id.s, i);
    if (!fresh) {
      sink->Error(JoinPointer(ptr, "id"), r.id.off,
                  absl::StrCat("duplicate route id \"", r.id.s, "\" (first at /routes/", it->second, ")"));
      ok = false;
    }
    if (r.method.s != "*" &&
        (r.method.s.empty() || !std::all_of(r.method.s.begin(), r.method.s.end(), IsMethodChar))) {
      sink->Error(JoinPointer(ptr, "method"), r.method.off,
                  absl::StrCat("method must be \"*\" or an upper-case token, not \"", r.method.s, "\""));
      ok = false;
    }
    uint32_t action_id = kNone;
    {
      auto a = d->action_ids.find(AbslView(AsciiLowerCopy(r.action.s)));
      if (a == d->action_ids.end()) {
        sink->Error(JoinPointer(ptr, "action"), r.action.off,
                    absl::StrCat("route action \"", r.action.s, "\" is not in the catalog"));
        ok = false;
      } else {
        action_id = a->second;
      }
    }
    Route route;
    route.re = std::make_unique<re2::RE2>(r.path.s, opts);
    if (!route.re->ok()) {
      sink->Error(JoinPointer(ptr, "path"), r.path.off,
                  absl::StrCat("path pattern does not compile: ", route.re->error()));
      all_ok = false;
      continue;
    }
    route.num_groups = route.re->NumberOfCapturingGroups();
    if (route.num_groups > kMaxCaptureGroups) {
      sink->Error(JoinPointer(ptr, "path"), r.path.off,
                  absl::StrCat("path pattern has ", route.num_groups, " capture groups; the limit is ",
                               kMaxCaptureGroups));
      ok = false;
    }
    const auto& named = route.re->NamedCapturingGroups();
    // RE2 accepts two groups of one name; a template placeholder would then
    // name only the leftmost, and §9's "every named capture" would be unclear.
    if (route.re->CapturingGroupNames().size() != named.size()) {
      sink->Error(JoinPointer(ptr, "path"), r.path.off, "path pattern names two capture groups alike");
      ok = false;
    }
    for (const auto& [idx, name] : route.re->CapturingGroupNames()) route.named_groups.push_back(idx);
    std::sort(route.named_groups.begin(), route.named_groups.end());
    // The scope template: literal text and {name} placeholders.
    const std::string& t = r.scope.s;
    std::string sample;  // the template with each placeholder as "x"
    std::vector<std::pair<std::string, int>> pieces;  // literal or group
    bool tmpl_ok = true;
    for (size_t k = 0; k < t.size();) {
      if (t[k] == '{') {
        size_t close = t.find('}', k + 1);
        if (close == std::string::npos) {
          sink->Error(JoinPointer(ptr, "scope"), r.scope.off, "unclosed '{' in scope template");
          tmpl_ok = false;
          break;
        }
        std::string name = t.substr(k + 1, close - k - 1);
        auto g = named.find(name);
        if (g == named.end()) {
          sink->Error(JoinPointer(ptr, "scope"), r.scope.off,
                      absl::StrCat("placeholder {", name, "} has no named capture in the route's path"));
          tmpl_ok = false;
        } else {
          pieces.push_back({std::string(), g->second});
        }
        sample += "x";
        k = close + 1;
      } else if (t[k] == '}') {
        sink->Error(JoinPointer(ptr, "scope"), r.scope.off, "unmatched '}' in scope template");
        tmpl_ok = false;
        break;
      } else {
        size_t next = t.find_first_of("{}", k);
        if (next == std::string::npos) next = t.size();
        pieces.push_back({t.substr(k, next - k), -1});
        sample += t.substr(k, next - k);
        k = next;
      }
    }
    if (tmpl_ok) {
      std::string why = ScopeProblem(sample, limits.max_scope_segments, false);
      if (!why.empty()) {
        sink->Error(JoinPointer(ptr, "scope"), r.scope.off,
                    absl::StrCat("scope template \"", t, "\" cannot yield a valid scope: ", why));
        tmpl_ok = false;
      }
    }
    if (!ok || !tmpl_ok) { all_ok = false; continue; }
    std::string err;
    if (set->Add(r.path.s, &err) != static_cast<int>(d->routes.size())) {
      sink->Error(JoinPointer(ptr, "path"), r.path.off, absl::StrCat("path pattern rejected: ", err));
      all_ok = false;
      continue;
    }
    route.id = d->arena.Add(r.id.s);
    route.method = d->arena.Add(r.method.s);
    route.action = d->arena.Add(r.action.s);
    route.scope_template = d->arena.Add(t);
    route.action_id = action_id;
    for (auto& [lit, group] : pieces) {
      Route::Piece p;
      p.group = group;
      if (group < 0) p.literal = d->arena.Add(lit);
      route.pieces.push_back(p);
    }
    d->routes.push_back(std::move(route));
  }
  if (!all_ok || d->routes.empty()) return;
  if (!set->Compile()) {
    sink->Error("/routes", b.routes.front().off,
                "the route patterns together exceed the regular expression memory limit");
    return;
  }
  d->route_set = std::move(set);
}

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

}  // namespace internal

RequestExplanation Policy::CheckRequest(std::string_view principal, std::string_view method,
                                        std::string_view target, RequestScratch* scratch) const {
  const internal::PolicyData& d = *data_;
  RequestExplanation out;
  out.check.decision.allowed = false;
  const size_t cut = target.find_first_of("?#");
  const std::string_view path = cut == std::string_view::npos ? target : target.substr(0, cut);
  if (!internal::DecodePath(path, &scratch->decoded_path)) {
    out.check.decision.reason = Reason::kBadPath;
    return out;
  }
  const std::string& decoded = scratch->decoded_path;
  int winner = -1;
  if (d.route_set && !method.empty()) {
    scratch->matches.clear();
    re2::RE2::Set::ErrorInfo info{};
    if (d.route_set->Match(decoded, &scratch->matches, &info)) {
      for (int idx : scratch->matches) {
        const internal::Route& r = d.routes[static_cast<size_t>(idx)];
        if ((r.method == "*" || r.method == method) && (winner < 0 || idx < winner)) winner = idx;
      }
    } else if (info.kind != re2::RE2::Set::kNoError) {
      // The set's DFA ran out of memory: never turn that into a silent
      // no_route; try the routes one by one (each has its own budget).
      for (size_t idx = 0; idx < d.routes.size(); ++idx) {
        const internal::Route& r = d.routes[idx];
        if ((r.method == "*" || r.method == method) && re2::RE2::FullMatch(decoded, *r.re)) {
          winner = static_cast<int>(idx);
          break;
        }
      }
    }
  }
  if (winner < 0) {
    out.check.decision.reason = Reason::kNoRoute;
    return out;
  }
  const internal::Route& route = d.routes[static_cast<size_t>(winner)];
  out.route = route.id;
  out.action = route.action;
  re2::StringPiece groups[internal::kMaxCaptureGroups + 1];
  if (!route.re->Match(decoded, 0, decoded.size(), re2::RE2::ANCHOR_BOTH, groups, route.num_groups + 1)) {
    out.check.decision.reason = Reason::kNoRoute;  // cannot happen: the set matched
    return out;
  }
  for (int g : route.named_groups) {
    const re2::StringPiece& v = groups[g];
    if (v.data() == nullptr || v.empty() || std::memchr(v.data(), '/', v.size()) != nullptr) {
      out.check.decision.reason = Reason::kBadPath;
      return out;
    }
  }
  std::string& scope = scratch->scope;
  scope.clear();
  for (const internal::Route::Piece& p : route.pieces) {
    if (p.group < 0) scope.append(p.literal);
    else scope.append(groups[p.group].data(), groups[p.group].size());
  }
  out.resource = scope;
  out.check = internal::CheckStrings<true>(d, principal, route.action, scope);
  return out;
}

}  // namespace rolegate
