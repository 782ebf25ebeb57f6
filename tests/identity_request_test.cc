// identity_request_test.cc — SPEC §4 (resolve, check_workload) and §5
// (check_request: path handling, routes, captures), with §9's fine print.

#include <gtest/gtest.h>

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

std::string Show(Decision d) {
  return std::string(d.allowed ? "allow/" : "deny/") + std::string(ReasonName(d.reason));
}

// ============================================================================
// §4 resolve
// ============================================================================

const char kIdentityBundle[] = R"json({"version": 1,
  "actions": [{"name": "S/get"}, {"name": "S/put"}],
  "roles": [{"id": "getter", "actions": ["S/get"]}],
  "groups": [{"id": "grp:job-identities", "members": ["id:job-proj"]}],
  "assignments": [
    {"id": "a-ng", "principal": "id:node-group", "role": "getter", "scope": "/"},
    {"id": "a-grp", "principal": "grp:job-identities", "role": "getter", "scope": "/jobs"}],
  "statements": [
    {"id": "s-job", "principal": "id:job", "effect": "Allow", "actions": ["S/*"], "resources": ["arn:x:*"]},
    {"id": "s-job-deny", "principal": "id:job", "effect": "Deny", "actions": ["S/put"], "resources": ["arn:x:locked"]}],
  "clouds": [
    {"id": "c1", "default_identity": "id:default",
     "mappings": [
       {"id": "m-user-proj", "user": "u1", "project": "p1", "identity": "id:user-proj"},
       {"id": "m-job", "workload_type": "job", "identity": "id:job"},
       {"id": "m-all", "user": "u1", "project": "p1", "workload_type": "workspace", "identity": "id:all"},
       {"id": "m-proj", "project": "p1", "identity": "id:proj"},
       {"id": "m-user-svc", "user": "u1", "workload_type": "service", "identity": "id:user-svc"},
       {"id": "m-job-proj", "workload_type": "job", "project": "p1", "identity": "id:job-proj"},
       {"id": "m-user", "user": "u1", "identity": "id:user"}]},
    {"id": "c-default-only", "default_identity": "id:c-default"},
    {"id": "c-empty"},
    {"id": "c-catchall", "default_identity": "id:unused-default",
     "mappings": [{"id": "m-any", "identity": "id:any"}]},
    {"id": "c-no-match", "mappings": [{"id": "m-x", "project": "px", "identity": "id:x"}]}]
})json";

WorkloadQuery Q(std::string_view cloud, WorkloadType type, std::string_view project, std::string_view user,
                std::string_view compute_config = {}, std::string_view node_group = {}) {
  WorkloadQuery q;
  q.cloud = cloud;
  q.workload_type = type;
  q.project = project;
  q.user = user;
  q.compute_config_identity = compute_config;
  q.node_group_identity = node_group;
  return q;
}

::testing::AssertionResult ResolvesTo(const Policy& p, const WorkloadQuery& q, std::string_view identity,
                                      std::string_view source) {
  Resolution r = p.Resolve(q);
  if (r.error != IdentityError::kNone || r.identity != identity || r.source != source) {
    return ::testing::AssertionFailure()
           << "resolve(" << q.cloud << ", " << static_cast<int>(q.workload_type) << ", " << q.project << ", "
           << q.user << ", cc=" << q.compute_config_identity << ", ng=" << q.node_group_identity
           << ") gave error " << static_cast<int>(r.error) << " identity \"" << r.identity << "\" source \""
           << r.source << "\"; want identity \"" << identity << "\" source \"" << source << "\"";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult FailsWith(const Policy& p, const WorkloadQuery& q, IdentityError want) {
  Resolution r = p.Resolve(q);
  if (r.error != want) {
    return ::testing::AssertionFailure() << "resolve(" << q.cloud << ", ...) gave error "
                                         << static_cast<int>(r.error) << " identity \"" << r.identity
                                         << "\" source \"" << r.source << "\"; want error "
                                         << static_cast<int>(want);
  }
  return ::testing::AssertionSuccess();
}

using WT = WorkloadType;

TEST(Resolve, MostSpecificRuleWinsUserFourProjectTwoTypeOne) {
  auto p = Build(kIdentityBundle);
  ASSERT_TRUE(p);
  const Policy& pol = *p;
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kJob, "p0", "u0"), "id:job", "m-job"));                  // 1
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kService, "p1", "u0"), "id:proj", "m-proj"));             // 2
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kWorkspace, "p1", "u0"), "id:proj", "m-proj"));           // 2
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kJob, "p1", "u0"), "id:job-proj", "m-job-proj"));         // 3 > 2, 1
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kJob, "p0", "u1"), "id:user", "m-user"));                 // 4 > 1
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kService, "p0", "u1"), "id:user-svc", "m-user-svc"));     // 5 > 4
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kJob, "p1", "u1"), "id:user-proj", "m-user-proj"));       // 6 > 4, 3
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kService, "p1", "u1"), "id:user-proj", "m-user-proj"));   // 6 > 5
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kWorkspace, "p1", "u1"), "id:all", "m-all"));             // 7
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kWorkspace, "p0", "u0"), "id:default", "cloud_default"));
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kService, "p0", "u0"), "id:default", "cloud_default"));
}

TEST(Resolve, FieldsCompareExactlyCaseSensitively) {
  auto p = Build(kIdentityBundle);
  ASSERT_TRUE(p);
  const Policy& pol = *p;
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kJob, "P1", "u1"), "id:user", "m-user"));
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kJob, "p1", "U1"), "id:job-proj", "m-job-proj"));
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kService, "p1 ", "u1 "), "id:default", "cloud_default"));
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kService, "p", "u"), "id:default", "cloud_default"));
  EXPECT_TRUE(FailsWith(pol, Q("C1", WT::kJob, "p1", "u1"), IdentityError::kUnknownCloud));
  EXPECT_TRUE(FailsWith(pol, Q("c1 ", WT::kJob, "p1", "u1"), IdentityError::kUnknownCloud));
}

TEST(Resolve, OverridesComeFirstNodeGroupThenComputeConfig) {
  auto p = Build(kIdentityBundle);
  ASSERT_TRUE(p);
  const Policy& pol = *p;
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kWorkspace, "p1", "u1", "id:cc", "id:ng"), "id:ng", "node_group"));
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kWorkspace, "p1", "u1", "", "id:ng"), "id:ng", "node_group"));
  EXPECT_TRUE(ResolvesTo(pol, Q("c1", WT::kWorkspace, "p1", "u1", "id:cc", ""), "id:cc", "compute_config"));
  // Overrides beat the default and "no identity" alike.
  EXPECT_TRUE(ResolvesTo(pol, Q("c-default-only", WT::kJob, "p", "u", "id:cc"), "id:cc", "compute_config"));
  EXPECT_TRUE(ResolvesTo(pol, Q("c-empty", WT::kJob, "p", "u", "", "id:ng"), "id:ng", "node_group"));
  EXPECT_TRUE(ResolvesTo(pol, Q("c-empty", WT::kJob, "p", "u", "id:cc"), "id:cc", "compute_config"));
}

TEST(Resolve, UnknownCloudIsAnErrorOverridesOrNot) {
  auto p = Build(kIdentityBundle);
  ASSERT_TRUE(p);
  const Policy& pol = *p;
  EXPECT_TRUE(FailsWith(pol, Q("c9", WT::kJob, "p1", "u1"), IdentityError::kUnknownCloud));
  EXPECT_TRUE(FailsWith(pol, Q("c9", WT::kJob, "p1", "u1", "id:cc"), IdentityError::kUnknownCloud));
  EXPECT_TRUE(FailsWith(pol, Q("c9", WT::kJob, "p1", "u1", "id:cc", "id:ng"), IdentityError::kUnknownCloud));
  EXPECT_TRUE(FailsWith(pol, Q("", WT::kJob, "p1", "u1", "", "id:ng"), IdentityError::kUnknownCloud));
}

TEST(Resolve, DefaultThenNoIdentity) {
  auto p = Build(kIdentityBundle);
  ASSERT_TRUE(p);
  const Policy& pol = *p;
  EXPECT_TRUE(ResolvesTo(pol, Q("c-default-only", WT::kService, "p", "u"), "id:c-default", "cloud_default"));
  EXPECT_TRUE(FailsWith(pol, Q("c-empty", WT::kJob, "p", "u"), IdentityError::kNoIdentity));
  EXPECT_TRUE(FailsWith(pol, Q("c-no-match", WT::kJob, "p0", "u"), IdentityError::kNoIdentity));
  EXPECT_TRUE(ResolvesTo(pol, Q("c-no-match", WT::kJob, "px", "u"), "id:x", "m-x"));
}

TEST(Resolve, RuleNamingNoFieldStillBeatsTheCloudDefault) {
  auto p = Build(kIdentityBundle);
  ASSERT_TRUE(p);
  const Policy& pol = *p;
  EXPECT_TRUE(ResolvesTo(pol, Q("c-catchall", WT::kJob, "p", "u"), "id:any", "m-any"));
  EXPECT_TRUE(ResolvesTo(pol, Q("c-catchall", WT::kWorkspace, "", ""), "id:any", "m-any"));
}

TEST(Resolve, MappingsOfOtherCloudsDoNotApply) {
  auto p = Build(kIdentityBundle);
  ASSERT_TRUE(p);
  // m-user (u1) belongs to c1 only.
  EXPECT_TRUE(ResolvesTo(*p, Q("c-default-only", WT::kJob, "p1", "u1"), "id:c-default", "cloud_default"));
}

TEST(Resolve, ParseWorkloadTypeIsExact) {
  WorkloadType t;
  ASSERT_TRUE(ParseWorkloadType("job", &t));
  EXPECT_EQ(t, WT::kJob);
  ASSERT_TRUE(ParseWorkloadType("service", &t));
  EXPECT_EQ(t, WT::kService);
  ASSERT_TRUE(ParseWorkloadType("workspace", &t));
  EXPECT_EQ(t, WT::kWorkspace);
  EXPECT_FALSE(ParseWorkloadType("Job", &t));
  EXPECT_FALSE(ParseWorkloadType("jobs", &t));
  EXPECT_FALSE(ParseWorkloadType("", &t));
  EXPECT_FALSE(ParseWorkloadType("batch", &t));
}

// ============================================================================
// §4 check_workload
// ============================================================================

TEST(CheckWorkload, ResolvesThenChecksAsTheIdentity) {
  auto p = Build(kIdentityBundle);
  ASSERT_TRUE(p);
  WorkloadExplanation w = p->CheckWorkload(Q("c1", WT::kJob, "p0", "u0"), "S/put", "arn:x:data");
  EXPECT_EQ(w.resolution.error, IdentityError::kNone);
  EXPECT_EQ(w.resolution.identity, "id:job");
  EXPECT_EQ(w.resolution.source, "m-job");
  EXPECT_EQ(w.check.decision, (Decision{true, Reason::kStatement})) << Show(w.check.decision);
  EXPECT_EQ(w.check.rule, "s-job");

  w = p->CheckWorkload(Q("c1", WT::kJob, "p0", "u0"), "S/put", "arn:x:locked");
  EXPECT_EQ(w.check.decision, (Decision{false, Reason::kDenyStatement})) << Show(w.check.decision);
  EXPECT_EQ(w.check.rule, "s-job-deny");

  // Another identity holds nothing on the ARN.
  w = p->CheckWorkload(Q("c1", WT::kService, "p0", "u0"), "S/get", "arn:x:data");
  EXPECT_EQ(w.resolution.identity, "id:default");
  EXPECT_EQ(w.check.decision, (Decision{false, Reason::kNoGrant})) << Show(w.check.decision);

  // The resolved identity's groups count (it is a principal like any other).
  w = p->CheckWorkload(Q("c1", WT::kJob, "p1", "u0"), "S/get", "/jobs/j1");
  EXPECT_EQ(w.resolution.identity, "id:job-proj");
  EXPECT_EQ(w.check.decision, (Decision{true, Reason::kGrant})) << Show(w.check.decision);
  EXPECT_EQ(w.check.rule, "a-grp");
}

TEST(CheckWorkload, OverrideIdentityIsThePrincipalChecked) {
  auto p = Build(kIdentityBundle);
  ASSERT_TRUE(p);
  WorkloadExplanation w = p->CheckWorkload(Q("c1", WT::kJob, "p0", "u0", "", "id:node-group"), "S/get", "/any");
  EXPECT_EQ(w.resolution.source, "node_group");
  EXPECT_EQ(w.resolution.identity, "id:node-group");
  EXPECT_EQ(w.check.decision, (Decision{true, Reason::kGrant})) << Show(w.check.decision);
  // Without the override, m-job's identity has no assignment.
  w = p->CheckWorkload(Q("c1", WT::kJob, "p0", "u0"), "S/get", "/any");
  EXPECT_EQ(w.check.decision, (Decision{false, Reason::kNoGrant})) << Show(w.check.decision);
}

TEST(CheckWorkload, NoIdentityDeniesWithUnknownCloudOrNoIdentity) {
  auto p = Build(kIdentityBundle);
  ASSERT_TRUE(p);
  WorkloadExplanation w = p->CheckWorkload(Q("c9", WT::kJob, "p0", "u0", "", "id:node-group"), "S/get", "/any");
  EXPECT_EQ(w.resolution.error, IdentityError::kUnknownCloud);
  EXPECT_EQ(w.check.decision, (Decision{false, Reason::kUnknownCloud})) << Show(w.check.decision);
  EXPECT_EQ(w.check.rule, "");

  w = p->CheckWorkload(Q("c-empty", WT::kJob, "p0", "u0"), "S/get", "/any");
  EXPECT_EQ(w.resolution.error, IdentityError::kNoIdentity);
  EXPECT_EQ(w.check.decision, (Decision{false, Reason::kNoIdentity})) << Show(w.check.decision);

  // Resolution comes first: an unknown cloud is reported before an unknown
  // action or a bad resource.
  w = p->CheckWorkload(Q("c9", WT::kJob, "p0", "u0"), "S/nope", "");
  EXPECT_EQ(w.check.decision, (Decision{false, Reason::kUnknownCloud})) << Show(w.check.decision);
  w = p->CheckWorkload(Q("c-empty", WT::kJob, "p0", "u0"), "S/nope", "");
  EXPECT_EQ(w.check.decision, (Decision{false, Reason::kNoIdentity})) << Show(w.check.decision);
}

TEST(CheckWorkload, CheckReasonsPassThroughWithTheIdentity) {
  auto p = Build(kIdentityBundle);
  ASSERT_TRUE(p);
  WorkloadExplanation w = p->CheckWorkload(Q("c1", WT::kJob, "p0", "u0"), "S/nope", "arn:x:1");
  EXPECT_EQ(w.resolution.identity, "id:job");
  EXPECT_EQ(w.check.decision, (Decision{false, Reason::kUnknownAction})) << Show(w.check.decision);
  w = p->CheckWorkload(Q("c1", WT::kJob, "p0", "u0"), "S/get", "/a//b");
  EXPECT_EQ(w.resolution.identity, "id:job");
  EXPECT_EQ(w.check.decision, (Decision{false, Reason::kInvalidInput})) << Show(w.check.decision);
}

// ============================================================================
// §5 check_request
// ============================================================================

const char kRequestBundle[] = R"json({"version": 1,
  "actions": [{"name": "Api/jobs/read"}, {"name": "Api/jobs/write"}, {"name": "Api/misc/read"}],
  "roles": [{"id": "reader", "actions": ["*/read"]}, {"id": "writer", "actions": ["*"]}],
  "assignments": [
    {"id": "a-alice", "principal": "user:alice", "role": "reader", "scope": "/"},
    {"id": "a-bob", "principal": "user:bob", "role": "writer", "scope": "/clouds/c1"}],
  "routes": [
    {"id": "r-jobs-get", "method": "GET", "path": "/api/c/(?P<cloud>[^/]+)/jobs/?",
     "action": "Api/jobs/read", "scope": "/clouds/{cloud}"},
    {"id": "r-jobs-post", "method": "POST", "path": "/api/c/(?P<cloud>[^/]+)/jobs/?",
     "action": "api/JOBS/write", "scope": "/clouds/{cloud}"},
    {"id": "r-misc", "method": "*", "path": "/api/misc/(?P<m>[^/]+)",
     "action": "Api/misc/read", "scope": "/misc/{m}"},
    {"id": "r-order-star", "method": "*", "path": "/order/x", "action": "Api/misc/read", "scope": "/order/star"},
    {"id": "r-order-get", "method": "GET", "path": "/order/x", "action": "Api/jobs/read", "scope": "/order/get"},
    {"id": "r-first", "method": "GET", "path": "/two/(?P<a>[^/]+)", "action": "Api/misc/read", "scope": "/two/first/{a}"},
    {"id": "r-second", "method": "GET", "path": "/two/(?P<b>.+)", "action": "Api/misc/read", "scope": "/two/second/{b}"},
    {"id": "r-raw", "method": "GET", "path": "/raw/(?P<seg>.*)", "action": "Api/misc/read", "scope": "/raw/{seg}"},
    {"id": "r-unused", "method": "GET", "path": "/unused/(?P<u>.*)", "action": "Api/misc/read", "scope": "/unused"},
    {"id": "r-opt", "method": "GET", "path": "/opt(?:/(?P<o>[^/]+))?", "action": "Api/misc/read", "scope": "/opt"},
    {"id": "r-pre", "method": "GET", "path": "/pre-(?P<x>[^/]*)", "action": "Api/misc/read", "scope": "/pre/{x}"},
    {"id": "r-long", "method": "GET", "path": "/long/(?P<l>[^/]+)", "action": "Api/misc/read", "scope": "/long/{l}"},
    {"id": "r-alt", "method": "GET", "path": "/alt/a|/alt/b", "action": "Api/misc/read", "scope": "/alt"},
    {"id": "r-dots", "method": "GET", "path": "/dots/x(?P<d>[^/]+)", "action": "Api/misc/read", "scope": "/dots/{d}"},
    {"id": "r-grow", "method": "GET", "path": "/grow/(?P<g>[^/]+)", "action": "Api/misc/read",
     "scope": "/grow/{g}/{g}"}]
})json";

struct Req {
  Decision decision;
  RuleKind kind = RuleKind::kNone;
  std::string rule, route, action, resource;
};

Req Ask(const Policy& p, std::string_view principal, std::string_view method, std::string_view target) {
  RequestScratch scratch;
  RequestExplanation r = p.CheckRequest(principal, method, target, &scratch);
  Req out;
  out.decision = r.check.decision;
  out.kind = r.check.kind;
  out.rule = std::string(r.check.rule);
  out.route = std::string(r.route);
  out.action = std::string(r.action);
  out.resource = std::string(r.resource);
  return out;
}

::testing::AssertionResult Requests(const Policy& p, std::string_view principal, std::string_view method,
                                    std::string_view target, bool allowed, Reason reason) {
  Req r = Ask(p, principal, method, target);
  if (!(r.decision == Decision{allowed, reason})) {
    return ::testing::AssertionFailure()
           << "check_request(" << principal << ", " << method << ", " << Printable(target) << ") gave "
           << Show(r.decision) << " (route \"" << r.route << "\" resource \"" << Printable(r.resource)
           << "\"), want " << Show(Decision{allowed, reason});
  }
  return ::testing::AssertionSuccess();
}

#define EXPECT_REQUEST(policy, principal, method, target, allowed, reason) \
  EXPECT_TRUE(Requests(*(policy), principal, method, target, allowed, Reason::reason))

// A path that must be refused as bad_path, with no route reached.
::testing::AssertionResult BadPath(const Policy& p, std::string_view target) {
  Req r = Ask(p, "user:alice", "GET", target);
  if (!(r.decision == Decision{false, Reason::kBadPath})) {
    return ::testing::AssertionFailure() << "check_request(GET " << Printable(target) << ") gave "
                                         << Show(r.decision) << " (route \"" << r.route << "\" resource \""
                                         << Printable(r.resource) << "\"), want deny/bad_path";
  }
  return ::testing::AssertionSuccess();
}

// A path that reaches route r-jobs-get with the given resource, and is granted to alice.
::testing::AssertionResult ReachesJobs(const Policy& p, std::string_view target, std::string_view resource) {
  Req r = Ask(p, "user:alice", "GET", target);
  if (!(r.decision == Decision{true, Reason::kGrant}) || r.route != "r-jobs-get" || r.resource != resource) {
    return ::testing::AssertionFailure() << "check_request(GET " << Printable(target) << ") gave "
                                         << Show(r.decision) << " route \"" << r.route << "\" resource \""
                                         << Printable(r.resource) << "\"; want allow/grant via r-jobs-get on \""
                                         << Printable(resource) << "\"";
  }
  return ::testing::AssertionSuccess();
}

class CheckRequest : public ::testing::Test {
 protected:
  void SetUp() override {
    policy_ = Build(kRequestBundle);
    ASSERT_TRUE(policy_);
  }
  const Policy& P() const { return *policy_; }
  std::unique_ptr<Policy> policy_;
};

TEST_F(CheckRequest, ResultNamesRouteActionAndFilledScope) {
  Req r = Ask(P(), "user:alice", "GET", "/api/c/c1/jobs");
  EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
  EXPECT_EQ(r.route, "r-jobs-get");
  EXPECT_EQ(r.action, "Api/jobs/read");
  EXPECT_EQ(r.resource, "/clouds/c1");
  EXPECT_EQ(r.kind, RuleKind::kAssignment);
  EXPECT_EQ(r.rule, "a-alice");

  r = Ask(P(), "user:alice", "POST", "/api/c/c1/jobs");
  EXPECT_EQ(r.decision, (Decision{false, Reason::kNoGrant})) << Show(r.decision);
  EXPECT_EQ(r.route, "r-jobs-post");
  // The action is the catalog action the route names (compared case-insensitively).
  EXPECT_TRUE(r.action == "Api/jobs/write" || r.action == "api/JOBS/write") << r.action;
  EXPECT_EQ(r.resource, "/clouds/c1");

  r = Ask(P(), "user:bob", "POST", "/api/c/C1/jobs/");
  EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
  EXPECT_EQ(r.resource, "/clouds/C1");  // the captured text as sent; scopes compare case-insensitively
  EXPECT_EQ(r.rule, "a-bob");
  EXPECT_REQUEST(policy_, "user:bob", "POST", "/api/c/c2/jobs", false, kNoGrant);
}

TEST_F(CheckRequest, TheAnswerIsCheckOfTheRouteActionAndScope) {
  // Empty principal: the check itself answers invalid_input, the route was reached.
  Req r = Ask(P(), "", "GET", "/api/c/c1/jobs");
  EXPECT_EQ(r.decision, (Decision{false, Reason::kInvalidInput})) << Show(r.decision);
  EXPECT_EQ(r.route, "r-jobs-get");
  EXPECT_EQ(r.resource, "/clouds/c1");
  EXPECT_REQUEST(policy_, "user:nobody", "GET", "/api/c/c1/jobs", false, kNoGrant);
}

TEST_F(CheckRequest, NoRouteWhenNothingMatches) {
  for (const char* target : {"/nothing", "/", "/api/c/c1/jobs/extra", "/x/api/c/c1/jobs", "/api/c/c1/jobsx",
                             "/API/c/c1/jobs", "/api/c/c1"}) {
    SCOPED_TRACE(target);
    Req r = Ask(P(), "user:alice", "GET", target);
    EXPECT_EQ(r.decision, (Decision{false, Reason::kNoRoute})) << Show(r.decision);
    EXPECT_EQ(r.route, "");
    EXPECT_EQ(r.action, "");
    EXPECT_EQ(r.resource, "");
    EXPECT_EQ(r.kind, RuleKind::kNone);
  }
}

TEST_F(CheckRequest, MethodsCompareExactlyAndStarMatchesAny) {
  EXPECT_REQUEST(policy_, "user:alice", "GET", "/api/c/c1/jobs", true, kGrant);
  EXPECT_REQUEST(policy_, "user:alice", "get", "/api/c/c1/jobs", false, kNoRoute);
  EXPECT_REQUEST(policy_, "user:alice", "Get", "/api/c/c1/jobs", false, kNoRoute);
  EXPECT_REQUEST(policy_, "user:alice", "PUT", "/api/c/c1/jobs", false, kNoRoute);
  for (const char* method : {"GET", "POST", "DELETE", "PATCH", "PROPFIND", "get"}) {
    SCOPED_TRACE(method);
    Req r = Ask(P(), "user:alice", method, "/api/misc/m1");
    EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
    EXPECT_EQ(r.route, "r-misc");
    EXPECT_EQ(r.resource, "/misc/m1");
  }
}

TEST_F(CheckRequest, FirstMatchingRouteInBundleOrderWins) {
  Req r = Ask(P(), "user:alice", "GET", "/order/x");
  EXPECT_EQ(r.route, "r-order-star");
  EXPECT_EQ(r.resource, "/order/star");
  r = Ask(P(), "user:alice", "GET", "/two/a");
  EXPECT_EQ(r.route, "r-first");
  EXPECT_EQ(r.resource, "/two/first/a");
  EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
  // r-first does not match the whole path; r-second does, but its capture holds '/'.
  r = Ask(P(), "user:alice", "GET", "/two/a/b");
  EXPECT_EQ(r.decision, (Decision{false, Reason::kBadPath})) << Show(r.decision);
}

TEST_F(CheckRequest, QueryAndFragmentAreStripped) {
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c1/jobs?limit=10", "/clouds/c1"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c1/jobs?x=/../&y=%zz", "/clouds/c1"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c1/jobs#frag", "/clouds/c1"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c1/jobs#a?b", "/clouds/c1"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c1/jobs?a#b", "/clouds/c1"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c1/jobs?", "/clouds/c1"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c1/jobs/?q", "/clouds/c1"));
  EXPECT_TRUE(BadPath(P(), "?/api/c/c1/jobs"));  // the path is empty
}

TEST_F(CheckRequest, PercentEscapesAreDecodedExactlyOnce) {
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c%31/jobs", "/clouds/c1"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c1/job%73", "/clouds/c1"));       // routes see the decoded path
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c%3f1/jobs", "/clouds/c?1"));     // lower-case hex; ? is not re-split
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c%3F1/jobs", "/clouds/c?1"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/%23x/jobs", "/clouds/#x"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/%25/jobs", "/clouds/%"));
  // Decoded once: %252e is "%2e" text, not a dot, and %252F is not a slash.
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/%252e/jobs", "/clouds/%2e"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/%252e%252e/jobs", "/clouds/%2e%2e"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/a%252Fb/jobs", "/clouds/a%2Fb"));
  // '+' is not a space in a path.
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/a+b/jobs", "/clouds/a+b"));
  // Multi-byte UTF-8, encoded or raw.
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/caf%C3%A9/jobs", "/clouds/caf\xC3\xA9"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/caf\xC3\xA9/jobs", "/clouds/caf\xC3\xA9"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/nb%C2%A0sp/jobs", "/clouds/nb\xC2\xA0sp"));
}

TEST_F(CheckRequest, InvalidEscapesAreBadPath) {
  for (const char* t : {"/api/c/%zz/jobs", "/api/c/%4g/jobs", "/api/c/%g4/jobs", "/api/c/c1/jobs%4",
                        "/api/c/c1/jobs%", "/api/c/%/jobs", "/api/c/c1%/jobs", "/api/c/%%31/jobs",
                        "/api/c/c1/jobs%4?x", "/api/c/c1/jobs/%"}) {
    SCOPED_TRACE(t);
    EXPECT_TRUE(BadPath(P(), t));
  }
}

TEST_F(CheckRequest, EscapesOfSlashBackslashAndControlCharactersAreBadPath) {
  for (const char* t : {"/api/c/a%2Fb/jobs", "/api/c/a%2fb/jobs", "/api/c/a%5Cb/jobs", "/api/c/a%5cb/jobs",
                        "/api/c/a%00b/jobs", "/api/c/a%01b/jobs", "/api/c/a%09b/jobs", "/api/c/a%0Ab/jobs",
                        "/api/c/a%1Fb/jobs", "/api/c/a%7Fb/jobs", "/api/c/a%7fb/jobs",
                        "/api/c/a%C2%80b/jobs", "/api/c/a%C2%85b/jobs", "/api/c/a%C2%9Fb/jobs",
                        "%2Fapi/c/c1/jobs", "/api%2Fc/c1/jobs"}) {
    SCOPED_TRACE(t);
    EXPECT_TRUE(BadPath(P(), t));
  }
}

TEST_F(CheckRequest, RawBackslashAndControlCharactersAreBadPath) {
  EXPECT_TRUE(BadPath(P(), "/api/c/a\\b/jobs"));
  EXPECT_TRUE(BadPath(P(), "/api/c/c1\\jobs"));
  EXPECT_TRUE(BadPath(P(), "/api/c/a\tb/jobs"));
  EXPECT_TRUE(BadPath(P(), "/api/c/a\x7F" "b/jobs"));
  EXPECT_TRUE(BadPath(P(), "/api/c/a\xC2\x85" "b/jobs"));
  EXPECT_TRUE(BadPath(P(), std::string("/api/c/a\0b/jobs", 15)));
}

TEST_F(CheckRequest, DotSegmentsAreBadPathEncodedOrNot) {
  for (const char* t : {"/api/c/../jobs", "/api/c/./jobs", "/api/c/c1/jobs/.", "/api/c/c1/jobs/..",
                        "/api/c/c1/./jobs", "/api/c/%2e/jobs", "/api/c/%2E/jobs", "/api/c/%2e%2e/jobs",
                        "/api/c/%2E%2E/jobs", "/api/c/.%2e/jobs", "/api/c/%2e./jobs", "/./api/c/c1/jobs",
                        "/api/c/c1/jobs/%2e", "/..", "/."}) {
    SCOPED_TRACE(t);
    EXPECT_TRUE(BadPath(P(), t));
  }
  // Dots inside a segment are ordinary.
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/.c1/jobs", "/clouds/.c1"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c1../jobs", "/clouds/c1.."));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/.../jobs", "/clouds/..."));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/%2e%2e%2e/jobs", "/clouds/..."));
}

TEST_F(CheckRequest, EmptySegmentsAreBadPathButATrailingSlashIsAllowed) {
  EXPECT_TRUE(BadPath(P(), "/api//c/c1/jobs"));
  EXPECT_TRUE(BadPath(P(), "//api/c/c1/jobs"));
  EXPECT_TRUE(BadPath(P(), "/api/c/c1/jobs//"));
  EXPECT_TRUE(BadPath(P(), "//"));
  EXPECT_TRUE(ReachesJobs(P(), "/api/c/c1/jobs/", "/clouds/c1"));
  Req r = Ask(P(), "user:alice", "GET", "/");
  EXPECT_EQ(r.decision, (Decision{false, Reason::kNoRoute})) << Show(r.decision);
}

TEST_F(CheckRequest, PathMustStartWithSlash) {
  for (const char* t : {"", "api/c/c1/jobs", "http://host/api/c/c1/jobs", "*", "?x=1", "#f", "%2F"}) {
    SCOPED_TRACE(t);
    EXPECT_TRUE(BadPath(P(), t));
  }
}

TEST_F(CheckRequest, DecodedPathMustBeValidUtf8) {
  for (const char* t : {"/api/c/%C0%AF/jobs", "/api/c/%FF/jobs", "/api/c/%C3/jobs", "/api/c/%E2%82/jobs",
                        "/api/c/%ED%A0%80/jobs", "/api/c/%F8%88%80%80%80/jobs", "/api/c/\xFF/jobs",
                        "/api/c/\xC0\xAF/jobs", "/api/c/\xC3/jobs"}) {
    SCOPED_TRACE(Printable(t));
    EXPECT_TRUE(BadPath(P(), t));
  }
}

TEST_F(CheckRequest, PathOver4096BytesBeforeDecodingIsBadPath) {
  std::string ok = "/long/" + std::string(4090, 'a');
  ASSERT_EQ(ok.size(), 4096u);
  Req r = Ask(P(), "user:alice", "GET", ok);
  EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
  EXPECT_EQ(r.route, "r-long");
  EXPECT_TRUE(BadPath(P(), ok + "a"));
  // Measured as received: 4098 bytes of escapes decode to 1370 bytes, still too long.
  std::string escaped = "/long/";
  for (int i = 0; i < 1364; ++i) escaped += "%61";
  ASSERT_EQ(escaped.size(), 4098u);
  EXPECT_TRUE(BadPath(P(), escaped));
  // Measured after stripping: a long query string does not count.
  std::string with_query = "/long/" + std::string(4000, 'a') + "?" + std::string(5000, 'q');
  r = Ask(P(), "user:alice", "GET", with_query);
  EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
  EXPECT_EQ(r.resource, "/long/" + std::string(4000, 'a'));
}

TEST_F(CheckRequest, CapturesMustBeNonEmptyAndHoldNoSlash) {
  Req r = Ask(P(), "user:alice", "GET", "/raw/abc");
  EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
  EXPECT_EQ(r.resource, "/raw/abc");
  EXPECT_TRUE(BadPath(P(), "/raw/a/b"));
  EXPECT_TRUE(BadPath(P(), "/raw/"));    // capture empty (the trailing '/' itself is allowed)
  EXPECT_TRUE(BadPath(P(), "/pre-"));    // capture empty
  r = Ask(P(), "user:alice", "GET", "/pre-x");
  EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
  EXPECT_EQ(r.resource, "/pre/x");
}

TEST_F(CheckRequest, EveryNamedCaptureCountsUsedInTheTemplateOrNot) {
  Req r = Ask(P(), "user:alice", "GET", "/unused/ab");
  EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
  EXPECT_EQ(r.route, "r-unused");
  EXPECT_EQ(r.resource, "/unused");
  EXPECT_TRUE(BadPath(P(), "/unused/a/b"));
  EXPECT_TRUE(BadPath(P(), "/unused/"));
}

TEST_F(CheckRequest, ANamedGroupThatDidNotTakePartCountsAsEmpty) {
  Req r = Ask(P(), "user:alice", "GET", "/opt/x");
  EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
  EXPECT_EQ(r.route, "r-opt");
  EXPECT_TRUE(BadPath(P(), "/opt"));
}

TEST_F(CheckRequest, TheWholePathMustMatchEvenWithAlternation) {
  // "/alt/a|/alt/b" must match exactly "/alt/a" or "/alt/b": anchoring only
  // the ends of the alternation ("^/alt/a|/alt/b$") would let prefixes through.
  EXPECT_REQUEST(policy_, "user:alice", "GET", "/alt/a", true, kGrant);
  EXPECT_REQUEST(policy_, "user:alice", "GET", "/alt/b", true, kGrant);
  EXPECT_REQUEST(policy_, "user:alice", "GET", "/alt/ab", false, kNoRoute);
  EXPECT_REQUEST(policy_, "user:alice", "GET", "/alt/a/x", false, kNoRoute);
  EXPECT_REQUEST(policy_, "user:alice", "GET", "/x/alt/b", false, kNoRoute);
  EXPECT_REQUEST(policy_, "user:alice", "GET", "/alt/bb", false, kNoRoute);
}

TEST_F(CheckRequest, QueryMethodStarIsNotAWildcard) {
  // A route's "*" matches any method; a request's method is compared exactly.
  EXPECT_REQUEST(policy_, "user:alice", "*", "/api/c/c1/jobs", false, kNoRoute);
  Req r = Ask(P(), "user:alice", "*", "/api/misc/m1");
  EXPECT_EQ(r.route, "r-misc");
}

TEST_F(CheckRequest, AFilledScopeThatIsNotAValidScopeIsDenied) {
  // A capture of ".." inside a segment fills a dot segment; a filled scope over
  // 4096 bytes is too long. Either way check() cannot allow it.
  for (const char* t : {"/dots/x..", "/dots/x."}) {
    SCOPED_TRACE(t);
    Req r = Ask(P(), "user:alice", "GET", t);
    EXPECT_FALSE(r.decision.allowed);
    EXPECT_TRUE(r.decision.reason == Reason::kInvalidInput || r.decision.reason == Reason::kBadPath)
        << Show(r.decision);
  }
  Req ok = Ask(P(), "user:alice", "GET", "/dots/x.y");
  EXPECT_EQ(ok.decision, (Decision{true, Reason::kGrant})) << Show(ok.decision);
  EXPECT_EQ(ok.resource, "/dots/.y");
  // "/grow/{g}/{g}" doubles the capture: 2 × 3000 bytes exceeds 4096.
  Req big = Ask(P(), "user:alice", "GET", "/grow/" + std::string(3000, 'g'));
  EXPECT_FALSE(big.decision.allowed);
  EXPECT_TRUE(big.decision.reason == Reason::kInvalidInput || big.decision.reason == Reason::kBadPath)
      << Show(big.decision);
  Req small = Ask(P(), "user:alice", "GET", "/grow/gg");
  EXPECT_EQ(small.decision, (Decision{true, Reason::kGrant})) << Show(small.decision);
  EXPECT_EQ(small.resource, "/grow/gg/gg");
}

TEST_F(CheckRequest, ScratchCanBeReused) {
  RequestScratch scratch;
  RequestExplanation a = P().CheckRequest("user:alice", "GET", "/api/c/first/jobs", &scratch);
  EXPECT_EQ(a.resource, "/clouds/first");
  RequestExplanation b = P().CheckRequest("user:alice", "GET", "/api/misc/m2", &scratch);
  EXPECT_EQ(b.resource, "/misc/m2");
  EXPECT_EQ(b.route, "r-misc");
  RequestExplanation c = P().CheckRequest("user:alice", "GET", "/api/c/%zz/jobs", &scratch);
  EXPECT_EQ(c.check.decision, (Decision{false, Reason::kBadPath}));
  EXPECT_EQ(c.resource, "");
  EXPECT_EQ(c.route, "");
}

// The example bundle's routes (§5 with the built-in bundle).
TEST(CheckRequestExample, RoutesOfTheBuiltInBundle) {
  auto p = Build(ExampleBundle());
  ASSERT_TRUE(p);
  const std::string prod =
      "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1/projects/prod";
  Req r = Ask(*p, "user:alice", "GET", "/api/clouds/c1/projects/prod/jobs");
  EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
  EXPECT_EQ(r.route, "r-jobs-list");
  EXPECT_EQ(r.action, "Anyscale.Platform/clouds/projects/jobs/read");
  EXPECT_EQ(r.resource, prod);
  EXPECT_EQ(r.rule, "a-contrib-alice");

  r = Ask(*p, "user:alice", "DELETE", "/api/clouds/c1/projects/prod/jobs/j9");
  EXPECT_EQ(r.decision, (Decision{false, Reason::kDenyAssignment})) << Show(r.decision);
  EXPECT_EQ(r.route, "r-job-delete");
  EXPECT_EQ(r.resource, prod + "/jobs/j9");
  EXPECT_EQ(r.rule, "d-no-delete-prod");

  r = Ask(*p, "user:ivan", "GET", "/api/clouds/c1/projects/prod/jobs/j9/logs");
  EXPECT_EQ(r.decision, (Decision{true, Reason::kGrant})) << Show(r.decision);
  EXPECT_EQ(r.route, "r-job-logs");
  EXPECT_EQ(r.action, "Anyscale.Platform/clouds/projects/jobs/logs/read");

  r = Ask(*p, "user:alice", "PUT", "/api/clouds/c1");
  EXPECT_EQ(r.decision, (Decision{false, Reason::kNoRoute})) << Show(r.decision);
}

}  // namespace
}  // namespace rolegate
