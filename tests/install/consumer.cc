// A C++ program built against an INSTALLED rolegate (scripts/check-install):
// the C++ API from the static library (rolegate::rolegate or
// rolegate-static.pc). Compiles the built-in example bundle and checks one
// allow and one deny; exits 0 only if both answers are the expected ones.
#include <cstdio>
#include <string_view>
#include <vector>

#include "rolegate/policy.h"

namespace {

constexpr std::string_view kJobs =
    "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1/projects/prod/jobs/j9";
constexpr std::string_view kWrite = "Anyscale.Platform/clouds/projects/jobs/write";

// True if `principal` writing the example job gets `allowed` with `reason`.
bool Expect(const rolegate::Policy& policy, std::string_view principal, bool allowed,
            rolegate::Reason reason) {
  rolegate::Decision d = policy.Check(principal, kWrite, kJobs);
  if (d.allowed == allowed && d.reason == reason) return true;
  std::fprintf(stderr, "consumer.cc: %.*s: allowed %d reason %d, want allowed %d reason %d\n",
               static_cast<int>(principal.size()), principal.data(), d.allowed,
               static_cast<int>(d.reason), allowed, static_cast<int>(reason));
  return false;
}

}  // namespace

int main() {
  std::vector<rolegate::Diagnostic> diags;
  auto policy = rolegate::Compile(rolegate::ExampleBundle(), rolegate::Limits{}, &diags);
  if (!policy.ok()) {
    std::fprintf(stderr, "consumer.cc: example bundle: %s\n", policy.status().ToString().c_str());
    return 1;
  }
  // Both checks run even if the first fails, to report both.
  bool ok = Expect(**policy, "user:alice", true, rolegate::Reason::kGrant);
  ok = Expect(**policy, "user:ivan", false, rolegate::Reason::kNoGrant) && ok;
  if (ok) std::printf("consumer.cc: ok (C++ API)\n");
  return ok ? 0 : 1;
}
