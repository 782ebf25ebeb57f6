// check_rules_test.cc — SPEC §1–§3 and §9: every step of check(principal,
// action, resource), Explain's choice of rule, and the id fast path.
//
// Each test compiles a tiny inline bundle so that it reads like the SPEC
// sentence it checks. Every decision is asserted through Check, Explain and
// CheckIds at once (SPEC §3 "the two must always agree on decision and reason").

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rolegate/policy.h"
#include "rolegate/types.h"
#include "support/build_policy.h"

namespace rolegate {
namespace {

using rolegate_test::Build;
using rolegate_test::DiagText;
using rolegate_test::Printable;

constexpr bool kAllow = true;
constexpr bool kDeny = false;

std::string Show(Decision d) {
  return std::string(d.allowed ? "allow/" : "deny/") + std::string(ReasonName(d.reason)) + "(" +
         std::to_string(static_cast<int>(d.reason)) + ")";
}

// Check, Explain and CheckIds must all give the expected decision.
::testing::AssertionResult Decides(const Policy& p, std::string_view principal,
                                   std::string_view action, std::string_view resource,
                                   bool allowed, Reason reason) {
  const Decision want{allowed, reason};
  std::string q = "check(" + Printable(principal) + ", " + Printable(action) + ", " +
                  Printable(resource) + ")";
  Decision got = p.Check(principal, action, resource);
  if (!(got == want)) {
    return ::testing::AssertionFailure() << q << ": Check gave " << Show(got) << ", want " << Show(want);
  }
  Explanation e = p.Explain(principal, action, resource);
  if (!(e.decision == want)) {
    return ::testing::AssertionFailure() << q << ": Explain gave " << Show(e.decision) << ", want "
                                         << Show(want);
  }
  if (!principal.empty()) {
    Decision ids = p.CheckIds(p.FindPrincipal(principal), p.FindAction(action), resource);
    if (!(ids == want)) {
      return ::testing::AssertionFailure() << q << ": CheckIds gave " << Show(ids) << ", want "
                                           << Show(want);
    }
  }
  return ::testing::AssertionSuccess();
}

#define EXPECT_DECISION(policy, principal, action, resource, allowed, reason) \
  EXPECT_TRUE(Decides(*(policy), principal, action, resource, allowed, Reason::reason))

// Explain must name `rule` of `kind` (an empty rule with kNone: no rule).
::testing::AssertionResult Names(const Policy& p, std::string_view principal,
                                 std::string_view action, std::string_view resource,
                                 RuleKind kind, std::string_view rule) {
  Explanation e = p.Explain(principal, action, resource);
  if (e.kind != kind || e.rule != rule) {
    return ::testing::AssertionFailure()
           << "explain(" << principal << ", " << action << ", " << resource << ") named kind "
           << static_cast<int>(e.kind) << " rule \"" << e.rule << "\", want kind "
           << static_cast<int>(kind) << " rule \"" << rule << "\" (decision " << Show(e.decision)
           << ")";
  }
  return ::testing::AssertionSuccess();
}

#define EXPECT_RULE(policy, principal, action, resource, kind, rule) \
  EXPECT_TRUE(Names(*(policy), principal, action, resource, RuleKind::kind, rule))

// A catalog shared by most tests: three control actions and two data actions.
#define CATALOG R"("actions": [{"name": "Svc/things/read"}, {"name": "Svc/things/write"}, {"name": "Svc/things/delete"}, {"name": "Svc/blobs/read", "data": true}, {"name": "Svc/blobs/write", "data": true}])"

const char kRead[] = "Svc/things/read";
const char kWrite[] = "Svc/things/write";
const char kDelete[] = "Svc/things/delete";
const char kBlobRead[] = "Svc/blobs/read";
const char kBlobWrite[] = "Svc/blobs/write";

// alice reads things at /s/s1 and below.
const char kReaderBundle[] = R"json({"version": 1, )json" CATALOG R"json(,
  "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
  "assignments": [{"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/s/s1"}]
})json";

// ============================================================================
// §3 step 1: bad input → invalid_input
// ============================================================================

TEST(CheckInput, EmptyPrincipalIsInvalidInput) {
  auto p = Build(kReaderBundle);
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "", kRead, "/s/s1", kDeny, kInvalidInput);
  // Step 1 comes before step 2: an unknown action does not change the reason.
  EXPECT_DECISION(p, "", "Svc/nope", "/s/s1", kDeny, kInvalidInput);
}

TEST(CheckInput, EmptyResourceIsInvalidInput) {
  auto p = Build(kReaderBundle);
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", "Svc/nope", "", kDeny, kInvalidInput);
}

TEST(CheckInput, ResourceOf4096BytesIsFine4097IsInvalid) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/s/s1"}],
    "statements": [{"id": "st", "principal": "user:alice", "effect": "Allow",
                    "actions": ["Svc/things/read"], "resources": ["arn:x:*"]}]
  })json");
  ASSERT_TRUE(p);
  std::string scope = "/s/s1/";
  scope += std::string(4096 - scope.size(), 'a');
  ASSERT_EQ(scope.size(), 4096u);
  EXPECT_DECISION(p, "user:alice", kRead, scope, kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, scope + "a", kDeny, kInvalidInput);

  std::string arn = "arn:x:";
  arn += std::string(4096 - arn.size(), 'b');
  EXPECT_DECISION(p, "user:alice", kRead, arn, kAllow, kStatement);
  EXPECT_DECISION(p, "user:alice", kRead, arn + "b", kDeny, kInvalidInput);
}

TEST(CheckInput, C0ControlCharactersAndDelAreInvalid) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/s/s1"}],
    "statements": [{"id": "st", "principal": "user:alice", "effect": "Allow",
                    "actions": ["*"], "resources": ["*"]}]
  })json");
  ASSERT_TRUE(p);
  // Sanity: without the control character both resources are allowed.
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/ab", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "arn:x:ab", kAllow, kStatement);
  std::vector<int> controls;
  for (int c = 0; c <= 0x1F; ++c) controls.push_back(c);
  controls.push_back(0x7F);
  for (int c : controls) {
    SCOPED_TRACE("control character " + std::to_string(c));
    std::string scope = std::string("/s/s1/a") + static_cast<char>(c) + "b";
    std::string arn = std::string("arn:x:a") + static_cast<char>(c) + "b";
    EXPECT_DECISION(p, "user:alice", kRead, scope, kDeny, kInvalidInput);
    EXPECT_DECISION(p, "user:alice", kRead, arn, kDeny, kInvalidInput);
    // At the very end and the very start, too.
    EXPECT_DECISION(p, "user:alice", kRead, std::string("/s/s1/a") + static_cast<char>(c), kDeny,
                    kInvalidInput);
    EXPECT_DECISION(p, "user:alice", kRead, std::string(1, static_cast<char>(c)) + "arn:x:a", kDeny,
                    kInvalidInput);
  }
}

TEST(CheckInput, C1ControlCharactersEncodedInUtf8AreInvalid) {
  // §9: control characters are U+0000–U+001F and U+007F–U+009F; the bundle and
  // queries are UTF-8, so U+0080–U+009F arrive as C2 80 .. C2 9F.
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/s/s1"}],
    "statements": [{"id": "st", "principal": "user:alice", "effect": "Allow",
                    "actions": ["*"], "resources": ["*"]}]
  })json");
  ASSERT_TRUE(p);
  for (int c = 0x80; c <= 0x9F; ++c) {
    SCOPED_TRACE("U+00" + std::to_string(c));
    std::string enc = std::string("\xC2") + static_cast<char>(c);
    EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/a" + enc + "b", kDeny, kInvalidInput);
    EXPECT_DECISION(p, "user:alice", kRead, "arn:x:a" + enc + "b", kDeny, kInvalidInput);
  }
  // The neighbours are ordinary characters: U+00A0 (C2 A0), U+00E9 (é), U+0100.
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/a\xC2\xA0" "b", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/caf\xC3\xA9", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/\xC4\x80", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "arn:x:a\xC2\xA0" "b", kAllow, kStatement);
}

TEST(CheckInput, EmptySegmentIsInvalid) {
  auto p = Build(kReaderBundle);
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/s//s1", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1//x", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", kRead, "//s/s1", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", kRead, "//", kDeny, kInvalidInput);
}

TEST(CheckInput, TrailingSlashIsInvalidButTheRootIsValid) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
    "assignments": [
      {"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/s/s1"},
      {"id": "a-root", "principal": "user:root", "role": "reader", "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/x/", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1", kAllow, kGrant);
  // The root is a valid scope: alice holds nothing there, root does.
  EXPECT_DECISION(p, "user:alice", kRead, "/", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:root", kRead, "/", kAllow, kGrant);
  EXPECT_DECISION(p, "user:root", kRead, "/s/s1/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:root", kRead, "/s/", kDeny, kInvalidInput);
}

TEST(CheckInput, DotAndDotDotSegmentsAreInvalid) {
  auto p = Build(kReaderBundle);
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/.", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/..", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/./x", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/../s1", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", kRead, "/./s/s1", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", kRead, "/..", kDeny, kInvalidInput);
  // Segments that merely contain dots are ordinary.
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/...", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/.x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/x..", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/..x/y", kAllow, kGrant);
}

TEST(CheckInput, SixtyFourSegmentsAreFineSixtyFiveAreInvalid) {
  auto p = Build(kReaderBundle);
  ASSERT_TRUE(p);
  std::string scope = "/s/s1";  // 2 segments
  for (int i = 3; i <= 64; ++i) scope += "/x" + std::to_string(i);
  EXPECT_DECISION(p, "user:alice", kRead, scope, kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, scope + "/x65", kDeny, kInvalidInput);
}

TEST(CheckInput, NonScopeResourcesAreNotHeldToScopeRules) {
  // Only a resource starting with '/' is a scope; `//`, `..` and a trailing
  // '/' in an ARN are just characters.
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "statements": [{"id": "st", "principal": "user:alice", "effect": "Allow",
                    "actions": ["Svc/things/read"], "resources": ["arn:aws:s3:::b/*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "arn:aws:s3:::b//x/../y/", kAllow, kStatement);
  EXPECT_DECISION(p, "user:alice", kRead, "arn:aws:s3:::b/./", kAllow, kStatement);
  std::string many = "arn:aws:s3:::b";
  for (int i = 0; i < 100; ++i) many += "/x";
  EXPECT_DECISION(p, "user:alice", kRead, many, kAllow, kStatement);
}

TEST(CheckInput, APrincipalIsInvalidOnlyWhenEmpty) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/s/s1"}],
    "deny_assignments": [{"id": "d-all", "principals": ["*"], "actions": ["Svc/things/write"], "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  // Odd principals are merely unknown: they hold nothing...
  EXPECT_DECISION(p, "user:\x01odd", kRead, "/s/s1", kDeny, kNoGrant);
  EXPECT_DECISION(p, std::string("user:\0nul", 9), kRead, "/s/s1", kDeny, kNoGrant);
  EXPECT_DECISION(p, " ", kRead, "/s/s1", kDeny, kNoGrant);
  EXPECT_DECISION(p, "*", kRead, "/s/s1", kDeny, kNoGrant);
  // ...and everyone-denies still reach them.
  EXPECT_DECISION(p, "user:\x01odd", kWrite, "/s/s1", kDeny, kDenyAssignment);
  // Principals compare case-sensitively.
  EXPECT_DECISION(p, "User:Alice", kRead, "/s/s1", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice ", kRead, "/s/s1", kDeny, kNoGrant);
}

TEST(CheckInput, InvalidInputComesBeforeEveryDeny) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "deny_assignments": [{"id": "d-all", "principals": ["*"], "actions": ["*"], "scope": "/"}],
    "statements": [{"id": "deny", "principal": "user:alice", "effect": "Deny",
                    "actions": ["*"], "resources": ["*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/s//x", kDeny, kInvalidInput);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kRead, "arn:x", kDeny, kDenyStatement);
}

// ============================================================================
// §3 step 2 and §2 "the action catalog is closed"
// ============================================================================

TEST(CheckAction, UndeclaredActionIsUnknownAction) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "all", "actions": ["*"], "data_actions": ["*"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "all", "scope": "/"}],
    "deny_assignments": [{"id": "d-all", "principals": ["*"], "actions": ["*"], "data_actions": ["*"],
                          "scope": "/s/deny"}],
    "statements": [{"id": "st", "principal": "user:alice", "effect": "Allow",
                    "actions": ["*"], "resources": ["*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", "Svc/things/list", "/s/s1", kDeny, kUnknownAction);
  EXPECT_DECISION(p, "user:alice", "Svc/things/list", "arn:x", kDeny, kUnknownAction);
  // Step 2 precedes the deny assignment of step 4.
  EXPECT_DECISION(p, "user:alice", "Svc/things/list", "/s/deny", kDeny, kUnknownAction);
  EXPECT_DECISION(p, "user:nobody", "Svc/things/list", "/s/s1", kDeny, kUnknownAction);
  // A pattern is not an action: the query names an undeclared action.
  EXPECT_DECISION(p, "user:alice", "Svc/things/*", "/s/s1", kDeny, kUnknownAction);
  EXPECT_DECISION(p, "user:alice", "*", "/s/s1", kDeny, kUnknownAction);
  EXPECT_DECISION(p, "user:alice", "Svc/things/rea?", "/s/s1", kDeny, kUnknownAction);
  // No trimming, no prefix matching.
  EXPECT_DECISION(p, "user:alice", "Svc/things/read ", "/s/s1", kDeny, kUnknownAction);
  EXPECT_DECISION(p, "user:alice", "Svc/things/rea", "/s/s1", kDeny, kUnknownAction);
  EXPECT_DECISION(p, "user:alice", "", "/s/s1", kDeny, kUnknownAction);
  // Sanity: the declared action is allowed.
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1", kAllow, kGrant);
}

TEST(CheckAction, ActionsCompareCaseInsensitivelyAscii) {
  auto p = Build(R"json({"version": 1, "actions": [
      {"name": "Svc/things/read"}, {"name": "Svc/\u00C4pfel/read"}],
    "roles": [{"id": "reader", "actions": ["*"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", "SVC/THINGS/READ", "/s", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", "svc/things/read", "/s", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", "sVc/tHiNgS/rEaD", "/s", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", "Svc/\xC3\x84pfel/read", "/s", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", "SVC/\xC3\x84PFEL/READ", "/s", kAllow, kGrant);
  // ASCII only: Ä (U+00C4) and ä (U+00E4) are different characters.
  EXPECT_DECISION(p, "user:alice", "Svc/\xC3\xA4pfel/read", "/s", kDeny, kUnknownAction);
}

// ============================================================================
// §3 step 3: P is the principal plus every group containing it, transitively
// ============================================================================

TEST(Groups, MembershipIsTransitive) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
    "groups": [
      {"id": "grp:top", "members": ["grp:mid"]},
      {"id": "grp:mid", "members": ["grp:low"]},
      {"id": "grp:low", "members": ["user:ivan"]}],
    "assignments": [{"id": "a1", "principal": "grp:top", "role": "reader", "scope": "/s/s1"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:ivan", kRead, "/s/s1/x", kAllow, kGrant);
  EXPECT_DECISION(p, "grp:low", kRead, "/s/s1", kAllow, kGrant);
  EXPECT_DECISION(p, "grp:mid", kRead, "/s/s1", kAllow, kGrant);
  EXPECT_DECISION(p, "grp:top", kRead, "/s/s1", kAllow, kGrant);
  EXPECT_DECISION(p, "user:ivana", kRead, "/s/s1", kDeny, kNoGrant);
}

TEST(Groups, MembershipDoesNotFlowDownOrSideways) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}, {"id": "writer", "actions": ["Svc/*/write"]}],
    "groups": [
      {"id": "grp:parent", "members": ["grp:child", "user:carol"]},
      {"id": "grp:child", "members": ["user:dave"]}],
    "assignments": [
      {"id": "a-child", "principal": "grp:child", "role": "reader", "scope": "/"},
      {"id": "a-dave", "principal": "user:dave", "role": "writer", "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:dave", kRead, "/s", kAllow, kGrant);
  // carol is in the parent, not in the child: the child's assignment is not hers.
  EXPECT_DECISION(p, "user:carol", kRead, "/s", kDeny, kNoGrant);
  // A group does not hold what its members hold.
  EXPECT_DECISION(p, "grp:child", kWrite, "/s", kDeny, kNoGrant);
  EXPECT_DECISION(p, "grp:parent", kRead, "/s", kDeny, kNoGrant);
}

TEST(Groups, MemberOfSeveralGroupsCollectsFromEach) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}, {"id": "writer", "actions": ["Svc/*/write"]}],
    "groups": [
      {"id": "grp:a", "members": ["user:u"]},
      {"id": "grp:b", "members": ["user:u", "grp:a"]}],
    "assignments": [
      {"id": "a-a", "principal": "grp:a", "role": "reader", "scope": "/x"},
      {"id": "a-b", "principal": "grp:b", "role": "writer", "scope": "/y"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", kRead, "/x/1", kAllow, kGrant);
  EXPECT_DECISION(p, "user:u", kWrite, "/y/1", kAllow, kGrant);
  EXPECT_DECISION(p, "user:u", kWrite, "/x/1", kDeny, kNoGrant);
  EXPECT_DECISION(p, "grp:a", kWrite, "/y", kAllow, kGrant);
}

// ============================================================================
// §3 step 4: deny assignments
// ============================================================================

TEST(DenyAssignments, DenyBeatsAnyGrant) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "all", "actions": ["*"], "data_actions": ["*"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "all", "scope": "/"}],
    "deny_assignments": [{"id": "d1", "principals": ["user:alice"], "actions": ["Svc/things/write"],
                          "scope": "/s/s1"}],
    "statements": [{"id": "st", "principal": "user:alice", "effect": "Allow",
                    "actions": ["*"], "resources": ["*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/s1", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/s1/deep/er", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/s2", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1", kAllow, kGrant);
}

TEST(DenyAssignments, EveryoneIncludesPrincipalsTheBundleNeverNames) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "deny_assignments": [{"id": "d1", "principals": ["*"], "actions": ["Svc/things/write"],
                          "scope": "/s"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:nobody", kWrite, "/s/x", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:nobody", kRead, "/s/x", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:nobody", kWrite, "/t", kDeny, kNoGrant);
  const Policy& pol = *p;
  EXPECT_EQ(pol.FindPrincipal("user:nobody"), kUnknownPrincipal);
  EXPECT_EQ(pol.CheckIds(kUnknownPrincipal, pol.FindAction(kWrite), "/s/x"),
            (Decision{false, Reason::kDenyAssignment}));
}

TEST(DenyAssignments, ExcludePrincipalsDirectlyAndThroughGroups) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "writer", "actions": ["Svc/*/write"]}],
    "groups": [{"id": "grp:admins", "members": ["grp:oncall"]},
               {"id": "grp:oncall", "members": ["user:olga"]}],
    "assignments": [
      {"id": "a-root", "principal": "user:root", "role": "writer", "scope": "/"},
      {"id": "a-olga", "principal": "user:olga", "role": "writer", "scope": "/"},
      {"id": "a-bob", "principal": "user:bob", "role": "writer", "scope": "/"}],
    "deny_assignments": [{"id": "d1", "principals": ["*"], "exclude_principals": ["user:root", "grp:admins"],
                          "actions": ["*"], "scope": "/prod"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:root", kWrite, "/prod/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:olga", kWrite, "/prod/x", kAllow, kGrant);  // via grp:oncall ⊂ grp:admins
  EXPECT_DECISION(p, "user:bob", kWrite, "/prod/x", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "grp:admins", kWrite, "/prod", kDeny, kNoGrant);  // excluded, holds nothing
}

TEST(DenyAssignments, ExclusionWinsOverInclusion) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "writer", "actions": ["Svc/*/write"]}],
    "groups": [{"id": "grp:team", "members": ["user:alice", "user:bob"]},
               {"id": "grp:leads", "members": ["user:alice"]}],
    "assignments": [{"id": "a-team", "principal": "grp:team", "role": "writer", "scope": "/"}],
    "deny_assignments": [{"id": "d1", "principals": ["grp:team"], "exclude_principals": ["grp:leads"],
                          "actions": ["Svc/things/write"], "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kWrite, "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:bob", kWrite, "/x", kDeny, kDenyAssignment);
  // Not in grp:team: the deny does not concern carol.
  EXPECT_DECISION(p, "user:carol", kWrite, "/x", kDeny, kNoGrant);
}

TEST(DenyAssignments, PrincipalsMatchThroughGroups) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "writer", "actions": ["Svc/*/write"]}],
    "groups": [{"id": "grp:contractors", "members": ["grp:vendor-x"]},
               {"id": "grp:vendor-x", "members": ["user:vic"]}],
    "assignments": [{"id": "a-vic", "principal": "user:vic", "role": "writer", "scope": "/"},
                    {"id": "a-emp", "principal": "user:emp", "role": "writer", "scope": "/"}],
    "deny_assignments": [{"id": "d1", "principals": ["grp:contractors"], "actions": ["*"], "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:vic", kWrite, "/x", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:emp", kWrite, "/x", kAllow, kGrant);
}

TEST(DenyAssignments, ApplyToChildrenDefaultsToTrue) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "writer", "actions": ["Svc/*/write"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "writer", "scope": "/"}],
    "deny_assignments": [{"id": "d1", "principals": ["*"], "actions": ["*"], "scope": "/s/s1"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/s1", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/s1/a/b/c", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s", kAllow, kGrant);
}

TEST(DenyAssignments, ApplyToChildrenFalseDeniesTheScopeItselfOnly) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "writer", "actions": ["Svc/*/write"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "writer", "scope": "/"}],
    "deny_assignments": [{"id": "d1", "principals": ["*"], "actions": ["*"], "scope": "/s/s1",
                          "apply_to_children": false}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/s1", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kWrite, "/S/S1", kDeny, kDenyAssignment);  // scopes: case-insensitive
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/s1/child", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/s10", kAllow, kGrant);
}

TEST(DenyAssignments, AncestryIsBySegmentsNotBytes) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "writer", "actions": ["Svc/*/write"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "writer", "scope": "/"}],
    "deny_assignments": [{"id": "d1", "principals": ["*"], "actions": ["*"], "scope": "/clouds/c1"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kWrite, "/clouds/c1/projects/p1", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kWrite, "/clouds/c10", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kWrite, "/clouds/c10/projects/p1", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kWrite, "/clouds/c", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kWrite, "/clouds", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kWrite, "/CLOUDS/C1/x", kDeny, kDenyAssignment);
}

TEST(DenyAssignments, ControlPatternsNeverReachDataActions) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "all", "actions": ["*"], "data_actions": ["*"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "all", "scope": "/"}],
    "deny_assignments": [{"id": "d-control", "principals": ["*"], "actions": ["*"], "scope": "/c"},
                         {"id": "d-data", "principals": ["*"], "data_actions": ["*"], "scope": "/d"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/c/x", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kBlobRead, "/c/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kBlobWrite, "/c/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kBlobRead, "/d/x", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kRead, "/d/x", kAllow, kGrant);
}

TEST(DenyAssignments, LiteralOfTheOtherKindDeniesNothing) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "all", "actions": ["*"], "data_actions": ["*"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "all", "scope": "/"}],
    "deny_assignments": [{"id": "d1", "principals": ["*"], "actions": ["Svc/blobs/read"],
                          "data_actions": ["Svc/things/read"], "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kBlobRead, "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/x", kAllow, kGrant);
}

TEST(DenyAssignments, NotActionsAndNotDataActionsCarveOutOfTheDeny) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "all", "actions": ["*"], "data_actions": ["*"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "all", "scope": "/"}],
    "deny_assignments": [{"id": "d1", "principals": ["*"],
                          "actions": ["*"], "not_actions": ["Svc/things/read"],
                          "data_actions": ["*"], "not_data_actions": ["Svc/*/read"],
                          "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kWrite, "/x", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kDelete, "/x", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kBlobRead, "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kBlobWrite, "/x", kDeny, kDenyAssignment);
}

TEST(DenyAssignments, NeverMatchAResourceThatIsNotAScope) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "deny_assignments": [{"id": "d1", "principals": ["*"], "actions": ["*"], "data_actions": ["*"],
                          "scope": "/"}],
    "statements": [{"id": "st", "principal": "user:alice", "effect": "Allow",
                    "actions": ["Svc/things/read"], "resources": ["*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "arn:aws:s3:::bucket/key", kAllow, kStatement);
  EXPECT_DECISION(p, "user:alice", kRead, "s/s1", kAllow, kStatement);  // no leading '/': not a scope
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kRead, "/", kDeny, kDenyAssignment);
}

TEST(DenyAssignments, ApplyToChildrenFalseAtTheRoot) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/"}],
    "deny_assignments": [{"id": "d-root", "principals": ["*"], "actions": ["*"], "scope": "/",
                          "apply_to_children": false}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kRead, "/x", kAllow, kGrant);
}

TEST(DenyAssignments, IgnoreEffectiveOnlyAt) {
  // effective_only_at limits grants (step 6); a deny at any scope still denies.
  auto p = Build(R"json({"version": 1, "actions": [
      {"name": "Svc/admin/action", "data": true, "effective_only_at": ["/subscriptions/*"]}],
    "roles": [{"id": "admin", "data_actions": ["*"]}],
    "assignments": [{"id": "a-sub", "principal": "user:u", "role": "admin", "scope": "/subscriptions/s1"}],
    "deny_assignments": [{"id": "d-rg", "principals": ["*"], "data_actions": ["Svc/admin/action"],
                          "scope": "/subscriptions/s1/rg/locked"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", "Svc/admin/action", "/subscriptions/s1/rg/open", kAllow, kGrant);
  EXPECT_DECISION(p, "user:u", "Svc/admin/action", "/subscriptions/s1/rg/locked/x", kDeny, kDenyAssignment);
}

TEST(DenyAssignments, ComeBeforeDenyStatements) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "deny_assignments": [{"id": "d1", "principals": ["user:alice"], "actions": ["*"], "scope": "/s"}],
    "statements": [{"id": "st-deny", "principal": "user:alice", "effect": "Deny",
                    "actions": ["*"], "resources": ["*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/x", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kRead, "/t/x", kDeny, kDenyStatement);
}

// ============================================================================
// §3 step 5: deny statements
// ============================================================================

TEST(DenyStatements, BeatGrantsAndAllowStatements) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "all", "actions": ["*"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "all", "scope": "/"}],
    "statements": [
      {"id": "allow", "principal": "user:alice", "effect": "Allow", "actions": ["*"], "resources": ["*"]},
      {"id": "deny", "principal": "user:alice", "effect": "Deny",
       "actions": ["Svc/things/write"], "resources": ["/s/secret/*", "arn:x:secret-*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/secret/x", kDeny, kDenyStatement);
  EXPECT_DECISION(p, "user:alice", kWrite, "arn:x:secret-1", kDeny, kDenyStatement);
  EXPECT_DECISION(p, "user:alice", kWrite, "arn:x:public-1", kAllow, kStatement);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/public/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "arn:x:secret-1", kAllow, kStatement);
  // "/s/secret/*" needs something after the slash: the scope itself is not denied.
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/secret", kAllow, kGrant);
}

TEST(DenyStatements, ApplyThroughGroups) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "groups": [{"id": "grp:g", "members": ["user:u"]}],
    "statements": [
      {"id": "allow", "principal": "user:u", "effect": "Allow", "actions": ["*"], "resources": ["*"]},
      {"id": "deny", "principal": "grp:g", "effect": "Deny", "actions": ["*"], "resources": ["arn:x:*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", kRead, "arn:x:1", kDeny, kDenyStatement);
  EXPECT_DECISION(p, "user:u", kRead, "arn:y:1", kAllow, kStatement);
}

TEST(DenyStatements, StillDenyAnEffectiveOnlyAtAction) {
  auto p = Build(R"json({"version": 1, "actions": [
      {"name": "Svc/admin/action", "data": true, "effective_only_at": ["/subscriptions/*"]}],
    "roles": [{"id": "admin", "data_actions": ["Svc/admin/action"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "admin", "scope": "/subscriptions/s1"}],
    "statements": [{"id": "deny", "principal": "user:alice", "effect": "Deny",
                    "actions": ["*"], "resources": ["/subscriptions/s1/rg/*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", "Svc/admin/action", "/subscriptions/s1", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", "Svc/admin/action", "/subscriptions/s1/rg/x", kDeny, kDenyStatement);
}

// ============================================================================
// §3 step 6: grants from assignments
// ============================================================================

TEST(Grants, AssignmentCoversItsScopeAndEveryDescendant) {
  auto p = Build(kReaderBundle);
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s1/rg/x/y/z", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/s", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s10", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/s", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/t/s1", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/x/s/s1", kDeny, kNoGrant);
}

TEST(Grants, SiblingWithCommonPrefixIsNotADescendant) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/clouds/c1"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/clouds/c1/projects/p1", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/clouds/c10", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/clouds/c10/projects/p1", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/clouds/c1x", kDeny, kNoGrant);
}

TEST(Grants, RootAssignmentCoversEveryScope) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/a", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/a/b/c/d", kAllow, kGrant);
}

TEST(Grants, ScopesCompareCaseInsensitivelyAsciiOnly) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
    "assignments": [
      {"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/Subscriptions/S1/resourceGroups/RG"},
      {"id": "a2", "principal": "user:bob", "role": "reader", "scope": "/s/\u00C4"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/subscriptions/s1/resourcegroups/rg", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/X", kAllow, kGrant);
  EXPECT_DECISION(p, "user:bob", kRead, "/S/\xC3\x84/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:bob", kRead, "/s/\xC3\xA4/x", kDeny, kNoGrant);  // ä is not Ä
}

TEST(Grants, NotActionsIsNoDenyAnotherRoleStillGrants) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [
      {"id": "most", "actions": ["*"], "not_actions": ["Svc/things/delete"]},
      {"id": "deleter", "actions": ["Svc/things/delete"]}],
    "assignments": [
      {"id": "a-most", "principal": "user:alice", "role": "most", "scope": "/"},
      {"id": "a-del", "principal": "user:alice", "role": "deleter", "scope": "/s"},
      {"id": "a-bob", "principal": "user:bob", "role": "most", "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kDelete, "/s/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kDelete, "/t/x", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kWrite, "/t/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:bob", kDelete, "/s/x", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:bob", kRead, "/s/x", kAllow, kGrant);
}

TEST(Grants, NotActionsPatternsAreGlobsAndCaseInsensitive) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "r", "actions": ["*"], "not_actions": ["SVC/*/WRITE", "svc/things/d?lete"],
               "data_actions": ["*"], "not_data_actions": ["*/write"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "r", "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kWrite, "/x", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kDelete, "/x", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kBlobRead, "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kBlobWrite, "/x", kDeny, kNoGrant);
}

TEST(Grants, StarInActionsNeverReachesADataAction) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "owner", "actions": ["*"]},
              {"id": "data-only", "data_actions": ["*"]},
              {"id": "blob-pattern", "actions": ["Svc/blobs/*"]}],
    "assignments": [
      {"id": "a-owner", "principal": "user:owner", "role": "owner", "scope": "/"},
      {"id": "a-data", "principal": "user:data", "role": "data-only", "scope": "/"},
      {"id": "a-bp", "principal": "user:bp", "role": "blob-pattern", "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:owner", kRead, "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:owner", kBlobRead, "/x", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:data", kBlobRead, "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:data", kBlobWrite, "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:data", kRead, "/x", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:bp", kBlobRead, "/x", kDeny, kNoGrant);
}

TEST(Grants, LiteralOfTheOtherKindAppliesToNothing) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "wrong-kinds", "actions": ["Svc/blobs/read"], "data_actions": ["Svc/things/read"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "wrong-kinds", "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kBlobRead, "/x", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "/x", kDeny, kNoGrant);
}

TEST(Grants, DataFalseIsTheDefault) {
  auto p = Build(R"json({"version": 1, "actions": [{"name": "Svc/a"}, {"name": "Svc/b", "data": false},
                                                  {"name": "Svc/c", "data": true}],
    "roles": [{"id": "owner", "actions": ["*"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "owner", "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", "Svc/a", "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", "Svc/b", "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", "Svc/c", "/x", kDeny, kNoGrant);
}

TEST(Grants, GlobsStarAndQuestionMark) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [
      {"id": "q", "actions": ["Svc/things/rea?"]},
      {"id": "q-short", "actions": ["Svc/things/re?"]},
      {"id": "star-mid", "actions": ["Svc*read"]},
      {"id": "star-empty", "actions": ["Svc/things/write*"]},
      {"id": "upper", "actions": ["SVC/THINGS/DELETE"]}],
    "assignments": [
      {"id": "a-q", "principal": "user:q", "role": "q", "scope": "/"},
      {"id": "a-qs", "principal": "user:qs", "role": "q-short", "scope": "/"},
      {"id": "a-sm", "principal": "user:sm", "role": "star-mid", "scope": "/"},
      {"id": "a-se", "principal": "user:se", "role": "star-empty", "scope": "/"},
      {"id": "a-up", "principal": "user:up", "role": "upper", "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:q", kRead, "/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:qs", kRead, "/x", kDeny, kNoGrant);   // ? is exactly one character
  EXPECT_DECISION(p, "user:sm", kRead, "/x", kAllow, kGrant);    // * crosses '/'
  EXPECT_DECISION(p, "user:sm", kWrite, "/x", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:sm", kBlobRead, "/x", kDeny, kNoGrant);  // control pattern, data action
  EXPECT_DECISION(p, "user:se", kWrite, "/x", kAllow, kGrant);   // * matches the empty run
  EXPECT_DECISION(p, "user:up", kDelete, "/x", kAllow, kGrant);  // case-insensitive literal
}

TEST(Grants, AssignmentsNeverMatchAResourceThatIsNotAScope) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "all", "actions": ["*"], "data_actions": ["*"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "all", "scope": "/"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/anything", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "arn:aws:s3:::bucket", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kRead, "subscriptions/s1", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", kBlobRead, "x", kDeny, kNoGrant);
}

TEST(Grants, UnknownPrincipalHoldsNothing) {
  auto p = Build(kReaderBundle);
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:mallory", kRead, "/s/s1", kDeny, kNoGrant);
  const Policy& pol = *p;
  EXPECT_EQ(pol.FindPrincipal("user:mallory"), kUnknownPrincipal);
  EXPECT_NE(pol.FindPrincipal("user:alice"), kUnknownPrincipal);
}

// ============================================================================
// §2 effective_only_at, §3 steps 6–8, §9
// ============================================================================

const char kEffectiveBundle[] = R"json({"version": 1, "actions": [
    {"name": "Svc/things/read"},
    {"name": "Svc/admin/action", "data": true, "effective_only_at": ["/subscriptions/*"]},
    {"name": "Svc/ctl/action", "effective_only_at": ["/Subscriptions/*/ResourceGroups/*", "/"]},
    {"name": "Svc/never/action", "data": true, "effective_only_at": []}],
  "roles": [{"id": "admin", "actions": ["*"], "data_actions": ["*"]}],
  "assignments": [
    {"id": "a-sub", "principal": "user:sub", "role": "admin", "scope": "/subscriptions/s1"},
    {"id": "a-rg", "principal": "user:rg", "role": "admin", "scope": "/subscriptions/s1/resourceGroups/rg1"},
    {"id": "a-root", "principal": "user:root", "role": "admin", "scope": "/"},
    {"id": "a-top", "principal": "user:top", "role": "admin", "scope": "/subscriptions"},
    {"id": "a-both-rg", "principal": "user:both", "role": "admin", "scope": "/subscriptions/s1/resourceGroups/rg1"},
    {"id": "a-both-sub", "principal": "user:both", "role": "admin", "scope": "/subscriptions/s1"},
    {"id": "a-upper", "principal": "user:upper", "role": "admin", "scope": "/SUBSCRIPTIONS/S2"}]
})json";

TEST(EffectiveOnlyAt, GrantCountsFromAMatchingAssignmentScopeAtItAndBelow) {
  auto p = Build(kEffectiveBundle);
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:sub", "Svc/admin/action", "/subscriptions/s1", kAllow, kGrant);
  EXPECT_DECISION(p, "user:sub", "Svc/admin/action", "/subscriptions/s1/resourceGroups/rg1/x", kAllow,
                  kGrant);
  EXPECT_DECISION(p, "user:upper", "Svc/admin/action", "/subscriptions/s2", kAllow, kGrant);
}

TEST(EffectiveOnlyAt, AssignmentsAtOtherDepthsAreNotEffective) {
  auto p = Build(kEffectiveBundle);
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:rg", "Svc/admin/action", "/subscriptions/s1/resourceGroups/rg1", kDeny,
                  kNotEffectiveAtScope);
  EXPECT_DECISION(p, "user:rg", "Svc/admin/action", "/subscriptions/s1/resourceGroups/rg1/vm", kDeny,
                  kNotEffectiveAtScope);
  EXPECT_DECISION(p, "user:root", "Svc/admin/action", "/subscriptions/s1", kDeny, kNotEffectiveAtScope);
  EXPECT_DECISION(p, "user:top", "Svc/admin/action", "/subscriptions/s1", kDeny, kNotEffectiveAtScope);
  // The same assignments grant ordinary actions.
  EXPECT_DECISION(p, "user:rg", kRead, "/subscriptions/s1/resourceGroups/rg1", kAllow, kGrant);
  EXPECT_DECISION(p, "user:root", kRead, "/subscriptions/s1", kAllow, kGrant);
}

TEST(EffectiveOnlyAt, OneEffectiveAssignmentSuffices) {
  auto p = Build(kEffectiveBundle);
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:both", "Svc/admin/action", "/subscriptions/s1/resourceGroups/rg1/x", kAllow,
                  kGrant);
}

TEST(EffectiveOnlyAt, NotEffectiveOnlyWhenAFailingAssignmentWouldHaveGranted) {
  auto p = Build(kEffectiveBundle);
  ASSERT_TRUE(p);
  // No assignment at all: no_grant.
  EXPECT_DECISION(p, "user:nobody", "Svc/admin/action", "/subscriptions/s1", kDeny, kNoGrant);
  // user:rg's failing assignment is not an ancestor of this resource: no_grant.
  EXPECT_DECISION(p, "user:rg", "Svc/admin/action", "/subscriptions/s2", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:rg", "Svc/admin/action", "/subscriptions/s1", kDeny, kNoGrant);
}

TEST(EffectiveOnlyAt, PatternStarIsExactlyOneWholeSegmentAndCaseInsensitive) {
  auto p = Build(kEffectiveBundle);
  ASSERT_TRUE(p);
  // "/Subscriptions/*/ResourceGroups/*" and "/": rg-level and root assignments only.
  EXPECT_DECISION(p, "user:rg", "Svc/ctl/action", "/subscriptions/s1/resourceGroups/rg1/x", kAllow,
                  kGrant);
  EXPECT_DECISION(p, "user:root", "Svc/ctl/action", "/subscriptions/s1", kAllow, kGrant);
  EXPECT_DECISION(p, "user:sub", "Svc/ctl/action", "/subscriptions/s1/resourceGroups/rg1", kDeny,
                  kNotEffectiveAtScope);
  EXPECT_DECISION(p, "user:top", "Svc/ctl/action", "/subscriptions/s1", kDeny, kNotEffectiveAtScope);
}

TEST(EffectiveOnlyAt, EmptyListMeansEffectiveNowhere) {
  auto p = Build(kEffectiveBundle);
  ASSERT_TRUE(p);
  for (const char* who : {"user:sub", "user:rg", "user:root", "user:top", "user:both"}) {
    SCOPED_TRACE(who);
    EXPECT_DECISION(p, who, "Svc/never/action", "/subscriptions/s1/resourceGroups/rg1/x", kDeny,
                    kNotEffectiveAtScope);
  }
  EXPECT_DECISION(p, "user:nobody", "Svc/never/action", "/subscriptions/s1", kDeny, kNoGrant);
}

TEST(EffectiveOnlyAt, StatementsNeverGrantSuchAnAction) {
  auto p = Build(R"json({"version": 1, "actions": [
      {"name": "Svc/things/read"},
      {"name": "Svc/admin/action", "data": true, "effective_only_at": ["/subscriptions/*"]}],
    "roles": [{"id": "admin", "data_actions": ["*"]}],
    "assignments": [{"id": "a-rg", "principal": "user:rg", "role": "admin",
                     "scope": "/subscriptions/s1/rg"}],
    "statements": [
      {"id": "s-rg", "principal": "user:rg", "effect": "Allow", "actions": ["*"], "resources": ["*"]},
      {"id": "s-lit", "principal": "user:lit", "effect": "Allow", "actions": ["Svc/admin/action"],
       "resources": ["*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:lit", "Svc/admin/action", "/subscriptions/s1", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:lit", "Svc/admin/action", "arn:x", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:rg", "Svc/admin/action", "/subscriptions/s1/rg", kDeny, kNotEffectiveAtScope);
  EXPECT_DECISION(p, "user:rg", "Svc/admin/action", "/subscriptions/s2", kDeny, kNoGrant);
  // The same statement still allows an ordinary action.
  EXPECT_DECISION(p, "user:rg", kRead, "/subscriptions/s2", kAllow, kStatement);
}

TEST(EffectiveOnlyAt, DenyAssignmentStillComesFirst) {
  auto p = Build(R"json({"version": 1, "actions": [
      {"name": "Svc/admin/action", "data": true, "effective_only_at": ["/subscriptions/*"]}],
    "roles": [{"id": "admin", "data_actions": ["*"]}],
    "assignments": [{"id": "a-rg", "principal": "user:rg", "role": "admin", "scope": "/subscriptions/s1/rg"}],
    "deny_assignments": [{"id": "d", "principals": ["*"], "data_actions": ["*"], "scope": "/subscriptions/s1/rg/locked"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:rg", "Svc/admin/action", "/subscriptions/s1/rg/locked", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:rg", "Svc/admin/action", "/subscriptions/s1/rg/open", kDeny,
                  kNotEffectiveAtScope);
}

// ============================================================================
// §3 step 7 and statement resource globs
// ============================================================================

TEST(Statements, AllowStatementGivesReasonStatement) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "statements": [{"id": "st", "principal": "arn:aws:iam::1:role/r", "effect": "Allow",
                    "actions": ["Svc/things/read"],
                    "resources": ["arn:aws:secretsmanager:us-west-2:1:secret:gh-*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "arn:aws:iam::1:role/r", kRead, "arn:aws:secretsmanager:us-west-2:1:secret:gh-token",
                  kAllow, kStatement);
  EXPECT_DECISION(p, "arn:aws:iam::1:role/r", kWrite, "arn:aws:secretsmanager:us-west-2:1:secret:gh-token",
                  kDeny, kNoGrant);
  EXPECT_DECISION(p, "arn:aws:iam::1:role/r", kRead, "arn:aws:secretsmanager:us-west-2:1:secret:db",
                  kDeny, kNoGrant);
  EXPECT_DECISION(p, "arn:aws:iam::1:role/other", kRead,
                  "arn:aws:secretsmanager:us-west-2:1:secret:gh-token", kDeny, kNoGrant);
}

TEST(Statements, GrantFromStep6IsReportedBeforeStatement) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}],
    "assignments": [{"id": "a1", "principal": "user:alice", "role": "reader", "scope": "/s"}],
    "statements": [{"id": "st", "principal": "user:alice", "effect": "Allow",
                    "actions": ["*"], "resources": ["*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:alice", kRead, "/s/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/x", kAllow, kStatement);
  EXPECT_DECISION(p, "user:alice", kRead, "/t", kAllow, kStatement);
}

TEST(Statements, ApplyThroughGroups) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "groups": [{"id": "grp:a", "members": ["grp:b"]}, {"id": "grp:b", "members": ["user:u"]}],
    "statements": [{"id": "st", "principal": "grp:a", "effect": "Allow",
                    "actions": ["Svc/things/read"], "resources": ["arn:x:*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", kRead, "arn:x:1", kAllow, kStatement);
  EXPECT_DECISION(p, "user:v", kRead, "arn:x:1", kDeny, kNoGrant);
}

TEST(Statements, ArnResourcePatternsAreCaseSensitive) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "statements": [{"id": "st", "principal": "user:u", "effect": "Allow",
                    "actions": ["Svc/things/read"], "resources": ["arn:aws:s3:::Bucket/*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", kRead, "arn:aws:s3:::Bucket/key", kAllow, kStatement);
  EXPECT_DECISION(p, "user:u", kRead, "arn:aws:s3:::bucket/key", kDeny, kNoGrant);
  // SPEC §11: fields 1–5 of an ARN (arn, partition, service, region,
  // account) compare case-insensitively; only field 6 on is case-sensitive.
  EXPECT_DECISION(p, "user:u", kRead, "ARN:AWS:S3:::Bucket/key", kAllow, kStatement);
  EXPECT_DECISION(p, "user:u", kRead, "ARN:AWS:S3:::BUCKET/key", kDeny, kNoGrant);
}

TEST(Statements, ScopeResourcePatternsAreCaseInsensitive) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "statements": [{"id": "st", "principal": "user:u", "effect": "Allow",
                    "actions": ["Svc/things/read"], "resources": ["/Subscriptions/S1/*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", kRead, "/subscriptions/s1/rg", kAllow, kStatement);
  EXPECT_DECISION(p, "user:u", kRead, "/SUBSCRIPTIONS/S1/RG/X", kAllow, kStatement);
  EXPECT_DECISION(p, "user:u", kRead, "/subscriptions/s2/rg", kDeny, kNoGrant);
}

TEST(Statements, QuestionMarkMatchesOneCodePoint) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "statements": [
      {"id": "one", "principal": "user:u", "effect": "Allow", "actions": ["Svc/things/read"],
       "resources": ["arn:x:b/?.txt", "/files/?"]},
      {"id": "two", "principal": "user:v", "effect": "Allow", "actions": ["Svc/things/read"],
       "resources": ["arn:x:b/??.txt"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", kRead, "arn:x:b/a.txt", kAllow, kStatement);
  EXPECT_DECISION(p, "user:u", kRead, "arn:x:b/\xC3\xA9.txt", kAllow, kStatement);       // é, 2 bytes
  EXPECT_DECISION(p, "user:u", kRead, "arn:x:b/\xE2\x82\xAC.txt", kAllow, kStatement);   // €, 3 bytes
  EXPECT_DECISION(p, "user:u", kRead, "arn:x:b/\xF0\x9F\x98\x80.txt", kAllow, kStatement);  // 😀
  EXPECT_DECISION(p, "user:u", kRead, "/files/\xC3\xA9", kAllow, kStatement);
  EXPECT_DECISION(p, "user:u", kRead, "arn:x:b/ab.txt", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:u", kRead, "arn:x:b/.txt", kDeny, kNoGrant);
  // Two ?s are two code points, not the two bytes of é.
  EXPECT_DECISION(p, "user:v", kRead, "arn:x:b/\xC3\xA9.txt", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:v", kRead, "arn:x:b/\xF0\x9F\x98\x80.txt", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:v", kRead, "arn:x:b/\xC3\xA9\xC3\xA9.txt", kAllow, kStatement);
}

TEST(Statements, StarMatchesAnyRunAndTheWholeStringMustMatch) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "statements": [{"id": "st", "principal": "user:u", "effect": "Allow", "actions": ["Svc/things/read"],
                    "resources": ["arn:aws:s3:::b", "arn:*:logs", "/pre/*/post"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", kRead, "arn:aws:s3:::b", kAllow, kStatement);
  EXPECT_DECISION(p, "user:u", kRead, "arn:aws:s3:::b/key", kDeny, kNoGrant);   // no prefix match
  EXPECT_DECISION(p, "user:u", kRead, "xarn:aws:s3:::b", kDeny, kNoGrant);      // no suffix match
  EXPECT_DECISION(p, "user:u", kRead, "arn:a:b/c:d:logs", kAllow, kStatement);  // * crosses : and /
  EXPECT_DECISION(p, "user:u", kRead, "arn::logs", kAllow, kStatement);         // * matches empty
  EXPECT_DECISION(p, "user:u", kRead, "arn:x:logs2", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:u", kRead, "/pre/a/b/c/post", kAllow, kStatement);
  EXPECT_DECISION(p, "user:u", kRead, "/pre/post", kDeny, kNoGrant);
}

TEST(Statements, ActionPatternsAreCaseInsensitiveGlobs) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "statements": [{"id": "st", "principal": "user:u", "effect": "Allow",
                    "actions": ["svc/THINGS/*", "Svc/things/de?ete"], "resources": ["*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", kRead, "arn:x", kAllow, kStatement);
  EXPECT_DECISION(p, "user:u", kWrite, "arn:x", kAllow, kStatement);
  EXPECT_DECISION(p, "user:u", kDelete, "/x", kAllow, kStatement);
}

TEST(Statements, PathologicalGlobsStayFast) {
  // Queries arrive millions of times a second: a glob with many stars over a
  // 4096-byte resource must not backtrack exponentially.
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "statements": [{"id": "st", "principal": "user:u", "effect": "Allow", "actions": ["Svc/things/read"],
                    "resources": ["*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c"]}]
  })json");
  ASSERT_TRUE(p);
  const std::string arn(4096, 'a');
  const std::string scope = "/" + std::string(4095, 'a');
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_DECISION(p, "user:u", kRead, arn, kDeny, kNoGrant);
    EXPECT_DECISION(p, "user:u", kRead, scope, kDeny, kNoGrant);
  }
  EXPECT_DECISION(p, "user:u", kRead, arn.substr(1) + "b", kAllow, kStatement);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, 2.0) << "glob matching backtracks";
}

// ============================================================================
// §3 Explain
// ============================================================================

TEST(Explain, NamesTheDeepestGrantingAssignment) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}, {"id": "writer", "actions": ["Svc/*/write"]}],
    "assignments": [
      {"id": "a-mid", "principal": "user:alice", "role": "reader", "scope": "/s/s1"},
      {"id": "a-root", "principal": "user:alice", "role": "reader", "scope": "/"},
      {"id": "a-deep-writer", "principal": "user:alice", "role": "writer", "scope": "/s/s1/rg/x"},
      {"id": "a-deep", "principal": "user:alice", "role": "reader", "scope": "/s/s1/rg"},
      {"id": "a-other", "principal": "user:alice", "role": "reader", "scope": "/s/s1/other/deeper/still"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_RULE(p, "user:alice", kRead, "/s/s1/rg/x/y", kAssignment, "a-deep");  // writer role does not cover read
  EXPECT_RULE(p, "user:alice", kRead, "/s/s1/q", kAssignment, "a-mid");
  EXPECT_RULE(p, "user:alice", kRead, "/t", kAssignment, "a-root");
  EXPECT_RULE(p, "user:alice", kWrite, "/s/s1/rg/x", kAssignment, "a-deep-writer");
}

TEST(Explain, GrantTiesAreBrokenByBundleOrder) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "roles": [{"id": "reader", "actions": ["Svc/*/read"]}, {"id": "all", "actions": ["*"]}],
    "groups": [{"id": "grp:g", "members": ["user:alice"]}],
    "assignments": [
      {"id": "a-z-first", "principal": "grp:g", "role": "all", "scope": "/S/S1"},
      {"id": "a-a-second", "principal": "user:alice", "role": "reader", "scope": "/s/s1"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_RULE(p, "user:alice", kRead, "/s/s1/x", kAssignment, "a-z-first");
}

TEST(Explain, AssignmentFailingEffectiveOnlyAtIsNotNamed) {
  auto p = Build(R"json({"version": 1, "actions": [
      {"name": "Svc/admin/action", "effective_only_at": ["/subscriptions/*"]}],
    "roles": [{"id": "admin", "actions": ["*"]}],
    "assignments": [
      {"id": "a-sub", "principal": "user:u", "role": "admin", "scope": "/subscriptions/s1"},
      {"id": "a-rg", "principal": "user:u", "role": "admin", "scope": "/subscriptions/s1/rg"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", "Svc/admin/action", "/subscriptions/s1/rg/x", kAllow, kGrant);
  EXPECT_RULE(p, "user:u", "Svc/admin/action", "/subscriptions/s1/rg/x", kAssignment, "a-sub");
}

TEST(Explain, NamesTheDeepestDenyAssignmentTiesByBundleOrder) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "deny_assignments": [
      {"id": "d-root", "principals": ["*"], "actions": ["*"], "scope": "/"},
      {"id": "d-deep-1", "principals": ["user:alice"], "actions": ["Svc/things/*"], "scope": "/s/s1"},
      {"id": "d-deep-2", "principals": ["*"], "actions": ["*"], "scope": "/S/S1"},
      {"id": "d-other-kind", "principals": ["*"], "data_actions": ["*"], "scope": "/s/s1/x"},
      {"id": "d-self-only", "principals": ["*"], "actions": ["*"], "scope": "/s/s1/x/y",
       "apply_to_children": false}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_RULE(p, "user:alice", kRead, "/s/s1/x", kDenyAssignment, "d-deep-1");
  EXPECT_RULE(p, "user:bob", kRead, "/s/s1/x", kDenyAssignment, "d-deep-2");
  EXPECT_RULE(p, "user:bob", kRead, "/t", kDenyAssignment, "d-root");
  EXPECT_RULE(p, "user:bob", kRead, "/s/s1/x/y", kDenyAssignment, "d-self-only");
  EXPECT_RULE(p, "user:bob", kRead, "/s/s1/x/y/z", kDenyAssignment, "d-deep-2");
}

TEST(Explain, NamesTheFirstMatchingStatementInBundleOrder) {
  auto p = Build(R"json({"version": 1, )json" CATALOG R"json(,
    "groups": [{"id": "grp:g", "members": ["user:u"]}],
    "statements": [
      {"id": "s-allow-other", "principal": "user:v", "effect": "Allow", "actions": ["*"], "resources": ["*"]},
      {"id": "s-allow-y", "principal": "user:u", "effect": "Allow", "actions": ["*"], "resources": ["arn:y:*"]},
      {"id": "s-allow-1", "principal": "grp:g", "effect": "Allow", "actions": ["*"], "resources": ["arn:x:*"]},
      {"id": "s-allow-2", "principal": "user:u", "effect": "Allow", "actions": ["*"], "resources": ["arn:x:*"]},
      {"id": "s-deny-1", "principal": "user:u", "effect": "Deny", "actions": ["Svc/things/write"], "resources": ["arn:x:1"]},
      {"id": "s-deny-2", "principal": "grp:g", "effect": "Deny", "actions": ["*"], "resources": ["arn:x:*"]}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", kRead, "arn:y:1", kAllow, kStatement);
  EXPECT_RULE(p, "user:u", kRead, "arn:y:1", kStatement, "s-allow-y");
  EXPECT_DECISION(p, "user:u", kWrite, "arn:x:1", kDeny, kDenyStatement);
  EXPECT_RULE(p, "user:u", kWrite, "arn:x:1", kStatement, "s-deny-1");
  EXPECT_RULE(p, "user:u", kRead, "arn:x:1", kStatement, "s-deny-2");
  EXPECT_RULE(p, "user:v", kRead, "arn:x:1", kStatement, "s-allow-other");
}

TEST(Explain, NoRuleForOtherReasons) {
  auto p = Build(R"json({"version": 1, "actions": [
      {"name": "Svc/things/read"},
      {"name": "Svc/admin/action", "effective_only_at": ["/subscriptions/*"]}],
    "roles": [{"id": "admin", "actions": ["*"]}],
    "assignments": [{"id": "a-rg", "principal": "user:u", "role": "admin", "scope": "/subscriptions/s1/rg"}]
  })json");
  ASSERT_TRUE(p);
  EXPECT_DECISION(p, "user:u", "Svc/admin/action", "/subscriptions/s1/rg", kDeny, kNotEffectiveAtScope);
  EXPECT_RULE(p, "user:u", "Svc/admin/action", "/subscriptions/s1/rg", kNone, "");
  EXPECT_RULE(p, "user:u", kRead, "/other", kNone, "");                  // no_grant
  EXPECT_RULE(p, "user:u", "Svc/unknown", "/subscriptions/s1/rg", kNone, "");  // unknown_action
  EXPECT_RULE(p, "user:u", kRead, "/subscriptions//rg", kNone, "");      // invalid_input
  EXPECT_RULE(p, "", kRead, "/subscriptions/s1/rg", kNone, "");
}

// ============================================================================
// §8 fast path: CheckIds agrees with Check
// ============================================================================

const char kMixedBundle[] = R"json({"version": 1, "actions": [
    {"name": "Svc/things/read"}, {"name": "Svc/things/write"}, {"name": "Svc/things/delete"},
    {"name": "Svc/blobs/read", "data": true},
    {"name": "Svc/admin/action", "data": true, "effective_only_at": ["/s/*"]}],
  "roles": [
    {"id": "reader", "actions": ["*/read"], "data_actions": ["*/read"]},
    {"id": "admin", "actions": ["*"], "not_actions": ["*/delete"], "data_actions": ["*"]}],
  "groups": [{"id": "grp:team", "members": ["user:alice", "grp:sub"]}, {"id": "grp:sub", "members": ["user:ivan"]}],
  "assignments": [
    {"id": "a-team", "principal": "grp:team", "role": "reader", "scope": "/s/s1"},
    {"id": "a-alice", "principal": "user:alice", "role": "admin", "scope": "/s/s1/rg"},
    {"id": "a-bob", "principal": "user:bob", "role": "admin", "scope": "/s/s2"}],
  "deny_assignments": [{"id": "d1", "principals": ["*"], "exclude_principals": ["user:bob"],
                        "actions": ["*/write"], "scope": "/s/s1/rg/locked"}],
  "statements": [
    {"id": "st1", "principal": "user:ivan", "effect": "Allow", "actions": ["Svc/things/*"], "resources": ["arn:x:*"]},
    {"id": "st2", "principal": "grp:team", "effect": "Deny", "actions": ["*"], "resources": ["arn:x:secret"]}]
})json";

TEST(CheckIds, AgreesWithCheckOnEveryCombination) {
  auto p = Build(kMixedBundle);
  ASSERT_TRUE(p);
  const Policy& pol = *p;
  const std::vector<std::string> principals = {"user:alice", "user:ivan", "user:bob", "grp:team",
                                               "grp:sub", "user:nobody", "USER:ALICE"};
  const std::vector<std::string> actions = {"Svc/things/read", "svc/things/WRITE", "Svc/things/delete",
                                            "Svc/blobs/read", "Svc/admin/action", "Svc/nope"};
  const std::vector<std::string> resources = {
      "/", "/s", "/s/s1", "/s/s1/rg", "/s/s1/rg/locked", "/s/s1/rg/locked/x", "/s/s2", "/S/S2/Q",
      "/s/s10", "arn:x:1", "arn:x:secret", "", "/s//x", "/s/s1/", "/s/s1/..", "/s/\x01"};
  int allows = 0;
  for (const auto& who : principals) {
    for (const auto& what : actions) {
      for (const auto& where : resources) {
        Decision c = pol.Check(who, what, where);
        Decision i = pol.CheckIds(pol.FindPrincipal(who), pol.FindAction(what), where);
        Explanation e = pol.Explain(who, what, where);
        EXPECT_EQ(c, i) << who << " " << what << " " << Printable(where) << ": Check " << Show(c)
                        << " CheckIds " << Show(i);
        EXPECT_EQ(c, e.decision) << who << " " << what << " " << Printable(where) << ": Check "
                                 << Show(c) << " Explain " << Show(e.decision);
        allows += c.allowed;
      }
    }
  }
  EXPECT_GT(allows, 10);  // the matrix is not trivially all-deny
  // Spot checks of the matrix against the SPEC.
  EXPECT_DECISION(p, "user:ivan", kRead, "/s/s1/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:alice", kWrite, "/s/s1/rg/locked/x", kDeny, kDenyAssignment);
  EXPECT_DECISION(p, "user:alice", kDelete, "/s/s1/rg", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:alice", "Svc/admin/action", "/s/s1/rg", kDeny, kNotEffectiveAtScope);
  EXPECT_DECISION(p, "user:bob", "Svc/admin/action", "/s/s2/x", kAllow, kGrant);
  EXPECT_DECISION(p, "user:ivan", kRead, "arn:x:secret", kDeny, kDenyStatement);
  EXPECT_DECISION(p, "user:ivan", kWrite, "arn:x:1", kAllow, kStatement);
  EXPECT_DECISION(p, "user:bob", kWrite, "/s/s1/rg/locked", kDeny, kNoGrant);
  EXPECT_DECISION(p, "user:nobody", kWrite, "/s/s1/rg/locked", kDeny, kDenyAssignment);
}

TEST(CheckIds, IdLookupsFollowTheComparisonRules) {
  auto p = Build(kMixedBundle);
  ASSERT_TRUE(p);
  const Policy& pol = *p;
  EXPECT_NE(pol.FindAction("Svc/things/read"), kUnknownAction);
  EXPECT_EQ(pol.FindAction("SVC/THINGS/READ"), pol.FindAction("Svc/things/read"));
  EXPECT_NE(pol.FindAction("Svc/things/read"), pol.FindAction("Svc/things/write"));
  EXPECT_EQ(pol.FindAction("Svc/nope"), kUnknownAction);
  EXPECT_EQ(pol.FindAction("Svc/*"), kUnknownAction);
  EXPECT_NE(pol.FindPrincipal("user:alice"), kUnknownPrincipal);
  EXPECT_NE(pol.FindPrincipal("grp:team"), kUnknownPrincipal);
  EXPECT_EQ(pol.FindPrincipal("USER:ALICE"), kUnknownPrincipal);
  EXPECT_EQ(pol.CheckIds(pol.FindPrincipal("user:alice"), kUnknownAction, "/s/s1"),
            (Decision{false, Reason::kUnknownAction}));
  EXPECT_EQ(pol.CheckIds(kUnknownPrincipal, pol.FindAction(kWrite), "/s/s1/rg/locked"),
            (Decision{false, Reason::kDenyAssignment}));
  EXPECT_EQ(pol.CheckIds(kUnknownPrincipal, pol.FindAction(kRead), "/s/s1"),
            (Decision{false, Reason::kNoGrant}));
  EXPECT_EQ(pol.CheckIds(pol.FindPrincipal("user:alice"), pol.FindAction(kRead), "/s/s1//x"),
            (Decision{false, Reason::kInvalidInput}));
  EXPECT_EQ(pol.CheckIds(pol.FindPrincipal("user:alice"), pol.FindAction(kRead), ""),
            (Decision{false, Reason::kInvalidInput}));
}

TEST(ExampleBundle, CompilesAndDecidesAsDocumented) {
  auto p = Build(ExampleBundle());
  ASSERT_TRUE(p);
  const std::string prod =
      "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1/projects/prod";
  EXPECT_DECISION(p, "user:alice", "Anyscale.Platform/clouds/projects/jobs/write", prod + "/jobs/j9",
                  kAllow, kGrant);
  EXPECT_RULE(p, "user:alice", "Anyscale.Platform/clouds/projects/jobs/write", prod + "/jobs/j9",
              kAssignment, "a-contrib-alice");
  EXPECT_DECISION(p, "user:alice", "Anyscale.Platform/clouds/projects/jobs/delete", prod, kDeny,
                  kDenyAssignment);
  EXPECT_DECISION(p, "user:dana", "Anyscale.Platform/clouds/projects/jobs/delete", prod, kAllow, kGrant);
  EXPECT_DECISION(p, "user:ivan", "Anyscale.Platform/clouds/read",
                  "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1", kAllow,
                  kGrant);
  EXPECT_DECISION(p, "user:dana", "Anyscale.Platform/admin/action", "/subscriptions/s1", kAllow, kGrant);
  EXPECT_DECISION(p, "user:carol", "Anyscale.Platform/admin/action", "/subscriptions/s1/resourceGroups/prod",
                  kDeny, kNotEffectiveAtScope);
}

}  // namespace
}  // namespace rolegate
