// tests/fuzz/differential.cc — the compiled decision table against the
// reference evaluator (tests/support/reference.h) on fuzzer-made bundles and
// queries. Any disagreement is a crash.
//
// The input is read as a stream of choices (FuzzedDataProvider) that build a
// bundle from small vocabularies, chosen so that rules collide: action names
// that differ only in case, overlapping globs, scopes that are ancestors of
// each other in mixed case, groups nested and sometimes cyclic, deny
// assignments with exclusions, effective_only_at patterns, statements over
// ARNs and scopes, mapping rules of every specificity, routes with captures.
// Most inputs give a valid bundle. The rest of the input picks queries from
// the same vocabularies (plus raw bytes), and a seed for the tests' query
// generator adds more. When the reference rejects the bundle the engine must
// too; when both accept, every answer must be the same.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "json_tree.h"

namespace {

template <size_t N>
std::string One(FuzzedDataProvider& in, const char* const (&v)[N]) {
  return v[in.ConsumeIntegralInRange<size_t>(0, N - 1)];
}

const char* const kActions[] = {"svc/a/read",  "svc/a/write", "svc/b/read", "svc/b/delete", "Svc/C/Read",
                                "data/x/get",  "data/x/put",  "svc/a/b/read", "admin",     "x:Get",
                                "SVC/A/READ",  "caf\xc3\xa9/read"};
const char* const kPatterns[] = {"*",        "svc/*",      "*/read",   "svc/?/read", "svc/a/*", "*a*",
                                 "data/*",   "?dmin",      "nomatch/*", "SVC/*/READ", "*/delete", "x:*",
                                 "caf?/read", "svc/a/read", "data/x/get", "admin",   "x:get",     "svc/b/read"};
const char* const kSegments[] = {"s", "S", "x", "p", "q", "xy", "X", "caf\xc3\xa9"};
const char* const kPrincipals[] = {"u1", "u2", "U1", "g1", "g2", "g3", "id1", "id2", "u3"};
const char* const kEffective[] = {"/s/*", "/*", "/s/*/p", "/S/x", "/", "/*/*"};
const char* const kStmtResources[] = {"arn:x:*", "arn:x:s?", "arn:X:s1", "/s/*", "/S*", "*", "/s/x", "?*",
                                      "arn:x:caf\xc3\xa9"};
const char* const kArns[] = {"arn:x:s1", "arn:X:s1", "arn:x:s", "arn:x:sz", "arn:x:s\xc3\xa9", "arn:x:",
                             "arn:x:caf\xc3\xa9", "arn:x:CAF\xc3\xa9", "s1", "*"};

struct Route {
  const char* method;
  const char* path;
  const char* scope;
};
const Route kRoutes[] = {
    {"GET", "/api/(?P<a>[^/]+)/(?P<b>[^/]+)", "/s/{a}/{b}"},
    {"*", "/api/(?P<a>[^/]+)", "/S/{a}"},
    {"POST", "/api/(?P<a>[^/]+)/(?P<b>[^/]+)/?", "/{a}/x/{b}"},
    {"GET", "/f/(?P<rest>.*)", "/s/{rest}"},
    {"DELETE", "(?i)/API/(?P<a>[a-z]+)", "/s/{a}"},
    {"GET", "/o/(?P<a>[^/]+)(?:/(?P<b>[^/]+))?", "/s/{a}"},
    {"*", "/.*", "/"},
};

class Builder {
 public:
  explicit Builder(FuzzedDataProvider& in) : in_(in) {}

  std::string Scope() {
    std::string s;
    const size_t depth = in_.ConsumeIntegralInRange<size_t>(0, 3);
    for (size_t i = 0; i < depth; ++i) s += "/" + One(in_, kSegments);
    return s.empty() ? "/" : s;
  }

  // A JSON array of 0..max strings drawn by `draw`.
  template <typename Draw>
  std::string List(size_t min, size_t max, Draw draw) {
    const size_t n = in_.ConsumeIntegralInRange<size_t>(min, max);
    std::string out = "[";
    for (size_t i = 0; i < n; ++i) {
      if (i) out += ",";
      rolegate_fuzz::WriteString(draw(), &out);
    }
    return out + "]";
  }

  static std::string Str(std::string_view s) {
    std::string out;
    rolegate_fuzz::WriteString(s, &out);
    return out;
  }

  std::string Build() {
    std::string b = "{\"version\":1,\"actions\":[";
    // Catalog: a subset of the names, in order; sometimes a case duplicate.
    size_t n_actions = 0;
    for (const char* name : kActions) {
      const bool take = in_.ConsumeBool();
      if (!take) continue;
      if (n_actions++) b += ",";
      b += "{\"name\":" + Str(name);
      if (in_.ConsumeIntegralInRange<int>(0, 3) == 0) b += ",\"data\":true";
      if (in_.ConsumeIntegralInRange<int>(0, 5) == 0)
        b += ",\"effective_only_at\":" + List(0, 2, [&] { return One(in_, kEffective); });
      b += "}";
    }
    b += "]";
    auto patterns = [&](size_t max) { return List(0, max, [&] { return One(in_, kPatterns); }); };

    const size_t n_roles = in_.ConsumeIntegralInRange<size_t>(0, 4);
    b += ",\"roles\":[";
    for (size_t i = 0; i < n_roles; ++i) {
      if (i) b += ",";
      b += "{\"id\":\"r" + std::to_string(in_.ConsumeIntegralInRange<int>(0, 9) == 0 ? 0 : i) + "\"";
      if (in_.ConsumeBool()) b += ",\"actions\":" + patterns(3);
      if (in_.ConsumeIntegralInRange<int>(0, 2) == 0) b += ",\"not_actions\":" + patterns(2);
      if (in_.ConsumeIntegralInRange<int>(0, 2) == 0) b += ",\"data_actions\":" + patterns(2);
      if (in_.ConsumeIntegralInRange<int>(0, 3) == 0) b += ",\"not_data_actions\":" + patterns(1);
      if (in_.ConsumeIntegralInRange<int>(0, 3) == 0)
        b += ",\"assignable_scopes\":" + List(0, 2, [&] { return Scope(); });
      b += "}";
    }
    b += "]";

    const size_t n_groups = in_.ConsumeIntegralInRange<size_t>(0, 4);
    b += ",\"groups\":[";
    for (size_t i = 0; i < n_groups; ++i) {
      if (i) b += ",";
      // Mostly g1..g3, rarely a user id (then a group can contain itself through a chain).
      const std::string id = in_.ConsumeIntegralInRange<int>(0, 7) == 0 ? One(in_, kPrincipals)
                                                                          : "g" + std::to_string(i + 1);
      b += "{\"id\":" + Str(id) + ",\"members\":" + List(0, 3, [&] { return One(in_, kPrincipals); }) + "}";
    }
    b += "]";

    const size_t n_assign = in_.ConsumeIntegralInRange<size_t>(0, 8);
    b += ",\"assignments\":[";
    for (size_t i = 0; i < n_assign; ++i) {
      if (i) b += ",";
      const size_t role = in_.ConsumeIntegralInRange<size_t>(0, n_roles);  // n_roles: unknown role
      b += "{\"id\":\"a" + std::to_string(i) + "\",\"principal\":" + Str(One(in_, kPrincipals)) +
           ",\"role\":\"r" + std::to_string(role) + "\",\"scope\":" + Str(Scope()) + "}";
    }
    b += "]";

    const size_t n_deny = in_.ConsumeIntegralInRange<size_t>(0, 3);
    b += ",\"deny_assignments\":[";
    for (size_t i = 0; i < n_deny; ++i) {
      if (i) b += ",";
      b += "{\"id\":\"d" + std::to_string(i) + "\",\"principals\":" +
           List(1, 2, [&] { return in_.ConsumeIntegralInRange<int>(0, 2) == 0 ? std::string("*") : One(in_, kPrincipals); });
      if (in_.ConsumeBool()) b += ",\"exclude_principals\":" + List(0, 2, [&] { return One(in_, kPrincipals); });
      if (in_.ConsumeBool()) b += ",\"actions\":" + patterns(2);
      if (in_.ConsumeIntegralInRange<int>(0, 3) == 0) b += ",\"not_actions\":" + patterns(1);
      if (in_.ConsumeIntegralInRange<int>(0, 2) == 0) b += ",\"data_actions\":" + patterns(2);
      if (in_.ConsumeIntegralInRange<int>(0, 4) == 0) b += ",\"not_data_actions\":" + patterns(1);
      b += ",\"scope\":" + Str(Scope());
      if (in_.ConsumeIntegralInRange<int>(0, 2) == 0)
        b += std::string(",\"apply_to_children\":") + (in_.ConsumeBool() ? "true" : "false");
      b += "}";
    }
    b += "]";

    const size_t n_stmt = in_.ConsumeIntegralInRange<size_t>(0, 4);
    b += ",\"statements\":[";
    for (size_t i = 0; i < n_stmt; ++i) {
      if (i) b += ",";
      b += "{\"id\":\"s" + std::to_string(i) + "\",\"principal\":" + Str(One(in_, kPrincipals)) +
           ",\"effect\":" + (in_.ConsumeBool() ? "\"Allow\"" : "\"Deny\"") + ",\"actions\":" +
           List(1, 2, [&] { return One(in_, kPatterns); }) + ",\"resources\":" +
           List(1, 2, [&] { return One(in_, kStmtResources); }) + "}";
    }
    b += "]";

    const size_t n_clouds = in_.ConsumeIntegralInRange<size_t>(0, 2);
    b += ",\"clouds\":[";
    static const char* const kWt[] = {"job", "service", "workspace"};
    static const char* const kProjects[] = {"p1", "p2"};
    static const char* const kUsers[] = {"u1", "u2"};
    static const char* const kIdentities[] = {"id1", "id2", "u1"};
    for (size_t i = 0; i < n_clouds; ++i) {
      if (i) b += ",";
      b += "{\"id\":\"c" + std::to_string(i) + "\"";
      if (in_.ConsumeBool()) b += ",\"default_identity\":\"id0\"";
      const size_t n_map = in_.ConsumeIntegralInRange<size_t>(0, 4);
      b += ",\"mappings\":[";
      for (size_t k = 0; k < n_map; ++k) {
        if (k) b += ",";
        b += "{\"id\":\"m" + std::to_string(k) + "\"";
        if (in_.ConsumeBool()) b += ",\"workload_type\":" + Str(One(in_, kWt));
        if (in_.ConsumeBool()) b += ",\"project\":" + Str(One(in_, kProjects));
        if (in_.ConsumeBool()) b += ",\"user\":" + Str(One(in_, kUsers));
        b += ",\"identity\":" + Str(One(in_, kIdentities)) + "}";
      }
      b += "]}";
    }
    b += "]";

    const size_t n_routes = in_.ConsumeIntegralInRange<size_t>(0, 3);
    b += ",\"routes\":[";
    for (size_t i = 0; i < n_routes; ++i) {
      if (i) b += ",";
      const Route& r = kRoutes[in_.ConsumeIntegralInRange<size_t>(0, std::size(kRoutes) - 1)];
      b += "{\"id\":\"rt" + std::to_string(i) + "\",\"method\":" + Str(r.method) + ",\"path\":" + Str(r.path) +
           ",\"action\":" + Str(One(in_, kActions)) + ",\"scope\":" + Str(r.scope) + "}";
    }
    b += "]}";
    return b;
  }

 private:
  FuzzedDataProvider& in_;
};

std::string Recase(FuzzedDataProvider& in, std::string s) {
  if (!in.ConsumeBool()) return s;
  for (char& c : s)
    if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) && in.ConsumeBool()) c ^= 0x20;
  return s;
}

std::string Resource(FuzzedDataProvider& in, Builder& b) {
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0: case 1: case 2: case 3: return Recase(in, b.Scope());
    case 4: return Recase(in, b.Scope()) + "/" + One(in, kSegments) + "/" + One(in, kSegments);
    case 5: case 6: return One(in, kArns);
    case 7: {
      static const char* const kOdd[] = {"", "//", "/s/", "/s//x", "/s/.", "/s/..", "/s/\x01", "/\xc2\x85",
                                         "/\xc2\xa0", "s/x", "/\xff", "\xff", "/s/x\x7f"};
      return One(in, kOdd);
    }
    default: return in.ConsumeRandomLengthString(24);
  }
}

}  // namespace

// One input in eight drives the tests' v2 generator instead (SPEC §10–§13:
// conditions of both forms, permission blocks, NotAction/NotResource,
// policy variables, scope parents), seeded from the input, with contexts and
// asserted groups on every check.
static int FuzzV2(uint64_t seed) {
  rolegate_ref::RandomBundleOptions v2;
  v2.v2 = true;
  const rolegate_ref::GeneratedBundle g = rolegate_ref::RandomBundle(seed, v2);
  std::string err;
  std::unique_ptr<rolegate_ref::Reference> ref = rolegate_ref::Reference::Load(g.json, &err, {});
  std::vector<rolegate::Diagnostic> diags;
  auto policy = rolegate::Compile(g.json, rolegate::Limits{}, &diags);
  if (!ref || !policy.ok()) {
    if (static_cast<bool>(ref) != policy.ok())
      rolegate_fuzz::Die("engine and reference disagree on accepting a v2 bundle (" + err + "):\n" + g.json);
    return 0;
  }
  rolegate_fuzz::Differ differ(**policy, *ref);
  differ.Generated(g.sample_targets, seed, 40, 4, 6, /*v2=*/true);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 0 && (data[0] & 7) == 7) return FuzzV2(rolegate_fuzz::Seed(data, size));
  FuzzedDataProvider in(data, size);
  Builder builder(in);
  const std::string json = builder.Build();

  std::vector<rolegate::Diagnostic> diags;
  auto policy = rolegate::Compile(json, rolegate::Limits{}, &diags);
  rolegate_fuzz::CheckDiagnostics(json, policy, diags, "built bundle");
  std::string err;
  std::unique_ptr<rolegate_ref::Reference> ref = rolegate_ref::Reference::Load(json, &err, {});
  if (!ref) {
    if (policy.ok()) rolegate_fuzz::Die("the engine accepts a bundle the reference rejects (" + err + "):\n" + json);
    return 0;
  }
  if (!policy.ok()) return 0;  // the reference checks less than the engine

  rolegate_fuzz::Differ differ(**policy, *ref);
  std::vector<std::string> targets = rolegate_fuzz::TargetsFor(ref->bundle());
  const int n = in.ConsumeIntegralInRange<int>(8, 40);
  for (int i = 0; i < n && in.remaining_bytes() > 0; ++i) {
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
      case 0: case 1: case 2: case 3: case 4: {
        std::string p = in.ConsumeIntegralInRange<int>(0, 15) == 0 ? in.ConsumeRandomLengthString(8)
                                                                    : Recase(in, One(in, kPrincipals));
        std::string a = in.ConsumeIntegralInRange<int>(0, 15) == 0 ? in.ConsumeRandomLengthString(12)
                                                                    : Recase(in, One(in, kActions));
        differ.Check(p, a, Resource(in, builder));
        break;
      }
      case 5: {
        rolegate_ref::WorkloadQueryArgs w;
        static const char* const kClouds[] = {"c0", "c1", "C0", "c9"};
        static const char* const kWt[] = {"job", "service", "workspace"};
        static const char* const kProjects[] = {"p1", "p2", "P1", ""};
        static const char* const kUsers[] = {"u1", "u2", "u3", ""};
        static const char* const kOverrides[] = {"", "", "", "id1", "u1", "id9"};
        w.cloud = One(in, kClouds);
        w.workload_type = One(in, kWt);
        w.project = One(in, kProjects);
        w.user = One(in, kUsers);
        w.compute_config_identity = One(in, kOverrides);
        w.node_group_identity = One(in, kOverrides);
        w.action = Recase(in, One(in, kActions));
        w.resource = Resource(in, builder);
        differ.Workload(w);
        break;
      }
      default: {
        std::string t = targets.empty() || in.ConsumeIntegralInRange<int>(0, 3) == 0
                            ? "/api/" + in.ConsumeRandomLengthString(16)
                            : targets[in.ConsumeIntegralInRange<size_t>(0, targets.size() - 1)];
        if (in.ConsumeBool()) t += in.ConsumeRandomLengthString(8);
        static const char* const kMethods[] = {"GET", "POST", "DELETE", "PUT", "get"};
        differ.Request(Recase(in, One(in, kPrincipals)), One(in, kMethods), t);
        break;
      }
    }
  }
  differ.Generated(targets, rolegate_fuzz::Seed(data, size), 16, 4, 6);
  return 0;
}
