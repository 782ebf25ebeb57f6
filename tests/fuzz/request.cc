// tests/fuzz/request.cc — check_request (SPEC §5): path decoding and routing
// on fuzzer-made request targets, against the reference evaluator.
//
// Two bundles compiled once: the built-in example, and a route-heavy bundle
// with optional captures, captures that may hold '/' or be empty, a
// case-insensitive route, a Unicode route, method wildcards and a catch-all.
// Every answer (decision, reason, rule, route, action, filled scope) must
// equal the reference's, which implements §5 straight from the text; an
// allow must have gone through a route.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"

namespace {

constexpr char kRoutesBundle[] = R"JSON(
{"version": 1,
 "actions": [
  {"name": "svc/jobs/read"}, {"name": "svc/jobs/write"}, {"name": "svc/files/read"},
  {"name": "svc/admin", "data": true}, {"name": "svc/any"}
 ],
 "roles": [
  {"id": "reader", "actions": ["*/read"]},
  {"id": "writer", "actions": ["svc/*"], "data_actions": ["svc/*"]}
 ],
 "groups": [{"id": "grp:team", "members": ["user:alice", "user:bob"]}],
 "assignments": [
  {"id": "a-team", "principal": "grp:team", "role": "reader", "scope": "/clouds"},
  {"id": "a-alice", "principal": "user:alice", "role": "writer", "scope": "/clouds/c1"},
  {"id": "a-root", "principal": "user:root", "role": "writer", "scope": "/"},
  {"id": "a-files", "principal": "user:bob", "role": "reader", "scope": "/files"}
 ],
 "deny_assignments": [
  {"id": "d-prod", "principals": ["*"], "exclude_principals": ["user:root"], "actions": ["*/write"],
   "scope": "/clouds/c1/projects/prod"}
 ],
 "statements": [
  {"id": "s-caf", "principal": "user:carol", "effect": "Allow", "actions": ["svc/*"], "resources": ["/caf\u00e9/*"]}
 ],
 "routes": [
  {"id": "jobs", "method": "GET", "path": "/api/clouds/(?P<cloud>[^/]+)/projects/(?P<project>[^/]+)/jobs(?:/(?P<job>[^/]+))?",
   "action": "svc/jobs/read", "scope": "/clouds/{cloud}/projects/{project}"},
  {"id": "jobs-w", "method": "POST", "path": "/api/clouds/(?P<cloud>[^/]+)/projects/(?P<project>[^/]+)/jobs/?",
   "action": "svc/jobs/write", "scope": "/Clouds/{cloud}/Projects/{project}"},
  {"id": "files", "method": "*", "path": "/files/(?P<rest>.*)", "action": "svc/files/read", "scope": "/files/{rest}"},
  {"id": "user", "method": "GET", "path": "/u/(?P<name>[^/]*)/?", "action": "svc/any", "scope": "/users/{name}"},
  {"id": "pair", "method": "PUT", "path": "/x/(?P<a>[a-z]+)-(?P<b>[0-9]+)", "action": "svc/jobs/write", "scope": "/clouds/{a}/projects/{b}"},
  {"id": "admin", "method": "DELETE", "path": "(?i)/admin/(?P<id>[^/]+)", "action": "svc/admin", "scope": "/admin/{id}"},
  {"id": "caf", "method": "*", "path": "/caf\u00e9/(?P<v>\\p{L}+)", "action": "svc/any", "scope": "/caf\u00e9/{v}"},
  {"id": "dots", "method": "GET", "path": "/d/(?P<v>[^/]+)", "action": "svc/any", "scope": "/d/{v}"},
  {"id": "catch", "method": "*", "path": "/.*", "action": "svc/any", "scope": "/"}
 ]
}
)JSON";

struct Pair {
  std::unique_ptr<rolegate::Policy> policy;
  std::unique_ptr<rolegate_ref::Reference> ref;
};

Pair Load(std::string_view json) {
  Pair p;
  auto r = rolegate::Compile(json, rolegate::Limits{}, nullptr);
  if (!r.ok()) rolegate_fuzz::Die("fuzz bundle does not compile: " + r.status().ToString());
  p.policy = std::move(*r);
  std::string err;
  p.ref = rolegate_ref::Reference::Load(json, &err, {});
  if (!p.ref) rolegate_fuzz::Die("reference rejects the fuzz bundle: " + err);
  return p;
}

const Pair& Bundle(int which) {
  static const Pair example = Load(rolegate::ExampleBundle());
  static const Pair routes = Load(kRoutesBundle);
  return which ? routes : example;
}

const char* const kMethods[] = {"GET", "POST", "PUT", "DELETE", "get", "*", "", "PATCH"};
const char* const kPrincipals[] = {"user:alice", "user:bob", "user:root", "user:carol", "user:ivan",
                                   "grp:team", "user:dana", "sa:launcher", "nobody", ""};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const Pair& b = Bundle(in.ConsumeBool() ? 1 : 0);
  std::string method = in.ConsumeIntegralInRange<int>(0, 7) == 0 ? in.ConsumeRandomLengthString(8)
                                                                   : kMethods[in.ConsumeIntegralInRange<size_t>(0, 7)];
  std::string principal = kPrincipals[in.ConsumeIntegralInRange<size_t>(0, 9)];
  const std::string target = in.ConsumeRemainingBytesAsString();
  rolegate_fuzz::Differ differ(*b.policy, *b.ref);
  differ.Request(principal, method, target);
  return 0;
}
