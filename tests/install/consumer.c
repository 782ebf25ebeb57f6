/* A C program built against an INSTALLED rolegate (scripts/check-install):
 * it includes <rolegate.h> from the install prefix, links librolegate (shared
 * or static), compiles the built-in example bundle and checks one allow and
 * one deny. Exits 0 only if every answer is the expected one. */
#include <rolegate.h>
#include <stdio.h>
#include <string.h>

static const char kJobs[] =
    "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1/projects/prod/jobs/j9";
static const char kWrite[] = "Anyscale.Platform/clouds/projects/jobs/write";

/* 0 if `principal` writing the example job gets `allowed` with `reason`. */
static int expect(const rolegate_engine* engine, const char* principal, int allowed, int reason) {
  rolegate_decision d = {1, 0}; /* a wrong initial value the call must overwrite */
  int32_t rc = rolegate_engine_check(engine, principal, strlen(principal), kWrite, strlen(kWrite),
                                     kJobs, strlen(kJobs), &d);
  if (rc != ROLEGATE_OK || d.allowed != allowed || d.reason != reason) {
    fprintf(stderr, "consumer.c: %s: rc %d allowed %d reason %d, want allowed %d reason %d\n",
            principal, (int)rc, (int)d.allowed, (int)d.reason, allowed, reason);
    return 1;
  }
  return 0;
}

int main(void) {
  if (rolegate_version_number() != ROLEGATE_VERSION_NUMBER ||
      strcmp(rolegate_version_string(), ROLEGATE_VERSION_STRING) != 0) {
    fprintf(stderr, "consumer.c: library %s does not match header %s\n", rolegate_version_string(),
            ROLEGATE_VERSION_STRING);
    return 1;
  }
  size_t len = 0;
  const char* bundle = rolegate_example_bundle(&len);
  rolegate_engine* engine = NULL;
  rolegate_error* err = NULL;
  if (rolegate_engine_new(NULL, bundle, len, &engine, &err) != ROLEGATE_OK) {
    fprintf(stderr, "consumer.c: example bundle: %s\n", err ? rolegate_error_message(err) : "?");
    rolegate_error_free(err);
    return 1;
  }
  int bad = expect(engine, "user:alice", 1, ROLEGATE_REASON_GRANT) +
            expect(engine, "user:ivan", 0, ROLEGATE_REASON_NO_GRANT);
  rolegate_engine_free(engine);
  if (bad == 0) printf("consumer.c: ok (rolegate %s, C ABI)\n", rolegate_version_string());
  return bad == 0 ? 0 : 1;
}
