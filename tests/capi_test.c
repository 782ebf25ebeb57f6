/* tests/capi_test.c — the C ABI driven from C, against the shared library:
 * every entry point's happy path and every error path (NULL handles, bad
 * lengths, bad offsets, invalid UTF-8, oversized input, wrong struct sizes).
 * Prints "N passed, N failed" and exits non-zero on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate.h"

static int passed = 0, failed = 0;

#define EXPECT(cond)                                                     \
  do {                                                                   \
    if (cond) {                                                          \
      ++passed;                                                          \
    } else {                                                             \
      ++failed;                                                          \
      fprintf(stderr, "%s:%d: EXPECT failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                    \
  } while (0)

#define S(lit) lit, sizeof(lit) - 1

static const char kRes[] =
    "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1/projects/prod/jobs/j9";
static const char kWrite[] = "Anyscale.Platform/clouds/projects/jobs/write";

static const char kSmall[] =
    "{\"version\":1,\"actions\":[{\"name\":\"a/read\"},{\"name\":\"a/write\"}],"
    "\"roles\":[{\"id\":\"r\",\"actions\":[\"a/read\"]}],"
    "\"assignments\":[{\"id\":\"x1\",\"principal\":\"u\",\"role\":\"r\",\"scope\":\"/s\"}]}";

static void test_versions(void) {
  EXPECT(rolegate_version_number() == ROLEGATE_VERSION_NUMBER);
  EXPECT(strcmp(rolegate_version_string(), ROLEGATE_VERSION_STRING) == 0);  // the header and the library agree
  EXPECT(strcmp(rolegate_reason_name(ROLEGATE_REASON_GRANT), "grant") == 0);
  EXPECT(strcmp(rolegate_reason_name(ROLEGATE_REASON_NO_IDENTITY), "no_identity") == 0);
  EXPECT(rolegate_reason_name(-1) == NULL);
  EXPECT(rolegate_reason_name(ROLEGATE_REASON_COUNT) == NULL);
}

static rolegate_engine* example_engine(void) {
  size_t len = 0;
  const char* bundle = rolegate_example_bundle(&len);
  rolegate_engine* e = NULL;
  rolegate_error* err = NULL;
  EXPECT(len > 100);
  EXPECT(rolegate_engine_new(NULL, bundle, len, &e, &err) == ROLEGATE_OK);
  EXPECT(err == NULL);
  EXPECT(e != NULL);
  return e;
}

static void test_engine_check(void) {
  rolegate_engine* e = example_engine();
  rolegate_decision d;
  EXPECT(rolegate_engine_check(e, S("user:alice"), S(kWrite), S(kRes), &d) == ROLEGATE_OK);
  EXPECT(d.allowed == 1 && d.reason == ROLEGATE_REASON_GRANT);
  EXPECT(rolegate_engine_check(e, S("user:ivan"), S(kWrite), S(kRes), &d) == ROLEGATE_OK);
  EXPECT(d.allowed == 0 && d.reason == ROLEGATE_REASON_NO_GRANT);
  /* Strings need no NUL terminator: a longer buffer with an explicit length. */
  EXPECT(rolegate_engine_check(e, "user:alice-and-more", 10, S(kWrite), S(kRes), &d) == ROLEGATE_OK);
  EXPECT(d.allowed == 1);
  /* Bad arguments: status error and a deny. */
  d.allowed = 1;
  EXPECT(rolegate_engine_check(NULL, S("user:alice"), S(kWrite), S(kRes), &d) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(d.allowed == 0);
  d.allowed = 1;
  EXPECT(rolegate_engine_check(e, NULL, 5, S(kWrite), S(kRes), &d) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(d.allowed == 0 && d.reason == ROLEGATE_REASON_INVALID_INPUT);
  EXPECT(rolegate_engine_check(e, S("user:alice"), S(kWrite), S(kRes), NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  /* Empty principal, NULL with length 0: a valid call that denies. */
  EXPECT(rolegate_engine_check(e, NULL, 0, S(kWrite), S(kRes), &d) == ROLEGATE_OK);
  EXPECT(d.allowed == 0 && d.reason == ROLEGATE_REASON_INVALID_INPUT);
  /* Bytes that are not UTF-8: an unknown principal holds nothing, an
   * undeclared action is unknown (SPEC §3); a resource must be UTF-8. */
  EXPECT(rolegate_engine_check(e, S("user:\xff"), S(kWrite), S(kRes), &d) == ROLEGATE_OK);
  EXPECT(d.allowed == 0 && d.reason == ROLEGATE_REASON_NO_GRANT);
  EXPECT(rolegate_engine_check(e, S("user:alice"), S("Anyscale\xc3\x28"), S(kRes), &d) == ROLEGATE_OK);
  EXPECT(d.reason == ROLEGATE_REASON_UNKNOWN_ACTION);
  EXPECT(rolegate_engine_check(e, S("user:alice"), S(kWrite), S("/subscriptions/\xed\xa0\x80"), &d) == ROLEGATE_OK);
  EXPECT(d.reason == ROLEGATE_REASON_INVALID_INPUT);
  /* An embedded NUL in the resource. */
  EXPECT(rolegate_engine_check(e, S("user:alice"), S(kWrite), "/subscriptions/s1\0x", 19, &d) == ROLEGATE_OK);
  EXPECT(d.reason == ROLEGATE_REASON_INVALID_INPUT);
  /* Oversized resource. */
  {
    size_t n = 1 << 20;
    char* big = malloc(n);
    memset(big, 'a', n);
    big[0] = '/';
    EXPECT(rolegate_engine_check(e, S("user:alice"), S(kWrite), big, n, &d) == ROLEGATE_OK);
    EXPECT(d.allowed == 0 && d.reason == ROLEGATE_REASON_INVALID_INPUT);
    EXPECT(rolegate_engine_check(e, big, n, big, n, S(kRes), &d) == ROLEGATE_OK);
    EXPECT(d.allowed == 0 && d.reason == ROLEGATE_REASON_UNKNOWN_ACTION);
    free(big);
  }
  EXPECT(rolegate_engine_generation(e) == 1);
  EXPECT(rolegate_engine_generation(NULL) == 0);
  rolegate_engine_free(e);
  rolegate_engine_free(NULL);
}

static void test_bundle_errors(void) {
  rolegate_engine* e = (rolegate_engine*)0x1;
  rolegate_error* err = NULL;
  const char bad[] = "{\"version\":1,\"actions\":[{\"name\":\"a\"}],\"roles\":[{\"id\":\"r\",\"actions\":[\"b\"]}],"
                     "\"assignments\":[{\"id\":\"x\",\"principal\":\"u\",\"role\":\"nope\",\"scope\":\"/s//t\"}]}";
  EXPECT(rolegate_engine_new(NULL, S(bad), &e, &err) == ROLEGATE_E_BUNDLE);
  EXPECT(e == NULL);
  EXPECT(err != NULL);
  EXPECT(rolegate_error_code(err) == ROLEGATE_E_BUNDLE);
  EXPECT(strstr(rolegate_error_message(err), "/roles/0/actions/0") != NULL);
  EXPECT(strstr(rolegate_error_message(err), "/assignments/0/role") != NULL);
  EXPECT(strstr(rolegate_error_message(err), "/assignments/0/scope") != NULL);
  {
    size_t n = rolegate_error_diagnostic_count(err), errors = 0, i;
    for (i = 0; i < n; ++i) {
      if (rolegate_error_diagnostic_severity(err, i) == 0) ++errors;
      EXPECT(rolegate_error_diagnostic_pointer(err, i) != NULL);
      EXPECT(rolegate_error_diagnostic_message(err, i) != NULL);
      EXPECT(rolegate_error_diagnostic_line(err, i) >= 1);
    }
    EXPECT(errors == 3);
    EXPECT(rolegate_error_diagnostic_pointer(err, n) == NULL);
  }
  rolegate_error_free(err);
  rolegate_error_free(NULL);
  EXPECT(rolegate_error_code(NULL) == ROLEGATE_OK);

  /* Malformed JSON, not UTF-8, NULL with a length, no out pointer. */
  err = NULL;
  EXPECT(rolegate_engine_new(NULL, S("{\"version\":1,"), &e, &err) == ROLEGATE_E_BUNDLE);
  rolegate_error_free(err);
  EXPECT(rolegate_engine_new(NULL, S("{\"version\":1,\"actions\":[{\"name\":\"\xff\"}]}"), &e, NULL) == ROLEGATE_E_BUNDLE);
  EXPECT(rolegate_engine_new(NULL, NULL, 10, &e, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_new(NULL, S(kSmall), NULL, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_new(NULL, NULL, 0, &e, NULL) == ROLEGATE_E_BUNDLE);  /* empty text */

  /* Files. */
  err = NULL;
  EXPECT(rolegate_engine_new_from_file(NULL, S("/nonexistent/bundle.json"), &e, &err) == ROLEGATE_E_IO);
  EXPECT(err && strstr(rolegate_error_message(err), "/nonexistent/bundle.json") != NULL);
  rolegate_error_free(err);
  EXPECT(rolegate_engine_new_from_file(NULL, NULL, 0, &e, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  {
    const char path[] = ROLEGATE_SOURCE_DIR "/examples/anyscale.json";
    EXPECT(rolegate_engine_new_from_file(NULL, path, strlen(path), &e, NULL) == ROLEGATE_OK);
    EXPECT(rolegate_engine_publish_file(e, path, strlen(path), NULL) == ROLEGATE_OK);
    EXPECT(rolegate_engine_publish_file(e, S("/nonexistent"), NULL) == ROLEGATE_E_IO);
    rolegate_engine_free(e);
  }
}

static void test_options(void) {
  rolegate_options o = ROLEGATE_OPTIONS_INIT;
  rolegate_options o2;
  rolegate_engine* e = NULL;
  rolegate_error* err = NULL;
  rolegate_options_init(&o2);
  EXPECT(o2.struct_size == sizeof(rolegate_options));
  EXPECT(o.struct_size == sizeof(rolegate_options));
  /* A tiny string limit rejects the bundle. */
  o.max_string_bytes = 3;
  EXPECT(rolegate_engine_new(&o, S(kSmall), &e, &err) == ROLEGATE_E_BUNDLE);
  EXPECT(err && strstr(rolegate_error_message(err), "exceeds the limit") != NULL);
  rolegate_error_free(err);
  /* A bundle byte limit. */
  rolegate_options_init(&o);
  o.max_bundle_bytes = 10;
  EXPECT(rolegate_engine_new(&o, S(kSmall), &e, NULL) == ROLEGATE_E_BUNDLE);
  /* An older caller's shorter struct: only the fields it has are read. */
  rolegate_options_init(&o);
  o.struct_size = 8;
  o.max_bundle_bytes = 10; /* beyond struct_size: ignored */
  EXPECT(rolegate_engine_new(&o, S(kSmall), &e, NULL) == ROLEGATE_OK);
  rolegate_engine_free(e);
  /* A garbage struct_size is refused. */
  o.struct_size = 0;
  EXPECT(rolegate_engine_new(&o, S(kSmall), &e, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  /* The _init functions write the version-0 layout and nothing past it, so a
   * newer library cannot overrun an older caller's struct. */
  {
    struct {
      rolegate_options o;
      unsigned char guard[32];
    } g;
    struct {
      rolegate_workload w;
      unsigned char guard[32];
    } gw;
    size_t k;
    int intact = 1;
    memset(&g, 0xAB, sizeof g);
    memset(&gw, 0xAB, sizeof gw);
    rolegate_options_init(&g.o);
    rolegate_workload_init(&gw.w);
    for (k = 0; k < sizeof g.guard; ++k) intact &= g.guard[k] == 0xAB && gw.guard[k] == 0xAB;
    EXPECT(intact);
    EXPECT(g.o.struct_size == 48 && g.o.max_bundle_bytes == 0 && g.o.max_regex_program_bytes == 0);
    EXPECT(gw.w.struct_size == 88 && gw.w.node_group_identity == NULL && gw.w.workload_type == 0);
  }
}

static void test_publish(void) {
  rolegate_engine* e = example_engine();
  rolegate_error* err = NULL;
  rolegate_snapshot* old_snap = NULL;
  rolegate_decision d;
  EXPECT(rolegate_engine_acquire(e, &old_snap) == ROLEGATE_OK);
  /* A rejected bundle changes nothing. */
  EXPECT(rolegate_engine_publish(e, S("{\"version\":2}"), &err) == ROLEGATE_E_BUNDLE);
  EXPECT(err != NULL);
  rolegate_error_free(err);
  EXPECT(rolegate_engine_generation(e) == 1);
  EXPECT(rolegate_engine_check(e, S("user:alice"), S(kWrite), S(kRes), &d) == ROLEGATE_OK && d.allowed);
  /* A good one swaps in; the pinned snapshot still sees the old bundle. */
  EXPECT(rolegate_engine_publish(e, S(kSmall), NULL) == ROLEGATE_OK);
  EXPECT(rolegate_engine_generation(e) == 2);
  EXPECT(rolegate_engine_check(e, S("user:alice"), S(kWrite), S(kRes), &d) == ROLEGATE_OK);
  EXPECT(d.allowed == 0 && d.reason == ROLEGATE_REASON_UNKNOWN_ACTION);
  EXPECT(rolegate_engine_check(e, S("u"), S("a/read"), S("/s/t"), &d) == ROLEGATE_OK && d.allowed);
  EXPECT(rolegate_snapshot_check(old_snap, S("user:alice"), S(kWrite), S(kRes), &d) == ROLEGATE_OK && d.allowed);
  EXPECT(rolegate_engine_publish(NULL, S(kSmall), NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_publish(e, NULL, 3, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  /* The engine may go before its snapshots. */
  rolegate_engine_free(e);
  EXPECT(rolegate_snapshot_check(old_snap, S("user:alice"), S(kWrite), S(kRes), &d) == ROLEGATE_OK && d.allowed);
  rolegate_snapshot_release(old_snap);
  rolegate_snapshot_release(NULL);
}

static void test_snapshot_paths(void) {
  rolegate_engine* e = example_engine();
  rolegate_snapshot* s = NULL;
  rolegate_explanation x;
  rolegate_decision d;
  uint32_t pid = 0, aid = 0;
  EXPECT(rolegate_engine_acquire(NULL, &s) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_acquire(e, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_acquire(e, &s) == ROLEGATE_OK && s);

  EXPECT(rolegate_snapshot_explain(s, S("user:alice"), S(kWrite), S(kRes), &x) == ROLEGATE_OK);
  EXPECT(x.decision.allowed && x.kind == 1 && x.rule_len == strlen("a-contrib-alice") &&
         memcmp(x.rule, "a-contrib-alice", x.rule_len) == 0);
  EXPECT(rolegate_snapshot_explain(s, S("user:ivan"), S(kWrite), S(kRes), &x) == ROLEGATE_OK);
  EXPECT(!x.decision.allowed && x.kind == 0 && x.rule == NULL && x.rule_len == 0);
  EXPECT(rolegate_snapshot_explain(NULL, S("user:ivan"), S(kWrite), S(kRes), &x) == ROLEGATE_E_INVALID_ARGUMENT);

  /* Ids. */
  EXPECT(rolegate_snapshot_principal_id(s, S("user:alice"), &pid) == ROLEGATE_OK);
  EXPECT(pid != ROLEGATE_UNKNOWN_PRINCIPAL);
  EXPECT(rolegate_snapshot_action_id(s, S("anyscale.platform/clouds/projects/jobs/WRITE"), &aid) == ROLEGATE_OK);
  EXPECT(rolegate_snapshot_check_ids(s, pid, aid, S(kRes), &d) == ROLEGATE_OK && d.allowed);
  {
    uint32_t unk = 0, bad = 0;
    EXPECT(rolegate_snapshot_principal_id(s, S("user:nobody"), &unk) == ROLEGATE_OK);
    EXPECT(unk == ROLEGATE_UNKNOWN_PRINCIPAL);
    EXPECT(rolegate_snapshot_check_ids(s, unk, aid, S(kRes), &d) == ROLEGATE_OK);
    EXPECT(!d.allowed && d.reason == ROLEGATE_REASON_NO_GRANT);
    EXPECT(rolegate_snapshot_principal_id(s, NULL, 0, &unk) == ROLEGATE_E_INVALID_ARGUMENT);
    EXPECT(rolegate_snapshot_action_id(s, S("nope"), &bad) == ROLEGATE_E_NOT_FOUND);
    EXPECT(bad == ROLEGATE_UNKNOWN_ACTION);
    EXPECT(rolegate_snapshot_check_ids(s, pid, bad, S(kRes), &d) == ROLEGATE_OK);
    EXPECT(d.reason == ROLEGATE_REASON_UNKNOWN_ACTION);
    /* Out-of-range ids from a caller bug: deny, invalid_input. */
    EXPECT(rolegate_snapshot_check_ids(s, 123456789u, aid, S(kRes), &d) == ROLEGATE_OK);
    EXPECT(!d.allowed && d.reason == ROLEGATE_REASON_INVALID_INPUT);
    EXPECT(rolegate_snapshot_check_ids(s, pid, 987654321u, S(kRes), &d) == ROLEGATE_OK);
    EXPECT(!d.allowed && d.reason == ROLEGATE_REASON_INVALID_INPUT);
  }

  /* Batch by strings. */
  {
    const char buf[] = "user:alice" "Anyscale.Platform/clouds/projects/jobs/write"
                       "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1/projects/prod"
                       "user:ivan" "Anyscale.Platform/clouds/projects/jobs/write"
                       "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1/projects/prod";
    uint64_t off[7];
    rolegate_decision out[2];
    size_t a = strlen("user:alice"), w = strlen(kWrite),
           r = strlen("/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1/projects/prod"),
           i = strlen("user:ivan");
    off[0] = 0; off[1] = a; off[2] = a + w; off[3] = a + w + r;
    off[4] = off[3] + i; off[5] = off[4] + w; off[6] = off[5] + r;
    EXPECT(off[6] == sizeof(buf) - 1);
    EXPECT(rolegate_snapshot_check_batch(s, buf, sizeof(buf) - 1, off, 2, out) == ROLEGATE_OK);
    EXPECT(out[0].allowed == 1 && out[1].allowed == 0 && out[1].reason == ROLEGATE_REASON_NO_GRANT);
    /* Offsets past the buffer or decreasing: refused, all deny. */
    off[6] = sizeof(buf) + 5;
    out[0].allowed = 1;
    EXPECT(rolegate_snapshot_check_batch(s, buf, sizeof(buf) - 1, off, 2, out) == ROLEGATE_E_INVALID_ARGUMENT);
    EXPECT(out[0].allowed == 0 && out[1].allowed == 0);
    off[6] = sizeof(buf) - 1;
    off[2] = 1;
    EXPECT(rolegate_snapshot_check_batch(s, buf, sizeof(buf) - 1, off, 2, out) == ROLEGATE_E_INVALID_ARGUMENT);
    EXPECT(rolegate_snapshot_check_batch(s, buf, sizeof(buf) - 1, NULL, 2, out) == ROLEGATE_E_INVALID_ARGUMENT);
    EXPECT(rolegate_snapshot_check_batch(s, buf, sizeof(buf) - 1, off, 2, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
    EXPECT(rolegate_snapshot_check_batch(s, NULL, 0, NULL, 0, NULL) == ROLEGATE_OK);
    /* n so large that 3n+1 overflows. */
    EXPECT(rolegate_snapshot_check_batch(s, buf, sizeof(buf) - 1, off, SIZE_MAX / 2, out) ==
           ROLEGATE_E_INVALID_ARGUMENT);
  }
  /* Batch by ids. */
  {
    uint32_t pids[2], aids[2];
    uint64_t off[3] = {0, sizeof(kRes) - 1, 2 * (sizeof(kRes) - 1)};
    char buf[2 * sizeof(kRes)];
    rolegate_decision out[2];
    memcpy(buf, kRes, sizeof(kRes) - 1);
    memcpy(buf + sizeof(kRes) - 1, kRes, sizeof(kRes) - 1);
    pids[0] = pid;
    rolegate_snapshot_principal_id(s, S("user:ivan"), &pids[1]);
    aids[0] = aids[1] = aid;
    EXPECT(rolegate_snapshot_check_ids_batch(s, pids, aids, buf, off[2], off, 2, out) == ROLEGATE_OK);
    EXPECT(out[0].allowed == 1 && out[1].allowed == 0);
    EXPECT(rolegate_snapshot_check_ids_batch(s, NULL, aids, buf, off[2], off, 2, out) == ROLEGATE_E_INVALID_ARGUMENT);
    EXPECT(out[0].allowed == 0);
  }

  /* Workload identity. */
  {
    rolegate_workload w = ROLEGATE_WORKLOAD_INIT;
    rolegate_resolution r;
    rolegate_explanation cx;
    w.workload_type = ROLEGATE_WORKLOAD_JOB;
    w.cloud = "c1"; w.cloud_len = 2;
    w.project = "prod"; w.project_len = 4;
    w.user = "user:alice"; w.user_len = 10;
    EXPECT(rolegate_snapshot_resolve(s, &w, &r) == ROLEGATE_OK);
    EXPECT(r.error == ROLEGATE_IDENTITY_OK && r.source_len == strlen("m-prod-jobs") &&
           memcmp(r.source, "m-prod-jobs", r.source_len) == 0);
    EXPECT(rolegate_snapshot_check_workload(
               s, &w, S("secretsmanager:GetSecretValue"),
               S("arn:aws:secretsmanager:us-west-2:123456789012:secret:gh-token-AbCdEf"), &r, &cx) == ROLEGATE_OK);
    EXPECT(cx.decision.allowed && cx.decision.reason == ROLEGATE_REASON_STATEMENT);
    w.node_group_identity = "ng"; w.node_group_identity_len = 2;
    EXPECT(rolegate_snapshot_resolve(s, &w, &r) == ROLEGATE_OK);
    EXPECT(r.identity_len == 2 && memcmp(r.identity, "ng", 2) == 0 && memcmp(r.source, "node_group", 10) == 0);
    w.cloud = "c9";
    EXPECT(rolegate_snapshot_check_workload(s, &w, S(kWrite), S(kRes), &r, &cx) == ROLEGATE_OK);
    EXPECT(r.error == ROLEGATE_IDENTITY_UNKNOWN_CLOUD && !cx.decision.allowed &&
           cx.decision.reason == ROLEGATE_REASON_UNKNOWN_CLOUD);
    w.workload_type = 7;
    EXPECT(rolegate_snapshot_resolve(s, &w, &r) == ROLEGATE_E_INVALID_ARGUMENT);
    w.workload_type = 0;
    w.struct_size = 4;
    EXPECT(rolegate_snapshot_resolve(s, &w, &r) == ROLEGATE_E_INVALID_ARGUMENT);
    EXPECT(rolegate_snapshot_resolve(s, NULL, &r) == ROLEGATE_E_INVALID_ARGUMENT);
  }

  /* Gateway requests. */
  {
    rolegate_request_result rr;
    char res[4096];
    EXPECT(rolegate_snapshot_check_request(s, S("user:alice"), S("POST"), S("/api/clouds/c1/projects/prod/jobs"),
                                           res, sizeof(res), &rr) == ROLEGATE_OK);
    EXPECT(rr.check.decision.allowed && rr.route_len == strlen("r-jobs-submit") && rr.resource_len > 0 &&
           memcmp(res, "/subscriptions/s1/", 18) == 0);
    EXPECT(rolegate_snapshot_check_request(s, S("user:alice"), S("POST"), S("/api/clouds/c1/projects/%2e%2e/jobs"),
                                           res, sizeof(res), &rr) == ROLEGATE_OK);
    EXPECT(!rr.check.decision.allowed && rr.check.decision.reason == ROLEGATE_REASON_BAD_PATH);
    /* A resource buffer too small: error, and the answer stays deny. */
    EXPECT(rolegate_snapshot_check_request(s, S("user:alice"), S("POST"), S("/api/clouds/c1/projects/prod/jobs"),
                                           res, 10, &rr) == ROLEGATE_E_INVALID_ARGUMENT);
    EXPECT(!rr.check.decision.allowed);
    EXPECT(rolegate_snapshot_check_request(s, S("user:alice"), S("POST"), S("/x"), NULL, 5, &rr) ==
           ROLEGATE_E_INVALID_ARGUMENT);
  }
  rolegate_snapshot_release(s);
  rolegate_engine_free(e);
}

/* ---- rolegate_query: context and asserted groups ------------------------- */

static const char kCond[] =
    "{\"version\":1,\"actions\":[{\"name\":\"a/read\"}],"
    "\"roles\":[{\"id\":\"r\",\"actions\":[\"a/read\"]}],"
    "\"assignments\":[{\"id\":\"g1\",\"principal\":\"group:eng\",\"role\":\"r\",\"scope\":\"/g\"}],"
    "\"statements\":[{\"id\":\"s1\",\"principal\":\"u\",\"effect\":\"Allow\",\"actions\":[\"a/read\"],"
    "\"resources\":[\"/s/*\"],\"condition\":{\"StringEquals\":{\"aws:RequestedRegion\":\"us-west-2\"},"
    "\"NumericLessThanEquals\":{\"n\":10},\"Bool\":{\"b\":true},"
    "\"ForAnyValue:StringEquals\":{\"tags\":[\"t1\"]}}},"
    "{\"id\":\"s2\",\"principal\":\"arn:w\",\"effect\":\"Allow\",\"actions\":[\"a/read\"],"
    "\"resources\":[\"/s/*\"],\"condition\":{\"StringEquals\":{\"k\":\"v\"}}}],"
    "\"clouds\":[{\"id\":\"c\",\"default_identity\":\"arn:w\"}],"
    "\"routes\":[{\"id\":\"rt\",\"method\":\"GET\",\"path\":\"/r/(?P<x>[^/]+)\",\"action\":\"a/read\","
    "\"scope\":\"/s/{x}\"}]}";

static rolegate_string kTags[] = {{"t0", 2}, {"t1", 2}};

/* The context under which s1 holds: four entries, one of each type. */
static void good_context(rolegate_context_entry* c) {
  memset(c, 0, 4 * sizeof(*c));
  c[0].key = "AWS:RequestedRegion"; /* keys ignore case */
  c[0].key_len = strlen(c[0].key);
  c[0].type = ROLEGATE_VALUE_STRING;
  c[0].str = "us-west-2";
  c[0].str_len = 9;
  c[1].key = "n";
  c[1].key_len = 1;
  c[1].type = ROLEGATE_VALUE_NUMBER;
  c[1].number = 3.5;
  c[2].key = "b";
  c[2].key_len = 1;
  c[2].type = ROLEGATE_VALUE_BOOL;
  c[2].boolean = 1;
  c[3].key = "tags";
  c[3].key_len = 4;
  c[3].type = ROLEGATE_VALUE_STRING_LIST;
  c[3].list = kTags;
  c[3].list_len = 2;
}

static rolegate_query make_query(const char* principal, const char* resource) {
  rolegate_query q = ROLEGATE_QUERY_INIT;
  q.principal = principal;
  q.principal_len = strlen(principal);
  q.action = "a/read";
  q.action_len = 6;
  q.resource = resource;
  q.resource_len = strlen(resource);
  return q;
}

static int decides(const rolegate_snapshot* s, const rolegate_query* q, int allowed, int reason) {
  rolegate_decision d = {1, 0};
  return rolegate_snapshot_check_query(s, q, &d) == ROLEGATE_OK && d.allowed == allowed && d.reason == reason;
}

static void test_query_init(void) {
  rolegate_query q;
  memset(&q, 0xAB, sizeof(q));
  rolegate_query_init(&q);
  EXPECT(q.struct_size == sizeof(rolegate_query) && q.principal == NULL && q.context_len == 0 && q.groups == NULL);
  rolegate_query_init(NULL); /* no-op */
  rolegate_query i = ROLEGATE_QUERY_INIT;
  EXPECT(i.struct_size == sizeof(rolegate_query) && i.reserved0 == 0);
}

static void test_query_conditions(void) {
  rolegate_engine* e = NULL;
  EXPECT(rolegate_engine_new(NULL, S(kCond), &e, NULL) == ROLEGATE_OK);
  rolegate_snapshot* s = NULL;
  EXPECT(rolegate_engine_acquire(e, &s) == ROLEGATE_OK);
  rolegate_context_entry c[4];
  good_context(c);
  rolegate_query q = make_query("u", "/s/1");
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_CONDITION_NOT_MET)); /* no context */
  EXPECT(strcmp(rolegate_reason_name(ROLEGATE_REASON_CONDITION_NOT_MET), "condition_not_met") == 0);
  q.context = c;
  q.context_len = 4;
  EXPECT(decides(s, &q, 1, ROLEGATE_REASON_STATEMENT));
  /* Fields of other types are not read: garbage in them changes nothing. */
  c[1].str = (const char*)1;
  c[1].str_len = 99;
  c[0].number = -1;
  EXPECT(decides(s, &q, 1, ROLEGATE_REASON_STATEMENT));
  c[1].number = 11; /* NumericLessThanEquals 10 fails */
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_CONDITION_NOT_MET));
  good_context(c);
  c[2].boolean = 0;
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_CONDITION_NOT_MET));
  good_context(c);
  q.context_len = 3; /* without the tags */
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_CONDITION_NOT_MET));
  q.context_len = 4;
  /* The engine path and explain agree. */
  rolegate_decision d = {1, 0};
  EXPECT(rolegate_engine_check_query(e, &q, &d) == ROLEGATE_OK && d.allowed == 1);
  rolegate_explanation x;
  EXPECT(rolegate_snapshot_explain_query(s, &q, &x) == ROLEGATE_OK && x.decision.allowed && x.rule_len == 2 &&
         memcmp(x.rule, "s1", 2) == 0 && x.kind == 3);
  char rule[16];
  memset(&x, 0, sizeof(x));
  EXPECT(rolegate_engine_explain_query(e, &q, rule, sizeof(rule), &x) == ROLEGATE_OK && x.decision.allowed &&
         x.rule == rule && x.rule_len == 2 && memcmp(rule, "s1", 2) == 0);
  EXPECT(rolegate_engine_explain_query(e, &q, rule, 1, &x) == ROLEGATE_E_INVALID_ARGUMENT && !x.decision.allowed);
  EXPECT(rolegate_engine_explain_query(e, &q, NULL, 4, &x) == ROLEGATE_E_INVALID_ARGUMENT && !x.decision.allowed);
  q.context_len = 0;
  EXPECT(rolegate_engine_explain_query(e, &q, NULL, 0, &x) == ROLEGATE_OK && !x.decision.allowed &&
         x.decision.reason == ROLEGATE_REASON_CONDITION_NOT_MET && x.rule_len == 0);
  /* Two keys equal ignoring case: invalid_input. */
  q.context_len = 4;
  c[1].key = "AWS:REQUESTEDREGION";
  c[1].key_len = strlen(c[1].key);
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_INVALID_INPUT));
  rolegate_snapshot_release(s);
  rolegate_engine_free(e);
}

static void test_query_bad_input(void) {
  rolegate_engine* e = NULL;
  EXPECT(rolegate_engine_new(NULL, S(kCond), &e, NULL) == ROLEGATE_OK);
  rolegate_snapshot* s = NULL;
  EXPECT(rolegate_engine_acquire(e, &s) == ROLEGATE_OK);
  rolegate_context_entry c[4];
  good_context(c);
  rolegate_query q = make_query("u", "/s/1");
  q.context = c;
  q.context_len = 4;
  rolegate_decision d = {1, 0};
  rolegate_explanation x;
  /* NULL handles and outputs. */
  EXPECT(rolegate_engine_check_query(NULL, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT && !d.allowed);
  EXPECT(rolegate_snapshot_check_query(NULL, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_snapshot_check_query(s, NULL, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_snapshot_check_query(s, &q, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_snapshot_explain_query(NULL, &q, &x) == ROLEGATE_E_INVALID_ARGUMENT && !x.decision.allowed);
  EXPECT(rolegate_engine_explain_query(NULL, &q, NULL, 0, &x) == ROLEGATE_E_INVALID_ARGUMENT);
  /* struct_size too small, absurd, or reserved field set. */
  q.struct_size = sizeof(rolegate_query) - 1;
  d.allowed = 1;
  EXPECT(rolegate_snapshot_check_query(s, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT && !d.allowed);
  q.struct_size = 0;
  EXPECT(rolegate_engine_check_query(e, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  q.struct_size = 1u << 20;
  EXPECT(rolegate_snapshot_check_query(s, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  q.struct_size = sizeof(rolegate_query);
  q.reserved0 = 1;
  EXPECT(rolegate_snapshot_check_query(s, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  q.reserved0 = 0;
  EXPECT(decides(s, &q, 1, ROLEGATE_REASON_STATEMENT));
  /* NULL with a non-zero length, anywhere: an error and a deny. */
  q.context = NULL;
  EXPECT(rolegate_snapshot_check_query(s, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT && !d.allowed);
  q.context = c;
  c[0].key = NULL;
  EXPECT(rolegate_snapshot_check_query(s, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  good_context(c);
  c[0].str = NULL;
  EXPECT(rolegate_snapshot_check_query(s, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  good_context(c);
  c[3].list = NULL;
  EXPECT(rolegate_snapshot_check_query(s, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  good_context(c);
  rolegate_string bad_list[] = {{"a", 1}, {NULL, 3}};
  c[3].list = bad_list;
  EXPECT(rolegate_snapshot_check_query(s, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  good_context(c);
  q.principal = NULL;
  EXPECT(rolegate_snapshot_check_query(s, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  q.principal = "u";
  q.groups = NULL;
  q.groups_len = 1;
  EXPECT(rolegate_snapshot_check_query(s, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  rolegate_string bad_groups[] = {{NULL, 2}};
  q.groups = bad_groups;
  EXPECT(rolegate_snapshot_check_query(s, &q, &d) == ROLEGATE_E_INVALID_ARGUMENT);
  q.groups = NULL;
  q.groups_len = 0;
  /* A bad type: the query is invalid (status OK, deny invalid_input). */
  c[1].type = 4;
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_INVALID_INPUT));
  c[1].type = 0xFFFFFFFFu;
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_INVALID_INPUT));
  good_context(c);
  /* Over the limits: invalid_input, nothing truncated. */
  static rolegate_context_entry many[ROLEGATE_MAX_CONTEXT_KEYS + 1];
  static char keys[ROLEGATE_MAX_CONTEXT_KEYS + 1][8];
  for (int i = 0; i <= ROLEGATE_MAX_CONTEXT_KEYS; i++) {
    snprintf(keys[i], sizeof(keys[i]), "k%d", i);
    memset(&many[i], 0, sizeof(many[i]));
    many[i].key = keys[i];
    many[i].key_len = strlen(keys[i]);
    many[i].type = ROLEGATE_VALUE_BOOL;
  }
  q.context = many;
  q.context_len = ROLEGATE_MAX_CONTEXT_KEYS;
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_CONDITION_NOT_MET));
  q.context_len = ROLEGATE_MAX_CONTEXT_KEYS + 1;
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_INVALID_INPUT));
  static rolegate_string values[ROLEGATE_MAX_CONTEXT_VALUES + 1];
  for (int i = 0; i <= ROLEGATE_MAX_CONTEXT_VALUES; i++) values[i].data = "t1", values[i].len = 2;
  good_context(c);
  c[3].list = values;
  c[3].list_len = ROLEGATE_MAX_CONTEXT_VALUES;
  q.context = c;
  q.context_len = 4;
  EXPECT(decides(s, &q, 1, ROLEGATE_REASON_STATEMENT));
  c[3].list_len = ROLEGATE_MAX_CONTEXT_VALUES + 1;
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_INVALID_INPUT));
  static char big[ROLEGATE_MAX_CONTEXT_STRING_BYTES + 1];
  memset(big, 'x', sizeof(big));
  good_context(c);
  c[0].str = big;
  c[0].str_len = sizeof(big);
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_INVALID_INPUT));
  rolegate_snapshot_release(s);
  rolegate_engine_free(e);
}

static void test_query_groups(void) {
  rolegate_engine* e = NULL;
  EXPECT(rolegate_engine_new(NULL, S(kCond), &e, NULL) == ROLEGATE_OK);
  rolegate_snapshot* s = NULL;
  EXPECT(rolegate_engine_acquire(e, &s) == ROLEGATE_OK);
  rolegate_query q = make_query("v", "/g/1");
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_NO_GRANT));
  rolegate_string g[] = {{"group:other", 11}, {"group:eng", 9}};
  q.groups = g;
  q.groups_len = 2;
  EXPECT(decides(s, &q, 1, ROLEGATE_REASON_GRANT));
  rolegate_decision d;
  EXPECT(rolegate_engine_check_query(e, &q, &d) == ROLEGATE_OK && d.allowed && d.reason == ROLEGATE_REASON_GRANT);
  rolegate_string empty[] = {{"group:eng", 9}, {NULL, 0}};
  q.groups = empty;
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_INVALID_INPUT));
  static rolegate_string many[ROLEGATE_MAX_ASSERTED_GROUPS + 1];
  for (int i = 0; i <= ROLEGATE_MAX_ASSERTED_GROUPS; i++) many[i].data = "group:eng", many[i].len = 9;
  q.groups = many;
  q.groups_len = ROLEGATE_MAX_ASSERTED_GROUPS + 1;
  EXPECT(decides(s, &q, 0, ROLEGATE_REASON_INVALID_INPUT));
  rolegate_snapshot_release(s);
  rolegate_engine_free(e);
}

static void test_query_workload_and_request(void) {
  rolegate_engine* e = NULL;
  EXPECT(rolegate_engine_new(NULL, S(kCond), &e, NULL) == ROLEGATE_OK);
  rolegate_snapshot* s = NULL;
  EXPECT(rolegate_engine_acquire(e, &s) == ROLEGATE_OK);
  rolegate_context_entry kv;
  memset(&kv, 0, sizeof(kv));
  kv.key = "K";
  kv.key_len = 1;
  kv.type = ROLEGATE_VALUE_STRING;
  kv.str = "v";
  kv.str_len = 1;
  rolegate_workload w = ROLEGATE_WORKLOAD_INIT;
  w.cloud = "c", w.cloud_len = 1, w.project = "p", w.project_len = 1, w.user = "u", w.user_len = 1;
  rolegate_query q = make_query("", "/s/1");
  q.principal = NULL;
  q.principal_len = 0;
  rolegate_resolution res;
  rolegate_explanation x;
  EXPECT(rolegate_snapshot_check_workload_query(s, &w, &q, &res, &x) == ROLEGATE_OK && !x.decision.allowed &&
         x.decision.reason == ROLEGATE_REASON_CONDITION_NOT_MET && res.identity_len == 5);
  q.context = &kv;
  q.context_len = 1;
  EXPECT(rolegate_snapshot_check_workload_query(s, &w, &q, &res, &x) == ROLEGATE_OK && x.decision.allowed &&
         x.rule_len == 2 && memcmp(x.rule, "s2", 2) == 0);
  kv.type = 9; /* invalid before resolving */
  EXPECT(rolegate_snapshot_check_workload_query(s, &w, &q, &res, &x) == ROLEGATE_OK && !x.decision.allowed &&
         x.decision.reason == ROLEGATE_REASON_INVALID_INPUT && res.identity_len == 0);
  kv.type = ROLEGATE_VALUE_STRING;
  q.principal = "u", q.principal_len = 1; /* the principal is the resolved identity */
  EXPECT(rolegate_snapshot_check_workload_query(s, &w, &q, &res, &x) == ROLEGATE_E_INVALID_ARGUMENT &&
         !x.decision.allowed);
  EXPECT(rolegate_snapshot_check_workload_query(s, NULL, &q, &res, &x) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_snapshot_check_workload_query(s, &w, NULL, &res, &x) == ROLEGATE_E_INVALID_ARGUMENT);

  /* check_request: q's principal, groups and context; action/resource empty. */
  rolegate_context_entry c[4];
  good_context(c);
  rolegate_query rq = ROLEGATE_QUERY_INIT;
  rq.principal = "u", rq.principal_len = 1;
  rolegate_request_result rr;
  char buf[64];
  EXPECT(rolegate_snapshot_check_request_query(s, &rq, S("GET"), S("/r/1"), buf, sizeof(buf), &rr) == ROLEGATE_OK &&
         !rr.check.decision.allowed && rr.check.decision.reason == ROLEGATE_REASON_CONDITION_NOT_MET &&
         rr.route_len == 2 && rr.resource_len == 4);
  rq.context = c;
  rq.context_len = 4;
  EXPECT(rolegate_snapshot_check_request_query(s, &rq, S("GET"), S("/r/1"), buf, sizeof(buf), &rr) == ROLEGATE_OK &&
         rr.check.decision.allowed && rr.resource_len == 4 && memcmp(buf, "/s/1", 4) == 0);
  EXPECT(rolegate_snapshot_check_request_query(s, &rq, S("GET"), S("/r/1"), buf, 2, &rr) ==
             ROLEGATE_E_INVALID_ARGUMENT && !rr.check.decision.allowed);
  rq.action = "a/read", rq.action_len = 6;
  EXPECT(rolegate_snapshot_check_request_query(s, &rq, S("GET"), S("/r/1"), buf, sizeof(buf), &rr) ==
             ROLEGATE_E_INVALID_ARGUMENT && !rr.check.decision.allowed);
  rq.action = NULL, rq.action_len = 0;
  c[0].type = 7;
  EXPECT(rolegate_snapshot_check_request_query(s, &rq, S("GET"), S("/r/1"), buf, sizeof(buf), &rr) == ROLEGATE_OK &&
         !rr.check.decision.allowed && rr.check.decision.reason == ROLEGATE_REASON_INVALID_INPUT && rr.route_len == 0);
  EXPECT(rolegate_snapshot_check_request_query(NULL, &rq, S("GET"), S("/r/1"), buf, sizeof(buf), &rr) ==
         ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_snapshot_check_request_query(s, &rq, NULL, 3, S("/r/1"), buf, sizeof(buf), &rr) ==
         ROLEGATE_E_INVALID_ARGUMENT);
  /* The old entry points are unchanged: no context is an empty one. */
  rolegate_decision d;
  EXPECT(rolegate_snapshot_check(s, S("u"), S("a/read"), S("/s/1"), &d) == ROLEGATE_OK && !d.allowed &&
         d.reason == ROLEGATE_REASON_CONDITION_NOT_MET);
  EXPECT(rolegate_engine_check(e, S("v"), S("a/read"), S("/g/1"), &d) == ROLEGATE_OK && !d.allowed &&
         d.reason == ROLEGATE_REASON_NO_GRANT);
  rolegate_snapshot_release(s);
  rolegate_engine_free(e);
}

int main(void) {
  test_versions();
  test_engine_check();
  test_bundle_errors();
  test_options();
  test_publish();
  test_snapshot_paths();
  test_query_init();
  test_query_conditions();
  test_query_bad_input();
  test_query_groups();
  test_query_workload_and_request();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
