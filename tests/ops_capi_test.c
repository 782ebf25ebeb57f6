/* tests/ops_capi_test.c — the operations C ABI (SPEC §15) driven from C,
 * against the shared library: happy paths (counters, rule counts read once,
 * the log through an older/newer record size, the shadow) and every error
 * path: NULL handles, bad struct sizes, a record buffer too small, reserved
 * fields, a bad shadow bundle. Use after free is not testable without a
 * handle registry; _free(NULL) is. Exits non-zero on any failure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate.h"

static int passed = 0, failed = 0;

#define EXPECT(cond)                                                              \
  do {                                                                            \
    if (cond) {                                                                   \
      ++passed;                                                                   \
    } else {                                                                      \
      ++failed;                                                                   \
      fprintf(stderr, "%s:%d: EXPECT failed: %s\n", __FILE__, __LINE__, #cond);  \
    }                                                                             \
  } while (0)

#define S(lit) lit, sizeof(lit) - 1

static const char kLive[] =
    "{\"version\":1,\"actions\":[{\"name\":\"a/read\"}],"
    "\"roles\":[{\"id\":\"r\",\"actions\":[\"a/read\"]}],"
    "\"assignments\":[{\"id\":\"x1\",\"principal\":\"u\",\"role\":\"r\",\"scope\":\"/s\"}]}";
static const char kShadow[] =
    "{\"version\":1,\"actions\":[{\"name\":\"a/read\"}],"
    "\"roles\":[{\"id\":\"r\",\"actions\":[\"a/read\"]}],"
    "\"assignments\":[{\"id\":\"y1\",\"principal\":\"u\",\"role\":\"r\",\"scope\":\"/t\"}]}";

static rolegate_engine* make_engine(void) {
  rolegate_engine* e = NULL;
  EXPECT(rolegate_engine_new(NULL, S(kLive), &e, NULL) == ROLEGATE_OK);
  return e;
}

static void test_null_and_sizes(void) {
  rolegate_ops_options o = ROLEGATE_OPS_OPTIONS_INIT;
  rolegate_ops_stats st;
  rolegate_decision_record rec[2];
  size_t n = 99;
  rolegate_error* err = NULL;
  rolegate_engine* e = make_engine();

  EXPECT(rolegate_engine_set_ops(NULL, &o, &err) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(err != NULL && rolegate_error_code(err) == ROLEGATE_E_INVALID_ARGUMENT);
  rolegate_error_free(err);
  o.struct_size = 8; /* older than version 0 */
  EXPECT(rolegate_engine_set_ops(e, &o, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  o.struct_size = 5000;
  EXPECT(rolegate_engine_set_ops(e, &o, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  rolegate_ops_options_init(&o);
  o.reserved0 = 1;
  EXPECT(rolegate_engine_set_ops(e, &o, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  rolegate_ops_options_init(&o);
  o.log_sample_rate = NAN;
  EXPECT(rolegate_engine_set_ops(e, &o, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_set_ops(e, NULL, NULL) == ROLEGATE_OK); /* all off */

  st.struct_size = sizeof st;
  EXPECT(rolegate_engine_stats(NULL, &st, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_stats(e, NULL, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  st.struct_size = 16;
  EXPECT(rolegate_engine_stats(e, &st, NULL) == ROLEGATE_E_INVALID_ARGUMENT);

  EXPECT(rolegate_engine_drain_decisions(NULL, rec, sizeof rec[0], 2, &n) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(n == 0);
  EXPECT(rolegate_engine_drain_decisions(e, rec, sizeof rec[0], 2, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_drain_decisions(e, NULL, sizeof rec[0], 2, &n) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_drain_decisions(e, rec, sizeof rec[0] - 1, 2, &n) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_drain_decisions(e, rec, sizeof rec[0], (size_t)-1, &n) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_drain_decisions(e, NULL, sizeof rec[0], 0, &n) == ROLEGATE_OK && n == 0);

  EXPECT(rolegate_engine_publish_shadow(NULL, S(kShadow), NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_publish_shadow(e, NULL, 5, NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  err = NULL;
  EXPECT(rolegate_engine_publish_shadow(e, S("{\"version\":1,"), &err) == ROLEGATE_E_BUNDLE);
  EXPECT(err != NULL && rolegate_error_diagnostic_count(err) > 0);
  rolegate_error_free(err);
  EXPECT(rolegate_engine_clear_shadow(NULL) == ROLEGATE_E_INVALID_ARGUMENT);
  EXPECT(rolegate_engine_clear_shadow(e) == ROLEGATE_OK); /* none in place */

  {
    rolegate_rule_count row;
    EXPECT(rolegate_rule_counts_size(NULL) == 0);
    EXPECT(rolegate_rule_counts_get(NULL, 0, &row) == ROLEGATE_E_INVALID_ARGUMENT);
    rolegate_rule_counts_free(NULL);
  }
  rolegate_engine_free(e);
}

static void test_counters_and_rules(void) {
  rolegate_engine* e = make_engine();
  rolegate_ops_options o;
  rolegate_ops_stats st;
  rolegate_rule_counts* rules = NULL;
  rolegate_rule_count row;
  rolegate_decision d;
  rolegate_ops_options_init(&o);
  o.counters = 1;
  o.count_rules = 1;
  EXPECT(rolegate_engine_set_ops(e, &o, NULL) == ROLEGATE_OK);
  EXPECT(rolegate_engine_check(e, S("u"), S("a/read"), S("/s/x"), &d) == ROLEGATE_OK && d.allowed);
  EXPECT(rolegate_engine_check(e, S("u"), S("a/read"), S("/q"), &d) == ROLEGATE_OK && !d.allowed);
  {
    rolegate_snapshot* snap = NULL;
    EXPECT(rolegate_engine_acquire(e, &snap) == ROLEGATE_OK);
    EXPECT(rolegate_snapshot_check(snap, S("u"), S("a/read"), S("/s"), &d) == ROLEGATE_OK && d.allowed);
    rolegate_snapshot_release(snap);
  }
  st.struct_size = sizeof st;
  EXPECT(rolegate_engine_stats(e, &st, &rules) == ROLEGATE_OK);
  EXPECT(st.struct_size == sizeof st);
  EXPECT(st.decisions == 3 && st.allows == 2 && st.denies == 1);
  EXPECT(st.by_reason[ROLEGATE_REASON_GRANT] == 2 && st.by_reason[ROLEGATE_REASON_NO_GRANT] == 1);
  EXPECT(rolegate_rule_counts_size(rules) == 1);
  EXPECT(rolegate_rule_counts_get(rules, 0, &row) == ROLEGATE_OK);
  EXPECT(row.rule_len == 2 && memcmp(row.rule, "x1", 2) == 0 && row.allows == 2 && row.denies == 0);
  EXPECT(row.kind == 1 && row.in_service == 1 && row.generation == 1);
  EXPECT(rolegate_rule_counts_get(rules, 1, &row) == ROLEGATE_E_INVALID_ARGUMENT);
  rolegate_rule_counts_free(rules);

  /* A newer generation: the old counts are read once more, then gone. */
  EXPECT(rolegate_engine_publish(e, S(kShadow), NULL) == ROLEGATE_OK);
  EXPECT(rolegate_engine_stats(e, &st, &rules) == ROLEGATE_OK);
  EXPECT(rolegate_rule_counts_size(rules) == 1);
  EXPECT(rolegate_rule_counts_get(rules, 0, &row) == ROLEGATE_OK && row.in_service == 0);
  rolegate_rule_counts_free(rules);
  EXPECT(rolegate_engine_stats(e, &st, &rules) == ROLEGATE_OK && rolegate_rule_counts_size(rules) == 0);
  rolegate_rule_counts_free(rules);
  rolegate_engine_free(e);
}

/* A record struct as a program built against a later header might see it. */
typedef struct {
  rolegate_decision_record v0;
  uint64_t appended;
} newer_record;

static void test_log_and_shadow(void) {
  rolegate_engine* e = make_engine();
  rolegate_ops_options o;
  rolegate_ops_stats st;
  rolegate_decision_record rec[4];
  newer_record newer[2];
  rolegate_decision d;
  size_t n = 0;
  rolegate_ops_options_init(&o);
  o.log = 1;
  o.counters = 1;
  EXPECT(rolegate_engine_set_ops(e, &o, NULL) == ROLEGATE_OK);
  EXPECT(rolegate_engine_publish_shadow(e, S(kShadow), NULL) == ROLEGATE_OK);
  EXPECT(rolegate_engine_check(e, S("u"), S("a/read"), S("/s"), &d) == ROLEGATE_OK && d.allowed);
  EXPECT(rolegate_engine_check(e, S("u"), S("a/read"), S("/t"), &d) == ROLEGATE_OK && !d.allowed);
  EXPECT(rolegate_engine_drain_decisions(e, rec, sizeof rec[0], 1, &n) == ROLEGATE_OK && n == 1);
  EXPECT(rec[0].struct_size == sizeof rec[0]);
  EXPECT(rec[0].op == ROLEGATE_DECISION_OP_CHECK && rec[0].allowed == 1);
  EXPECT(rec[0].shadow == ROLEGATE_SHADOW_DENY && rec[0].rule_len == 2 && memcmp(rec[0].rule, "x1", 2) == 0);
  EXPECT(rec[0].resource_len == 2 && memcmp(rec[0].resource, "/s", 2) == 0 && rec[0].truncated == 0);
  memset(newer, 0xAB, sizeof newer);
  EXPECT(rolegate_engine_drain_decisions(e, &newer[0].v0, sizeof newer[0], 2, &n) == ROLEGATE_OK && n == 1);
  EXPECT(newer[0].v0.struct_size == sizeof(rolegate_decision_record));
  EXPECT(newer[0].v0.shadow == ROLEGATE_SHADOW_ALLOW && newer[0].v0.shadow_rule_len == 2);
  EXPECT(newer[0].appended == 0xABABABABABABABABull); /* never written past the v0 layout */
  st.struct_size = sizeof st;
  EXPECT(rolegate_engine_stats(e, &st, NULL) == ROLEGATE_OK);
  EXPECT(st.shadow_checked == 2 && st.shadow_allowed == 1 && st.shadow_denied == 1);
  EXPECT(st.log_records == 2 && st.log_dropped == 0);
  EXPECT(rolegate_engine_clear_shadow(e) == ROLEGATE_OK);
  EXPECT(rolegate_engine_check(e, S("u"), S("a/read"), S("/t"), &d) == ROLEGATE_OK);
  EXPECT(rolegate_engine_stats(e, &st, NULL) == ROLEGATE_OK && st.shadow_checked == 2);
  rolegate_engine_free(e);
}

int main(void) {
  test_null_and_sizes();
  test_counters_and_rules();
  test_log_and_shadow();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
